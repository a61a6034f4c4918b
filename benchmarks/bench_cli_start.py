"""Start-up of ``gaitlab info`` on a small FIT file against a Python that only imports pandas.

Both run as fresh processes from this script, alternately, best of N, so the
ratio holds on a noisy machine. pandas is the floor: ``gaitlab info`` needs it
to build the run's tables. Before session 16 ``gaitlab info`` imported
scipy.signal through the simulators (1.8 s in all); the analysis layers now load
with the commands that use them.

    python benchmarks/bench_cli_start.py [--repeat N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "fenix5-run-running-dynamics.fit"


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    info = [sys.executable, "-m", "gaitlab.cli", "info", str(SAMPLE)]
    floor = [sys.executable, "-c", "import pandas"]
    t_info, t_floor = [], []
    for _ in range(args.repeat):
        t_info.append(wall(info))
        t_floor.append(wall(floor))
    a, b = min(t_info), min(t_floor)
    print(f"gaitlab info {SAMPLE.name}: {a:.2f} s; python -c 'import pandas': {b:.2f} s; ratio {a / b:.1f}x")


if __name__ == "__main__":
    main()
