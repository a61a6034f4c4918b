"""Forward simulator of a watch's per-second ``record`` table with running dynamics.

A whole run with known ground truth, as a Garmin watch writes it with an
HRM-Pro / Running Dynamics Pod (``device="garmin"``) or a Stryd foot pod
(``device="stryd"``), for testing gaitlab's fatigue analysis: it has to find
when form breaks down after removing the effect of pace and hills. Written
forward from a generative model, never as the inverse of an estimator (it
imports nothing from ``gaitlab.fatigue``). Column names and units are those
of the FIT importer (:mod:`gaitlab.io.fit.fields`, :mod:`gaitlab.io.fit.developer`).

Model, in the order computed (1 record per second, ``t`` in s):

1. **Pace plan** (the speed the runner would hold on the flat, m/s): per
   ``profile`` (see :func:`simulate_fit_run`), times a warm-up factor in every
   profile (0.88 at the start, rising smoothly to 1 over the first 120 s) and
   a 4-s acceleration from a standstill; pace changes take ~6 s.
2. **Course and pace on grades**: altitude is a function of distance (a sum of
   three sinusoids of 350-1600 m wavelength, scaled so the steepest grade is
   ``max_grade_pct``; flat for every profile but ``"hills"`` unless ``course``
   says otherwise). At constant effort the runner slows uphill by ``a_up`` =
   3 % per % of grade and speeds up downhill by ``a_down`` = 1.8 % per %
   (a damped form of the metabolic cost of grade running, Minetti et al.
   2002, J Appl Physiol 93:1039; close to Strava's 2017 grade-adjusted pace,
   whose downhill benefit is smaller than the uphill cost). Distance is
   integrated second by second so grade, speed and distance stay consistent.
3. **Running dynamics** (noise-free mean): each primary metric is the
   runner's value at the reference speed ``v_ref`` (3.2 m/s) on the flat,
   plus ``per_mps * (v - v_ref) + per_grade_pct * grade_pct``, plus the
   fatigue drift ``rate * h`` with ``h = max(t - onset_s, 0) / 60`` minutes
   (or, if asked for, one that levels off: ``rate * tau * (1 - exp(-h /
   tau))``, and a jump at the onset, complete 30 s later). Linear in speed on
   purpose (the truth is then exact; a real runner's contact time falls
   less steeply at high speed). Runner values (random per seed): contact
   time 230-290 ms, cadence 160-182 steps/min, VO 70-100 mm, balance
   48.5-51.5 %, mass 55-85 kg, Stryd leg spring stiffness 0.13-0.19 kN/m per
   kg, form power 22-30 % of power. Population sensitivities (a runner's own
   are these times U(0.8, 1.2)): contact time -35 ms per m/s and +1.5 ms
   per % uphill; cadence +7 steps/min per m/s and +0.4 per %; vertical
   oscillation +2 mm per m/s and -0.6 mm per %; balance none; leg spring
   stiffness +0.8 kN/m per m/s, -0.1 per %; form power +8 W per m/s, -1 W
   per % (Cavanagh & Kram 1989, Med Sci Sports Exerc 21:467; Morin et al.
   2005, J Appl Biomech 21:167; for uphill running, longer contact, higher
   step frequency, shorter steps, less bounce: Gottschall & Kram 2005, J
   Biomech 38:445; Padulo et al. 2012, J Sports Sci 30:1331; typical values:
   Garmin's running-dynamics guide, Stryd's metric guide). Derived metrics
   follow the watch's identities: ``step_length_mm = speed / (cadence / 60)
   * 1000``, ``vertical_ratio_pct = 100 * VO / step_length``,
   ``stance_time_pct = stance_time / (120000 / cadence) * 100``: the share
   of the *stride* (two steps), as in real Garmin files
   (``data/fenix5-run-running-dynamics.fit``: ~38 % for 258 ms at 179
   steps/min). Stryd power ``c * m * v * max(1 + 9.81 * grade / c, 0.3) +
   0.5 * 1.2 * 0.24 * v**3`` (grade as a fraction): ``c`` = 1.0-1.1 W per kg
   per m/s on the flat, the rate of lifting the body on grades, and air
   power (written as ``air_power_w``).
4. **Individual slow drift**: per metric an AR(1) process (time constant
   180 s): contact time 2.2 ms, cadence 0.8 spm, VO 1.0 mm, balance 0.3 %,
   stiffness 0.1 kN/m, form power 0.9 W, power 1 %: form wanders even
   without fatigue (``wander=False`` leaves it out).
5. **Measurement** per record: the device's error, AR(1) with a time
   constant of 5 s (a watch reports a running average of recent steps):
   Garmin RD contact time 4.5 ms, VO 2.4 mm, balance 0.17 %, cadence 2 spm;
   Stryd contact time 7 ms, VO 3 mm, cadence 2.8 spm, stiffness 0.35 kN/m,
   form power 2.4 W; power 2 % (white). Steps 4 and 5 are calibrated on the
   real running-dynamics files in ``../shared/data/real`` (fr945, fr255,
   fenix 5X, fr920xt with an HRM pod; Stryd on three watches), measured the
   same way on both: per-record noise as the SD of first differences / sqrt 2
   (Garmin contact time 1.2-3.3 ms real, 2.0 simulated), the SD of 15-s bin
   medians after a linear speed term and trend (2.3-4.4 ms, 3.8), of their
   3-min means (0.9-2.5 ms, 1.6) and their lag-1 correlation (0.2-0.6, 0.4);
   the other metrics alike (issue 4 note, session 11). GPS speed
   error (AR(1), 0.05 m/s, 5 s), barometric altitude noise (0.3 m), then the
   FIT field resolutions. Derived metrics are computed from the recorded
   speed and cadence (as the watch does), so the identities hold to rounding.
6. **Heart rate**: a first-order response (time constant 35 s) to the effort
   (the grade-equivalent flat speed: ``hr_ref + hr_per_mps * (v_eq -
   v_ref)``) plus cardiac drift of 0.10-0.20 bpm/min from the start (Coyle &
   Gonzalez-Alonso 2001, Exerc Sport Sci Rev 29:88: ~10-15 bpm over an hour
   at constant pace), not a form metric and present without fatigue: a
   realistic confounder. 1 bpm noise, whole beats.
7. **Glitches** (``glitches=True``): a 20-s GPS dropout (speed NaN, the
   watch keeps counting distance from the pod) and a 30-s stop at a traffic
   light (speed 0, cadence 0, no running dynamics, Stryd power 0, distance
   frozen, heart rate falling), away from the interval blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from .run import Run

__all__ = ["simulate_fit_run", "SimulatedFitRun", "FitTruth", "PROFILES", "SENSITIVITIES", "DEVICE_COLUMNS"]

#: Pace profiles :func:`simulate_fit_run` knows.
PROFILES = ("steady", "progressive", "intervals", "fartlek", "hills", "track", "warmup")

#: Population sensitivities of the primary metrics: (per m/s, per % grade).
SENSITIVITIES: dict[str, tuple[float, float]] = {
    "stance_time_ms": (-35.0, 1.5),
    "cadence_spm": (7.0, 0.4),
    "vertical_oscillation_mm": (2.0, -0.6),
    "stance_time_balance_left_pct": (0.0, 0.0),
    "leg_spring_stiffness_kn_m": (0.8, -0.1),
    "form_power_w": (8.0, -1.0),
}

#: Per-record measurement noise SD by device and metric (units of the metric):
#: AR(1) with a time constant of :data:`_MEAS_TAU_S` (a watch reports a running
#: average of recent steps, so neighbouring records share their error).
NOISE: dict[str, dict[str, float]] = {
    "garmin": {"stance_time_ms": 4.5, "vertical_oscillation_mm": 2.4, "stance_time_balance_left_pct": 0.17,
               "cadence_spm": 2.0},
    "stryd": {"stance_time_ms": 7.0, "vertical_oscillation_mm": 3.0, "cadence_spm": 2.8,
              "leg_spring_stiffness_kn_m": 0.35, "form_power_w": 2.4},
}
_MEAS_TAU_S = 5.0

#: SD of the slow AR(1) drift of each primary metric (units of the metric).
SLOW_DRIFT_SD: dict[str, float] = {
    "stance_time_ms": 2.2,
    "cadence_spm": 0.8,
    "vertical_oscillation_mm": 1.0,
    "stance_time_balance_left_pct": 0.3,
    "leg_spring_stiffness_kn_m": 0.1,
    "form_power_w": 0.9,
}
_SLOW_TAU_S = 180.0

_COMMON = ["timestamp", "elapsed_s", "session_index", "distance_m", "speed_mps", "altitude_m", "heart_rate_bpm",
           "cadence_spm"]
#: Columns each device writes (besides :data:`_COMMON`).
DEVICE_COLUMNS: dict[str, list[str]] = {
    "garmin": ["stance_time_ms", "stance_time_pct", "stance_time_balance_left_pct", "vertical_oscillation_mm",
               "vertical_ratio_pct", "step_length_mm"],
    "stryd": ["power_w", "form_power_w", "air_power_w", "leg_spring_stiffness_kn_m", "stance_time_ms",
              "vertical_oscillation_mm"],
}

# fatigue keys: "<metric>_per_min" or these short names
_FATIGUE_ALIASES = {
    "balance_pct_per_min": "stance_time_balance_left_pct",
    "stance_time_balance_left_pct_per_min": "stance_time_balance_left_pct",
    "gct_ms_per_min": "stance_time_ms",
    "vo_mm_per_min": "vertical_oscillation_mm",
}
_FATIGUE_EXTRA = ("power_w", "heart_rate_bpm")  # effort drifts also allowed
_DERIVED = ("stance_time_pct", "vertical_ratio_pct", "step_length_mm")

_JUMP_S = 30.0  # a fatigue jump is complete this long after the onset, s
_A_UP = 0.030  # fraction slower per % uphill at constant effort
_A_DOWN = 0.018  # fraction faster per % downhill
_G = 9.81
_AIR = 0.5 * 1.2 * 0.24  # rho/2 * CdA, W per (m/s)^3


@dataclass
class FitTruth:
    """Ground truth of a simulated record table (times in s from the first record).

    Attributes
    ----------
    onset_s
        When form starts to break down (``None`` without fatigue).
    drifts
        Fatigue drift of every primary metric after ``onset_s``, units per
        minute (0 for those not asked for), at matched speed and grade.
    jumps
        Sudden fatigue change of every primary metric at ``onset_s`` (units;
        complete 30 s later; 0 for those not asked for).
    level_tau_s
        Time constant with which the drifts level off (``None``: they do not;
        ``drifts`` are then the rates at the onset).
    reference
        Per record: ``elapsed_s`` and, for every metric the device writes, its
        noise-free value at the reference speed on the flat including fatigue
        (``<metric>``) and the pure fatigue component (``<metric>_fatigue``,
        0 before the onset). Derived metrics (step length, vertical ratio,
        stance %) are computed from the reference primaries at ``v_ref``.
    expected
        Per record: the true ``speed_mps``, ``grade_pct``, ``altitude_m``,
        ``distance_m``, ``moving`` (False at the traffic light), ``segment``
        (``"warmup"``, ``"fast"``, ``"easy"``, ``"steady"``...), and the
        noise-free mean of every metric at that speed and grade (fatigue
        included, slow drift and noise not; NaN at the stop), plus
        ``heart_rate_bpm`` without noise.
    sensitivities
        ``{metric: {"per_mps": ..., "per_grade_pct": ...}}`` of this runner's
        primary metrics, and ``"v_ref_mps"``.
    slow_drift
        Per record: the AR(1) drift of each primary metric (units of the metric).
    segments
        The pace plan: ``start_s``, ``end_s``, ``kind``, ``factor`` (× the
        profile's base speed, before the warm-up factor).
    glitches
        ``[{"kind": "gps_dropout" | "stop", "start_s": ..., "end_s": ...}]``
        (records ``start_s <= t < end_s``).
    """

    onset_s: float | None
    drifts: dict[str, float]
    reference: pd.DataFrame = field(repr=False)
    expected: pd.DataFrame = field(repr=False)
    sensitivities: dict[str, Any] = field(default_factory=dict)
    slow_drift: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    glitches: list[dict[str, Any]] = field(default_factory=list)
    jumps: dict[str, float] = field(default_factory=dict)
    level_tau_s: float | None = None

    def fatigue_change(self, metric: str) -> float:
        """True change of ``metric`` from fatigue by the last record (units of the metric)."""
        return float(self.reference[f"{metric}_fatigue"].iloc[-1])


@dataclass
class SimulatedFitRun:
    """A simulated record table (:attr:`run`) and its :attr:`truth`."""

    run: Run
    truth: FitTruth
    params: dict[str, Any]


def _runner(rng: np.random.Generator, given: dict | None) -> dict[str, float]:
    """The runner's baseline values (random per seed unless given)."""
    r: dict[str, float] = {
        "v_ref_mps": 3.2,
        "mass_kg": rng.uniform(55, 85),
        "stance_time_ms": rng.uniform(230, 290),
        "cadence_spm": rng.uniform(160, 182),
        "vertical_oscillation_mm": rng.uniform(70, 100),
        "stance_time_balance_left_pct": rng.uniform(48.5, 51.5),
        "power_coef": rng.uniform(1.0, 1.1),  # W per kg per m/s on the flat
        "form_power_ratio": rng.uniform(0.22, 0.30),
        "lss_per_kg": rng.uniform(0.13, 0.19),  # Stryd leg spring stiffness, kN/m per kg
        "hr_ref_bpm": rng.uniform(140, 160),
        "hr_per_mps": rng.uniform(20, 30),
        "hr_start_bpm": rng.uniform(85, 100),
        "cardiac_drift_bpm_per_min": rng.uniform(0.10, 0.20),
    }
    scale = {m: rng.uniform(0.8, 1.2, 2) for m in SENSITIVITIES}
    given = dict(given or {})
    unknown = set(given) - set(r) - {"leg_spring_stiffness_kn_m", "form_power_w"} - {
        f"{m}_per_mps" for m in SENSITIVITIES} - {f"{m}_per_grade_pct" for m in SENSITIVITIES}
    if unknown:
        raise ValueError(f"unknown runner keys: {sorted(unknown)}")
    r.update({k: float(v) for k, v in given.items() if k in r})
    # Stryd leg spring stiffness scales with body mass: 7-16 kN/m in Stryd files
    r["leg_spring_stiffness_kn_m"] = float(given.get("leg_spring_stiffness_kn_m", r["lss_per_kg"] * r["mass_kg"]))
    p_ref = r["power_coef"] * r["mass_kg"] * r["v_ref_mps"] + _AIR * r["v_ref_mps"] ** 3
    r["form_power_w"] = float(given.get("form_power_w", r["form_power_ratio"] * p_ref))
    for m, (per_v, per_g) in SENSITIVITIES.items():
        r[f"{m}_per_mps"] = float(given.get(f"{m}_per_mps", per_v * scale[m][0]))
        r[f"{m}_per_grade_pct"] = float(given.get(f"{m}_per_grade_pct", per_g * scale[m][1]))
    return r


def _fatigue_rates(fatigue: dict | None) -> tuple[float | None, dict[str, float], dict[str, float], float | None]:
    """Onset, drift per minute and jump of every metric, and the drifts' levelling
    time constant (s), from a ``fatigue`` dict."""
    rates = {m: 0.0 for m in (*SENSITIVITIES, *_FATIGUE_EXTRA)}
    jumps = dict(rates)
    if fatigue is None:
        return None, rates, jumps, None
    fat = dict(fatigue)
    if "onset_s" not in fat:
        raise ValueError("fatigue needs 'onset_s'")
    onset = float(fat.pop("onset_s"))
    level_tau = fat.pop("level_tau_s", None)
    if level_tau is not None and not float(level_tau) > 0:
        raise ValueError(f"level_tau_s must be > 0, not {level_tau!r}")
    for key, val in fat.items():
        out, suffix = (jumps, "_jump") if key.endswith("_jump") else (rates, "_per_min")
        metric = _FATIGUE_ALIASES.get(key, key[: -len(suffix)] if key.endswith(suffix) else key)
        if metric in _DERIVED:
            raise ValueError(f"{key}: {metric} is derived from speed and cadence; change cadence_spm instead")
        if metric not in out:
            raise ValueError(f"unknown fatigue key {key!r} (known: {sorted(f'{m}_per_min' for m in rates)}, "
                             "or <metric>_jump)")
        out[metric] = float(val)
    return onset, rates, jumps, None if level_tau is None else float(level_tau)


def _ar1(rng: np.random.Generator, n: int, sd: float, tau_s: float) -> np.ndarray:
    """Stationary AR(1) at 1 Hz with standard deviation ``sd`` and time constant ``tau_s``."""
    phi = np.exp(-1.0 / tau_s)
    e = rng.standard_normal(n) * sd * np.sqrt(1 - phi**2)
    e[0] = rng.standard_normal() * sd
    return signal.lfilter([1.0], [1.0, -phi], e)


def _smooth_steps(x: np.ndarray, width_s: int) -> np.ndarray:
    """Pace changes as ramps of ``width_s`` s (moving average, edges held)."""
    if width_s <= 1:
        return x
    pad = np.concatenate([np.full(width_s, x[0]), x, np.full(width_s, x[-1])])
    k = np.ones(width_s) / width_s
    return np.convolve(pad, k, mode="same")[width_s:-width_s]


def interval_segments(start: float, end: float, fast_by_end_s: float) -> list[tuple[float, float, str, float]]:
    """The interval session of both simulators: (start, end, kind, speed factor)
    blocks of 10 min at the base speed, then up to 6 x (3 min at +25 %, 2 min
    at -20 %) while a fast block ends ``fast_by_end_s`` before ``end``, then
    -10 % to the end (an empty cool-down when the repetitions reach ``end``)."""
    warm, fast, easy = 600, 180, 120  # s (whole seconds keep the FIT truth table in ints)
    segs = [(start, min(start + warm, end), "warmup", 1.0)]
    s = start + warm
    for _ in range(6):
        if s + fast > end - fast_by_end_s:
            break
        segs += [(s, s + fast, "fast", 1.25), (s + fast, min(s + fast + easy, end), "easy", 0.80)]
        s = min(s + fast + easy, end)
    segs.append((s, end, "cooldown", 0.90))
    return segs


def _plan(profile: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, pd.DataFrame]:
    """Factor × base speed per second (before warm-up) and the segment table."""
    t = np.arange(n, dtype=float)
    segs: list[tuple[float, float, str, float]] = []
    if profile in ("steady", "hills", "warmup"):
        f = 1 + np.clip(_ar1(rng, n, 0.012, 120.0), -0.03, 0.03)
        if profile == "warmup":
            w = min(300, n)
            segs.append((0, w, "warmup", 0.85))
            f[:w] *= 0.85 / 1.0
            segs.append((w, n, "steady", 1.0))
        else:
            segs.append((0, n, "steady", 1.0))
    elif profile == "track":
        f = 1 + np.clip(_ar1(rng, n, 0.006, 120.0), -0.015, 0.015)
        segs.append((0, n, "steady", 1.0))
    elif profile == "progressive":
        f = 1 + 0.15 * t / max(n - 1, 1) + np.clip(_ar1(rng, n, 0.005, 120.0), -0.015, 0.015)
        segs.append((0, n, "progressive", 1.0))
    elif profile == "intervals":
        f = np.ones(n)
        segs += [x for x in interval_segments(0, n, fast_by_end_s=60) if x[1] > x[0]]
        for a, b, _, fac in segs:
            f[int(a):int(b)] = fac
        f = _smooth_steps(f, 6) * (1 + np.clip(_ar1(rng, n, 0.006, 60.0), -0.015, 0.015))
    elif profile == "fartlek":
        f = np.ones(n)
        s, sign = 0, 1.0 if rng.random() < 0.5 else -1.0
        segs.append((0, min(300, n), "steady", 1.0))
        s = min(300, n)
        while s < n:
            d = int(rng.uniform(60, 240))
            e = min(s + d, n)
            fac = 1 + sign * rng.uniform(0.10, 0.25)
            segs.append((s, e, "fast" if sign > 0 else "easy", fac))
            f[s:e] = fac
            s, sign = e, -sign
        f = _smooth_steps(f, 6) * (1 + np.clip(_ar1(rng, n, 0.006, 60.0), -0.015, 0.015))
    else:
        raise ValueError(f"unknown profile {profile!r}; known: {PROFILES}")
    seg = pd.DataFrame(segs, columns=["start_s", "end_s", "kind", "factor"])
    return f, seg


def course_profile(kind: str, rng: np.random.Generator, max_grade_pct: float, length_m: float):
    """Altitude (m) and grade (%) as functions of distance (m): ``"flat"``, or
    ``"rolling"`` / ``"gentle"`` (three sinusoids of 350-1600 m wavelength,
    scaled so the steepest grade over ``length_m`` is ``max_grade_pct``, at
    most 2 % when gentle)."""
    if kind == "flat":
        base = rng.uniform(0, 300)
        return (lambda d: np.full_like(np.asarray(d, float), base)), (lambda d: np.zeros_like(np.asarray(d, float)))
    if kind not in ("rolling", "gentle"):
        raise ValueError(f"unknown course {kind!r}: 'flat', 'gentle' or 'rolling'")
    lam = rng.uniform([350, 700, 1200], [550, 1000, 1600])
    amp = rng.uniform([0.6, 1.0, 1.0], [1.0, 1.6, 1.6]) * lam
    ph = rng.uniform(0, 2 * np.pi, 3)
    # scale to the steepest grade over the stretch the run will cover
    dd = np.arange(0.0, max(length_m, 2000.0), 1.0)
    g = sum(a * 2 * np.pi / lm * np.cos(2 * np.pi * dd / lm + p) for a, lm, p in zip(amp, lam, ph))
    top = max_grade_pct if kind == "rolling" else min(max_grade_pct, 2.0)
    k = top / 100 / np.abs(g).max()
    amp = amp * k
    base = rng.uniform(20, 400)

    def alt(d):
        d = np.asarray(d, float)
        return base + sum(a * np.sin(2 * np.pi * d / lm + p) for a, lm, p in zip(amp, lam, ph))

    def grade(d):
        d = np.asarray(d, float)
        return 100 * sum(a * 2 * np.pi / lm * np.cos(2 * np.pi * d / lm + p) for a, lm, p in zip(amp, lam, ph))

    return alt, grade


def speed_on_course(v_flat: np.ndarray, grade_f, dt_s: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Speed (m/s), distance (m) and grade (%) every ``dt_s`` on a course whose
    grade at distance d is ``grade_f(d)``, for a runner whose flat speed at the
    same effort is ``v_flat``: ``_A_UP`` slower per % uphill, ``_A_DOWN`` faster
    per % downhill. Integrated step by step: the grade depends on the distance
    run so far."""
    n = len(v_flat)
    v, dist, grade = np.empty(n), np.empty(n), np.empty(n)
    d = 0.0
    for i in range(n):  # each step's grade needs the distance before it
        g = float(grade_f(d))
        vi = v_flat[i] * (1 - _A_UP * g if g > 0 else 1 - _A_DOWN * g)
        grade[i], v[i], dist[i] = g, vi, d
        d += vi * dt_s
    return v, dist, grade


def _glitch_plan(n: int, segs: pd.DataFrame, rng: np.random.Generator, protect: bool) -> list[dict[str, Any]]:
    """A 30-s stop and a 20-s GPS dropout, apart, and outside the work/recovery
    blocks of an interval session when ``protect``."""
    if n < 600:
        return []
    busy = [(a - 30, b + 30) for a, b, k in zip(segs["start_s"], segs["end_s"], segs["kind"])
            if protect and k in ("fast", "easy")]
    lo, hi = 240, n - 120

    def free(a: float, b: float) -> bool:
        return all(b <= x or a >= y for x, y in busy)

    out = []
    for kind, dur in (("stop", 30), ("gps_dropout", 20)):
        for _ in range(200):
            a = int(rng.uniform(lo, hi - dur))
            if free(a, a + dur):
                out.append({"kind": kind, "start_s": a, "end_s": a + dur})
                busy.append((a - 60, a + dur + 60))
                break
    return out


def simulate_fit_run(
    duration_s: float = 3600.0,
    seed: int = 0,
    *,
    profile: str = "steady",
    speed_mps: float = 3.2,
    fatigue: dict | None = None,
    device: str = "garmin",
    start_time: str = "2026-05-01T07:00:00Z",
    runner: dict | None = None,
    glitches: bool = True,
    course: str | None = None,
    max_grade_pct: float = 6.0,
    noise: bool = True,
    wander: bool = True,
) -> SimulatedFitRun:
    """Simulate the per-second record table of a run with running dynamics.

    Parameters
    ----------
    duration_s
        Length of the run, s (one record per second).
    seed
        Seed of every random choice (runner, course, noise, glitches).
    profile
        Pace plan around ``speed_mps`` (all start ~12 % slower, reaching the
        plan over the first 2 min):

        * ``"steady"``: natural wander within ±3 %;
        * ``"progressive"``: rising linearly by 15 % from start to end;
        * ``"intervals"``: 10 min warm-up at ``speed_mps``, then up to 6 x
          (3 min at +25 %, 2 min at -20 %), then cool-down at -10 %;
        * ``"fartlek"``: 5 min steady, then changes every 1-4 min,
          alternately faster and slower by 10-25 %;
        * ``"hills"``: constant effort over a rolling course (grades up to
          ``max_grade_pct``): slower uphill, faster downhill;
        * ``"track"``: steady (±1.5 %) on the flat;
        * ``"warmup"``: like steady with the first 5 min 15 % slower.
    speed_mps
        Base speed on the flat, m/s.
    fatigue
        ``None`` (form holds) or ``{"onset_s": t, "<metric>_per_min": rate,
        ...}``: after ``onset_s`` each named primary metric drifts linearly
        at ``rate`` (units per minute) at matched speed and grade; a
        ``"<metric>_jump": size`` key adds a sudden change (units) that is
        complete 30 s after the onset (form that breaks rather than slips);
        ``"level_tau_s": tau`` makes every drift level off, starting at
        ``rate`` and reaching ``rate * tau / 60`` (a runner who settles into a
        worse form rather than losing it steadily).
        Metrics:
        ``stance_time_ms``, ``cadence_spm``, ``vertical_oscillation_mm``,
        ``stance_time_balance_left_pct`` (alias ``balance_pct``),
        ``leg_spring_stiffness_kn_m``, ``form_power_w``, and the effort
        drifts ``power_w`` and ``heart_rate_bpm``. Unnamed metrics: 0.
        Step length, vertical ratio and stance % follow from these.
    device
        ``"garmin"`` (HRM-Pro / RD pod: stance time, stance %, balance, VO,
        vertical ratio, step length) or ``"stryd"`` (power, form power, air
        power, leg spring stiffness, ground time, VO). Both write cadence,
        speed, distance, altitude and heart rate.
    start_time
        UTC time of the first record.
    runner
        Overrides of the runner's values, random per seed otherwise. At
        ``v_ref_mps`` (3.2) on the flat: ``stance_time_ms`` (230-290),
        ``cadence_spm`` (160-182), ``vertical_oscillation_mm`` (70-100),
        ``stance_time_balance_left_pct`` (48.5-51.5),
        ``leg_spring_stiffness_kn_m`` (``lss_per_kg`` 0.13-0.19 x mass),
        ``form_power_w`` (``form_power_ratio`` 0.22-0.30 x power). Body:
        ``mass_kg`` (55-85), ``power_coef`` (1.0-1.1 W per kg per m/s).
        Heart: ``hr_ref_bpm`` (140-160), ``hr_per_mps`` (20-30),
        ``hr_start_bpm`` (85-100), ``cardiac_drift_bpm_per_min``
        (0.10-0.20). Sensitivities: ``<metric>_per_mps``,
        ``<metric>_per_grade_pct`` (:data:`SENSITIVITIES` x U(0.8, 1.2)).
    glitches
        Add a 20-s GPS dropout and a 30-s traffic-light stop.
    course
        ``"flat"``, ``"gentle"`` (grades up to 2 %) or ``"rolling"``; default
        rolling for ``"hills"``, flat otherwise.
    max_grade_pct
        Steepest grade of a rolling course, %.
    noise
        Add measurement noise and the slow individual drift (``False``: the
        records are the noise-free means, still rounded to FIT resolution).
    wander
        With ``noise``, add the slow individual drift of form and power (step
        4; ``False``: measurement noise only, form steady but for fatigue).

    Returns
    -------
    SimulatedFitRun
        ``run`` (a :class:`~gaitlab.run.Run` of format ``"simulated"``),
        ``truth`` (:class:`FitTruth`) and ``params``.
    """
    if device not in DEVICE_COLUMNS:
        raise ValueError(f"unknown device {device!r}: 'garmin' or 'stryd'")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; known: {PROFILES}")
    n = int(round(duration_s))
    if n < 60:
        raise ValueError("duration_s must be at least 60 s")
    rng = np.random.default_rng(seed)
    r = _runner(rng, runner)
    onset, rates, jumps, level_tau = _fatigue_rates(fatigue)
    v_ref = r["v_ref_mps"]
    t = np.arange(n, dtype=float)

    # 1. pace plan on the flat
    factor, segs = _plan(profile, n, rng)
    warm = 0.88 + 0.12 * 0.5 * (1 - np.cos(np.pi * np.clip(t / 120.0, 0, 1)))
    accel = 0.4 + 0.6 * np.clip(t / 4.0, 0, 1)
    v_flat = speed_mps * factor * warm * accel
    gl = _glitch_plan(n, segs, rng, profile == "intervals") if glitches else []
    moving = np.ones(n, bool)
    stop_ramp = np.ones(n)
    for g in gl:
        if g["kind"] == "stop":
            a, b = g["start_s"], g["end_s"]
            moving[a:b] = False
            # slow down over 3 s before, speed up over 3 s after
            stop_ramp = np.minimum(stop_ramp, np.clip(np.maximum(a - t, t - (b - 1)) / 4.0, 0, 1))
    v_flat = v_flat * np.where(moving, np.maximum(stop_ramp, 0.5), 0.0)

    # 2. course: integrate distance second by second
    kind = course or ("rolling" if profile == "hills" else "flat")
    alt_f, grade_f = course_profile(kind, rng, max_grade_pct, 2.0 * float(np.sum(v_flat)) + 2000.0)
    v, dist, grade = speed_on_course(v_flat, grade_f)
    alt = alt_f(dist)
    v_eq = v * np.where(grade > 0, 1 / np.maximum(1 - _A_UP * grade, 0.3), 1 / (1 - _A_DOWN * grade))

    # 3. noise-free means of the primary metrics
    after = np.maximum(t - onset, 0.0) / 60.0 if onset is not None else np.zeros(n)
    jumped = np.minimum(after * 60.0 / _JUMP_S, 1.0)
    if level_tau is not None:  # the drift levels off: still `rate` per minute at the onset
        after = level_tau / 60.0 * (1 - np.exp(-after * 60.0 / level_tau))
    prim = ["stance_time_ms", "cadence_spm", "vertical_oscillation_mm", "stance_time_balance_left_pct",
            "leg_spring_stiffness_kn_m", "form_power_w"]
    ref, mean, fat = {}, {}, {}
    for m in prim:
        fat[m] = rates[m] * after + jumps[m] * jumped
        ref[m] = r[m] + fat[m]
        mean[m] = ref[m] + r[f"{m}_per_mps"] * (v - v_ref) + r[f"{m}_per_grade_pct"] * grade
    m_kg, c = r["mass_kg"], r["power_coef"]
    lift = np.maximum(1 + _G * grade / 100 / c, 0.3)
    fat["power_w"] = rates["power_w"] * after + jumps["power_w"] * jumped
    mean["air_power_w"] = _AIR * v**3
    mean["power_w"] = c * m_kg * v * lift + mean["air_power_w"] + fat["power_w"]
    ref["air_power_w"] = np.full(n, _AIR * v_ref**3)
    ref["power_w"] = c * m_kg * v_ref + ref["air_power_w"] + fat["power_w"]
    fat["air_power_w"] = np.zeros(n)

    # 4. slow individual drift; 5. measurement
    slow = {m: (_ar1(rng, n, SLOW_DRIFT_SD[m], _SLOW_TAU_S) if noise and wander else np.zeros(n)) for m in prim}
    slow_power = _ar1(rng, n, 0.01, _SLOW_TAU_S) if noise and wander else np.zeros(n)
    sd = NOISE[device]
    meas = {}
    for m in prim:
        e = _ar1(rng, n, sd.get(m, 0.0), _MEAS_TAU_S) if noise else np.zeros(n)
        meas[m] = mean[m] + slow[m] + e
    e_p = rng.standard_normal(n) * 0.02 if noise else np.zeros(n)
    meas["power_w"] = mean["power_w"] * (1 + slow_power + e_p)
    meas["air_power_w"] = mean["air_power_w"]
    v_err = _ar1(rng, n, 0.05, 5.0) if noise else np.zeros(n)
    speed_rec = np.round(np.maximum(v + v_err, 0.0) * np.where(moving, 1.0, 0.0), 3)
    alt_rec = np.round((alt + (_ar1(rng, n, 0.3, 10.0) if noise else 0.0)) * 5) / 5
    cad = np.round(meas["cadence_spm"], 2)

    # 6. heart rate
    target = r["hr_ref_bpm"] + r["hr_per_mps"] * (v_eq - v_ref) + r["cardiac_drift_bpm_per_min"] * t / 60 \
        + rates["heart_rate_bpm"] * after + jumps["heart_rate_bpm"] * jumped
    target = np.maximum(target, 85.0)
    alpha = 1 - np.exp(-1 / 35.0)
    zi = signal.lfiltic([alpha], [1, -(1 - alpha)], [r["hr_start_bpm"]], [r["hr_start_bpm"]])
    hr_true, _ = signal.lfilter([alpha], [1, -(1 - alpha)], target, zi=zi)
    hr_rec = np.round(hr_true + (rng.standard_normal(n) if noise else 0.0))

    # distance as the watch counts it: recorded speed; during a GPS dropout, the pod's (true) speed
    drop = np.zeros(n, bool)
    for g in gl:
        if g["kind"] == "gps_dropout":
            drop[g["start_s"]:g["end_s"]] = True
    step_v = np.where(drop, np.round(v, 3), speed_rec)
    dist_rec = np.round(np.concatenate([[0.0], np.cumsum(step_v[:-1])]), 2)
    speed_out = np.where(drop, np.nan, speed_rec)

    # derived metrics from the recorded values (undefined at the stop, dropped below)
    st = np.round(meas["stance_time_ms"], 1)
    vo = np.round(meas["vertical_oscillation_mm"], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sl = np.round(np.where(drop, v, speed_rec) / (cad / 60) * 1000, 1)
        sl[~moving] = np.nan
    cols: dict[str, np.ndarray] = {
        "stance_time_ms": st,
        "stance_time_pct": np.round(st / (120000 / cad) * 100, 2),
        "stance_time_balance_left_pct": np.round(meas["stance_time_balance_left_pct"], 2),
        "vertical_oscillation_mm": vo,
        "step_length_mm": sl,
        "vertical_ratio_pct": np.round(100 * vo / sl, 2),
        "power_w": np.round(meas["power_w"]),
        "form_power_w": np.round(meas["form_power_w"]),
        "air_power_w": np.round(meas["air_power_w"]),
        "leg_spring_stiffness_kn_m": np.round(meas["leg_spring_stiffness_kn_m"], 1),
    }
    start = pd.Timestamp(start_time)
    if start.tzinfo is None:
        start = start.tz_localize("UTC")
    rec = pd.DataFrame(
        {
            "timestamp": start + pd.to_timedelta(t, unit="s"),
            "elapsed_s": t,
            "session_index": np.zeros(n, int),
            "distance_m": dist_rec,
            "speed_mps": speed_out,
            "altitude_m": alt_rec,
            "heart_rate_bpm": hr_rec,
            "cadence_spm": np.where(moving, cad, 0.0),
        }
    )
    for col in DEVICE_COLUMNS[device]:
        x = cols[col].astype(float)
        if col in ("power_w", "air_power_w"):
            x = np.where(moving, x, 0.0)
        else:
            x = np.where(moving, x, np.nan)
        rec[col] = x

    # truth tables
    def derived(tab: dict[str, np.ndarray], vel: np.ndarray) -> dict[str, np.ndarray]:
        s = vel / (tab["cadence_spm"] / 60) * 1000
        s = np.where(s > 0, s, np.nan)  # at the stop
        return {
            "step_length_mm": s,
            "vertical_ratio_pct": 100 * tab["vertical_oscillation_mm"] / s,
            "stance_time_pct": tab["stance_time_ms"] / (120000 / tab["cadence_spm"]) * 100,
        }

    ref_nf = {m: ref[m] - fat[m] for m in prim}  # reference without fatigue
    ref.update(derived(ref, np.full(n, v_ref)))
    for k_, val in derived(ref_nf, np.full(n, v_ref)).items():
        fat[k_] = ref[k_] - val
    mean.update(derived(mean, v))
    out_metrics = ["cadence_spm", *DEVICE_COLUMNS[device]]
    reference = pd.DataFrame({"elapsed_s": t})
    for m in out_metrics:
        reference[m] = ref[m]
        reference[f"{m}_fatigue"] = fat[m]
    expected = pd.DataFrame({"elapsed_s": t, "speed_mps": v, "grade_pct": grade, "altitude_m": alt,
                             "distance_m": dist, "moving": moving,
                             "segment": _segment_labels(segs, n, t), "heart_rate_bpm": hr_true})
    for m in out_metrics:
        expected[m] = np.where(moving, mean[m], np.nan)
    sens = {m: {"per_mps": r[f"{m}_per_mps"], "per_grade_pct": r[f"{m}_per_grade_pct"]} for m in prim}
    sens["v_ref_mps"] = v_ref
    sens["speed_per_grade_pct"] = {"uphill": -_A_UP, "downhill": -_A_DOWN}
    truth = FitTruth(
        onset_s=onset,
        drifts=dict(rates),
        jumps=dict(jumps),
        level_tau_s=level_tau,
        reference=reference,
        expected=expected,
        sensitivities=sens,
        slow_drift=pd.DataFrame({"elapsed_s": t, **slow}),
        segments=segs,
        glitches=gl,
    )
    sessions = pd.DataFrame(
        [{
            "sport": "running",
            "sub_sport": "track" if profile == "track" else "generic",
            "start_time": start,
            "total_elapsed_time_s": float(n),
            "total_timer_time_s": float(n),
            "total_distance_m": float(dist_rec[-1]),
            "avg_speed_mps": float(dist_rec[-1] / max(n - 1, 1)),
            "avg_heart_rate_bpm": float(np.round(np.mean(hr_rec))),
            "session_index": 0,
        }]
    )
    params = dict(duration_s=duration_s, seed=seed, profile=profile, speed_mps=speed_mps, fatigue=fatigue,
                  device=device, start_time=start_time, runner=r, glitches=glitches, course=kind,
                  max_grade_pct=max_grade_pct, noise=noise, wander=wander)
    run = Run(
        path=None,
        format="simulated",
        records=rec,
        sessions=sessions,
        device={"manufacturer": "simulated", "product": {"garmin": "HRM-Pro (simulated)",
                                                          "stryd": "Stryd (simulated)"}[device]},
        sport="running",
        sub_sport=sessions["sub_sport"].iloc[0],
        start_time=start,
        warnings=["simulated by gaitlab.simulate_fit (not a real recording)"],
        simulated=True,
    )
    return SimulatedFitRun(run, truth, params)


def _segment_labels(segs: pd.DataFrame, n: int, t: np.ndarray) -> np.ndarray:
    lab = np.full(n, "steady", dtype=object)
    for a, b, k in zip(segs["start_s"], segs["end_s"], segs["kind"]):
        lab[int(a):int(b)] = k
    lab[t < 120] = np.where(lab[t < 120] == "steady", "warmup", lab[t < 120])
    return lab
