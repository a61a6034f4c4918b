"""The bundled pelvis sample (data/pelvis-simulated.csv.gz) is what data/README.md
says it is, and the README's first command analyses it right."""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

import gaitlab
from gaitlab import simulate
from helpers import DATA
from test_pelvis_accuracy import _match

SAMPLE = DATA / "pelvis-simulated.csv.gz"
COLS = ["acc_x_mps2", "acc_y_mps2", "acc_z_mps2", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]


FATIGUE = {"onset_s": 720.0, "drop_left_per_min": 0.3, "drop_right_per_min": 0.1, "gct_per_min": 1.5}


@lru_cache(maxsize=1)
def bundled_simulation() -> simulate.SimulatedRun:
    """The simulation data/README.md says the sample is, with its truth."""
    return simulate.simulate_run(duration_s=1500.0, rate_hz=100.0, seed=2026, mounting="random", standing_s=5.0,
                                 fatigue=FATIGUE)


def test_bundled_sample_is_the_documented_simulation_and_analyses_right():
    sim = bundled_simulation()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = gaitlab.read(SAMPLE)
        res = gaitlab.analyze(run)
        fat = gaitlab.fatigue(res)
    # the file: the simulation, written with 3 decimals, and it says it is simulated
    assert run.simulated
    assert run.imu_rate_hz == 100.0 and len(run.imu) == len(sim.run.imu)
    np.testing.assert_allclose(run.imu[COLS].to_numpy(), sim.run.imu[COLS].to_numpy(), atol=6e-4, rtol=0)
    # the fatigue in it: onset within 2 min, the left drop's drift by the end
    # (last 5 min against the baseline: 0.3 deg/min over a mean 10.5 min after the onset)
    assert abs(fat.onset_s - FATIGUE["onset_s"]) <= 120, fat.onset_s
    assert abs(fat.metrics.loc["pelvic_drop_left_deg", "end_change"] - 0.3 * 10.5) <= 0.5
    assert abs(fat.metrics.loc["gct_ms", "end_change"] - 1.5 * 10.5) <= 3
    # its analysis against the simulation's truth
    ts, es = sim.truth.steps, res.steps
    i, j = _match(ts["ic_s"].to_numpy(), es["t_s"].to_numpy())
    assert len(i) >= 0.99 * len(ts)
    for side in "LR":
        k = ts["side"].to_numpy()[i] == side
        err = es["pelvic_drop_deg"].to_numpy()[j][k] - ts["pelvic_drop_deg"].to_numpy()[i][k]
        assert abs(np.nanmean(err)) <= 0.3, side
