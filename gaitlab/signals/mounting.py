"""How the sensor sits on the pelvis, found from the data alone.

Result: the rotation ``M`` with ``v_pelvis = M @ v_sensor`` (pelvis frame of
:mod:`gaitlab.frames`: x forward, y left, z up). Any mounting is allowed: any
yaw, upside down, tilted.

Method (:class:`MountingEstimator`, steps numbered as in the code):

1. **Up** is the mean direction of gravity in the sensor frame, taken from the
   attitude filter over the running (over whole strides the body's own
   acceleration averages out, so what is left is gravity), or over quiet
   standing when the recording has at least ``min_standing_s`` of it.
2. **Forward**: in stance the ground first brakes, then propels, while the
   vertical force rises, then falls; so the fore-aft acceleration follows the
   negative rate of change of the vertical acceleration,
   ``corr(a_ap, -d a_v / dt) > 0`` when ``a_ap`` points forward. The forward
   axis is the horizontal direction with the largest such covariance, which
   gives the axis and its sign together. The side-to-side acceleration
   changes sign between left and right stances and cancels out of it, though
   its variance can match the fore-aft one (lever arm, pelvis rotation), so a
   principal axis of the horizontal acceleration would not do.
3. **Left** completes the right-handed frame: ``y = z x x``.

Confidence is the share of 20-s windows whose own axis and sign agree with the
whole-run answer (within 20 deg), times how clearly the run-wide sign
correlation is away from zero. Below ``min_confidence`` the estimator raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from ..errors import AnalysisError
from ..frames import STANDARD_GRAVITY_MPS2
from .events import step_frequency_hz

__all__ = ["Mounting", "MountingEstimator", "describe_axes"]

_AXIS_NAMES = ["forward", "left", "up"]


def describe_axes(m: np.ndarray) -> dict[str, str]:
    """For each pelvis axis the nearest sensor axis, e.g. ``{"up": "-x (12 deg)"}``."""
    out = {}
    for i, name in enumerate(_AXIS_NAMES):
        row = m[i]
        j = int(np.argmax(np.abs(row)))
        ang = np.degrees(np.arccos(min(1.0, abs(row[j]))))
        out[name] = f"{'+' if row[j] > 0 else '-'}{'xyz'[j]} ({ang:.0f} deg off)"
    return out


@dataclass
class Mounting:
    """A sensor-to-pelvis rotation and how sure gaitlab is of it.

    Attributes
    ----------
    matrix
        ``M`` (3, 3) with ``v_pelvis = M @ v_sensor``; its rows are the pelvis
        forward, left and up axes written in sensor coordinates.
    confidence
        0-1; see the module notes.
    up_from
        ``"standing"`` or ``"running"``: what the up axis was taken from.
    axes
        Readable summary, e.g. ``{"forward": "-y (3 deg off)", ...}``.
    """

    matrix: np.ndarray
    confidence: float
    up_from: str
    axes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "matrix": np.round(self.matrix, 4).tolist(),
            "confidence": round(float(self.confidence), 3),
            "up_from": self.up_from,
            "axes": self.axes,
        }


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


@dataclass(frozen=True)
class MountingEstimator:
    """Find the sensor's mounting on the pelvis from gravity and the running cycle.

    Parameters
    ----------
    band_step
        Band kept for the fore-aft analysis, as multiples of the step
        frequency: the step fundamental only. The side-to-side acceleration
        has no power there (it alternates between steps: odd harmonics of the
        stride), and higher harmonics carry impact transients whose phase
        differs between runners and placements (in the adeptdata hip
        recording the 4-12 Hz band points the other way).
    window_s
        Window length (s) of the consistency check.
    min_standing_s
        Shortest quiet standing (s) trusted for the up axis.
    min_confidence
        Below this the mounting is "cannot be told" and :meth:`estimate` raises.
    """

    band_step: tuple[float, float] = (0.7, 1.4)
    window_s: float = 20.0
    min_standing_s: float = 3.0
    min_confidence: float = 0.5

    def estimate(
        self,
        acc_mps2: np.ndarray,
        up_sensor: np.ndarray,
        rate_hz: float,
        running: np.ndarray,
        standing_up: np.ndarray | None = None,
        source: str | None = None,
    ) -> Mounting:
        """Estimate the mounting.

        Parameters
        ----------
        acc_mps2
            Specific force, sensor frame, m/s² (n, 3).
        up_sensor
            World up written in sensor coordinates at every sample (n, 3), from
            the attitude filter (or the low-passed accelerometer).
        rate_hz
            Sample rate, Hz.
        running
            Boolean mask (n,) of the samples that are running.
        standing_up
            Mean up direction over quiet standing when there is enough of it.
        source
            File name for error messages.
        """
        # 1. up
        if standing_up is not None:
            up, up_from = _unit(np.asarray(standing_up, float)), "standing"
        else:
            up, up_from = _unit(up_sensor[running].mean(axis=0)), "running"
        # Horizontal basis that follows the sensor's yaw but stays level: the
        # sensor axis most nearly horizontal, projected on the plane normal to
        # the instantaneous up. A sensor-fixed plane would tilt with the pelvis
        # and leak the large vertical acceleration into the horizontal.
        ref = np.eye(3)[int(np.argmin(np.abs(up)))]
        e1 = _unit(ref - (up_sensor @ ref)[:, None] * up_sensor)
        e2 = np.cross(up_sensor, e1)
        lin = acc_mps2 - STANDARD_GRAVITY_MPS2 * up_sensor  # body acceleration, no gravity
        hv = np.column_stack([np.einsum("ij,ij->i", lin, e) for e in (e1, e2, up_sensor)])
        f_step, _ = step_frequency_hz(hv[running, 2], rate_hz)
        if not np.isfinite(f_step):
            raise AnalysisError(source, "cannot tell which way the sensor faces: no step frequency in the vertical acceleration")
        band = (self.band_step[0] * f_step, min(self.band_step[1] * f_step, 0.45 * rate_hz))
        sos = signal.butter(4, band, btype="bandpass", fs=rate_hz, output="sos")
        hv = signal.sosfiltfilt(sos, hv, axis=0)[running]
        h, av = hv[:, :2], hv[:, 2]
        dav = np.gradient(av) * rate_hz
        # 2. fore-aft axis and its sign in one go: the horizontal direction
        # whose acceleration covaries most with -d a_v/dt. The side-to-side
        # acceleration alternates sign between left and right stances while
        # the vertical force does not, so its covariance with the vertical
        # cancels over strides; its variance does not (lever arm, rotation),
        # which is why a principal axis of the horizontal acceleration is not
        # enough. The vertical leak from a tilted up axis is in quadrature
        # with d a_v/dt, so it cancels too.
        def axis_of(hh: np.ndarray, dd: np.ndarray) -> tuple[np.ndarray, float]:
            c = -(hh.T @ dd)
            norm = float(np.linalg.norm(c))
            if norm == 0:
                return np.array([1.0, 0.0]), 0.0
            ax = c / norm
            corr = norm / (np.linalg.norm(hh @ ax) * np.linalg.norm(dd) + 1e-12)
            return ax, float(corr)

        a, score = axis_of(h, dav)
        wn = int(self.window_s * rate_hz)
        agree, total = 0, 0
        for s in range(0, len(h) - wn + 1, wn):
            aw, _ = axis_of(h[s : s + wn], dav[s : s + wn])
            total += 1
            agree += float(np.dot(aw, a)) > np.cos(np.radians(20))
        consistency = agree / total if total else 1.0
        confidence = consistency * min(1.0, score / 0.2)
        # back to sensor coordinates, at the mean up
        b1 = _unit(ref - (up @ ref) * up)
        fwd = _unit(a[0] * b1 + a[1] * np.cross(up, b1))
        left = np.cross(up, fwd)
        m = np.vstack([fwd, left, up])
        mounting = Mounting(m, float(confidence), up_from, describe_axes(m))
        if confidence < self.min_confidence:
            raise AnalysisError(
                source,
                f"cannot tell which way the sensor faces (mounting confidence {confidence:.2f}: "
                f"{agree}/{total} windows agree, fore-aft correlation {score:.2f}); "
                "is this a pelvis-worn sensor during running?",
            )
        return mounting
