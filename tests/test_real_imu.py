"""Real IMU running recordings as regression tests, checked for plausibility
against an independent sensor of the same run.

adeptdata (GPL-3, see ../shared/data/real/MANIFEST.md): one runner, 25 min
outdoors, two ActiGraph GT9X accelerometers at 100 Hz, one on a belt at the
LEFT HIP (what gaitlab analyses) and one on the LEFT SHOE (the reference:
its impact peaks give the left-foot stride times independently of gaitlab).
No gyroscope, so only events and timing can be checked.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pytest
from scipy import signal

import gaitlab
from helpers import REAL, need_real

ADEPT = REAL / "imu" / "adeptdata-running-hip-ankle"


@lru_cache(maxsize=None)
def _hip():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = gaitlab.read(ADEPT / "acc_running_left_hip.csv.gz")
        return run, gaitlab.analyze(run)


@lru_cache(maxsize=None)
def _ankle_strides_s() -> np.ndarray:
    """Left-foot stride times (s) from the shoe sensor: one |a| peak above 3 g per stride."""
    run = gaitlab.read(ADEPT / "acc_running_left_ankle.csv.gz")
    a = np.linalg.norm(run.imu[["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]].to_numpy(), axis=1)
    peaks, _ = signal.find_peaks(a, height=3 * 9.80665, distance=int(0.5 * run.imu_rate_hz))
    dt = np.diff(run.imu["elapsed_s"].to_numpy()[peaks])
    return dt[(dt > 0.55) & (dt < 1.0)]  # running strides only


@pytest.fixture(autouse=True)
def _real():
    need_real()


def test_cadence_matches_the_shoe_sensor():
    _, res = _hip()
    ankle_spm = 2 * 60 / np.median(_ankle_strides_s())
    hip_spm = float(np.nanmedian(res.steps["cadence_spm"]))
    assert hip_spm == pytest.approx(ankle_spm, rel=0.015)


def test_step_count_matches_the_shoe_sensor():
    _, res = _hip()
    expected = 2 * len(_ankle_strides_s())
    assert 0.9 * expected <= len(res.steps) <= 1.1 * expected


def test_mounting_of_a_belt_clip_on_the_left_hip():
    """The GT9X's z axis is normal to its face (ActiGraph's axis definition):
    clipped on the left hip it is the runner's left-right axis, and y is the
    vertical. Which way z points is not checked (it depends on the clip's
    side), only that gaitlab finds the lateral and vertical axes."""
    _, res = _hip()
    m = np.asarray(res.info["mounting"]["matrix"])
    assert abs(m[1, 2]) > np.cos(np.radians(25))  # left ~ +-z
    assert abs(m[2, 1]) > np.cos(np.radians(25))  # up ~ +-y
    assert res.info["mounting"]["confidence"] >= 0.8


def test_no_gyroscope_means_no_angles_and_says_so():
    _, res = _hip()
    assert res.steps["pelvic_drop_deg"].isna().all()
    assert any("no gyroscope" in w for w in res.warnings)


@pytest.mark.xfail(
    strict=True,
    reason="lateral hip placement: left and right step times come out 0.30 / 0.46 s (a healthy runner is "
    "within ~5 %); the hip's own mean vertical-acceleration onsets are 0.44 / 0.56 of the stride apart, so "
    "it is not yet known whether detection or the placement causes it (issue 3 note, session 8)",
)
def test_left_and_right_step_times_are_alike():
    _, res = _hip()
    by_side = res.steps.groupby("side")["step_time_s"].median()
    assert by_side["L"] == pytest.approx(by_side["R"], rel=0.10)
