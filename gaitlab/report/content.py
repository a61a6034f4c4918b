"""What a form report says: one :class:`Report` built from a Run, an Analysis or a path.

Everything the HTML and PDF writers show is decided here, as plain data
(strings, numbers and pandas tables with units in their column names), so
that both writers say the same thing and tests can check it without parsing
either. Units and frames: :mod:`gaitlab.frames`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import AnalysisError, GaitlabError
from ..fatigue import Fatigue, FatigueAnalyzer, decimals_of, headline, unit_of
from ..fatigue.analysis import NOT_RUNNING_SAID_S
from ..fatigue.series import METRICS, form_series
from ..io import read
from ..metrics import STEP_COLUMNS, STRIDE_COLUMNS, Analysis, analyze_if_imu
from ..run import FORM_METRICS, Run, altitude_jitter_m, describe_elevation
from ..signals.lever import describe_fit

__all__ = ["Report", "build_report", "SECTIONS", "label_of", "unit_label", "fmt_value", "fmt_clock", "fmt_pace"]

#: The report's sections, in order: ``(id, title)``. Every report has all of
#: them; one that cannot be filled says why.
SECTIONS: list[tuple[str, str]] = [
    ("summary", "Run"),
    ("fatigue", "Fatigue"),
    ("form-over-time", "Form over time"),
    ("left-right", "Left against right"),
    ("rotation", "Pelvic rotation"),
    ("splits", "Splits"),
    ("not-computed", "What could not be computed, and why"),
    ("glossary", "Glossary"),
]

#: Metrics shown over time, most telling first (the ones a run has, up to 6).
_KEY_IMU = ["pelvic_drop_left_deg", "pelvic_drop_right_deg", "pelvic_rotation_deg", "gct_ms", "cadence_spm",
            "vertical_oscillation_mm", "pelvic_tilt_range_deg"]
_KEY_FIT = ["stance_time_ms", "vertical_oscillation_mm", "cadence_spm", "stance_time_balance_left_pct",
            "vertical_ratio_pct", "step_length_mm", "leg_spring_stiffness_kn_m", "form_power_w",
            "form_power_ratio", "stance_time_pct", "impact_loading_rate_bw_s"]
_MAX_PANELS = 6

#: Short labels for axes and table heads (units added by :func:`label_of`).
_LABELS: dict[str, str] = {
    "pelvic_drop_left_deg": "Pelvic drop, left stance",
    "pelvic_drop_right_deg": "Pelvic drop, right stance",
    "pelvic_drop_deg": "Pelvic drop",
    "pelvic_drop_symmetry_pct": "Pelvic drop symmetry",
    "pelvic_rotation_deg": "Pelvic rotation",
    "pelvic_tilt_range_deg": "Pelvic tilt range",
    "gct_ms": "Ground contact",
    "flight_ms": "Flight time",
    "cadence_spm": "Cadence",
    "vertical_oscillation_mm": "Vertical oscillation",
    "vertical_peak_g": "Vertical peak",
    "braking_peak_g": "Braking peak",
    "step_regularity": "Step regularity",
    "stride_regularity": "Stride regularity",
    "stance_time_ms": "Ground contact",
    "stance_time_pct": "Ground contact share",
    "stance_time_balance_left_pct": "Contact balance (left)",
    "vertical_ratio_pct": "Vertical ratio",
    "step_length_mm": "Step length",
    "leg_spring_stiffness_kn_m": "Leg spring stiffness",
    "form_power_w": "Form power",
    "form_power_ratio": "Form power ratio",
    "impact_loading_rate_bw_s": "Impact loading rate",
    "form_index": "Form index",
    "gct_symmetry_pct": "Contact time symmetry",
}

_DEFAULTS = FatigueAnalyzer()
_GLOSSARY_EXTRA: dict[str, tuple[str, str]] = {
    "form_index": ("every measured form metric's speed- and grade-adjusted value in baseline standard "
                   "deviations, turned so that higher is worse (the distance from the baseline for metrics "
                   "that can move either way, like balance), averaged", "baseline SD"),
    "baseline": ("the runner's own form after the warm-up (minutes 5-15, or the same fractions of a run "
                 "shorter than 45 min): mean ± SD of each metric", ""),
    "onset": ("when form started to drift for the worse (a change point common to the metrics that moved), "
              "with its 95 % interval", "min"),
    "cue window": (f"a stretch of at least {_DEFAULTS.cue_min_s / 60:g} min where the form index stayed above "
                   f"its baseline band (mean + {_DEFAULTS.cue_sd:g} SD, the SD taken over all the running before the "
                   "onset when that is larger than the baseline's): "
                   "a place to cue form", "min"),
    "pace": ("time per kilometre, from the recorded speed (watch, foot pod or phone GPS)", "min/km"),
    "elevation": ("altitude above sea level, from the watch or phone (GPS or barometer)", "m"),
    "relative elevation": ("height relative to the start of the recording, from the phone's barometer (no GPS "
                           "track to tie it to sea level)", "m"),
    "up": ("a split's climb: the rises of its altitude records, counted as the note under the splits says", "m"),
    "down": ("a split's descent, counted the same way", "m"),
}


@dataclass
class Report:
    """The content of one run's form report.

    Attributes
    ----------
    title, source_name
        Heading and the input's file name.
    kind
        ``"imu"`` (pelvis IMU, per-step metrics) or ``"fit"`` (running
        dynamics per record).
    simulated
        The data came from a simulator, not a runner.
    header
        ``(label, value)`` rows: start, device, sensors, placement, duration,
        distance, pace.
    quality
        Data-quality lines: warnings, gaps, side and mounting confidence.
    headline
        The fatigue analysis in one sentence (``None`` when it could not run).
    fatigue_lines
        Onset with its interval, baseline window, cue windows, notes.
    fatigue, fatigue_error
        The :class:`~gaitlab.fatigue.Fatigue` (distances from the start of
        this run) or why there is none.
    series
        Time bins to plot: ``t_s``, ``distance_m`` (from the run's start;
        when known), ``speed_mps``, ``altitude_m``, metrics raw and
        ``<metric>_adj``, ``form_index`` (with a fatigue analysis).
    panels
        Metrics plotted over time, in order.
    left_right
        Per-side table: index metric; ``left``, ``right``, ``difference``
        (left - right, in the metric's unit), ``unit``.
    side_samples
        Per-step values by side for the left/right figure:
        ``{metric: (left values, right values)}``.
    balance
        FIT only: ``t_s`` and ``stance_time_balance_left_pct`` per record.
    rotation
        Pelvic rotation per stride: ``t_s``, ``pelvic_rotation_deg`` (empty
        without a pelvis IMU).
    splits, split_by
        Per-km (``"km"``) or per-5-min (``"5 min"``) medians: ``split``,
        ``start_s``, ``end_s``, ``duration_s``, ``distance_m`` (when known),
        ``pace_s_per_km``, then one column per metric.
    not_computed
        ``(what, why)`` for everything the report could not show.
    glossary
        ``(term, definition, unit)`` for every metric and term shown.
    run, analysis
        The inputs (``analysis`` is ``None`` for records-only FIT runs).
    """

    title: str
    source_name: str
    kind: str
    simulated: bool
    header: list[tuple[str, str]]
    quality: list[str]
    headline: str | None
    fatigue_lines: list[str]
    fatigue: Fatigue | None
    fatigue_error: str | None
    series: pd.DataFrame
    panels: list[str]
    left_right: pd.DataFrame
    side_samples: dict[str, tuple[np.ndarray, np.ndarray]]
    balance: pd.DataFrame
    rotation: pd.DataFrame
    splits: pd.DataFrame
    split_by: str
    not_computed: list[tuple[str, str]]
    glossary: list[tuple[str, str, str]]
    run: Run = field(repr=False)
    analysis: Analysis | None = field(default=None, repr=False)

    @property
    def has_distance(self) -> bool:
        """The bins have a distance axis (a FIT run with distance records)."""
        return "distance_m" in self.series and bool(self.series["distance_m"].notna().any())


# ---------------------------------------------------------------- formatting
def label_of(metric: str, with_unit: bool = True) -> str:
    """Axis or column label of a metric, with its unit in parentheses."""
    spec = METRICS.get(metric)
    name = _LABELS.get(metric) or (spec.meaning[0].upper() + spec.meaning[1:] if spec else metric.replace("_", " "))
    unit = unit_label(metric)
    return f"{name} ({unit})" if with_unit and unit else name


def unit_label(metric: str) -> str:
    """The unit of a metric as shown (``"deg"``, ``"ms"``, ``"W"``, ``"baseline SD"``; ``""`` for ratios)."""
    if metric == "form_index":
        return "baseline SD"
    return unit_of(metric)


def fmt_value(metric: str, value: Any) -> str:
    """A value rounded to what the sensor supports (deg 1 decimal, ms/mm/spm whole)."""
    if value is None or not np.isfinite(value):
        return "–"
    nd = decimals_of(metric)
    text = f"{value:.{nd}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0"


def fmt_clock(seconds: float) -> str:
    """``h:mm:ss`` (or ``m:ss`` under an hour)."""
    h, rem = divmod(int(round(seconds)), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def fmt_pace(s_per_km: float | None) -> str:
    """``m:ss /km``."""
    if s_per_km is None or not np.isfinite(s_per_km) or s_per_km <= 0:
        return "–"
    m, s = divmod(int(round(s_per_km)), 60)
    return f"{m}:{s:02d} /km"


# ---------------------------------------------------------------- building
def build_report(
    obj: Run | Analysis | str | PathLike[str],
    *,
    rate_hz: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The content of the form report of one run.

    Parameters
    ----------
    obj
        A path (anything :func:`gaitlab.read` reads), a :class:`~gaitlab.run.Run`
        or an :class:`~gaitlab.metrics.Analysis`.
    rate_hz
        Sample rate, Hz, of an IMU CSV with a sample counter but no time column.
    progress
        Called with ``"read"``, ``"analyse"``, ``"fatigue"`` as each stage starts.

    Raises
    ------
    gaitlab.GaitlabError
        The input cannot be read, is not a run, or has nothing about form.
    """
    tick = progress or (lambda stage: None)
    tick("read")
    if isinstance(obj, (str, PathLike)):
        obj = read(obj, rate_hz=rate_hz)
    if not isinstance(obj, (Run, Analysis)):
        raise TypeError(f"a report is of a Run, an Analysis or a path, not {type(obj).__name__}")
    analysis = obj if isinstance(obj, Analysis) else None
    run = analysis.run if analysis is not None else obj
    if analysis is None:
        run = _running_part(run)
    tick("analyse")
    if analysis is None:
        analysis = analyze_if_imu(run, "report")
    kind = "imu" if analysis is not None else "fit"
    tick("fatigue")
    # the bins once: the fatigue analysis of them, or (when there is none) still worth plotting
    analyzer = FatigueAnalyzer()
    fs = form_series(analysis if analysis is not None else run, analyzer.bin_s, analyzer.max_bins)
    fat: Fatigue | None
    try:
        fat = analyzer.analyze(fs, str(run.path) if run.path else None)
        fat_error = None
    except AnalysisError as exc:
        fat, fat_error = None, exc.problem
    series = fat.series if fat is not None else fs.bins

    missing: list[tuple[str, str]] = []
    panels = [m for m in (_KEY_IMU if kind == "imu" else _KEY_FIT)
              if m in series and series[m].notna().sum() >= 2][:_MAX_PANELS]
    # the FIT metrics no key list names (RunScribe, ...) after the known ones
    if kind == "fit" and len(panels) < _MAX_PANELS and fat is not None:
        panels += [m for m in fat.metrics.index if m not in panels and m not in _KEY_FIT][: _MAX_PANELS - len(panels)]
    if not panels:
        missing.append(("Form over time", "no form metric has enough values over time to plot"))
    if fat is None:
        missing.append(("Fatigue onset, baseline and cue windows", fat_error or "no fatigue analysis"))

    source = _rd_source(run)
    left_right, side_samples, balance = _sides(run, analysis, kind, source, missing)
    rotation = _rotation(analysis, source, missing)
    elev = run.elevation()
    _context_missing(run, kind, series, elev, missing)
    splits, split_by = _splits(run, analysis, kind)
    if "climb_from" in splits.attrs and elev is not None and "session totals" in elev["from"]:
        splits.attrs["climb_from"] += " (the run's totals above are the device's own, which it counts its own way)"
    if split_by == "5 min" and kind == "fit":
        missing.append(("Per-km splits", "the file has no distance records: splits are per 5 minutes"))
    elif split_by == "5 min":
        missing.append(("Per-km splits", "this IMU recording has no distance (no GPS): splits are per 5 minutes"))

    shown = list(dict.fromkeys([*panels, *left_right.index, *(["pelvic_rotation_deg"] if len(rotation) else []),
                                *[c for c in splits.columns if c in _LABELS]]))
    name = run.path.name if run.path else "in-memory run"
    return Report(
        title=f"Running form report: {name}",
        source_name=name,
        kind=kind,
        simulated=run.simulated,
        header=_header(run, analysis, kind, source, elev),
        quality=_quality(run, analysis, fat),
        headline=headline(fat) if fat is not None else None,
        fatigue_lines=_fatigue_lines(fat),
        fatigue=fat,
        fatigue_error=fat_error,
        series=series,
        panels=panels,
        left_right=left_right,
        side_samples=side_samples,
        balance=balance,
        rotation=rotation,
        splits=splits,
        split_by=split_by,
        not_computed=missing,
        glossary=_glossary(shown, kind, fat is not None, [c for c in ("speed_mps", "altitude_m")
                                                          if c in series and series[c].notna().any()]
                           + [c for c in ("ascent_m", "descent_m") if c in splits], run.relative_altitude),
        run=run,
        analysis=analysis,
    )


def _running_part(run: Run) -> Run:
    """The running sessions of a multisport file (:meth:`Run.running`)."""
    try:
        return run.running()
    except LookupError:
        raise GaitlabError(run.path, f"not a run: the file's sessions are {', '.join(run.sports)}; "
                                     "a form report needs a running session") from None


def _rd_source(run: Run) -> str:
    """Who measured the running dynamics: ``"garmin hrm_tri"``, ``"Stryd"``, ..."""
    src = run.source_fields
    if src.empty or "describe" not in src:
        return ""
    for text in src["describe"].dropna():
        m = re.search(r"running dynamics from (.+)\)$", str(text))
        if m:
            who = m.group(1)
            inner = re.search(r"\((\w+)$", who)  # "the recording device (stryd" -> stryd
            return (inner.group(1) if inner else who).replace("_", " ")
    brands = [b for b in src.get("brand", pd.Series(dtype=str)).dropna().unique() if b != "native"]
    return ", ".join(brands)


def _device_text(run: Run) -> str:
    dev = run.device or {}
    parts = [str(x) for x in (dev.get("manufacturer"), dev.get("product_name") or dev.get("product")) if x]
    if not parts:
        return "unknown (IMU recording without device information)" if run.format == "csv" else "unknown"
    sw = dev.get("software_version")
    return " ".join(parts) + (f" (software {sw})" if sw else "")


def _sensors_text(run: Run) -> str:
    names: list[str] = []
    s = run.sensors
    if len(s):
        for x in s.to_dict("records"):
            if x.get("device_index") in ("creator", "0") or not x.get("manufacturer") or not x.get("product"):
                continue
            if str(x.get("product")) == str(run.device.get("product")):
                continue  # the watch itself
            names.append(f"{x['manufacturer']} {x.get('product_name') or x['product']}".replace("_", " "))
    apps = run.developer_apps
    if len(apps) and "brand" in apps:
        names += [f"{b} (developer fields)" for b in apps["brand"].dropna().unique()]
    if len(run.imu):
        names.append(f"IMU {run.imu_rate_hz:g} Hz" + ("" if all(f"gyr_{a}_dps" in run.imu for a in "xyz")
                                                       else " (accelerometer only)"))
    return ", ".join(dict.fromkeys(names)) or "none recorded"


def _header(run: Run, analysis: Analysis | None, kind: str, source: str,
            elev: dict | None) -> list[tuple[str, str]]:
    start = run.start_time
    rows = [("Start", start.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S UTC") if start is not None
             else "unknown (the recording has no absolute time)")]
    rows.append(("Device", _device_text(run)))
    rows.append(("Sensors", _sensors_text(run)))
    if analysis is not None:
        mnt = analysis.info.get("mounting", {})
        axes = ", ".join(f"{k} = sensor {v}" for k, v in mnt.get("axes", {}).items())
        rows.append(("Placement", f"pelvis-worn IMU; {axes} (mounting confidence {mnt.get('confidence', float('nan')):.2f}, "
                                  f"up from {mnt.get('up_from', '?')}); neutral obliquity "
                                  f"{fmt_value('x_deg', analysis.info.get('neutral_obliquity_deg'))} deg "
                                  f"from {analysis.info.get('neutral_source', '?')}"
                                  + (f"; {lever}" if (lever := describe_fit(analysis.info.get("lever_arm"))) else "")))
    else:
        rows.append(("Placement", "no pelvis IMU: form from the running dynamics of "
                                  + (source or "the recording device")))
    rows.append(("Duration", fmt_clock(run.duration_s)))
    dist = run.distance_m
    rows.append(("Distance", f"{dist / 1000:.2f} km" if dist else "unknown (no GPS or foot pod distance)"))
    rows.append(("Average pace", fmt_pace(run.duration_s / (dist / 1000)) + " (elapsed time)" if dist else "unknown"))
    if elev is not None:  # Run.elevation()
        rows.append(("Elevation", describe_elevation(elev)))
    if analysis is not None:
        rows.append(("Steps", f"{analysis.info.get('steps', len(analysis.steps))} steps, "
                              f"{analysis.info.get('strides', len(analysis.strides))} strides"))
    return rows


def _quality(run: Run, analysis: Analysis | None, fat: Fatigue | None) -> list[str]:
    lines: list[str] = []
    warns = list(dict.fromkeys([*(analysis.warnings if analysis is not None else []), *run.warnings]))
    lines.append(f"{len(warns)} warning{'s' if len(warns) != 1 else ''} while reading and analysing"
                 + (":" if warns else ""))
    lines += [f"– {w}" for w in warns]
    imu = run.imu
    if len(imu) and "gap" in imu and run.imu_rate_hz:
        gap = imu["gap"].to_numpy(bool)
        n = int(np.count_nonzero(np.diff(np.concatenate([[0], gap.astype(int)])) == 1))
        lines.append(f"IMU gaps: {n} ({gap.sum() / run.imu_rate_hz:.1f} s without data, left out)" if n
                     else "IMU gaps: none")
    t = run.records.get("elapsed_s")
    if t is not None and len(t) > 1:
        dt = np.diff(t.to_numpy(float))
        holes = dt[dt > 30]
        lines.append(f"Record gaps over 30 s (pauses or dropouts): {len(holes)}"
                     + (f", {holes.sum() / 60:.1f} min in all" if len(holes) else ""))
    if analysis is not None:
        conf = analysis.info.get("side_confidence")
        low = int((analysis.steps["side_confidence"] < 0.5).sum()) if "side_confidence" in analysis.steps else 0
        lines.append(f"Side (left/right) confidence: median {conf:.2f} (0-1); {low} of {len(analysis.steps)} "
                     "steps uncertain" if conf is not None else "Side confidence: unknown")
    if fat is not None:
        lines += [f"Fatigue analysis: {n}" for n in fat.notes]
    return lines


_CHANGE_VERB = {"step": "changing at once at", "levelling": "drifting, then levelling off, from"}


def _fatigue_lines(f: Fatigue | None) -> list[str]:
    if f is None:
        return []
    lines = [f"Baseline: {fmt_clock(f.baseline_s[0])} to {fmt_clock(f.baseline_s[1])} (h:mm:ss or m:ss from the start)."]
    if f.onset_s is not None:
        ci = f" (95 % interval {fmt_clock(f.onset_ci_s[0])} to {fmt_clock(f.onset_ci_s[1])})" if f.onset_ci_s else ""
        at = f", at {f.onset_distance_m / 1000:.2f} km" if f.onset_distance_m is not None else ""
        shape = {"step": "; form changed at once", "levelling": "; form slipped fast at first, then levelled off"
                 }.get(f.onset_shape, "")
        if f.not_running_s >= NOT_RUNNING_SAID_S:  # walks or stops before it: how much of it was running
            at += (f"; after {fmt_clock(f.held_s)}" + (f" / {f.held_m / 1000:.2f} km" if f.held_m else "")
                   + " of running (walks and stops left out)")
        lines.append(f"Onset: {fmt_clock(f.onset_s)}{ci}{at}{shape}.")
    else:
        lines.append("Onset: none; form held to the end.")
    moved = f.metrics.dropna(subset=["onset_s"])
    matched = ", at matched pace" if f.series["speed_mps"].notna().any() else ""
    for m, row in moved.iterrows():
        lines.append(f"{label_of(m, False)}: from {fmt_value(m, row['baseline_mean'])} to "
                     f"{fmt_value(m, row['baseline_mean'] + row['end_change'])} {unit_label(m)} "
                     f"(last 5 min vs baseline{matched}), "
                     f"{_CHANGE_VERB.get(row.get('change_shape'), 'drifting from')} "
                     f"{fmt_clock(row['onset_s'])}.")
    for _, w in f.cue_windows.iterrows():
        names = ", ".join(label_of(m, False) for m in w["metrics"]) or "form index"
        where = (f", {w['start_m'] / 1000:.2f}-{w['end_m'] / 1000:.2f} km"
                 if w.get("start_m") is not None and np.isfinite(w["start_m"]) else "")
        lines.append(f"Cue window {fmt_clock(w['start_s'])}-{fmt_clock(w['end_s'])}{where}: {names}.")
    return lines


def _sides(run: Run, analysis: Analysis | None, kind: str, source: str, missing: list[tuple[str, str]]
           ) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]], pd.DataFrame]:
    rows: dict[str, dict[str, Any]] = {}
    samples: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    balance = pd.DataFrame()
    if analysis is not None:
        st = analysis.steps
        for col in ("pelvic_drop_deg", "gct_ms", "flight_ms", "vertical_oscillation_mm"):
            if col not in st or not st[col].notna().any():
                continue
            left = st.loc[st["side"] == "L", col].dropna().to_numpy(float)
            right = st.loc[st["side"] == "R", col].dropna().to_numpy(float)
            l_med, r_med = (float(np.median(v)) if len(v) else np.nan for v in (left, right))
            rows[col] = {"left": l_med, "right": r_med, "difference": l_med - r_med, "unit": unit_label(col)}
            if col in ("pelvic_drop_deg", "gct_ms"):
                samples[col] = (left, right)
        if "pelvic_drop_deg" not in rows:
            missing.append(("Pelvic drop per side", "the recording has no gyroscope: pelvic angles need one"))
        missing.append(("Stance time balance", "a Garmin running-dynamics field; this pelvis IMU recording gives "
                                               "ground contact per side instead (table above)"))
    else:
        r = run.records
        bal = r.get("stance_time_balance_left_pct")
        if bal is not None and bal.notna().sum() >= 10:
            ok = bal.notna() & (bal > 30) & (bal < 70)  # outside: dropouts reported as 0 or 100
            balance = pd.DataFrame({"t_s": r.loc[ok, "elapsed_s"].to_numpy(float),
                                    "stance_time_balance_left_pct": bal[ok].to_numpy(float)})
            b = float(np.median(balance["stance_time_balance_left_pct"]))
            rows["stance_time_balance_left_pct"] = {"left": b, "right": 100 - b, "difference": 2 * b - 100, "unit": "%"}
        else:
            who = source or "the recording device"
            missing.append(("Left/right balance", f"the file has no per-side values (stance time balance); "
                                                  f"{who} reports both feet together"))
        missing.append(("Pelvic drop (left and right)", "pelvic drop needs a pelvis-worn IMU; this file has "
                                                        f"{_rd_brand(source)} running dynamics only"))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["left", "right", "difference", "unit"])
    table.index.name = "metric"
    return table, samples, balance


def _rd_brand(source: str) -> str:
    s = source.lower()
    for brand in ("stryd", "garmin", "coros", "polar", "suunto", "runscribe"):
        if brand in s:
            return brand.capitalize() if brand != "runscribe" else "RunScribe"
    return "watch"


def _rotation(analysis: Analysis | None, source: str, missing: list[tuple[str, str]]) -> pd.DataFrame:
    if analysis is None:
        missing.append(("Pelvic rotation and tilt", "need a pelvis-worn IMU; this file has "
                                                    f"{_rd_brand(source)} running dynamics only"))
        return pd.DataFrame(columns=["t_s", "pelvic_rotation_deg"])
    sr = analysis.strides
    if not len(sr) or not sr["pelvic_rotation_deg"].notna().any():
        missing.append(("Pelvic rotation", "no whole strides with a gyroscope signal to measure it on"))
        return pd.DataFrame(columns=["t_s", "pelvic_rotation_deg"])
    return sr[["t_s", "pelvic_rotation_deg"]].dropna().reset_index(drop=True)


def _context_missing(run: Run, kind: str, series: pd.DataFrame, elev: dict | None,
                     missing: list[tuple[str, str]]) -> None:
    has_speed = "speed_mps" in series and series["speed_mps"].notna().any()
    has_alt = "altitude_m" in series and series["altitude_m"].notna().any()
    if kind == "imu" and not len(run.records):
        missing.append(("Pace and elevation", "this IMU recording has no GPS (no speed, distance or altitude); "
                                              "form is compared raw, not at matched pace"))
        return
    if kind == "imu" and run.relative_altitude:  # a phone's barometer without its GPS track
        missing.append(("Pace and grade", "this IMU recording has no GPS (no speed or distance: its barometer "
                                          "gives the climb, not the grade); form is compared raw, not at matched "
                                          "pace"))
        return
    # the series holds the running only: a file can have speed where no record was running
    def in_file(*cols: str) -> bool:
        return any(c in run.records and run.records[c].notna().any() for c in cols)

    walked = "no running records to plot it over (standing and walking are left out)"
    if not has_speed:
        missing.append(("Pace", walked if in_file("speed_mps") else "the file has no speed records"))
    if not has_alt:
        missing.append(("Elevation", walked if in_file("altitude_m", "enhanced_altitude_m")
                        else "the file has no altitude records (no GPS or barometer)"))
    elif elev is None:
        if run.format == "csv":  # a phone's GPS track beside its IMU
            why = ("a phone's GPS height wanders by metres within a minute, so its climbs would add up to several "
                   "times the true ones; a barometer beside it (Sensor Logger's Barometer.csv, phyphox's Pressure) "
                   "gives them")
        else:
            why = (f"the altitude records jitter by {altitude_jitter_m(run.records['altitude_m']):.1f} m from one to "
                   "the next (a GPS height, not a barometer's), so their climbs would add up to several times the "
                   "true ones, and the file has no totals of its own")
        missing.append(("Ascent and descent", why))


def _samples(run: Run, analysis: Analysis | None, kind: str) -> pd.DataFrame:
    """Per-step (IMU) or per-record (FIT) values with ``t_s``, for the splits."""
    if analysis is not None:
        st = analysis.steps
        out = pd.DataFrame({"t_s": st["t_s"].to_numpy(float)})
        if st["pelvic_drop_deg"].notna().any():
            out["pelvic_drop_left_deg"] = st["pelvic_drop_deg"].where(st["side"] == "L").to_numpy(float)
            out["pelvic_drop_right_deg"] = st["pelvic_drop_deg"].where(st["side"] == "R").to_numpy(float)
        for c in ("gct_ms", "cadence_spm", "vertical_oscillation_mm"):
            out[c] = st[c].to_numpy(float)
        sr = analysis.strides
        if len(sr) and sr["pelvic_rotation_deg"].notna().any():
            out = pd.concat([out, pd.DataFrame({"t_s": sr["t_s"].to_numpy(float),
                                                "pelvic_rotation_deg": sr["pelvic_rotation_deg"].to_numpy(float)})],
                            ignore_index=True)
        return out
    r = run.records
    out = pd.DataFrame({"t_s": r["elapsed_s"].to_numpy(float)})
    for c in _KEY_FIT[:6]:
        if c in r and r[c].notna().sum() >= 10:
            v = r[c].to_numpy(float)
            if c == "stance_time_balance_left_pct":
                v = np.where((v > 30) & (v < 70), v, np.nan)
            out[c] = v
    # pauses and walk breaks carry no form: cadence and contact of standing or walking are not running form
    out.loc[~run.running_records(), out.columns[1:]] = np.nan
    return out


def _splits(run: Run, analysis: Analysis | None, kind: str) -> tuple[pd.DataFrame, str]:
    """Per-km medians when the run has distance records, else per 5 min; with
    each split's ``ascent_m`` and ``descent_m`` where the altitude records can
    be counted (:meth:`~gaitlab.run.Run.climb_profile`: the splits' add up to
    the whole run's count)."""
    samples = _samples(run, analysis, kind)
    metrics = [c for c in samples.columns if c != "t_s"]
    r = run.records
    d = r.get("distance_m")
    if d is not None and d.notna().sum() >= 2 and run.distance_m:
        t_rec = r.loc[d.notna(), "elapsed_s"].to_numpy(float)
        dist = np.maximum.accumulate(d.dropna().to_numpy(float) - float(d.min()))  # never backwards
        total = float(dist[-1])
        n = int(np.ceil(total / 1000 - 1e-9))
        edges_m = np.minimum(np.arange(n + 1) * 1000.0, total)
        # the first time each km mark is reached (searchsorted on the non-decreasing distance)
        idx = np.clip(np.searchsorted(dist, edges_m, side="left"), 0, len(dist) - 1)
        prev = np.maximum(idx - 1, 0)
        span = dist[idx] - dist[prev]
        frac = np.where(span > 0, (edges_m - dist[prev]) / np.where(span > 0, span, 1), 1.0)
        edges_t = t_rec[prev] + frac * (t_rec[idx] - t_rec[prev])
        edges_t[0] = t_rec[0]
        key = np.clip(np.searchsorted(edges_t, samples["t_s"].to_numpy(float), side="right") - 1, 0, n - 1)
        table = pd.DataFrame({"split": np.arange(1, n + 1), "start_s": edges_t[:-1], "end_s": edges_t[1:],
                              "distance_m": np.diff(edges_m), "end_distance_m": edges_m[1:]})
        split_by = "km"
    else:
        t = samples["t_s"].to_numpy(float)
        t0, t1 = (float(np.nanmin(t)), float(np.nanmax(t))) if len(t) else (0.0, run.duration_s)
        t0 = 0.0 if t0 < 300 else t0
        n = max(1, int(np.ceil((t1 - t0) / 300 - 1e-9)))
        edges_t = np.minimum(t0 + np.arange(n + 1) * 300.0, t1)
        key = np.clip(((t - t0) // 300).astype(int), 0, n - 1)
        table = pd.DataFrame({"split": np.arange(1, n + 1), "start_s": edges_t[:-1], "end_s": edges_t[1:]})
        split_by = "5 min"
    table["duration_s"] = table["end_s"] - table["start_s"]
    climb = run.climb_profile()
    if climb is not None:
        timed = climb[np.isfinite(climb["elapsed_s"])]  # a salvaged file's records can lack a time
        for c in ("ascent_m", "descent_m"):
            table[c] = np.diff(np.interp(edges_t, timed["elapsed_s"], timed[c]))
        table.attrs["climb_from"] = climb.attrs["from"]
    if "distance_m" in table:
        table["pace_s_per_km"] = table["duration_s"] / (table["distance_m"] / 1000).where(table["distance_m"] > 0)
    med = samples[metrics].groupby(key).median().reindex(range(n))
    for c in metrics:
        table[c] = med[c].to_numpy(float)
    return table, split_by


def _glossary(shown: list[str], kind: str, with_fatigue: bool, context: list[str],
              relative_altitude: bool = False) -> list[tuple[str, str, str]]:
    out = []
    for m in shown:
        col = m.replace("_left", "").replace("_right", "")
        if col in STEP_COLUMNS and kind == "imu":
            what = STEP_COLUMNS[col]
            if m != col:
                side = "left" if "_left" in m else "right"
                what = f"{what}, in {side} stance (the {'right' if side == 'left' else 'left'} hemipelvis dropping)"
        elif m in STRIDE_COLUMNS:
            what = STRIDE_COLUMNS[m]
        elif m in FORM_METRICS:
            what = FORM_METRICS[m]
        elif m in METRICS:
            what = METRICS[m].meaning
        else:
            what = m.replace("_", " ")
        out.append((label_of(m, False), what, unit_label(m)))
    extra = ["form_index", "baseline", "onset", "cue window"] if with_fatigue else []
    extra += [k for k, c in (("pace", "speed_mps"), ("elevation", "altitude_m"), ("up", "ascent_m"),
                             ("down", "descent_m")) if c in context]
    for k in extra:
        what, unit = _GLOSSARY_EXTRA["relative elevation" if k == "elevation" and relative_altitude else k]
        out.append((label_of(k, False) if k in _LABELS else k.capitalize(), what, unit))
    return out
