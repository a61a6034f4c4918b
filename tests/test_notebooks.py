"""Every notebook's code cells run top to bottom on the bundled data."""

from __future__ import annotations

import json
import os
from functools import lru_cache
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


def _check_pelvis(scope: dict) -> None:
    # the bundled sample is the documented simulation (test_bundled_sample): its per-step truth
    from test_bundled_sample import bundled_simulation

    sim = bundled_simulation()
    truth = sim.truth.steps.assign(minute=(sim.truth.steps["ic_s"] // 60).astype(int))
    want = truth.pivot_table(index="minute", columns="side", values="pelvic_drop_deg", aggfunc="median")
    got = scope["per_minute"]
    both = want.index.intersection(got.index)
    assert len(both) >= 24
    err = (got.loc[both] - want.loc[both]).abs()
    assert (err.mean() <= 0.3).all() and (err.max() <= 0.75).all(), err.describe()
    lever = scope["res"].info["lever_arm"]
    assert lever["used"] and np.linalg.norm(np.subtract(lever["pelvis_m"], sim.params["lever_arm_m"])) <= 0.05


#: What each notebook must have found, against independent truth.
CHECKS = {"01-read-a-fit-file.ipynb": _check_read, "02-fatigue-and-form-endurance.ipynb": _check_fatigue,
          "03-pelvic-drop-step-by-step.ipynb": _check_pelvis}


def test_every_notebook_is_checked():
    assert {p.name for p in NOTEBOOKS} == set(CHECKS)


@lru_cache(maxsize=None)
def _run(path: Path) -> dict:
    """The notebook's code cells run top to bottom in its own folder; their scope."""
    matplotlib.use("Agg")
    scope: dict = {}
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                exec(compile(src, f"{path.name}", "exec"), scope)
    finally:
        os.chdir(here)
    return scope


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    CHECKS[path.name](_run(path))


@pytest.mark.xfail(
    strict=True,
    reason="the check this notebook had until session 11: each simulated onset within 2 min. With the FIT "
    "simulator's noise calibrated on real watches they come out +2.1, +1.6, +0.6, -0.6 and +2.9 min (80 % of "
    "single onsets are within 2.6 min over 300 runs; issue 4 note, session 11)",
)
def test_fatigue_notebook_onsets_each_within_2_min():
    runs = _run(next(p for p in NOTEBOOKS if p.name.startswith("02-")))["endurance"].runs
    assert all(abs(a - b) <= 2 for a, b in zip(runs["onset_min"][:5], [20, 23, 26, 29, 32])), list(runs["onset_min"])
