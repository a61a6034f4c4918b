"""Speed of the fatigue analysis: what it adds on top of reading a long run.

Target (issue 4): the fatigue analysis of a 3-hour run adds <= 0.5 s. Shown
on (1) the longest real FIT run with running dynamics in ../shared/data/real
(5 h 40 min, Suunto), as a ratio against reading that file with gaitlab.read
in the same process, with a simulated 3-hour run with Garmin running dynamics
(7 metrics; the Suunto file has cadence only) against the same read, and
(2) a 3-hour pelvis IMU analysis (a simulated
20-minute run's steps, strides and signals repeated to 3 hours), as a ratio against
gaitlab.analyze of the 20 minutes it came from.

Run: ``python benchmarks/bench_fatigue.py``
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import gaitlab
from gaitlab import simulate
from gaitlab.simulate_fit import simulate_fit_run

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def best(fn, repeat: int = 3) -> tuple[float, object]:
    out, t_best = None, float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best, out


def main() -> None:
    warnings.simplefilter("ignore")
    fit = next(iter(sorted(REAL.rglob("sl-suunto-run-5h40.fit"))), None) if REAL.is_dir() else None
    if fit:
        t_read, run = best(lambda: gaitlab.read(fit))
        t_fat, f = best(lambda: gaitlab.fatigue(run))
        print(f"FIT {fit.name}: {run.duration_s / 3600:.1f} h, {len(run.records)} records")
        print(f"  fatigue {t_fat:.3f} s; gaitlab.read {t_read:.3f} s; ratio fatigue / read {t_fat / t_read:.2f}"
              f"  (target: fatigue <= 0.5 s for 3 h)")
        # that file has cadence only; a 3-hour hilly run with Garmin running dynamics (7 metrics)
        rd = simulate_fit_run(3 * 3600.0, 3, profile="hills", device="garmin").run
        t_rd, _ = best(lambda: gaitlab.fatigue(rd))
        print(f"simulated 3 h Garmin running dynamics ({len(rd.form_metrics())} metrics): fatigue {t_rd:.3f} s; "
              f"ratio against reading the 5.7 h file {t_rd / t_read:.2f}")
    else:
        print("shared data not found; FIT part skipped")
    sim = simulate.simulate_run(duration_s=1200.0, rate_hz=100.0, seed=5, mounting="random",
                                fatigue={"onset_s": 700.0, "drop_left_per_min": 0.1})
    t_an, a = best(lambda: gaitlab.analyze(sim.run), repeat=1)
    reps = int(np.ceil(3 * 3600 / 1200))
    steps = pd.concat([a.steps.assign(t_s=a.steps["t_s"] + 1200 * k) for k in range(reps)], ignore_index=True)
    strides = pd.concat([a.strides.assign(t_s=a.strides["t_s"] + 1200 * k) for k in range(reps)], ignore_index=True)
    sig = pd.concat([a.signals.assign(elapsed_s=a.signals["elapsed_s"] + 1200 * k) for k in range(reps)],
                    ignore_index=True)
    long = replace(a, steps=steps, strides=strides, signals=sig)
    t_fat, f = best(lambda: gaitlab.fatigue(long))
    print(f"pelvis IMU: {len(steps)} steps over {steps['t_s'].max() / 3600:.1f} h")
    print(f"  fatigue {t_fat:.3f} s; gaitlab.analyze of the 20 min {t_an:.3f} s; ratio {t_fat / t_an:.2f}"
          f"  (target: fatigue <= 0.5 s for 3 h)")


if __name__ == "__main__":
    main()
