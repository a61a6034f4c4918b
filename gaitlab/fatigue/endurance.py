"""Form endurance across runs: does the breakdown come later as training goes on?"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import GaitlabError
from ..io import read
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
        ``duration_min``, ``distance_km``, ``onset_min``, ``onset_km`` (NaN when
        form held), ``onset_lo_min``, ``onset_hi_min`` (its 95 % interval: an
        onset is uncertain by minutes, as form wanders on its own),
        ``held_min``, ``held_km`` (onset, or the whole run), ``censored``
        (True when form held to the end: the true endurance is at least
        ``held_min``), ``first_metrics`` (what moved first), ``error`` (why a
        run could not be analysed).
    trend
        ``held_min_per_30_days`` (least-squares slope over the calendar),
        ``onset_share_first``/``onset_share_last`` (share of the runs in the
        first and last third that broke down), ``runs`` (analysed), and
        ``direction`` ("later", "earlier", "no clear change", "too few runs").
    """

    runs: pd.DataFrame
    trend: dict


def _load(item, analyzer: FatigueAnalyzer) -> tuple[str, pd.Timestamp | None, object]:
    if isinstance(item, (str, PathLike)):
        name = Path(item).name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run = read(item)
        return name, run.start_time, fatigue(run, analyzer)
    run = item.run if isinstance(item, Analysis) else item
    name = run.path.name if isinstance(run, Run) and run.path else "in-memory"
    return name, run.start_time, fatigue(item, analyzer)


def form_endurance(runs: Iterable[Run | Analysis | str | PathLike[str]], analyzer: FatigueAnalyzer = FatigueAnalyzer()) -> FormEndurance:
    """Minutes and km of running before form broke down, run by run, and their trend.

    Parameters
    ----------
    runs
        Paths, :class:`~gaitlab.run.Run` or :class:`~gaitlab.metrics.Analysis` objects.
    analyzer
        Fatigue analysis parameters, the same for every run.
    """
    rows = []
    for item in runs:
        try:
            name, start, f = _load(item, analyzer)
        except GaitlabError as exc:
            rows.append({"run": str(getattr(exc, "path", item)), "error": str(exc)})
            continue
        first = f.metrics.dropna(subset=["onset_s"]).sort_values("onset_s").index[:3].tolist() if len(f.metrics) else []
        rows.append({
            "run": name,
            "start_time": start,
            "duration_min": f.duration_s / 60,
            "distance_km": f.distance_m / 1000 if f.distance_m else np.nan,
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
    cols = ["run", "start_time", "duration_min", "distance_km", "onset_min", "onset_km", "onset_lo_min",
            "onset_hi_min", "held_min", "held_km", "censored", "first_metrics", "error"]
    table = pd.DataFrame(rows, columns=cols)
    if table["start_time"].notna().any():
        table = table.sort_values("start_time", kind="stable", na_position="last").reset_index(drop=True)
    return FormEndurance(table, _trend(table))


def _trend(table: pd.DataFrame) -> dict:
    ok = table[table["error"].isna() & table["held_min"].notna()]
    out = {"runs": int(len(ok)), "held_min_per_30_days": None, "onset_share_first": None, "onset_share_last": None,
           "direction": "too few runs"}
    if len(ok) < 3:
        return out
    if ok["start_time"].notna().all():
        days = (ok["start_time"] - ok["start_time"].min()).dt.total_seconds().to_numpy() / 86400
    else:
        days = np.arange(len(ok), dtype=float)  # in the order given
    y = ok["held_min"].to_numpy(float)
    if np.ptp(days) > 0:
        slope = float(np.polyfit(days, y, 1)[0] * 30)
        out["held_min_per_30_days"] = slope
    third = max(1, len(ok) // 3)
    broke = ~ok["censored"].to_numpy(bool)
    out["onset_share_first"] = float(broke[:third].mean())
    out["onset_share_last"] = float(broke[-third:].mean())
    # "later" needs the slope to be clear of the run-to-run scatter
    if out["held_min_per_30_days"] is not None:
        resid = y - np.polyval(np.polyfit(days, y, 1), days)
        se = np.std(resid, ddof=2) / np.sqrt(np.sum((days - days.mean()) ** 2)) * 30 if len(y) > 2 else np.inf
        s = out["held_min_per_30_days"]
        out["direction"] = "later" if s > 2 * se else "earlier" if s < -2 * se else "no clear change"
    return out
