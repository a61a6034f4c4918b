"""Speed of the pelvis simulator's attitude algebra, against scipy's Rotation.

Not an issue target: the test suite simulates many pelvis runs of 40 minutes
at the simulator's internal 1000 Hz (2.4 million attitudes each), and scipy's
Rotation took most of each one's time. The simulator does the same algebra in numpy
quaternions (``gaitlab.frames.quat_mul`` and friends); this prints the
ratio for one 40-minute run's attitudes, both run here in the same process,
and the largest difference between the two (test_simulate checks each piece
against scipy too).

Run: ``python benchmarks/bench_simulate.py``
"""

from __future__ import annotations

import numpy as np
from bench_fatigue import best  # this folder is on the path of a script run from it
from scipy.spatial.transform import Rotation

from gaitlab.frames import quat_conj, quat_from_euler_zxy, quat_mul, quat_rotate, quat_to_rotvec
from gaitlab.simulate import _FI


def with_scipy(euler, m, lever, f_world):
    """simulate.py's attitude block as it was written with scipy (session 22)."""
    r_wp = Rotation.from_euler("ZXY", euler)
    lever_w = r_wp.apply(lever)
    r_ws = r_wp * Rotation.from_matrix(m)
    f_sensor = r_ws.inv().apply(f_world)
    rel = (r_ws[:-2].inv() * r_ws[2:]).as_rotvec() * (_FI / 2)
    return lever_w, f_sensor, rel


def with_numpy(euler, m, lever, f_world):
    """The same with gaitlab.frames' quaternions, as simulate.py does it."""
    q_wp = quat_from_euler_zxy(euler[:, 0], euler[:, 1], euler[:, 2])
    lever_w = quat_rotate(q_wp, lever)
    q_ws = quat_mul(q_wp, np.roll(Rotation.from_matrix(m).as_quat(), 1))
    f_sensor = quat_rotate(quat_conj(q_ws), f_world)
    rel = quat_to_rotvec(quat_mul(quat_conj(q_ws[:-2]), q_ws[2:])) * (_FI / 2)
    return lever_w, f_sensor, rel


def main() -> None:
    rng = np.random.default_rng(0)
    n = int(2400 * _FI)  # a 40-minute run
    t = np.arange(n) / _FI
    # heading with turns, a stride-periodic rotation, obliquity and tilt (rad)
    euler = np.column_stack([np.radians(90 * np.floor(t / 120) + 6 * np.sin(2 * np.pi * 1.43 * t)),
                             np.radians(5 * np.sin(2 * np.pi * 2.87 * t)),
                             np.radians(10 + 2.5 * np.cos(2 * np.pi * 2.87 * t))])
    m = Rotation.random(random_state=1).as_matrix()
    lever = np.array([-0.10, 0.0, 0.05])
    f_world = rng.normal(size=(n, 3)) * 5 + [0, 0, 9.81]
    t_scipy, ref = best(lambda: with_scipy(euler, m, lever, f_world))
    t_numpy, out = best(lambda: with_numpy(euler, m, lever, f_world))
    diff = max(float(np.abs(a - b).max()) for a, b in zip(out, ref))
    print(f"attitudes of a 40-min run at {_FI:.0f} Hz ({n:,}): scipy Rotation {t_scipy:.2f} s, "
          f"numpy quaternions {t_numpy:.2f} s: {t_scipy / t_numpy:.1f}x faster; largest difference {diff:.1e}")


if __name__ == "__main__":
    main()
