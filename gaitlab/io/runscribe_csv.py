"""RunScribe per-stride CSV (the dashboard's data of one shoe pod) into a :class:`~gaitlab.run.Run`.

RunScribe pods (laces or heel, one per foot) measure every stride; the richest
data a runner can get out of the RunScribe dashboard is its per-stride table,
as the read-runscribe script (richardjy/read-runscribe) writes it::

    datetime, time (s), time (hms), active_status, active_dist (mi), active_time (s),
    pause_time (s), stride_pace (mi/min), step_rate (s/min), stride_length (ft),
    contact_time (ms), braking_gs, impact_gs, footstrike_type, max_pronation_vel,
    pronation_fs_mp, pronation_mp_to, stance_fs_mp, stance_mp_to

with a SportTracks import-hint row under the header (``datetime, , , ..., power,
cadence``), one file per foot (``run_37075right.csv``). Units as written there:
``stride_pace`` is minutes per mile despite its header (7.8 at 3.4 m/s, the
speed its stride length and step rate give), ``step_rate`` steps per minute,
distance in miles, stride length in feet, pronation in degrees and deg/s,
stance phases in % of contact.

The strides become ``records`` (one row per stride, not per second): the
canonical ``speed_mps``, ``distance_m``, ``cadence_spm`` and ``step_length_mm``,
and the pod's metrics as the FIT importer names RunScribe's developer fields
(:mod:`gaitlab.io.fit.developer`), with the foot from the file name:
``runscribe_impact_right_g``, ``runscribe_braking_right_g``,
``runscribe_contact_time_right_ms``, ``runscribe_footstrike_type_right``,
``runscribe_pronation_excursion_right_deg`` (footstrike to mid-stance),
``runscribe_pronation_velocity_right_dps``; the rest keep their own names
after ``runscribe_``. The times carry no time zone and are taken as UTC.
"""

from __future__ import annotations

import io
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FileFormatError
from ..run import Run
from ._gzip import head_of, unzipped
from .fit.developer import runscribe_column

__all__ = ["is_runscribe_csv", "read_runscribe_csv"]

_MILE_M = 1609.344
_FOOT_MM = 304.8
#: Header marks of the per-stride export (all must be there).
_MARKS = ("contact_time (ms)", "braking_gs", "impact_gs", "footstrike_type")
#: column -> (metric, unit suffix): the pod's metrics, per foot, in the units written.
_METRICS = {
    "contact_time (ms)": ("contact_time", "ms"),
    "braking_gs": ("braking", "g"),
    "impact_gs": ("impact", "g"),
    "footstrike_type": ("footstrike_type", ""),
    "max_pronation_vel": ("pronation_velocity", "dps"),
    "pronation_fs_mp": ("pronation_excursion", "deg"),
    "pronation_mp_to": ("pronation_mp_to", "deg"),
    "stance_fs_mp": ("stance_fs_mp", "pct"),
    "stance_mp_to": ("stance_mp_to", "pct"),
}


def _raw(p: Path, name: str, warns: list[str]) -> bytes:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(name, f"cannot be read ({exc.strerror or exc})") from None
    return unzipped(data, name, warns)


def is_runscribe_csv(path: str | PathLike[str]) -> bool:
    """Whether a CSV (or ``.csv.gz``) file's header is RunScribe's per-stride export."""
    head = head_of(path, 4096)
    if head is None:
        return False  # the CSV reader says what is wrong with it
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lower()
    return all(m in first for m in _MARKS)


def _foot(name: str) -> str | None:
    n = name.lower()
    sides = [s for s in ("left", "right") if s in n]
    return sides[0] if len(sides) == 1 else None


def read_runscribe_csv(path: str | PathLike[str]) -> Run:
    """Read a RunScribe per-stride CSV.

    Parameters
    ----------
    path
        The file (``.csv`` or ``.csv.gz``); opened read-only. The foot is taken
        from its name (``left`` or ``right`` in it); otherwise the columns have
        no side (``runscribe_impact_g``), as older RunScribe apps wrote them.

    Returns
    -------
    Run
        ``format="csv"``, ``records`` one row per stride (module notes),
        ``start_time`` and ``warnings``.

    Raises
    ------
    FileFormatError
        No readable time column, or no stride in the file.
    """
    p = Path(path)
    name = str(path)
    warns: list[str] = []
    raw = _raw(p, name, warns)
    try:
        # damaged bytes spoil their rows (skipped, counted below), not the file
        df = pd.read_csv(io.BytesIO(raw), skipinitialspace=True, index_col=False, on_bad_lines="skip",
                         encoding_errors="replace")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise FileFormatError(name, f"not a readable RunScribe CSV ({str(exc).splitlines()[0]})") from None
    skipped = sum(1 for ln in raw.split(b"\n") if ln.strip()) - 1 - len(df)
    if skipped > 0:
        warns.append(f"{name}: dropped {skipped} unreadable row{'s' if skipped != 1 else ''} (wrong number of fields)")
    df.columns = [str(c).strip() for c in df.columns]
    if "time (s)" not in df:
        raise FileFormatError(name, "RunScribe CSV without its 'time (s)' column")
    t = pd.to_numeric(df["time (s)"], errors="coerce")
    # the SportTracks hint row under the header ("datetime, , , ..., power, cadence")
    # has no time; other rows without one are damage
    hint = len(df) and "datetime" in df and str(df["datetime"].iloc[0]).strip().lower() == "datetime"
    bad = int(t.isna().sum()) - int(bool(hint))
    if bad:
        warns.append(f"{name}: {bad} row{'s' if bad != 1 else ''} without a time left out")
    df, t = df[t.notna()].reset_index(drop=True), t[t.notna()].to_numpy(float)
    if not len(df):
        raise FileFormatError(name, "no stride in the RunScribe CSV")
    if np.any(np.diff(t) < 0):
        order = np.argsort(t, kind="stable")
        df, t = df.iloc[order].reset_index(drop=True), t[order]
        warns.append(f"{name}: strides out of time order, sorted")

    def num(col: str) -> np.ndarray:
        return pd.to_numeric(df[col], errors="coerce").to_numpy(float) if col in df else np.full(len(df), np.nan)

    stamps = pd.to_datetime(df["datetime"], errors="coerce") if "datetime" in df else None
    if stamps is not None and stamps.notna().any():
        stamps = stamps.dt.tz_localize("UTC")
        warns.append(f"{name}: times in 'datetime' have no time zone; assumed UTC")
        start = stamps.dropna().iloc[0] - pd.to_timedelta(t[int(np.flatnonzero(stamps.notna())[0])] - t[0], "s")
        timestamp = start + pd.to_timedelta(t - t[0], "s")
    else:
        start, timestamp = None, pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")
    rec = pd.DataFrame({"timestamp": timestamp, "elapsed_s": t - t[0]})
    with np.errstate(divide="ignore", invalid="ignore"):
        pace = num("stride_pace (mi/min)")  # minutes per mile (module notes)
        rec["speed_mps"] = np.where(pace > 0, _MILE_M / (60 * pace), np.nan)
    rec["distance_m"] = num("active_dist (mi)") * _MILE_M
    rec["cadence_spm"] = num("step_rate (s/min)")
    rec["step_length_mm"] = num("stride_length (ft)") * _FOOT_MM / 2
    # the pace column's unit, checked against stride length x stride rate
    v_len = rec["step_length_mm"] / 1000 * rec["cadence_spm"] / 60
    ratio = float(np.nanmedian(rec["speed_mps"] / v_len)) if np.isfinite(v_len).any() else 1.0
    if not 0.9 <= ratio <= 1.1:
        warns.append(f"{name}: stride pace and stride length x step rate disagree ({ratio:.2f}x); speed from the latter")
        rec["speed_mps"] = v_len
    foot = _foot(p.name)
    if foot is None:
        warns.append(f"{name}: which foot is not in the file name ('left' or 'right'); metrics have no side")
    for col, (metric, unit) in _METRICS.items():
        if col in df:
            rec[runscribe_column(metric, foot, unit)] = num(col)
    for col in ("active_status", "active_time (s)", "pause_time (s)"):
        if col in df:
            rec["runscribe_" + col.replace(" (s)", "_s")] = num(col)
    sources = pd.DataFrame(
        [{"column": c, "message": "stride", "field": c, "brand": "runscribe", "developer_app": None,
          "describe": "RunScribe per-stride CSV", "factor": 1.0, "units_in_file": None} for c in rec.columns]
    )
    return Run(
        path=p, format="csv", records=rec, device={"manufacturer": "runscribe", "product": "shoe pod"},
        sport="running", start_time=start, source_fields=sources, warnings=warns,
    )
