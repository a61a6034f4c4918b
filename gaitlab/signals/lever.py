"""Where the sensor sits on the pelvis, and its accelerations moved to the pelvis centre.

A sensor at a distance ``r`` from the pelvis centre (behind it on the sacrum,
or on a belt at the side of the hip) feels, besides the centre's specific
force, the accelerations of the pelvis turning about the centre (rigid body):

    f_sensor = f_centre + alpha x r + omega x (omega x r)

with ``omega`` the angular rate and ``alpha`` its derivative, all in the
sensor frame (any body-fixed frame; :mod:`gaitlab.frames`). On the side of
the hip, ``alpha x r`` of the pelvic drop adds ±1-3 m/s² to the vertical
specific force in each stance, opposite in left and right ones: the ICs of one
side come out ~10 ms early and the vertical oscillation ±10 mm off by side
(measured on :mod:`gaitlab.simulate` runs); on the sacrum, tilt moves the
sensor up and down by a few mm per step.

``r`` is found from the flight phases, where the runner's body is in free
fall and the centre's specific force is ~0, so the sensor's is ``A r`` with
``A = [alpha]x + [omega]x^2`` known from the gyroscope: a linear least-squares
fit over every flight sample. It is used only when it is plausible (within
``max_lever_m`` of the centre) and stable (the two halves of the run agree
within ``max_split_m``); otherwise, or without enough flight (a runner who
shuffles), the sensor's own accelerations stand. A sensor that wobbles on its
belt after each contact (a damped 15 Hz bounce of up to 1.5 g, simulated)
moved the fit by under 1 cm (tests/test_lever_arm.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

__all__ = ["LeverArm", "LeverFit", "describe_fit", "describe_position"]


@dataclass(frozen=True)
class LeverFit:
    """Result of :meth:`LeverArm.estimate`.

    Attributes
    ----------
    r_m
        Sensor position relative to the pelvis centre, sensor frame, m (NaN
        when it could not be fitted).
    used
        Whether the accelerations are moved to the centre with it.
    reason
        Why not, when not used ("" otherwise).
    flight_s
        Flight time the fit rests on, s.
    split_m
        Distance between the fits of the first and second half of the flights, m.
    """

    r_m: np.ndarray
    used: bool
    reason: str
    flight_s: float
    split_m: float


def _cross_matrix(w: np.ndarray) -> np.ndarray:
    """(n, 3) -> (n, 3, 3) matrices [w]x with [w]x v = w x v."""
    z = np.zeros(len(w))
    return np.stack(
        [np.stack([z, -w[:, 2], w[:, 1]], 1), np.stack([w[:, 2], z, -w[:, 0]], 1), np.stack([-w[:, 1], w[:, 0], z], 1)],
        axis=1,
    )


@dataclass(frozen=True)
class LeverArm:
    """Fit the sensor's lever arm from flight phases and remove its accelerations.

    Parameters
    ----------
    lowpass_hz
        Low-pass of the angular rate (and of the specific force in the fit)
        before differentiating it, Hz.
    margin_s
        Flight samples closer than this to a toe-off or an initial contact
        are left out (the events are uncertain by about this much), s.
    min_flight_s
        Least flight time needed for a fit, s.
    max_lever_m
        A fitted position farther than this from the centre is implausible
        for a pelvis-worn sensor, m.
    max_split_m
        The fits of the two halves of the flights must agree within this, m.
    """

    lowpass_hz: float = 30.0
    margin_s: float = 0.02
    min_flight_s: float = 3.0
    max_lever_m: float = 0.35
    max_split_m: float = 0.04

    def _lowpass(self, x: np.ndarray, rate_hz: float) -> np.ndarray:
        sos = signal.butter(4, min(self.lowpass_hz, 0.45 * rate_hz), fs=rate_hz, output="sos")
        return signal.sosfiltfilt(sos, x, axis=0)

    def rates(self, gyr_dps: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
        """Low-passed angular rate ``omega`` (rad/s) and its derivative ``alpha``
        (rad/s²), (n, 3) each, from the gyroscope (deg/s): what :meth:`estimate`
        and :meth:`to_centre` take, computed once per stretch."""
        w = self._lowpass(np.radians(gyr_dps), rate_hz)
        return w, np.gradient(w, 1.0 / rate_hz, axis=0)

    def _flight_mask(self, n: int, ic: np.ndarray, to: np.ndarray, rate_hz: float, max_flight_s: float) -> np.ndarray:
        """Samples between a toe-off and the next initial contact (fractional sample indices)."""
        lo = np.ceil(to[:-1] + self.margin_s * rate_hz).astype(np.int64)
        hi = np.floor(ic[1:] - self.margin_s * rate_hz).astype(np.int64) + 1
        ok = (hi > lo) & ((ic[1:] - to[:-1]) / rate_hz <= max_flight_s) & (lo >= 0) & (hi <= n)
        edges = np.zeros(n + 1, np.int64)
        np.add.at(edges, lo[ok], 1)
        np.add.at(edges, hi[ok], -1)
        return np.cumsum(edges[:-1]) > 0

    def estimate(
        self,
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
        rate_hz: float,
        max_flight_s: float = 0.3,
    ) -> LeverFit:
        """Fit ``r`` over the flights of one or more stretches.

        Parameters
        ----------
        parts
            Per stretch: specific force (n, 3) m/s², ``omega`` and ``alpha``
            from :meth:`rates`, all in the sensor frame, and the steps'
            initial contacts and toe-offs (fractional sample indices in the
            stretch, in order).
        rate_hz
            Sample rate, Hz.
        max_flight_s
            Longer gaps between a toe-off and the next contact are not flights
            (a missed step, a pause), s.
        """
        xs, ys = [], []
        for acc, omega, alpha, ic, to in parts:
            if len(ic) < 2 or len(acc) < 16:
                continue
            m = self._flight_mask(len(acc), np.asarray(ic, float), np.asarray(to, float), rate_hz, max_flight_s)
            if m.any():
                wx = _cross_matrix(omega[m])
                xs.append(_cross_matrix(alpha[m]) + wx @ wx)  # A r = alpha x r + omega x (omega x r)
                ys.append(self._lowpass(acc, rate_hz)[m])
        n = sum(len(x) for x in xs)
        nan = np.full(3, np.nan)
        if n < self.min_flight_s * rate_hz:
            return LeverFit(nan, False, f"too little flight to fit ({n / rate_hz:.1f} s; need {self.min_flight_s:g})",
                            n / rate_hz, float("nan"))
        x, y = np.concatenate(xs), np.concatenate(ys)

        def fit(sl: slice) -> np.ndarray:
            return np.linalg.lstsq(x[sl].reshape(-1, 3), y[sl].reshape(-1), rcond=None)[0]

        r = fit(slice(None))
        split = float(np.linalg.norm(fit(slice(None, n // 2)) - fit(slice(n // 2, None))))
        reason = ""
        if not np.all(np.isfinite(r)) or np.linalg.norm(r) > self.max_lever_m:
            reason = f"implausible position ({np.linalg.norm(r) * 100:.0f} cm from the pelvis centre)"
        elif not split <= self.max_split_m:
            reason = f"unstable: the two halves of the run differ by {split * 100:.0f} cm"
        return LeverFit(r, not reason, reason, n / rate_hz, split)

    @staticmethod
    def to_centre(acc_mps2: np.ndarray, omega: np.ndarray, alpha: np.ndarray, r_m: np.ndarray) -> np.ndarray:
        """Specific force at the pelvis centre (n, 3), m/s²: the sensor's minus
        ``alpha x r + omega x (omega x r)`` (``omega``, ``alpha`` from :meth:`rates`)."""
        r = np.asarray(r_m, float)
        return acc_mps2 - np.cross(alpha, r) - np.cross(omega, np.cross(omega, r))


def describe_position(pelvis_m: list[float] | np.ndarray) -> str:
    """``"15 cm left of and 2 cm behind the pelvis centre"``: a position in the
    pelvis frame (m; x forward, y left, z up, :mod:`gaitlab.frames`), in words,
    the largest offset first, offsets under 1 cm left out."""
    words = (("in front of", "behind"), ("left of", "right of"), ("above", "below"))
    parts = [(abs(v), f"{abs(v) * 100:.0f} cm {words[k][int(v < 0)]}") for k, v in enumerate(np.asarray(pelvis_m, float))
             if abs(v) >= 0.005]
    if not parts:
        return "at the pelvis centre"
    ordered = [p for _, p in sorted(parts, reverse=True)]
    return (", ".join(ordered[:-1]) + " and " if len(ordered) > 1 else "") + ordered[-1] + " the pelvis centre"


def describe_fit(lever_info: dict) -> str | None:
    """One line on ``Analysis.info["lever_arm"]`` for the CLI and the report:
    where the sensor sits and whether its accelerations were moved to the
    centre; None without a gyroscope (nothing was fitted)."""
    if not lever_info or lever_info.get("reason") == "no gyroscope":
        return None
    if lever_info.get("used"):
        return (f"sensor {describe_position(lever_info['pelvis_m'])} (fitted from {lever_info['flight_s']:g} s of flight); "
                "accelerations taken at the centre")
    return f"sensor position not used: {lever_info.get('reason')}; accelerations taken at the sensor"
