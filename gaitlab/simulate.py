"""Forward simulator of a pelvis-worn IMU during a run, with per-step ground truth.

Written forward from kinematics and ground reaction forces, never as the
inverse of gaitlab's estimator (it imports nothing from ``signals`` or
``metrics``). Frames, units and angle signs: :mod:`gaitlab.frames`.

Physics, in the order computed (internal rate 1000 Hz, then sampled):

1. **Gait timeline**: step times from cadence with 2 % step-to-step variation,
   stance times from ``gct_ms`` (1.5 % variation), sides strictly alternating
   from a random first side; quiet standing first when ``standing_s`` > 0.
   Cadence and contact time follow the pace and, on a course with hills, the
   grade (``pace``, ``course``). Truth IC = the instant the vertical ground
   reaction force (GRF) rises from zero, TO = the instant it returns to zero.
2. **GRF -> pelvis centre acceleration** (Newton; the pelvis centre stands in
   for the centre of mass): vertical GRF per stance a half-sine, plus an
   impact transient for rearfoot strikers, scaled so that the impulse over the
   step is m g T_step (height periodic); fore-aft GRF brakes in the first part
   of stance and propels in the second, net zero; mediolateral GRF toward the
   midline (to the right in a left stance). In flight the body is in free
   fall: specific force 0. Turns add the centripetal acceleration v * dpsi/dt.
3. **Pelvis attitude**: ``R_world_pelvis = Rz(heading + rotation) Rx(obliquity)
   Ry(tilt)`` (Baker 2001). Obliquity = the runner's neutral + in each stance a
   rise toward the stance side (the swing side drops: contralateral pelvic
   drop) to the step's peak drop at ~40 % of stance, back to neutral by
   toe-off (smooth sin² pulse). Rotation: a stride-periodic oscillation, the
   pelvis turning toward the stance side through stance (Schache et al. 1999:
   in running the pelvis rotates with the swing leg). Tilt: anterior offset plus
   a step-periodic oscillation, most anterior at mid-stance.
4. **Sensor**: lever arm r from the pelvis centre (sacrum, behind it), so the
   sensor's acceleration adds alpha x r + omega x (omega x r) (by numerical
   differentiation of its position); mounting ``M`` (v_pelvis = M v_sensor);
   specific force ``(R M)^T (a + g z)``; gyro ``M^T omega_body``; then a
   second-order anti-alias low-pass and sampling at ``rate_hz``; white noise
   (accelerometer 0.02 m/s², gyroscope 0.1 deg/s RMS: BMI160-class densities at
   a few hundred Hz), constant biases (±0.2 m/s², ±0.5 deg/s), ±1 % scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import signal
from scipy.spatial.transform import Rotation

from .frames import STANDARD_GRAVITY_MPS2 as G
from .frames import quat_conj, quat_from_euler_zxy, quat_mul, quat_rotate, quat_to_rotvec
from .run import Run
from .simulate_fit import SENSITIVITIES, course_profile, interval_segments, speed_on_course

__all__ = ["simulate_run", "SimulatedRun", "Truth", "random_mounting"]

_FI = 1000.0  # internal rate, Hz


@dataclass
class Truth:
    """Ground truth of a simulated run (all times in s from the first sample).

    Attributes
    ----------
    steps
        ``ic_s``, ``to_s``, ``side`` (stance foot), ``gct_ms``, ``flight_ms``,
        ``step_time_s``, ``cadence_spm``, ``pelvic_drop_deg`` (peak swing-side
        drop in stance vs neutral), ``vertical_oscillation_mm``.
    strides
        ``ic_s`` (left IC), ``end_s`` (next left IC), ``pelvic_rotation_deg``
        (peak-to-peak rotation relative to heading), ``pelvic_tilt_range_deg``,
        ``pelvic_obliquity_range_deg``.
    mounting
        ``M`` (3, 3), v_pelvis = M v_sensor.
    neutral_obliquity_deg, neutral_source
        The neutral the drop truth is relative to: the mean obliquity over
        quiet standing when there are >= 3 s of it ("standing"), else over the
        whole strides starting 30-210 s after the first IC ("running").
    signals
        At the IMU's samples: ``elapsed_s``, the pelvis' ``obliquity_deg``,
        ``tilt_deg``, ``rotation_deg``, the running ``heading_deg`` (counter-
        clockwise from the world x axis, which is east for a GPS track) and
        ``speed_mps``.
    """

    steps: pd.DataFrame
    strides: pd.DataFrame
    mounting: np.ndarray
    neutral_obliquity_deg: float
    neutral_source: str
    signals: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)


@dataclass
class SimulatedRun:
    """A simulated recording (:attr:`run`) and its :attr:`truth`."""

    run: Run
    truth: Truth
    params: dict[str, Any]


def random_mounting(rng: np.random.Generator) -> np.ndarray:
    """A sensor mounting: any yaw, upright or upside down, tilted up to 30 deg."""
    yaw = rng.uniform(0, 360)
    tilt = rng.uniform(0, 30)
    tilt_dir = rng.uniform(0, 360)
    flip = 180.0 if rng.random() < 0.5 else 0.0
    r = (
        Rotation.from_euler("z", yaw, degrees=True)
        * Rotation.from_rotvec(np.radians(tilt) * np.array([np.cos(np.radians(tilt_dir)), np.sin(np.radians(tilt_dir)), 0]))
        * Rotation.from_euler("x", flip, degrees=True)
    )
    return r.as_matrix()  # pelvis from sensor


def simulate_run(
    duration_s: float = 600.0,
    rate_hz: float = 200.0,
    seed: int = 0,
    *,
    mounting: str | np.ndarray | tuple[float, float, float] = "random",
    standing_s: float = 5.0,
    speed_mps: float = 3.3,
    cadence_spm: float = 172.0,
    gct_ms: float = 245.0,
    drop_left_deg: float | None = None,
    drop_right_deg: float | None = None,
    drop_sd_deg: float = 0.5,
    rotation_deg: float | None = None,
    tilt_range_deg: float = 5.0,
    neutral_obliquity_deg: float | None = None,
    turns: bool | str = True,
    noise: bool = True,
    lever_arm_m: tuple[float, float, float] = (-0.10, 0.0, 0.05),
    fatigue: dict[str, float] | None = None,
    wander: bool = False,
    pace: str = "steady",
    course: str = "flat",
    max_grade_pct: float = 5.0,
    start_time: str = "2026-05-01T07:00:00Z",
) -> SimulatedRun:
    """Simulate a run as a pelvis IMU records it, with ground truth.

    Parameters
    ----------
    duration_s
        Length of the recording, s (standing included).
    rate_hz
        Output sample rate, Hz (50-1000).
    seed
        Seed of every random choice.
    mounting
        ``"random"``, ``"upright"``, Euler angles ``(z, y, x)`` in deg, or a
        3x3 matrix ``M`` (v_pelvis = M v_sensor).
    standing_s
        Quiet standing before the run starts, s.
    speed_mps, cadence_spm, gct_ms
        Mean running speed (m/s), cadence (steps/min), ground contact (ms).
    drop_left_deg, drop_right_deg
        Mean peak contralateral pelvic drop in left / right stance, deg
        (random 3-8 deg when ``None``); ``drop_sd_deg`` is the step-to-step SD.
    rotation_deg, tilt_range_deg
        Peak-to-peak pelvis rotation per stride and tilt per step, deg.
    neutral_obliquity_deg
        The runner's standing obliquity, deg (random ±1.5 when ``None``).
    turns
        ``True``: 90 and 180 deg turns and gentle curves; ``"track"``: laps of
        a 400 m track (36.5 m bend radius, counter-clockwise), long steady
        bends; ``False``: straight.
    noise
        Add sensor noise, bias and scale errors.
    lever_arm_m
        Sensor position relative to the pelvis centre in the pelvis frame, m.
    fatigue
        ``{"onset_s": t, "drop_left_per_min": d, "drop_right_per_min": d,
        "gct_per_min": ms}``: linear drifts after ``onset_s``.
    wander
        Slow form wander without fatigue, as real runners show: an AR(1)
        process in time (time constant 180 s) added to each side's pelvic
        drop (SD 0.3 deg) and to contact time (SD 3 ms). Part of the truth.
    pace
        ``"steady"`` (``speed_mps`` throughout) or ``"intervals"``: 10 min at
        ``speed_mps``, then up to 6 x (3 min at +25 %, 2 min at -20 %), then
        -10 % to the end, each change over 6 s; or ``"fade"``: ``speed_mps``
        for the first 40 % of the run, then slowing steadily to 85 % of it by
        the end (a runner easing off, which is not form breaking down). Cadence
        follows at +7 steps/min and contact time at -35 ms per m/s (the FIT
        simulator's :data:`~gaitlab.simulate_fit.SENSITIVITIES`). An IMU
        recording alone has no speed to adjust for this; a phone's GPS track
        beside it (``truth.signals["speed_mps"]`` and ``"heading_deg"`` give
        the path) has.
    course, max_grade_pct
        ``"flat"``; ``"hills"``: rolling hills whose steepest grade is
        ``max_grade_pct`` (%), the FIT simulator's course
        (:func:`~gaitlab.simulate_fit.course_profile`); ``"climb"``: flat,
        then from half the distance a steady climb at ``max_grade_pct`` to
        the end (a hill that, like fatigue, comes late and stays). At the
        same effort the runner slows 3 % per % uphill and speeds up 1.8 % per % downhill
        (:func:`~gaitlab.simulate_fit.speed_on_course`); cadence and contact
        time follow the speed as above and the grade at +0.4 steps/min and
        +1.5 ms per % (:data:`~gaitlab.simulate_fit.SENSITIVITIES`). Pelvic
        drop and the pelvis's attitude are those of the flat.
        ``truth.signals`` holds ``altitude_m`` (m above the start) and
        ``grade_pct``. The course has its own random stream, so a flat run's
        seed gives the same run as before hills existed.
    """
    rng = np.random.default_rng(seed)
    dl = rng.uniform(3, 8) if drop_left_deg is None else drop_left_deg
    dr = rng.uniform(3, 8) if drop_right_deg is None else drop_right_deg
    rot_pp = rng.uniform(8, 14) if rotation_deg is None else rotation_deg
    neutral = rng.uniform(-1.5, 1.5) if neutral_obliquity_deg is None else neutral_obliquity_deg
    if isinstance(mounting, str):
        m = random_mounting(rng) if mounting == "random" else np.eye(3)
    elif np.shape(mounting) == (3,):
        m = Rotation.from_euler("ZYX", mounting, degrees=True).as_matrix()
    else:
        m = np.asarray(mounting, float)
    rear = rng.random() < 0.7  # rearfoot strikers show an impact transient
    fat = fatigue or {}

    # 1. gait timeline: speed factor over time, cadence and contact time follow it
    pace_of = _pace_plan(pace, standing_s + 0.5, duration_s)
    grade_of = None  # grade (%) over time, on a course with hills
    hills = _hills(course, pace_of, seed, speed_mps, max_grade_pct, standing_s + 0.5, duration_s)
    if hills is not None:
        pace_of, grade_of = hills
    if pace == "steady" and grade_of is None:
        step_mean = 60.0 / cadence_spm
        n_steps = int((duration_s - standing_s - 1.0) / step_mean) + 2
        step_t = step_mean * (1 + 0.02 * rng.standard_normal(n_steps))
    else:  # nominal ICs where the integral of cadence passes each whole step
        grid = np.arange(standing_s + 0.5, duration_s + 1.0, 0.01)
        cad = cadence_spm + _CADENCE_PER_MPS * speed_mps * (pace_of(grid) - 1)
        if grade_of is not None:
            cad = cad + _CADENCE_PER_GRADE * grade_of(grid)
        phase = np.concatenate([[0.0], np.cumsum(cad[:-1] / 60 * 0.01)])
        nominal = np.interp(np.arange(int(phase[-1]) + 1), phase, grid)
        step_t = np.diff(nominal) * (1 + 0.02 * rng.standard_normal(len(nominal) - 1))
    ic = standing_s + 0.5 + np.concatenate([[0.0], np.cumsum(step_t[:-1])])
    keep = ic + step_t < duration_s - 0.2
    ic, step_t = ic[keep], step_t[keep]
    k = np.arange(len(ic))
    first_left = rng.random() < 0.5
    side = np.where((k % 2 == 0) == first_left, "L", "R")
    after = np.maximum(ic - fat.get("onset_s", np.inf), 0) / 60.0
    gct_pace = gct_ms + _GCT_PER_MPS * speed_mps * (pace_of(ic) - 1)
    if grade_of is not None:
        gct_pace = gct_pace + _GCT_PER_GRADE * grade_of(ic)
    gct = gct_pace / 1000 * (1 + 0.015 * rng.standard_normal(len(ic))) + fat.get("gct_per_min", 0.0) / 1000 * after
    if wander:
        slow = _slow_wander(rng, ic, 3)
        gct = gct + 0.003 * slow[:, 0]
        dl_slow, dr_slow = 0.3 * slow[:, 1], 0.3 * slow[:, 2]
    else:
        dl_slow = dr_slow = np.zeros(len(ic))
    gct = np.minimum(gct, 0.8 * step_t)
    to = ic + gct
    peak_drop = np.where(side == "L", dl + dl_slow + fat.get("drop_left_per_min", 0.0) * after,
                         dr + dr_slow + fat.get("drop_right_per_min", 0.0) * after)
    peak_drop = peak_drop + drop_sd_deg * rng.standard_normal(len(ic))

    t = np.arange(0.0, duration_s, 1.0 / _FI)
    n = len(t)
    j = np.clip(np.searchsorted(ic, t, side="right") - 1, 0, len(ic) - 1)
    running = (t >= ic[0]) & (t < ic[-1] + step_t[-1])
    u = t - ic[j]  # time since this step's IC
    stance = running & (u >= 0) & (u < gct[j])
    ph = np.where(stance, u / gct[j], 0.0)  # 0..1 through stance
    sgn = np.where(side[j] == "L", 1.0, -1.0)

    # 2. ground reaction force per unit mass (specific force of the pelvis centre)
    shape = np.sin(np.pi * ph)
    if rear:
        shape = shape + 0.6 * np.exp(-(((ph - 0.12) / 0.045) ** 2))
    # normalise each stance's vertical impulse to g * step time
    mean_shape = 2 / np.pi + (0.6 * 0.045 * np.sqrt(np.pi) if rear else 0.0)
    fz = np.where(stance, shape * G * step_t[j] / (gct[j] * mean_shape), 0.0)
    fx = np.where(stance, -0.35 * G * np.sin(2 * np.pi * ph), 0.0)  # brake, then propel; net 0
    fy = np.where(stance, -sgn * 0.06 * G * np.sin(np.pi * ph), 0.0)
    # standing: gravity only. The gait's angular motion and the speed build up
    # over the first 2 s of running and die down over the last 2 s, so no
    # angle or rate jumps at the start or the end.
    t_end = ic[-1] + step_t[-1]
    ramp = np.clip(np.minimum(t - ic[0], t_end - t) / 2.0, 0, 1)
    fz = np.where(running, fz, G)

    # speed and heading
    heading = np.zeros(n)
    speed = speed_mps * pace_of(t) * ramp
    if turns == "track":
        # distance along the lap -> heading: straights of 84.39 m, bends of pi * 36.5 m
        dist = np.cumsum(speed) / _FI
        straight, bend = 84.39, np.pi * 36.5
        pos = np.mod(dist, 2 * (straight + bend))
        half = np.minimum(np.mod(pos, straight + bend), straight + bend)
        in_bend = np.clip((half - straight) / bend, 0, 1)  # 0..1 through this half lap's bend
        heading = 180.0 * (np.floor_divide(dist, straight + bend) + in_bend)
    elif turns:
        for tt, ang, dur in _turn_plan(rng, ic[0], t[-1]):
            heading += ang * np.clip((t - tt) / dur, 0, 1)
        heading += 4.0 * np.sin(2 * np.pi * np.maximum(t - ic[0], 0.0) / 97.0)  # gentle curves, from the start
    yaw_rate = np.gradient(np.radians(heading), 1 / _FI)
    # Turning (v dpsi/dt, to the left when turning left) and speeding up
    # (dv/dt) need horizontal force, which only the ground gives: it comes in
    # stance, shaped like the vertical force (fz / g averages 1 over a step);
    # in flight the body is in free fall.
    share = np.where(running, fz / G, 0.0)
    a_cent = speed * yaw_rate * share
    a_fwd = np.gradient(speed, 1 / _FI) * share

    # 3. pelvis attitude
    pulse = np.where(stance, np.sin(np.pi * np.minimum(ph / 0.8, 1.0)) ** 2, 0.0)
    obl = neutral + sgn * peak_drop[j] * pulse
    stride_ph = np.where(running, ((k[j] + u / step_t[j]) % 2) / 2, 0.0)  # 0..1 per stride from step 0
    # rotation: the pelvis turns toward the stance side... minimum (most turned to
    # the right) at a left IC when the first step is left; smooth cosine
    lead = 0.0 if first_left else 0.5
    rot = -rot_pp / 2 * np.cos(2 * np.pi * (stride_ph - lead)) * ramp
    tilt = 10.0 + tilt_range_deg / 2 * np.cos(2 * np.pi * (u / step_t[j] - 0.35)) * ramp
    # R_world_pelvis = Rz(heading + rotation) Rx(obliquity) Ry(tilt), as
    # quaternions: plain numpy over the 1000 Hz samples is ~5x faster than
    # scipy's Rotation (benchmarks/bench_simulate.py; test_simulate checks
    # each piece against scipy)
    q_wp = quat_from_euler_zxy(np.radians(heading + rot), np.radians(obl), np.radians(tilt))

    # 4. sensor: translational acceleration of the pelvis centre in world
    c, s = np.cos(np.radians(heading)), np.sin(np.radians(heading))
    # body acceleration (specific force minus gravity) in the heading frame
    ax_h, ay_h, az_h = fx + a_fwd, fy + a_cent, fz - G
    acc_c = np.column_stack([c * ax_h - s * ay_h, s * ax_h + c * ay_h, az_h])
    # lever arm: second derivative of R r
    lever = quat_rotate(q_wp, np.asarray(lever_arm_m, float))
    acc_lever = np.gradient(np.gradient(lever, 1 / _FI, axis=0), 1 / _FI, axis=0)
    f_world = acc_c + acc_lever + np.array([0.0, 0.0, G])
    q_ws = quat_mul(q_wp, np.roll(Rotation.from_matrix(m).as_quat(), 1))  # scipy's order is x, y, z, w
    f_sensor = quat_rotate(quat_conj(q_ws), f_world)
    # central difference: the rate at t, not half a millisecond ahead
    rel = quat_to_rotvec(quat_mul(quat_conj(q_ws[:-2]), q_ws[2:])) * (_FI / 2)
    gyr = np.degrees(np.vstack([rel[:1], rel, rel[-1:]]))
    # anti-alias low-pass and sampling with a random phase
    sos = signal.butter(2, min(0.4 * rate_hz, 400.0), fs=_FI, output="sos")
    f_sensor = signal.sosfiltfilt(sos, f_sensor, axis=0)
    gyr = signal.sosfiltfilt(sos, gyr, axis=0)
    t_out = np.arange(rng.uniform(0, 1 / rate_hz), t[-1], 1 / rate_hz)
    idx = np.minimum(np.round(t_out * _FI).astype(int), n - 1)
    acc_o, gyr_o = f_sensor[idx], gyr[idx]
    if noise:
        acc_o = acc_o * (1 + 0.01 * rng.uniform(-1, 1, 3)) + rng.uniform(-0.2, 0.2, 3) + rng.normal(0, 0.02, acc_o.shape)
        gyr_o = gyr_o * (1 + 0.01 * rng.uniform(-1, 1, 3)) + rng.uniform(-0.5, 0.5, 3) + rng.normal(0, 0.1, gyr_o.shape)
    t_rel = t_out - t_out[0]
    start = pd.Timestamp(start_time)
    imu = pd.DataFrame(
        {
            "elapsed_s": t_rel,
            "timestamp": start + pd.to_timedelta(t_rel, unit="s"),
            **{f"acc_{a}_mps2": acc_o[:, i] for i, a in enumerate("xyz")},
            **{f"gyr_{a}_dps": gyr_o[:, i] for i, a in enumerate("xyz")},
            "gap": np.zeros(len(t_out), bool),
        }
    )
    t0 = t_out[0]

    # truth
    stand_mask = t < ic[0] - 0.2  # before the first step the runner stands still
    if stand_mask.sum() >= 3 * _FI:
        neutral_true, source = float(obl[stand_mask].mean()), "standing"
    else:
        lic = np.flatnonzero(side == "L")
        lic = lic[lic + 2 < len(ic)]
        sel = lic[(ic[lic] - ic[0] >= 30) & (ic[lic] - ic[0] <= 210)]
        if len(sel) < 10:
            sel = lic
        spans = np.concatenate([np.arange(int(ic[i] * _FI), int(ic[i + 2] * _FI)) for i in sel])
        neutral_true, source = float(obl[spans].mean()), "running"
    drop, vo = np.empty(len(ic)), np.full(len(ic), np.nan)
    for i in range(len(ic)):
        a, b = int(np.ceil(ic[i] * _FI)), int(to[i] * _FI) + 1
        drop[i] = np.max((1.0 if side[i] == "L" else -1.0) * (obl[a:b] - neutral_true))
        if i + 1 < len(ic):
            # vertical oscillation: height over this step, double-integrated
            # from the vertical acceleration with the one initial velocity
            # that makes it periodic (back to its IC height at the next IC)
            z = np.cumsum(np.cumsum(az_h[a : int(ic[i + 1] * _FI)]) / _FI) / _FI
            z -= z[-1] * np.arange(1, len(z) + 1) / len(z)
            vo[i] = np.ptp(z) * 1000
    next_ic = np.concatenate([ic[1:], [np.nan]])
    steps = pd.DataFrame(
        {
            "ic_s": ic - t0,
            "to_s": to - t0,
            "side": side,
            "gct_ms": gct * 1000,
            "flight_ms": (next_ic - to) * 1000,
            "step_time_s": next_ic - ic,
            "cadence_spm": 60 / (next_ic - ic),
            "pelvic_drop_deg": drop,
            "vertical_oscillation_mm": vo,
        }
    )
    lic = np.flatnonzero(side == "L")
    lic = lic[lic + 2 < len(ic)]
    rows = []
    for i in lic:
        a, b = int(round(ic[i] * _FI)), int(round(ic[i + 2] * _FI)) + 1
        rows.append((ic[i] - t0, ic[i + 2] - t0, np.ptp(rot[a:b]), np.ptp(tilt[a:b]), np.ptp(obl[a:b])))
    strides = pd.DataFrame(
        rows, columns=["ic_s", "end_s", "pelvic_rotation_deg", "pelvic_tilt_range_deg", "pelvic_obliquity_range_deg"]
    )
    sig = pd.DataFrame({"elapsed_s": t - t0, "obliquity_deg": obl, "tilt_deg": tilt, "rotation_deg": rot,
                        "heading_deg": heading, "speed_mps": speed})
    if grade_of is not None:
        sig["grade_pct"] = grade_of(t)
        sig["altitude_m"] = np.cumsum(speed * sig["grade_pct"].to_numpy() / 100) / _FI
    sig = sig.iloc[idx].reset_index(drop=True)
    truth = Truth(steps, strides, m, neutral_true, source, sig)
    params = dict(
        duration_s=duration_s, rate_hz=rate_hz, seed=seed, standing_s=standing_s, speed_mps=speed_mps,
        cadence_spm=cadence_spm, gct_ms=gct_ms, drop_left_deg=dl, drop_right_deg=dr, drop_sd_deg=drop_sd_deg, rotation_deg=rot_pp,
        tilt_range_deg=tilt_range_deg, neutral_obliquity_deg=neutral, rearfoot=rear, turns=turns, noise=noise,
        lever_arm_m=lever_arm_m, fatigue=fatigue, wander=wander, pace=pace, course=course,
        max_grade_pct=max_grade_pct,
    )
    run = Run(path=None, format="simulated", imu=imu, imu_rate_hz=float(rate_hz), sport="running", simulated=True,
              start_time=start, warnings=["simulated by gaitlab.simulate (not a real recording)"])
    return SimulatedRun(run, truth, params)


#: How cadence (steps/min) and contact time (ms) change per m/s of speed.
_CADENCE_PER_MPS = SENSITIVITIES["cadence_spm"][0]
_GCT_PER_MPS = SENSITIVITIES["stance_time_ms"][0]
#: ... and per % of grade.
_CADENCE_PER_GRADE = SENSITIVITIES["cadence_spm"][1]
_GCT_PER_GRADE = SENSITIVITIES["stance_time_ms"][1]


def _hills(course: str, pace_of: Callable[[np.ndarray], np.ndarray], seed: int, speed_mps: float,
           max_grade_pct: float, t0: float, t_end: float):
    """``None`` on the flat; on hills ``(pace_of, grade_of)``: the speed factor
    with the course's effect and the grade (%) as functions of time (s)."""
    if course == "flat":
        return None
    grid = np.arange(t0, t_end + 1.0, 1.0)
    v_flat = speed_mps * pace_of(grid)
    if course == "hills":
        rng = np.random.default_rng([seed, 2])  # its own stream: the run's other draws stay as on the flat
        _, grade_f = course_profile("rolling", rng, max_grade_pct, float(np.sum(v_flat)) * 1.3 + 500.0)
    elif course == "climb":
        # flat, then from half the flat-run distance a steady climb, eased in over 100 m
        foot = 0.5 * float(np.sum(v_flat))

        def grade_f(d):
            return max_grade_pct * np.clip((np.asarray(d, float) - foot) / 100.0, 0.0, 1.0)
    else:
        raise ValueError(f"unknown course {course!r}: 'flat', 'hills' or 'climb'")
    v, _, grade = speed_on_course(v_flat, grade_f)
    factor = v / speed_mps
    return (lambda t: np.interp(t, grid, factor)), (lambda t: np.interp(t, grid, grade))


def _pace_plan(pace: str, t0: float, t_end: float) -> Callable[[np.ndarray], np.ndarray]:
    """Speed factor (1 = ``speed_mps``) as a function of time (s): ``"steady"``;
    ``"intervals"``: 10 min at the base speed, then up to 6 x (3 min at +25 %,
    2 min at -20 %), then -10 % to the end; changes take 6 s; ``"fade"``: the
    base speed for the first 40 % of ``t0``-``t_end``, then falling linearly
    to 0.85 of it at ``t_end``."""
    if pace == "steady":
        return lambda t: np.ones_like(np.asarray(t, float))
    if pace == "fade":
        knee = t0 + 0.4 * (t_end - t0)
        return lambda t: 1.0 - 0.15 * np.clip((np.asarray(t, float) - knee) / (t_end - knee), 0.0, 1.0)
    if pace != "intervals":
        raise ValueError(f"unknown pace {pace!r}: 'steady', 'intervals' or 'fade'")
    # a repetition (fast and easy) ends 2 min before the end: its fast block 4 min before
    segs = interval_segments(t0, t_end, fast_by_end_s=240.0)
    knots, levels = np.array([x[0] for x in segs]), np.array([x[3] for x in segs])

    def of(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, float)
        i = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(knots) - 1)
        prev = levels[np.maximum(i - 1, 0)]
        w = np.clip((t - knots[i]) / 6.0, 0, 1)
        return np.where(t < knots[0], levels[0], prev + (levels[i] - prev) * w)

    return of


def _slow_wander(rng: np.random.Generator, t: np.ndarray, k: int, tau_s: float = 180.0) -> np.ndarray:
    """(len(t), k) independent unit-SD AR(1) processes at the step times ``t`` (s):
    phi = exp(-dt / tau) for the median step interval dt (steps are near-even)."""
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    phi = np.exp(-dt / tau_s)
    e = rng.standard_normal((len(t), k)) * np.sqrt(1 - phi**2)
    zi = (phi * rng.standard_normal(k))[None, :]  # start in the stationary distribution
    return signal.lfilter([1.0], [1.0, -phi], e, axis=0, zi=zi)[0]


def _turn_plan(rng: np.random.Generator, t_start: float, t_end: float) -> list[tuple[float, float, float]]:
    """(start s, angle deg, duration s) of turns: one every ~2 minutes."""
    out = []
    tt = t_start + rng.uniform(40, 90)
    while tt < t_end - 10:
        ang = rng.choice([90.0, -90.0, 180.0, -180.0])
        out.append((tt, ang, abs(ang) / 90.0 * rng.uniform(3.0, 5.0)))
        tt += rng.uniform(60, 150)
    return out
