"""Pelvis angles and pelvis-level accelerations from sensor attitude and mounting.

Angles follow :mod:`gaitlab.frames`: the rotation-obliquity-tilt sequence of
Baker (2001), intrinsic z-x-y, ``R_world_pelvis = Rz(rotation) Rx(obliquity)
Ry(tilt)``; obliquity positive = left hemipelvis higher, tilt positive =
anterior, rotation positive = turned left. With this sequence obliquity is the
elevation of the pelvis' left axis and does not depend on heading or tilt.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .orientation import quat_to_matrix

__all__ = ["pelvis_angles", "level_acceleration"]


def pelvis_angles(q_world_sensor: np.ndarray, mounting: np.ndarray) -> pd.DataFrame:
    """Obliquity, tilt and rotation (deg) of the pelvis at every sample.

    Parameters
    ----------
    q_world_sensor
        Sensor attitude quaternions ``w, x, y, z`` (n, 4), world from sensor.
    mounting
        ``M`` (3, 3), ``v_pelvis = M @ v_sensor``.

    Returns
    -------
    DataFrame
        ``obliquity_deg``, ``tilt_deg``, ``rotation_deg`` (unwrapped; it still
        holds the heading of travel and the filter's yaw drift).
    """
    r = quat_to_matrix(q_world_sensor) @ mounting.T  # world from pelvis
    obl = np.degrees(np.arcsin(np.clip(r[:, 2, 1], -1, 1)))
    tilt = np.degrees(np.arctan2(-r[:, 2, 0], r[:, 2, 2]))
    rot = np.degrees(np.unwrap(np.arctan2(-r[:, 0, 1], r[:, 1, 1])))
    return pd.DataFrame({"obliquity_deg": obl, "tilt_deg": tilt, "rotation_deg": rot})


def level_acceleration(q_world_sensor: np.ndarray, acc_mps2: np.ndarray, rotation_deg: np.ndarray) -> np.ndarray:
    """Specific force (n, 3) in the pelvis' level frame, m/s².

    x is horizontal along the pelvis' forward direction, y horizontal to the
    left, z straight up (so z reads +9.81 at rest and 0 in flight).
    """
    fw = np.einsum("nij,nj->ni", quat_to_matrix(q_world_sensor), acc_mps2)
    c, s = np.cos(np.radians(rotation_deg)), np.sin(np.radians(rotation_deg))
    return np.column_stack([c * fw[:, 0] + s * fw[:, 1], -s * fw[:, 0] + c * fw[:, 1], fw[:, 2]])
