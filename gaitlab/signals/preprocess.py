"""First look at an IMU recording: continuous segments, quiet standing, gyro bias.

Units and frames: :mod:`gaitlab.frames`. All inputs are ``Run.imu`` columns on
its uniform grid (sensor frame).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import ndimage

from ..frames import STANDARD_GRAVITY_MPS2

__all__ = ["ACC", "GYR", "segments", "QuietStanding", "runs_of"]

#: Sensor-frame column names (see :mod:`gaitlab.frames`).
ACC = ["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]
GYR = ["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]


def runs_of(mask: np.ndarray) -> np.ndarray:
    """Start and end (exclusive) indices (k, 2) of the runs of True in ``mask``."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(m[1:] != m[:-1])
    return edges.reshape(-1, 2)


def segments(imu: pd.DataFrame, min_s: float, rate_hz: float) -> np.ndarray:
    """Stretches (k, 2) of sample indices without gaps or NaN, at least ``min_s`` long."""
    cols = [c for c in ACC + GYR if c in imu]
    ok = ~imu[cols].isna().any(axis=1).to_numpy()
    if "gap" in imu:
        ok &= ~imu["gap"].to_numpy(bool)
    r = runs_of(ok)
    return r[(r[:, 1] - r[:, 0]) >= min_s * rate_hz]


@dataclass(frozen=True)
class QuietStanding:
    """Find quiet standing: the sensor nearly still and reading about 1 g.

    Parameters
    ----------
    window_s
        Length of the moving windows the test is made on, s.
    max_gyr_dps
        Largest mean angular speed (after removing the recording's gyro bias
        estimate) still counted as still, deg/s. Body sway in quiet standing is
        well under 2 deg/s; walking and running are far above.
    max_acc_sd_mps2
        Largest standard deviation of |a| within a window, m/s².
    min_s
        Shortest stretch reported, s.
    """

    window_s: float = 0.5
    max_gyr_dps: float = 4.0
    max_acc_sd_mps2: float = 0.25
    min_s: float = 1.0

    def detect(self, acc_mps2: np.ndarray, gyr_dps: np.ndarray | None, rate_hz: float) -> np.ndarray:
        """Stretches of quiet standing as sample index pairs (k, 2)."""
        w = max(3, int(round(self.window_s * rate_hz)))
        norm = np.linalg.norm(acc_mps2, axis=1)
        mean = ndimage.uniform_filter1d(norm, w, mode="nearest")
        sd = np.sqrt(np.maximum(ndimage.uniform_filter1d(norm**2, w, mode="nearest") - mean**2, 0))
        still = (sd < self.max_acc_sd_mps2) & (np.abs(mean - STANDARD_GRAVITY_MPS2) < 0.1 * STANDARD_GRAVITY_MPS2)
        if gyr_dps is not None:
            speed = np.linalg.norm(gyr_dps - np.median(gyr_dps[still], axis=0) if still.any() else gyr_dps, axis=1)
            still &= ndimage.uniform_filter1d(speed, w, mode="nearest") < self.max_gyr_dps
        r = runs_of(still)
        # the centred windows reach half a window into the motion on each side
        r = r + np.array([w // 2, -(w // 2)])
        return r[(r[:, 1] - r[:, 0]) >= self.min_s * rate_hz]

