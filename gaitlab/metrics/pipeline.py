"""``gaitlab.analyze``: a pelvis IMU recording in, steps, strides and a summary out.

Pipeline (each stage a small object with explicit parameters, so a caller can
swap or tune one):

1. split ``Run.imu`` at gaps into continuous stretches (:mod:`..signals.preprocess`);
2. quiet standing and gyroscope bias (:class:`~gaitlab.signals.preprocess.QuietStanding`);
3. sensor attitude (:class:`~gaitlab.signals.orientation.FusionOrientation`);
4. mounting on the pelvis (:class:`~gaitlab.signals.mounting.MountingEstimator`);
5. pelvis angles and level-frame accelerations (:mod:`..signals.angles`);
6. steps and sides (:mod:`..signals.events`); with a gyroscope, the sensor's
   lever arm is fitted from the flights of these steps and its accelerations
   moved to the pelvis centre before the steps are found again
   (:class:`~gaitlab.signals.lever.LeverArm`);
7. neutral obliquity, then per-step and per-stride metrics (:mod:`.pelvis`)
   and the summary.

Units, frames and signs: :mod:`gaitlab.frames`.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError, AnalysisWarning, GaitlabError
from ..frames import STANDARD_GRAVITY_MPS2
from ..io import read
from ..run import Run
from ..signals.angles import centripetal_obliquity, level_acceleration, pelvis_angles
from ..signals.events import SideClassifier, StepDetector, step_frequency_hz
from ..signals.lever import LeverArm
from ..signals.mounting import Mounting, MountingEstimator
from ..signals.orientation import FusionOrientation, quat_to_matrix
from ..signals.preprocess import ACC, GYR, QuietStanding, segments
from .pelvis import regularity, step_metrics, stride_metrics, symmetry_pct, vertical_displacement_m

__all__ = ["analyze", "analyze_if_imu", "Analysis", "STEP_COLUMNS", "STRIDE_COLUMNS"]

G = STANDARD_GRAVITY_MPS2

#: Per-step metric columns and what they mean (units in the names).
STEP_COLUMNS: dict[str, str] = {
    "pelvic_drop_deg": "peak contralateral pelvic drop in stance, vs neutral obliquity",
    "gct_ms": "ground contact time",
    "flight_ms": "flight time to the next step",
    "step_time_s": "initial contact to the next initial contact",
    "cadence_spm": "60 / step time",
    "vertical_oscillation_mm": "peak-to-peak vertical motion of the sensor over the step",
    "vertical_peak_g": "peak vertical acceleration in stance",
    "braking_peak_g": "peak braking deceleration in early stance",
}

#: Per-stride metric columns.
STRIDE_COLUMNS: dict[str, str] = {
    "pelvic_rotation_deg": "peak-to-peak pelvis rotation in the stride, turns removed",
    "pelvic_tilt_range_deg": "peak-to-peak anterior-posterior tilt in the stride",
    "pelvic_obliquity_range_deg": "peak-to-peak obliquity in the stride",
    "stride_time_s": "left initial contact to the next left initial contact",
}


@dataclass
class Analysis:
    """What :func:`analyze` found in one recording.

    Attributes
    ----------
    run
        The analysed :class:`~gaitlab.run.Run`.
    steps
        One row per step: ``t_s`` (initial contact, s from the first sample),
        ``to_s`` (toe-off), ``side`` (``"L"``/``"R"``, the stance foot),
        ``timestamp`` (UTC or NaT), ``bout`` and the :data:`STEP_COLUMNS`.
    strides
        One row per stride, left IC to the next left IC: ``t_s``, ``end_s``
        and the :data:`STRIDE_COLUMNS`.
    summary
        One row per metric: ``all`` (median), ``left``, ``right`` (medians per
        stance side) and ``symmetry_pct`` (100 * (left - right) / mean).
    info
        Rate, duration, mounting, the sensor's lever arm (``lever_arm``:
        ``pelvis_m``, its position from the pelvis centre in the pelvis
        frame, and whether the accelerations were moved to the centre with
        it), neutral obliquity and its source, side confidence, regularity,
        standing time.
    signals
        Per-sample pelvis angles (deg) and level-frame specific force (m/s²;
        at the pelvis centre when ``info["lever_arm"]["used"]``) with
        ``elapsed_s``, for plots.
    warnings
        What was assumed or could not be done, one line each.
    """

    run: Run
    steps: pd.DataFrame
    strides: pd.DataFrame
    summary: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)
    signals: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # one line in a notebook, not the tables
        conf = self.info.get("mounting", {}).get("confidence")
        return (f"Analysis({self.run.path.name if self.run.path else 'in-memory'!r}: {len(self.steps)} steps, "
                f"{len(self.strides)} strides" + (f", mounting confidence {conf:.2f}" if conf is not None else "")
                + f", {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''})")

    def _repr_html_(self) -> str:
        """Jupyter: the one-line description and the summary table."""
        return f"<p>{html.escape(repr(self))}</p>" + self.summary.to_html(float_format="{:.3g}".format)

    def summary_dict(self) -> dict[str, Any]:
        """Flat JSON-ready summary: ``pelvic_drop_deg``, ``pelvic_drop_left_deg``,
        ``pelvic_drop_right_deg``, ``pelvic_drop_symmetry_pct``, ...; the run's
        ``distance_m``, ``ascent_m``, ``descent_m`` and ``elevation_from`` (None
        without a GPS track or barometer); plus ``info``."""
        out: dict[str, Any] = {}
        for metric, row in self.summary.iterrows():
            stem, unit = str(metric).rsplit("_", 1)
            out[str(metric)] = _num(row["all"])
            if "left" in row and pd.notna(row["left"]):
                out[f"{stem}_left_{unit}"] = _num(row["left"])
                out[f"{stem}_right_{unit}"] = _num(row["right"])
                out[f"{stem}_symmetry_pct"] = _num(row["symmetry_pct"])
        out.update(self.run.course_summary())
        out.update(self.info)
        out["warnings"] = list(self.warnings)
        return out

    def to_json_dict(self) -> dict[str, Any]:
        """``{"summary": {...}, "steps": [...], "strides": [...]}`` as the CLI writes it."""
        steps = self.steps.drop(columns=["timestamp"], errors="ignore")
        return {
            "summary": self.summary_dict(),
            "steps": _records(steps),
            "strides": _records(self.strides),
        }


def _lever_dict(fit: Any, matrix: np.ndarray) -> dict[str, Any]:
    """``info["lever_arm"]``: the fitted sensor position in the pelvis frame (m), and whether it was used."""
    if fit is None:
        return {"pelvis_m": None, "used": False, "reason": "no gyroscope", "flight_s": None}
    pos = matrix @ fit.r_m if np.all(np.isfinite(fit.r_m)) else None
    return {"pelvis_m": None if pos is None else [_num(v) for v in pos], "used": bool(fit.used),
            "reason": fit.reason, "flight_s": _num(fit.flight_s, 1)}


def _num(x: Any, nd: int = 3) -> Any:
    if x is None:
        return None
    if isinstance(x, (np.floating, float)):
        return None if not np.isfinite(x) else round(float(x), nd)
    if isinstance(x, np.integer):
        return int(x)
    return x


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(df.columns)
    return [{c: _num(v) for c, v in zip(cols, row)} for row in df.itertuples(index=False, name=None)]


@dataclass(frozen=True)
class _Stretch:
    a: int
    b: int
    q: np.ndarray
    acc: np.ndarray
    turn: np.ndarray  # heading rate the gravity reference saw, deg/s


def analyze_if_imu(run: Run, what: str = "analyse") -> Analysis | None:
    """The per-step :func:`analyze` of a run with IMU data (its warnings first
    the reader's), ``None`` for one with running-dynamics records only.

    Raises
    ------
    gaitlab.GaitlabError
        The run has neither ("nothing to <what>: ...").
    """
    if len(run.imu):
        result = analyze(run)
        result.warnings[:0] = [w for w in run.warnings if w not in result.warnings]
        return result
    if run.form_metrics():
        return None
    raise GaitlabError(run.path, f"nothing to {what}: no IMU data (per-step pelvis metrics need a pelvis-worn IMU) "
                                 "and no running-dynamics fields (stance time, vertical oscillation, ...)")


def analyze(
    run: Run | str | PathLike[str],
    *,
    orientation: FusionOrientation = FusionOrientation(),
    mounting: MountingEstimator | Mounting = MountingEstimator(),
    standing: QuietStanding = QuietStanding(),
    steps: StepDetector = StepDetector(),
    sides: SideClassifier = SideClassifier(),
    lever: LeverArm = LeverArm(),
    neutral_window_s: tuple[float, float] = (30.0, 210.0),
    min_standing_s: float = 3.0,
) -> Analysis:
    """Analyse a pelvis IMU recording step by step.

    Parameters
    ----------
    run
        A recording with ``run.imu`` (a CSV import, a FIT file with raw IMU
        messages, or ``gaitlab.simulate``), or a path to read.
    orientation, mounting, standing, steps, sides, lever
        The stage algorithms; pass a :class:`~gaitlab.signals.mounting.Mounting`
        to impose a known mounting instead of estimating it.
    neutral_window_s
        Without ``min_standing_s`` of quiet standing, neutral obliquity is the
        mean over the strides starting this many seconds (from, to) after the
        first step ("the first steady minutes").
    min_standing_s
        Quiet standing needed to take neutral obliquity from it, s.

    Returns
    -------
    Analysis

    Raises
    ------
    gaitlab.errors.AnalysisError
        No accelerometer data, too short, a sensor that never moved, a signal
        that does not look like a pelvis while running, or a mounting that
        cannot be told.
    """
    if isinstance(run, (str, PathLike)):
        run = read(run)
    if not isinstance(run, Run):
        raise TypeError(f"gaitlab.analyze takes a Run or a path, not {type(run).__name__}")
    src = str(run.path) if run.path else None
    imu, rate = run.imu, run.imu_rate_hz
    if imu is None or imu.empty or not all(c in imu for c in ACC):
        raise AnalysisError(src, "no accelerometer data to analyse (per-step pelvis metrics need a pelvis-worn IMU)"
                            + ("; its running dynamics have a fatigue analysis: gaitlab.fatigue"
                               if run.form_metrics() else ""))
    if not rate or rate < 20:
        raise AnalysisError(src, f"IMU sample rate {rate} Hz is too low (need at least 20 Hz)")
    has_gyr = all(c in imu for c in GYR) and imu[GYR].notna().any().all()
    warns: list[str] = []
    segs = segments(imu[[*ACC, *(GYR if has_gyr else []), *(["gap"] if "gap" in imu else [])]], 10.0, rate)
    if not len(segs):
        raise AnalysisError(src, f"too short to analyse: no stretch of 10 s without gaps ({len(imu) / rate:.1f} s of data)")
    acc_all = imu[ACC].to_numpy(float)
    gyr_all = imu[GYR].to_numpy(float) if has_gyr else None
    if np.nanstd(acc_all, axis=0).max() < 0.05 * G:
        raise AnalysisError(src, "the sensor never moved (acceleration is constant)")
    if not has_gyr:
        warns.append("no gyroscope: pelvic angles (drop, rotation, tilt) cannot be computed; events and timing only, "
                     "and left and right are told apart by the sideways push of each stance alone, so they may be "
                     "swapped")

    # 2. quiet standing and gyro bias
    stand_mask = np.zeros(len(imu), bool)
    for a, b in segs:
        for s0, s1 in standing.detect(acc_all[a:b], gyr_all[a:b] if has_gyr else None, rate):
            stand_mask[a + s0 : a + s1] = True
    standing_s = stand_mask.sum() / rate
    bias = np.zeros(3)
    if has_gyr and standing_s >= 1.0:
        bias = np.median(gyr_all[stand_mask], axis=0)

    # 3. attitude per stretch
    stretches: list[_Stretch] = []
    biases: dict[tuple[int, int], np.ndarray] = {}  # gyroscope bias of the long stretches, when borrowed
    gyr_free = gyr_all - bias if has_gyr else None  # the quiet-standing bias removed, once
    for a, b in segs:
        acc = acc_all[a:b]
        if has_gyr:
            if hasattr(orientation, "attitude"):
                known = _borrowed_bias(orientation, segs, (a, b), acc_all, gyr_free, rate, biases)
                q, turn = orientation.attitude(acc, gyr_free[a:b], rate, **known)
            else:
                q, turn = orientation.estimate(acc, gyr_free[a:b], rate), np.zeros(b - a)
        else:
            q, turn = _gravity_only_attitude(acc, rate), np.zeros(b - a)
        stretches.append(_Stretch(int(a), int(b), q, acc, turn))

    # 4. mounting
    moving = ~stand_mask
    running_mask = np.concatenate([_moving(s.acc, rate) & moving[s.a : s.b] for s in stretches])
    if running_mask.sum() < 10 * rate:
        sd_g = max(float(_acc_sd(s.acc, rate).max()) for s in stretches) / G
        raise AnalysisError(
            src,
            "does not look like running with a pelvis-worn sensor: the movement is too gentle "
            f"(|a| varies by at most {sd_g:.2f} g SD over 2 s; a pelvis in running, over 0.2 g, "
            "for at least 10 s)",
        )
    if isinstance(mounting, Mounting):
        mnt = mounting
    else:
        up_sensor = np.concatenate([quat_to_matrix(s.q)[:, 2, :] for s in stretches])
        acc_cat = np.concatenate([s.acc for s in stretches])
        standing_up = None
        if standing_s >= min_standing_s:
            standing_up = acc_all[stand_mask].mean(axis=0)
        mnt = mounting.estimate(acc_cat, up_sensor, rate, running_mask, standing_up, source=src)
    if mnt.confidence < 0.8:
        warns.append(f"mounting found with low confidence ({mnt.confidence:.2f}); check the sensor placement")

    # 5-6. angles, level accelerations, steps per stretch
    angle_parts = []
    for s in stretches:
        ang = pelvis_angles(s.q, mnt.matrix)
        if not has_gyr:
            ang[:] = np.nan
        angle_parts.append(ang)

    def level_and_steps(k: int, acc: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
        s, ang = stretches[k], angle_parts[k]
        if has_gyr:
            lev = level_acceleration(s.q, acc, np.nan_to_num(ang["rotation_deg"].to_numpy()))
        else:  # level frame from the mounting only
            lev = np.einsum("ij,nj->ni", mnt.matrix, acc)
        return lev, steps.detect(lev[:, 2], rate, src)

    found = [level_and_steps(k, s.acc) for k, s in enumerate(stretches)]
    # 5b. the sensor's lever arm from the flights, and its accelerations moved to the pelvis centre
    lever_fit = None
    if has_gyr:
        rates = [lever.rates(gyr_free[s.a : s.b], rate) for s in stretches]
        lever_fit = lever.estimate(
            [(s.acc, *wa, st["ic"].to_numpy(), st["to"].to_numpy()) for s, wa, (_, st) in zip(stretches, rates, found)],
            rate,
        )
        if lever_fit.used:
            found = [level_and_steps(k, lever.to_centre(s.acc, *wa, lever_fit.r_m))
                     for k, (s, wa) in enumerate(zip(stretches, rates))]
    acc_parts, step_parts, height_parts = [], [], []
    for k, (s, (lev, st)) in enumerate(zip(stretches, found)):
        st["stretch"] = k
        st[["ic", "to", "peak"]] += s.a
        acc_parts.append(lev)
        height_parts.append(vertical_displacement_m(lev[:, 2], rate))
        step_parts.append(st)
    ev = pd.concat(step_parts, ignore_index=True)
    if len(ev) < 10:
        f, share = step_frequency_hz(acc_parts[0][:, 2], rate)
        raise AnalysisError(
            src,
            "does not look like running with a pelvis-worn sensor: "
            f"{len(ev)} running steps found (vertical acceleration peaks above "
            f"{steps.min_peak_g} g at a step rhythm are missing; dominant rhythm {f:.2f} Hz)",
        )
    # full-length per-sample arrays (NaN outside the stretches)
    n = len(imu)
    ang_full = pd.DataFrame(np.nan, index=np.arange(n), columns=["obliquity_deg", "tilt_deg", "rotation_deg"])
    lev_full = np.full((n, 3), np.nan)
    height_full = np.full(n, np.nan)
    turn_full = np.zeros(n)
    for s, ang, lev, h in zip(stretches, angle_parts, acc_parts, height_parts):
        ang_full.iloc[s.a : s.b] = ang.to_numpy()
        lev_full[s.a : s.b] = lev
        height_full[s.a : s.b] = h
        turn_full[s.a : s.b] = s.turn

    # side evidence: obliquity rise from IC to mid-stance; lateral cue without gyro
    ic_i = np.clip(np.round(ev["ic"].to_numpy()).astype(int), 0, n - 1)
    pk_i = ev["peak"].to_numpy().astype(int)
    if has_gyr:
        obl = ang_full["obliquity_deg"].to_numpy()
        evidence = obl[pk_i] - obl[ic_i]
    else:
        to_i = np.clip(np.round(ev["to"].to_numpy()).astype(int), 0, n - 1)
        csum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(lev_full[:, 1]))])
        evidence = -(csum[to_i] - csum[ic_i]) / np.maximum(to_i - ic_i, 1)
    side = np.empty(len(ev), dtype=object)
    conf = np.zeros(len(ev))
    bout = np.zeros(len(ev), int)
    next_ic = np.full(len(ev), np.nan)
    bout_id = 0
    for k, grp in ev.groupby("stretch").groups.items():
        idx = np.asarray(grp)
        sd, cf = sides.classify(ev["ic"].to_numpy()[idx], evidence[idx], rate)
        side[idx], conf[idx] = sd, cf
        ics = ev["ic"].to_numpy()[idx]
        dt = np.diff(ics)
        brk = dt > sides.max_step_ratio * np.median(dt) if len(dt) else np.array([], bool)
        b = bout_id + np.concatenate([[0], np.cumsum(brk)])
        bout[idx] = b
        bout_id = int(b[-1]) + 1
        nxt = np.concatenate([ics[1:], [np.nan]])
        nxt[:-1][brk] = np.nan
        next_ic[idx] = nxt

    # 6b. the lean of the gravity reference in bends, regressed out over strides
    lean_gain_s = 0.0
    if has_gyr:
        k2 = np.flatnonzero(np.isfinite(next_ic[:-1]) & np.isfinite(next_ic[1:]))
        ic_all = ev["ic"].to_numpy()
        corrected, lean_gain_s = centripetal_obliquity(
            ang_full["obliquity_deg"].to_numpy(), turn_full, np.ceil(ic_all[k2]), np.ceil(ic_all[k2 + 2])
        )
        ang_full["obliquity_deg"] = corrected

    # 7. neutral obliquity
    t0_ic = ev["ic"].iloc[0] / rate
    if not has_gyr:
        neutral, neutral_source = float("nan"), "none (no gyroscope)"
    elif standing_s >= min_standing_s:
        neutral = float(np.nanmean(ang_full["obliquity_deg"].to_numpy()[stand_mask]))
        neutral_source = "standing"
    else:
        neutral, neutral_source = _running_neutral(ev, side, next_ic, ang_full, rate, t0_ic, neutral_window_s)

    ic = ev["ic"].to_numpy()
    to = ev["to"].to_numpy()
    sm = step_metrics(
        ic, to, side, next_ic, ang_full["obliquity_deg"].to_numpy(), neutral, lev_full, height_full, rate
    )
    t_s = ic / rate
    steps_df = pd.DataFrame({"t_s": t_s, "to_s": to / rate, "side": side})
    steps_df = pd.concat([steps_df, sm.drop(columns=["side"])], axis=1)
    steps_df["side_confidence"] = conf
    steps_df["bout"] = bout
    if not has_gyr:
        steps_df["pelvic_drop_deg"] = np.nan
    steps_df["timestamp"] = _timestamps(imu, t_s)
    strides_df = _strides(steps_df, next_ic, ic, ang_full, rate)

    # summary
    step_s = float(np.nanmedian(steps_df["step_time_s"]))
    regs = [regularity(lev[:, 2], rate, step_s) for lev in acc_parts if len(lev) > 10 * rate]
    reg = np.nanmedian(np.array(regs), axis=0) if regs else (np.nan, np.nan)
    summary = _summary(steps_df, strides_df)
    low_conf = steps_df["side_confidence"] < 0.5
    if low_conf.any():
        warns.append(f"side (L/R) uncertain for {int(low_conf.sum())} of {len(steps_df)} steps")
    info = {
        "imu_rate_hz": rate,
        "duration_s": round(n / rate, 2),
        "steps": int(len(steps_df)),
        "strides": int(len(strides_df)),
        "standing_s": round(float(standing_s), 1),
        "neutral_obliquity_deg": _num(neutral),
        "neutral_source": neutral_source,
        # v / g fitted from the lean of bends (s): times 9.81 it is the speed in them
        "bend_lean_gain_s": round(float(lean_gain_s), 3),
        "mounting": mnt.to_dict(),
        # where the sensor sits: from the pelvis centre, pelvis frame (x forward, y left, z up), m
        "lever_arm": _lever_dict(lever_fit, mnt.matrix),
        "side_confidence": _num(float(np.median(conf))),
        "step_regularity": _num(float(reg[0])),
        "stride_regularity": _num(float(reg[1])),
        "gyro_bias_dps": np.round(bias, 3).tolist(),
    }
    _plausibility(strides_df, src)
    for w in warns:
        warnings.warn(w, AnalysisWarning, stacklevel=2)
    sig = ang_full.assign(
        elapsed_s=imu["elapsed_s"].to_numpy() if "elapsed_s" in imu else np.arange(n) / rate,
        acc_forward_mps2=lev_full[:, 0],
        acc_left_mps2=lev_full[:, 1],
        acc_up_mps2=lev_full[:, 2],
        standing=stand_mask,
    )
    return Analysis(run, steps_df, strides_df, summary, info, sig, warns)


def _acc_sd(acc: np.ndarray, rate: float) -> np.ndarray:
    """Standard deviation (m/s²) of |a| in centred 2-s windows."""
    from scipy import ndimage

    w = int(2 * rate)
    norm = np.linalg.norm(acc, axis=1)
    m = ndimage.uniform_filter1d(norm, w, mode="nearest")
    return np.sqrt(np.maximum(ndimage.uniform_filter1d(norm**2, w, mode="nearest") - m**2, 0))


def _moving(acc: np.ndarray, rate: float) -> np.ndarray:
    """Samples in 2-s windows whose |a| varies like running (sd > 0.2 g)."""
    return _acc_sd(acc, rate) > 0.2 * G


def _borrowed_bias(orientation: Any, segs: np.ndarray, seg: tuple[int, int], acc: np.ndarray,
                   gyr: np.ndarray, rate: float, cache: dict[tuple[int, int], np.ndarray]) -> dict[str, np.ndarray]:
    """``{"bias_dps": ...}`` for a stretch too short to estimate its own
    gyroscope bias (``orientation.min_bias_s``): the bias of the nearest stretch
    long enough, at its end nearest to this one (``cache`` keeps each long
    stretch's estimate). Empty when the stretch is long enough, the orientation
    has no such notion, or no stretch is long enough."""
    need = getattr(orientation, "min_bias_s", None)
    if need is None or (seg[1] - seg[0]) >= need * rate:
        return {}
    long = [s for s in segs if (s[1] - s[0]) >= need * rate]
    if not long:
        return {}
    # distance in samples from this stretch to each long one, either side
    near = min(long, key=lambda s: seg[0] - s[1] if s[1] <= seg[0] else s[0] - seg[1])
    near = (int(near[0]), int(near[1]))
    if near not in cache:
        cache[near] = orientation.gyro_bias(acc[near[0] : near[1]], gyr[near[0] : near[1]], rate)
    return {"bias_dps": cache[near][-1] if near[1] <= seg[0] else cache[near][0]}


def _gravity_only_attitude(acc: np.ndarray, rate: float) -> np.ndarray:
    """Accelerometer-only attitude: gravity from a 0.2 Hz low-pass, no yaw."""
    from scipy import signal

    sos = signal.butter(2, 0.2, fs=rate, output="sos")
    up = signal.sosfiltfilt(sos, acc, axis=0)
    up /= np.linalg.norm(up, axis=1, keepdims=True)
    # shortest rotation taking the sensor's up onto world z, as a quaternion
    w = 1.0 + up[:, 2]
    q = np.column_stack([w, up[:, 1], -up[:, 0], np.zeros(len(up))])
    flip = w < 1e-6
    q[flip] = [0.0, 1.0, 0.0, 0.0]
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def _running_neutral(ev, side, next_ic, ang_full, rate, t0, window_s) -> tuple[float, str]:
    """Mean obliquity over whole strides in the first steady minutes."""
    ic = ev["ic"].to_numpy()
    obl = ang_full["obliquity_deg"].to_numpy()
    lic = np.flatnonzero((side == "L") & np.isfinite(next_ic))
    # a stride: this left IC to the left IC two steps later, within one bout
    ok = lic[(lic + 2 < len(ic))]
    ok = ok[np.isfinite(next_ic[np.minimum(ok + 1, len(ic) - 1)])]
    t = ic[ok] / rate - t0
    for lo, hi in (window_s, (0.0, np.inf)):
        sel = ok[(t >= lo) & (t <= hi)]
        if len(sel) >= 10:
            a = np.round(ic[sel]).astype(int)
            b = np.round(ic[sel + 2]).astype(int)
            vals = np.concatenate([obl[x:y] for x, y in zip(a, b)])
            label = "running" if lo == window_s[0] else "running (whole run; too short for the steady window)"
            return float(np.nanmean(vals)), label
    return float(np.nanmean(obl)), "running (all samples)"


def _strides(steps_df: pd.DataFrame, next_ic: np.ndarray, ic: np.ndarray, ang_full: pd.DataFrame, rate: float) -> pd.DataFrame:
    side = steps_df["side"].to_numpy()
    k = np.flatnonzero(side == "L")
    k = k[k + 2 < len(ic)]
    # both following steps in the same bout: L -> R -> L without a break
    k = k[np.isfinite(next_ic[k]) & np.isfinite(next_ic[k + 1]) & (side[np.minimum(k + 2, len(side) - 1)] == "L")]
    if not len(k):
        return pd.DataFrame(columns=["t_s", "end_s", *STRIDE_COLUMNS])
    lic, nlic = ic[k], ic[k + 2]
    sm = stride_metrics(lic, nlic, ang_full, rate)
    out = pd.DataFrame({"t_s": lic / rate, "end_s": nlic / rate})
    return pd.concat([out, sm], axis=1)[["t_s", "end_s", *STRIDE_COLUMNS]]


def _timestamps(imu: pd.DataFrame, t_s: np.ndarray) -> pd.Series:
    if "timestamp" not in imu or imu["timestamp"].isna().all():
        return pd.Series(pd.NaT, index=range(len(t_s)), dtype="datetime64[ns, UTC]")
    t0 = imu["timestamp"].iloc[0]
    return pd.Series(t0 + pd.to_timedelta(t_s, unit="s"))


def _summary(steps_df: pd.DataFrame, strides_df: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for col in STEP_COLUMNS:
        v = steps_df[col]
        left = v[steps_df["side"] == "L"].median()
        right = v[steps_df["side"] == "R"].median()
        rows[col] = {"all": v.median(), "left": left, "right": right, "symmetry_pct": symmetry_pct(left, right)}
    for col in STRIDE_COLUMNS:
        rows[col] = {"all": strides_df[col].median() if len(strides_df) else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index")


def _plausibility(strides_df: pd.DataFrame, src: str | None) -> None:
    """A pelvis moves a few degrees per stride; a wrist or a foot swings tens."""
    if not len(strides_df):
        return
    ranges = strides_df[["pelvic_tilt_range_deg", "pelvic_obliquity_range_deg"]].median()
    if (ranges > 40).any():
        raise AnalysisError(
            src,
            "does not look like a pelvis-worn sensor: the sensor swings "
            f"{ranges.max():.0f} deg per stride (a pelvis moves about 5-15 deg); "
            "is it on a wrist, a foot or a leg?",
        )
