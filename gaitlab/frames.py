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

Conversions
-----------
"""

from __future__ import annotations

#: Standard gravity in m/s² (CGPM 1901), used for every g <-> m/s² conversion.
STANDARD_GRAVITY_MPS2 = 9.80665

#: Degrees per FIT semicircle (2**31 semicircles = 180 degrees).
DEG_PER_SEMICIRCLE = 180.0 / 2**31
