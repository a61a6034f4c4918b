"""Units, time and coordinate frames: stated once here, cited everywhere else.

Units
-----
Every quantity carries its unit as a suffix of its column or parameter name
(the mobgap convention):

======== ====================================  ========== =====================
suffix   unit                                  suffix     unit
======== ====================================  ========== =====================
``_s``   seconds                               ``_ms``    milliseconds
``_m``   metres                                ``_mm``    millimetres
``_mps`` metres per second                     ``_mps2``  metres per second²
``_deg`` degrees                               ``_dps``   degrees per second
``_bpm`` heart beats per minute                ``_spm``   steps per minute
``_rpm`` revolutions (strides) per minute      ``_w``     watts
``_pct`` percent (0-100)                       ``_c``     degrees Celsius
``_g``   standard gravities (9.80665 m/s²)     ``_hz``    hertz
``_kn_m`` kilonewtons per metre                ``_kcal``  kilocalories
======== ====================================  ========== =====================

A step is one foot's contact; a stride is two steps (left initial contact to
the next left initial contact). FIT running ``cadence`` counts strides per
minute; gaitlab converts it to ``cadence_spm`` (steps per minute).

Time
----
Tables indexed in time carry ``timestamp`` (timezone-aware UTC) and
``elapsed_s`` (seconds since the first sample or record of the recording).

Coordinate frames
-----------------
``sensor``
    The IMU's own axes as it reports them: ``acc_x_mps2``, ``gyr_x_dps``, ...
``pelvis``
    Right-handed body frame of the pelvis: **x forward** (anterior), **y left**,
    **z up**. Columns in this frame use ``_x/_y/_z`` after alignment with a
    ``pelvis_`` prefix (``pelvis_acc_z_mps2``).
``world``
    z up (against gravity), x along the heading of travel.

Angles (pelvis relative to world, rotation order z-x-y as in Baker 2001):

* obliquity (roll, about x): positive when the **left** hemipelvis is higher;
* tilt (about y): positive for **anterior** tilt;
* rotation (about z): positive when the pelvis turns to the **left**.

The clinical per-step quantity ``pelvic_drop_deg`` is signed per stance side:
positive means the **swing-side** hemipelvis is lower than at neutral.

Quaternions
-----------
Attitudes are unit quaternions ``w, x, y, z`` (scalar first, as imufusion
returns them; scipy's ``Rotation.as_quat`` is ``x, y, z, w``), rotating a
vector from the body frame into the reference frame, composed by the Hamilton
product. The helpers below take arrays of shape (n, 4); the estimator
(:mod:`gaitlab.signals.orientation`) and the simulator (:mod:`gaitlab.simulate`)
both use them, and ``tests/test_simulate.py`` checks each against scipy.

Conversions
-----------
"""

from __future__ import annotations

import numpy as np

#: Standard gravity in m/s² (CGPM 1901), used for every g <-> m/s² conversion.
STANDARD_GRAVITY_MPS2 = 9.80665

#: Degrees per FIT semicircle (2**31 semicircles = 180 degrees).
DEG_PER_SEMICIRCLE = 180.0 / 2**31


def quat_from_euler_zxy(z: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Quaternions (n, 4) of Rz(z) Rx(x) Ry(y), angles in rad: the pelvis angle order above."""
    cz, sz, cx, sx, cy, sy = np.cos(z / 2), np.sin(z / 2), np.cos(x / 2), np.sin(x / 2), np.cos(y / 2), np.sin(y / 2)
    return np.column_stack([cz * cx * cy - sz * sx * sy, cz * sx * cy - sz * cx * sy,
                            cz * cx * sy + sz * sx * cy, sz * cx * cy + cz * sx * sy])


def quat_mul(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton products p q of quaternions (n, 4) or (4,)."""
    pw, px, py, pz = np.moveaxis(p, -1, 0)
    qw, qx, qy, qz = np.moveaxis(q, -1, 0)
    return np.stack([pw * qw - px * qx - py * qy - pz * qz, pw * qx + px * qw + py * qz - pz * qy,
                     pw * qy - px * qz + py * qw + pz * qx, pw * qz + px * qy - py * qx + pz * qw], axis=-1)


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrices (n, 3, 3) from unit quaternions (n, 4) ``w, x, y, z``.

    The matrix maps body-frame (sensor) vectors into the reference (world) frame.
    """
    w, x, y, z = (q[:, i] for i in range(4))
    r = np.empty((len(q), 3, 3))
    r[:, 0, 0] = 1 - 2 * (y * y + z * z)
    r[:, 0, 1] = 2 * (x * y - w * z)
    r[:, 0, 2] = 2 * (x * z + w * y)
    r[:, 1, 0] = 2 * (x * y + w * z)
    r[:, 1, 1] = 1 - 2 * (x * x + z * z)
    r[:, 1, 2] = 2 * (y * z - w * x)
    r[:, 2, 0] = 2 * (x * z - w * y)
    r[:, 2, 1] = 2 * (y * z + w * x)
    r[:, 2, 2] = 1 - 2 * (x * x + y * y)
    return r


def quat_conj(q: np.ndarray) -> np.ndarray:
    """Conjugates of quaternions: the inverse rotations of unit quaternions."""
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Vectors v (n, 3) or (3,) rotated by unit quaternions q (n, 4): v + 2 w (u x v) + 2 u x (u x v)."""
    w, u = q[:, :1], q[:, 1:]
    uv = np.cross(u, v)
    return v + 2 * w * uv + 2 * np.cross(u, uv)


def quat_to_rotvec(q: np.ndarray) -> np.ndarray:
    """Rotation vectors (n, 3), rad, of unit quaternions (n, 4) of either sign: the shorter way round."""
    q = q * np.where(q[:, :1] < 0, -1.0, 1.0)
    s = np.linalg.norm(q[:, 1:], axis=1)
    ang = 2 * np.arctan2(s, q[:, 0])
    return q[:, 1:] * np.where(s > 1e-12, ang / np.maximum(s, 1e-12), 2.0)[:, None]
