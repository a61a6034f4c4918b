"""Test helpers: the real files in ../shared/data/real and peer decoders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
DATA = ROOT / "data"


def real_fit_files() -> list[Path]:
    if not REAL.is_dir():
        return []
    return sorted(p for p in REAL.rglob("*") if p.suffix.lower() == ".fit")


def run_gaitlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The installed ``gaitlab`` command (else ``python -m gaitlab.cli``) with ``args``."""
    exe = shutil.which("gaitlab")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "gaitlab.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)


def need_real() -> None:
    """Skip without the shared data, but fail in CI, where it must be there."""
    if not REAL.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the shared data at {REAL}")
        pytest.skip(f"real data not found at {REAL}")


@lru_cache(maxsize=None)
def fitparse_records(path: Path) -> tuple[list[dict], str | None]:
    """Records as fitparse reads them lazily (the design's reference), and its error."""
    import fitparse

    out: list[dict] = []
    error = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ff = fitparse.FitFile(str(path), check_crc=False)
            for m in ff.get_messages("record"):
                out.append({f.name: f.value for f in m.fields})
        except Exception as exc:  # fitparse stops where it cannot go on
            error = f"{type(exc).__name__}: {exc}"
    return out, error


def without_short_stretches(t: list[float], running: list[bool], min_s: float = 10.0) -> list[bool]:
    """``running`` without its stretches of consecutive running records that
    last under ``min_s``: from their first record to the next record (to
    their last + 1 s at the end of a 1-Hz recording), record by record."""
    out = list(running)
    stretch: list[int] = []
    for i, run in enumerate(list(running) + [False]):
        if run:
            stretch.append(i)
            continue
        if stretch:
            stop = t[i] if i < len(t) else t[-1] + 1
            if stop - t[stretch[0]] < min_s:
                for j in stretch:
                    out[j] = False
            stretch = []
    return out


@lru_cache(maxsize=None)
def sdk_record_count(path: Path) -> int:
    """Records garmin-fit-sdk (Garmin's own decoder) reads, CRC check off."""
    from garmin_fit_sdk import Decoder, Stream

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            stream = Stream.from_byte_array(bytearray(path.read_bytes()))
            messages, _errors = Decoder(stream).read(
                enable_crc_check=False, expand_components=True, merge_heart_rates=False
            )
        except Exception:
            return 0
    return len(messages.get("record_mesgs", []))
