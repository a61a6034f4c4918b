"""Form endurance across runs: does the breakdown come later as training goes on?"""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import GaitlabError
from ..io import read, runs_in
from ..metrics import Analysis
from ..run import Run
from .analysis import FatigueAnalyzer, fatigue

__all__ = ["FormEndurance", "form_endurance"]


@dataclass
class FormEndurance:
    """Form endurance of several runs.

    Attributes
    ----------
    runs
        One row per run, by date: ``run`` (file name), ``start_time`` (UTC),
        ``duration_min``, ``distance_km`` (first to last running record or
        step), ``running_min``, ``running_km`` (of that, the running: walks
        and stops out), ``ascent_m`` (the running's climb,
        :meth:`~gaitlab.run.Run.elevation`: a hilly day's form may break
        earlier; NaN when unknown), ``onset_min``, ``onset_km`` (where in the
        recording; NaN when form held), ``onset_lo_min``, ``onset_hi_min``
        (its 95 % interval: an onset is uncertain by minutes, as form wanders
        on its own), ``held_min``, ``held_km`` (minutes and km of running
        before the onset, or the whole run's running: a walk to the start or
        a walk break is not form endurance), ``censored`` (True when form held
        to the end: the true endurance is at least ``held_min``),
        ``first_metrics`` (what moved first), ``error`` (why a run could not
        be analysed).
        A run given twice (the same start time, length, distance and minutes
        held: say a ``.fit`` and its ``.fit.gz``; or the same length and
        distance with its clock whole quarter hours off, as a copy re-saved in
        another time zone) is listed again with that in ``error``, and counted
        once.
    trend
        ``held_min_per_30_days`` (least-squares slope over the calendar),
        ``onset_share_first``/``onset_share_last`` (share of the runs in the
        first and last third that broke down), ``runs`` (in the trend), and
        ``direction`` ("later", "earlier", "no clear change", "too few runs",
        "all at one time").
        ``basis`` says what the slope is over: "calendar" (the dated runs;
        ``undated`` counts those left out), or "order given" when no run has a
        date (then ``held_min_per_run`` is the slope and ``held_min_per_30_days``
        is None).
    """

    runs: pd.DataFrame
    trend: dict

    def __repr__(self) -> str:  # one line in a notebook, not the table
        t = self.trend
        slope = t.get("held_min_per_30_days") if t.get("basis") == "calendar" else t.get("held_min_per_run")
        per = "per 30 days" if t.get("basis") == "calendar" else "per run"
        return (f"FormEndurance({len(self.runs)} run{'s' if len(self.runs) != 1 else ''}, {t['runs']} in the trend: "
                f"{t['direction']}" + (f", {slope:+.1f} min held {per}" if slope is not None else "") + ")")

    def _repr_html_(self) -> str:
        """Jupyter: the one-line trend and the per-run table."""
        return f"<p>{html.escape(repr(self))}</p>" + self.runs.to_html(float_format="{:.1f}".format)


def _load(item, analyzer: FatigueAnalyzer) -> tuple[str, pd.Timestamp | None, object, float]:
    """Name, start, fatigue analysis and ascent (m, NaN when unknown) of one run."""
    if isinstance(item, (str, PathLike)):
        name = Path(item).name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run = read(item)
        return name, run.start_time, fatigue(run, analyzer), _ascent_m(run)
    run = item.run if isinstance(item, Analysis) else item
    name = run.path.name if isinstance(run, Run) and run.path else "in-memory"
    return name, run.start_time, fatigue(item, analyzer), _ascent_m(run)


def _ascent_m(run: Run) -> float:
    """The ascent of the running sessions (as the fatigue analysis takes them)."""
    try:
        e = run.running().elevation()
    except LookupError:
        return np.nan
    return e["ascent_m"] if e is not None else np.nan


def form_endurance(
    runs: Iterable[Run | Analysis | str | PathLike[str]] | str | PathLike[str],
    analyzer: FatigueAnalyzer = FatigueAnalyzer(),
) -> FormEndurance:
    """Minutes and km of running before form broke down, run by run, and their trend.

    Parameters
    ----------
    runs
        Paths, :class:`~gaitlab.run.Run` or :class:`~gaitlab.metrics.Analysis`
        objects; or one folder, whose runs are its FIT and zip files and its
        text files of sensor samples (:func:`gaitlab.io.runs_in`).
    analyzer
        Fatigue analysis parameters, the same for every run.
    """
    if isinstance(runs, (str, PathLike)):  # not a string's characters
        folder = Path(runs)
        runs = runs_in(folder) if folder.is_dir() else [runs]
    elif isinstance(runs, (Run, Analysis)):
        runs = [runs]
    rows = []
    for item in runs:
        try:
            name, start, f, ascent = _load(item, analyzer)
        except GaitlabError as exc:  # named like the others: the file name (the error has the path)
            where = item if isinstance(item, (str, PathLike)) else exc.path
            rows.append({"run": Path(where).name if where else "in-memory", "error": str(exc)})
            continue
        first = f.metrics.dropna(subset=["onset_s"]).sort_values("onset_s").index[:3].tolist() if len(f.metrics) else []
        rows.append({
            "run": name,
            "start_time": start,
            "duration_min": f.duration_s / 60,
            "distance_km": f.distance_m / 1000 if f.distance_m else np.nan,
            "running_min": f.running_s / 60,
            "running_km": f.running_m / 1000 if f.running_m else np.nan,
            "ascent_m": ascent,
            "onset_min": f.onset_s / 60 if f.onset_s is not None else np.nan,
            "onset_km": f.onset_distance_m / 1000 if f.onset_distance_m is not None else np.nan,
            "onset_lo_min": f.onset_ci_s[0] / 60 if f.onset_ci_s else np.nan,
            "onset_hi_min": f.onset_ci_s[1] / 60 if f.onset_ci_s else np.nan,
            "held_min": f.held_s / 60,
            "held_km": f.held_m / 1000 if f.held_m else np.nan,
            "censored": f.onset_s is None,
            "first_metrics": first,
            "error": None,
        })
    cols = ["run", "start_time", "duration_min", "distance_km", "running_min", "running_km", "ascent_m", "onset_min",
            "onset_km", "onset_lo_min", "onset_hi_min", "held_min", "held_km", "censored", "first_metrics", "error"]
    table = pd.DataFrame(rows, columns=cols)
    _mark_copies(table)
    if table["start_time"].notna().any():
        table = table.sort_values("start_time", kind="stable", na_position="last").reset_index(drop=True)
    return FormEndurance(table, _trend(table))


#: The largest clock offset between a run and a copy of it re-saved in another time zone, s.
_MAX_ZONE_S = 14 * 3600.0


def _mark_copies(table: pd.DataFrame) -> None:
    """Mark (in ``error``) each analysed, dated run that is a copy of one before
    it, so that it is counted once: it would weigh double in the trend.

    Alike in length (0.1 min) and distance (1 m; both missing also counts), a
    copy either starts at the same time and held as long (0.1 min: a ``.fit``
    and its ``.fit.gz``; simulated runs share a default start, so the start
    alone is not enough), or has a distance and starts a whole number of
    quarter hours later or earlier (within 5 s), up to 14 h: its clock in
    another time zone. GoldenCheetah re-saved ``gc-vivoactivehr-run-stryd.fit``
    with every timestamp 2 h later (and the minutes held 15 s apart: one bin).
    A week apart is another run, however alike."""
    dated = table["error"].isna() & table["start_time"].notna()
    # map(str): "nan" for a missing distance, a key like any other
    size = table["duration_min"].round(1).map(str) + "|" + table["distance_km"].round(3).map(str)
    for _, group in table[dated].groupby(size[dated], sort=False):
        seen: list[int] = []  # the group's runs so far
        kept: list[int] = []  # of those, the ones not marked
        for i in group.index:  # in the order given: the first of a pair stays
            start, held = table.at[i, "start_time"], round(table.at[i, "held_min"], 1)
            same = next((k for k in seen if table.at[k, "start_time"] == start
                         and round(table.at[k, "held_min"], 1) == held), None)
            shifted = None if same is not None or pd.isna(table.at[i, "distance_km"]) else next(
                (k for k in kept if _zone_shift(table.at[k, "start_time"], start)), None)
            seen.append(i)
            if same is not None:
                table.at[i, "error"] = (f"the same run as {table.at[same, 'run']} (same start time, length and "
                                        "distance): counted once")
            elif shifted is not None:
                hours = (start - table.at[shifted, "start_time"]).total_seconds() / 3600
                table.at[i, "error"] = (f"the same run as {table.at[shifted, 'run']} (same length and distance, its "
                                        f"clock {hours:+.2f} h off: a copy saved in another time zone): counted once")
            else:
                kept.append(i)


def _zone_shift(a: pd.Timestamp, b: pd.Timestamp) -> bool:
    d = abs((b - a).total_seconds())
    return 0 < d <= _MAX_ZONE_S + 5 and min(d % 900, 900 - d % 900) <= 5


def _trend(table: pd.DataFrame) -> dict:
    ok = table[table["error"].isna() & table["held_min"].notna()]
    dated = ok["start_time"].notna()
    # a slope over the calendar from the dated runs; by the order given only when none has a date
    use = ok[dated] if dated.any() else ok
    out = {"runs": int(len(use)), "basis": "calendar" if dated.any() else "order given",
           "undated": int((~dated).sum()) if dated.any() else 0, "held_min_per_30_days": None,
           "held_min_per_run": None, "onset_share_first": None, "onset_share_last": None,
           "direction": "too few runs"}
    if len(use) < 3:
        return out
    if dated.any():
        x = (use["start_time"] - use["start_time"].min()).dt.total_seconds().to_numpy() / 86400 / 30
    else:
        x = np.arange(len(use), dtype=float)
    y = use["held_min"].to_numpy(float)
    slope_key = "held_min_per_30_days" if dated.any() else "held_min_per_run"
    fit = np.polyfit(x, y, 1) if np.ptp(x) > 0 else None
    if fit is not None:
        out[slope_key] = float(fit[0])
    else:
        out["direction"] = "all at one time"  # no calendar to fit (simulated runs share a default start)
    third = max(1, len(use) // 3)
    broke = ~use["censored"].to_numpy(bool)
    out["onset_share_first"] = float(broke[:third].mean())
    out["onset_share_last"] = float(broke[-third:].mean())
    # "later" needs the slope to be clear of the run-to-run scatter
    if fit is not None:
        resid = y - np.polyval(fit, x)
        se = np.std(resid, ddof=2) / np.sqrt(np.sum((x - x.mean()) ** 2))
        s = out[slope_key]
        out["direction"] = "later" if s > 2 * se else "earlier" if s < -2 * se else "no clear change"
    return out
