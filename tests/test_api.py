"""The pandas-first API takes what a notebook user has at hand (paths, a folder of
runs, Run objects) and says plainly when it is given something else."""

from __future__ import annotations

import shutil
import warnings

import pandas as pd
import pytest

import gaitlab
import gaitlab.report
from helpers import DATA, REAL, need_real

STRYD = DATA / "stryd-run.fit"


def test_analyze_takes_a_path():
    """It took only a Run before session 15 (a path raised AttributeError)."""
    path = DATA / "pelvis-simulated.csv.gz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_path = gaitlab.analyze(path).steps
        by_run = gaitlab.analyze(gaitlab.read(path)).steps
    pd.testing.assert_frame_equal(by_path, by_run)
    with pytest.raises(gaitlab.AnalysisError, match="running dynamics have a fatigue analysis: gaitlab.fatigue"):
        gaitlab.analyze(STRYD)


def test_form_endurance_takes_a_folder_or_one_file(tmp_path):
    """A string was iterated character by character before session 15:
    form_endurance("run.fit") read "/" as a run and failed on a folder it may
    not list. Now a file is one run and a folder its FIT and CSV files."""
    need_real()
    names = ["gc-fr920xt-run-rd-stryd.fit", "gc-stryd-recorded-run-hrv.fit", "sl-fr945-run-stryd.fit"]
    for name in names:
        shutil.copy(next(REAL.rglob(name)), tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = gaitlab.form_endurance(tmp_path)
        listed = gaitlab.form_endurance(sorted(tmp_path.glob("*.fit")))
        one = gaitlab.form_endurance(str(STRYD))
    pd.testing.assert_frame_equal(folder.runs, listed.runs)
    assert folder.trend == listed.trend and folder.trend["runs"] == 3
    assert one.runs["run"].tolist() == ["stryd-run.fit"] and one.runs["error"].isna().all()


@pytest.mark.parametrize(
    "call,name",
    [(gaitlab.read, "gaitlab.read"), (gaitlab.analyze, "gaitlab.analyze"), (gaitlab.fatigue, "gaitlab.fatigue"),
     (gaitlab.report.build_report, "a report")],
    ids=["read", "analyze", "fatigue", "report"],
)
def test_a_table_instead_of_a_run_is_a_type_error(call, name):
    """A DataFrame where a run goes raised AttributeError ('no attribute path')
    from deep inside before session 15."""
    with pytest.raises(TypeError, match=f"^{name} .*not DataFrame$"):
        call(pd.DataFrame({"acc_x_mps2": [0.0]}))


def test_an_empty_path_is_no_file():
    """Path("") is the current folder, which read() took for a phone export."""
    with pytest.raises(gaitlab.FileFormatError, match="an empty path names no file"):
        gaitlab.read("")


def test_notebook_display_is_a_line_and_the_tables():
    """In Jupyter, an Analysis, a Fatigue or a FormEndurance printed every
    DataFrame it holds (3,586 characters of dataclass repr for the bundled
    sample) before session 15. Now the repr is one line that says what
    matters, and the HTML display is that line and the tables."""
    from html.parser import HTMLParser

    sample = DATA / "pelvis-simulated.csv.gz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gaitlab.analyze(sample)
        fat = gaitlab.fatigue(res)
        end = gaitlab.form_endurance([sample, STRYD, DATA / "fenix5-run-running-dynamics.fit"])
    from gaitlab.fatigue import headline

    assert repr(fat) == (f"Fatigue({headline(fat)}; {len(fat.metrics)} metrics, {len(fat.cue_windows)} cue window"
                         f"{'s' if len(fat.cue_windows) != 1 else ''})")
    assert repr(res).startswith(f"Analysis('pelvis-simulated.csv.gz': {len(res.steps)} steps, {len(res.strides)} strides")
    assert repr(end).startswith(f"FormEndurance(3 runs, {end.trend['runs']} in the trend: {end.trend['direction']}")
    assert all("\n" not in repr(x) for x in (res, fat, end))

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.text: list[str] = []

        def handle_data(self, data):
            self.text.append(data.strip())

    for obj, names in ((fat, fat.metrics.index), (res, res.summary.index), (end, end.runs["run"])):
        parser = Cells()
        parser.feed(obj._repr_html_())
        assert set(map(str, names)) <= set(parser.text), (type(obj).__name__, set(map(str, names)) - set(parser.text))
    # a run that could not be analysed is named like the others, by its file name
    assert set(end.runs["run"]) == {"stryd-run.fit", "fenix5-run-running-dynamics.fit", "pelvis-simulated.csv.gz"}


def test_simulated_runs_sharing_the_default_start_are_not_one_run():
    """Simulated runs all start at the simulators' default time; they are
    different runs (their distances differ), not one run given three times,
    and with no calendar the trend says so."""
    from gaitlab.simulate_fit import simulate_fit_run

    runs = [simulate_fit_run(3600.0, seed).run for seed in (1, 2, 3)]
    assert len({r.start_time for r in runs}) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        end = gaitlab.form_endurance(runs)
    assert end.runs["error"].isna().all(), end.runs["error"].tolist()
    assert end.trend["runs"] == 3 and end.trend["direction"] == "all at one time"
