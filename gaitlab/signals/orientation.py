"""Sensor orientation in the world from accelerometer and gyroscope.

The attitude filter is x-io's Fusion (PyPI ``imufusion``), a complementary filter
with gyroscope-bias-free gravity correction, run without magnetometer: yaw is
free to drift and is removed per stride downstream (:mod:`gaitlab.signals.angles`).
Frames and units: :mod:`gaitlab.frames` (the world frame here is z up, x an
arbitrary initial heading; Fusion's NWU convention).

Why two passes: while running the accelerometer reads 0 g in flight and 2-3 g
in mid-stance, so any gravity correction sees large errors within every stride
(they average out over whole strides). A low filter gain lets the gyroscope
carry the attitude within a stride, but then a gyroscope bias of 0.3 deg/s
tilts the attitude by ~15 deg at gain 0.02 (measured), and the bias cannot be
taken as the mean rate in motion (the pelvis' rotation and obliquity are in
quadrature, so the mean body rate about a horizontal axis is ~1 deg/s: coning).
So :class:`FusionOrientation` separates the two time scales instead:

0. The gyroscope bias is what Fusion's gravity correction adds to the rate on
   average over 30 s (with a bias, the filter settles where its feedback
   cancels it), on block means at ``ahrs_rate_hz``.
1. Fusion with gain 0 integrates the gyroscope alone: exact within a stride,
   drifting over minutes.
2. Fusion with its gravity correction (``gain``) at ``ahrs_rate_hz``: right on
   average, disturbed within each stride.
3. The rotation taking (1) onto (2) varies only slowly (drift) plus a
   stride-periodic disturbance; a zero-phase moving average over several
   strides keeps the drift and removes the disturbance.
4. The smoothed rotation applied to (1); then a last tilt correction makes
   the world-frame specific force average to vertical over a few strides.
   Turns (heading rate over 10 deg/s) are left out of steps 3-4: there the
   accelerometer also feels the centripetal acceleration; the gyroscope
   carries the attitude through them.
"""

from __future__ import annotations

from dataclasses import dataclass

import imufusion
import numpy as np
from scipy import ndimage, signal

from ..frames import STANDARD_GRAVITY_MPS2, quat_conj, quat_mul, quat_to_matrix, quat_to_rotvec

__all__ = ["FusionOrientation", "quat_to_matrix"]


def _initial_quaternion(acc_g: np.ndarray) -> np.ndarray:
    """The attitude (w, x, y, z) whose world z is the mean accelerometer direction."""
    up = acc_g.mean(axis=0)
    up = up / np.linalg.norm(up)
    # rotation taking sensor 'up' onto world z: axis up x z, angle acos(up . z)
    axis = np.cross(up, [0.0, 0.0, 1.0])
    s, c = np.linalg.norm(axis), up[2]
    if s < 1e-9:
        return np.array([1.0, 0, 0, 0]) if c > 0 else np.array([0.0, 1.0, 0, 0])
    half = np.arctan2(s, c) / 2
    return np.concatenate([[np.cos(half)], np.sin(half) * axis / s])


@dataclass(frozen=True)
class FusionOrientation:
    """Attitude of the sensor from 6-axis data with imufusion (no magnetometer).

    Parameters
    ----------
    gain
        Gain of Fusion's gravity correction in step 2 (Fusion's default 0.5).
    ahrs_rate_hz
        Rate the corrected pass runs at (block means of the samples); it only
        has to follow the slow drift.
    smooth_s
        Length (s) of the moving average of step 3, applied twice (a
        triangular window of twice this length). Its first zero is at
        1 / ``smooth_s`` Hz; a running stride (~1.4 Hz) is attenuated ~100x.
    init_s
        Seconds the filter is first run backwards over, to start settled.
    bias_window_s, bias_passes
        Gyroscope bias estimation (step 0): window (s) over which the bias is
        taken as constant, and number of refining passes.
    acc_average_s
        Centred moving average (s) of the specific force fed to the corrected
        passes as their gravity reference.
    refine_s
        Moving average (s, applied twice) of the world-frame specific force in
        step 4.
    turn_dps
        Heading rate (deg/s, 1-s mean) above which the runner is turning; the
        gravity reference is not taken from turns (centripetal acceleration).
    min_bias_s
        Shortest stretch (s) whose own data give its gyroscope bias; a
        shorter one (between two holes in the recording) takes the bias of
        the nearest longer one (:meth:`gyro_bias`).

    Notes
    -----
    Fusion's acceleration rejection is off: in running the accelerometer
    disagrees with gravity for most of every step, so rejection would switch
    the correction off most of the time and then snap back.
    """

    gain: float = 0.5
    ahrs_rate_hz: float = 25.0
    smooth_s: float = 2.5
    init_s: float = 30.0
    bias_window_s: float = 30.0
    bias_passes: int = 1
    acc_average_s: float = 1.0
    refine_s: float = 5.0
    turn_dps: float = 10.0
    min_bias_s: float = 40.0

    def estimate(self, acc_mps2: np.ndarray, gyr_dps: np.ndarray, rate_hz: float) -> np.ndarray:
        """Quaternions ``w, x, y, z`` (n, 4), world from sensor, one per sample.

        Parameters
        ----------
        acc_mps2
            Specific force in the sensor frame, m/s² (n, 3), no NaN.
        gyr_dps
            Angular rate in the sensor frame, deg/s (n, 3), no NaN.
        rate_hz
            Sample rate in Hz.
        """
        return self.attitude(acc_mps2, gyr_dps, rate_hz)[0]

    def attitude(self, acc_mps2: np.ndarray, gyr_dps: np.ndarray, rate_hz: float,
                 bias_dps: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`estimate`, and the heading rate its gravity reference saw (deg/s, n).

        In a bend below ``turn_dps`` the gravity reference is the apparent
        vertical, tilted toward the centre of the bend by the centripetal
        acceleration (atan(v dpsi/dt / g): ~1.7 deg at 3.3 m/s on a 400 m
        track). The second array is the heading rate smoothed exactly as that
        reference was (0 through masked turns; where a stretch is all turning,
        its plain average), so the tilt it left can be regressed out downstream
        (:func:`gaitlab.signals.angles.centripetal_obliquity`).

        ``bias_dps`` (3,), deg/s: the gyroscope bias, when it is known from
        elsewhere (a stretch shorter than ``min_bias_s`` cannot give its own:
        :meth:`gyro_bias`); else step 0 estimates it.
        """
        acc_g, gyr, k, a, g = self._blocks(acc_mps2, gyr_dps, rate_hz)
        n, m = len(acc_g), len(a)
        if m < 4:
            return self._run(acc_g, gyr, rate_hz, self.gain), np.zeros(n)
        ends = np.arange(1, m + 1) * k - 1
        t = np.arange(n)
        q0 = self._settled_start(a, g, rate_hz / k)
        # 0. gyroscope bias: what the gravity correction adds on average
        if bias_dps is None:
            bias = self._block_bias(a, g, rate_hz / k, q0)
        else:
            bias = np.tile(np.asarray(bias_dps, dtype=float), (m, 1))
        gyr = gyr - np.column_stack([np.interp(t, ends, bias[:, j]) for j in range(3)])
        if self.bias_passes or bias_dps is not None:  # settle the start again, now without the bias
            q0 = self._settled_start(a, g - bias, rate_hz / k)
        # 1. gyroscope only
        q_gyro = self._gyro_only(acc_g, gyr, rate_hz, k, q0)
        # 2. gravity-corrected, on block means
        q_ahrs = self._run(a, g - bias, rate_hz / k, self.gain, q0)
        # samples in turns do not inform the gravity reference: there the
        # specific force also holds the centripetal acceleration
        straight, heading_rate = self._straight(q_gyro[ends], g - bias)
        # standing and moving are smoothed apart: the reference of one must not
        # leak into the other across a start or a stop
        regime = _regimes(a, g - bias, rate_hz / k)
        # 3. correction rotation at the block ends, smoothed without phase lag
        c = _continuous(quat_mul(q_ahrs, quat_conj(q_gyro[ends])))
        c = _smooth(c, straight, max(1, int(round(self.smooth_s * rate_hz / k))), regime)
        q = quat_mul(_interp_q(t, ends, c), q_gyro)
        # 4. over whole strides the vector mean of the world-frame specific
        # force is gravity; Fusion's reference was the sensor-frame mean, which
        # is tilted by the correlation of attitude and force within a stride
        # (a larger pelvic drop on one side tilts it ~0.3 deg toward that side)
        # block means, not the samples at the block ends: point samples at
        # ahrs_rate_hz alias the impact transients (~0.2 g of tilt over the
        # first strides of a run, measured)
        fw = np.einsum("nij,nj->ni", quat_to_matrix(q[: m * k]), acc_g[: m * k]).reshape(m, k, 3).mean(axis=1)
        w_refine = max(1, int(round(self.refine_s * rate_hz / k)))
        fw = _smooth(fw, straight, w_refine, regime)
        fw /= np.linalg.norm(fw, axis=1, keepdims=True)
        d = np.column_stack([1.0 + fw[:, 2], fw[:, 1], -fw[:, 0], np.zeros(m)])  # takes fw onto +z
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        seen = _smooth(heading_rate[:, None], straight, w_refine, regime)[:, 0]
        return quat_mul(_interp_q(t, ends, d), q), np.interp(t, ends, seen)

    def gyro_bias(self, acc_mps2: np.ndarray, gyr_dps: np.ndarray, rate_hz: float) -> np.ndarray:
        """Gyroscope bias (m, 3), deg/s, at the ends of the ``ahrs_rate_hz``
        blocks: step 0 of :meth:`attitude`. It needs ``min_bias_s`` of data:
        the first three filter time constants are the filter settling, and the
        bias is a mean over ``bias_window_s`` (on an 11-s stretch between two
        holes it came out 2.8 deg/s where the rest of the run gives 0.1, and
        the pelvic drop of its first steps was 13 deg off)."""
        acc_g, gyr, k, a, g = self._blocks(acc_mps2, gyr_dps, rate_hz)
        if len(a) < 4:
            return np.zeros((len(a), 3))
        return self._block_bias(a, g, rate_hz / k, self._settled_start(a, g, rate_hz / k))

    def _blocks(self, acc_mps2: np.ndarray, gyr_dps: np.ndarray,
                rate_hz: float) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
        """Specific force in g and rate as contiguous arrays, the block length
        ``k`` (samples per ``ahrs_rate_hz`` step), and per block the gravity
        reference and the mean rate."""
        acc_g = np.ascontiguousarray(acc_mps2 / STANDARD_GRAVITY_MPS2, dtype=float)
        gyr = np.ascontiguousarray(gyr_dps, dtype=float)
        k = max(1, int(rate_hz // self.ahrs_rate_hz))
        m = len(acc_g) // k
        # block means keep the integral of the rate over each block
        g = gyr[: m * k].reshape(m, k, 3).mean(axis=1)
        ends = np.arange(1, m + 1) * k - 1
        # The gravity reference is the specific force averaged over about a
        # stride: that vector mean is gravity. Fusion normalises each sample,
        # so raw samples would weigh a flight phase (|a| ~ 0, direction pure
        # noise) like mid-stance: 0.05 m/s² of noise then tilts it ~1.5 deg.
        a = ndimage.uniform_filter1d(acc_g, max(1, int(self.acc_average_s * rate_hz)), axis=0, mode="nearest")[ends]
        return acc_g, gyr, k, a, g

    def _block_bias(self, a: np.ndarray, g: np.ndarray, rate_hz: float, q0: np.ndarray) -> np.ndarray:
        """Step 0: ``bias_passes`` refinements of :meth:`_feedback_bias` (m, 3)."""
        bias = np.zeros((len(a), 3))
        for _ in range(self.bias_passes):
            bias = bias + self._feedback_bias(a, g - bias, rate_hz, q0)
        return bias

    def _gyro_only(self, acc_g: np.ndarray, gyr_dps: np.ndarray, rate_hz: float, k: int, q0: np.ndarray) -> np.ndarray:
        """Gyroscope-only attitude at every sample (Fusion with gain 0).

        Fusion runs once per block of ``k`` samples, on the block's exact
        rotation (the product of its ``k`` sample increments, composed
        vectorised across blocks and passed as the equivalent constant rate);
        the samples inside a block are that block's start attitude times the
        partial products. Same result as Fusion at the full rate to within
        its first-order integration error, at a ``k``-th of the loop cost (the
        per-sample Python loop around Fusion is what costs: ~1.2 us a sample).
        """
        n = len(gyr_dps)
        m = n // k
        if k == 1 or m < 4:
            return self._run(acc_g, gyr_dps, rate_hz, 0.0, q0)
        dt = 1.0 / rate_hz
        half = np.radians(gyr_dps) * (dt / 2)  # half the rotation vector of each sample
        ang = np.linalg.norm(half, axis=1, keepdims=True)
        dq = np.hstack([np.cos(ang), half * np.where(ang > 1e-12, np.sin(ang) / np.maximum(ang, 1e-12), 1.0)])
        # partial products within each block: part[:, j] = dq_0 dq_1 ... dq_j
        blocks = dq[: m * k].reshape(m, k, 4)
        part = np.empty_like(blocks)
        part[:, 0] = blocks[:, 0]
        for j in range(1, k):
            part[:, j] = quat_mul(part[:, j - 1], blocks[:, j])
        # each block's whole rotation as the constant rate Fusion integrates
        rate_eq = np.degrees(quat_to_rotvec(part[:, -1])) / (k * dt)
        ends_q = self._run(acc_g[k - 1 : m * k : k], rate_eq, rate_hz / k, 0.0, q0)
        starts = np.vstack([np.asarray(q0, float)[None, :], ends_q[:-1]])
        out = np.empty((n, 4))
        out[: m * k] = quat_mul(np.repeat(starts, k, axis=0), part.reshape(m * k, 4))
        q = ends_q[-1]
        for i in range(m * k, n):  # the last partial block
            q = quat_mul(q[None, :], dq[i : i + 1])[0]
            out[i] = q
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def _straight(self, q: np.ndarray, gyr_dps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights (m,): 0 in turns (heading rate above ``turn_dps``) and for
        three filter time constants after them, else 1; and the heading rate
        (deg/s, low-passed)."""
        rate_world_z = np.einsum("nj,nj->n", quat_to_matrix(q)[:, 2, :], gyr_dps)
        # low-pass well below stride frequency: the pelvis' own rotation
        # swings the yaw rate by +-40 deg/s every stride
        sos = signal.butter(2, 0.25, fs=self.ahrs_rate_hz, output="sos")
        heading_rate = signal.sosfiltfilt(sos, rate_world_z) if len(q) > 15 else rate_world_z
        turning = np.abs(heading_rate) > self.turn_dps
        # flag a sample when a turn is under way within the last `after`
        # samples (the corrected pass is still recovering) or the next second
        after = int(3 / max(self.gain, 1e-3) * self.ahrs_rate_hz)
        before = int(self.ahrs_rate_hz)
        cs = np.concatenate([[0], np.cumsum(turning)])
        i = np.arange(len(turning))
        recent = cs[np.minimum(i + before + 1, len(turning))] - cs[np.maximum(i - after, 0)]
        return (recent == 0).astype(float), heading_rate

    def _settled_start(self, acc_g: np.ndarray, gyr_dps: np.ndarray, rate_hz: float) -> np.ndarray:
        """Attitude at the first sample, from the filter run backwards in time
        over the first ``init_s`` seconds (so it has settled when it gets there)."""
        n = max(2, min(len(acc_g), int(self.init_s * rate_hz)))
        rev = slice(n - 1, None, -1)
        q = self._run(acc_g[rev], -gyr_dps[rev], rate_hz, self.gain, _initial_quaternion(acc_g[max(0, n - int(2 * rate_hz)) : n]))
        return q[-1]

    def _feedback_bias(self, acc_g: np.ndarray, gyr_dps: np.ndarray, rate_hz: float, q0: np.ndarray) -> np.ndarray:
        """Gyroscope bias (m, 3), deg/s: minus the mean rate Fusion's gravity
        correction adds, over ``bias_window_s``. The pelvis' mean rate is not
        zero in motion (coning), but the correction's is, without a bias."""
        q = self._run(acc_g, gyr_dps, rate_hz, self.gain, q0)
        r = quat_to_matrix(q)
        rel = np.einsum("nji,njk->nik", r[:-1], r[1:])  # R_{k-1}^T R_k, body frame
        feedback = np.degrees(_rotvec(rel)) * rate_hz - gyr_dps[1:]
        feedback = np.vstack([feedback[:1], feedback])
        # the first seconds are the filter moving from its start to its steady
        # state, not bias: leave out three time constants (1 / gain s each)
        weight = self._straight(q, gyr_dps)[0]  # in turns the feedback follows the centripetal tilt
        weight[: int(3 / max(self.gain, 1e-3) * rate_hz)] = 0.0
        if not weight.any():
            return np.zeros_like(feedback)
        w = max(1, int(self.bias_window_s * rate_hz))
        num = ndimage.uniform_filter1d(feedback * weight[:, None], w, axis=0, mode="nearest")
        den = ndimage.uniform_filter1d(weight, w, mode="nearest")[:, None]
        first, last = np.flatnonzero(weight)[[0, -1]]
        out = np.where(den > 1e-6, num / np.maximum(den, 1e-6), np.nan)
        # within half a window of either end the mean would lean on the edge
        # value repeated ("nearest"): one instant's feedback, not a mean (the
        # last 15 s of a stretch read 1.3-1.8 deg/s where the rest read 0.1)
        if first + w // 2 < last - w // 2:
            out[: first + w // 2] = out[first + w // 2]
            out[last - w // 2 + 1 :] = out[last - w // 2]
        else:  # shorter than a window: its one mean
            out[:] = (feedback * weight[:, None]).sum(axis=0) / weight.sum()
        return -np.nan_to_num(out)

    def _run(self, acc_g: np.ndarray, gyr_dps: np.ndarray, rate_hz: float, gain: float, q0: np.ndarray | None = None) -> np.ndarray:
        """One pass of Fusion; quaternions (n, 4)."""
        settings = imufusion.AhrsSettings()
        settings.convention = imufusion.CONVENTION_NWU
        settings.gain = gain
        settings.acceleration_rejection = 0.0  # off; see Notes
        settings.magnetic_rejection = 0.0
        settings.rejection_timeout = 0
        settings.sample_rate = max(1, int(round(rate_hz)))
        ahrs = imufusion.Ahrs()
        ahrs.set_settings(settings)
        ahrs.set_sample_period(1.0 / rate_hz)
        if q0 is None:
            q0 = _initial_quaternion(acc_g[: max(1, min(len(acc_g), int(2 * rate_hz)))])
        ahrs.set_quaternion(np.asarray(q0, dtype=float))
        ahrs.skip_startup()
        out = np.empty((len(acc_g), 4))
        update, get = ahrs.update_no_magnetometer, ahrs.get_quaternion
        # imufusion has no batch call; this loop runs C per sample (~1.2 us each)
        for i in range(len(acc_g)):
            update(gyr_dps[i], acc_g[i])
            out[i] = get()
        return out


def _continuous(q: np.ndarray) -> np.ndarray:
    """Flip signs so consecutive quaternions lie in the same hemisphere (q and -q are one rotation)."""
    flips = np.einsum("ij,ij->i", q[1:], q[:-1]) < 0
    sign = np.concatenate([[1.0], np.where(np.cumsum(flips) % 2 == 1, -1.0, 1.0)])
    return q * sign[:, None]


def _rotvec(r: np.ndarray) -> np.ndarray:
    """Rotation vectors (n, 3), rad, of rotation matrices (n, 3, 3) (angles < 180 deg)."""
    v = np.column_stack([r[:, 2, 1] - r[:, 1, 2], r[:, 0, 2] - r[:, 2, 0], r[:, 1, 0] - r[:, 0, 1]]) / 2
    s = np.linalg.norm(v, axis=1)
    ang = np.arctan2(s, (np.trace(r, axis1=1, axis2=2) - 1) / 2)
    return v * np.where(s > 1e-12, ang / np.maximum(s, 1e-12), 1.0)[:, None]


def _regimes(acc_g: np.ndarray, gyr_dps: np.ndarray, rate_hz: float) -> np.ndarray:
    """Label (m,) of contiguous stretches: a new label at every start or stop
    (still = |a| within 0.05 g of 1 g and |w| < 5 deg/s over 1 s)."""
    w = max(1, int(rate_hz))
    still = (np.abs(np.linalg.norm(acc_g, axis=1) - 1) < 0.05) & (np.linalg.norm(gyr_dps, axis=1) < 5)
    still = ndimage.uniform_filter1d(still.astype(float), w, mode="nearest") > 0.9
    return np.concatenate([[0], np.cumsum(still[1:] != still[:-1])])


def _smooth(x: np.ndarray, weight: np.ndarray, w: int, regime: np.ndarray | None = None) -> np.ndarray:
    """Weighted centred moving average (applied twice) of rows of ``x``, within
    each regime; where less than half the window has weight, interpolated."""
    if regime is not None and regime[-1] != regime[0]:
        out = np.empty_like(x)
        for r in np.unique(regime):
            sel = regime == r
            out[sel] = _smooth(x[sel], weight[sel], w)
        return out
    num, den = x * weight[:, None], weight.astype(float)
    # zero padding, not "nearest": repeating an edge sample (a single instant
    # of the stride, not a mean over it) would give it half the window's weight
    for _ in range(2):
        num = ndimage.uniform_filter1d(num, w, axis=0, mode="constant")
        den = ndimage.uniform_filter1d(den, w, mode="constant")
    # a mean over less than a quarter of its window may cover less than two strides,
    # which is not gravity: those points are interpolated instead
    ok = den > 0.25
    if not ok.any():  # nothing to trust more than the rest (all turning): plain average
        return _smooth(x, np.ones(len(x)), w) if weight.min() < 1 else x.copy()
    out = num[ok] / den[ok][:, None]
    idx = np.arange(len(x))
    return np.column_stack([np.interp(idx, idx[ok], out[:, j]) for j in range(x.shape[1])])


def _interp_q(t: np.ndarray, at: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Unit quaternions (n, 4) linearly interpolated (then normalised) at ``t``."""
    out = np.column_stack([np.interp(t, at, q[:, j]) for j in range(4)])
    return out / np.linalg.norm(out, axis=1, keepdims=True)
