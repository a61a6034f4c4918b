"""Read a FIT (or gzipped FIT) file into a :class:`~gaitlab.run.Run`.

Decoding is done by fitfast (a binding to the rustyfit crate, ~70x faster than
fitparse). fitfast refuses a whole file for one fault, so on failure the file is
walked structurally (:mod:`._salvage`), damaged stretches are skipped, and
the intact parts are decoded from a rebuilt copy in memory. The file itself is
only ever opened for reading.
"""

from __future__ import annotations

import os
import warnings as _warnings
from os import PathLike
from pathlib import Path
from typing import Any

import fitfast
import fitparse.profile as _profile
import numpy as np
import pandas as pd

from ...errors import DamagedFileError, DamagedFileWarning, FileFormatError
from ...run import Run
from .._gzip import gunzip, is_gzip
from . import _salvage
from .developer import DevColumn, classify_apps, map_field
from .fields import FOOT_SPORTS, ZERO_IS_MISSING, canonical_name, is_date_time
from ..grid import to_common_grid
from .imu import imu_table

__all__ = ["read_fit", "decode_fit_bytes"]

_GARMIN_PRODUCTS = _profile.FIELD_TYPES["garmin_product"].values
_ANTPLUS_TYPES = _profile.FIELD_TYPES["antplus_device_type"].values
_GARMIN_LIKE = {"garmin", "dynastream", "dynastream_oem", "tacx"}


# ----------------------------------------------------------------------------- bytes
def _sniff(buf: bytes) -> str | None:
    """Name of a well-known non-FIT format, from its first bytes."""
    if buf.startswith(b"\x89PNG"):
        return "a PNG image"
    if buf[:3] == b"\xff\xd8\xff":
        return "a JPEG image"
    if buf.startswith(b"PK\x03\x04"):
        return "a ZIP archive (unzip it first)"
    if buf.startswith(b"%PDF"):
        return "a PDF document"
    head = buf[:512].lstrip()
    if head.startswith((b"<?xml", b"<gpx", b"<Training")):
        return "an XML file (GPX/TCX), not FIT"
    if head.startswith((b"{", b"[")):
        return "a JSON file, not FIT"
    try:
        head.decode("utf-8")
        if b"," in head or b"\t" in head:
            return "a text/CSV file, not FIT"
    except UnicodeDecodeError:
        pass
    return None


def decode_fit_bytes(buf: bytes, path: str = "<bytes>") -> tuple[dict[str, list[dict]], list[str]]:
    """Decode FIT bytes into messages, salvaging what a damaged file still holds.

    Parameters
    ----------
    buf
        The FIT file's bytes (already decompressed).
    path
        Name to use in errors and warnings.

    Returns
    -------
    messages, problems
        Messages by name as fitfast's ``parse`` gives them, and what was wrong.

    Raises
    ------
    FileFormatError
        Empty input, or input that is not FIT.
    DamagedFileError
        A FIT header but not a single readable message.
    """
    if not buf:
        raise FileFormatError(path, "the file is empty (0 bytes)")
    try:
        messages = _parse(buf)
        if not _reused_developer_index(messages):
            return _finish(messages), []
        first_error = "a developer data index is registered twice"
    except fitfast.FitDecodeError as exc:
        first_error = str(exc)
    result = _salvage.scan(buf)
    if not result.sequences:
        kind = _sniff(buf)
        raise FileFormatError(
            path, f"not a FIT file: it is {kind}" if kind else "not a FIT file (no FIT header)"
        )
    if result.n_messages == 0:
        raise DamagedFileError(
            path,
            "FIT header found but no message could be read"
            + (f" ({result.problems[0]})" if result.problems else f" ({first_error})"),
        )
    _salvage.remap_developer_indexes(buf, result)
    rebuilt = _salvage.rebuild(buf, result)
    try:
        messages = _parse(rebuilt)
    except fitfast.FitDecodeError as exc:  # structure sound but values the decoder rejects
        raise DamagedFileError(path, f"FIT data could not be decoded ({exc})") from None
    _finish(messages)
    problems = list(result.problems)
    if problems:
        skipped = sum(b - a for seq in result.sequences for a, b in seq.skipped)
        # Bytes can pass for whole records only where the walk met broken structure;
        # where the one fault is the CRC, every record is as written but a field may
        # be damaged (a flipped time byte, zeroed bytes): that field is left out
        structural = any(seq.skipped or not seq.complete for seq in result.sequences)
        # first the messages read next to where the walk skipped damage or stopped
        for name in _CHECKED:
            _drop_torn(messages, name, result.at_risk(_MESG_NUM[name]), problems)
        for name in _CHECKED:
            _drop_time_detours(messages, problems, drop=structural, name=name)
        _drop_distance_spikes(messages, problems, drop=structural)
        kept = len(messages.get("record", []))
        problems.append(f"kept {kept} record messages, read around {skipped} damaged bytes" if skipped
                        else f"kept {kept} record messages read before the damage")
    return messages, problems


#: Record columns that a device fills only on foot (running dynamics, foot pods).
_ON_FOOT_ONLY = ("stance_time_ms", "stance_time_pct", "vertical_oscillation_mm", "vertical_ratio_pct")

#: A time step this large splits a salvaged file's records into stretches.
_DETOUR_S = 6 * 3600
#: Stretches of at least this many records are trusted as the run's time line.
_TRUSTED_RECORDS = 60


#: Raw IMU messages: their times place every sample, so damaged ones are dropped like records.
_IMU_MESSAGES = ("accelerometer_data", "gyroscope_data", "magnetometer_data")


def _drop_time_detours(messages: dict[str, list[dict]], problems: list[str], drop: bool = True,
                       name: str = "record") -> None:
    """Drop, from a salvaged file, records read from damaged bytes: short stretches
    whose times leave the time line and come back (``drop=False``: keep them,
    without a time).

    Bytes of a damaged stretch can pass the structural checks as records; their
    timestamps are then random (a real Strava export has three single records
    64 years ahead of their neighbours, with 11 m/s speeds) and would stretch every
    time axis to decades. The records are split where time steps more than 6 h;
    stretches of at least 60 records (or the longest) are the time line. A shorter
    stretch between two of them is dropped when its times lie more than 6 h
    outside the gap it sits in. A clock that really jumped, or a new day in a
    multi-day file, does not come back, and is kept (and warned about later).
    """
    recs = messages.get(name)
    if not recs:
        return
    t = np.array([m.get("timestamp") for m in recs], dtype="float64")
    filled = pd.Series(t).ffill().bfill().to_numpy()
    seg = np.concatenate([[0], np.cumsum(np.abs(np.diff(filled)) > _DETOUR_S)])
    n_seg = seg[-1] + 1
    if n_seg < 3:
        return
    first = np.searchsorted(seg, np.arange(n_seg))
    last = np.append(first[1:] - 1, len(seg) - 1)
    size = last - first + 1
    trusted = (size >= _TRUSTED_RECORDS) | (size == size.max())
    idx = np.arange(n_seg)
    prev = np.maximum.accumulate(np.where(trusted, idx, -1))  # nearest trusted at or before
    nxt = np.minimum.accumulate(np.where(trusted, idx, n_seg)[::-1])[::-1]
    both = (~trusted) & (prev >= 0) & (nxt < n_seg)
    lo = np.where(both, filled[last[np.clip(prev, 0, None)]] - _DETOUR_S, -np.inf)
    hi = np.where(both, filled[first[np.clip(nxt, 0, n_seg - 1)]] + _DETOUR_S, np.inf)
    bad = (t < lo[seg]) | (t > hi[seg])  # NaN times compare False: kept
    if not bad.any():
        return
    worst = float(np.max(np.abs(t[bad] - lo[seg[bad]] - _DETOUR_S)))  # from the time line's last time
    far = f"{worst / 365.25 / 86400:.0f} years" if worst > 2 * 365.25 * 86400 else f"{worst / 86400:.1f} days"
    _leave_out(messages, bad, "timestamp", drop, problems,
               f"read from damaged bytes: times up to {far} off the run's", name)


def _leave_out(messages: dict[str, list[dict]], bad: np.ndarray, field: str, drop: bool,
               problems: list[str], why: str, name: str = "record") -> None:
    """Drop the ``name`` messages flagged in ``bad``, or (``drop=False``) only their ``field``."""
    recs = messages[name]
    n = int(bad.sum())
    if drop:
        messages[name] = [m for m, b in zip(recs, bad) if not b]
        problems.append(f"dropped {n} {name} message(s) {why}")
    else:
        for i in np.flatnonzero(bad):
            recs[i] = {**recs[i], field: None}
        problems.append(f"left out the {field} of {n} {name} message(s) {why}")


#: Messages checked for damage in a salvaged file: records, and raw IMU messages
#: (whose samples place every later sample through the orientation filter).
_CHECKED = ("record", *_IMU_MESSAGES)
#: Their FIT profile global message numbers (the salvage walk knows messages by number).
_MESG_NUM = {mt.name: num for num, mt in _profile.MESSAGE_TYPES.items() if mt.name in _CHECKED}
#: A value of a message read next to damage is out of line when it lies outside
#: its neighbours' range by more than that range or this share of their size.
_TORN_SLACK = 0.25


def _numbers(value: Any) -> np.ndarray | None:
    """A field's numbers (a scalar, or the samples of an array field); None if it has none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return np.array([value], dtype="float64")
    if isinstance(value, (list, tuple)):
        vals = [e for e in value if e is not None]
        if vals and all(isinstance(e, (int, float)) and not isinstance(e, bool) for e in vals):
            return np.array(vals, dtype="float64")
    return None


def _drop_torn(messages: dict[str, list[dict]], name: str, at_risk: list[int], problems: list[str]) -> None:
    """Drop ``name`` messages read whole next to damage whose values are out of
    line with the two messages on either side (those not at risk themselves).

    Damage that begins inside a message leaves its header, and often its time,
    intact: the walk reads it whole, and its later fields are damaged bytes; a
    few more messages may pass before the walk meets the damage, and the first
    message after zero fill may begin inside it (:func:`_salvage._mark_at_risk`
    says which are at risk). A value (or a sample of an array field) outside
    [min - s, max + s] of the neighbours' values, s the largest of their range,
    25 % of their size and 3 interquartile ranges of the field over the file,
    marks the message as damaged.

    Measured on 216 damaged copies of 27 real files (200 zero or random bytes,
    37 bytes inserted or deleted): 525 records at risk. Of the 270 intact, all
    are kept; of the 155 with a true time and damaged values (speeds of 34-64
    m/s in runs, altitude -500 m, heart rate 0), 139 are dropped; the 16 kept
    differ in one plausible value (heart rate 142 for 174, speed 4.011 for
    4.012). 99 of the 100 with a damaged time are dropped too. In a pelvis run
    written as raw IMU messages, the gyroscope messages torn by damage held
    25 samples of 2,016-2,129 deg/s (the run's own stay within 117): all dropped.
    """
    msgs = messages.get(name)
    if not msgs or not at_risk:
        return
    torn: dict[int, str] = {}
    risky = set(at_risk)
    spread: dict[str, float] = {}  # 3 x the field's interquartile range over the file

    def usual_spread(field: str) -> float:
        if field not in spread:
            parts = [x for x in map(_numbers, (m.get(field) for m in msgs)) if x is not None]
            v = np.concatenate(parts) if parts else np.empty(0)
            spread[field] = 3.0 * float(np.subtract(*np.percentile(v, [75, 25]))) if len(v) else 0.0
        return spread[field]

    for i in at_risk:
        before = [j for j in range(i - 1, max(i - 2 - len(risky), -1), -1) if j not in risky][:2]
        after = [j for j in range(i + 1, min(i + 2 + len(risky), len(msgs))) if j not in risky][:2]
        near = [msgs[j] for j in before + after]
        for field, value in msgs[i].items():
            x = _numbers(value) if field != "timestamp" else None
            if x is None:
                continue
            ref = [r for r in (_numbers(m.get(field)) for m in near) if r is not None]
            if len(ref) < 2:
                continue
            pool = np.concatenate(ref)
            lo, hi = float(pool.min()), float(pool.max())
            slack = max(hi - lo, _TORN_SLACK * max(abs(lo), abs(hi)), 1e-6)
            out = (x < lo - slack) | (x > hi + slack)
            if out.any():
                slack = max(slack, usual_spread(field))
                out = (x < lo - slack) | (x > hi + slack)
            if out.any():
                torn[i] = f"{field} {x[out][0]:g} where its neighbours have {lo:g}-{hi:g}"
                break
    if torn:
        bad = np.zeros(len(msgs), bool)
        bad[list(torn)] = True
        _leave_out(messages, bad, "timestamp", True, problems,
                   f"read whole next to damage, with damaged values ({next(iter(torn.values()))})", name)


#: A salvaged record's distance this far from its neighbours' median (plus 50 m/s
#: over their time span, faster than any runner or rider) is damaged.
_DISTANCE_SPIKE_M = 1000.0


def _drop_distance_spikes(messages: dict[str, list[dict]], problems: list[str], drop: bool = True) -> None:
    """Drop, from a salvaged file, records whose distance is a spike (``drop=False``:
    keep them, without a distance).

    Damage that begins inside a record which the walk still read whole leaves its
    timestamp right and its later fields random: on real files, distances of
    11,773 km and 41,672 km in the middle of 4-10 km runs, with speeds of
    13-47 m/s. Total distance, splits and every distance axis would follow them.
    The distance is compared with the median of itself and the two records on
    either side (cumulative distance moves at most 50 m/s between them); a jump
    that stays moves the median with it and is kept.
    """
    recs = messages.get("record")
    if not recs:
        return
    d = np.array([m.get("distance") for m in recs], dtype="float64")
    ok = np.flatnonzero(np.isfinite(d))
    if len(ok) < 3:
        return
    dv = d[ok]
    t = pd.Series([recs[i].get("timestamp") for i in ok], dtype="float64").ffill().bfill().fillna(0.0).to_numpy()
    med = pd.Series(dv).rolling(5, center=True, min_periods=1).median().to_numpy()
    n = len(ok)
    span = t[np.minimum(np.arange(n) + 2, n - 1)] - t[np.maximum(np.arange(n) - 2, 0)]
    off = np.abs(dv - med)
    spike = off > _DISTANCE_SPIKE_M + 50.0 * np.abs(span)
    if not spike.any():
        return
    bad = np.zeros(len(recs), bool)
    bad[ok[spike]] = True
    _leave_out(messages, bad, "distance", drop, problems,
               f"with damaged values: distances up to {off[spike].max() / 1000:,.0f} km off their neighbours'")


def _parse(buf: bytes) -> dict[str, list[dict]]:
    """``fitfast.parse``, with a panic of its Rust decoder on malformed input
    (fitfast 0.1.0 divides by a field size of 0) raised as ``FitDecodeError``,
    and the panic's own message to stderr held back."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to hold back
        saved = None
    try:
        if saved is not None:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
        return fitfast.parse(buf)
    except (fitfast.FitDecodeError, KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        raise fitfast.FitDecodeError(f"the decoder failed ({exc})") from None
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


_SPEED_TWINS = (("speed", "enhanced_speed"), ("avg_speed", "enhanced_avg_speed"),
                ("max_speed", "enhanced_max_speed"))


def _expand_compressed_speed_distance(messages: dict[str, list[dict]]) -> None:
    """Speed and distance from the 3-byte ``compressed_speed_distance`` of old
    Garmin watches with a foot pod (a Forerunner 70), which fitfast leaves as
    bytes. Per the FIT profile, its low 12 bits are the speed in 0.01 m/s and
    its high 12 bits the distance in 1/16 m, a count that wraps every 256 m and
    is accumulated, as fitparse and the FIT SDK expand it. Fields the record
    also has are kept; the bytes are dropped."""
    rows = [m for m in messages.get("record", ())
            if isinstance(m.get("compressed_speed_distance"), bytes) and len(m["compressed_speed_distance"]) == 3]
    if not rows:
        return
    raw = np.frombuffer(b"".join(m.pop("compressed_speed_distance") for m in rows), np.uint8)
    raw = raw.reshape(-1, 3).astype(np.int64)
    valid = ~(raw == 0xFF).all(axis=1)  # the invalid value of a byte array
    speed = (raw[:, 0] | (raw[:, 1] & 0x0F) << 8) / 100.0
    count = (raw[:, 1] >> 4 | raw[:, 2] << 4)[valid]
    distance = np.cumsum(np.concatenate((count[:1], np.diff(count) % 4096))) / 16.0
    for m, v, d in zip((m for m, ok in zip(rows, valid) if ok), speed[valid], distance):
        m.setdefault("speed", float(v))
        m.setdefault("distance", float(d))


def _finish(messages: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """What fitfast leaves undone and fitparse does, done in place: the
    compressed speed and distance expanded, the expanded speeds' rounding
    undone. Returns ``messages``."""
    _expand_compressed_speed_distance(messages)
    _fix_expanded_speed(messages)
    return messages


def _fix_expanded_speed(messages: dict[str, list[dict]]) -> None:
    """Undo fitfast 0.1's rounding when it expands 16-bit speeds into enhanced_* fields.

    fitfast 0.1.0 gives ``enhanced_speed`` 0.001 m/s below ``speed`` in about 1.4 %
    of records (3,150 of 217,574 in shared/data/real); fitparse and garmin-fit-sdk
    agree with the 16-bit value, which is the one the device wrote. Below its
    65.535 m/s ceiling the 16-bit value is exact, so it wins.
    """
    for name in ("record", "lap", "session"):
        for m in messages.get(name, ()):
            for short, long in _SPEED_TWINS:
                v = m.get(short)
                if v is not None and long in m and v < 65.5:
                    m[long] = v


# ---------------------------------------------------------------------- tables
def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.to_numeric(values, errors="coerce"), unit="s", utc=True)


def _table(
    rows: list[dict], message: str, dev: dict[str, DevColumn], sources: list[dict],
    describe_native, describe_dev,
) -> pd.DataFrame:
    """Messages -> DataFrame with canonical columns; record provenance in ``sources``."""
    if not rows:
        return pd.DataFrame()
    raw = pd.DataFrame.from_records(rows)
    out: dict[str, pd.Series] = {}
    origin: dict[str, str] = {}
    for key in raw.columns:
        col = raw[key]
        if isinstance(key, str) and key in dev:
            spec = dev[key]
            name, factor = spec.column, spec.factor
            src = {"message": message, "field": key, **describe_dev(key)}
        else:
            name, factor = canonical_name(message, key)
            src = {"message": message, "field": str(key), "brand": "native",
                   "developer_app": None, "describe": describe_native(message, str(key))}
            if isinstance(key, str) and is_date_time(message, key):
                col = _utc(col)
                factor = 1.0
        if factor != 1.0:
            col = pd.to_numeric(col, errors="coerce") * factor
        if name in out:
            # enhanced_* (32-bit) beats its 16-bit twin; otherwise first wins.
            if str(key).startswith("enhanced_"):
                out[name] = col.combine_first(out[name])
                origin[name] = str(key)
            elif not origin[name].startswith("enhanced_"):
                out[name] = out[name].combine_first(col)
            continue
        out[name] = col
        origin[name] = str(key)
        sources.append({"column": name, **src, "factor": factor})
    for name in ZERO_IS_MISSING & out.keys():
        out[name] = out[name].mask(out[name] == 0)
    # the field that won a name is the one to cite
    for s in sources:
        if s["message"] == message and s["column"] in origin:
            s["field"] = origin[s["column"]]
            if s.get("brand") == "native":
                s["describe"] = describe_native(message, origin[s["column"]])
    return pd.DataFrame(out)


def _session_index(times: pd.Series, starts: pd.Series) -> np.ndarray:
    """Index of the session each time falls in (the last one started at or before it)."""
    if not len(starts):
        return np.zeros(len(times), dtype=np.int64)
    t = times.astype("int64").to_numpy() if len(times) else np.array([], dtype=np.int64)
    s = starts.astype("int64").to_numpy()
    idx = np.searchsorted(s, t, side="right") - 1
    idx = np.clip(idx, 0, len(s) - 1)
    idx[times.isna().to_numpy()] = 0
    return idx


def _cadence(df: pd.DataFrame, foot: np.ndarray, prefix: str = "") -> None:
    """FIT running cadence is strides/min: steps/min = 2 x (cadence + fractional)."""
    c, f = f"{prefix}cadence_rpm", f"{prefix}fractional_cadence_rpm"
    if c not in df:
        return
    total = pd.to_numeric(df[c], errors="coerce")
    if f in df:
        total = total + pd.to_numeric(df[f], errors="coerce").fillna(0.0)
        del df[f]
    foot = pd.Series(foot, index=df.index)
    df[f"{prefix}cadence_spm"] = (2.0 * total).where(foot)
    df[c] = total.where(~foot)
    if df[c].isna().all():
        del df[c]
    if df[f"{prefix}cadence_spm"].isna().all():
        del df[f"{prefix}cadence_spm"]


def _product_name(manufacturer, product) -> str | None:
    if product is None or (isinstance(product, float) and np.isnan(product)):
        return None
    if manufacturer in _GARMIN_LIKE and isinstance(product, (int, np.integer)):
        return _GARMIN_PRODUCTS.get(int(product), str(product))
    return str(product)


def _sensors(rows: list[dict]) -> pd.DataFrame:
    out = []
    for r in rows:
        dtype = r.get("device_type")
        if r.get("source_type") in ("antplus", 1) and isinstance(dtype, (int, np.integer)):
            dtype = _ANTPLUS_TYPES.get(int(dtype), dtype)
        out.append(
            {
                "device_index": r.get("device_index"),
                "device_type": dtype,
                "manufacturer": r.get("manufacturer"),
                "product": _product_name(r.get("manufacturer"), r.get("product")),
                "product_name": r.get("product_name"),
                "serial_number": r.get("serial_number"),
                "software_version": r.get("software_version"),
                "source_type": r.get("source_type"),
                "battery_status": r.get("battery_status"),
            }
        )
    if not out:
        return pd.DataFrame()
    df = pd.DataFrame(out)
    # Watches write device_info for each sensor several times, each with some
    # fields: one row per device index, the latest value of every field.
    df["device_index"] = df["device_index"].astype(str)
    return df.groupby("device_index", sort=False).last().reset_index()


def _rd_sensor(sensors: pd.DataFrame, device: dict) -> str:
    """Which sensor wrote native running dynamics: strap, RD pod, or the watch itself."""
    if len(sensors):
        for _, s in sensors.iterrows():
            prod = str(s.get("product") or "").lower()
            if "hrm" in prod or "running_dynamics" in prod or "rd_pod" in prod:
                return f"{s.get('manufacturer')} {prod}"
    name = " ".join(str(x) for x in (device.get("manufacturer"), device.get("product")) if x)
    return f"the recording device ({name or 'unknown'})"


def _resolve_stryd_sensor(sensors: pd.DataFrame) -> str | None:
    if len(sensors) and "manufacturer" in sensors:
        hit = sensors[sensors["manufacturer"] == "stryd"]
        if len(hit):
            return f"stryd {hit.iloc[0].get('product') or 'footpod'}"
    return None


# ---------------------------------------------------------------------- public
def read_fit(path: str | PathLike[str]) -> Run:
    """Read a ``.fit`` or ``.fit.gz`` file.

    Parameters
    ----------
    path
        The file. It is opened read-only and never modified.

    Returns
    -------
    Run
        Records, laps, sessions, device, IMU samples and warnings.

    Raises
    ------
    FileFormatError
        The file is empty, not FIT, or holds no readable message.
    """
    p = Path(path)
    name = str(path)
    try:
        with open(p, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise FileFormatError(name, "no such file") from None
    except IsADirectoryError:
        raise FileFormatError(name, "is a directory, not a file") from None
    except OSError as exc:
        raise FileFormatError(name, f"cannot be read ({exc.strerror or exc})") from None
    problems: list[str] = []
    if is_gzip(raw):
        raw = gunzip(raw, name, problems)
    messages, decode_problems = decode_fit_bytes(raw, name)
    problems += decode_problems
    run = messages_to_run(messages, p, problems)
    for w in run.warnings:
        _warnings.warn(f"{name}: {w}", DamagedFileWarning, stacklevel=2)
    return run


def messages_to_run(messages: dict[str, list[dict]], path: Path | None, problems: list[str]) -> Run:
    """Turn decoded FIT messages into a :class:`Run` (canonical tables, provenance)."""
    warns = list(problems)
    file_id = (messages.get("file_id") or [{}])[0]
    infos = messages.get("device_info", [])
    creator = next(
        (d for d in infos if d.get("device_index") in ("creator", 0)), infos[0] if infos else {}
    )
    manufacturer = file_id.get("manufacturer", creator.get("manufacturer"))
    product = file_id.get("product", creator.get("product"))
    device = {
        "manufacturer": manufacturer,
        "product": _product_name(manufacturer, product),
        "product_name": file_id.get("product_name") or creator.get("product_name"),
        "serial_number": file_id.get("serial_number", creator.get("serial_number")),
        "software_version": creator.get("software_version"),
        "file_type": file_id.get("type"),
    }
    sensors = _sensors(infos)

    # developer apps and where their fields go
    descriptions = messages.get("field_description", [])
    dev_ids = messages.get("developer_data_id", [])
    brands = classify_apps(descriptions, dev_ids)
    dev: dict[str, DevColumn] = {}
    dev_desc: dict[str, dict] = {}
    for d in descriptions:
        idx = int(d.get("developer_data_index", 0) or 0)
        # the decoder's key: the field's name, or dev_<index>_<number> when unnamed
        fname = str(d.get("field_name") or f"dev_{idx}_{d.get('field_definition_number')}")
        spec = map_field(brands.get(idx, "other"), d)
        if fname in dev and dev[fname] != spec:
            warns.append(
                f"two developer fields are both named {fname!r}; the decoder keeps one value"
            )
        dev[fname] = spec
        dev_desc[fname] = {**d, "brand": spec.brand}
    apps = []
    for d in dev_ids:
        idx = int(d.get("developer_data_index", 0) or 0)
        app = d.get("application_id")
        apps.append(
            {
                "developer_data_index": idx,
                "application_id": bytes(app).hex() if isinstance(app, (bytes, bytearray)) else app,
                "application_version": d.get("application_version"),
                "manufacturer_id": d.get("manufacturer_id"),
                "brand": brands.get(idx, "other"),
            }
        )

    rd_sensor = _rd_sensor(sensors, device)
    stryd_sensor = _resolve_stryd_sensor(sensors)

    def describe_native(message: str, field: str) -> str:
        if field in ("stance_time", "stance_time_percent", "stance_time_balance",
                     "vertical_oscillation", "vertical_ratio", "step_length"):
            return f"{message}.{field} (running dynamics from {rd_sensor})"
        return f"{message}.{field}"

    def describe_dev(field: str) -> dict:
        d = dev_desc[field]
        idx = int(d.get("developer_data_index", 0) or 0)
        app = next((a for a in apps if a["developer_data_index"] == idx), {})
        label = {"stryd": "Stryd", "runscribe": "RunScribe"}.get(d["brand"], "developer app")
        extra = f", pod {stryd_sensor}" if d["brand"] == "stryd" and stryd_sensor else ""
        app_id = (app.get("application_id") or "").strip("0")
        version = app.get("application_version")
        who = " ".join(x for x in (label, app_id[:8], f"v{version}" if version is not None else "") if x)
        return {
            "brand": d["brand"],
            "developer_app": app.get("application_id"),
            "units_in_file": d.get("units"),
            "describe": (
                f"developer field {field!r} [{d.get('units') or 'no unit'}] of {who}{extra}"
            ),
        }

    sources: list[dict] = []
    sessions = _table(messages.get("session", []), "session", dev, sources, describe_native, describe_dev)
    laps = _table(messages.get("lap", []), "lap", dev, sources, describe_native, describe_dev)
    records = _table(messages.get("record", []), "record", dev, sources, describe_native, describe_dev)

    # sessions in time order; a file cut short may have none: make one from the records
    sport_msg = (messages.get("sport") or [{}])[0]
    if len(sessions) and "start_time" in sessions:
        sessions = sessions.sort_values("start_time", kind="stable").reset_index(drop=True)
    elif len(records):
        activity = records.get("activity_type")
        guess = sport_msg.get("sport") or (
            activity.mode().iloc[0] if activity is not None and activity.notna().any() else None
        )
        why = ""
        if guess is None:
            # a watch that died mid-run wrote neither session nor sport; ground contact
            # and bounce are measured only on foot, and cadence must then count steps
            on_foot = [c for c in _ON_FOOT_ONLY if c in records and records[c].notna().any()]
            guess = "running" if on_foot else "unknown"
            why = f" (its records have {', '.join(on_foot)})" if on_foot else ""
        ts = records.get("timestamp")
        sessions = pd.DataFrame(
            {
                "start_time": [ts.min() if ts is not None else pd.NaT],
                "timestamp": [ts.max() if ts is not None else pd.NaT],
                "sport": [guess],
                "sub_sport": [sport_msg.get("sub_sport")],
            }
        )
        warns.append(
            f"no session message (file cut short?); one session of sport {guess!r}{why} "
            "was made from the records"
        )
    if "sport" not in sessions and len(sessions):
        sessions["sport"] = sport_msg.get("sport", "unknown")
    sports = sessions["sport"].astype(str).to_numpy() if len(sessions) else np.array(["unknown"])
    foot_sessions = np.isin(sports, list(FOOT_SPORTS))

    starts = sessions["start_time"] if "start_time" in sessions else pd.Series([], dtype="datetime64[ns, UTC]")
    if len(records):
        if "timestamp" in records:
            records.insert(1, "elapsed_s", (records["timestamp"] - records["timestamp"].min()).dt.total_seconds())
            records.insert(2, "session_index", _session_index(records["timestamp"], starts))
            _check_time(records["timestamp"], warns)
        else:
            warns.append("records have no timestamps; elapsed_s is unknown")
            records["session_index"] = 0
        foot = foot_sessions[records["session_index"].to_numpy()]
        if "activity_type" in records:  # generic sessions whose records say they are runs
            foot = foot | records["activity_type"].isin(list(FOOT_SPORTS)).to_numpy()
        _cadence(records, foot)
        _fill_canonical(records, dev, sources)
    if len(laps) and "start_time" in laps:
        laps.insert(0, "session_index", _session_index(laps["start_time"], starts))
        _cadence(laps, foot_sessions[laps["session_index"].to_numpy()], "avg_")
        _cadence(laps, foot_sessions[laps["session_index"].to_numpy()], "max_")
    if len(sessions):
        _cadence(sessions, foot_sessions, "avg_")
        _cadence(sessions, foot_sessions, "max_")
    for col in ("cadence_spm", "cadence_rpm"):
        if col in records:
            sources.append({"column": col, "message": "record", "field": "cadence+fractional_cadence",
                            "brand": "native", "developer_app": None, "factor": 2.0 if col.endswith("spm") else 1.0,
                            "describe": "record.cadence + fractional_cadence "
                            + ("(strides/min x 2)" if col.endswith("spm") else "(rpm)")})

    imu, imu_problems = imu_table(messages)
    warns += imu_problems
    start_time = None
    if "timestamp" in records and records["timestamp"].notna().any():
        start_time = records["timestamp"].min()
    elif len(sessions) and "start_time" in sessions:
        start_time = sessions["start_time"].min()
    elif len(imu):
        start_time = imu["timestamp"].min()
    imu_rate_hz = None
    if len(imu) and start_time is not None:
        imu, imu_rate_hz, grid_problems = _imu_on_grid(imu, start_time)
        warns += [f"imu: {w}" for w in grid_problems]
    first = sessions.iloc[0] if len(sessions) else {}
    src = pd.DataFrame(sources)
    if len(src):
        tables = {"record": records, "lap": laps, "session": sessions}
        keep = [c in tables[m].columns for m, c in zip(src["message"], src["column"])]
        src = src[keep].drop_duplicates(subset=["message", "column"], keep="last").reset_index(drop=True)
    return Run(
        path=path,
        format="fit",
        records=records,
        laps=laps,
        sessions=sessions,
        device=device,
        sensors=sensors,
        developer_apps=pd.DataFrame(apps),
        sport=str(first.get("sport", "unknown")),
        sub_sport=first.get("sub_sport"),
        start_time=start_time,
        imu=imu,
        imu_rate_hz=imu_rate_hz,
        source_fields=src,
        warnings=warns,
        messages=messages,
    )


def _imu_on_grid(imu: pd.DataFrame, start_time: pd.Timestamp) -> tuple[pd.DataFrame, float, list[str]]:
    """The IMU samples (``timestamp`` + sensor columns) on one uniform grid.

    Each sensor (accelerometer, gyroscope, magnetometer) is taken at its own
    sample times; the grid runs at the accelerometer's rate over the time all
    cover. ``elapsed_s`` counts from ``start_time`` (the records' start), and
    ``timestamp`` is ``start_time + elapsed_s``.
    """
    t = (imu["timestamp"] - start_time).dt.total_seconds().to_numpy()
    streams, labels = [], []
    for stem in ("acc_", "gyr_", "mag_"):
        cols = [c for c in imu.columns if c.startswith(stem)]
        if not cols:
            continue
        have = imu[cols].notna().any(axis=1).to_numpy()
        streams.append((t[have], {c: imu[c].to_numpy(dtype=float)[have] for c in cols}))
        labels.append({"acc_": "accelerometer", "gyr_": "gyroscope", "mag_": "magnetometer"}[stem])
    frame, rate, problems, t0 = to_common_grid(streams, labels=labels if len(streams) > 1 else None)
    frame["elapsed_s"] = np.round(frame["elapsed_s"].to_numpy() + t0, 9)
    ts = start_time + pd.to_timedelta(np.rint(frame["elapsed_s"].to_numpy() * 1e9).astype(np.int64), unit="ns")
    frame.insert(0, "timestamp", ts)
    return frame.reset_index(drop=True), rate, problems


def _fill_canonical(records: pd.DataFrame, dev: dict[str, DevColumn], sources: list[dict]) -> None:
    """Fill canonical columns from developer fields where the file has no native value."""
    for field, spec in dev.items():
        canon = spec.canonical
        if not canon or spec.column not in records:
            continue
        if canon in records and records[canon].notna().any():
            continue
        records[canon] = records[spec.column]
        src = next(s for s in sources if s["column"] == spec.column and s["message"] == "record")
        sources.append({**src, "column": canon})
    # RunScribe writes each foot apart: contact time and its balance from both feet
    left, right = "runscribe_contact_time_left_ms", "runscribe_contact_time_right_ms"
    if left in records and right in records:
        both = records[[left, right]]
        if "stance_time_ms" not in records or records["stance_time_ms"].isna().all():
            records["stance_time_ms"] = both.mean(axis=1)
            sources.append({"column": "stance_time_ms", "message": "record", "field": f"{left}+{right}",
                            "brand": "runscribe", "developer_app": None, "factor": 1.0,
                            "describe": "mean of RunScribe left and right contact time"})
        if "stance_time_balance_left_pct" not in records or records["stance_time_balance_left_pct"].isna().all():
            records["stance_time_balance_left_pct"] = 100.0 * both[left] / both.sum(axis=1, min_count=2)
            sources.append({"column": "stance_time_balance_left_pct", "message": "record",
                            "field": f"{left}+{right}", "brand": "runscribe", "developer_app": None,
                            "factor": 1.0, "describe": "RunScribe left / (left + right) contact time"})


def _reused_developer_index(messages: dict[str, list[dict]]) -> bool:
    indexes = [d.get("developer_data_index") for d in messages.get("developer_data_id", ())]
    return len(indexes) != len(set(indexes))


#: FIT date_time values below 0x10000000 count seconds since the device started.
_RELATIVE_LIMIT = pd.Timestamp(631065600 + 0x10000000, unit="s", tz="UTC")


def _check_time(ts: pd.Series, warns: list[str]) -> None:
    """Say when record time runs backwards or jumps (clock resets, merged files)."""
    t = ts.dropna()
    if len(t) < 2:
        return
    if t.iloc[0] < _RELATIVE_LIMIT:
        warns.append(
            "timestamps count seconds since the device was switched on (its clock was not "
            "set): elapsed times are right, dates and times of day are not"
        )
    d = t.diff().dt.total_seconds().to_numpy()[1:]
    back = int((d < 0).sum())
    if back:
        warns.append(f"record timestamps go backwards {back} times (kept in file order)")
    big = d > 6 * 3600
    if big.any():
        i = int(np.argmax(d))
        warns.append(
            f"record time jumps forward by {d[i] / 86400:.1f} days at record {i + 1} "
            f"({int(big.sum())} jumps over 6 h)"
        )
