"""``gaitlab analyze`` end to end: a simulated pelvis recording written as CSV,
read back by the installed command, compared with the simulator's truth."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from gaitlab import simulate
from helpers import DATA, REAL, fitparse_records, need_real, without_short_stretches
from helpers import run_gaitlab as _gaitlab


@pytest.fixture(scope="module")
def sim_csv(tmp_path_factory):
    sim = simulate.simulate_run(duration_s=240.0, rate_hz=100.0, seed=11, mounting="random", standing_s=5.0)
    imu = sim.run.imu
    path = tmp_path_factory.mktemp("sim") / "pelvis.csv"
    cols = ["elapsed_s", "acc_x_mps2", "acc_y_mps2", "acc_z_mps2", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]
    imu[cols].to_csv(path, index=False)
    return sim, path


def test_analyze_json_and_steps_csv(sim_csv, tmp_path):
    sim, path = sim_csv
    out, steps_csv = tmp_path / "out.json", tmp_path / "steps.csv"
    proc = _gaitlab("analyze", str(path), "--json", str(out), "--steps-csv", str(steps_csv))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert set(doc) >= {"summary", "steps", "strides"}
    steps = doc["steps"]
    assert {"t_s", "side", "pelvic_drop_deg", "gct_ms"} <= set(steps[0])
    assert {s["side"] for s in steps} == {"L", "R"}
    assert {"t_s", "pelvic_rotation_deg"} <= set(doc["strides"][0])
    # the JSON and the CSV hold the same steps
    table = pd.read_csv(steps_csv)
    assert len(table) == len(steps)
    np.testing.assert_allclose(table["t_s"], [s["t_s"] for s in steps], atol=1e-3)
    # against the truth: the step count and the median cadence
    truth = sim.truth.steps
    assert abs(len(steps) - len(truth)) <= 0.01 * len(truth) + 2
    assert doc["summary"]["cadence_spm"] == pytest.approx(truth["cadence_spm"].median(), rel=0.01)
    # where the sensor sits, in the pelvis frame, against the simulator's lever arm
    lever = doc["summary"]["lever_arm"]
    assert lever["used"] and np.linalg.norm(np.subtract(lever["pelvis_m"], sim.params["lever_arm_m"])) <= 0.05, lever


def test_analyze_text_says_where_the_sensor_sits(sim_csv):
    _, path = sim_csv
    proc = _gaitlab("analyze", str(path))
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("position "))
    behind = re.search(r"sensor (\d+) cm behind", line)  # the simulator's sacrum, 10 cm behind the centre
    assert behind and abs(int(behind.group(1)) - 10) <= 3 and "accelerations taken at the centre" in line, line


def test_analyze_fit_without_imu_or_running_dynamics_is_a_clear_error():
    """A Forerunner 15 10 k: GPS and heart rate only, nothing about form."""
    need_real()
    path = REAL / "fit-other" / "gc-forerunner15-10k.fit"
    proc = _gaitlab("analyze", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0] and "IMU" in lines[0] and "running-dynamics" in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "name,expect",
    [("fit-other/gc-suunto-run-hrv.fit", "records left out as standing or walking"),
     ("fitparse-tests/garmin-fenix-5-run.fit", "too short for a fatigue analysis (")],
    ids=["walk-filed-as-run", "57-s-run"],
)
def test_analyze_fit_says_why_there_is_no_fatigue_analysis(name, expect):
    """A "run" whose records are a walk (1.7 m/s, 110 steps/min, with 5 records
    of running in stretches of 1-9 s) and a 57-s run
    both said "no form metrics over time" before session 15, though both have
    cadence (and the 57-s run all of Garmin's running dynamics)."""
    need_real()
    path = REAL / name
    proc = _gaitlab("analyze", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0] and expect in lines[0], lines
    if "short" in expect:
        # its running per fitparse: from the first record at 1 m/s or more (a
        # standing start) to the last before a record at 108 steps/min, since
        # the 10 s after that (2 records, 5 s apart) are too short a stretch;
        # each record runs on to the next, so it ran until that record
        fp, _ = fitparse_records(path)
        t = [(r["timestamp"] - fp[0]["timestamp"]).total_seconds() for r in fp]
        start = next(ti for ti, r in zip(t, fp) if r["speed"] >= 1.0)
        glitch = next(ti for ti, r in zip(t, fp) if ti > start and 2 * r["cadence"] < 120)
        assert (t[-1], start, glitch) == (57, 4, 47)
        assert f"({(glitch - start) / 60:.1f} min of running; need 10)" in lines[0], lines[0]
    if "walk" in expect:
        fp, _ = fitparse_records(path)
        # fitparse's cadence of a foot sport counts strides: 2x is steps/min; a record
        # without speed or cadence is not known to be walking
        sp, cad = [r.get("speed") for r in fp], [r.get("cadence") for r in fp]
        running = [not ((v is not None and v < 1.0) or (c is not None and 2 * c < 120)) for v, c in zip(sp, cad)]
        # and running between walks for under 10 s
        running = without_short_stretches([r["timestamp"].timestamp() for r in fp], running)
        walking = len(fp) - sum(running)
        assert f"{walking} of {len(fp)} records" in lines[0], (walking, len(fp), lines[0])


def test_a_fit_file_cut_after_a_few_records_is_too_short_not_a_crash(tmp_path):
    """A FIT file cut a few records in (an interrupted copy from the watch)
    crashed the fatigue analysis with numpy's ValueError and a traceback before
    session 17: the grade of a run that fills one time bin. Found by cutting
    real files at 200-3,200 bytes (8 of 90 runs of analyze and endurance)."""
    for name, cut in (("stryd-run.fit", 600), ("fenix5-run-running-dynamics.fit", 2400)):
        path = tmp_path / name
        path.write_bytes((DATA / name).read_bytes()[:cut])
        for command in ("analyze", "endurance"):
            proc = _gaitlab(command, str(path))
            assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
            lines = proc.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"gaitlab: {path}: too short for a fatigue analysis ("), lines


def test_analyze_two_sensors_under_one_header_is_a_clear_error():
    """gaitmap's foot sample: a left and a right foot sensor side by side, each
    axis column named twice under a second header row. It crashed with a
    pandas AttributeError (exit 1, a traceback) until session 12."""
    need_real()
    path = REAL / "imu" / "gaitmap-foot-walking" / "imu_sample.csv"
    proc = _gaitlab("analyze", str(path))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0] and "named more than once" in lines[0], proc.stderr


@pytest.mark.parametrize(
    "kind, expect",
    [("still", "never moved"), ("short", "too short"), ("bike", "does not look like running")],
)
def test_analyze_bad_signals(tmp_path, kind, expect):
    """A sensor lying still, 5 s of data, and a smooth pedalling-like motion."""
    rate = 100.0
    n = int((5 if kind == "short" else 120) * rate)
    t = np.arange(n) / rate
    rng = np.random.default_rng(0)
    acc = np.tile([0.0, 0.0, 9.81], (n, 1)) + rng.normal(0, 0.02, (n, 3))
    gyr = rng.normal(0, 0.1, (n, 3))
    if kind == "bike":  # 1.4 Hz sway of +-0.3 g, no impacts
        acc[:, 0] += 3.0 * np.sin(2 * np.pi * 1.4 * t)
        acc[:, 2] += 2.0 * np.sin(2 * np.pi * 2.8 * t)
        gyr[:, 0] += 20 * np.cos(2 * np.pi * 1.4 * t)
    df = pd.DataFrame(
        {"elapsed_s": t, **{f"acc_{a}_mps2": acc[:, i] for i, a in enumerate("xyz")},
         **{f"gyr_{a}_dps": gyr[:, i] for i, a in enumerate("xyz")}}
    )
    path = tmp_path / f"{kind}.csv"
    df.to_csv(path, index=False)
    proc = _gaitlab("analyze", str(path))
    assert proc.returncode == 2, proc.stdout
    line = proc.stderr.strip()
    assert "\n" not in line and path.name in line and expect in line, line
