"""Per-step and per-stride pelvis metrics from events, angles and accelerations.

Definitions (units and signs: :mod:`gaitlab.frames`):

``pelvic_drop_deg`` (per step)
    Peak contralateral pelvic drop: the largest obliquity toward the swing side
    during the step's stance [IC, TO], relative to the runner's neutral
    obliquity; positive = swing-side hemipelvis lower than at neutral. For a
    left stance that is ``max(obliquity - neutral)``, for a right stance
    ``max(neutral - obliquity)``.
``pelvic_rotation_deg`` (per stride, left IC to the next left IC)
    Peak-to-peak of pelvis rotation within the stride after removing the
    straight line through its values at the two left ICs: that line is the
    heading of travel (turns) and the attitude filter's yaw drift.
``pelvic_tilt_range_deg``, ``pelvic_obliquity_range_deg`` (per stride)
    Peak-to-peak tilt and obliquity within the stride.
``gct_ms``, ``flight_ms``, ``step_time_s``, ``cadence_spm`` (per step)
    Ground contact time IC->TO, flight TO->next IC, step time IC->next IC, and
    60 / step time.
``vertical_oscillation_mm`` (per step)
    Peak-to-peak vertical displacement of the sensor from IC to the next IC,
    by double integration of the vertical acceleration with a 0.5 Hz high-pass
    against integration drift.
``vertical_peak_g``, ``braking_peak_g`` (per step)
    Peak vertical specific force in stance, and peak deceleration (the most
    negative forward specific force, reported positive) in the first half of
    stance, both in g.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import signal
from scipy.integrate import cumulative_trapezoid

from ..frames import STANDARD_GRAVITY_MPS2
from ._windows import window_ids, window_reduce

__all__ = ["vertical_displacement_m", "step_metrics", "stride_metrics", "regularity", "symmetry_pct"]

G = STANDARD_GRAVITY_MPS2


def vertical_displacement_m(av_mps2: np.ndarray, rate_hz: float, highpass_hz: float = 0.5) -> np.ndarray:
    """Vertical displacement (m) from vertical specific force by drift-free double integration."""
    sos = signal.butter(2, highpass_hz, btype="highpass", fs=rate_hz, output="sos")
    v = signal.sosfiltfilt(sos, cumulative_trapezoid(av_mps2 - G, dx=1 / rate_hz, initial=0))
    return signal.sosfiltfilt(sos, cumulative_trapezoid(v, dx=1 / rate_hz, initial=0))


def step_metrics(
    ic: np.ndarray,
    to: np.ndarray,
    side: np.ndarray,
    next_ic: np.ndarray,
    obliquity_deg: np.ndarray,
    neutral_deg: float,
    level_acc_mps2: np.ndarray,
    height_m: np.ndarray,
    rate_hz: float,
) -> pd.DataFrame:
    """Metrics of each step of one continuous stretch.

    Parameters
    ----------
    ic, to, next_ic
        Fractional sample indices of the step's IC, TO and the following IC
        (NaN for the last step of a bout).
    side
        ``"L"``/``"R"``: the stance foot.
    obliquity_deg
        Pelvic obliquity per sample (deg), NaN without a gyroscope.
    neutral_deg
        The runner's neutral obliquity (deg).
    level_acc_mps2
        Specific force in the level frame (n, 3), m/s².
    height_m
        Vertical displacement per sample (m).
    rate_hz
        Sample rate, Hz.
    """
    n = len(level_acc_mps2)
    s0 = np.clip(np.ceil(ic).astype(int), 0, n - 1)
    s1 = np.clip(np.floor(to).astype(int) + 1, s0 + 1, n)
    mid = np.clip(((s0 + s1) // 2), s0 + 1, n)
    d = obliquity_deg - neutral_deg
    up = window_reduce(d, s0, s1, np.maximum)
    down = -window_reduce(d, s0, s1, np.minimum)
    drop = np.where(side == "L", up, np.where(side == "R", down, np.nan))
    vpeak = window_reduce(level_acc_mps2[:, 2], s0, s1, np.maximum) / G
    brake = -window_reduce(level_acc_mps2[:, 0], s0, mid, np.minimum) / G
    step_t = (next_ic - ic) / rate_hz
    has_next = np.isfinite(next_ic)
    vo = np.full(len(ic), np.nan)
    if has_next.any():
        # [IC, next IC) windows touch but do not overlap
        e0 = s0[has_next]
        e1 = np.clip(np.ceil(next_ic[has_next]).astype(int), e0 + 1, n)
        hi = window_reduce(height_m, e0, e1, np.maximum)
        vo[has_next] = (hi - window_reduce(height_m, e0, e1, np.minimum)) * 1000
    return pd.DataFrame(
        {
            "side": side,
            "gct_ms": (to - ic) / rate_hz * 1000,
            "flight_ms": (next_ic - to) / rate_hz * 1000,
            "step_time_s": step_t,
            "cadence_spm": 60 / step_t,
            "pelvic_drop_deg": drop,
            "vertical_oscillation_mm": vo,
            "vertical_peak_g": vpeak,
            "braking_peak_g": brake,
        }
    )


def stride_metrics(lic: np.ndarray, next_lic: np.ndarray, angles: pd.DataFrame, rate_hz: float) -> pd.DataFrame:
    """Metrics of each stride (left IC to the next left IC) of one stretch.

    Parameters
    ----------
    lic, next_lic
        Fractional sample indices of the stride's left IC and the next left IC.
    angles
        ``obliquity_deg``, ``tilt_deg``, ``rotation_deg`` per sample.
    rate_hz
        Sample rate, Hz.
    """
    n = len(angles)
    a = np.clip(np.round(lic).astype(int), 0, n - 1)
    b = np.clip(np.round(next_lic).astype(int), a + 1, n - 1)
    idx, wid = window_ids(n, a, b + 1)  # inclusive of the closing IC sample
    rot = angles["rotation_deg"].to_numpy()
    # remove the line through the rotation at both left ICs (heading + yaw drift)
    frac = (idx - a[wid]) / (b[wid] - a[wid])
    detr = rot[idx] - (rot[a][wid] + frac * (rot[b] - rot[a])[wid])
    out = {"stride_time_s": (next_lic - lic) / rate_hz}
    out["pelvic_rotation_deg"] = _ptp_by(detr, wid, len(a))
    for col, name in (("tilt_deg", "pelvic_tilt_range_deg"), ("obliquity_deg", "pelvic_obliquity_range_deg")):
        out[name] = _ptp_by(angles[col].to_numpy()[idx], wid, len(a))
    return pd.DataFrame(out)


def _ptp_by(values: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
    hi = np.full(k, -np.inf)
    lo = np.full(k, np.inf)
    np.maximum.at(hi, group, values)
    np.minimum.at(lo, group, values)
    out = hi - lo
    out[~np.isfinite(out)] = np.nan
    return out


def regularity(av_mps2: np.ndarray, rate_hz: float, step_s: float) -> tuple[float, float]:
    """Step and stride regularity (Moe-Nilssen & Helbostad 2004): unbiased
    autocorrelation of vertical acceleration at its first and second dominant
    peaks, searched within ±30 % of the step and stride time."""
    x = av_mps2 - av_mps2.mean()
    n = len(x)
    if n < 3 * step_s * rate_hz:
        return float("nan"), float("nan")
    ac = signal.fftconvolve(x, x[::-1], mode="full")[n - 1 :]
    ac = ac / (ac[0] * (n - np.arange(n)) / n)
    out = []
    for lag_s in (step_s, 2 * step_s):
        lo, hi = int(0.7 * lag_s * rate_hz), int(1.3 * lag_s * rate_hz) + 1
        out.append(float(ac[lo:hi].max()) if hi < n else float("nan"))
    return out[0], out[1]


def symmetry_pct(left, right):
    """Left against right, % of their mean: ``100 * (left - right) / mean``
    (NaN where the mean is 0 or unknown). Scalars or arrays/Series alike."""
    mean = (left + right) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100 * (left - right) / np.where(np.abs(mean) > 1e-9, mean, np.nan)
