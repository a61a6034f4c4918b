"""Every notebook's code cells run top to bottom on the bundled data."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _check_read(scope: dict) -> None:
    assert scope["leg"].sport == "running" and len(scope["leg"].records) > 100


def _check_fatigue(scope: dict) -> None:
    # the bundled sample's truth (data/README.md): onset at 12 min
    assert abs(scope["f"].onset_s - 720.0) <= 120
    # the simulated block: true onsets 20-32 min, then one run that held
    runs = scope["endurance"].runs
    assert list(runs["censored"]) == [False] * 5 + [True]
    truth = [20, 23, 26, 29, 32]
    assert all(abs(a - b) <= 2 for a, b in zip(runs["onset_min"][:5], truth)), list(runs["onset_min"])
    assert scope["endurance"].trend["direction"] == "later"


#: What each notebook must have found, against independent truth.
CHECKS = {"01-read-a-fit-file.ipynb": _check_read, "02-fatigue-and-form-endurance.ipynb": _check_fatigue}


def test_every_notebook_is_checked():
    assert {p.name for p in NOTEBOOKS} == set(CHECKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(path.parent)
    scope: dict = {}
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            exec(compile(src, f"{path.name}", "exec"), scope)
    CHECKS[path.name](scope)
