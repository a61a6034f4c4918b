"""Speed of ``gaitlab report``: a one-hour run, file to HTML, end to end from the CLI.

Target (issue 5): <= 5 s each for (1) a one-hour FIT run with running dynamics
(the bundled 57-min Stryd run, and the 70-min Stryd-recorded run from
../shared/data/real when present) and (2) one hour of 200 Hz 6-axis pelvis
IMU data as CSV (simulated, as in bench_pelvis.py). Timed as the user runs it:
a fresh ``gaitlab report`` process, interpreter start and imports included.
The machine is shared and noisy, so each time is also shown as a ratio
against a peer run the same way: ``gaitlab analyze`` of the same file (read,
per-step analysis, fatigue; no figures, no HTML).

Run: ``python benchmarks/bench_report.py [--minutes 60] [--rate 200] [--repeat 3] [--pdf]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
IMU_COLS = ["elapsed_s", "acc_x_mps2", "acc_y_mps2", "acc_z_mps2", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]


def _cmd(*args: str) -> list[str]:
    exe = shutil.which("gaitlab", path=str(Path(sys.executable).parent)) or shutil.which("gaitlab")
    return [exe, *args] if exe else [sys.executable, "-m", "gaitlab.cli", *args]


def _best(args: list[str], repeat: int) -> float:
    """Fastest wall time (s) of ``gaitlab ARGS`` over ``repeat`` fresh processes."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(_cmd(*args), capture_output=True, text=True)
        dt = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(f"gaitlab {' '.join(args)} failed:\n{proc.stderr}")
        best = min(best, dt)
    return best


def bench(label: str, path: Path, out: Path, repeat: int, pdf: bool) -> None:
    args = ["report", str(path), "-o", str(out / f"{path.stem}-report.html"), "--quiet", *(["--pdf"] if pdf else [])]
    t_report = _best(args, repeat)
    t_peer = _best(["analyze", str(path)], repeat)
    size = (out / f"{path.stem}-report.html").stat().st_size / 1e3
    print(f"{label}: gaitlab report {t_report:.2f} s (HTML {size:.0f} kB{', + PDF' if pdf else ''}); "
          f"peer gaitlab analyze {t_peer:.2f} s; ratio report / analyze {t_report / t_peer:.2f}"
          f"  (target: <= 5 s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pdf", action="store_true", help="also write the PDF")
    args = ap.parse_args()

    from gaitlab import simulate

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        fits = [("FIT stryd-run.fit (57 min, Stryd running dynamics)", ROOT / "data" / "stryd-run.fit")]
        real = REAL / "fit-stryd" / "gc-stryd-recorded-run-hrv.fit"
        if real.exists():
            fits.append(("FIT gc-stryd-recorded-run-hrv.fit (71 min, Stryd)", real))
        for label, path in fits:
            bench(label, path, out, args.repeat, args.pdf)

        csv = out / "pelvis-1h.csv"
        t = time.perf_counter()
        sim = simulate.simulate_run(duration_s=args.minutes * 60, rate_hz=args.rate, seed=0, mounting="random",
                                    fatigue={"onset_s": args.minutes * 60 * 0.6, "drop_left_per_min": 0.1})
        sim.run.imu[IMU_COLS].to_csv(csv, index=False, float_format="%.5f")
        print(f"simulated {len(sim.run.imu):,} samples in {time.perf_counter() - t:.1f} s; "
              f"CSV {csv.stat().st_size / 1e6:.0f} MB")
        del sim
        bench(f"IMU CSV {args.minutes:g} min at {args.rate:g} Hz", csv, out, args.repeat, args.pdf)


if __name__ == "__main__":
    main()
