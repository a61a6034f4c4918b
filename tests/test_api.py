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
    # each run's climb beside its form endurance: the watch's own total, as fitparse reads it
    import fitparse

    for name, ascent in folder.runs.set_index("run")["ascent_m"].items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            totals = [m.get_value("total_ascent") for m in fitparse.FitFile(str(tmp_path / name)).get_messages("session")]
        assert totals and ascent == pytest.approx(sum(totals)), (name, ascent, totals)


def test_a_folder_of_runs_holds_imu_exports_saved_as_text_but_not_notes(tmp_path):
    """An IMU export named .txt or .tsv (Xsens MT Manager writes tab-separated
    .txt) is a run gaitlab reads, but a folder given to form_endurance left
    it out before session 17 (its list of run names lacked them), while a
    notes.txt, or a table of run summaries, beside the runs must stay out. A
    report is refused those names too, as it is .fit and .csv: it would pass
    for run data."""
    import gzip
    import hashlib

    csv_gz = DATA / "pelvis-simulated.csv.gz"
    with gzip.open(csv_gz, "rt") as fh:
        comment, table = fh.readline(), fh.read()
    (tmp_path / "pelvis.txt").write_text(comment + table.replace(",", "\t"))  # tab-separated, like Xsens
    with gzip.open(tmp_path / "pelvis-2.tsv.gz", "wt") as fh:
        fh.write(comment + table.replace(",", "\t"))
    shutil.copy(STRYD, tmp_path / STRYD.name)
    (tmp_path / "notes.txt").write_text("Easy run, felt good\nwindy on the way back, 12 C\n")
    (tmp_path / "todo.tsv").write_text("date\tplan\nmonday\tintervals\n")
    # a table of run summaries, as `gaitlab endurance --csv` writes: numbers, but no sensor samples
    (tmp_path / "endurance.csv").write_text("run,start_time,duration_min,onset_min,held_min\n"
                                            "a.fit,2026-05-01 07:00,45.0,14.2,14.2\nb.fit,2026-05-08 07:00,45.0,,45.0\n")
    assert [p.name for p in gaitlab.io.runs_in(tmp_path)] == ["pelvis-2.tsv.gz", "pelvis.txt", "stryd-run.fit"]
    raw = tmp_path / "raw"  # samples without a header (read with rate_hz) are a run too
    raw.mkdir()
    (raw / "imu.csv").write_text(table.split("\n", 1)[1][:5000].rsplit("\n", 1)[0] + "\n")
    assert gaitlab.io.runs_in(raw) == [raw / "imu.csv"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table_runs = gaitlab.form_endurance(tmp_path).runs.set_index("run")
        truth = gaitlab.fatigue(csv_gz)  # the same samples, read from the .csv.gz
    assert sorted(table_runs.index) == ["pelvis-2.tsv.gz", "pelvis.txt", "stryd-run.fit"]  # table: by date
    assert table_runs["error"].isna().all(), table_runs["error"]
    for name in ("pelvis.txt", "pelvis-2.tsv.gz"):
        assert table_runs.loc[name, "onset_min"] == pytest.approx(truth.onset_s / 60, abs=1e-9)
    # the simulated onset is 12 min (the file's comment): the export is the run, not just a table
    assert abs(truth.onset_s - 720.0) <= 120
    before = hashlib.sha256((tmp_path / "pelvis.txt").read_bytes()).hexdigest()
    for out in ("report.txt", "report.tsv"):
        with pytest.raises(gaitlab.GaitlabError, match=r"name of run data \(\.t[xs][tv]\)"):
            gaitlab.report.write_report(tmp_path / "pelvis.txt", tmp_path / out)
    assert hashlib.sha256((tmp_path / "pelvis.txt").read_bytes()).hexdigest() == before


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
