"""A phone's GPS track beside its IMU samples (gaitlab.io.track): read from the
recorder apps' layouts into records on the IMU's clock, checked against the
simulator's path (tests/phonewriter.py makes the fixes from the truth's speed and
heading, with GPS-like errors)."""

from __future__ import annotations

import json
import warnings
import zipfile
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

import gaitlab
from gaitlab import simulate
from gaitlab.run import climbs
from helpers import run_gaitlab
from phonewriter import barometer, gps_track, write_phyphox, write_sensor_logger
from test_fatigue import PELVIS_SEEDS, _pelvis_fatigue, _pelvis_sim


@lru_cache(maxsize=None)
def _sim(pace: str = "fade", duration_s: float = 600.0, seed: int = 5):
    return simulate.simulate_run(duration_s=duration_s, rate_hz=50.0, seed=seed, mounting="random", pace=pace)


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gaitlab.read(path)


def _check_records(run, track: pd.DataFrame, speed_rms: float = 0.2, sim=None) -> None:
    """Records on the IMU's clock (the simulator's, whose first sample is the
    grid's), speeds near the true ones, and the distance run; with ``sim``, the
    run lasts as long as its IMU recording, not only as the fixes' span."""
    rec = run.records
    assert {"elapsed_s", "timestamp", "speed_mps", "distance_m", "altitude_m", "lat_deg", "lon_deg"} <= set(rec)
    assert len(rec) >= 0.95 * len(track)
    t = rec["elapsed_s"].to_numpy()
    # every record is one of the fixes, at its own time
    assert np.abs(t[:, None] - track["t_s"].to_numpy()[None, :]).min(axis=1).max() < 0.002
    true_speed = np.interp(t, track["t_s"], track["true_speed"])
    assert np.sqrt(np.mean((rec["speed_mps"].to_numpy() - true_speed) ** 2)) <= speed_rms
    true_dist = np.interp(t[-1], track["t_s"], track["true_distance"]) - np.interp(t[0], track["t_s"],
                                                                                  track["true_distance"])
    assert rec["distance_m"].iloc[-1] == pytest.approx(true_dist, rel=0.01)
    assert run.distance_m == pytest.approx(true_dist, rel=0.01)
    if sim is not None:
        imu_t = sim.run.imu["elapsed_s"]
        assert run.duration_s == pytest.approx(imu_t.iloc[-1] - imu_t.iloc[0], abs=1.0 / sim.run.imu_rate_hz)


def test_sensor_logger_location_becomes_records(tmp_path):
    sim = _sim()
    track = gps_track(sim, 5)
    run = _read(write_sensor_logger(sim, tmp_path / "Recording.zip", track))
    _check_records(run, track, sim=sim)
    rec = run.records
    # absolute times: the fix's own, and the MSL altitude rather than the ellipsoid's
    t0 = sim.run.imu["timestamp"].iloc[0]
    assert (rec["timestamp"] - t0).dt.total_seconds().to_numpy() == pytest.approx(rec["elapsed_s"].to_numpy(),
                                                                                    abs=1e-3)
    assert rec["altitude_m"].median() == pytest.approx(410.0, abs=2.0)
    assert np.nanmedian(rec["gps_accuracy_m"]) == pytest.approx(5.5, abs=1.0)


def test_phyphox_location_becomes_records(tmp_path):
    """phyphox: "Time (s)" on the experiment's clock, semicolons, decimal commas."""
    sim = _sim()
    track = gps_track(sim, 6)
    run = _read(write_phyphox(sim, tmp_path / "phyphox.zip", track))
    _check_records(run, track, sim=sim)
    assert run.records["timestamp"].isna().all()  # no absolute time in the export


def test_fixes_without_their_own_speed_take_it_from_the_positions(tmp_path):
    """Sensor Logger marks a fix without speed with -1; all of them here: the
    speed comes from the distance between fixes (positions wander by metres, so
    it is noisier), and the distance still matches the path."""
    sim = _sim()
    track = gps_track(sim, 7).assign(speed=-1.0)
    with pytest.warns(gaitlab.GaitlabWarning, match="from the distance between fixes"):
        run = gaitlab.read(write_sensor_logger(sim, tmp_path / "Recording.zip", track))
    _check_records(run, track, speed_rms=0.6)  # measured 0.36-0.43 on five runs (Doppler: 0.15)
    # over a minute the position speed is as good as the Doppler one
    rec = run.records
    per_min = rec.groupby(rec["elapsed_s"] // 60)
    true = per_min.apply(lambda g: np.interp(g["elapsed_s"], track["t_s"], track["true_speed"]).mean())
    assert np.abs(per_min["speed_mps"].mean() - true).iloc[1:-1].max() <= 0.15


def test_gps_columns_in_the_sensor_table_itself(tmp_path):
    """A logger writing GPS into its IMU table on the rows where a fix came in
    (other rows empty), speed in km/h."""
    sim = _sim()
    track = gps_track(sim, 8)
    imu = sim.run.imu
    table = pd.DataFrame({"time_s": imu["elapsed_s"], **{f"acc_{a}_g": imu[f"acc_{a}_mps2"] / 9.80665 for a in "xyz"},
                          **{f"gyro_{a}_dps": imu[f"gyr_{a}_dps"] for a in "xyz"}})
    row = np.searchsorted(table["time_s"].to_numpy(), track["t_s"].to_numpy())
    ok = row < len(table)
    for col, values in (("lat", track["lat"]), ("lon", track["lon"]), ("speed (km/h)", track["speed"] * 3.6),
                        ("alt_m", track["alt"])):
        table[col] = np.nan
        table.loc[row[ok], col] = values.to_numpy()[ok]
    path = tmp_path / "logger.csv"
    table.to_csv(path, index=False)
    run = _read(path)
    # the fix is placed at its row's time: within one sample (20 ms) of its own
    kept = track[ok].assign(t_s=table["time_s"].to_numpy()[row[ok]])
    _check_records(run, kept)
    assert len(run.imu) == len(table)  # the IMU read as before


def test_a_location_file_without_times_is_left_out_with_a_warning(tmp_path):
    sim = _sim()
    path = write_sensor_logger(sim, tmp_path / "Recording.zip", None)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("run/Location.csv", "latitude,longitude,speed\n47.1,8.5,3.0\n47.2,8.5,3.1\n")
    with pytest.warns(gaitlab.GaitlabWarning, match="Location.csv: GPS track not used: no time column"):
        run = gaitlab.read(path)
    assert run.records.empty and len(run.imu) == len(sim.run.imu)


def test_a_location_file_on_another_clock_is_left_out_with_a_warning(tmp_path):
    """Sensor files with absolute times and a GPS file with elapsed ones (from
    two apps): nothing ties the clocks, so the track is not placed by guess."""
    sim = _sim()
    track = gps_track(sim, 10)
    path = write_sensor_logger(sim, tmp_path / "Recording.zip", None)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("run/Location.csv", pd.DataFrame({"Time (s)": track["t_s"], "Latitude (°)": track["lat"],
                                                      "Longitude (°)": track["lon"]}).to_csv(index=False))
    with pytest.warns(gaitlab.GaitlabWarning, match="GPS track not used: its times are elapsed, the sensors' absolute"):
        run = gaitlab.read(path)
    assert run.records.empty


def test_a_phone_run_gets_distances_and_km_splits(tmp_path):
    """With the GPS track the fatigue analysis gives the onset's distance and the
    cue windows' (issue 4: minutes and km before onset), and the report splits
    by km and shows pace."""
    from gaitlab.report.content import build_report

    sim = simulate.simulate_run(duration_s=1500.0, rate_hz=50.0, seed=9, mounting="random",
                                fatigue={"onset_s": 700.0, "drop_left_per_min": 0.4, "drop_right_per_min": 0.3})
    track = gps_track(sim, 9)
    path = write_sensor_logger(sim, tmp_path / "Recording.zip", track)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = gaitlab.fatigue(path)
        report = build_report(path)
    start = track["true_distance"].iloc[0]
    assert f.onset_s == pytest.approx(700.0, abs=120)
    assert f.onset_distance_m == pytest.approx(np.interp(f.onset_s, track["t_s"], track["true_distance"]) - start,
                                               abs=30)
    assert f.distance_m == pytest.approx(track["true_distance"].iloc[-1] - start, rel=0.02)
    assert len(f.cue_windows) and f.cue_windows["start_m"].notna().all()
    assert f.series["speed_mps"].notna().mean() > 0.95
    assert report.split_by == "km"
    assert report.splits["end_distance_m"].iloc[-1] == pytest.approx(f.distance_m, rel=0.02)
    assert not any(what.startswith(("Pace", "Per-km")) for what, _ in report.not_computed)


# ------------------------------------------------------------- fatigue at matched pace

#: test_fatigue's pelvis runs: even seeds fatigue (onset 15-30 min, drifts of
#: pelvic drop and contact time), odd seeds hold form.
PHONE_SEEDS = PELVIS_SEEDS


def _phone_fatigue(seed: int, wander: bool) -> dict | None:
    """test_fatigue's drifts; with wander the larger ones of its wander runs."""
    if not wander or seed % 2:
        return _pelvis_fatigue(seed)
    r = np.random.default_rng(seed)
    return {"onset_s": float(r.uniform(900, 1800)), "drop_left_per_min": float(r.uniform(0.1, 0.25)),
            "drop_right_per_min": float(r.uniform(0.0, 0.1)), "gct_per_min": float(r.uniform(0.0, 1.0))}


@lru_cache(maxsize=len(PHONE_SEEDS))  # a test reads each run with and without its GPS track
def _phone_sim(seed: int, pace: str, wander: bool):
    """A 40-min simulated pelvis run with :func:`_phone_fatigue`'s truth:
    without wander test_fatigue's run (simulated once for both files)."""
    if not wander:
        return _pelvis_sim(seed, pace)
    return simulate.simulate_run(duration_s=2400.0, rate_hz=50.0, seed=seed, mounting="random",
                                 fatigue=_phone_fatigue(seed, wander), pace=pace, wander=wander)


@lru_cache(maxsize=None)
def _phone(seed: int, pace: str, wander: bool = False, gps: bool = True):
    """:func:`_phone_sim`'s run written as a Sensor Logger export (with its
    GPS track, or without) and its fatigue analysis."""
    import tempfile
    from pathlib import Path

    fat = _phone_fatigue(seed, wander)
    sim = _phone_sim(seed, pace, wander)
    path = write_sensor_logger(sim, Path(tempfile.mkdtemp()) / "Recording.zip", gps_track(sim, seed) if gps else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fat, gaitlab.fatigue(path)


def _tally(runs) -> tuple[list[bool], list[bool]]:
    """(onset within 2 min of each fatigued run, an onset in each fresh run) of
    ``(fatigue truth or None, Fatigue)`` pairs."""
    hits, false = [], []
    for fat, f in runs:
        if fat:
            hits.append(f.onset_s is not None and abs(f.onset_s - fat["onset_s"]) <= 120)
        else:
            false.append(f.onset_s is not None)
    return hits, false


def _rates(pace: str, wander: bool = False, gps: bool = True) -> tuple[list[bool], list[bool]]:
    """:func:`_tally` of the phone runs."""
    return _tally(_phone(seed, pace, wander, gps) for seed in PHONE_SEEDS)


@pytest.mark.parametrize("pace", ["steady", "intervals"])
def test_phone_runs_with_gps_meet_the_issue_targets(pace):
    """The issue's targets (>= 90 % of onsets within 2 min, <= 5 % false onsets)
    on runs read with their GPS track, so compared at matched pace; and the
    pace dependence found is the simulator's: cadence +7 steps/min per m/s."""
    hits, false = _rates(pace)
    assert np.mean(hits) >= 0.9, hits
    assert np.mean(false) <= 0.05, false
    if pace == "intervals":
        slopes = [_phone(seed, pace)[1].metrics.loc["cadence_spm", "speed_slope"] for seed in PHONE_SEEDS]
        assert np.median(slopes) == pytest.approx(simulate._CADENCE_PER_MPS, abs=1.0), slopes


def test_phone_runs_whose_pace_fades_with_gps_have_no_false_onsets():
    """A runner who eases off (15 % slower by the end: contact time +17 ms,
    cadence -3.5 steps/min) without tiring: from the IMU alone that is form
    changing for good, as every one of these runs shows; with the GPS track
    it is pace. With form's slow wander (as real runners show)."""
    _, false_imu_only = _rates("fade", wander=True, gps=False)
    _, false = _rates("fade", wander=True)
    assert np.mean(false_imu_only) >= 0.5, false_imu_only  # the case is a hard one
    assert np.mean(false) <= 0.05, false


@pytest.mark.xfail(
    strict=True,
    reason="measured 5 of 6 fatigued runs within 2 min here (2 of 6 from the IMU alone), 5 of 8 on seeds 40-55 "
    "and 7 of 12 on seeds 100-123: a fade from 16 min on has, in time, the shape of a drift from an onset at "
    "15-30 min, and the pace adjustment takes part of the drift for the slow-down (issue 4 note, session 19)",
)
def test_phone_runs_whose_pace_fades_with_gps_onset_within_2_min():
    hits, _ = _rates("fade", wander=True)
    assert np.mean(hits) >= 0.9, hits


@pytest.mark.xfail(
    strict=True,
    reason="without form's wander a pelvis IMU's contact time is precise to 0.7 ms per 15-s bin, finer than a "
    "phone's GPS speed (0.15 m/s per fix; per bin, after smoothing, 0.039 m/s off the truth on seed 41, i.e. "
    "1.4 ms through -35 ms per m/s) can account for: the slow-down still reads as a contact-time drift in 5 of "
    "these 6 fresh runs, 7 of 8 on seeds 40-55 and 11 of 12 on seeds 100-123, against all of them without the "
    "GPS track (issue 4 note, sessions 19 and 21)",
)
def test_phone_runs_without_wander_whose_pace_fades_have_no_false_onsets():
    false = [_phone(seed, "fade")[1].onset_s is not None for seed in PHONE_SEEDS if seed % 2]
    assert np.mean(false) <= 0.05, false


# ------------------------------------------------------------- a barometer beside it

@lru_cache(maxsize=None)
def _hilly(course: str = "hills", seed: int = 12, duration_s: float = 1200.0, grade: float = 5.0):
    return simulate.simulate_run(duration_s=duration_s, rate_hz=50.0, seed=seed, mounting="random", course=course,
                                 max_grade_pct=grade)


@pytest.mark.parametrize("writer", [write_sensor_logger, write_phyphox])
def test_a_barometer_gives_the_altitude_and_the_grade(tmp_path, writer):
    """Sensor Logger's Barometer.csv (relativeAltitude) and phyphox's
    Pressure.csv (hPa) beside a GPS track whose height wanders by 5 m (a
    phone's): the altitude follows the course to the barometer's noise and the
    weather's drift, and the fatigue analysis's grade to a fraction of a %
    (from the GPS height alone it errs by ~3 %, as large as the hills)."""
    sim = _hilly()
    sig = sim.truth.signals
    path = writer(sim, tmp_path / "rec.zip", gps_track(sim, 12, altitude_wander_m=5.0), barometer(sim, 12))
    run = _read(path)
    rec = run.records
    err = rec["altitude_m"].to_numpy() - (410.0 + np.interp(rec["elapsed_s"], sig["elapsed_s"], sig["altitude_m"]))
    assert np.isfinite(err).mean() > 0.98
    assert abs(np.nanmedian(err)) <= 2.0  # tied to the GPS height, above sea level
    assert np.nanstd(err) <= 1.0  # the course's 20 m of rolling hills, to the barometer's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = gaitlab.fatigue(run)
    true_grade = np.interp(f.series["t_s"], sig["elapsed_s"], sig["grade_pct"])
    assert np.sqrt(np.nanmean((f.series["grade_pct"] - true_grade) ** 2)) <= 0.5
    # the ascent and descent over the records' span, against the course's every rise and fall
    up, down = climbs(np.interp(np.arange(rec["elapsed_s"].iloc[0], rec["elapsed_s"].iloc[-1], 0.1),
                                sig["elapsed_s"], sig["altitude_m"]), 0.0)
    elev = run.summary()
    assert elev["ascent_m"] == pytest.approx(up, rel=0.05)
    assert elev["descent_m"] == pytest.approx(down, rel=0.10)  # the weather's drift reads as a descent
    assert "barometer" in elev["elevation_from"]
    if writer is write_sensor_logger:  # and in `gaitlab analyze --json`'s summary
        proc = run_gaitlab("analyze", str(path), "--json", str(tmp_path / "out.json"))
        assert proc.returncode == 0, proc.stderr
        summary = json.loads((tmp_path / "out.json").read_text())["summary"]
        assert summary["ascent_m"] == pytest.approx(up, rel=0.05) and "barometer" in summary["elevation_from"]
        assert summary["distance_m"] == pytest.approx(run.distance_m, abs=0.05)


def test_a_phones_gps_height_alone_gives_no_ascent(tmp_path):
    """Its wander would count several times the true climbs: the report says
    why there is none, and what gives one."""
    sim = _hilly(duration_s=600.0)
    run = _read(write_sensor_logger(sim, tmp_path / "rec.zip", gps_track(sim, 12, altitude_wander_m=5.0)))
    assert run.records["altitude_m"].notna().all() and run.elevation() is None
    from gaitlab.report.content import build_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(run)
    assert "Elevation" not in dict(report.header)
    assert "barometer" in dict(report.not_computed)["Ascent and descent"]


def test_air_pressure_in_the_sensor_table_is_read_by_its_size(tmp_path):
    """A logger's own table with GPS columns and an air pressure in kPa without a
    unit (a watch's): read by its size as kPa. A foot insole's "pressure" beside
    it, which swings with every step, is not air pressure and is left alone."""
    sim = _hilly(duration_s=600.0)
    sig = sim.truth.signals
    track, baro = gps_track(sim, 13, altitude_wander_m=5.0), barometer(sim, 13)
    imu = sim.run.imu
    t = imu["elapsed_s"].to_numpy()
    table = pd.DataFrame({"time_s": t, **{f"acc_{a}_mps2": imu[f"acc_{a}_mps2"] for a in "xyz"},
                          **{f"gyr_{a}_dps": imu[f"gyr_{a}_dps"] for a in "xyz"},
                          "pressure": np.interp(t, baro["t_s"], baro["pressure_hpa"]) / 10})
    row = np.minimum(np.searchsorted(t, track["t_s"].to_numpy()), len(t) - 1)
    for col, values in (("lat", track["lat"]), ("lon", track["lon"]), ("speed_mps", track["speed"]),
                        ("altitude_m", track["alt"])):
        table[col] = np.nan
        table.loc[row, col] = values.to_numpy()
    path = tmp_path / "logger.csv"
    table.to_csv(path, index=False)
    rec = _read(path).records
    err = rec["altitude_m"].to_numpy() - (410.0 + np.interp(rec["elapsed_s"], sig["elapsed_s"], sig["altitude_m"]))
    assert np.nanstd(err) <= 1.0
    # ~70 kPa under the heel on average, read as 700 hPa by its size, but it swings
    table.assign(pressure=np.abs(np.sin(np.pi * t * 2.9)) * 100).to_csv(path, index=False)
    rec = _read(path).records
    assert np.allclose(rec["altitude_m"], track["alt"].to_numpy()[: len(rec)], atol=1e-6)  # the GPS's height


@pytest.mark.parametrize("writer", [write_sensor_logger, write_phyphox])
def test_a_barometer_alone_gives_the_climb_relative_to_the_start(tmp_path, writer):
    """No GPS track beside it: no distance to take a grade over, nor a height
    to tie it to sea level, but the climb. The records' height follows the
    course's from the start to the barometer's noise and the weather's drift
    (0.6 hPa/h: ~1.7 m over the 20 min), ascent and descent are the course's
    (5 % and 10 %, the drift reading as descent; measured 34.1 and 39.8 m
    against 33.5 and 37.3), and the report calls the height relative."""
    from gaitlab.report import build_report

    sim = _hilly()
    sig = sim.truth.signals
    run = _read(writer(sim, tmp_path / "rec.zip", None, barometer(sim, 12)))
    rec = run.records
    assert run.relative_altitude and not {"speed_mps", "distance_m"} & set(rec.columns)
    true = np.interp(rec["elapsed_s"], sig["elapsed_s"], sig["altitude_m"])
    err = rec["altitude_m"].to_numpy() - (true - true[0])
    assert abs(rec["altitude_m"].iloc[0]) < 1e-9 and np.abs(err).max() <= 2.5 and np.std(err) <= 1.0
    assert rec["elapsed_s"].iloc[-1] >= sim.run.imu["elapsed_s"].iloc[-1] - 2.0
    up, down = climbs(np.interp(np.arange(rec["elapsed_s"].iloc[0], rec["elapsed_s"].iloc[-1], 0.1),
                                sig["elapsed_s"], sig["altitude_m"]), 0.0)
    e = run.elevation()
    assert e["ascent_m"] == pytest.approx(up, rel=0.05) and e["descent_m"] == pytest.approx(down, rel=0.10)
    assert e["from"] == "the barometer, counted over 0.5 m of hysteresis"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(run)
    gloss = {term: what for term, what, _ in report.glossary}
    assert gloss["Elevation"].startswith("height relative to the start")
    assert "Pace and grade" in dict(report.not_computed)
    assert report.splits[["ascent_m", "descent_m"]].sum().to_numpy() == pytest.approx([e["ascent_m"], e["descent_m"]])


def test_a_barometer_on_another_clock_is_left_out(tmp_path):
    """No common clock with the IMU: a warning, and the altitude stays the GPS's."""
    sim = _hilly(duration_s=600.0)
    baro = barometer(sim, 14)
    track = gps_track(sim, 14)
    path = write_sensor_logger(sim, tmp_path / "b.zip", track)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("run/Barometer.csv", pd.DataFrame({"Time (s)": baro["t_s"], "Pressure (hPa)": baro["pressure_hpa"]})
                    .to_csv(index=False))
    with pytest.warns(gaitlab.GaitlabWarning, match="Barometer.csv: barometer not used: its times are elapsed"):
        run = gaitlab.read(path)
    rec = run.records
    assert np.allclose(rec["altitude_m"], np.interp(rec["elapsed_s"], track["t_s"], track["alt"]), atol=1e-6)


@lru_cache(maxsize=len(PHONE_SEEDS))  # a test reads each run with three sets of sensors
def _climb_sim(seed: int):
    """test_fatigue's pelvis run on a course that is flat, then from half its
    distance climbs 3 % to the end."""
    return simulate.simulate_run(duration_s=2400.0, rate_hz=50.0, seed=seed, mounting="random",
                                 fatigue=_pelvis_fatigue(seed), course="climb", max_grade_pct=3.0)


@lru_cache(maxsize=None)
def _climb(seed: int, sensors: str):
    """:func:`_climb_sim`'s run written as a Sensor Logger export with the
    IMU alone (``"imu"``), a GPS track whose height wanders by 5 m (``"gps"``),
    or that and a barometer (``"baro"``); and its fatigue analysis."""
    import tempfile
    from pathlib import Path

    fat = _pelvis_fatigue(seed)
    sim = _climb_sim(seed)
    track = gps_track(sim, seed, altitude_wander_m=5.0) if sensors != "imu" else None
    path = write_sensor_logger(sim, Path(tempfile.mkdtemp()) / "Recording.zip", track,
                               barometer(sim, seed) if sensors == "baro" else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fat, gaitlab.fatigue(path)


def test_phone_runs_on_a_late_climb_meet_the_issue_targets_with_a_barometer():
    """A hill that comes late and stays looks like fatigue: 9 % slower, contact
    time +15 ms, cadence up. From the IMU alone every fresh run gets an onset at
    the foot of the climb; a GPS track gives the pace but its height wanders by
    metres (grade ~3 % RMS, as large as the climb), and the contact time's own
    +1.5 ms per % still reads as a drift. A phone's barometer gives the grade
    (0.07 % RMS here) and the issue's targets hold."""
    hits, false = _tally(_climb(seed, "baro") for seed in PHONE_SEEDS)
    assert np.mean(hits) >= 0.9, hits
    assert np.mean(false) <= 0.05, false
    for sensors in ("imu", "gps"):  # the case is a hard one
        false = [_climb(seed, sensors)[1].onset_s is not None for seed in PHONE_SEEDS if seed % 2]
        assert np.mean(false) >= 0.5, (sensors, false)


def test_a_headline_never_says_a_metric_moved_from_a_value_to_itself(tmp_path):
    """A fatigued run on the climb, read with its barometer: pelvis tilt range
    moves by 0.04 deg, finer than its usual one decimal. The headline said
    "rose from 5.2 to 5.2 deg" until session 20; it now shows the digits that
    tell the two apart, and each pair is the metric's baseline and end."""
    import re

    from gaitlab.fatigue import headline

    sim = simulate.simulate_run(duration_s=1500.0, rate_hz=50.0, seed=41, course="climb", max_grade_pct=3.0,
                                fatigue={"onset_s": 900.0, "drop_left_per_min": 0.3})
    path = write_sensor_logger(sim, tmp_path / "climb.zip", gps_track(sim, 41, altitude_wander_m=5.0),
                               barometer(sim, 41))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = gaitlab.fatigue(path)
    pairs = re.findall(r"(?:rose|fell) from (-?[\d.]+) to (-?[\d.]+)", headline(f))
    assert len(pairs) == 2, headline(f)
    assert all(a != b for a, b in pairs), headline(f)
    moved = f.metrics.dropna(subset=["onset_s"])
    for a, b in pairs:
        row = moved[np.isclose(moved["baseline_mean"], float(a), atol=0.51 * 10 ** -len(a.partition(".")[2]))]
        assert len(row), (a, b, moved[["baseline_mean", "end_change"]])
        end = row["baseline_mean"] + row["end_change"]
        assert np.isclose(end, float(b), atol=0.51 * 10 ** -len(b.partition(".")[2])).any(), (b, end)
