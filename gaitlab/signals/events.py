"""Initial contact, toe-off and side of every step, from a pelvis IMU alone.

Input is the specific force in the pelvis' level frame
(:func:`gaitlab.signals.angles.level_acceleration`; x forward, y left, z up,
m/s², see :mod:`gaitlab.frames`).

Physics the detector rests on: the vertical specific force at the pelvis is
the vertical ground reaction force divided by body mass (Newton), so it is
near 0 in flight (free fall), rises at initial contact (IC), peaks around
mid-stance at 2-3 g and falls back at toe-off (TO). Steps
(:class:`StepDetector`, numbered as in the code):

1. Low-pass the vertical specific force; find the step frequency (Welch peak
   in 1.4-4.6 Hz) and one peak per step on a heavier low-pass (2 x step
   frequency), where the impact spike and the active hump of a stance merge.
2. Between two peaks the minimum is the flight level.
3. IC: on the first rising edge, the line through the crossings of 20 % and
   60 % of the way from the preceding flight level to the highest value before
   the step's peak, extrapolated back to
   the flight level (the onset of loading, like the tangent method used on
   force-plate curves; a fixed threshold would be late by the rise time).
4. TO: the same on the falling edge, down to the following flight level.
5. Plausibility (Kiernan et al. 2023 automation limits, widened for slow
   running): stance 80-450 ms, step 0.2-0.75 s.

Side (:class:`SideClassifier`): steps strictly alternate within a bout, so only
which parity is left has to be found. In the stance of a leg the opposite,
swing-side hemipelvis drops (contralateral pelvic drop, present in nearly all
runners: Schache et al. 2002, Bramah et al. 2018), so obliquity (positive = left
higher) rises from IC to mid-stance in a left stance and falls in a right one.
Each bout takes the parity with the larger summed evidence; the vote margin is
the confidence. Without a gyroscope, the sign of the mean lateral acceleration
in stance is used instead (the ground pushes the body toward the midline,
i.e. to the right in a left stance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal

from ..frames import STANDARD_GRAVITY_MPS2

__all__ = ["StepDetector", "SideClassifier", "step_frequency_hz"]

G = STANDARD_GRAVITY_MPS2


def step_frequency_hz(av_mps2: np.ndarray, rate_hz: float, band_hz: tuple[float, float] = (1.4, 4.6)) -> tuple[float, float]:
    """Dominant step frequency of vertical acceleration, Hz, and its peak's share of band power."""
    nper = int(min(len(av_mps2), 8 * rate_hz))
    f, p = signal.welch(av_mps2 - av_mps2.mean(), fs=rate_hz, nperseg=nper)
    band = (f >= band_hz[0]) & (f <= band_hz[1])
    if not band.any() or p[band].sum() <= 0:
        return float("nan"), 0.0
    k = np.flatnonzero(band)[np.argmax(p[band])]
    near = slice(max(k - 2, 0), k + 3)
    return float(f[k]), float(p[near].sum() / p[(f > 0.5) & (f < 12)].sum())


def _segment_grid(x: np.ndarray, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``x`` over each segment ``[start, stop)`` on a padded
    (segments x longest) grid, and the mask of the cells inside a segment."""
    width = int(max(1, (stop - start).max()))
    idx = start[:, None] + np.arange(width)[None, :]
    return x[np.minimum(idx, len(x) - 1)], idx < stop[:, None]


def _crossings(x: np.ndarray, start: np.ndarray, stop: np.ndarray, level: np.ndarray, rising: bool) -> np.ndarray:
    """Per segment ``[start, stop)`` of ``x``, the first sub-sample index where
    ``x`` reaches ``level`` (from below if ``rising``); NaN where it does not.
    Vectorised over segments (:func:`_segment_grid`)."""
    start = np.asarray(start, dtype=np.int64)
    stop = np.asarray(stop, dtype=np.int64)
    out = np.full(len(start), np.nan)
    if not len(start):
        return out
    vals, inside = _segment_grid(x, start, stop)
    hit = inside & ((vals >= level[:, None]) if rising else (vals <= level[:, None]))
    has = hit.any(axis=1)
    i = start + np.argmax(hit, axis=1)
    prev = np.maximum(i - 1, 0)
    a, b = x[prev], x[i]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(b != a, (level - a) / (b - a), 1.0)
    out[has] = np.where(i[has] == 0, 0.0, prev[has] + frac[has])
    return out


def _segment_max(x: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Maximum of ``x`` over each non-empty ``[start, stop)``."""
    vals, inside = _segment_grid(x, start, stop)
    return np.where(inside, vals, -np.inf).max(axis=1)


@dataclass(frozen=True)
class StepDetector:
    """Find IC and TO of each step in the vertical specific force.

    Parameters
    ----------
    lowpass_hz
        Low-pass cut-off (Hz) before detection; keeps the impact edge.
    low, high
        Fractions of the flight-to-peak range whose crossings define the edge
        line that is extrapolated to the flight level.
    min_peak_g
        Smallest mid-stance peak of vertical specific force accepted, in g.
    stance_ms, step_s
        Plausible ranges of stance time (ms) and step time (s).
    """

    lowpass_hz: float = 20.0
    low: float = 0.2
    high: float = 0.6
    min_peak_g: float = 1.4
    stance_ms: tuple[float, float] = (80.0, 450.0)
    step_s: tuple[float, float] = (0.2, 0.75)

    def detect(self, av_mps2: np.ndarray, rate_hz: float, source: str | None = None) -> pd.DataFrame:
        """Steps of one continuous stretch.

        Parameters
        ----------
        av_mps2
            Vertical specific force (level frame z), m/s².
        rate_hz
            Sample rate, Hz.

        Returns
        -------
        DataFrame
            ``ic`` and ``to`` as fractional sample indices, ``peak`` (index of
            the mid-stance peak), ``peak_mps2`` and ``flight_mps2`` levels. Only
            steps whose stance and step time are plausible are kept.
        """
        # 1. low-pass, step frequency, one hump per step on a heavier low-pass
        wn = min(self.lowpass_hz, 0.45 * rate_hz)
        av = signal.sosfiltfilt(signal.butter(4, wn, fs=rate_hz, output="sos"), av_mps2)
        f_step, _ = step_frequency_hz(av, rate_hz)
        if not np.isfinite(f_step):
            return _empty_steps()
        # a real pelvis shows an impact spike and a broad active hump per
        # stance; at ~2 x step frequency they merge into one peak per step
        ws = min(max(2.0 * f_step, 4.0), 0.45 * rate_hz)
        smooth = signal.sosfiltfilt(signal.butter(2, ws, fs=rate_hz, output="sos"), av_mps2)
        peaks, _ = signal.find_peaks(
            smooth, height=self.min_peak_g * G * 0.8, distance=max(1, int(0.6 * rate_hz / f_step)), prominence=0.4 * G
        )
        if len(peaks) < 3:
            return _empty_steps()
        # 2. flight level between peaks (and before the first / after the last)
        maxgap = int(self.step_s[1] * rate_hz)
        bounds = np.concatenate([[max(0, peaks[0] - maxgap)], peaks, [min(len(av) - 1, peaks[-1] + maxgap)]])
        mins = np.array([a + int(np.argmin(av[a : b + 1])) for a, b in zip(bounds[:-1], bounds[1:])])
        # 3. IC: extrapolate the first rise after the flight minimum back to it
        m0, m1 = mins[:-1], mins[1:]
        lo_lvl = av[m0]
        rng = _segment_max(av, m0, peaks + 1) - lo_lvl
        t_lo = _crossings(av, m0, peaks + 1, lo_lvl + self.low * rng, True)
        t_hi = _crossings(av, np.where(np.isfinite(t_lo), np.nan_to_num(t_lo), m0).astype(np.int64), peaks + 1,
                          lo_lvl + self.high * rng, True)
        ic = t_lo - (t_hi - t_lo) * self.low / (self.high - self.low)
        # 4. TO: the last fall of the active hump, down to the flight level after
        lo2 = av[m1]
        rng2 = av[peaks] - lo2
        s_hi = _crossings(av, peaks, m1 + 1, lo2 + self.high * rng2, False)
        s_lo = _crossings(av, np.where(np.isfinite(s_hi), np.nan_to_num(s_hi), peaks).astype(np.int64), m1 + 1,
                          lo2 + self.low * rng2, False)
        to = s_lo + (s_lo - s_hi) * self.low / (self.high - self.low)
        steps = pd.DataFrame(
            {"ic": ic, "to": to, "peak": peaks, "peak_mps2": av[peaks], "flight_mps2": av[mins[:-1]]}
        )
        # 5. plausibility
        stance = (steps["to"] - steps["ic"]) / rate_hz * 1000
        ok = steps["ic"].notna() & steps["to"].notna() & stance.between(*self.stance_ms)
        steps = steps[ok].reset_index(drop=True)
        return steps


def _empty_steps() -> pd.DataFrame:
    return pd.DataFrame({"ic": [], "to": [], "peak": [], "peak_mps2": [], "flight_mps2": []})


@dataclass(frozen=True)
class SideClassifier:
    """Label steps left or right, by bouts of strictly alternating steps.

    Parameters
    ----------
    max_step_ratio
        A step longer than this times the median step time ends a bout (a
        missed step or a pause would flip the alternation).
    """

    max_step_ratio: float = 1.6

    def classify(self, ic: np.ndarray, evidence: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
        """Sides ``"L"``/``"R"`` per step and the confidence (0-1) of each step's bout.

        Parameters
        ----------
        ic
            Initial contacts, fractional sample indices, increasing.
        evidence
            Per-step signed score, positive meaning "left stance" (obliquity
            rise over early stance, deg; or the lateral cue).
        rate_hz
            Sample rate, Hz.
        """
        n = len(ic)
        side = np.full(n, "", dtype=object)
        conf = np.zeros(n)
        if n == 0:
            return side, conf
        dt = np.diff(ic) / rate_hz
        med = np.median(dt) if len(dt) else np.inf
        breaks = np.flatnonzero(dt > self.max_step_ratio * med) + 1
        for a, b in zip(np.concatenate([[0], breaks]), np.concatenate([breaks, [n]])):
            e = np.nan_to_num(evidence[a:b])
            alt = np.where(np.arange(b - a) % 2 == 0, 1.0, -1.0)
            score = float(np.sum(alt * e))
            even_left = score >= 0
            side[a:b] = np.where((alt > 0) == even_left, "L", "R")
            denom = float(np.sum(np.abs(e)))
            conf[a:b] = abs(score) / denom if denom > 0 else 0.0
        return side, conf
