"""``Run``: one recording as pandas tables, whatever file it came from.

Units and time conventions: :mod:`gaitlab.frames`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Run", "FORM_METRICS", "climbs", "climb_profile", "altitude_jitter_m", "describe_elevation",
           "ASCENT_HYSTERESIS_M", "ALTITUDE_JITTER_MAX_M", "RELATIVE_ALTITUDE", "walking_cadence_spm",
           "MIN_RUNNING_SPEED_MPS", "MIN_RUNNING_BOUT_S", "MAX_RECORD_INTERVAL_S"]

#: Form metrics gaitlab knows, with what they mean (used by ``info`` and reports).
FORM_METRICS: dict[str, str] = {
    "cadence_spm": "cadence, steps per minute",
    "stance_time_ms": "ground contact time per step",
    "stance_time_pct": "ground contact time as % of the step",
    "stance_time_balance_left_pct": "left foot's share of ground contact time",
    "vertical_oscillation_mm": "vertical bounce of the torso per step",
    "vertical_ratio_pct": "vertical oscillation / step length",
    "step_length_mm": "length of one step",
    "power_w": "running power",
    "form_power_w": "Stryd form power",
    "leg_spring_stiffness_kn_m": "Stryd leg spring stiffness",
    "air_power_w": "Stryd air power",
    "impact_loading_rate_bw_s": "Stryd impact loading rate",
}


#: Hysteresis (m) for counting ascent from altitude records: a phone's barometer
#: height (``"barometer"``: ~0.1 m of noise) and a watch's altitude records
#: (``"records"``: barometric or GPS, smoothed by the watch: at 3 m the count's
#: median ratio to the watches' own totals is 1.0 over 17 real runs, 15 of them
#: within 15 %, all within 0.85-1.14; 1 m counts 14 % over).
ASCENT_HYSTERESIS_M: dict[str, float] = {"barometer": 0.5, "records": 3.0}


#: How ``source_fields`` describes an altitude relative to the start of the
#: recording (a phone's barometer with no GPS height to tie it to sea level).
RELATIVE_ALTITUDE = "height relative to the start (no GPS track to tie it to sea level)"


#: Altitude records that jitter more than this (m: SD about their running median
#: over 31 records, :func:`altitude_jitter_m`) are a GPS height, not a
#: barometer's or a watch's smoothed one, and are not counted: over 27 real
#: files in the tests, 25 jitter 0-0.47 m; a GPS-only fenix2 2.8 m (its count
#: 2.4 times its own total) and the Strava phone app's FIT 0.95 m.
ALTITUDE_JITTER_MAX_M = 0.75


#: Records slower than this (m/s) are standing, not running form.
MIN_RUNNING_SPEED_MPS = 1.0


#: Running between walks or stops for less than this (s) is not running form:
#: it is all getting going and slowing down. In the 12 real files of
#: ``../shared/data/real`` with walks or stops in their running, a record 1-2
#: s from one has a cadence 3-24 steps/min (median 12) and a speed 0.3-2.6 m/s
#: under those a minute or more from one; 6-10 s from one, the cadence is
#: within 4 steps/min in 9 of them. The 1-2 s of "running" a Garmin strap
#: writes at a walk's edge in an iron-distance marathon (142-154 steps/min,
#: contact time 367-444 ms, bounce 24-44 mm) are the walk's.
MIN_RUNNING_BOUT_S = 10.0

#: A record stands for the time up to the next one, but for no longer than this
#: (s): a watch writes a record every 1-10 s while its wearer moves (smart
#: recording; in the 32 runs of ``../shared/data/real`` 15 of the 110,078
#: intervals between running records are longer), so a longer gap is a paused
#: timer.
MAX_RECORD_INTERVAL_S = 10.0


def walking_cadence_spm(cadence_spm: np.ndarray | pd.Series) -> float:
    """The cadence (steps/min) under which a run's records are walking: 15
    under the runner's typical running cadence (the median of the records at
    140 or more), between 120 and 140.

    Walking's cadence rarely exceeds 135 steps/min and running's rarely falls
    under 145, but slow runners come close: in ``../shared/data/real`` the
    walk breaks of an iron-distance triathlon's 5.5-hour marathon
    (``gc-fenix5x-multisport-rd-stryd``, 32 % of its records) are at 120-135
    steps/min, where the watch leaves contact time out ("not available while
    walking", Garmin's Running Dynamics Pod manual), while the slowest running is at 144-150 (5 % of
    ``developer-types-sample`` under 144, its median 150; its line is 135).
    A fixed line at 120 took those walk breaks for running form.
    """
    c = np.asarray(cadence_spm, float)
    running = c[np.isfinite(c) & (c >= 140)]
    if not len(running):
        return 120.0
    return float(np.clip(np.median(running) - 15.0, 120.0, 140.0))


def _long_bouts(ok: np.ndarray, t_s: np.ndarray, min_s: float) -> np.ndarray:
    """``ok`` without its runs of consecutive True records that last under
    ``min_s`` seconds: from their first record to the record after them (a
    smart-recording watch writes a record every 1-10 s), or to their last
    record plus the typical record interval at the end of the recording. A run
    without a known length is kept."""
    idx = np.flatnonzero(ok)
    if not len(idx):
        return ok
    starts = np.r_[True, np.diff(idx) > 1]
    first, last = idx[starts], idx[np.r_[starts[1:], True]]
    step = float(np.nanmedian(np.diff(t_s))) if len(t_s) > 1 else 0.0
    stop = np.where(last + 1 < len(t_s), t_s[np.minimum(last + 1, len(t_s) - 1)], t_s[last] + step)
    out = np.zeros_like(ok)
    out[idx] = ~(stop - t_s[first] < min_s)[np.cumsum(starts) - 1]
    return out


def altitude_jitter_m(altitude_m: np.ndarray | pd.Series) -> float:
    """SD (m) of altitude records about their running median over 31 records
    (NaNs skipped; NaN for fewer than 5 values)."""
    a = pd.Series(np.asarray(altitude_m, float)).dropna().reset_index(drop=True)
    if len(a) < 5:
        return float("nan")
    return float(np.std(a - a.rolling(31, center=True, min_periods=5).median()))


def climbs(altitude_m: np.ndarray, hysteresis_m: float) -> tuple[float, float]:
    """Total ascent and descent (m) of an altitude series (m): the legs between
    turning points that each differ from the last by at least ``hysteresis_m``
    (a zigzag filter, so noise smaller than that is not counted). NaNs are
    skipped; a series of fewer than 2 values climbs 0."""
    up, down = climb_profile(altitude_m, hysteresis_m)
    return (float(up[-1]), float(down[-1])) if len(up) else (0.0, 0.0)


def climb_profile(altitude_m: np.ndarray, hysteresis_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Ascent and descent (m) counted by :func:`climbs` up to each sample of an
    altitude series: non-decreasing, ending at its totals (a sample without an
    altitude holds the one before). Within a leg, the climb so far is its
    highest (lowest) point yet, so the counts between two samples add up to the
    totals of any split of the series."""
    a_all = np.asarray(altitude_m, float)
    up_at, down_at = np.zeros(len(a_all)), np.zeros(len(a_all))
    pos = np.flatnonzero(np.isfinite(a_all))
    pos = pos[np.r_[True, np.diff(a_all[pos]) != 0]] if len(pos) else pos  # plateaus are one point
    if len(pos) < 2:
        return up_at, down_at
    a = a_all[pos]
    d = np.sign(np.diff(a))
    # only the local extremes can end a leg: the loop runs over them, not over samples
    ext = np.flatnonzero(np.r_[True, d[1:] != d[:-1], True])
    starts, ways = [], []  # each leg's first point (index into a) and way (+1 up, -1 down)
    ext_i, ext_x = ext.tolist(), a[ext].tolist()  # Python scalars: the loop is 5x faster than on numpy ones
    lo = hi = cur = ext_i[0]
    lo_x = hi_x = cur_x = ext_x[0]
    trend = 0
    for i, x in zip(ext_i[1:], ext_x[1:]):
        if trend == 0:
            if x < lo_x:
                lo, lo_x = i, x
            if x > hi_x:
                hi, hi_x = i, x
            if x > lo_x and x - lo_x >= hysteresis_m:  # x > lo: with no hysteresis, the first leg's own way
                trend, cur, cur_x = 1, i, x
                starts.append(lo)
            elif x < hi_x and hi_x - x >= hysteresis_m:
                trend, cur, cur_x = -1, i, x
                starts.append(hi)
            if trend:
                ways.append(trend)
        elif trend * (x - cur_x) > 0:
            cur, cur_x = i, x
        elif trend * (cur_x - x) >= hysteresis_m:
            starts.append(cur)
            ways.append(-trend)
            trend, cur, cur_x = -trend, i, x
    if not starts:
        return up_at, down_at
    starts_a, ways_a = np.array(starts), np.array(ways)
    # each leg's climb ends where the next one starts (the last: at its extreme so far)
    leg = np.searchsorted(starts_a, np.arange(len(a)), side="right") - 1
    in_leg = leg >= 0
    li = leg[in_leg]
    g = pd.Series(a[in_leg]).groupby(li)
    gain = np.where(ways_a[li] > 0, g.cummax().to_numpy() - a[starts_a[li]], a[starts_a[li]] - g.cummin().to_numpy())
    whole = np.abs(np.diff(a[starts_a]))  # the legs that ended
    ups = np.r_[0.0, np.cumsum(np.where(ways_a[:-1] > 0, whole, 0.0))]  # counted before each leg
    downs = np.r_[0.0, np.cumsum(np.where(ways_a[:-1] < 0, whole, 0.0))]
    up, down = np.zeros(len(a)), np.zeros(len(a))
    up[in_leg] = ups[li] + np.where(ways_a[li] > 0, gain, 0.0)
    down[in_leg] = downs[li] + np.where(ways_a[li] < 0, gain, 0.0)
    counted = np.zeros(len(a_all), bool)
    counted[pos] = True
    idx = np.cumsum(counted) - 1  # each sample's last counted point (-1 before the first)
    return np.where(idx >= 0, up[idx], 0.0), np.where(idx >= 0, down[idx], 0.0)


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass
class Run:
    """One recorded run (or one multisport file) as tables.

    Attributes
    ----------
    path
        The file it was read from (``None`` for simulated or in-memory data).
    format
        ``"fit"`` or ``"csv"``.
    records
        One row per FIT ``record`` message: ``timestamp`` (UTC), ``elapsed_s``
        (seconds since the first record), ``session_index`` (the row of its
        session in ``sessions``) and canonical columns
        with units in their names (``speed_mps``, ``cadence_spm``, ...).
    laps, sessions
        One row per lap / session message, same naming.
    device
        The recording device: ``manufacturer``, ``product``, ``serial_number``,
        ``software_version``.
    sensors
        Every ``device_info`` entry (straps, foot pods, the watch itself).
    developer_apps
        Connect IQ / pod apps that wrote developer fields, with their brand.
    sport, sub_sport
        Of the first session (of the selected sessions after :meth:`session`).
    start_time
        UTC time of the first record (or of the session start when earlier).
    imu
        Inertial samples in the sensor frame on a uniform time grid of
        ``imu_rate_hz``: ``elapsed_s``, ``timestamp`` (UTC; ``NaT`` when the file
        has no absolute time), ``acc_x_mps2``..., ``gyr_x_dps``... (absent for
        accelerometer-only recorders), ``mag_x_ut``... (when recorded) and
        ``gap`` (True where the recording had a hole longer than 0.2 s; values
        there are NaN, never interpolated). Empty when the file has none.
    imu_rate_hz
        Sample rate of ``imu`` in Hz (``None`` without IMU data).
    source_fields
        Where each column came from: ``column``, ``message``, ``field``,
        ``developer_app``, ``brand``, ``units_in_file``, ``factor``.
    warnings
        Everything repaired, skipped or assumed while reading, one line each.
    messages
        Every decoded message of the file by message name, as the decoder gave
        them (nothing is lost; values are scaled, not renamed).
    simulated
        True for data made by :mod:`gaitlab.simulate` / :mod:`gaitlab.simulate_fit`
        (also when written to a CSV file with a ``# simulated ...`` line above
        its header, as the bundled sample is): reports label it.
    """

    path: Path | None = None
    format: str = "fit"
    records: pd.DataFrame = field(default_factory=_empty)
    laps: pd.DataFrame = field(default_factory=_empty)
    sessions: pd.DataFrame = field(default_factory=_empty)
    device: dict[str, Any] = field(default_factory=dict)
    sensors: pd.DataFrame = field(default_factory=_empty)
    developer_apps: pd.DataFrame = field(default_factory=_empty)
    sport: str = "unknown"
    sub_sport: str | None = None
    start_time: pd.Timestamp | None = None
    imu: pd.DataFrame = field(default_factory=_empty)
    imu_rate_hz: float | None = None
    source_fields: pd.DataFrame = field(default_factory=_empty)
    warnings: list[str] = field(default_factory=list)
    messages: dict[str, list[dict]] = field(default_factory=dict, repr=False)
    simulated: bool = False

    # ------------------------------------------------------------------ summary
    @property
    def duration_s(self) -> float:
        """Seconds from the earliest to the latest record or IMU sample time (0
        without either). A phone's GPS records start and end with their fixes,
        inside its IMU's span, so both count. Times missing in damaged files are
        left out."""
        spans = [(t.min(), t.max()) for t in (table.get("elapsed_s") for table in (self.records, self.imu))
                 if t is not None and t.notna().any()]
        return float(max(hi for _, hi in spans) - min(lo for lo, _ in spans)) if spans else 0.0

    @property
    def distance_m(self) -> float | None:
        """Distance covered, from records (else sessions); ``None`` when unknown."""
        d = self.records.get("distance_m")
        if d is not None and d.notna().any():
            return float(d.max() - d.min())
        s = self.sessions.get("total_distance_m")
        if s is not None and s.notna().any():
            return float(s.sum())
        return None

    def elevation(self) -> dict[str, Any] | None:
        """Total ascent and descent, m: ``{"ascent_m", "descent_m", "from"}``, or
        ``None`` when the run has no altitude good enough to count them.

        Each session's own totals where the device wrote them (what its app
        shows); else counted from the records' ``altitude_m`` with a hysteresis
        (:data:`ASCENT_HYSTERESIS_M`). ``descent_m`` is ``None`` when a session
        has an ascent total but no descent one. A phone's GPS height alone is not
        counted: it wanders by metres within a minute, which counts 1.5-2.4 times
        the true ascent at 10 m of hysteresis and ~30 times at 0.5 m (simulated
        30-min runs with 5 m of wander); nor are altitude records that jitter
        like one (:data:`ALTITUDE_JITTER_MAX_M`). A session of a multisport file
        without totals whose altitude cannot be counted adds nothing, and
        ``from`` names it (1-based).
        """
        rec, s = self.records, self.sessions
        alt = rec.get("altitude_m")
        kind = self._altitude_kind()

        def count(a: pd.Series | None) -> tuple[float, float] | None:
            return climbs(a.to_numpy(float), ASCENT_HYSTERESIS_M[kind]) if self._countable(a, kind) else None

        if len(s) and "total_ascent_m" in s and s["total_ascent_m"].notna().any():
            up, down, counted, uncounted = 0.0, 0.0, False, []
            for i, row in enumerate(s.to_dict("records")):
                if pd.notna(row["total_ascent_m"]):
                    up += float(row["total_ascent_m"])
                    d = row.get("total_descent_m")
                    down = down + float(d) if down is not None and pd.notna(d) else None
                elif alt is not None and "session_index" in rec:
                    a = alt[rec["session_index"] == i]
                    if c := count(a):
                        up, down, counted = up + c[0], (down + c[1]) if down is not None else None, True
                    elif a.notna().sum() >= 2:  # altitude too jittery to count: say so, not a silent 0
                        uncounted.append(str(i + 1))
            parts = ["the device's session totals"] + [self._counted_text(kind)] * counted
            text = " and ".join(parts)
            if uncounted:
                text += (f"; session{'s' * (len(uncounted) > 1)} {', '.join(uncounted)} without totals and with "
                         "altitude too jittery to count left out")
            return {"ascent_m": up, "descent_m": down, "from": text}
        c = count(alt)
        if c is None:
            return None
        return {"ascent_m": c[0], "descent_m": c[1], "from": self._counted_text(kind)}

    @property
    def relative_altitude(self) -> bool:
        """Whether ``altitude_m`` is a height relative to the start of the
        recording (:data:`RELATIVE_ALTITUDE`: a phone's barometer alone), not
        above sea level."""
        return RELATIVE_ALTITUDE in self._altitude_source()

    def climb_profile(self) -> pd.DataFrame | None:
        """Ascent and descent (m) counted from the altitude records up to each
        record (``elapsed_s``, ``ascent_m``, ``descent_m``: :func:`climb_profile`
        with :meth:`elevation`'s hysteresis, which ``attrs["from"]`` names), so
        that a stretch's climb is the difference between its ends; ``None``
        where :meth:`elevation` would not count them (a phone's GPS height,
        records that jitter, no altitude)."""
        alt = self.records.get("altitude_m")
        kind = self._altitude_kind()
        if not self._countable(alt, kind):
            return None
        up, down = climb_profile(alt.to_numpy(float), ASCENT_HYSTERESIS_M[kind])
        out = pd.DataFrame({"elapsed_s": self.records["elapsed_s"].to_numpy(float), "ascent_m": up,
                            "descent_m": down})
        out.attrs["from"] = self._counted_text(kind)
        return out

    def _altitude_kind(self) -> str:
        """Where ``altitude_m`` came from: ``"barometer"`` (a phone's), ``"gps"``
        (a phone's GPS height) or ``"records"`` (a device's altitude records)."""
        said = self._altitude_source()
        return "barometer" if "barometer" in said else "gps" if "GPS" in said else "records"

    def _altitude_source(self) -> str:
        """What ``source_fields`` says of ``altitude_m`` ("" when nothing)."""
        src = self.source_fields
        return " ".join(src.loc[src["column"] == "altitude_m", "describe"].dropna()) if "describe" in src else ""

    @staticmethod
    def _countable(alt: pd.Series | None, kind: str) -> bool:
        if kind == "gps" or alt is None or alt.notna().sum() < 2:
            return False
        return kind != "records" or not altitude_jitter_m(alt) > ALTITUDE_JITTER_MAX_M

    def course_summary(self) -> dict[str, Any]:
        """``distance_m``, ``ascent_m``, ``descent_m``, ``elevation_from`` as
        :meth:`summary` gives them (None where unknown)."""
        e = self.elevation()
        if e is None:
            return {"distance_m": _round(self.distance_m), "ascent_m": None, "descent_m": None, "elevation_from": None}
        return {"distance_m": _round(self.distance_m), "ascent_m": _round(e["ascent_m"]),
                "descent_m": _round(e["descent_m"]), "elevation_from": e["from"]}

    @staticmethod
    def _counted_text(kind: str) -> str:
        what = "the barometer" if kind == "barometer" else "the altitude records"
        return f"{what}, counted over {ASCENT_HYSTERESIS_M[kind]:g} m of hysteresis"

    def form_metrics(self) -> list[str]:
        """Canonical form-metric columns that hold at least one value."""
        return [c for c in FORM_METRICS if c in self.records and self.records[c].notna().any()]

    def running_records(self) -> np.ndarray:
        """Which records are running (bool per record): not under
        :data:`MIN_RUNNING_SPEED_MPS`, not flagged as walking by a Garmin
        running-dynamics sensor, which goes on reporting vertical oscillation
        but leaves contact time out while its wearer walks ("not available while
        walking", Garmin's Running Dynamics Pod manual; in ``../shared/data/real``
        such records are at 104-145 steps/min, while a strap that drops out
        loses both), not under :meth:`walking_cadence_spm`, and not in a
        stretch of such records shorter than :data:`MIN_RUNNING_BOUT_S`. A
        record without speed or cadence counts as running."""
        ok = self._moving()
        if "cadence_spm" in self.records:
            c = self.records["cadence_spm"].to_numpy(float)
            ok &= ~(c < walking_cadence_spm(c[ok]))
        if "elapsed_s" in self.records and not ok.all():
            ok = _long_bouts(ok, self.records["elapsed_s"].to_numpy(float), MIN_RUNNING_BOUT_S)
        return ok

    def record_seconds(self) -> np.ndarray:
        """Seconds each record stands for (per record): the time to the next
        record, at most :data:`MAX_RECORD_INTERVAL_S`; the last record the
        typical interval. NaN without a time. Summed over
        :meth:`running_records`, the time spent running."""
        if "elapsed_s" not in self.records:
            return np.full(len(self.records), np.nan)
        t = self.records["elapsed_s"].to_numpy(float)
        d = np.diff(t)
        step = float(np.nanmedian(d[d > 0])) if (d > 0).any() else np.nan
        return np.minimum(np.r_[d, step], MAX_RECORD_INTERVAL_S).clip(min=0)

    def walking_cadence_spm(self) -> float | None:
        """This run's walking cadence (:func:`walking_cadence_spm` of its moving
        records), None without cadence."""
        if "cadence_spm" not in self.records:
            return None
        return walking_cadence_spm(self.records["cadence_spm"].to_numpy(float)[self._moving()])

    def _moving(self) -> np.ndarray:
        r = self.records
        ok = np.ones(len(r), bool)
        if "speed_mps" in r:
            ok &= ~(r["speed_mps"].to_numpy(float) < MIN_RUNNING_SPEED_MPS)
        if "vertical_oscillation_mm" in r and "stance_time_ms" in r:
            ok &= ~((r["vertical_oscillation_mm"].to_numpy(float) > 0) & ~(r["stance_time_ms"].to_numpy(float) > 0))
        return ok

    # -------------------------------------------------------------- selection
    def session(self, index: int) -> Run:
        """The part of a multisport file recorded in session ``index`` (0-based)."""
        if self.sessions.empty or not 0 <= index < len(self.sessions):
            raise IndexError(f"{self.path}: no session {index} (file has {len(self.sessions)})")
        return self._select([index])

    def running(self) -> Run:
        """Only the running sessions (all of a single-sport running file, and all
        of a file whose sessions do not say their sport).

        Raises
        ------
        LookupError
            When no session is a run.
        """
        if self.sessions.empty or "sport" not in self.sessions:
            return self
        idx = [i for i, s in enumerate(self.sessions["sport"]) if s == "running"]
        if not idx and all(str(s) in ("unknown", "generic", "None", "nan") for s in self.sessions["sport"]):
            return self  # sessions that do not say their sport: taken as they are
        if not idx:
            raise LookupError(f"{self.path}: no running session (sports: {self.sports})")
        return self if len(idx) == len(self.sessions) else self._select(idx)

    @property
    def sports(self) -> list[str]:
        """Sport of every session, in order."""
        if "sport" in self.sessions:
            return [str(s) for s in self.sessions["sport"]]
        return [self.sport]

    def _select(self, indices: list[int]) -> Run:
        # session_index stays the row in ``sessions``: renumbered for the rows kept
        renumber = {old: new for new, old in enumerate(indices)}
        recs = self.records[self.records["session_index"].isin(indices)].copy()
        recs["session_index"] = recs["session_index"].map(renumber)
        sessions = self.sessions.iloc[indices].reset_index(drop=True)
        laps = self.laps
        if "session_index" in laps:
            laps = laps[laps["session_index"].isin(indices)].reset_index(drop=True)
            laps["session_index"] = laps["session_index"].map(renumber)
        start = recs["timestamp"].iloc[0] if len(recs) else self.start_time
        if len(recs):
            recs["elapsed_s"] = (recs["timestamp"] - start).dt.total_seconds()
            # a multisport file counts distance from its own start; a selected
            # leg counts from the leg's start, as the watch shows it
            d = recs.get("distance_m")
            if d is not None and d.notna().any():
                recs["distance_m"] = d - d.dropna().iloc[0]
        imu = self.imu
        if len(imu) and len(recs):
            t0, t1 = recs["timestamp"].iloc[0], recs["timestamp"].iloc[-1]
            imu = imu[(imu["timestamp"] >= t0) & (imu["timestamp"] <= t1)].copy()
            imu["elapsed_s"] = (imu["timestamp"] - start).dt.total_seconds()
        first = sessions.iloc[0] if len(sessions) else {}
        return replace(
            self,
            records=recs.reset_index(drop=True),
            sessions=sessions,
            laps=laps,
            imu=imu,
            start_time=start,
            sport=str(first.get("sport", self.sport)),
            sub_sport=first.get("sub_sport", self.sub_sport),
            warnings=list(self.warnings),
        )

    # ------------------------------------------------------------------ repr
    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: device, sport, start, duration, distance, metrics, warnings, and
        whether the data are simulated."""
        src = self.source_fields
        metrics = {}
        for col in self.form_metrics():
            row = src[src["column"] == col] if len(src) else src
            metrics[col] = {
                "meaning": FORM_METRICS[col],
                "source": row["describe"].iloc[0] if len(row) else None,
                "median": _round(self.records[col].median()),
            }
        return {
            "file": str(self.path) if self.path else None,
            "device": self.device,
            "sensors": self.sensors.to_dict("records") if len(self.sensors) else [],
            "sport": self.sport,
            "sub_sport": self.sub_sport,
            "sports": self.sports,
            "start_time": self.start_time.isoformat() if self.start_time is not None else None,
            "duration_s": round(self.duration_s, 1),
            **self.course_summary(),
            "records": len(self.records),
            "imu_samples": len(self.imu),
            "simulated": self.simulated,
            "form_metrics": metrics,
            "warnings": list(self.warnings),
        }

    def __repr__(self) -> str:
        name = self.path.name if self.path else "in-memory"
        return (
            f"Run({name!r}, sport={self.sport!r}, start={self.start_time}, "
            f"records={len(self.records)}, duration_s={self.duration_s:.0f}, "
            f"warnings={len(self.warnings)})"
        )


def describe_elevation(e: dict[str, Any] | None) -> str:
    """``"up 75 m, down 72 m (from ...)"`` for :meth:`Run.elevation`'s answer, or
    ``"unknown"``."""
    if e is None:
        return "unknown"
    down = f", down {e['descent_m']:.0f} m" if e["descent_m"] is not None else ""
    return f"up {e['ascent_m']:.0f} m{down} (from {e['from']})"


def _round(x: Any, nd: int = 1) -> Any:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    return None if np.isnan(f) else round(f, nd)
