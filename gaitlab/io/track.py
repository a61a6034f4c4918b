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
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._headers import norm, split_unit

__all__ = ["location_columns", "fixes", "track_records", "EARTH_RADIUS_M"]

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
