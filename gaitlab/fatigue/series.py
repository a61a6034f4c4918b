"""Form-metric time series of one run, binned on a common time grid.

Whatever a run has, pelvis IMU metrics per step (from
:func:`gaitlab.analyze`) or FIT running dynamics per record, becomes one table
of fixed-length time bins (medians, robust to single bad steps) with the
confounders beside them: speed (m/s) and grade (%), when the file has them.
Units: :mod:`gaitlab.frames`; times are seconds from the start of the
recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..io.fit.developer import runscribe_column
from ..metrics import Analysis
from ..metrics.pelvis import regularity, symmetry_pct
from ..run import MIN_RUNNING_BOUT_S, MIN_RUNNING_SPEED_MPS, Run

__all__ = ["MetricSpec", "METRICS", "FormSeries", "form_series"]

@dataclass(frozen=True)
class MetricSpec:
    """How a form metric behaves.

    Attributes
    ----------
    worse
        +1 if larger is worse form, -1 if smaller is worse, 0 if either way:
        a balance or a symmetry moving away from the runner's own value, or
        flight time, which fatigue lengthens in the review of Apte et al. 2021
        (Front Physiol 12:646042) and shortens in a 60-min time trial (Gait
        Posture 2020, PMID 31881479) and in Meyer et al. 2021. Contact time
        rises and cadence at matched pace falls (Apte 2021; Hunter & Smith
        2007, Eur J Appl Physiol 100:653), so step length at matched pace
        rises. Vertical oscillation's direction is mixed in the literature
        too, but it counts as worse only when it rises (Garmin's guidance):
        taken either way, its wander alone made a false onset in 1 of 12
        fresh simulated pelvis runs, and runs whose bounce falls are still
        timed by the other metrics
        (``test_fit_runs_without_form_wander_meet_the_issue_target``).
    per_mps, per_grade_pct
        Typical change per m/s of speed and per % of grade, the prior of the
        confounder model (running-dynamics literature and Garmin/Stryd
        guidance: contact time falls ~35 ms per m/s, cadence rises ~8 spm per
        m/s, uphill lengthens contact and shortens the step).
    meaning
        One line for reports.
    """

    worse: int
    per_mps: float
    per_grade_pct: float
    meaning: str


#: Form metrics the fatigue analysis knows (any other numeric metric column is
#: used with no prior and ``worse = 0``).
METRICS: dict[str, MetricSpec] = {
    # pelvis IMU (per step / stride)
    "pelvic_drop_left_deg": MetricSpec(+1, 0.0, 0.0, "pelvic drop in left stance"),
    "pelvic_drop_right_deg": MetricSpec(+1, 0.0, 0.0, "pelvic drop in right stance"),
    "pelvic_drop_symmetry_pct": MetricSpec(0, 0.0, 0.0, "left vs right pelvic drop, % of their mean"),
    "pelvic_rotation_deg": MetricSpec(0, 1.0, 0.0, "pelvis rotation per stride"),
    "pelvic_tilt_range_deg": MetricSpec(+1, 0.5, 0.0, "pelvis tilt range per stride"),
    "gct_ms": MetricSpec(+1, -35.0, 2.0, "ground contact time"),
    "gct_symmetry_pct": MetricSpec(0, 0.0, 0.0, "left vs right contact time, % of their mean"),
    "flight_ms": MetricSpec(0, 25.0, -2.0, "flight time"),
    "vertical_peak_g": MetricSpec(+1, 0.2, 0.0, "peak vertical acceleration in stance"),
    "step_regularity": MetricSpec(-1, 0.0, 0.0, "step-to-step likeness of vertical acceleration (autocorrelation)"),
    "stride_regularity": MetricSpec(-1, 0.0, 0.0, "stride-to-stride likeness of vertical acceleration (autocorrelation)"),
    "braking_peak_g": MetricSpec(+1, 0.05, 0.0, "peak braking deceleration"),
    # FIT running dynamics (per record)
    "stance_time_ms": MetricSpec(+1, -35.0, 2.0, "ground contact time"),
    "stance_time_pct": MetricSpec(+1, -3.0, 0.2, "ground contact time, % of the step"),
    "stance_time_balance_left_pct": MetricSpec(0, 0.0, 0.0, "left foot's share of contact time"),
    "vertical_oscillation_mm": MetricSpec(+1, 3.0, -0.5, "vertical bounce per step"),
    "vertical_ratio_pct": MetricSpec(+1, -1.2, 0.1, "vertical oscillation / step length"),
    "step_length_mm": MetricSpec(+1, 330.0, -15.0, "step length"),
    "cadence_spm": MetricSpec(-1, 8.0, 0.3, "cadence"),
    "form_power_w": MetricSpec(+1, 8.0, -1.0, "Stryd form power"),
    "form_power_ratio": MetricSpec(+1, -0.02, 0.0, "Stryd form power / power"),
    "leg_spring_stiffness_kn_m": MetricSpec(-1, 0.8, 0.0, "Stryd leg spring stiffness"),
    "impact_loading_rate_bw_s": MetricSpec(+1, 10.0, 0.0, "Stryd impact loading rate"),
}

#: RunScribe foot pods, per foot (``runscribe_impact_left_g``; older app
#: versions wrote both feet averaged: ``runscribe_impact_g``). Harder impacts
#: and braking, and longer contact, are worse; pronation and footstrike type
#: (1 heel to 16 toe) either way, the runner's own being the reference. A speed
#: prior only where the literature gives one (contact time, as for the
#: watches); the other slopes are fitted.
_RUNSCRIBE: dict[str, tuple[str, int, float, float, str]] = {
    "impact": ("g", +1, 0.0, 0.0, "RunScribe impact"),
    "braking": ("g", +1, 0.0, 0.0, "RunScribe braking"),
    "contact_time": ("ms", +1, -35.0, 2.0, "RunScribe contact time"),
    "flight_ratio": ("pct", -1, 0.0, 0.0, "RunScribe flight ratio"),
    "pronation_excursion": ("deg", 0, 0.0, 0.0, "RunScribe pronation excursion"),
    "pronation_velocity": ("dps", 0, 0.0, 0.0, "RunScribe pronation velocity"),
    "footstrike_type": ("", 0, 0.0, 0.0, "RunScribe footstrike type"),
}
METRICS.update({
    runscribe_column(name, side, unit):
        MetricSpec(worse, per_mps, per_grade, f"{meaning}, {side} foot" if side else meaning)
    for name, (unit, worse, per_mps, per_grade, meaning) in _RUNSCRIBE.items()
    for side in ("left", "right", None)
})

#: Not form: effort and context.
_CONTEXT = {"speed_mps", "power_w", "air_power_w", "heart_rate_bpm", "distance_m", "altitude_m",
            "enhanced_altitude_m", "temperature_c", "elapsed_s", "session_index", "step_time_s", "stride_time_s",
            "runscribe_power_w"}


@dataclass
class FormSeries:
    """A run's form metrics on a common grid of time bins.

    Attributes
    ----------
    bin_s
        The bin length used, s.
    bins
        One row per bin: ``t_s`` (bin centre, s from the start of the
        recording), ``distance_m`` (at the bin centre, when known),
        ``speed_mps``, ``grade_pct`` (NaN when unknown), ``n`` (samples or
        steps in the bin), then one column per metric (bin medians).
    samples
        The metric values before binning with their ``t_s`` (for the
        step-to-step spread).
    source
        ``"imu"`` or ``"fit"``.
    duration_s, distance_m
        Span of the running in the recording, from its first record or step
        to its last, walks and stops in it included (``duration_s``: of the
        whole recording when there is nothing to bin).
    notes
        What was assumed or left out, one line each.
    running
        The running itself, one row per FIT record or IMU step: ``t_s``,
        ``run_s`` (the seconds it stands for: to the next record, at most
        :data:`~gaitlab.run.MAX_RECORD_INTERVAL_S`, or the step time) and
        ``run_m`` (the distance covered in them; NaN when unknown).
        :attr:`running_s`, :attr:`running_m` and :meth:`running_before` add
        them up; the bins' ``run_s`` is their sum per bin.
    """

    bins: pd.DataFrame
    samples: pd.DataFrame
    source: str
    bin_s: float
    duration_s: float
    distance_m: float | None
    metrics: list[str]
    notes: list[str] = field(default_factory=list)
    running: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["t_s", "run_s", "run_m"]))

    @property
    def running_s(self) -> float:
        """Time spent running, s (walks and stops out): the span when nothing was binned."""
        return float(self.running["run_s"].sum()) if len(self.running) else self.duration_s

    @property
    def running_m(self) -> float | None:
        """Distance run, m (walks and stops out), None when unknown."""
        m = self.running["run_m"] if len(self.running) else pd.Series(dtype=float)
        return float(m.sum()) if m.notna().any() else None

    def running_before(self, t_s: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and metres of running (walks and stops out) from the start
        of the recording up to ``t_s`` (s from its start); metres NaN when unknown."""
        t = self.running["t_s"].to_numpy(float)
        d = self.running["run_s"].to_numpy(float)
        m = self.running["run_m"].to_numpy(float)
        if not len(t):
            return np.zeros(np.shape(t_s)), np.full(np.shape(t_s), np.nan)
        # the clock runs on inside each record or step and stands still between them
        x = np.column_stack([t, t + d]).ravel()
        cum_s, cum_m = np.cumsum(d) - d, np.cumsum(m) - m
        secs = np.interp(t_s, x, np.column_stack([cum_s, cum_s + d]).ravel())
        metres = (np.interp(t_s, x, np.column_stack([cum_m, cum_m + m]).ravel()) if np.isfinite(m).all()
                  else np.full(np.shape(t_s), np.nan))
        return secs, metres


def _imu_samples(a: Analysis) -> pd.DataFrame:
    st = a.steps
    cols = {"t_s": st["t_s"]}
    for c in ["gct_ms", "flight_ms", "cadence_spm", "vertical_oscillation_mm", "vertical_peak_g", "braking_peak_g"]:
        if c in st and st[c].notna().any():
            cols[c] = st[c]
    out = pd.DataFrame(cols)
    if "pelvic_drop_deg" in st and st["pelvic_drop_deg"].notna().any():
        out["pelvic_drop_left_deg"] = st["pelvic_drop_deg"].where(st["side"] == "L")
        out["pelvic_drop_right_deg"] = st["pelvic_drop_deg"].where(st["side"] == "R")
    if "gct_ms" in out:
        out["gct_left_ms"] = st["gct_ms"].where(st["side"] == "L")
        out["gct_right_ms"] = st["gct_ms"].where(st["side"] == "R")
    reg = _regularity_samples(a)
    if len(reg):
        out = pd.concat([out, reg], ignore_index=True)
    sr = a.strides
    if len(sr):
        extra = pd.DataFrame({"t_s": sr["t_s"]})
        for c in ["pelvic_rotation_deg", "pelvic_tilt_range_deg"]:
            if c in sr and sr[c].notna().any():
                extra[c] = sr[c]
        out = pd.concat([out, extra], ignore_index=True).sort_values("t_s", kind="stable")
    return out.reset_index(drop=True)


def _regularity_samples(a: Analysis, window_s: float = 30.0) -> pd.DataFrame:
    """Step and stride regularity (:func:`gaitlab.metrics.pelvis.regularity`) of
    the vertical acceleration in consecutive windows, at the window centres."""
    sig = a.signals
    if sig.empty or "acc_up_mps2" not in sig or not len(a.steps):
        return pd.DataFrame()
    rate = a.run.imu_rate_hz or 0.0
    step_s = float(np.nanmedian(a.steps["step_time_s"])) if "step_time_s" in a.steps else np.nan
    if not rate or not np.isfinite(step_s):
        return pd.DataFrame()
    av = sig["acc_up_mps2"].to_numpy(float)
    moving = np.isfinite(av) & ~sig.get("standing", pd.Series(False, index=sig.index)).to_numpy(bool)
    t = sig["elapsed_s"].to_numpy(float)
    w = int(window_s * rate)
    rows = []
    for a0 in range(0, len(av) - w + 1, w):
        if moving[a0 : a0 + w].mean() < 0.95:
            continue
        step_r, stride_r = regularity(np.nan_to_num(av[a0 : a0 + w]), rate, step_s)
        rows.append((t[a0 + w // 2], step_r, stride_r))
    return pd.DataFrame(rows, columns=["t_s", "step_regularity", "stride_regularity"])


def _fit_samples(run: Run) -> tuple[pd.DataFrame, list[str]]:
    r = run.records
    notes: list[str] = []
    if r.empty or "elapsed_s" not in r:
        return pd.DataFrame(), notes
    out = pd.DataFrame({"t_s": r["elapsed_s"].to_numpy(float)})
    for c in r.columns:
        if c in _CONTEXT or c == "timestamp" or not pd.api.types.is_numeric_dtype(r[c]):
            continue
        known = c in METRICS
        if known and r[c].notna().sum() >= 10:
            out[c] = r[c].to_numpy(float)
    if "form_power_w" in r and "power_w" in r:
        ratio = r["form_power_w"] / r["power_w"].where(r["power_w"] > 0)
        if ratio.notna().sum() >= 10:
            out["form_power_ratio"] = ratio.to_numpy(float)
    for c in ("speed_mps", "distance_m", "altitude_m"):
        if c in r:
            out[c] = r[c].to_numpy(float)
    if "altitude_m" not in out and "enhanced_altitude_m" in r:
        out["altitude_m"] = r["enhanced_altitude_m"].to_numpy(float)
    out["run_s"] = run.record_seconds()  # taken out again as the running's clock (form_series)
    # running only: pauses (traffic lights) and walk breaks carry no running form
    moving = run.running_records()
    if (~moving).any():
        walk = run.walking_cadence_spm()
        why = f"under {MIN_RUNNING_SPEED_MPS:g} m/s" + (f" or {walk:.0f} steps/min" if walk else "")
        if {"vertical_oscillation_mm", "stance_time_ms"} <= set(r.columns):
            why += ", bounce without contact time (a Garmin strap's walking)"
        notes.append(f"{int((~moving).sum())} of {len(out)} records left out as standing or walking "
                     f"({why}; and running for under {MIN_RUNNING_BOUT_S:g} s between them)")
    return out[moving].reset_index(drop=True), notes


def _running(obj: Analysis | Run, t_s: np.ndarray, run_s: np.ndarray | None) -> pd.DataFrame:
    """The running's clock (:attr:`FormSeries.running`): FIT records at
    ``t_s`` standing for ``run_s`` seconds each, or an analysis' steps."""
    if isinstance(obj, Analysis):
        st = obj.steps.sort_values("t_s", kind="stable")
        t = st["t_s"].to_numpy(float)
        d = st["step_time_s"].to_numpy(float) if "step_time_s" in st else np.full(len(t), np.nan)
        med = float(np.nanmedian(d)) if np.isfinite(d).any() else 0.0
        # a stretch's last step has no next contact: a typical step; none lasts 3 of them
        d = np.minimum(np.where(np.isfinite(d), d, med), 3 * med)
        run = obj.run
    else:
        t, d, run = np.asarray(t_s, float), np.nan_to_num(np.asarray(run_s, float)), obj
    keep = np.isfinite(t)  # a salvaged record without a time stands for no time
    order = np.argsort(t[keep], kind="stable")
    t, d = t[keep][order], d[keep][order]
    d = np.r_[np.minimum(d[:-1], np.diff(t)), d[-1:]].clip(min=0) if len(t) else d  # never past the next one
    r = run.records
    metres = np.full(len(t), np.nan)
    if "elapsed_s" in r and len(t):
        tr = r["elapsed_s"].to_numpy(float)
        for col in ("distance_m", "speed_mps"):
            v = r[col].to_numpy(float) if col in r else np.array([])
            ok = np.isfinite(tr) & np.isfinite(v) if len(v) else np.zeros(len(tr), bool)
            if ok.sum() < 2:
                continue
            order = np.argsort(tr[ok], kind="stable")
            tc, vc = tr[ok][order], v[ok][order]
            if col == "distance_m":  # the distance covered from each one's start to its end
                dc = np.maximum.accumulate(vc)
                metres = np.interp(t + d, tc, dc) - np.interp(t, tc, dc)
            else:
                metres = np.interp(t, tc, vc) * d
            break
    return pd.DataFrame({"t_s": t, "run_s": d, "run_m": metres})


def form_series(obj: Analysis | Run, bin_s: float = 15.0, max_bins: int = 240) -> FormSeries:
    """The form metrics of a run, binned.

    Parameters
    ----------
    obj
        An :class:`~gaitlab.metrics.Analysis` (pelvis IMU) or a
        :class:`~gaitlab.run.Run` with FIT records.
    bin_s
        Bin length, s (the shortest; see ``max_bins``).
    max_bins
        Longer runs get longer bins, so a run has at most this many (the
        change-point fit costs the square of the bin count): 15 s up to an
        hour, 45 s for 3 hours.
    """
    notes: list[str] = []
    if isinstance(obj, Analysis):
        samples, source = _imu_samples(obj), "imu"
        run = obj.run
        ctx, more = _fit_samples(run) if len(run.records) else (pd.DataFrame(), [])
        notes += more
    else:
        run = obj
        samples, more = _fit_samples(run)
        notes += more
        ctx, source = samples, "fit"
    run_s = samples.pop("run_s").to_numpy(float) if "run_s" in samples else None  # ctx's is never read
    if samples.empty or len(samples.columns) <= 1:
        # nothing to bin: the recording's length, so that a file cut a few
        # seconds into a run is too short rather than without form metrics
        e = run.records["elapsed_s"].to_numpy(float) if "elapsed_s" in run.records else np.array([])
        span = float(np.nanmax(e) - np.nanmin(e)) if np.isfinite(e).any() else 0.0
        return FormSeries(pd.DataFrame(), samples, source, bin_s, span, None, [], notes)
    t = samples["t_s"].to_numpy(float)
    t0 = float(np.nanmin(t))
    bin_s = max(bin_s, (float(np.nanmax(t)) - t0) / max_bins)
    # as many bins as the span fills: floor + 1 gave a bin of the last record
    # alone when the span is a whole number of bins (every run over an hour)
    edges_n = max(1, int(np.ceil((np.nanmax(t) - t0) / bin_s - 1e-9)))
    b = np.clip(((t - t0) // bin_s).astype(int), 0, edges_n - 1)
    metric_cols = [c for c in samples.columns if c not in ("t_s", "speed_mps", "distance_m", "altitude_m")]
    grouped = samples[metric_cols].groupby(b)
    bins = grouped.median()  # robust to single bad steps (measured: bin means lost 9 % of onsets)
    bins["n"] = samples.groupby(b)["t_s"].count()
    bins = bins.reindex(range(edges_n))
    running = _running(obj, t, run_s)
    rb = np.clip(((running["t_s"].to_numpy(float) - t0) // bin_s).astype(int), 0, edges_n - 1)
    bins["run_s"] = running["run_s"].groupby(rb).sum().reindex(range(edges_n), fill_value=0.0).to_numpy()
    bins.insert(0, "t_s", t0 + (np.arange(edges_n) + 0.5) * bin_s)
    for side_pair, name in ((("pelvic_drop_left_deg", "pelvic_drop_right_deg"), "pelvic_drop_symmetry_pct"),
                            (("gct_left_ms", "gct_right_ms"), "gct_symmetry_pct")):
        if all(c in bins for c in side_pair):
            bins[name] = symmetry_pct(bins[side_pair[0]], bins[side_pair[1]])
    bins = bins.drop(columns=[c for c in ("gct_left_ms", "gct_right_ms") if c in bins])
    # confounders on the same bins, aggregated like the metrics (a bin across a
    # pace change gets the speed of its records); records beside IMU steps (a
    # watch's, a phone's GPS) by the median of those in the bin, which a
    # single fix's noise would otherwise set, and interpolated in bins without one
    for c in ("speed_mps", "distance_m", "altitude_m"):
        if ctx is samples and c in samples and samples[c].notna().any():
            bins[c] = samples[c].groupby(b).median().reindex(range(edges_n)).to_numpy()
        elif len(ctx) and c in ctx and ctx[c].notna().any():
            tc, vc = ctx["t_s"].to_numpy(float), ctx[c].to_numpy(float)
            ok = np.isfinite(vc) & np.isfinite(tc)
            tc, vc = tc[ok], vc[ok]
            bc = np.floor((tc - t0) / bin_s)
            inb = (bc >= 0) & (bc < edges_n)
            med = pd.Series(vc[inb]).groupby(bc[inb].astype(int)).median().reindex(range(edges_n)).to_numpy()
            bins[c] = np.where(np.isfinite(med), med, np.interp(bins["t_s"], tc, vc, left=np.nan, right=np.nan))
            if c == "speed_mps":
                bins[c] = _smooth_speed(bins[c].to_numpy(float))
    if "speed_mps" in bins and "distance_m" not in bins:
        bins["distance_m"] = np.nancumsum(bins["speed_mps"].fillna(0) * bin_s)
    bins["grade_pct"] = _grade(bins)
    if "speed_mps" not in bins:
        bins["speed_mps"] = np.nan
        notes.append("no speed in the recording: metrics are compared raw, not at matched pace")
    metrics = [c for c in bins.columns if c not in ("t_s", "n", "run_s", "speed_mps", "distance_m", "altitude_m",
                                                    "grade_pct") and bins[c].notna().sum() >= 6]
    samples = samples.drop(columns=[c for c in ("gct_left_ms", "gct_right_ms") if c in samples])
    duration = float(np.nanmax(t) - t0)
    dist = bins["distance_m"] if "distance_m" in bins else None
    distance = float(np.nanmax(dist) - np.nanmin(dist)) if dist is not None and dist.notna().any() else None
    return FormSeries(bins.reset_index(drop=True), samples, source, bin_s, duration, distance, metrics, notes, running)


#: Running medians (bins) then a running mean that smooth the speed of records
#: beside IMU steps (:func:`_smooth_speed`).
SPEED_SMOOTHING = (9, 5, 3)


def _smooth_speed(v: np.ndarray, windows: tuple[int, int, int] = SPEED_SMOOTHING) -> np.ndarray:
    """Speed per bin with its noise smoothed out, keeping pace changes sharp
    (medians keep steps and ramps; the mean is short).

    A phone's GPS speed is noisy by 0.1-0.2 m/s fix to fix, and an IMU's
    per-step metrics are precise to under a millisecond per 15-s bin: the
    speed's noise, passed through a slope of -30 ms per m/s, would otherwise
    outweigh the metric's own, and a fit would rather explain a slow-down by a
    drift in time than by that noisy speed. Measured on simulated pelvis runs
    written as phone exports with a GPS track (8 fatigued and 8 fresh per
    pace; issue 4 note, session 19): fatigued runs whose pace fades 15 % over
    the second half, onset within 2 min 2 -> 6 of 8; steady and interval runs
    no worse (with form wander, intervals 5 -> 6 of 8)."""
    w1, w2, w3 = windows
    s = pd.Series(v).rolling(w1, center=True, min_periods=1).median()
    s = s.rolling(w2, center=True, min_periods=1).median()
    return s.rolling(w3, center=True, min_periods=1).mean().to_numpy()


def _grade(bins: pd.DataFrame) -> np.ndarray:
    """Grade (%) per bin from altitude over distance, over +-1 bin (GPS altitude is noisy)."""
    if ("altitude_m" not in bins or "distance_m" not in bins or not bins["altitude_m"].notna().any()
            or len(bins) < 2):  # a run of one bin (a file cut after a few records) has no slope
        return np.full(len(bins), np.nan)
    alt = bins["altitude_m"].to_numpy(float)
    dist = bins["distance_m"].to_numpy(float)
    d_alt = np.gradient(alt)
    d_dist = np.gradient(dist)
    g = 100 * d_alt / np.where(d_dist > 1.0, d_dist, np.nan)
    return pd.Series(g).rolling(3, center=True, min_periods=1).mean().clip(-30, 30).to_numpy()
