"""Fatigue in one run: baseline, onset, drifts and cue windows.

Steps (each a parameter of :class:`FatigueAnalyzer`):

1. **Series**: the run's form metrics binned in time
   (:func:`~gaitlab.fatigue.series.form_series`).
2. **Baseline**: the runner's own form after warm-up, minutes 5 to 15 by
   default; for runs shorter than 45 min the window scales down to the same
   fractions of the run (1/9 to 1/3 of it).
3. **Spikes** out: bins far off their neighbours (``spike_sd``); the
   warm-up out of a metric's fit where form was still settling (``warmup_sd``).
4. **Confounders and onset** per metric: a change point in time (a drift
   from the onset on, or a jump there) fitted jointly with the metric's
   dependence on speed and grade (:mod:`~gaitlab.fatigue.onset`). The issue
   suggested fitting speed and grade on the baseline alone; a steady warm-up
   has too little pace variation for that, while fitting them over the whole
   run together with the onset uses every pace change and cannot mistake the
   fatigue drift for a pace effect.
   Raw and adjusted values are both kept.
5. **The run's onset**: one change point common to the metrics that moved
   for the worse, from the sum of their likelihood-ratio profiles (each in
   its own noise units), with its 95 % interval (calibrated: ``ci_stat``);
   a jump rather than a drift when those metrics together say so.
6. **Form index**: every metric's adjusted value in baseline standard
   deviations, turned so that positive is worse (|z| for balance and
   symmetry), averaged over the metrics a device measures (not the ones it
   computes from them, like step length from speed and cadence).
7. **Cue windows**: where the index (90-s running median) is above its
   baseline band (baseline mean + ``cue_sd`` SD, the SD over all the running
   before the onset, which holds form's slow wander) for at least
   ``cue_min_s``, from the baseline's start on (the warm-up before it is not
   form to hold yet).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..io import read
from ..metrics import Analysis, analyze
from ..run import Run
from .onset import fit_hinge, shape_kind
from .series import METRICS, FormSeries, MetricSpec, form_series

__all__ = ["Fatigue", "FatigueAnalyzer", "decimals_of", "fatigue", "headline", "unit_of"]

_ABS_Z_MEAN = float(np.sqrt(2 / np.pi))  # mean of |z| for a standard normal

#: Metrics a device computes from others (FIT: step length = speed / cadence,
#: vertical ratio = oscillation / step length, ...).
_DERIVED: dict[str, tuple[str, ...]] = {
    "step_length_mm": ("speed_mps", "cadence_spm"),
    "vertical_ratio_pct": ("vertical_oscillation_mm", "cadence_spm"),
    "stance_time_pct": ("stance_time_ms", "cadence_spm"),
    "form_power_ratio": ("form_power_w", "speed_mps"),  # form power / power, and power follows pace
    "flight_ms": ("gct_ms", "cadence_spm"),
    "pelvic_drop_symmetry_pct": ("pelvic_drop_left_deg", "pelvic_drop_right_deg"),
}


#: Seconds not running (before the onset, or in a run that held) from which
#: form held is said to be "of running" (headline, report, ``gaitlab endurance``).
NOT_RUNNING_SAID_S = 60.0


@dataclass
class Fatigue:
    """When and how form broke down in one run (times in s from the start of the recording).

    Attributes
    ----------
    onset_s, onset_ci_s, onset_distance_m
        Onset of the combined form index (``None`` when form held).
    onset_shape
        ``"ramp"`` (form drifted steadily from the onset on), ``"levelling"``
        (it drifted fast at first and levelled off) or ``"step"`` (it changed
        at once), ``None`` when form held.
    metrics
        One row per metric: ``baseline_mean``, ``baseline_sd`` (of the binned,
        adjusted values), ``step_sd`` (step-to-step spread in the baseline),
        ``end_change`` (last 5 min vs baseline, adjusted, units),
        ``end_change_sd`` (in baseline SDs), ``drift_per_10min`` (units; for
        a drift that levelled off, the mean rate from the onset to the end),
        ``drift_pct_per_10min`` (0 for a jump), ``onset_s``, ``onset_ci_lo_s``,
        ``onset_ci_hi_s``, ``change_shape`` (``"ramp"``, ``"levelling"``,
        ``"step"``, or ``None`` without onset), ``speed_slope`` (per m/s), ``grade_slope`` (per %),
        ``worse`` (+1/-1/0) and ``meaning``.
    cue_windows
        ``start_s``, ``end_s``, ``start_m``, ``end_m``, ``peak_index``,
        ``metrics`` (the ones beyond their band, worst first).
    series
        The bins: ``t_s``, ``distance_m``, ``speed_mps``, ``grade_pct``, each
        metric raw and ``<metric>_adj``, and ``form_index``.
    baseline_s
        The baseline window used, s from the start of the recording (when the
        baseline's running began and ended).
    duration_s, distance_m
        Span of the running analysed, from its first record or step to its
        last, walks and stops in it included.
    running_s, running_m
        Time and distance spent running (walks and stops out; ``running_m``
        None when unknown).
    onset_running_s, onset_running_m
        Running before the onset (``None`` when form held): what
        :attr:`held_s` and :attr:`held_m` give.
    notes
        What was assumed or left out.
    """

    onset_s: float | None
    onset_ci_s: tuple[float, float] | None
    onset_distance_m: float | None
    metrics: pd.DataFrame
    cue_windows: pd.DataFrame
    series: pd.DataFrame
    baseline_s: tuple[float, float]
    duration_s: float
    distance_m: float | None
    source: str
    notes: list[str] = field(default_factory=list)
    onset_shape: str | None = None
    running_s: float = float("nan")
    running_m: float | None = None
    onset_running_s: float | None = None
    onset_running_m: float | None = None

    def __repr__(self) -> str:  # one line in a notebook, not the tables
        return (f"Fatigue({headline(self)}; {len(self.metrics)} metrics, "
                f"{len(self.cue_windows)} cue window{'s' if len(self.cue_windows) != 1 else ''})")

    def _repr_html_(self) -> str:
        """Jupyter: the headline, the per-metric table and the cue windows."""
        parts = [f"<p><b>{html.escape(headline(self))}</b></p>", self.metrics.to_html(float_format="{:.3g}".format)]
        if len(self.cue_windows):
            parts += ["<p>Cue windows</p>", self.cue_windows.to_html(index=False, float_format="{:.0f}".format)]
        return "\n".join(parts)

    @property
    def held_s(self) -> float:
        """Seconds of running before the onset, or of the whole run when form
        held (then a lower bound); walks and stops do not count, so a walk to
        the start or a walk break is not form endurance."""
        return float(self.onset_running_s) if self.onset_s is not None else self.running_s

    @property
    def held_m(self) -> float | None:
        """Metres of running before the onset (or of the whole run when form
        held); None when the run has no distance."""
        return self.onset_running_m if self.onset_s is not None else self.running_m

    @property
    def not_running_s(self) -> float:
        """Seconds of the recording before the onset (of the running's span
        when form held) that were not running: a walk to the start, walk
        breaks, stops. From :data:`NOT_RUNNING_SAID_S` on, the headline says
        "of running"."""
        return float(self.onset_s - self.held_s) if self.onset_s is not None else self.duration_s - self.running_s

    def to_json_dict(self) -> dict[str, Any]:
        """``{"onset_s", "onset_ci_s", "metrics": {...}, "cue_windows": [...]}`` and context."""
        def clean(v: Any) -> Any:
            if isinstance(v, (float, np.floating)):
                return None if not np.isfinite(v) else round(float(v), 4)
            if isinstance(v, (np.integer,)):
                return int(v)
            return v

        metrics = {
            m: {k: clean(v) for k, v in row.items()} for m, row in self.metrics.iterrows()
        }
        cues = [{k: clean(v) for k, v in row.items()} for row in self.cue_windows.to_dict("records")]
        return {
            "onset_s": clean(self.onset_s),
            "onset_ci_s": [clean(x) for x in self.onset_ci_s] if self.onset_ci_s else None,
            "onset_distance_m": clean(self.onset_distance_m),
            "onset_shape": self.onset_shape,
            "held_s": clean(self.held_s),
            "held_m": clean(self.held_m),
            "running_s": clean(self.running_s),
            "running_m": clean(self.running_m),
            "form_held_to_end": self.onset_s is None,
            "baseline_s": [clean(x) for x in self.baseline_s],
            "source": self.source,
            "metrics": metrics,
            "cue_windows": cues,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class FatigueAnalyzer:
    """The fatigue analysis of one run, with its parameters.

    Parameters
    ----------
    bin_s, max_bins
        Bin length (s) and the most bins a run gets (longer runs get longer
        bins: :func:`~gaitlab.fatigue.series.form_series`).
    baseline_min
        Baseline window, minutes of running from its start (scaled down below
        45 min). Running time leaves out the bins without a running record
        (walks, stops): a walk to the start recorded with the run, or a
        run/walk's walks, do not take the baseline's place.
    min_after_s
        An onset needs at least this much running after it, s.
    min_stat, min_change_sd
        Evidence and size a metric's onset needs (:mod:`~gaitlab.fatigue.onset`).
    min_joint_stat
        Evidence the run's onset needs, summed over the metrics: as much as
        one metric's own onset needs (``min_stat``). On fresh simulated runs
        the joint evidence reached 53.8 (the tests' 300 FIT runs with the
        wander calibrated on real watches, re-measured in session 28: 8 at 40
        or more, 4 at 50 or more; session 14 had measured none above 50) and 43
        (24 pelvis runs: steady, intervals, wander). On 60-min runs every
        onset has 60 or more; on 30-min runs (onset at 15-20 min, no wander)
        the threshold is what finds or misses one: on 120 of them 0.78 found
        and 0.69 within 2 min at 60, 0.84 and 0.75 at 50, while an analyst who
        knew there was an onset would time 0.95 within 2 min (on the tests' 60,
        test_fit_runs_of_30_min: 0.88 found, 0.85 within 2 min, that analyst
        0.88). 60 instead of the earlier 80 finds more of the weak or late
        drifts (onsets 45-50 min into a 60-min run, without wander: 0.70 ->
        0.85 found, 0.63 -> 0.73 within 2 min; a drift in cadence alone, with
        wander: 0.72 -> 0.81 found) and left the 300 simulated test runs and
        every real file's onset as they were (issue 4 note, session 14); every
        real file's headline is the same at 40 or 30 too (session 28).
    min_index_stat
        Evidence for a change for the worse with which a metric that has no
        onset of its own still helps time the run's onset (its end change
        must still be for the worse).
    end_s
        The "end" of the run for end changes: its last this many seconds of
        running.
    cue_sd, cue_min_s
        Cue windows: index above baseline mean + ``cue_sd`` SD for at least
        ``cue_min_s`` seconds. 60 s gave a cue window in 18 % of simulated
        runs without fatigue once the simulator's wander was calibrated on
        real watches; 120 s gives 9 %, and still covers the fatigued stretch
        of 99 % of fatigued runs (issue 4 note, session 11).
    speed_prior_sd
        How far (as a fraction of the typical slope, or in metric SDs per m/s
        or per % for metrics without one) the speed and grade slopes may move
        from their priors.
    imu_speed_prior_sd
        The same, in metric SDs per m/s, for a pelvis IMU's metrics without a
        typical slope (step regularity, peak accelerations, flight time, the
        pelvic angles) when the run has a speed (a phone's GPS, a watch's
        records): how they change with pace is not known, so the data set it.
        At 0.5 a steady slow-down moved step regularity enough to be called an
        onset; measured on simulated pelvis runs with form wander and a GPS
        track whose pace fades 15 % over the second half (issue 4 note,
        session 19): false onsets 4 of 8 -> 0 of 8 (fatigued runs within 2
        min 6 -> 5 of 8); without wander 8 -> 7 of 8 (there contact time,
        precise to 0.7 ms per bin, still reads the slow-down as a drift).
        Their grade slopes keep ``speed_prior_sd``: let loose too, a late
        steady climb (a phone's barometer giving the grade) took pelvic drop's
        fatigue drift for the climb's (simulated 3 % climbs with wander: 2 of
        8 fatigued runs within 2 min, 4 of 8 held; issue 4 note, session 20).
    shapes, shape_stat, joint_shape_stat
        Shapes of change tried (:data:`~gaitlab.fatigue.onset.SHAPES`),
        simplest first, and the evidence (twice the log-likelihood ratio)
        another needs to replace it: per metric, and summed over the metrics
        that time the run's onset. A drift fitted to a jump puts the onset
        ~12 min early; measured on simulated FIT runs with a jump
        (``test_fit_runs_with_a_jump``): with ``("ramp",)`` alone none of 32
        within 2 min, with ``("ramp", "step")`` 30 of 32, and the hit rate on
        the 300 drifting runs did not change (issue 4 note, session 10). A
        drift that levels off (fast at first, then settling into a worse form)
        fitted as a hinge puts the onset ~6 min early: the ``"level<k>"``
        shapes (4, 8 and 16 min) took 30 simulated runs whose drift levels off
        with 8 min from 0 to 18 within 2 min (``test_fit_runs_whose_drift_levels_off``),
        left the 300 drifting runs (0.727, all called "ramp") and the 32 with a
        jump (30) as they were, and cost 2 of 100 runs with a jump in a
        scratch set (issue 4 note, session 13).
    spike_sd, spike_bins
        A bin more than ``spike_sd`` robust SDs from the running median of
        ``spike_bins`` bins around it (after the typical pace and grade effect,
        so a pace change is no spike) is left out of the metric's fit: walking
        up a steep climb or a pod's bad minute leaves bins hundreds of ms off
        that would set the noise level of the whole fit. Measured on 240 real
        runs with a known drift added (8 files, 30 onsets each; issue 4 note,
        session 11): onsets within 2 min 0.19 -> 0.27; 0 turns it off.
    warmup_sd
        The bins before the baseline are left out of a metric's fit when their
        mean (at the typical pace and grade effect) is more than this many
        baseline SDs off the baseline's: the runner was still settling (off the
        bike in a triathlon: cadence 6 SDs high in ``sl-fr935-triathlon``), and
        the fit, which takes form before the onset as level, would call the
        settling a change at the baseline's start. Elsewhere the warm-up stays
        in: its pace changes help the speed term (leaving it out of every fit:
        0.69 -> 0.67 within 2 min on 600 simulated FIT runs). Measured (issue 4
        note, session 12): simulated runs without settling reach 1.4 SDs in
        95 % of metrics; fresh simulated runs with a brick-like settling
        (cadence +16 spm, contact time -24 ms, decaying over 150 s) had a false
        onset in 18 of 40 with 0 (off), none with 1.5; 600 simulated runs
        without settling: 0.693 -> 0.695 within 2 min.
    ci_stat
        The onset intervals (the run's and each metric's) hold the onsets whose
        likelihood-ratio profile is within this of the best, widened by half a
        bin each side. The textbook 3.84 held the true onset of 300 simulated
        FIT runs only 55 % of the time (the profile is a pseudo-likelihood);
        25 holds it 97 % (each metric's: 98 %), and 92-100 % on other lengths,
        strengths and onset times than those it was set on (issue 4 note,
        session 10); with the simulator's noise calibrated on real watches,
        98 % (each metric's: 99 %), median width 9.8 min (session 11).
    """

    bin_s: float = 15.0
    max_bins: int = 240
    baseline_min: tuple[float, float] = (5.0, 15.0)
    min_after_s: float = 180.0
    min_stat: float = 60.0
    min_joint_stat: float = 60.0
    min_index_stat: float = 20.0
    min_change_sd: float = 1.0
    end_s: float = 300.0
    cue_sd: float = 2.0
    cue_min_s: float = 120.0
    speed_prior_sd: float = 0.5
    imu_speed_prior_sd: float = 2.0
    shapes: tuple[str, ...] = ("ramp", "step", "level4", "level8", "level16")
    shape_stat: float = 30.0
    joint_shape_stat: float = 30.0
    ci_stat: float = 25.0
    spike_sd: float = 6.0
    spike_bins: int = 9
    warmup_sd: float = 1.5

    def baseline_window(self, duration_s: float) -> tuple[float, float]:
        """Baseline (s) for a run of this length."""
        lo, hi = (m * 60 for m in self.baseline_min)
        full = 3 * hi  # 45 min for the default 5-15
        if duration_s >= full:
            return lo, hi
        return lo * duration_s / full, hi * duration_s / full

    def analyze(self, series: FormSeries, source_name: str | None = None) -> Fatigue:
        """Fatigue of one binned run."""
        bins = series.bins
        duration = series.duration_s
        running = series.running_s
        if running < 10 * 60 and (running > 0 or not bins.empty):
            raise AnalysisError(source_name, "too short for a fatigue analysis "
                                f"({running / 60:.1f} min of running; need 10)")
        # say why when it is that the records were walking (a walk filed as a run)
        walked = "".join(f": {n}" for n in series.notes if "standing or walking" in n)
        if bins.empty or not series.metrics:
            raise AnalysisError(source_name, "no form metrics over time to analyse for fatigue" + walked)
        t = bins["t_s"].to_numpy(float)
        half_bin = series.bin_s / 2  # onsets are bin centres: the interval holds the bins around them
        # The windows (baseline, end, the running an onset needs after it) are
        # in running time: bins without a running record (walk breaks, stops)
        # do not count, so a walk at the start does not take the baseline's
        # place, nor one at the end the end's.
        filled = bins["n"].to_numpy(float) > 0
        in_bin = bins["run_s"].to_numpy(float)
        run_t = np.cumsum(in_bin) - 0.5 * in_bin  # at bin centres, s
        run_end = float(run_t[-1])
        b_lo, b_hi = self.baseline_window(running)
        in_base = (run_t >= b_lo) & (run_t <= b_hi) & filled
        # the baseline in the recording's time: when its running began and ended
        base_s = (b_lo, b_hi)
        if filled.any():
            base_s = tuple(float(np.interp(x, run_t[filled], t[filled])) for x in (b_lo, b_hi))
        speed = bins["speed_mps"].to_numpy(float)
        grade = bins["grade_pct"].to_numpy(float)
        has_speed = np.isfinite(speed).sum() >= 0.5 * len(t)
        has_grade = np.isfinite(grade).sum() >= 0.5 * len(t) and np.nanstd(grade) > 0.5
        v_ref = float(np.nanmedian(speed[in_base])) if has_speed and np.isfinite(speed[in_base]).any() else np.nan
        conf_cols, names = [], []
        if has_speed and np.isfinite(v_ref):
            conf_cols.append(speed - v_ref)
            names.append("speed")
        if has_grade:
            conf_cols.append(grade)
            names.append("grade")
        conf = np.column_stack(conf_cols) if conf_cols else None
        conf0 = np.nan_to_num(conf) if conf is not None else np.zeros((len(t), 0))  # unknown pace: no effect
        t_min = t / 60.0
        cand = t_min[(run_t >= b_lo) & (run_t <= run_end - self.min_after_s)]
        end_sel = run_t >= run_end - self.end_s
        rows, z_cols, fits, spikes, settling = {}, {}, {}, {}, []
        out = bins.copy()
        for m in series.metrics:
            spec = METRICS.get(m, MetricSpec(0, 0.0, 0.0, m.replace("_", " ")))
            raw = bins[m].to_numpy(float)
            y = raw
            prior = np.array([spec.per_mps if name == "speed" else spec.per_grade_pct for name in names])
            typical = conf0 @ prior  # the typical pace and grade effect
            if self.spike_sd:
                # spikes judged after the typical effect, so a pace change is no spike
                spiky = _spikes(y - typical, self.spike_sd, self.spike_bins)
                if spiky.any():
                    y = np.where(spiky, np.nan, y)
                    spikes[spec.meaning] = spikes.get(spec.meaning, 0) + int(spiky.sum())
            base_vals = y[in_base & np.isfinite(y)]
            if len(base_vals) < 3:
                continue
            scale = float(np.std(base_vals, ddof=1)) or 1e-9
            y_fit = y
            # the warm-up judged before the spike test, which takes a settling's
            # first bins, far off the settled ones around them, for spikes
            if self.warmup_sd and _settling(raw - typical, run_t < b_lo, in_base) > self.warmup_sd:
                y_fit = np.where(run_t >= b_lo, y, np.nan)
                settling.append(spec.meaning)
            # a slope without a typical value: the IMU's speed ones are let loose
            # (imu_speed_prior_sd), every grade one is held as a FIT metric's speed one
            unknown = [self.imu_speed_prior_sd if series.source == "imu" and name == "speed" else self.speed_prior_sd
                       for name in names]
            prior_sd = [abs(p) * self.speed_prior_sd if p else scale * u for p, u in zip(prior, unknown)]
            # either way for the metric's own onset; the profile is the evidence
            # for a change for the worse (any change for balance and symmetry)
            fit = fit_hinge(
                t_min, y_fit, conf, prior, np.array(prior_sd), candidates=cand, baseline=in_base,
                min_stat=self.min_stat, min_change_sd=self.min_change_sd, profile_direction=spec.worse,
                shapes=self.shapes, shape_stat=self.shape_stat, ci_stat=self.ci_stat,
            )
            fits[m] = fit
            adj = fit.adjusted if y_fit is y else y - conf0 @ fit.coef[1:]  # the warm-up adjusted too
            base_adj = adj[in_base & np.isfinite(adj)]
            mean, sd = float(np.mean(base_adj)), float(np.std(base_adj, ddof=1)) if len(base_adj) > 1 else np.nan
            raw = series.samples[m].to_numpy(float) if m in series.samples else np.array([])
            ts = series.samples["t_s"].to_numpy(float)
            step_sd = float(np.nanstd(raw[(ts >= base_s[0]) & (ts <= base_s[1])], ddof=1)) if len(raw) else np.nan
            end_change = float(np.nanmean(adj[end_sel]) - mean) if np.isfinite(adj[end_sel]).any() else np.nan
            coef = dict(zip(names, fit.coef[1:]))
            rows[m] = {
                "baseline_mean": mean,
                "baseline_sd": sd,
                "step_sd": step_sd,
                "end_change": end_change,
                "end_change_sd": end_change / sd if sd and np.isfinite(sd) and sd > 0 else np.nan,
                "drift_per_10min": fit.slope * 10 if fit.onset is not None else 0.0,
                "drift_pct_per_10min": 100 * fit.slope * 10 / abs(mean) if fit.onset is not None and mean else 0.0,
                "onset_s": fit.onset * 60 if fit.onset is not None else np.nan,
                "onset_ci_lo_s": fit.onset_ci[0] * 60 - half_bin if fit.onset_ci else np.nan,
                "onset_ci_hi_s": fit.onset_ci[1] * 60 + half_bin if fit.onset_ci else np.nan,
                "change_shape": shape_kind(fit.shape) if fit.onset is not None else None,
                "speed_slope": coef.get("speed", np.nan),
                "grade_slope": coef.get("grade", np.nan),
                "worse": spec.worse,
                "meaning": spec.meaning,
            }
            out[f"{m}_adj"] = adj
            if sd and np.isfinite(sd) and sd > 0:
                z = (adj - mean) / sd
                z_cols[m] = spec.worse * z if spec.worse else np.abs(z) - _ABS_Z_MEAN
        if not z_cols:
            raise AnalysisError(source_name, "no form metric has a usable baseline "
                                f"({b_lo / 60:.0f}-{b_hi / 60:.0f} min of running) for a fatigue analysis" + walked)
        # metrics computed from others the run has add no evidence, only their
        # nonlinearity in pace: they stay in the table, not in the index
        have = set(z_cols) | ({"speed_mps"} if has_speed else set())
        primary = [m for m in z_cols if not (m in _DERIVED and set(_DERIVED[m]) <= have)]
        z_all = np.column_stack([z_cols[m] for m in primary])
        n_z = np.isfinite(z_all).sum(axis=1)  # a mean over no metric is NaN, without numpy's warning
        index = np.where(n_z > 0, np.nansum(z_all, axis=1) / np.maximum(n_z, 1), np.nan)
        out["form_index"] = index
        base_idx = index[in_base & np.isfinite(index)]
        i_sd = float(np.std(base_idx, ddof=1)) if len(base_idx) > 2 else 1.0
        i_mean = float(np.mean(base_idx)) if len(base_idx) else 0.0
        # The run's onset: one change point common to the metrics that moved
        # for the worse (each found its own onset), each weighing in with its
        # own evidence: the sum of their likelihood-ratio profiles, each in its
        # own noise units. A metric that moved by many of its SDs times it; the
        # ones that held would only blur it (measured on simulated runs: 0.88
        # vs 0.86 within 2 min, and fewer false onsets, than all metrics).
        # A metric short of its own onset but with some evidence for the worse
        # still helps (0.89 vs 0.88; the same for thresholds 10 to 40).
        moved = [m for m in primary if (np.isfinite(rows[m]["onset_s"]) or (
                     fits[m].profile is not None and -np.min(fits[m].profile) >= self.min_index_stat))
                 and (rows[m]["worse"] == 0 or np.sign(rows[m]["end_change"]) == rows[m]["worse"])]
        # The shape of the run's change (a drift, or a jump) from the evidence
        # of all those metrics together: one metric's wander can pass for a
        # jump, several metrics jumping at once rarely do.
        shape = self.shapes[0]
        gains = {nm: sum(fits[m].shape_gain.get(nm, 0.0) for m in moved) for nm in self.shapes[1:]}
        if gains and max(gains.values()) >= self.joint_shape_stat:
            shape = max(gains, key=gains.get)
        joint = np.sum([fits[m].profiles[shape] for m in moved if fits[m].profiles.get(shape) is not None], axis=0)
        onset = ci = None
        if len(cand) and np.ndim(joint) and moved:
            j = int(np.argmin(joint))
            if -joint[j] >= self.min_joint_stat:
                near = np.flatnonzero(joint <= joint[j] + self.ci_stat)
                onset = float(cand[j] * 60)
                ci = (float(cand[near.min()] * 60 - half_bin), float(cand[near.max()] * 60 + half_bin))
        dist = bins["distance_m"].to_numpy(float) if "distance_m" in bins else np.full(len(t), np.nan)
        onset_m = _at(t, dist, onset) if onset is not None else None
        # The band's spread: ten minutes of baseline miss most of form's slow
        # wander, so the spread is taken over all the running before the onset
        # (measured on 150 simulated FIT runs each way: fresh runs with a cue window
        # 21 % -> 11 %; cue windows > 2 min before a true onset 11 % -> 4 %).
        pre = (run_t >= b_lo) & (t <= (onset if onset is not None else t.max())) & np.isfinite(index)
        if pre.sum() > 2:
            i_sd = max(i_sd, float(np.std(index[pre], ddof=1)))
        cues = self._cue_windows(t, dist, np.where(run_t >= b_lo, index, np.nan), i_mean, i_sd, z_cols, series.bin_s)
        metrics = pd.DataFrame.from_dict(rows, orient="index")
        metrics.index.name = "metric"
        notes = list(series.notes)
        if settling:
            notes.append(f"form was still settling before the baseline ({b_lo / 60:.0f} min), left out of the fit: "
                         + ", ".join(settling))
        if spikes:
            notes.append(f"time bins far off their neighbours left out (of {len(t)}): " + ", ".join(
                f"{m} {k}" for m, k in spikes.items()))
        held = series.running_before(onset) if onset is not None else (None, None)
        return Fatigue(onset, ci, onset_m, metrics, cues, out, base_s, duration, series.distance_m,
                       series.source, notes, shape_kind(shape) if onset is not None else None,
                       running, series.running_m, *(float(x) if x is not None and np.isfinite(x) else None
                                                    for x in held))

    def _cue_windows(self, t, dist, index, i_mean, i_sd, z_cols, bin_s) -> pd.DataFrame:
        w = max(1, int(round(90.0 / bin_s)))
        smooth = pd.Series(index).rolling(w, center=True, min_periods=1).median().to_numpy()
        above = smooth > i_mean + self.cue_sd * i_sd
        edges = np.flatnonzero(np.diff(np.concatenate([[0], above.astype(int), [0]])))
        rows = []
        for a, b in edges.reshape(-1, 2):
            start, end = t[a] - bin_s / 2, t[b - 1] + bin_s / 2
            if end - start < self.cue_min_s:
                continue
            worst = {m: float(np.nanmean(z[a:b])) for m, z in z_cols.items()}
            moved = [m for m, v in sorted(worst.items(), key=lambda kv: -kv[1]) if v > self.cue_sd]
            rows.append({
                "start_s": start, "end_s": end, "start_m": _at(t, dist, start), "end_m": _at(t, dist, end),
                "peak_index": float(np.nanmax(index[a:b])), "metrics": moved,
            })
        return pd.DataFrame(rows, columns=["start_s", "end_s", "start_m", "end_m", "peak_index", "metrics"])


def _spikes(y: np.ndarray, k: float, w: int) -> np.ndarray:
    """Bins more than ``k`` robust SDs (1.4826 MAD) from their ``w``-bin running
    median: a stretch of walking up a steep climb, or a pod's bad minute, leaves
    a bin hundreds of ms off that would otherwise set the noise level of the
    whole fit."""
    r = y - pd.Series(y).rolling(w, center=True, min_periods=3).median().to_numpy()
    ok = np.isfinite(r)
    mad = 1.4826 * float(np.median(np.abs(r[ok] - np.median(r[ok])))) if ok.sum() >= 10 else 0.0
    with np.errstate(invalid="ignore"):
        return np.abs(r) > k * mad if mad > 0 else np.zeros(len(y), bool)


def _settling(y: np.ndarray, warmup: np.ndarray, base: np.ndarray) -> float:
    """How far the warm-up's mean is from the baseline's, in baseline SDs (0
    when either has fewer than 3 values)."""
    w, b = y[warmup & np.isfinite(y)], y[base & np.isfinite(y)]
    if len(w) < 3 or len(b) < 3 or not np.std(b) > 0:
        return 0.0
    return float(abs(np.mean(w) - np.mean(b)) / np.std(b, ddof=1))


def _at(t: np.ndarray, values: np.ndarray, when: float) -> float | None:
    ok = np.isfinite(values)
    if not ok.any():
        return None
    return float(np.interp(when, t[ok], values[ok]))


def fatigue(obj: Analysis | Run | str | PathLike[str], analyzer: FatigueAnalyzer = FatigueAnalyzer()) -> Fatigue:
    """When form broke down in a run, what moved, and where to cue.

    Parameters
    ----------
    obj
        An :class:`~gaitlab.metrics.Analysis` (pelvis IMU), a
        :class:`~gaitlab.run.Run` (FIT records, or IMU samples, which are
        analysed first) or a path to read.
    analyzer
        The parameters.

    Raises
    ------
    gaitlab.AnalysisError
        Too short, or no form metrics over time.
    """
    if isinstance(obj, (str, PathLike)):
        obj = read(obj)
    if not isinstance(obj, (Run, Analysis)):
        raise TypeError(f"gaitlab.fatigue takes an Analysis, a Run or a path, not {type(obj).__name__}")
    if isinstance(obj, Run):
        try:
            obj = obj.running()  # the run of a multisport file
        except LookupError:
            raise AnalysisError(obj.path, f"no running session (sessions: {', '.join(obj.sports)})") from None
    if isinstance(obj, Run) and len(obj.imu) and not _has_fit_form(obj):
        obj = analyze(obj)
    run = obj.run if isinstance(obj, Analysis) else obj
    name = str(run.path) if run.path else None
    return analyzer.analyze(form_series(obj, analyzer.bin_s, analyzer.max_bins), name)


def _has_fit_form(run: Run) -> bool:
    return bool(run.form_metrics())


_UNITS = {"_deg": "deg", "_ms": "ms", "_mm": "mm", "_pct": "%", "_spm": "spm", "_g": "g", "_kn_m": "kN/m", "_w": "W", "_bw_s": "BW/s", "_dps": "deg/s", "_ratio": ""}


def unit_of(metric: str) -> str:
    """The unit a metric name ends in (``"deg"`` for ``pelvic_drop_left_deg``)."""
    for suffix, unit in _UNITS.items():
        if metric.endswith(suffix):
            return unit
    return ""


#: Decimals a unit's values are shown with: what the sensors resolve.
_DECIMALS = {"deg": 1, "ms": 0, "mm": 0, "%": 1, "spm": 0, "g": 2, "kN/m": 1, "W": 0, "BW/s": 0, "deg/s": 0, "": 2}


def decimals_of(metric: str) -> int:
    """Decimals to show ``metric`` with (1 for degrees, 0 for ms, ...)."""
    return _DECIMALS.get(unit_of(metric), 1)


def headline(f: Fatigue) -> str:
    """One sentence: how long form held and what moved, e.g. ``form held for 42 min / 8.1 km,
    then pelvic drop in left stance rose from 5.1 to 7.4 deg`` (``form was already changing
    when the baseline began ...`` for an onset within a minute of the baseline's start).
    With walks or stops before the onset, "of running"; when they took most of
    the time, also the recording's minutes up to it: ``10 min / 1.2 km of
    running in 158 min``."""
    held = f"{f.held_s / 60:.0f} min" + (f" / {f.held_m / 1000:.1f} km" if f.held_m else "")
    if f.not_running_s >= NOT_RUNNING_SAID_S:
        held += " of running"
        if f.not_running_s > f.held_s:  # mostly walks and stops: of how long a recording
            held += f" in {(f.held_s + f.not_running_s) / 60:.0f} min"
    if f.onset_s is None:
        return f"form held to the end ({held}): no lasting change from the baseline"
    m = f.metrics.dropna(subset=["onset_s"])
    worse = m[(m["worse"] == 0) | (np.sign(m["end_change"]) == m["worse"])]
    primary = worse[[k not in _DERIVED for k in worse.index]]
    # a metric computed from others speaks for the run only for a change of a
    # baseline SD or more (a real Ironman run's step length, 4 mm or 0.1 SD
    # shorter by the end, was named as its breakdown); one that moved for the
    # better never does
    moved = primary if len(primary) else worse[worse["end_change_sd"].abs() >= 1]
    moved = moved.reindex(moved["end_change_sd"].abs().sort_values(ascending=False).index)[:2]
    parts = []
    for name, row in moved.iterrows():
        a, b = row["baseline_mean"], row["baseline_mean"] + row["end_change"]
        nd = decimals_of(str(name))
        while nd < 3 and f"{a:.{nd}f}" == f"{b:.{nd}f}":
            nd += 1  # a change finer than the metric's usual precision: not "from 5.2 to 5.2"
        verb = "rose" if b > a else "fell"
        parts.append(f"{row['meaning']} {verb} from {a:.{nd}f} to {b:.{nd}f} {unit_of(str(name))}".rstrip())
    what = " and ".join(parts) if parts else "the form index rose"
    if f.onset_s <= f.baseline_s[0] + 60:
        # an onset at the first allowed moment: no stretch of held form to speak of
        return f"form was already changing when the baseline began ({held} in): {what}"
    return f"form held for {held}, then {what}"
