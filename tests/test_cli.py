"""The installed ``gaitlab`` command on the bundled real runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import DATA, fitparse_records
from helpers import run_gaitlab as _gaitlab


def test_info_text_on_bundled_run():
    proc = _gaitlab("info", str(DATA / "stryd-run.fit"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "running" in out and "stance_time_ms" in out and "leg_spring_stiffness_kn_m" in out
    assert "Stryd" in out  # the developer-field source is named


def test_info_json_matches_the_file():
    path = DATA / "fr920xt-triathlon-running-dynamics.fit"
    proc = _gaitlab("info", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)
    recs, _ = fitparse_records(path)
    assert s["records"] == len(recs)
    assert s["sports"] == ["swimming", "transition", "cycling", "transition", "running"]
    assert s["device"]["product"] == "fr920xt"
    assert "stance_time_balance_left_pct" in s["form_metrics"]
    # every record's own first and last timestamps bound the duration
    first, last = recs[0]["timestamp"], recs[-1]["timestamp"]
    assert s["duration_s"] == pytest.approx((last - first).total_seconds())


def test_info_says_when_data_are_simulated():
    """The bundled pelvis recording is the simulator's (its CSV says so above the
    header); a watch's file is not."""
    sim = _gaitlab("info", str(DATA / "pelvis-simulated.csv.gz"))
    real = _gaitlab("info", str(DATA / "stryd-run.fit"), "--json")
    assert sim.returncode == 0 and real.returncode == 0, sim.stderr + real.stderr
    assert "simulated" in sim.stdout.splitlines()[1], sim.stdout
    assert json.loads(real.stdout)["simulated"] is False


def test_version():
    proc = _gaitlab("--version")
    assert proc.returncode == 0 and "gaitlab" in proc.stdout


def test_info_and_read_start_without_the_analysis_stack():
    """``gaitlab info`` and ``gaitlab.read`` need neither scipy.signal nor
    matplotlib: they load with the command that uses them (``gaitlab info``
    took 1.8 s before session 16, 1.2 s of it importing scipy.signal through
    the simulators; 0.55 s now). Names of the lazy layers still resolve."""
    code = (
        "import sys, gaitlab, gaitlab.cli\n"
        "run = gaitlab.read(sys.argv[1])\n"
        "print(sorted(m for m in ('scipy.signal', 'matplotlib', 'gaitlab.metrics', 'gaitlab.fatigue') if m in sys.modules))\n"
        "print(gaitlab.analyze.__module__, gaitlab.fatigue.__module__, gaitlab.simulate.__name__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(DATA / "fenix5-run-running-dynamics.fit")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded, names = proc.stdout.splitlines()
    assert loaded == "[]"
    assert names == "gaitlab.metrics.pipeline gaitlab.fatigue.analysis gaitlab.simulate"
