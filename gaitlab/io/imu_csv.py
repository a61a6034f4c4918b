"""Read inertial recordings exported as CSV into a :class:`~gaitlab.run.Run`.

One CSV, a ``.csv.gz``, a folder or a ``.zip`` of per-sensor CSVs. Columns are
recognised from their headers (quantity, axis and unit in the common
spellings), time from seconds / ms / us / ns columns (elapsed or since the Unix
epoch) or date strings. What a header does not say is inferred from the data
and reported in ``Run.warnings``. Samples end up on one uniform grid
(:mod:`gaitlab.io.grid`) in the units of :mod:`gaitlab.frames`: m/s^2 with
gravity, deg/s, microtesla.

Layouts of recorder apps (checked against their own documentation / code):

* Sensor Logger (tszheichoi, https://github.com/tszheichoi/awesome-sensor-logger,
  UNITS.md): one CSV per sensor, columns ``time`` (ns since the epoch),
  ``seconds_elapsed``, ``z, y, x``. ``Accelerometer.csv`` is acceleration
  *without* gravity (m/s^2, g = 9.80665), ``TotalAcceleration.csv`` (Android)
  includes it, ``Gravity.csv`` is gravity (m/s^2); on iOS total acceleration is
  Accelerometer + Gravity. ``Gyroscope.csv`` in rad/s, ``Magnetometer.csv`` in uT.
* phyphox: ``"Time (s)","Acceleration x (m/s^2)",...`` (``Accelerometer.csv``,
  "acceleration with g"), ``"Linear Acceleration x (m/s^2)"`` (without g),
  ``"Gyroscope x (rad/s)"``, ``"Magnetic field x (µT)"``; Excel/CSV exports are a
  zip of one CSV per sensor plus ``meta/`` (comma, tab or semicolon separated,
  decimal point or comma).
* MbientLab MetaBase / MetaWear: one CSV per sensor, ``<device>_<date>_Accelerometer...csv``,
  header ``epoch (ms),time (-04:00),elapsed (s),x-axis (g),y-axis (g),z-axis (g)``;
  ``x-axis (deg/s)`` for the gyroscope, ``x-axis (T)`` for the magnetometer
  (MetaWear SDK example code: ``CSV_HEADER_ROOT = "epoch (ms),time (%s),elapsed (s),"``).
* GENEActiv PC software CSV: 100 lines of ``key,value`` metadata (``Measurement
  Frequency,50.0 Hz``, ``Time Zone,GMT -04``, ``Units,g``), then rows
  ``2019-08-06 10:25:50:000,x,y,z,lux,button,temperature`` without a header.
* Generic: ``elapsed_s``/``time_s``/``timestamp`` + ``acc_x_mps2``..., ``ax_g``,
  ``Acc X [m/s^2]``, ``gyro_x (rad/s)``, ``gx_rad_s``, ``x-axis (g)``, ...
"""

from __future__ import annotations

import io
import re
import warnings as _warnings
import zipfile
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ..errors import FileFormatError, GaitlabWarning
from ..frames import STANDARD_GRAVITY_MPS2
from ..run import RELATIVE_ALTITUDE, Run
from ._gzip import head_of, unzipped
from ._headers import file_stem, norm, split_unit
from .grid import to_common_grid
from .track import (
    barometer_columns,
    barometer_records,
    barometric_altitude,
    fixes,
    location_columns,
    track_records,
    with_barometer,
)

__all__ = ["read_imu_csv", "parse_header", "is_sensor_table", "CSV_SUFFIXES"]

G = STANDARD_GRAVITY_MPS2
CSV_SUFFIXES = (".csv", ".txt", ".tsv", ".csv.gz", ".txt.gz", ".tsv.gz")

# ----------------------------------------------------------------------------- headers
_UNITS = {
    # acceleration
    "m/s^2": "mps2", "m/s2": "mps2", "mps2": "mps2", "m/s/s": "mps2", "ms^-2": "mps2", "ms-2": "mps2",
    "m*s^-2": "mps2", "ms^2": "mps2", "m_s2": "mps2", "m_s^2": "mps2", "ms2": "mps2", "mpss": "mps2",
    "m/sec^2": "mps2", "m/sec2": "mps2", "mpers2": "mps2", "m.s^-2": "mps2", "m.s-2": "mps2",
    "g": "g", "gs": "g", "g0": "g", "gn": "g", "mg": "mg", "milli-g": "mg", "millig": "mg",
    # angular rate
    "deg/s": "dps", "dps": "dps", "deg_s": "dps", "degs": "dps", "degrees/s": "dps", "degree/s": "dps",
    "deg/sec": "dps", "degps": "dps", "deg*s^-1": "dps", "degs^-1": "dps", "degs-1": "dps", "degree_s": "dps",
    "rad/s": "rads", "rad_s": "rads", "rads": "rads", "rad/sec": "rads", "radps": "rads",
    "rad*s^-1": "rads", "rads^-1": "rads", "rads-1": "rads", "radians/s": "rads",
    # magnetic field
    "ut": "ut", "microtesla": "ut", "utesla": "ut", "t": "t", "tesla": "t", "nt": "nt",
    "gauss": "gauss", "mgauss": "mgauss", "milligauss": "mgauss", "mgs": "mgauss",
    # time
    "s": "s", "sec": "s", "secs": "s", "seconds": "s", "second": "s",
    "ms": "ms", "msec": "ms", "milliseconds": "ms", "millis": "ms",
    "us": "us", "usec": "us", "microseconds": "us", "ns": "ns", "nsec": "ns", "nanoseconds": "ns",
}
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_UNIT_KIND = {"mps2": "acc", "g": "acc", "mg": "acc", "dps": "gyr", "rads": "gyr",
              "ut": "mag", "t": "mag", "nt": "mag", "gauss": "mag", "mgauss": "mag"}
_QUANTITY = {
    "acc": {"a", "acc", "accel", "acceleration", "accelerometer", "accelerations", "totalacceleration",
            "accelerationwithg", "accwithg", "totalacc", "accl", "acceleromter", "accelerometers"},
    "lin": {"linearacceleration", "linacc", "linearaccelerometer", "useracceleration", "useracc",
            "linaccel", "linearacc"},
    "gyr": {"g", "gyr", "gyro", "gyroscope", "rotationrate", "angularvelocity", "angularrate", "rot",
            "rotation", "w", "omega", "gyros", "gy"},
    "mag": {"m", "mag", "magn", "magnetometer", "magneticfield", "magfield", "magneticflux", "b", "compass"},
    "grav": {"gravity", "grav"},
}
_Q_OF = {word: q for q, words in _QUANTITY.items() for word in words}
_TIME_WORDS = {"time", "t", "timestamp", "timestamps", "elapsed", "elapsedtime", "secondselapsed",
               "timeelapsed", "epoch", "epochtime", "unixtime", "datetime", "date", "systemtime",
               "ts", "clock", "timesincestart", "time_s", "localtime", "utc", "utctime", "timeutc",
               "sensortime", "eventtime", "recordingtime", "relativetime", "experimenttime", "tick"}
_SAMPLE_WORDS = {"sample", "samples", "samplenumber", "sampleindex", "samplenr", "index", "idx", "n",
                 "count", "counter", "samplecount", "frame", "sampleno"}


def _unit_code(text: str) -> str | None:
    u = re.sub(r"\s+", "", text)
    if u in _UNITS:
        return _UNITS[u]
    u2 = u.replace("degrees", "deg").replace("degree", "deg").replace("sec", "s")
    return _UNITS.get(u2)


def parse_header(name: str) -> tuple[str | None, str | None, str | None]:
    """``(quantity, axis, unit)`` named by a column header, each ``None`` when not said.

    quantity is ``acc``, ``lin`` (acceleration without gravity), ``gyr``, ``mag``,
    ``grav`` or ``time``; axis ``x``/``y``/``z``; unit a code such as ``mps2``,
    ``g``, ``mg``, ``dps``, ``rads``, ``ut``, ``t``, ``s``, ``ms``, ``ns``.
    Examples: ``acc_x_mps2``, ``Acc X [m/s^2]``, ``ax_g``, ``x-axis (g)``,
    ``gx_rad_s``, ``Gyroscope x (rad/s)``, ``Magnetic field x (µT)``.
    """
    s, bracketed = split_unit(norm(name))
    unit = _unit_code(bracketed) if bracketed is not None else None
    if unit is None:
        toks = [t for t in re.split(r"[_\s]+", s) if t]
        for k in (2, 1):
            if len(toks) > k:
                u = _unit_code("_".join(toks[-k:])) or _unit_code("/".join(toks[-k:]))
                if u:
                    unit, s = u, " ".join(toks[:-k])
                    break
        if unit is None and len(toks) > 1 and re.fullmatch(r"(in)?(ms|us|ns|s|sec|seconds)", toks[-1]):
            unit, s = _unit_code(re.sub(r"^in", "", toks[-1])), " ".join(toks[:-1])
    compact = re.sub(r"[^a-z]", "", s)
    if compact in _TIME_WORDS or compact in _SAMPLE_WORDS or re.search(r"time|epoch|elapsed|stamp", compact):
        if compact in _SAMPLE_WORDS:
            return "samples", None, unit
        if unit is None:  # "time since start in ms", "epoch_ms"
            m2 = re.search(r"(?:^|[^a-z])(ms|us|ns|millis|milliseconds|microseconds|nanoseconds|seconds|sec|s)(?:[^a-z]|$)", s)
            if m2:
                unit = _unit_code(m2.group(1))
            elif compact.startswith("seconds") or compact.endswith("seconds"):
                unit = "s"
        if unit in (None, "s", "ms", "us", "ns"):
            return "time", None, unit
    m = re.fullmatch(r"(?P<q>[a-z]*?)(?P<ax>[xyz])(?:axis)?", compact) or re.fullmatch(
        r"(?P<ax>[xyz])(?:axis)?(?P<q>[a-z]*)", compact
    )
    if not m:
        return None, None, unit
    q = m.group("q")
    quantity = _Q_OF.get(q) if q else _UNIT_KIND.get(unit or "")
    if q and quantity is None:
        return None, None, unit
    if quantity == "gyr" and q == "g" and unit in ("g", "mg", "mps2"):
        quantity = "acc"  # "g_x (g)": gravity-units acceleration, not a gyro
    return quantity, m.group("ax"), unit


# ----------------------------------------------------------------------------- sources
@dataclass
class _Source:
    name: str  # for messages
    data: bytes


@dataclass
class _Stream:
    """One table's samples: times and 3-axis quantities."""

    name: str
    t_ns: np.ndarray | None = None  # absolute UTC ns since the epoch
    t_s: np.ndarray | None = None  # seconds, relative (used when t_ns is None)
    q: dict[str, np.ndarray] = field(default_factory=dict)  # quantity -> (n, 3), canonical units
    simulated: bool = False  # a "# simulated ..." line above the header (gaitlab's own samples)
    track: pd.DataFrame | None = None  # GPS fixes (gaitlab.io.track.fixes) at these times, instead of q
    height: np.ndarray | None = None  # barometric height (m, gaitlab.io.track.barometric_altitude), instead of q


def _is_csv_name(n: str) -> bool:
    n = n.lower()
    return any(n.endswith(s) for s in CSV_SUFFIXES)


def _sources(p: Path, name: str, warns: list[str]) -> list[_Source]:
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and _is_csv_name(f.name))
        files = [f for f in files if len(f.relative_to(p).parts) <= 3]
        if not files:
            raise FileFormatError(name, "folder holds no CSV file")
        out = []
        for f in files:
            raw = f.read_bytes()
            out.append(_Source(str(f.relative_to(p)), unzipped(raw, str(f), warns)))
        return out
    try:
        with open(p, "rb") as fh:
            raw = fh.read()
    except IsADirectoryError:
        raise FileFormatError(name, "is a directory") from None
    except OSError as exc:
        raise FileFormatError(name, f"cannot be read ({exc.strerror or exc})") from None
    if raw[:4] == b"PK\x03\x04" or (not raw[:4].strip() == b"" and p.suffix.lower() == ".zip"):
        try:
            zf = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile:
            raise FileFormatError(name, "not a readable zip file") from None
        out = []
        for info in zf.infolist():
            if info.is_dir() or not _is_csv_name(info.filename) or "__macosx" in info.filename.lower():
                continue
            out.append(_Source(info.filename, unzipped(zf.read(info), f"{name}:{info.filename}", warns)))
        if not out:
            raise FileFormatError(name, "zip file holds no CSV file")
        return out
    return [_Source(p.name, unzipped(raw, name, warns))]


# ----------------------------------------------------------------------------- table
def _as_utf8(data: bytes) -> bytes:
    """Text bytes as UTF-8 without a byte-order mark: UTF-16 (Excel's "Unicode
    Text", some Windows loggers; told by its BOM or by every other byte being
    0) is decoded; anything else is passed through."""
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:]
    enc = None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc = "utf-16"
    elif len(data) >= 64:
        even, odd = data[:4096:2], data[1:4096:2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            enc = "utf-16-le"
        elif even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            enc = "utf-16-be"
    if enc is None:
        return data
    return data[: len(data) - len(data) % 2].decode(enc, errors="replace").encode("utf-8")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    nul = head.count(b"\x00")
    if nul > 0.3 * len(head):
        return True
    body = head.replace(b"\x00", b"")
    ctrl = sum(body.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return (ctrl + bad) > 0.05 * max(len(body), 1)


_NUM = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")
_DATE = re.compile(r"^\s*(\d{4}-\d\d-\d\d[T ]\d\d[:\-.]\d\d|\d{1,2}([./-])\d{1,2}\2\d{4}[T ]\d{1,2}:\d\d)")
#: Dates with the year last, as spreadsheets in many locales re-save them:
#: "30.11.2026 13:45:00,123", "11/30/2026 1:45:00.123 PM" (:func:`_year_last_dates`)
_DMY = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4})[T ](\d{1,2}:\d\d(?::\d\d(?:[.,]\d+)?)?)\s*(.*?)\s*$")


def _is_value(cell: str) -> bool:
    c = cell.strip().strip('"')
    return bool(_NUM.match(c) or _DATE.match(c)) or c.lower() in ("nan", "", "na", "null")


@dataclass
class _Layout:
    sep: str
    header_line: int | None  # index of the header line; None: no header
    data_line: int
    decimal: str = "."
    meta: dict[str, str] = field(default_factory=dict)
    meta_lines: list[str] = field(default_factory=list)
    names: list[str] | None = None  # column names when the header line holds only units (names on the line above)


def _split(line: str, sep: str) -> list[str]:
    return line.split(sep) if sep != " " else line.split()


def _sniff(text: str, name: str) -> _Layout:
    lines = [ln.rstrip("\r") for ln in text.split("\n")[:400]]
    best: _Layout | None = None
    for sep in (",", "\t", ";", " "):
        for i in range(len(lines)):
            row = lines[i]
            if not row.strip() or row.lstrip().startswith(("#", "//", "%")):
                continue
            cells = _split(row, sep)
            n = len(cells)
            if n < 2:
                continue
            block = [ln for ln in lines[i : i + 6] if ln.strip()]
            if len(block) < min(3, len([ln for ln in lines[i:] if ln.strip()])):
                continue
            if not all(len(_split(b, sep)) == n for b in block):
                continue
            if not all(sum(_is_value(c) for c in _split(b, sep)) >= max(2, (n + 1) // 2) for b in block):
                continue
            # a data block starts at i; the header is the line before it, if it is text
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            header = None
            if j >= 0 and len(_split(lines[j], sep)) == n and not all(_is_value(c) for c in _split(lines[j], sep)):
                header = j
            cand = _Layout(sep, header, i)
            if best is None or (cand.header_line is not None and best.header_line is None) or (
                (cand.header_line is not None) == (best.header_line is not None) and n > len(_split(lines[best.data_line], best.sep))
            ):
                best = cand
            break
    if best is None:
        # a header with data that does not look numeric at all (junk) or a single row
        first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        if first is None:
            raise FileFormatError(name, "empty file")
        sep = max((",", "\t", ";"), key=lambda s: lines[first].count(s))
        if lines[first].count(sep) == 0:
            raise FileFormatError(name, "no table of numbers found (not a CSV of sensor samples?)")
        best = _Layout(sep, first, first + 1)
    # decimal comma: "1,25" cells with ; or tab as separator
    if best.sep in (";", "\t", " "):
        cells = _split(lines[best.data_line], best.sep)
        if any(re.fullmatch(r"\s*[-+]?\d+,\d+\s*", c) for c in cells):
            best.decimal = ","
    # a header line of units only ("s, m/s^2, deg/s"): the names are on the line above
    top = best.header_line if best.header_line is not None else best.data_line
    if best.header_line is not None:
        units = [c.strip().strip('"').strip().strip("[]()") for c in _split(lines[best.header_line], best.sep)]
        k = best.header_line - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        above = [c.strip().strip('"').strip() for c in _split(lines[k], best.sep)] if k >= 0 else []
        if (sum(bool(u) for u in units) >= 2 and all(_unit_code(norm(u)) for u in units if u)
                and len(above) == len(units) and all(above) and not any(_is_value(c) for c in above)):
            best.names = [f"{c} ({u})" if u else c for c, u in zip(above, units)]
            top = k
    # metadata above the header: "key,value" or "# key: value"
    for ln in lines[:top]:
        ln = ln.strip().lstrip("#").strip().replace("\x00", "")
        if ln:
            best.meta_lines.append(ln)
        m = re.match(r"([^,:;=\t]+)[,:;=\t]\s*(.*)$", ln)
        if m:
            best.meta.setdefault(m.group(1).strip().lower(), m.group(2).strip())
    return best


def is_sensor_table(path: str | PathLike[str]) -> bool:
    """Whether a text file starts with a table of sensor samples.

    Judged from its first 64 KiB (decompressed for gzip): a table of numbers
    whose header, if it has one, names sensor axes or quantities. This is how a
    folder of runs tells an IMU export from a notes file or a table of run
    summaries (``gaitlab endurance --csv``) beside it. A file that cannot
    be judged (unreadable, damaged gzip, binary) counts as a table, so that
    reading it reports the problem rather than the file being passed over.
    """
    head = head_of(path, 65536)
    if head is None:
        return True
    head = _as_utf8(head)
    if _looks_binary(head):
        return True
    text = head.decode("utf-8", errors="replace").replace("\x00", "")
    try:
        layout = _sniff(text, str(path))
    except FileFormatError:  # empty, or no separator at all
        return False
    lines = text.split("\n")
    row = lines[layout.data_line].rstrip("\r") if layout.data_line < len(lines) else ""
    cells = [c for c in _split(row, layout.sep) if c.strip()]
    if sum(_is_value(c) for c in cells) < 2:
        return False
    if layout.header_line is None:  # samples without a header (read with rate_hz) are numbers only
        return all(_is_value(c) for c in cells)
    # a header names sensor axes or quantities (not, say, a table of run summaries)
    names = layout.names or _split(lines[layout.header_line].rstrip("\r"), layout.sep)
    parsed = [parse_header(c.strip().strip('"')) for c in names]
    return any(q in ("acc", "lin", "gyr") for q, _, _ in parsed) or sum(ax is not None for _, ax, _ in parsed) >= 3


def _read_table(src: _Source, warns: list[str]) -> tuple[pd.DataFrame, _Layout]:
    """The table of a CSV and its layout (separator, header line, metadata above it)."""
    data = _as_utf8(src.data)
    if not data[:65536].strip(b" \t\r\n\x00") and not data.strip(b" \t\r\n\x00"):
        raise FileFormatError(src.name, "empty file")
    if _looks_binary(data):
        raise FileFormatError(src.name, "not a text CSV file (binary content)")
    head = data[:65536].decode("utf-8", errors="replace").replace("\x00", "")
    layout = _sniff(head, src.name)
    # byte offset of the first line to parse (header, or first data line)
    start_line = layout.header_line if layout.header_line is not None else layout.data_line
    off = 0
    for _ in range(start_line):
        off = data.index(b"\n", off) + 1
    body = data[off:] if off else data
    if b"\x00" in body[:65536]:
        body = body.replace(b"\x00", b"")
    has_header = layout.header_line is not None
    df = None
    if layout.decimal == "." and layout.sep != " ":
        # the pyarrow CSV parser (what pd.read_csv(engine="pyarrow") runs), called
        # directly to skip pandas' consolidation copy: 720,000 rows in ~0.1 s
        try:
            table = pa_csv.read_csv(
                io.BytesIO(body),
                read_options=pa_csv.ReadOptions(autogenerate_column_names=not has_header),
                parse_options=pa_csv.ParseOptions(delimiter=layout.sep),
            )
            df = table.to_pandas(split_blocks=True, self_destruct=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
            df = None  # ragged rows, comments: the C engine below
    if df is None:
        kw = dict(sep=r"\s+" if layout.sep == " " else layout.sep, header=0 if has_header else None,
                  decimal=layout.decimal, skip_blank_lines=True, on_bad_lines="skip",
                  encoding_errors="replace",  # damaged bytes spoil their cells, not the file
                  engine="c" if layout.sep != " " else "python")
        try:
            df = pd.read_csv(io.BytesIO(body), **kw)
        except Exception as exc:
            raise FileFormatError(src.name, f"cannot be parsed as CSV ({str(exc).splitlines()[0]})") from None
        lines = [ln for ln in body.split(b"\n") if ln.strip()]
        skipped = len(lines) - int(has_header) - len(df)
        if skipped > 0:
            warns.append(f"{src.name}: dropped {skipped} unreadable rows (wrong number of fields)")
    if not has_header:
        df.columns = [f"column_{i}" for i in range(df.shape[1])]
    df.columns = [str(c).strip().strip('"').strip() for c in df.columns]
    if layout.names is not None and len(layout.names) == df.shape[1]:
        df.columns = layout.names
    if df.empty:
        raise FileFormatError(src.name, "no data rows (header only)")
    if len(df) < 2:
        raise FileFormatError(src.name, "only one data row")
    return df, layout


# ----------------------------------------------------------------------------- time
def _numeric(col: pd.Series) -> np.ndarray:
    """Column as float; cells that are not numbers (junk, text) become NaN."""
    if pd.api.types.is_numeric_dtype(col):
        return col.to_numpy(dtype=float, na_value=np.nan)
    s = col.astype("string").str.strip()
    if s.str.contains(",", regex=False).any():  # decimal commas in a text column
        s = s.str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _tz_offset(text: str | None) -> pd.Timedelta | None:
    """UTC offset written as '-04:00', 'GMT -04', 'UTC+2'."""
    if not text:
        return None
    t = text.strip().upper().replace("GMT", "").replace("UTC", "").strip()
    if t in ("", "Z"):
        return pd.Timedelta(0) if text.strip() else None
    m = re.fullmatch(r"([+-])\s*(\d{1,2}):?(\d{2})?", t)
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return sign * pd.Timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))


def _parse_dates(col: pd.Series, header: str, meta_tz: str | None, src: str, warns: list[str]) -> np.ndarray | None:
    """Date strings as UTC ns since the epoch (int64, NaT -> min int), or None."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):  # parsed already (pyarrow)
        ts, aware = col, getattr(col.dt, "tz", None) is not None
        return _dates_to_ns(ts, aware, header, meta_tz, src, warns)
    s = col.astype("string").str.strip()
    sample = s.dropna()
    if not len(sample) or not _DATE.match(str(sample.iloc[0])):
        return None
    # GENEActiv "10:25:50:000" and MetaBase "T10-44-08.123" to ISO
    first = str(sample.iloc[0])
    if re.search(r"\d\d:\d\d:\d\d:\d{3}$", first):
        s = s.str.replace(r"(\d\d:\d\d:\d\d):(\d{3})$", r"\1.\2", regex=True)
    elif re.search(r"T\d\d-\d\d-\d\d", first):
        s = s.str.replace(r"T(\d\d)-(\d\d)-(\d\d)", r"T\1:\2:\3", regex=True)
    if _DMY.match(str(sample.iloc[0])):
        ts = _year_last_dates(s, header, src, warns)
        if ts is None or ts.isna().all():
            return None
        return _dates_to_ns(ts, False, header, meta_tz, src, warns)
    first = str(s.dropna().iloc[0])
    aware = bool(re.search(r"(Z|[+-]\d\d:?\d\d)$", first))
    try:
        ts = pd.to_datetime(s, format="ISO8601", utc=aware, errors="coerce")
    except (ValueError, TypeError):
        ts = pd.to_datetime(s, format="mixed", utc=aware, errors="coerce")
    if ts.isna().all():
        return None
    return _dates_to_ns(ts, aware, header, meta_tz, src, warns)


def _year_last_dates(s: pd.Series, header: str, src: str, warns: list[str]) -> pd.Series | None:
    """Dates written day.month.year or month/day/year, with a 24-h or a 12-h
    clock, as naive timestamps (None when most cells are not such dates). Dots
    are day first (the locales that write them); with slashes or dashes a
    first number over 12 says day first, a second over 12 month first, and
    when neither shows, month first (a US spreadsheet) is assumed and said."""
    p = s.dropna().iloc[:2000].str.extract(_DMY)
    if p[0].isna().mean() > 0.5:
        return None
    a, b = pd.to_numeric(p[0], errors="coerce"), pd.to_numeric(p[2], errors="coerce")
    sep = str(p[1].dropna().iloc[0])
    day_first = sep == "." or bool((a > 12).any())
    if not day_first and not (b > 12).any():
        warns.append(f"{src}: dates in {header!r} could be day/month or month/day; read as month/day")
    date = f"%d{sep}%m{sep}%Y" if day_first else f"%m{sep}%d{sep}%Y"
    ampm = bool(p[5].str.upper().str.match(r"(AM|PM)\b").any())
    clean = s  # stripped by the caller
    if p[4].str.contains(",", regex=False).any():  # a decimal comma in the seconds
        clean = clean.str.replace(",", ".", regex=False)
    date += "T" if s.dropna().iloc[0].count("T") else " "
    out = None
    for clock in ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M"):  # C-speed parsing with each exact format
        fmt = f"{date}{clock.replace('%H', '%I')} %p" if ampm else f"{date}{clock}"
        got = pd.to_datetime(clean, format=fmt, errors="coerce")
        out = got if out is None else out.fillna(got)
        if out.notna().all():
            break
    return out


def _dates_to_ns(ts: pd.Series, aware: bool, header: str, meta_tz: str | None, src: str,
                 warns: list[str]) -> np.ndarray:
    if not aware:
        m = re.search(r"\(([^)]*)\)", header)
        off = _tz_offset(m.group(1)) if m else None
        if off is None:
            off = _tz_offset(meta_tz)
        if off is not None:
            ts = ts - off
            warns.append(f"{src}: local times in {header!r} converted to UTC (offset {_fmt_offset(off)})")
        else:
            warns.append(f"{src}: times in {header!r} have no time zone; assumed UTC")
        ts = ts.dt.tz_localize("UTC")
    else:
        ts = ts.dt.tz_convert("UTC")
    return ts.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64).copy()


def _fmt_offset(off: pd.Timedelta) -> str:
    minutes = int(off.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


_NAT = np.iinfo(np.int64).min


def _time_of(
    df: pd.DataFrame, times: list[tuple[str, str | None]], samples: list[str], layout: _Layout,
    rate_hz: float | None, src: str, warns: list[str],
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Sample times: (absolute UTC ns or None, relative s or None).

    Absolute times win over elapsed ones, numbers since the epoch over date
    strings (which are only parsed when needed), and a time column over a
    sample counter. Only the chosen column's assumptions are reported.
    """
    meta_rate = _meta_rate(layout.meta, layout.meta_lines)
    meta_tz = next((v for k, v in layout.meta.items() if "time zone" in k or k in ("timezone", "tz")), None)
    numeric = [(c, u) for c, u in times if pd.api.types.is_numeric_dtype(df[c])]
    other = [(c, u) for c, u in times if (c, u) not in numeric]
    relative: list[tuple[np.ndarray, list[str]]] = []
    for col, unit in numeric + other:
        ser, notes = df[col], []
        if not pd.api.types.is_numeric_dtype(ser):
            ns = _parse_dates(ser, col, meta_tz, src, notes)
            if ns is not None:
                warns += notes
                return ns, None
            clock = _clock_seconds(ser)
            if clock is not None:
                relative.append((clock, [f"{src}: time column {col!r} read as times of day (no date)"]))
                continue
        v = _numeric(ser)
        fin = v[np.isfinite(v)]
        if len(fin) < max(2, 0.5 * len(v)):
            continue
        mag = float(np.median(np.abs(fin)))
        steps = np.diff(fin)
        step = float(np.median(steps[steps > 0])) if (steps > 0).any() else 0.0
        if unit is not None:
            scale = _TIME_UNITS[unit]
            if 1e8 < mag * scale < 4.2e9:  # 1973..2103: since the epoch
                return _to_ns(ser, v, scale), None
            relative.append((v * scale, notes))
            continue
        # no unit stated: tell by magnitude (epoch) or step size (elapsed)
        for scale, lo in ((1e-9, 1e17), (1e-6, 1e14), (1e-3, 1e11), (1.0, 1e8)):
            if mag > lo and mag * scale < 4.2e9:
                warns.append(
                    f"{src}: time column {col!r} read as {_UNIT_NAME[scale]} since the Unix epoch (no unit stated)"
                )
                return _to_ns(ser, v, scale), None
        scale = 1.0 if step < 0.5 else 1e-3 if step < 500 else 1e-6 if step < 5e5 else 1e-9
        notes.append(f"{src}: time column {col!r} read as {_UNIT_NAME[scale]} (no unit stated; median step {step:g})")
        relative.append((v * scale, notes))
    if relative:
        t, notes = relative[0]
        warns += notes
        return None, t
    rate = rate_hz or meta_rate
    if samples and rate:
        v = _numeric(df[samples[0]])
        warns.append(f"{src}: no time column; time from sample counter {samples[0]!r} at {rate:g} Hz")
        return None, v / rate
    if rate:
        warns.append(f"{src}: no time column; samples taken as evenly spaced at {rate:g} Hz")
        return None, np.arange(len(df)) / rate
    cols = ", ".join(map(str, df.columns[:20]))
    if samples:
        raise FileFormatError(
            src, f"no time column, only the sample counter {samples[0]!r}: give the sample rate (--rate-hz, or rate_hz= in Python) "
            f"(columns: {cols})"
        )
    raise FileFormatError(src, f"no time column and no sample rate: give rate_hz= (columns: {cols})")


_UNIT_NAME = {1.0: "seconds", 1e-3: "milliseconds", 1e-6: "microseconds", 1e-9: "nanoseconds"}

_CLOCK = r"^\s*(\d{1,2}):(\d\d):(\d\d(?:[.,]\d+)?)\s*$"


def _clock_seconds(col: pd.Series) -> np.ndarray | None:
    """Times of day without a date ("23:59:59.990") as seconds since midnight,
    or None when most cells are not; a pass of midnight is unwrapped with the
    other clock wraps (:func:`gaitlab.io.grid.to_uniform_grid`)."""
    parts = col.astype("string").str.extract(_CLOCK)
    ok = parts[0].notna()
    if ok.mean() < 0.5:
        return None
    h, m = parts[0].astype(float), parts[1].astype(float)
    sec = pd.to_numeric(parts[2].str.replace(",", ".", regex=False), errors="coerce")
    out = (h * 3600 + m * 60 + sec).to_numpy(dtype=float, na_value=np.nan)
    out[((h >= 24) | (m >= 60) | (sec >= 61)).to_numpy(dtype=bool, na_value=True)] = np.nan
    return out


def _to_ns(col: pd.Series, v: np.ndarray, scale: float) -> np.ndarray:
    """Epoch times in ``scale`` seconds as int64 ns, exactly for integer columns."""
    per = int(round(scale * 1e9))
    if pd.api.types.is_integer_dtype(col.dtype):
        return col.to_numpy(dtype=np.int64) * per
    out = np.full(len(v), _NAT, dtype=np.int64)
    ok = np.isfinite(v)
    whole = np.floor(v[ok])
    out[ok] = whole.astype(np.int64) * per + np.rint((v[ok] - whole) * per).astype(np.int64)
    return out


def _meta_rate(meta: dict[str, str], lines: list[str] = ()) -> float | None:
    """Sample rate stated above the header: "Measurement Frequency,50.0 Hz",
    "# Sample rate: 100 Hz", "# Config: data_rate = 2000.0 Hz, ..."."""
    for ln in lines:
        m = re.search(r"(?:sample|sampling|data|output)[ _]?(?:rate|frequency)\s*[=:,]?\s*(\d+(?:\.\d+)?)\s*hz",
                      ln, re.IGNORECASE)
        if m and 0 < float(m.group(1)) < 100000:
            return float(m.group(1))
    for k, v in meta.items():
        if any(w in k for w in ("frequency", "sample rate", "sampling rate", "samplerate", "sampling_rate",
                                "data rate", "odr", "fs")):
            m = re.search(r"(\d+(?:\.\d+)?)", v)
            if m and 0 < float(m.group(1)) < 100000:
                return float(m.group(1))
    return None


# ----------------------------------------------------------------------------- units
def _to_canonical(q: str, v: np.ndarray, unit: str | None, src: str, headers: list[str], warns: list[str]) -> np.ndarray:
    """Convert a (n, 3) block to m/s^2, deg/s or uT; infer the unit when not stated."""
    cols = ", ".join(headers)
    if unit is None or q == "mag":
        norm = np.linalg.norm(v, axis=1)
        norm = norm[np.isfinite(norm)]
    if q in ("acc", "lin", "grav"):
        if unit is None:
            med = float(np.median(norm)) if len(norm) else float("nan")
            if q == "acc" or med > 0.3:
                if 0.5 < med < 2.0:
                    unit = "g"
                elif 500 < med < 2000:
                    unit = "mg"
                else:
                    unit = "mps2"
                    if not 5 < med < 20 and q == "acc":
                        warns.append(
                            f"{src}: median |a| of {cols} is {med:.3g}, neither ~1 g nor ~9.81 m/s^2; read as m/s^2"
                        )
                if unit != "mps2" or 5 < med < 20:
                    warns.append(
                        f"{src}: accelerometer units not stated; read {cols} as "
                        f"{ {'g': 'g', 'mg': 'milli-g', 'mps2': 'm/s^2'}[unit]} (median |a| = {med:.3g})"
                    )
            else:
                unit = "mps2"
        factor = {"mps2": 1.0, "g": G, "mg": G / 1000.0}.get(unit, 1.0)
        return v if factor == 1.0 else v * factor
    if q == "gyr":
        if unit is None:
            p99 = float(np.percentile(np.abs(v[np.isfinite(v)]), 99)) if np.isfinite(v).any() else 0.0
            unit = "rads" if p99 < 15 else "dps"
            warns.append(
                f"{src}: gyroscope units not stated; read {cols} as "
                f"{'rad/s' if unit == 'rads' else 'deg/s'} (99th percentile |w| = {p99:.3g})"
            )
        return v * np.degrees(1.0) if unit == "rads" else v
    if q == "mag":
        if unit is None or unit in ("g", "mg"):
            unit = {"g": "gauss", "mg": "mgauss"}.get(unit or "", None)
        if unit is None:
            med = float(np.median(norm)) if len(norm) else float("nan")
            unit = "t" if med < 1e-3 else "gauss" if med < 2 else "ut" if med < 200 else "mgauss"
            warns.append(f"{src}: magnetometer units not stated; read {cols} as {unit} (median |B| = {med:.3g})")
        return v * {"ut": 1.0, "t": 1e6, "nt": 1e-3, "gauss": 100.0, "mgauss": 0.1}.get(unit, 1.0)
    return v


#: Beyond these no body-worn sensor measures (accelerometers top out at +-200 g,
#: gyroscopes at +-4000 deg/s, magnetometers at ~+-5000 uT): such a value is a
#: damaged cell. Canonical units (frames.py).
_PHYSICAL_MAX = {"acc": 2000.0, "lin": 2000.0, "grav": 2000.0, "gyr": 20000.0, "mag": 10000.0}
_CANONICAL_UNIT = {"acc": "m/s^2", "lin": "m/s^2", "grav": "m/s^2", "gyr": "deg/s", "mag": "uT"}


# ----------------------------------------------------------------------------- one table
def _hint(name: str) -> str | None:
    """Quantity a file holds, from its name (per-sensor exports)."""
    n = file_stem(name)
    if any(w in n for w in ("uncalibrated", "orientation", "metadata", "annotation", "wristmotion", "headphone")):
        return "skip"
    if "totalacc" in n:
        return "acc"
    if "linear" in n or "useracc" in n:
        return "lin"
    if "gravity" in n:
        return "grav"
    if "gyro" in n or re.search(r"(^|[^a-z])gyr", Path(name).name.lower()):
        return "gyr"
    if "magnet" in n or re.search(r"(^|[^a-z])mag([^a-z]|$)", Path(name).name.lower()):
        return "mag"
    if "acc" in n:
        return "acc"
    return None


def _no_twice_named(columns: pd.Index, name: str) -> None:
    """Refuse a table whose time or inertial columns are named more than once
    (two sensors side by side under one header, as gaitmap's left/right foot
    sample): which one to read cannot be told."""
    twice = [c for c in dict.fromkeys(columns[columns.duplicated()]) if any(parse_header(str(c))[:2])]
    if twice:
        n = int((columns == twice[0]).sum())
        raise FileFormatError(
            name, f"columns named more than once ({', '.join(map(str, twice[:6]))}: {n} times; several sensors "
            "under one header?): gaitlab reads one sensor per file; save each sensor to its own CSV"
        )


def _stream(src: _Source, columns: dict[str, str] | None, rate_hz: float | None, warns: list[str]) -> list[_Stream]:
    """The inertial samples of one CSV: one stream, or one per sensor when the
    sensors fill rows of their own (empty cells where another sensor's sample is);
    and a stream of its GPS fixes when it has GPS columns."""
    text_head = src.data[:256].replace(b"\x00", b"").decode("utf-8", errors="replace")
    geneactiv = text_head.startswith("Device Type,GENEActiv")
    df, layout = _read_table(src, warns)
    if geneactiv and layout.header_line is None and df.shape[1] >= 4:
        df.columns = ["timestamp", "acc_x_g", "acc_y_g", "acc_z_g", *df.columns[4:]]
    if columns:
        missing = [k for k in columns if k not in df.columns]
        if missing and len(missing) == len(columns):
            raise FileFormatError(
                src.name, f"columns= names {', '.join(missing)} not in the file (columns: {', '.join(df.columns[:20])})"
            )
        df = df.rename(columns={k: v for k, v in columns.items() if k in df.columns})
    _no_twice_named(df.columns, src.name)
    hint = _hint(src.name)
    sensor_logger = "seconds_elapsed" in df.columns
    times: list[tuple[str, str | None]] = []
    samples: list[str] = []
    axes: dict[str, dict[str, tuple[str, str | None]]] = {}
    for col in df.columns:
        q, ax, unit = parse_header(col)
        if q == "time":
            times.append((col, unit))
        elif q == "samples":
            samples.append(col)
        elif ax is not None:
            if q is None:
                q = hint if hint not in (None, "skip") else None
            if q is None:
                continue
            axes.setdefault(q, {}).setdefault(ax, (col, unit))
    # time: prefer stated-unit columns of Sensor Logger 'time' (ns epoch)
    if sensor_logger:
        times = [(c, "ns" if c == "time" else u) for c, u in times]
    n = len(df)
    blocks: dict[str, tuple[np.ndarray, str | None, list[str]]] = {}
    meta_units = layout.meta.get("units")
    for q, by_axis in axes.items():
        if set(by_axis) != {"x", "y", "z"}:
            warns.append(f"{src.name}: {q} has only axes {', '.join(sorted(by_axis))}; ignored")
            continue
        cols = [by_axis[a][0] for a in "xyz"]
        units = {by_axis[a][1] for a in "xyz"}
        unit = units.pop() if len(units) == 1 else None
        if unit is None and geneactiv and q == "acc":
            unit = "g"
        if unit is None and meta_units and _unit_code(meta_units.lower()) and _UNIT_KIND.get(_unit_code(meta_units.lower())) == q:
            unit = _unit_code(meta_units.lower())
        vals = np.empty((n, 3))
        for i, c in enumerate(cols):
            vals[:, i] = _numeric(df[c])
        blocks[q] = (vals, unit, cols)
    gps = location_columns(df.columns)
    baro = barometer_columns(df.columns)
    if not blocks and not gps and not baro:
        return []  # nothing inertial here
    try:
        t_ns, t_s = _time_of(df, times, samples, layout, rate_hz, src.name, warns)
    except FileFormatError as exc:
        if blocks:
            raise
        warns.append(f"{src.name}: {'GPS track' if gps else 'barometer'} not used: {exc.problem}")
        return []
    time_ok = (t_ns != _NAT) if t_ns is not None else np.isfinite(t_s)

    def at_rows(at: np.ndarray, **kw) -> _Stream:
        return _Stream(src.name, t_ns[at] if t_ns is not None else None, t_s[at] if t_ns is None else None, **kw)

    track = []
    if gps:
        fx = fixes({role: _numeric(df[col]) * factor for role, (col, factor) in gps.items()}, time_ok)
        track.append(at_rows(fx["row"].to_numpy(), track=fx))
    height = barometric_altitude({r: _numeric(df[c]) * f for r, (c, f) in baro.items()}) if baro else None
    if height is not None:
        at = np.flatnonzero(time_ok & np.isfinite(height))
        track.append(at_rows(at, height=height[at]))
    if not blocks:
        return track
    conv = {q: _to_canonical(q, vals, unit, src.name, cols, warns) for q, (vals, unit, cols) in blocks.items()}
    for q, v in conv.items():
        wild = (np.abs(v) > _PHYSICAL_MAX[q]).any(axis=1)  # damaged cells, not motion
        if wild.any():
            v[wild] = np.nan
            warns.append(f"{src.name}: {int(wild.sum())} {q} sample(s) beyond any sensor's range "
                         f"(over {_PHYSICAL_MAX[q]:g} {_CANONICAL_UNIT[q]}) read as missing")
    finite = {q: np.isfinite(v).all(axis=1) for q, v in conv.items()}
    usable = time_ok & np.logical_or.reduce(list(finite.values()))
    dropped = int((~usable).sum())
    if dropped:
        warns.append(f"{src.name}: dropped {dropped} unreadable row{'s' if dropped != 1 else ''}")
    masks = {q: time_ok & f for q, f in finite.items()}
    first = next(iter(masks.values()))
    same = all(np.array_equal(m, first) for m in masks.values())
    groups = [list(blocks)] if same else [[q] for q in blocks]  # sensors on rows of their own
    simulated = any(ln.lower().startswith("simulated") for ln in layout.meta_lines)
    out = []
    for group in groups:
        keep = masks[group[0]]
        st = _Stream(src.name, simulated=simulated)
        if t_ns is not None:
            st.t_ns = t_ns[keep]
        else:
            st.t_s = t_s[keep]
        for q in group:
            st.q[q] = conv[q][keep]
        if sensor_logger and hint == "acc" and "acc" in st.q and "total" not in src.name.lower():
            # Sensor Logger's Accelerometer.csv is acceleration without gravity (UNITS.md):
            # its mean vector is ~0, where one with gravity averages to ~9.81 m/s^2
            mean = float(np.linalg.norm(np.nanmean(st.q["acc"], axis=0)))
            if mean < 0.3 * G:
                st.q["lin"] = st.q.pop("acc")
        out.append(st)
    return out + track


# ----------------------------------------------------------------------------- public
def read_imu_csv(
    path: str | PathLike[str],
    columns: dict[str, str] | None = None,
    *,
    rate_hz: float | None = None,
    max_gap_s: float = 0.2,
) -> Run:
    """Read IMU samples from a CSV (``.csv``, ``.csv.gz``, ``.txt``), a folder or a ``.zip``.

    Parameters
    ----------
    path
        The file, or a folder / zip of per-sensor CSVs (accelerometer, gyroscope,
        magnetometer files are picked by name). Opened read-only.
    columns
        The file's column names mapped to canonical names with units, for
        headers gaitlab does not recognise: ``{"t": "time_s", "AccelX": "acc_x_g", ...}``.
    rate_hz
        Sample rate of a file without a time column (or with only a sample
        counter); with a time column, the rate of the output grid (a faster
        stream is low-passed first: :data:`gaitlab.io.grid.ANTI_ALIAS_RATIO`).
    max_gap_s
        Holes longer than this stay NaN with ``gap=True``.

    Returns
    -------
    Run
        ``format="csv"``, ``imu`` on a uniform grid, ``imu_rate_hz``,
        ``start_time`` (when the file has absolute times) and ``warnings``.

    Raises
    ------
    FileFormatError
        Empty, binary or unreadable file, no accelerometer columns, no time
        and no rate.
    """
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise FileFormatError(name, "no such file")
    warns: list[str] = []
    sources = _sources(p, name, warns)
    multi = len(sources) > 1
    streams: list[_Stream] = []
    tracks: list[_Stream] = []
    errors: list[str] = []
    for src in sources:
        hint = _hint(src.name)
        if multi and (hint == "skip" or src.name.lower().replace("\\", "/").startswith("meta/")):
            continue
        try:
            found = _stream(src, columns, rate_hz, warns)
        except FileFormatError as exc:
            if not multi:
                if exc.path == src.name and src.name == p.name:
                    raise FileFormatError(name, exc.problem) from None
                raise
            errors.append(f"{src.name}: {exc.problem}")
            if hint in _LABEL:
                warns.append(f"{src.name} skipped: {exc.problem}")
            continue
        streams += [st for st in found if st.q]
        tracks += [st for st in found if st.track is not None or st.height is not None]
    if multi and errors and not streams:
        raise FileFormatError(name, "no readable sensor file (" + "; ".join(errors[:4]) + ")")
    return _assemble(p, name, streams, sources, rate_hz, max_gap_s, warns, tracks)


def _pick(streams: list[_Stream], q: str, name: str) -> _Stream | None:
    cands = [s for s in streams if q in s.q]
    if len(cands) > 1:
        total = [s for s in cands if "total" in s.name.lower()]
        if len(total) == 1:
            return total[0]
        files = ", ".join(s.name for s in cands)
        raise FileFormatError(name, f"several files hold {_LABEL[q]} data ({files}); read one recording at a time")
    return cands[0] if cands else None


_LABEL = {"acc": "accelerometer", "lin": "acceleration without gravity", "grav": "gravity",
          "gyr": "gyroscope", "mag": "magnetometer"}


def _assemble(p, name, streams, sources, rate_hz, max_gap_s, warns, tracks=()) -> Run:
    if not streams:
        cols = _all_columns(sources)
        raise FileFormatError(name, f"no accelerometer columns found (columns: {cols})")
    acc = _pick(streams, "acc", name)
    acc_key = "acc"
    if acc is None:
        lin = _pick(streams, "lin", name)
        grav = _pick(streams, "grav", name)
        if lin is None:
            cols = _all_columns(sources)
            raise FileFormatError(name, f"no accelerometer columns found (columns: {cols})")
        if grav is None:
            raise FileFormatError(
                name,
                f"{lin.name} holds acceleration without gravity and there is no gravity or total "
                "acceleration to add (export TotalAcceleration or Gravity too)",
            )
        # total acceleration = user acceleration + gravity (Sensor Logger on iOS)
        if lin.t_ns is not None and grav.t_ns is not None:
            t_lin, t_grav = (lin.t_ns - lin.t_ns[0]) / 1e9, (grav.t_ns - lin.t_ns[0]) / 1e9
        else:
            t_lin, t_grav = _times(lin), _times(grav)
        if lin is grav:
            total = lin.q["lin"] + grav.q["grav"]
        else:
            total = np.column_stack([np.interp(t_lin, t_grav, grav.q["grav"][:, i]) for i in range(3)])
            total = lin.q["lin"] + total
        acc = _Stream(lin.name, lin.t_ns, lin.t_s, {"acc": total})
        warns.append(f"acceleration with gravity = {lin.name} (without gravity) + {grav.name} (gravity)")
    gyr = _pick([s for s in streams if s is not acc], "gyr", name) if "gyr" not in acc.q else acc
    mag = _pick([s for s in streams if s is not acc], "mag", name) if "mag" not in acc.q else acc
    groups: dict[int, tuple[_Stream, dict[str, np.ndarray]]] = {}
    for st, q, stem, unit in ((acc, acc_key, "acc", "mps2"), (gyr, "gyr", "gyr", "dps"), (mag, "mag", "mag", "ut")):
        if st is None:
            continue
        cols = groups.setdefault(id(st), (st, {}))[1]
        for i, a in enumerate("xyz"):
            cols[f"{stem}_{a}_{unit}"] = st.q[q][:, i]
    parts = list(groups.values())
    absolute = all(st.t_ns is not None for st, _ in parts)
    ref_ns = None
    series = []
    for st, cols in parts:
        if absolute:
            if ref_ns is None:
                ref_ns = int(min(s.t_ns[s.t_ns != _NAT].min() for s, _ in parts))
            t = (st.t_ns - ref_ns) / 1e9
        else:
            t = _times(st)
        series.append((t, cols))
    if len(parts) > 1 and not absolute and any(st.t_ns is not None for st, _ in parts):
        warns.append("not every sensor file has absolute times; their elapsed times were aligned at 0")
    labels = [st.name for st, _ in parts] if len(parts) > 1 else None
    try:
        frame, rate, problems, t0 = to_common_grid(series, rate_hz=rate_hz, max_gap_s=max_gap_s, labels=labels)
    except ValueError as exc:
        raise FileFormatError(name, str(exc)) from None
    warns += problems
    if len(frame) < 2:
        raise FileFormatError(name, "fewer than 2 samples with a time")
    elapsed = frame["elapsed_s"].to_numpy()
    if absolute:
        start_ns = ref_ns + int(round(t0 * 1e9))
        ts = pd.to_datetime(start_ns + np.rint(elapsed * 1e9).astype(np.int64), unit="ns", utc=True)
        start_time = pd.Timestamp(start_ns, unit="ns", tz="UTC")
    else:
        start_ns = None
        ts = pd.DatetimeIndex(np.full(len(frame), np.datetime64("NaT", "ns"))).tz_localize("UTC")
        start_time = None
    records, sources = _gps_records(list(tracks), start_ns, t0, float(elapsed[-1]), start_time, warns)
    imu = pd.DataFrame(
        {"elapsed_s": elapsed, "timestamp": ts,
         **{c: frame[c].to_numpy() for c in frame.columns if c not in ("elapsed_s", "gap")},
         "gap": frame["gap"].to_numpy()},
        copy=False,
    )
    own = f"{Path(name).name}: "  # a note on the file itself names it once ("run.csv: run.csv: ..." otherwise)
    for w in warns:
        _warnings.warn(f"{name}: {w.removeprefix(own)}", GaitlabWarning, stacklevel=3)
    return Run(path=p, format="csv", imu=imu, imu_rate_hz=float(rate), start_time=start_time, records=records,
               source_fields=sources, warnings=warns, simulated=any(st.simulated for st, _ in parts))


def _gps_records(tracks: list[_Stream], start_ns: int | None, t0: float, end_s: float,
                 start_time: pd.Timestamp | None, warns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The GPS track on the IMU's clock as records (:func:`gaitlab.io.track.track_records`),
    its altitude from a barometer beside it (:func:`gaitlab.io.track.with_barometer`),
    or a barometer's height alone (:func:`gaitlab.io.track.barometer_records`):
    their times absolute when the sensors' are (``start_ns`` is the IMU's first
    grid sample), else elapsed on the same clock (``t0`` is that sample's); and
    the records' ``source_fields`` (which file each column came from)."""
    usable = [tr for tr in tracks if (tr.t_ns is not None) == (start_ns is not None)]
    for tr in tracks:
        if not any(tr is u for u in usable):  # by identity: a stream holds arrays
            warns.append(f"{tr.name}: {'GPS track' if tr.track is not None else 'barometer'} not used: its times "
                         "are " + ("elapsed, the sensors' absolute" if start_ns is not None else
                                   "absolute, the sensors' elapsed") + " (no common clock)")

    def on_imu_clock(tr: _Stream) -> np.ndarray:
        return (tr.t_ns - start_ns) / 1e9 if start_ns is not None else tr.t_s - t0

    # Sensor Logger's fused Location.csv over its GPS-only and network-only ones,
    # the phone's Barometer.csv over the watch's
    gps = _pick_track([tr for tr in usable if tr.track is not None], "location", "GPS track", warns)
    baro = _pick_track([tr for tr in usable if tr.height is not None], "barometer", "barometer", warns)
    if gps is None:
        if baro is None:
            return pd.DataFrame(), pd.DataFrame()
        # climbs without a grade (no distance to take it over) or a height above sea level
        records = barometer_records(on_imu_clock(baro), baro.height, start_time, end_s, baro.name, warns)
        said = {c: f"the phone's barometer ({baro.name}), {RELATIVE_ALTITUDE}" for c in records.columns}
    else:
        records = track_records(on_imu_clock(gps), gps.track, start_time, end_s, gps.name, warns)
        said = {c: f"the phone's GPS track ({gps.name})" for c in records.columns}
        if baro is not None:
            with_baro = with_barometer(records, on_imu_clock(baro), baro.height, baro.name, warns)
            if with_baro is not records:  # the barometer was used
                said["altitude_m"] = f"the phone's barometer ({baro.name}), offset to the GPS height's median"
            records = with_baro
    sources = pd.DataFrame([{"column": c, "message": None, "field": None, "brand": None, "developer_app": None,
                             "describe": text, "factor": 1.0, "units_in_file": None} for c, text in said.items()])
    return records, sources


def _pick_track(cands: list[_Stream], stem: str, what: str, warns: list[str]) -> _Stream | None:
    """The stream of the file named ``stem`` (any case and extension), else the longest."""
    if not cands:
        return None
    pick = max(cands, key=lambda tr: (file_stem(tr.name) == stem,
                                      len(tr.track) if tr.track is not None else len(tr.height)))
    if len(cands) > 1:
        warns.append(f"{what} from {pick.name} ({', '.join(tr.name for tr in cands if tr is not pick)} "
                     "also hold one)")
    return pick


def _times(st: _Stream | None) -> np.ndarray | None:
    if st is None:
        return None
    if st.t_ns is not None:
        return (st.t_ns - st.t_ns[0]) / 1e9 if len(st.t_ns) else np.array([])
    return st.t_s


def _all_columns(sources: list[_Source]) -> str:
    """The header cells of the files, for error messages."""
    cols: list[str] = []
    for src in sources:
        head = src.data[:65536].decode("utf-8", errors="replace").replace("\x00", "").lstrip("\ufeff")
        try:
            layout = _sniff(head, src.name)
        except FileFormatError:
            continue
        if layout.header_line is not None:
            line = head.split("\n")[layout.header_line].rstrip("\r")
            cols += [c.strip().strip('"').strip() for c in _split(line, layout.sep)]
    text = ", ".join(dict.fromkeys(c for c in cols if c))
    return text[:300] + ("..." if len(text) > 300 else "") if text else "none"
