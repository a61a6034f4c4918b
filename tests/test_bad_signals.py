"""Signals that are not a pelvis while running must give a clear error, not numbers.

The wrist recording is built forward here: a simulated runner's pelvis
motion (gaitlab.simulate, upright sensor, no noise) carries a shoulder, and
the arm swings from it as a rigid 0.6 m pendulum at stride frequency, +-35 deg
in the sagittal plane (typical running arm swing). The sensor on the wrist
measures the specific force and angular rate of that motion.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.transform import Rotation

import gaitlab
from gaitlab import simulate
from gaitlab.run import Run

G = 9.80665


def _wrist_run(rate: float = 100.0, duration_s: float = 120.0) -> Run:
    sim = simulate.simulate_run(duration_s=duration_s, rate_hz=rate, seed=4, mounting="upright", standing_s=0.0,
                                noise=False, turns=False, lever_arm_m=(0.0, 0.0, 0.0))
    imu, sig = sim.run.imu, sim.truth.signals
    dt = 1.0 / rate
    t = imu["elapsed_s"].to_numpy()
    r_wp = Rotation.from_euler(
        "ZXY", np.radians(np.column_stack([sig["heading_deg"] + sig["rotation_deg"], sig["obliquity_deg"], sig["tilt_deg"]]))
    )
    f_pelvis_world = r_wp.apply(imu[["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]].to_numpy().copy())
    stride_hz = 172.0 / 120.0
    swing = np.radians(35.0) * np.sin(2 * np.pi * stride_hz * t)
    r_wa = r_wp * Rotation.from_euler("y", swing[:, None])  # arm frame: pelvis frame swung about left
    shoulder = np.array([0.0, 0.2, 0.45])  # from the pelvis centre, pelvis frame
    pos = r_wp.apply(shoulder) + r_wa.apply([0.0, 0.0, -0.6])
    acc_extra = np.gradient(np.gradient(pos, dt, axis=0), dt, axis=0)
    f_world = f_pelvis_world + acc_extra
    acc = r_wa.inv().apply(f_world)
    rel = (r_wa[:-2].inv() * r_wa[2:]).as_rotvec() / (2 * dt)
    gyr = np.degrees(np.vstack([rel[:1], rel, rel[-1:]]))
    frame = pd.DataFrame(
        {"elapsed_s": t, "timestamp": imu["timestamp"],
         **{f"acc_{a}_mps2": acc[:, i] for i, a in enumerate("xyz")},
         **{f"gyr_{a}_dps": gyr[:, i] for i, a in enumerate("xyz")}, "gap": False}
    )
    return Run(path=None, format="simulated", imu=frame, imu_rate_hz=rate, sport="running")


def test_wrist_worn_sensor_is_refused():
    run = _wrist_run()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(gaitlab.AnalysisError) as err:
            gaitlab.analyze(run)
    msg = str(err.value)
    assert "\n" not in msg and "pelvis" in msg, msg
