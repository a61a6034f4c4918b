"""gaitlab.read against fitparse on the largest real FIT file, in one process.

Prints the speed ratio (the issue's target: >= 30x). Times are best-of-N wall
clock, so the ratio holds on a noisy shared machine where absolute times drift.

    python benchmarks/bench_fit_read.py [FILE] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import fitparse

import gaitlab

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared/data/real/fitparse-tests/activity-large-fenxi2-multisport.fit"
)


def fitparse_records(path: Path) -> int:
    """Iterate every record with fitparse, reading each field's value (the usual use)."""
    n = 0
    for msg in fitparse.FitFile(str(path), check_crc=False).get_messages("record"):
        {f.name: f.value for f in msg.fields}
        n += 1
    return n


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    gaitlab.read(args.file)  # warm imports and caches
    t_gl, run = best(lambda: gaitlab.read(args.file), args.repeat)
    t_fp, n_fp = best(lambda: fitparse_records(args.file), max(1, args.repeat // 2))
    print(f"file      {args.file.name} ({args.file.stat().st_size / 1e6:.2f} MB)")
    print(f"fitparse  {t_fp:8.3f} s  {n_fp} records (iterate records, read values)")
    print(f"gaitlab   {t_gl:8.3f} s  {len(run.records)} records (read -> Run with canonical tables)")
    print(f"ratio     {t_fp / t_gl:8.1f}x faster than fitparse (target >= 30x)")


if __name__ == "__main__":
    main()
