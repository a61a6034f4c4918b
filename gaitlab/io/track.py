"""A phone's GPS track beside its IMU samples, as records like a watch's.

A phone in a running belt records its location with the IMU, and recorder
apps export it beside the sensor files:

* Sensor Logger ``Location.csv`` (tszheichoi/awesome-sensor-logger, UNITS.md):
  ``time`` (ns since the epoch), ``seconds_elapsed``, ``latitude``,
  ``longitude`` (deg), ``altitude`` (m above the WGS84 ellipsoid),
  ``altitudeAboveMeanSeaLevel``, ``speed`` (m/s, negative when invalid),
  ``horizontalAccuracy`` (m, negative when invalid), ``bearing``...
  (``WatchLocation.csv`` names them alike).
* phyphox ``Location.csv``: ``"Time (s)"`` (the experiment's clock, shared with
  its sensor files), ``"Latitude (°)"``, ``"Longitude (°)"``, ``"Height (m)"``,
  ``"Velocity (m/s)"``, ``"Direction (°)"``, ``"Horizontal Accuracy (m)"``...
* GPS columns in a logger's own table (``lat``, ``lon``, ``speed_mps``,
  ``speed (km/h)``, ``altitude_m``...), often filled only on the rows where a
  fix came in.

They become :attr:`gaitlab.run.Run.records` on the IMU's clock, named as the
FIT importer names a watch's records (``elapsed_s``, ``timestamp``,
``lat_deg``, ``lon_deg``, ``speed_mps``, ``distance_m``, ``altitude_m``,
``gps_accuracy_m``), so the fatigue analysis compares form at matched pace and
grade (:mod:`gaitlab.fatigue`) and gives distances, and reports split by km.

A phone's barometer beside them gives the altitude instead of the GPS's, whose
height errs by metres and wanders: over the ~100 m a grade is taken on, that
is a grade error of several %, where a barometer's ~0.1 m is 0.1 %. Without a
GPS track, a barometer alone gives records of its height relative to the start
(:func:`barometer_records`): the climb, but no grade (no distance) and no
height above sea level.

* Sensor Logger ``Barometer.csv`` (UNITS.md): ``relativeAltitude`` (m since
  the start of the recording), ``pressure`` (mbar = hPa; ``WatchBarometer.csv``
  in kPa unless units are standardised).
* phyphox ``Pressure.csv``: ``"Time (s)"``, ``"Pressure (hPa)"``.
* a pressure or relative-altitude column in a logger's own table.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._headers import norm, split_unit

__all__ = ["location_columns", "fixes", "track_records", "barometer_columns", "barometric_altitude",
           "with_barometer", "barometer_records", "EARTH_RADIUS_M"]

#: Mean Earth radius (IUGG), m: distances between fixes on a sphere.
EARTH_RADIUS_M = 6_371_008.8

#: A column's name (lower case, letters only, its unit left out) -> what it holds.
_ROLES = {
    **dict.fromkeys(("latitude", "lat", "gpslat", "gpslatitude", "latitudedeg", "latdeg"), "lat"),
    **dict.fromkeys(("longitude", "lon", "lng", "long", "gpslon", "gpslng", "gpslongitude", "longitudedeg",
                     "londeg"), "lon"),
    **dict.fromkeys(("speed", "velocity", "gpsspeed", "groundspeed"), "speed"),
    # above mean sea level first: the watch's "altitude" is that, the phone's the ellipsoid's
    "altitudeabovemeansealevel": "alt_msl",
    **dict.fromkeys(("altitude", "height", "elevation", "gpsaltitude", "ellipsoidalaltitude", "alt"), "alt"),
    **dict.fromkeys(("horizontalaccuracy", "accuracy", "gpsaccuracy", "hacc"), "accuracy"),
}
#: Speed units -> factor to m/s (m/s when none is stated: Sensor Logger's, phyphox's).
_SPEED_UNITS = {"m/s": 1.0, "mps": 1.0, "ms": 1.0, "ms-1": 1.0, "ms^-1": 1.0, "km/h": 1 / 3.6, "kmh": 1 / 3.6,
                "kph": 1 / 3.6, "mph": 0.44704, "kn": 0.514444, "knots": 0.514444, "kt": 0.514444}
#: Fixes either side of one whose speed is taken from positions (the chord spans twice this).
_SPAN = 3
#: Suffixes of unit that a column name may end in ("speed_mps", "altitude_m", "lat_deg").
_SUFFIX = re.compile(r"[_\s](m/s|mps|km/h|kmh|kph|mph|kn|knots|m|deg|degrees)$")


def _name_and_unit(column: str) -> tuple[str, str | None]:
    s, unit = split_unit(norm(column))
    if unit is None:
        m = _SUFFIX.search(s)
        if m:
            unit, s = m.group(1), s[: m.start()]
    return re.sub(r"[^a-z]", "", s), unit


def location_columns(columns: pd.Index) -> dict[str, tuple[str, float]]:
    """The GPS columns of a table: ``{role: (column, factor to SI)}`` for the
    roles ``lat``, ``lon``, ``speed`` (to m/s), ``alt`` (m; the height above
    mean sea level when there is one), ``accuracy`` (m). Empty unless the table
    has latitude and longitude, or a speed column."""
    found: dict[str, tuple[str, float]] = {}
    for col in columns:
        name, unit = _name_and_unit(col)
        role = _ROLES.get(name)
        if role is None or role in found:
            continue
        factor = 1.0
        if role == "speed":
            factor = _SPEED_UNITS.get((unit or "m/s").replace(" ", ""), np.nan)
            if not np.isfinite(factor):
                continue  # a speed in a unit we do not know is not taken for m/s
        found[role] = (col, factor)
    if "alt_msl" in found:
        found["alt"] = found.pop("alt_msl")
    if not ({"lat", "lon"} <= set(found) or "speed" in found):
        return {}
    return found


def fixes(values: dict[str, np.ndarray], rows: np.ndarray) -> pd.DataFrame:
    """One row per fix among ``rows`` (a boolean mask of the table's rows with a
    time), from the GPS columns as numbers (``{role: values}``, in the units of
    :func:`location_columns`' factors applied): ``row`` (its index in the
    table), ``lat_deg``, ``lon_deg``, ``speed_mps``, ``altitude_m``,
    ``gps_accuracy_m`` (NaN when not given or marked invalid by a negative
    value). A row is a fix when it has a position (0, 0 is no position: "null
    island") or, without position columns, a speed."""
    nan = np.full(len(rows), np.nan)
    lat, lon, speed, alt, acc = (np.asarray(values.get(r, nan), float)
                                 for r in ("lat", "lon", "speed", "alt", "accuracy"))
    speed = np.where(speed >= 0, speed, np.nan)  # negative: invalid (Sensor Logger, iOS)
    acc = np.where(acc >= 0, acc, np.nan)
    if "lat" in values:
        fix = (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & ~((lat == 0) & (lon == 0))
    else:
        fix = np.isfinite(speed)
    keep = np.flatnonzero(rows & fix)
    return pd.DataFrame({"row": keep, "lat_deg": lat[keep], "lon_deg": lon[keep], "speed_mps": speed[keep],
                         "altitude_m": alt[keep], "gps_accuracy_m": acc[keep]})


def _haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def track_records(elapsed_s: np.ndarray, fx: pd.DataFrame, start_time: pd.Timestamp | None, end_s: float,
                  name: str, warns: list[str]) -> pd.DataFrame:
    """Records from GPS fixes at ``elapsed_s`` (s on the IMU's clock), within
    the IMU's span ``0``-``end_s``.

    ``speed_mps`` is the fix's own (Doppler) speed where it has one, else the
    chord from the fix ``_SPAN`` (3) before it to the one ``_SPAN`` after, over
    the time between them; ``distance_m``
    integrates that speed (a phone's position jitters by metres while its
    Doppler speed does not, so summing positions would overstate the distance).
    """
    t = np.asarray(elapsed_s, float)
    order = np.argsort(t, kind="stable")
    t, fx = t[order], fx.iloc[order].reset_index(drop=True)
    inside = np.isfinite(t) & (t >= -1.0) & (t <= end_s + 1.0)
    t, fx = t[inside], fx[inside].reset_index(drop=True)
    first = np.concatenate([[True], np.diff(t) > 0])[: len(t)]  # one fix per time
    t, fx = t[first], fx[first].reset_index(drop=True)
    if len(t) < 2:
        warns.append(f"{name}: fewer than 2 GPS fixes during the IMU recording; no speed or distance from it")
        return pd.DataFrame()
    speed = fx["speed_mps"].to_numpy(float)
    lat, lon = fx["lat_deg"].to_numpy(float), fx["lon_deg"].to_numpy(float)
    have_pos = np.isfinite(lat) & np.isfinite(lon)
    if have_pos.sum() >= 2:
        # for fixes without their own: the chord from the fix _SPAN before to
        # the one _SPAN after, over the time between (a phone's position wanders
        # by metres, which summed fix to fix adds ~6 % to a run's distance)
        i = np.flatnonzero(have_pos)
        lo, hi = np.maximum(np.arange(len(i)) - _SPAN, 0), np.minimum(np.arange(len(i)) + _SPAN, len(i) - 1)
        chord = _haversine_m(lat[i[lo]], lon[i[lo]], lat[i[hi]], lon[i[hi]])
        derived = np.interp(t, t[i], chord / np.maximum(t[i[hi]] - t[i[lo]], 1e-9))
        missing = ~np.isfinite(speed)
        if missing.any():
            share = missing.mean()
            if share > 0.5:
                warns.append(f"{name}: GPS speed from the distance between fixes ({share:.0%} of the fixes have "
                             "none of their own)")
            speed = np.where(missing, derived, speed)
    ok = np.isfinite(speed)
    if ok.sum() < 2:
        warns.append(f"{name}: no GPS speed or positions to take a speed from; no speed or distance from it")
        return pd.DataFrame()
    speed = np.interp(t, t[ok], speed[ok])
    distance = np.concatenate([[0.0], np.cumsum((speed[1:] + speed[:-1]) / 2 * np.diff(t))])
    out = pd.DataFrame({"elapsed_s": t})
    out["timestamp"] = (start_time + pd.to_timedelta(t, unit="s") if start_time is not None
                        else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]"))
    out["speed_mps"] = speed
    out["distance_m"] = distance
    for c in ("altitude_m", "lat_deg", "lon_deg", "gps_accuracy_m"):
        v = fx[c].to_numpy(float)
        if np.isfinite(v).any():
            out[c] = v
    return out


def barometer_records(elapsed_s: np.ndarray, height_m: np.ndarray, start_time: pd.Timestamp | None, end_s: float,
                      name: str, warns: list[str]) -> pd.DataFrame:
    """Records of a barometer with no GPS track beside it: ``altitude_m``, its
    height (m) relative to where the IMU's span begins (no GPS height to tie it
    to sea level), once a second within the IMU's span ``0``-``end_s`` (s on the
    IMU's clock) where the barometer has samples."""
    t, h = np.asarray(elapsed_s, float), np.asarray(height_m, float)
    ok = np.isfinite(t) & np.isfinite(h) & (t >= -1.0) & (t <= end_s + 1.0)
    order = np.argsort(t[ok], kind="stable")
    t, h = t[ok][order], h[ok][order]
    grid = np.arange(max(np.ceil(t[0]), 0.0), min(t[-1], end_s) + 1e-9, 1.0) if len(t) else t
    if len(grid) < 2:
        warns.append(f"{name}: barometer samples over less than 2 s of the IMU recording; no altitude from it")
        return pd.DataFrame()
    out = pd.DataFrame({"elapsed_s": grid})
    out["timestamp"] = (start_time + pd.to_timedelta(grid, unit="s") if start_time is not None
                        else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]"))
    alt = np.interp(grid, t, h)
    out["altitude_m"] = alt - alt[0]
    return out


#: Barometer columns (name as in :data:`_ROLES`) -> what they hold.
_BARO_ROLES = {
    **dict.fromkeys(("relativealtitude", "relalt", "baroaltitude", "barometricaltitude", "pressurealtitude"),
                    "rel_alt"),
    **dict.fromkeys(("pressure", "airpressure", "barometricpressure", "atmosphericpressure", "baro", "barometer",
                     "press"), "pressure"),
}
#: Pressure units -> factor to hPa.
_PRESSURE_UNITS = {"hpa": 1.0, "mbar": 1.0, "mb": 1.0, "millibar": 1.0, "kpa": 10.0, "pa": 0.01, "inhg": 33.8639,
                   "mmhg": 1.33322, "bar": 1000.0}
#: Air pressure a runner meets (hPa): from the Dead Sea shore to ~9 km up.
_AIR_HPA = (300.0, 1100.0)
#: Most of a run's air pressure lies within this (hPa): ~550 m of climb.
_MAX_SPREAD_HPA = 60.0
#: Standard atmosphere (ICAO): height difference from a pressure ratio.
_H_SCALE_M, _EXPONENT = 44330.77, 1 / 5.25588


def barometer_columns(columns: pd.Index) -> dict[str, tuple[str, float]]:
    """The barometer columns of a table: ``{role: (column, factor)}`` for
    ``rel_alt`` (m) and ``pressure`` (factor to hPa; 1 when no unit is stated:
    :func:`barometric_altitude` tells kPa and Pa by their size)."""
    found: dict[str, tuple[str, float]] = {}
    for col in columns:
        s, unit = split_unit(norm(col))
        m = re.search(r"[_\s](hpa|mbar|kpa|pa|inhg|mmhg|m)$", s) if unit is None else None
        if m:
            unit, s = m.group(1), s[: m.start()]
        role = _BARO_ROLES.get(re.sub(r"[^a-z]", "", s))
        if role is None or role in found:
            continue
        if role == "rel_alt":
            if unit not in (None, "m"):
                continue
            found[role] = (col, 1.0)
        else:
            factor = _PRESSURE_UNITS.get((unit or "hpa").replace(" ", ""))
            if factor is None:
                continue  # a pressure in a unit we do not know
            found[role] = (col, factor)
    return found


def barometric_altitude(values: dict[str, np.ndarray]) -> np.ndarray | None:
    """Height (m) from barometer columns as numbers (``{role: values}``,
    pressure times its factor): the relative altitude as given (from the
    recording's start), else from the pressure through the standard atmosphere
    (from the level of the median pressure). ``None``
    when neither is usable (a "pressure" that is not air pressure: a foot
    pressure insole's)."""
    rel = values.get("rel_alt")
    if rel is not None and np.isfinite(rel).sum() >= 2:
        return np.asarray(rel, float)
    p = values.get("pressure")
    if p is None:
        return None
    p = np.asarray(p, float)
    med = np.nanmedian(p) if np.isfinite(p).any() else np.nan
    if not np.isfinite(med):
        return None
    if not _AIR_HPA[0] <= med <= _AIR_HPA[1]:  # no unit, or a wrong one: by size (kPa, Pa)
        for factor in (10.0, 0.01):
            if _AIR_HPA[0] <= med * factor <= _AIR_HPA[1]:
                p, med = p * factor, med * factor
                break
        else:
            return None
    p = np.where((p >= _AIR_HPA[0]) & (p <= _AIR_HPA[1]), p, np.nan)
    if np.nanpercentile(p, 95) - np.nanpercentile(p, 5) > _MAX_SPREAD_HPA:
        return None  # swings with each step: a foot's pressure, not the air's
    return _H_SCALE_M * (1 - (p / med) ** _EXPONENT)


def with_barometer(records: pd.DataFrame, t_s: np.ndarray, height_m: np.ndarray, name: str,
                   warns: list[str]) -> pd.DataFrame:
    """``records`` with ``altitude_m`` from a barometer's heights ``height_m``
    (m) at ``t_s`` (s, the records' clock), offset to the GPS altitude's median
    where the records have one (so it stays above sea level). Records outside
    the barometer's span keep no altitude. ``records`` itself comes back, unchanged,
    when the barometer cannot be used."""
    if records.empty:
        return records
    ok = np.isfinite(t_s) & np.isfinite(height_m)
    t_b, h = np.asarray(t_s, float)[ok], np.asarray(height_m, float)[ok]
    if len(t_b) < 2:
        warns.append(f"{name}: fewer than 2 barometer samples beside the GPS track; altitude from GPS")
        return records
    order = np.argsort(t_b, kind="stable")
    t_b, h = t_b[order], h[order]
    t = records["elapsed_s"].to_numpy(float)
    alt = np.interp(t, t_b, h)
    alt[(t < t_b[0] - 1.0) | (t > t_b[-1] + 1.0)] = np.nan
    out = records.copy()
    if "altitude_m" in out and np.isfinite(out["altitude_m"]).any():
        offset = np.nanmedian(out["altitude_m"].to_numpy(float) - alt)
        alt = alt + (offset if np.isfinite(offset) else 0.0)
    out["altitude_m"] = alt
    return out
