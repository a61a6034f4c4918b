"""Every notebook's code cells run top to bottom on the bundled data."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _check_read(scope: dict) -> None:
    assert scope["leg"].sport == "running" and len(scope["leg"].records) > 100


def _check_fatigue(scope: dict) -> None:
    # the bundled sample's truth (data/README.md): onset at 12 min
    assert abs(scope["f"].onset_s - 720.0) <= 120
    # the simulated block: true onsets 20-32 min, then one run that held. One
    # run's onset is uncertain by minutes with a watch's realistic noise (80 %
    # within -2.6 to +2.6 min over 300 simulated runs, test_fatigue), so each
    # truth must be inside its run's 95 % interval and the errors average under 2 min
    runs = scope["endurance"].runs
    assert list(runs["censored"]) == [False] * 5 + [True]
    truth = np.array([20, 23, 26, 29, 32])
    fat = runs.iloc[:5]
    assert ((fat["onset_lo_min"] <= truth) & (truth <= fat["onset_hi_min"])).all(), fat
    assert np.mean(np.abs(fat["onset_min"] - truth)) <= 2.0, list(runs["onset_min"])
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
