"""Speed of the pelvis pipeline: one hour of 200 Hz 6-axis data, CSV file to ``.steps``.

Target (issue 3): <= 3 s and <= 1.5 GB peak memory on the 2-core machine, CSV
parsing included. The machine is shared and noisy, so the time is also shown as
a ratio against a peer run in the same process: ``pandas.read_csv`` (default
engine) of the same file, the floor any CSV-based tool pays.

Run: ``python benchmarks/bench_pelvis.py [--minutes 60] [--rate 200]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import sys, time, warnings
import gaitlab
analyze = gaitlab.analyze  # the analysis layers load on first use: before the clock, as in 'import gaitlab' until session 16
warnings.simplefilter("ignore")
t = time.perf_counter()
run = gaitlab.read(sys.argv[1])
t_read = time.perf_counter() - t
steps = analyze(run).steps
total = time.perf_counter() - t
# peak RSS of this process image (VmHWM); ru_maxrss would carry the parent's over fork/exec
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
import pandas as pd  # the peer, same process, after gaitlab's peak memory was taken
t = time.perf_counter()
pd.read_csv(sys.argv[1])
peer = time.perf_counter() - t
print(f"{total:.3f} {t_read:.3f} {len(steps)} {rss:.0f} {peer:.3f}")
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from gaitlab import simulate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pelvis.csv"
        t = time.perf_counter()
        sim = simulate.simulate_run(duration_s=args.minutes * 60, rate_hz=args.rate, seed=0, mounting="random")
        cols = ["elapsed_s", "acc_x_mps2", "acc_y_mps2", "acc_z_mps2", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]
        sim.run.imu[cols].to_csv(path, index=False, float_format="%.5f")
        print(f"simulated {len(sim.run.imu):,} samples in {time.perf_counter() - t:.1f} s; "
              f"CSV {path.stat().st_size / 1e6:.0f} MB")
        best, best_read, best_peer, rss, n = float("inf"), 0.0, float("inf"), 0.0, 0
        for _ in range(args.repeat):
            # a fresh process each time, so the peak memory is gaitlab's own
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
            total, t_read, n, r, peer = out.stdout.split()
            if float(total) < best:
                best, best_read = float(total), float(t_read)
            best_peer = min(best_peer, float(peer))
            rss = max(rss, float(r))
        print(f"gaitlab CSV -> steps: {best:.2f} s (read {best_read:.2f} s), {n} steps, peak RSS {rss:.0f} MB")
        print(f"peer pandas.read_csv alone: {best_peer:.2f} s")
        print(f"ratio gaitlab / read_csv: {best / best_peer:.2f}  (target: <= 3 s and <= 1536 MB)")


if __name__ == "__main__":
    main()
