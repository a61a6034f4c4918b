"""Raw IMU messages of a FIT file as one table of samples in SI-ish units.

FIT stores inertial samples in batches: each ``accelerometer_data``,
``gyroscope_data`` or ``magnetometer_data`` message has a ``timestamp`` (s) and
``timestamp_ms``, a list ``sample_time_offset`` (ms after that time) and lists of
raw counts per axis, sometimes also already ``calibrated_*`` values. Raw counts
are calibrated with the ``three_d_sensor_calibration`` in effect (FIT profile)::

    calibrated = factor / divisor * M @ (raw - level_shift - offset_cal)

with ``M`` the 3x3 ``orientation_matrix`` (row-major). The factor's unit is ``g``
for accelerometers and ``deg/s`` for gyroscopes. The result is checked against
gravity (median |a| near 1 g) because a wrong unit is the usual failure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...frames import STANDARD_GRAVITY_MPS2

__all__ = ["imu_table"]

# message -> (sensor_type of its calibration, raw field stem, calibrated stem, column stem, unit)
_KINDS = {
    "accelerometer_data": ("accelerometer", "accel_", "calibrated_accel_", "acc_", "mps2"),
    "gyroscope_data": ("gyroscope", "gyro_", "calibrated_gyro_", "gyr_", "dps"),
    "magnetometer_data": ("compass", "mag_", "calibrated_mag_", "mag_", "ut"),
}


def _calibrations(messages: dict[str, list[dict]]) -> dict[str, list[tuple[float, dict]]]:
    cals: dict[str, list[tuple[float, dict]]] = {}
    for c in messages.get("three_d_sensor_calibration", []):
        kind = c.get("sensor_type")
        kind = {0: "accelerometer", 1: "gyroscope", 2: "compass"}.get(kind, kind)
        cals.setdefault(str(kind), []).append((float(c.get("timestamp") or 0), c))
    for v in cals.values():
        v.sort(key=lambda tc: tc[0])
    return cals


def _apply(raw: np.ndarray, cal: dict) -> np.ndarray:
    """Calibrate raw counts (n x 3) with one three_d_sensor_calibration message."""
    factor = float(cal.get("calibration_factor") or cal.get("accel_cal_factor") or cal.get("gyro_cal_factor") or 1)
    divisor = float(cal.get("calibration_divisor") or 1)
    shift = float(cal.get("level_shift") or 0)
    offset = np.asarray(cal.get("offset_cal") or [0, 0, 0], dtype=float)
    m = cal.get("orientation_matrix")
    matrix = np.asarray(m, dtype=float).reshape(3, 3) if m is not None and len(m) == 9 else np.eye(3)
    return (factor / divisor) * ((raw - shift - offset) @ matrix.T)


def _samples(rows: list[dict], raw_stem: str, cal_stem: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Flatten batched messages into (times_s, values n x 3, already_calibrated)."""
    times, values = [], []
    calibrated = any(r.get(cal_stem + "x") is not None for r in rows)
    stem = cal_stem if calibrated else raw_stem
    for r in rows:
        axes = [r.get(stem + a) for a in "xyz"]
        if any(a is None for a in axes):
            continue
        axes = [np.atleast_1d(np.asarray(a, dtype=float)) for a in axes]
        n = min(len(a) for a in axes)
        t0 = float(r.get("timestamp") or np.nan) + float(r.get("timestamp_ms") or 0) / 1000.0
        off = r.get("sample_time_offset")
        off = np.atleast_1d(np.asarray(off if off is not None else np.zeros(n), dtype=float))[:n]
        if len(off) < n:  # no offsets: spread the batch evenly over one second
            off = np.arange(n) * (1000.0 / n)
        times.append(t0 + off / 1000.0)
        values.append(np.column_stack([a[:n] for a in axes]))
    if not times:
        return np.array([]), np.empty((0, 3)), calibrated
    return np.concatenate(times), np.vstack(values), calibrated


def imu_table(messages: dict[str, list[dict]]) -> tuple[pd.DataFrame, list[str]]:
    """All IMU samples of a file, one row per sample time, sensor frame.

    Returns
    -------
    imu, problems
        Columns ``timestamp`` (UTC), ``acc_x_mps2``..., ``gyr_x_dps``...,
        ``mag_x_ut``... (those present); and what was assumed.
    """
    problems: list[str] = []
    cals = _calibrations(messages)
    frames = []
    for msg, (sensor, raw_stem, cal_stem, col, unit) in _KINDS.items():
        rows = messages.get(msg)
        if not rows:
            continue
        t, v, done = _samples(rows, raw_stem, cal_stem)
        if not len(t):
            continue
        if not done:
            cal = cals.get(sensor)
            if not cal:
                problems.append(f"{msg} has raw counts but no three_d_sensor_calibration; skipped")
                continue
            # the calibration in effect at each sample: the latest one at or before it
            cal_t = np.array([c[0] for c in cal])
            which = np.clip(np.searchsorted(cal_t, t, side="right") - 1, 0, len(cal) - 1)
            out = np.empty_like(v)
            for i in np.unique(which):
                out[which == i] = _apply(v[which == i], cal[i][1])
            v = out
        if sensor == "accelerometer":
            g = float(np.nanmedian(np.linalg.norm(v, axis=1)))
            if 500 < g < 2000:  # milli-g, whatever the profile says
                v = v / 1000.0
                problems.append(f"{msg}: values read as milli-g (median |a| = {g:.0f})")
            elif not 0.5 < g < 2.0:
                problems.append(f"{msg}: median |a| is {g:.3g} g, not near 1 g; units may be wrong")
            v = v * STANDARD_GRAVITY_MPS2
        elif sensor == "compass":
            v = v * 100.0  # gauss -> microtesla
        frames.append(
            pd.DataFrame(
                {"t": np.round(t, 6), **{f"{col}{a}_{unit}": v[:, i] for i, a in enumerate("xyz")}}
            )
        )
    if not frames:
        return pd.DataFrame(), problems
    df = frames[0]
    for f in frames[1:]:
        df = df.merge(f, on="t", how="outer")
    df = df.sort_values("t", kind="stable").reset_index(drop=True)
    df.insert(0, "timestamp", pd.to_datetime(df.pop("t"), unit="s", utc=True))
    return df, problems
