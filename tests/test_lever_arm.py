"""A sensor off the pelvis centre: its lever arm found and its accelerations moved.

Truth: the rigid-body relation written out here with analytic angular rates
(not through gaitlab's code), and :mod:`gaitlab.simulate`, whose sensor sits
at ``lever_arm_m`` from the pelvis centre and whose per-step truth is the
centre's. Before the lever arm was used (session 18), a sensor 15 cm to the
side of the hip gave step-time symmetry 5-19 points off, vertical oscillation
9-19 mm off on one side and contact time up to 34 ms long (the issue's target
is a bias within 10 ms); on the sacrum (10 cm behind, 5 cm up) the vertical
oscillation came out 7-12 mm short.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pytest

import gaitlab
from gaitlab import simulate
from gaitlab.metrics.pelvis import symmetry_pct
from gaitlab.signals.lever import LeverArm
from test_pelvis_accuracy import _match

#: Step-time symmetry error allowed, percentage points: a healthy runner's own
#: asymmetry is within a few percent, so an error as large would invent one.
SYMMETRY_PP = 3.0
#: Vertical oscillation error per side, mm (as the simulator's own, test_simulate.VO_TOL_MM).
VO_MM = 5.0

#: (seed, rate_hz, sensor position from the pelvis centre in the pelvis frame, m):
#: on a belt at the side of the hip, left and right, a little forward or back,
#: up or down; random mountings, standing or not.
HIP = [
    (31, 100.0, (0.0, 0.15, 0.0)),
    (32, 200.0, (0.0, -0.15, 0.0)),
    (33, 50.0, (0.08, 0.13, 0.0)),
    (34, 100.0, (-0.08, -0.13, 0.03)),
    (35, 400.0, (0.0, 0.17, -0.04)),
    (36, 100.0, (0.03, -0.16, 0.05)),
]


@lru_cache(maxsize=None)
def _hip(seed: int, rate_hz: float, lever: tuple[float, float, float]):
    sim = simulate.simulate_run(300.0, rate_hz, seed, lever_arm_m=lever, mounting="random",
                                standing_s=5.0 if seed % 2 else 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sim, gaitlab.analyze(sim.run)


def _matched(sim, res):
    """Truth and estimate rows of the steps found within 30 ms of a true initial contact."""
    i, j = _match(sim.truth.steps["ic_s"].to_numpy(), res.steps["t_s"].to_numpy())
    return sim.truth.steps.iloc[i].reset_index(drop=True), res.steps.iloc[j].reset_index(drop=True)


def _position_error(res, lever) -> tuple[float, float]:
    pos = np.asarray(res.info["lever_arm"]["pelvis_m"], float)
    return float(np.linalg.norm(pos - lever)), float(abs(pos[1] - lever[1]))


@pytest.mark.parametrize("case", HIP, ids=[f"seed{c[0]}" for c in HIP])
def test_a_sensor_on_the_side_of_the_hip(case):
    """The issue-3 targets hold with the sensor at the side, and left and right
    come out alike when the runner is symmetric."""
    sim, res = _hip(*case)
    truth, est = _matched(sim, res)
    assert len(truth) >= 0.99 * len(sim.truth.steps) and len(est) >= 0.99 * len(res.steps)
    assert (truth["side"] == est["side"]).mean() >= 0.99
    drop = (est["pelvic_drop_deg"] - truth["pelvic_drop_deg"]).to_numpy()
    assert np.sqrt(np.nanmean(drop**2)) <= 0.75 and abs(np.nanmean(drop)) <= 0.3
    assert res.info["lever_arm"]["used"]
    full, lateral = _position_error(res, case[2])
    assert full <= 0.05 and lateral <= 0.02, res.info["lever_arm"]

    def sym(df):
        g = df.groupby("side")["step_time_s"].median()
        return symmetry_pct(g["L"], g["R"])

    assert abs(sym(res.steps) - sym(sim.truth.steps)) <= SYMMETRY_PP, (sym(res.steps), sym(sim.truth.steps))
    for side in "LR":
        m = est["side"] == side
        vo = np.nanmedian(est.loc[m, "vertical_oscillation_mm"] - truth.loc[m, "vertical_oscillation_mm"])
        assert abs(vo) <= VO_MM, (side, vo)


def test_contact_time_at_the_side_of_the_hip():
    """``gct_ms`` |bias| <= 10 ms (the issue's target) on each side, over the runs above."""
    pairs = [_matched(*_hip(*c)) for c in HIP]
    for side in "LR":
        err = np.concatenate([(e["gct_ms"] - t["gct_ms"])[e["side"] == side].to_numpy() for t, e in pairs])
        assert abs(np.nanmean(err)) <= 10.0, (side, np.nanmean(err))


def _with_belt_wobble(sim, amp_g: float, f_hz: float = 15.0, tau_s: float = 0.06, seed: int = 0):
    """The run with the sensor bouncing on its belt after each initial contact:
    a damped oscillation (``amp_g``, ``f_hz``, time constant ``tau_s``) of the
    sensor against the pelvis, mostly vertical, in a random direction per step
    (not a rigid-body motion, so not in the lever-arm model)."""
    rng = np.random.default_rng(seed)
    imu = sim.run.imu.copy()
    t = imu["elapsed_s"].to_numpy()
    bounce = np.zeros((len(t), 3))
    for ic in sim.truth.steps["ic_s"].to_numpy():
        k = (t >= ic) & (t < ic + 6 * tau_s)
        dt = t[k] - ic
        d = rng.normal(size=3)
        d[2] = 2 * abs(d[2])
        bounce[k] += (amp_g * 9.80665 * np.exp(-dt / tau_s) * np.sin(2 * np.pi * f_hz * dt))[:, None] * (d / np.linalg.norm(d))
    acc = ["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]
    imu[acc] += bounce @ np.asarray(sim.truth.mounting)  # pelvis frame -> sensor frame (v_s = M^T v_p)
    return imu


def test_a_sensor_that_wobbles_on_its_belt():
    """The fit rests on the flights; a bounce of the sensor after each contact
    (up to 1.5 g, dying out over ~0.3 s) must not move it far, and the
    correction must still help at the side of the hip (measured: the fit moved
    2 mm; contact-time bias 11 ms against 23 ms without the correction)."""
    sim = simulate.simulate_run(300.0, 200.0, 5, lever_arm_m=(0.0, 0.15, 0.0), mounting="random")
    sim.run.imu = _with_belt_wobble(sim, 1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gaitlab.analyze(sim.run)
        raw = gaitlab.analyze(sim.run, lever=LeverArm(max_lever_m=0.0))  # the sensor's own accelerations
    assert res.info["lever_arm"]["used"] and _position_error(res, (0.0, 0.15, 0.0))[0] <= 0.03, res.info["lever_arm"]
    bias = [abs(np.nanmean(e["gct_ms"] - t["gct_ms"])) for t, e in (_matched(sim, res), _matched(sim, raw))]
    assert bias[0] <= 0.6 * bias[1], bias


def test_vertical_oscillation_on_the_sacrum():
    """The default simulated placement (10 cm behind the centre, 5 cm up):
    the per-step vertical oscillation is the centre's."""
    for seed, rate in [(2, 100.0), (7, 50.0), (8, 400.0)]:
        sim = simulate.simulate_run(300.0, rate, seed, mounting="random")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = gaitlab.analyze(sim.run)
        truth, est = _matched(sim, res)
        err = np.nanmedian(est["vertical_oscillation_mm"] - truth["vertical_oscillation_mm"])
        assert abs(err) <= VO_MM, (seed, err)
        assert _position_error(res, sim.params["lever_arm_m"])[0] <= 0.05, res.info["lever_arm"]


# ---------------------------------------------------------------- the fit itself, on the rigid-body relation


def _rigid_body(r_of_t, rate_hz=200.0, seconds=60.0, seed=0):
    """Angular rate of a few sinusoids (deg/s) and the specific force of a point
    at ``r_of_t(t)`` on a body whose centre is in free fall, with flights of
    0.1 s between stances of 0.25 s (the centre's stance force is made up)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    amp, f, ph = rng.uniform(0.5, 2.0, (3, 3)), rng.uniform(1.0, 4.0, (3, 3)), rng.uniform(0, 6.3, (3, 3))
    w = np.stack([(amp[k] * np.sin(2 * np.pi * f[k] * t[:, None] + ph[k])).sum(1) for k in range(3)], 1)
    alpha = np.stack([(amp[k] * 2 * np.pi * f[k] * np.cos(2 * np.pi * f[k] * t[:, None] + ph[k])).sum(1)
                      for k in range(3)], 1)
    r = r_of_t(t)
    acc = np.cross(alpha, r) + np.cross(w, np.cross(w, r))
    step = 0.35
    ic = np.arange(0.5, seconds - 0.5, step) * rate_hz
    to = ic + 0.25 * rate_hz
    stance = ((t[:, None] * rate_hz >= ic) & (t[:, None] * rate_hz <= to)).any(1)
    acc[stance] += rng.normal(0, 5.0, (stance.sum(), 3)) + [0, 0, 20.0]
    acc += rng.normal(0, 0.05, acc.shape)
    return acc, np.degrees(w), ic, to


def test_the_fit_finds_a_known_position_and_refuses_a_moving_one():
    r0 = np.array([-0.07, 0.12, 0.04])
    acc, gyr, ic, to = _rigid_body(lambda t: np.broadcast_to(r0, (len(t), 3)))
    fit = LeverArm().estimate([(acc, *LeverArm().rates(gyr, 200.0), ic, to)], 200.0)
    assert fit.used and np.linalg.norm(fit.r_m - r0) <= 0.005, fit
    assert fit.flight_s == pytest.approx((len(ic) - 1) * 0.06, rel=0.1)  # 0.1 s flights less 2 x 20 ms margins

    # a clip that slid from the sacrum to the side halfway through
    acc, gyr, ic, to = _rigid_body(lambda t: np.where((t < 30)[:, None], [-0.10, 0.0, 0.05], [0.0, 0.15, 0.0]))
    fit = LeverArm().estimate([(acc, *LeverArm().rates(gyr, 200.0), ic, to)], 200.0)
    assert not fit.used and "unstable" in fit.reason, fit

    acc, gyr, ic, to = _rigid_body(lambda t: np.broadcast_to([0.0, 0.5, 0.0], (len(t), 3)))
    fit = LeverArm().estimate([(acc, *LeverArm().rates(gyr, 200.0), ic, to)], 200.0)
    assert not fit.used and "implausible" in fit.reason, fit

    fit = LeverArm().estimate([(acc[:400], *LeverArm().rates(gyr[:400], 200.0), ic[:5], to[:5])], 200.0)
    assert not fit.used and "too little flight" in fit.reason, fit


def test_no_gyroscope_no_lever_arm():
    sim = simulate.simulate_run(120.0, 100.0, 3, lever_arm_m=(0.0, 0.15, 0.0))
    sim.run.imu = sim.run.imu.drop(columns=["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gaitlab.analyze(sim.run)
    assert res.info["lever_arm"] == {"pelvis_m": None, "used": False, "reason": "no gyroscope", "flight_s": None}
    assert any("may be swapped" in w for w in res.warnings), res.warnings


@pytest.mark.xfail(
    strict=True,
    reason="without a gyroscope the side rests on the sign of the lateral acceleration in stance, and on the "
    "simulator the pelvis' roll reverses it (gravity along the tilted lateral axis outweighs the push toward the "
    "midline): right on 3 of these 4 runs on the sacrum and 0 of 4 at either hip (5, 0 and 1 of 8 runs of 5 "
    "min), with a side confidence of 0.8-1.0 on most of the wrong ones (session 18). On the real left-hip "
    "recording (test_real_imu) a step is labelled left exactly when its impact is larger than its neighbours' "
    "(the near foot's) on 0.98 of steps, so the simulator's lateral forces may be what is off; the output warns "
    "that the sides may be swapped",
)
def test_sides_without_a_gyroscope():
    right = []
    for lever in [(-0.10, 0.0, 0.05), (0.0, 0.15, 0.0), (0.0, -0.15, 0.0)]:
        for seed in range(4):
            sim = simulate.simulate_run(180.0, 100.0, seed, lever_arm_m=lever, turns=False)
            sim.run.imu = sim.run.imu.drop(columns=["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                truth, est = _matched(sim, gaitlab.analyze(sim.run))
            right.append((truth["side"] == est["side"]).mean() >= 0.99)
    assert np.mean(right) >= 0.99, right
