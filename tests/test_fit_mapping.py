"""Brand fields onto canonical names, multisport selection, IMU calibration, provenance."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import gaitlab
from gaitlab.frames import STANDARD_GRAVITY_MPS2

from helpers import REAL, fitparse_records, need_real
from fitwriter import write_imu_run, write_runscribe_run


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gaitlab.read(path)


def _fp_column(path, name):
    recs, _ = fitparse_records(path)
    return pd.Series([r.get(name) for r in recs], dtype="float64")


def test_stryd_fields_map_with_units():
    """Stryd VO is written in centimetres and cadence in strides/min (anchors-features.md 2b)."""
    need_real()
    path = REAL / "fit-running-dynamics" / "gc-fr920xt-run-rd-stryd.fit"
    run = _read(path)
    r = run.records
    vo_cm = _fp_column(path, "Vertical Oscillation")
    np.testing.assert_allclose(r["stryd_vertical_oscillation_mm"], (vo_cm * 10).where(vo_cm != 0), rtol=1e-6)
    cad = _fp_column(path, "Cadence")
    np.testing.assert_allclose(r["stryd_cadence_spm"], 2 * cad)
    np.testing.assert_allclose(r["stryd_form_power_w"], _fp_column(path, "Form Power"))
    # Garmin strap and Stryd pod both kept: the research note measured a median
    # GCT of 266 ms (Garmin) against 238 ms (Stryd) on this run.
    assert r["stance_time_ms"].median() == pytest.approx(266, abs=1)
    assert r["stryd_ground_time_ms"].median() == pytest.approx(238, abs=1)
    src = run.source_fields.set_index("column")
    assert src.loc["stance_time_ms", "field"] == "stance_time"
    assert src.loc["stryd_ground_time_ms", "brand"] == "stryd"
    assert src.loc["power_w", "brand"] == "stryd"  # no native power in this file


def test_stryd_fills_canonical_when_no_native_running_dynamics():
    need_real()
    path = REAL / "fit-stryd" / "sl-fr945-run-stryd.fit"
    r = _read(path).records
    gt = _fp_column(path, "Ground Time")
    np.testing.assert_allclose(r["stance_time_ms"], gt.where(gt != 0))
    lss = _fp_column(path, "Leg Spring Stiffness")
    np.testing.assert_allclose(r["leg_spring_stiffness_kn_m"], lss.where(lss != 0), rtol=1e-6)
    assert 150 < r["cadence_spm"].median() < 200


def test_unknown_developer_field_is_kept():
    need_real()
    path = REAL / "fit-other" / "tm-fr935-indoor-run-runpower-ciq.fit"
    run = _read(path)
    np.testing.assert_allclose(run.records["dev_rp_power_w"], _fp_column(path, "RP_Power"))
    assert run.source_fields.set_index("column").loc["dev_rp_power_w", "brand"] == "other"


def test_every_record_column_has_a_source():
    need_real()
    for path in [REAL / "fit-running-dynamics" / "sl-fr945-multisport-rd-stryd.fit",
                 REAL / "fit-running-dynamics" / "rt-coros-track-run.fit"]:
        run = _read(path)
        cols = set(run.records.columns) - {"elapsed_s", "session_index"}
        cited = set(run.source_fields.loc[run.source_fields["message"] == "record", "column"])
        assert cols <= cited, cols - cited


def test_multisport_sessions_and_running_selection():
    need_real()
    path = REAL / "fit-running-dynamics" / "mk-fr255-triathlon-summary-last.fit"
    run = _read(path)
    import fitparse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sessions = [m.get_values() for m in fitparse.FitFile(str(path)).get_messages("session")]
    sessions.sort(key=lambda s: s["start_time"])
    assert run.sports == [s["sport"] for s in sessions]
    legs = run.running()
    assert legs.sports == ["running"] and legs.sport == "running"
    s = sessions[[x["sport"] for x in sessions].index("running")]
    t = legs.records["timestamp"].dt.tz_localize(None)
    assert t.min() >= pd.Timestamp(s["start_time"]) and len(legs.records) > 1000
    # running cadence only where running: the bike leg keeps rpm
    assert legs.records["cadence_spm"].notna().mean() > 0.9
    bike = run.session(run.sports.index("cycling"))
    assert "cadence_spm" not in bike.records or bike.records["cadence_spm"].isna().all()
    assert legs.records["elapsed_s"].iloc[0] == 0


def test_summary_first_and_last_files_agree():
    """The same triathlon written with summaries first and last reads the same."""
    need_real()
    a = _read(REAL / "fit-running-dynamics" / "mk-fr255-triathlon-summary-first.fit").running()
    b = _read(REAL / "fit-running-dynamics" / "mk-fr255-triathlon-summary-last.fit").running()
    for col in ("stance_time_ms", "cadence_spm", "step_length_mm", "speed_mps"):
        pd.testing.assert_series_equal(a.records[col], b.records[col])


def test_compressed_speed_and_distance_of_an_old_forerunner():
    """A Forerunner 70 with a foot pod writes speed and distance in one 3-byte
    field that wraps every 256 m. Against the records table shipped beside the
    file in fitparse's tests (754 records): every speed and distance equal, 10.25
    km in all, and a speed to compare form at."""
    need_real()
    folder = REAL / "fitparse-tests"
    run = _read(folder / "compressed-speed-distance.fit")
    table = pd.read_csv(folder / "compressed-speed-distance-records.csv", na_values="null")
    recs = run.records.iloc[1:].reset_index(drop=True)  # its first record holds a time alone
    assert len(recs) == len(table) == 754
    np.testing.assert_array_equal(recs["speed_mps"], table["Speed [m/s]"])
    np.testing.assert_array_equal(recs["distance_m"], table["Distance [m]"])
    assert table["Distance [m]"].iloc[-1] == 10248.6875
    assert "compressed_speed_distance" not in run.records


def test_runscribe_developer_fields(tmp_path):
    rng = np.random.default_rng(3)
    n = 30
    left = np.column_stack([rng.uniform(5, 12, n), rng.uniform(6, 15, n), rng.integers(1, 17, n),
                            rng.uniform(5, 20, n), rng.uniform(5, 40, n), rng.uniform(200, 300, n)])
    right = left * rng.uniform(0.9, 1.1, (n, 6))
    power = rng.uniform(150, 350, (n, 1))
    values = np.hstack([left, right, power]).astype(np.float32).astype(float)
    p = tmp_path / "runscribe.fit"
    write_runscribe_run(p, values)
    run = _read(p)
    r = run.records
    np.testing.assert_allclose(r["runscribe_contact_time_left_ms"], values[:, 5])
    np.testing.assert_allclose(r["runscribe_contact_time_right_ms"], values[:, 11])
    np.testing.assert_allclose(r["runscribe_pronation_excursion_left_deg"], values[:, 3])
    np.testing.assert_allclose(r["runscribe_impact_right_g"], values[:, 7])
    np.testing.assert_allclose(r["runscribe_braking_left_g"], values[:, 0])
    np.testing.assert_allclose(r["runscribe_footstrike_type_left"], values[:, 2])
    np.testing.assert_allclose(r["stance_time_ms"], (values[:, 5] + values[:, 11]) / 2)
    np.testing.assert_allclose(
        r["stance_time_balance_left_pct"], 100 * values[:, 5] / (values[:, 5] + values[:, 11])
    )
    np.testing.assert_allclose(r["power_w"], values[:, 12])
    assert set(run.developer_apps["brand"]) == {"runscribe"}


@pytest.mark.parametrize("rate_hz", [25, 100, 200])
def test_raw_imu_messages_calibrated_to_si(tmp_path, rate_hz):
    """Forward: known motion -> raw counts through a known calibration -> FIT -> gaitlab."""
    n = rate_hz * 5
    t = np.arange(n) / rate_hz
    acc_g = np.column_stack([0.3 * np.sin(2 * np.pi * 1.4 * t), 0.2 * np.cos(2 * np.pi * 2.8 * t),
                             1.0 + 0.8 * np.sin(2 * np.pi * 2.8 * t)])
    gyr_dps = np.column_stack([40 * np.sin(2 * np.pi * 1.4 * t), 25 * np.cos(2 * np.pi * 1.4 * t),
                               15 * np.sin(2 * np.pi * 2.8 * t)])
    # sensor axes mounted rotated 90 deg about z; the calibration matrix undoes it
    m = np.array([[0, 1, 0], [-1, 0, 0], [0, 0, 1]], dtype=float)
    acc_cal = {"factor": 1, "divisor": 4096, "level_shift": 32768, "offset": [12, -30, 7], "matrix": m}
    gyr_cal = {"factor": 1, "divisor": 16, "level_shift": 32768, "offset": [-5, 3, 9], "matrix": m}

    def counts(values, cal):
        # raw = M^-1 (value * divisor / factor) + level_shift + offset
        body = values * cal["divisor"] / cal["factor"]
        return np.rint(body @ np.linalg.inv(cal["matrix"]).T + cal["level_shift"] + np.asarray(cal["offset"]))

    p = tmp_path / "imu.fit"
    write_imu_run(p, counts(acc_g, acc_cal), counts(gyr_dps, gyr_cal), rate_hz, acc_cal, gyr_cal)
    imu = _read(p).imu
    assert len(imu) == n
    got_acc = imu[["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]].to_numpy()
    got_gyr = imu[["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]].to_numpy()
    # within one count of quantisation
    np.testing.assert_allclose(got_acc, acc_g * STANDARD_GRAVITY_MPS2, atol=1.5 / 4096 * STANDARD_GRAVITY_MPS2)
    np.testing.assert_allclose(got_gyr, gyr_dps, atol=1.5 / 16)
    dt = np.diff(imu["elapsed_s"].to_numpy())
    np.testing.assert_allclose(dt, 1 / rate_hz, atol=1e-3)
