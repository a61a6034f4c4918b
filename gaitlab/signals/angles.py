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

__all__ = ["pelvis_angles", "level_acceleration", "centripetal_obliquity"]


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


def centripetal_obliquity(
    obliquity_deg: np.ndarray,
    turn_dps: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    *,
    min_turn_sd_dps: float = 0.5,
    max_gain_s: float = 0.8,
) -> tuple[np.ndarray, float]:
    """Obliquity with the apparent-vertical tilt of bends regressed out.

    In a bend the attitude filter's gravity reference leans toward the centre
    by ``atan(v dpsi/dt / g)``, i.e. by ``(v / g) dpsi/dt`` in degrees for a
    heading rate in deg/s, which shows up as obliquity (the lean is about the
    forward axis). Over whole strides the obliquity's mean is the runner's
    steady value plus that lean, so a straight-line fit of stride-mean
    obliquity on the heading rate the reference saw gives ``v / g`` (seconds),
    with the run's own speed in it, and the lean is removed sample by sample.

    Parameters
    ----------
    obliquity_deg
        Per-sample obliquity (n,), deg (NaN allowed).
    turn_dps
        Heading rate the gravity reference saw (n,), deg/s
        (:meth:`gaitlab.signals.orientation.FusionOrientation.attitude`).
    starts, ends
        Sample indices of whole strides, ``[start, end)``.
    min_turn_sd_dps
        Below this spread of stride heading rates the run has no bends to fit on;
        nothing is changed.
    max_gain_s
        Fits beyond this (8 m/s) are not a runner's speed; nothing is changed.

    Returns
    -------
    corrected, gain_s
        The corrected obliquity (deg) and the fitted ``v / g`` (s; 0 when not applied).
    """
    obl = np.asarray(obliquity_deg, float)
    turn = np.nan_to_num(np.asarray(turn_dps, float))
    starts = np.asarray(starts, dtype=np.intp)
    ends = np.asarray(ends, dtype=np.intp)
    if len(starts) < 20:
        return obl, 0.0
    ok = np.isfinite(obl)
    cs_o = np.concatenate([[0.0], np.cumsum(np.where(ok, obl, 0.0))])
    cs_t = np.concatenate([[0.0], np.cumsum(np.where(ok, turn, 0.0))])
    cs_n = np.concatenate([[0], np.cumsum(ok)])
    cnt = np.maximum(cs_n[ends] - cs_n[starts], 1)
    y = (cs_o[ends] - cs_o[starts]) / cnt
    x = (cs_t[ends] - cs_t[starts]) / cnt
    if np.std(x) < min_turn_sd_dps:
        return obl, 0.0
    gain = float(np.cov(x, y)[0, 1] / np.var(x, ddof=1))
    if not abs(gain) <= max_gain_s:
        return obl, 0.0
    return obl - gain * turn, gain
