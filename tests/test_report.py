"""``gaitlab report``: the per-run form report (issue 5), end to end through the CLI.

Inputs are real FIT files (the bundled ones and ../shared/data/real) and
simulated pelvis runs written as CSV; the HTML is parsed with the standard
library and checked against independent truth: fitparse's reading of the FIT
distance, the simulator's per-step pelvic drop and fatigue onset, and the
fatigue analysis computed apart from the report.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import re
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import gaitlab
from gaitlab import simulate
from gaitlab.errors import AnalysisError
from gaitlab.report import SECTIONS, build_report, build_figures, render_html
from gaitlab.run import ASCENT_HYSTERESIS_M, climbs
from helpers import DATA, REAL, fitparse_records, need_real, real_fit_files
from helpers import run_gaitlab as _gaitlab

IMU_COLS = ["elapsed_s", "acc_x_mps2", "acc_y_mps2", "acc_z_mps2", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]
ONSET_S, DROP_LEFT_DEG, DRIFT_DEG_PER_MIN, SIM_S = 420.0, 4.0, 0.5, 840.0
SECTION_IDS = [sid for sid, _ in SECTIONS]
SECTION_TITLES = ["Run", "Fatigue", "Form over time", "Left against right", "Pelvic rotation",
                  "What could not be computed, and why", "Glossary"]


class Page(HTMLParser):
    """What a test needs from a report: sections, figures, links, tables, texts by id."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, str]] = {}
        self.figures: dict[str, int] = {}       # figure id -> number of SVG paths in it
        self.figure_text: dict[str, list[str]] = {}  # figure id -> the SVG's text comments
        self.urls: list[str] = []               # every src / href / xlink:href value
        self.tags: set[str] = set()
        self.rows: dict[str, list[dict[str, str]]] = {}  # table id -> its rows' attributes and cells
        self.ids: dict[str, str] = {}           # element id -> its text
        self._stack: list[tuple[str, str | None]] = []
        self._figure: str | None = None
        self._table: str | None = None
        self._row: dict | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        for k in ("src", "href", "xlink:href", "data"):
            if k in a and a[k]:
                self.urls.append(a[k])
        if tag == "section":
            self.sections[a["id"]] = a
        if tag == "figure":
            self._figure = a.get("id")
            self.figures[self._figure] = 0
            self.figure_text[self._figure] = []
        if tag == "path" and self._figure:
            self.figures[self._figure] += 1
        if tag == "table":
            self._table = a.get("id")
            self.rows.setdefault(self._table, [])
        if tag == "tr" and self._table:
            self._row = {**a, "cells": []}
        if tag in ("td", "th") and self._row is not None:
            self._row["cells"].append("")
        if tag not in ("path", "use", "br", "meta", "img", "stop"):
            self._stack.append((tag, a.get("id")))
            if a.get("id"):
                self.ids.setdefault(a["id"], "")

    def handle_endtag(self, tag):
        if tag == "figure":
            self._figure = None
        if tag == "table":
            self._table = None
        if tag == "tr" and self._row is not None and self._table:
            self.rows[self._table].append(self._row)
            self._row = None
        while self._stack:
            t, _ = self._stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, i in self._stack:
            if i:
                self.ids[i] = self.ids.get(i, "") + data
        if self._row is not None and self._row["cells"]:
            self._row["cells"][-1] += data.strip()

    def handle_comment(self, data):
        if self._figure:  # matplotlib writes each text of an SVG figure as a comment beside its outlines
            self.figure_text[self._figure].append(data.strip())

    def text(self, element_id: str) -> str:
        return " ".join(self.ids.get(element_id, "").split())


# ---------------------------------------------------------------- fixtures
def _write_csv(sim, path: Path) -> Path:
    sim.run.imu[IMU_COLS].to_csv(path, index=False, float_format="%.5f")
    return path


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    """A 14-min pelvis run whose left-stance drop rises after 7 min, and a 4-min one (too short for fatigue)."""
    d = tmp_path_factory.mktemp("sims")
    long = simulate.simulate_run(duration_s=SIM_S, rate_hz=100, seed=21, mounting="random", turns=False,
                                 drop_left_deg=DROP_LEFT_DEG, drop_right_deg=4.5,
                                 fatigue={"onset_s": ONSET_S, "drop_left_per_min": DRIFT_DEG_PER_MIN})
    short = simulate.simulate_run(duration_s=240, rate_hz=100, seed=4, mounting="random")
    return {"long": (long, _write_csv(long, d / "pelvis-fatigued.csv")),
            "short": (short, _write_csv(short, d / "pelvis-short.csv"))}


@pytest.fixture(scope="module")
def cli_run(sims, tmp_path_factory):
    """One ``gaitlab report --pdf`` over every kind of input, in an empty working folder (default names)."""
    d = tmp_path_factory.mktemp("inputs")
    gz = d / "stryd-run.fit.gz"
    gz.write_bytes(gzip.compress((DATA / "stryd-run.fit").read_bytes()))
    tri = DATA / "fr920xt-triathlon-running-dynamics.fit"
    inputs = [gz, tri, sims["long"][1], sims["short"][1]]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs}
    out = tmp_path_factory.mktemp("cwd")
    proc = _gaitlab("report", *map(str, inputs), "--pdf", cwd=out)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs}
    return proc, out, before, after


@pytest.fixture(scope="module")
def pages(cli_run):
    _, out, _, _ = cli_run
    names = {"stryd": "stryd-run", "tri": "fr920xt-triathlon-running-dynamics",
             "imu": "pelvis-fatigued", "short": "pelvis-short"}
    return {k: Page((out / f"{v}-report.html").read_text()) for k, v in names.items()}


# ---------------------------------------------------------------- the command
def test_cli_writes_one_html_and_pdf_per_input_and_leaves_inputs_alone(cli_run):
    proc, out, before, after = cli_run
    assert proc.returncode == 0, proc.stderr
    assert before == after
    stems = ["stryd-run", "fr920xt-triathlon-running-dynamics", "pelvis-fatigued", "pelvis-short"]
    for stem in stems:
        for ext in ("html", "pdf"):
            p = out / f"{stem}-report.{ext}"
            assert p.stat().st_size > 10_000
            assert str(p) in proc.stdout  # where each report went is printed
    assert sorted(x.name for x in out.iterdir()) == sorted(f"{s}-report.{e}" for s in stems for e in ("html", "pdf"))
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal, no warnings


EXPECTED_FIGURES = {
    "stryd": {"fig-form-time"},                                       # no per-side values, no IMU
    "tri": {"fig-form-time", "fig-left-right"},                       # stance time balance
    "imu": {"fig-form-time", "fig-left-right", "fig-rotation"},
    "short": {"fig-form-time", "fig-left-right", "fig-rotation"},
}


@pytest.mark.parametrize("kind", list(EXPECTED_FIGURES))
def test_every_section_and_figure(pages, kind):
    page = pages[kind]
    assert list(page.sections) == SECTION_IDS
    assert set(page.figures) == EXPECTED_FIGURES[kind]
    for fig_id, n_paths in page.figures.items():
        assert n_paths > 50, fig_id  # an inline SVG with something drawn in it
        texts = page.figure_text[fig_id]
        assert texts, fig_id
    # units on the axes: the time axis, and every form-over-time panel's unit
    form = page.figure_text["fig-form-time"]
    assert "time from start (min)" in form
    units = {"deg", "ms", "mm", "spm", "%", "kN/m", "ratio", "baseline SD", "min/km", "m"}
    assert len(units & set(form)) >= 3
    assert page.text("headline")
    assert len(page.rows["splits-table"]) >= 2
    assert page.text("not-computed")
    assert page.text("glossary")


def test_self_contained_no_fetches(pages, cli_run):
    for kind, page in pages.items():
        # nothing to fetch, not even a local file: links only within the page (SVG glyphs, clip paths)
        assert page.urls and all(u.startswith("#") for u in page.urls), (kind, page.urls[:5])
        assert not page.tags & {"script", "link", "img", "iframe", "object", "embed"}, kind
    _, out, _, _ = cli_run
    for path in out.glob("*.html"):
        text = path.read_text()
        assert "@import" not in text and "@font-face" not in text
        assert not re.search(r"url\((?!#)", text), path.name  # only the SVGs' own clip paths
        assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", text, re.I), path.name


def test_headline_matches_an_independent_fatigue_analysis(pages):
    """The triathlon's run: the onset and the headline's numbers, against gaitlab.fatigue on its own."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = gaitlab.read(DATA / "fr920xt-triathlon-running-dynamics.fit").running()
        f = gaitlab.fatigue(run)
    page = pages["tri"]
    attrs = page.sections["fatigue"]
    assert f.onset_s is not None
    assert float(attrs["data-onset-s"]) == pytest.approx(f.onset_s, abs=0.1)
    assert float(attrs["data-onset-ci-lo-s"]) == pytest.approx(f.onset_ci_s[0], abs=0.1)
    assert float(attrs["data-onset-ci-hi-s"]) == pytest.approx(f.onset_ci_s[1], abs=0.1)
    head = page.text("headline")
    assert f"form held for {f.onset_s / 60:.0f} min" in head.lower()
    # the distance: from the start of the run (records start at the triathlon's ~43 km)
    d = run.records["distance_m"]
    held_km = (np.interp(f.onset_s, run.records["elapsed_s"], d.ffill().bfill()) - d.min()) / 1000
    assert f"{held_km:.1f} km" in head
    # the two measured metrics (not step length, vertical ratio or contact %, which the
    # watch computes from others) that moved most for the worse, with their baseline values
    moved = f.metrics.dropna(subset=["onset_s"])
    moved = moved[(np.sign(moved["end_change"]) == moved["worse"])
                  & ~moved.index.isin(["step_length_mm", "vertical_ratio_pct", "stance_time_pct"])]
    top = moved.reindex(moved["end_change_sd"].abs().sort_values(ascending=False).index)[:2]
    for _, row in top.iterrows():
        assert row["meaning"] in head
        a = row["baseline_mean"]
        assert f"{a:.0f}" in head or f"{a:.1f}" in head
    m, ss = divmod(int(round(f.onset_s)), 60)
    assert f"Onset: {m}:{ss:02d}" in page.text("fatigue")


def test_simulated_onset_and_drop_against_the_simulator_truth(pages, sims):
    sim, _ = sims["long"]
    page = pages["imu"]
    onset = float(page.sections["fatigue"]["data-onset-s"])
    assert abs(onset - ONSET_S) <= 150  # the drift is linear from ONSET_S: its start is found within 2.5 min
    head = page.text("headline").lower()
    assert "pelvic drop in left stance rose" in head
    nums = [float(x) for x in re.findall(r"from (-?[\d.]+) to (-?[\d.]+) deg", head)[0]]
    truth = sim.truth.steps
    left = truth[truth["side"] == "L"]
    base = left["pelvic_drop_deg"][(left["ic_s"] > 120) & (left["ic_s"] < 260)].median()
    end = left["pelvic_drop_deg"][left["ic_s"] > SIM_S - 300].median()
    assert nums[0] == pytest.approx(base, abs=0.6)
    assert nums[1] == pytest.approx(end, abs=0.6)
    assert nums[1] - nums[0] == pytest.approx(DRIFT_DEG_PER_MIN * (SIM_S - 150 - ONSET_S) / 60, abs=0.6)


def test_per_km_table_matches_the_fit_distance(pages):
    """Split distances add up to the distance fitparse reads from the records (the reference decoder)."""
    recs, _ = fitparse_records(DATA / "stryd-run.fit")
    dist = [r["distance"] for r in recs if r.get("distance") is not None]
    total = max(dist) - min(dist)
    rows = [r for r in pages["stryd"].rows["splits-table"] if "data-distance-m" in r]
    assert pages["stryd"].sections and len(rows) == math.ceil(total / 1000)
    d = [float(r["data-distance-m"]) for r in rows]
    assert sum(d) == pytest.approx(total, abs=0.5)
    assert all(x == pytest.approx(1000.0) for x in d[:-1])
    assert rows[-1]["cells"][0] == f"{total / 1000:.2f}"
    # split times add up to the time from the first to the last distance record
    t = [r["timestamp"] for r in recs if r.get("distance") is not None]
    span = (t[-1] - t[0]).total_seconds()
    assert sum(float(r["data-end-s"]) - float(r["data-start-s"]) for r in rows) == pytest.approx(span, abs=2)
    # the km's climbs add up to fitparse's altitude records counted over the header's 3 m (75 m up, 72 down),
    # each km's rounded to the metre
    head = pages["stryd"].rows["splits-table"][0]["cells"]
    alt = np.array([r.get("enhanced_altitude", r.get("altitude")) for r in recs], dtype=float)
    for col, total_m in zip(("Up (m)", "Down (m)"), climbs(alt, ASCENT_HYSTERESIS_M["records"])):
        assert total_m > 50
        assert sum(float(r["cells"][head.index(col)]) for r in rows) == pytest.approx(total_m, abs=0.5 * len(rows))
    assert "the device's own" not in pages["stryd"].text("splits")


def test_per_km_table_of_a_multisport_run_counts_from_the_run_start(pages):
    """The triathlon's running session: distance from its own start (fitparse: session times, record distance)."""
    import fitparse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ff = fitparse.FitFile(str(DATA / "fr920xt-triathlon-running-dynamics.fit"), check_crc=False)
        sess = [{f.name: f.value for f in m.fields} for m in ff.get_messages("session")]
    run = next(s for s in sess if s["sport"] == "running")
    recs, _ = fitparse_records(DATA / "fr920xt-triathlon-running-dynamics.fit")
    dist = [r["distance"] for r in recs if r.get("distance") is not None
            and run["start_time"] <= r["timestamp"] <= run["timestamp"]]
    total = max(dist) - min(dist)
    rows = pages["tri"].rows["splits-table"][1:]
    assert len(rows) == math.ceil(total / 1000)
    assert sum(float(r["data-distance-m"]) for r in rows) == pytest.approx(total, abs=0.5)
    # the splits' climbs are counted from the records; the note says the header's totals are the watch's own
    assert "Up (m)" in pages["tri"].rows["splits-table"][0]["cells"]
    assert "the device's own" in pages["tri"].text("splits")


def test_imu_splits_per_5_min_against_the_truth(pages, sims):
    sim, _ = sims["long"]
    page = pages["imu"]
    rows = page.rows["splits-table"]
    head, body = rows[0]["cells"], rows[1:]
    assert page.sections["splits"] and len(body) == math.ceil(SIM_S / 300)
    col = head.index("Pelvic drop, left stance (deg)")
    truth = sim.truth.steps
    for r in body:
        a, b = float(r["data-start-s"]), float(r["data-end-s"])
        sel = (truth["side"] == "L") & (truth["ic_s"] >= a) & (truth["ic_s"] < b)
        assert float(r["cells"][col]) == pytest.approx(truth.loc[sel, "pelvic_drop_deg"].median(), abs=0.6)
        assert re.fullmatch(r"\d+\.\d", r["cells"][col])  # degrees to one decimal
    cad = head.index("Cadence (spm)")
    assert all(re.fullmatch(r"\d+", r["cells"][cad]) for r in body)  # spm whole


def test_left_right_against_the_truth(pages, sims):
    sim, _ = sims["long"]
    rows = {r.get("data-metric"): r["cells"] for r in pages["imu"].rows["left-right-table"][1:]}
    truth = sim.truth.steps
    for side, cell in (("L", 1), ("R", 2)):
        value = float(rows["pelvic_drop_deg"][cell].split()[0])
        assert value == pytest.approx(truth.loc[truth["side"] == side, "pelvic_drop_deg"].median(), abs=0.6)
    # FIT: the left share of contact time and the right one add to 100 %
    tri = {r.get("data-metric"): r["cells"] for r in pages["tri"].rows["left-right-table"][1:]}
    left, right = (float(tri["stance_time_balance_left_pct"][i].split()[0]) for i in (1, 2))
    assert left + right == pytest.approx(100, abs=0.11) and 45 < left < 55


def test_what_could_not_be_computed_says_why(pages, sims):
    stryd = pages["stryd"].text("not-computed")
    assert "pelvic drop needs a pelvis-worn IMU; this file has Stryd running dynamics only" in stryd
    assert "no per-side values" in stryd
    tri = pages["tri"].text("not-computed")
    assert "Garmin running dynamics only" in tri
    imu = pages["imu"].text("not-computed")
    assert "Pace and elevation: this IMU recording has no GPS" in imu
    # the short run: the fatigue analysis's own reason, computed apart
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AnalysisError) as exc:
            gaitlab.fatigue(gaitlab.analyze(gaitlab.read(sims["short"][1])))
    assert exc.value.problem in pages["short"].text("not-computed")
    assert exc.value.problem in pages["short"].text("headline")
    assert pages["short"].sections["fatigue"]["data-onset-s"] == ""


def test_a_walk_filed_as_a_run_says_so(tmp_path):
    """A Suunto "run" whose records are a walk (1.7 m/s, 110 steps/min): before
    session 15 the report said "the file has no speed records" (and none of
    altitude), though it has both; the running series is what was empty."""
    need_real()
    path = REAL / "fit-other" / "gc-suunto-run-hrv.fit"
    fp, _ = fitparse_records(path)
    assert sum(r.get("speed") is not None for r in fp) > 1000 and sum(r.get("altitude") is not None
                                                                   or r.get("enhanced_altitude") is not None
                                                                   for r in fp) > 1000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        missing = dict(build_report(path).not_computed)
    assert "standing and walking are left out" in missing["Pace"], missing
    assert "standing and walking are left out" in missing["Elevation"], missing
    assert "records left out as standing or walking" in missing["Fatigue onset, baseline and cue windows"]


def test_header_placement_and_quality(pages):
    stryd = pages["stryd"].text("summary")
    assert "2017-01-17 17:06:47 UTC" in stryd
    assert "57:03" in stryd and "6.75 km" in stryd
    # ascent and descent: the triathlon's running leg's own totals, as fitparse reads them; the
    # Stryd file has none, so its altitude records (fitparse's) are counted
    import fitparse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legs = [m.get_values() for m in fitparse.FitFile(str(DATA / "fr920xt-triathlon-running-dynamics.fit"))
                .get_messages("session") if m.get_value("sport") == "running"]
        alt = [r.get("enhanced_altitude", r.get("altitude")) for r in fitparse_records(DATA / "stryd-run.fit")[0]]
    assert len(legs) == 1
    assert (f"up {legs[0]['total_ascent']} m, down {legs[0]['total_descent']} m (from the device's session "
            "totals)") in pages["tri"].text("summary")
    up, down = climbs(np.array([np.nan if a is None else a for a in alt], float), ASCENT_HYSTERESIS_M["records"])
    assert up > 20 and (f"up {up:.0f} m, down {down:.0f} m (from the altitude records, counted over "
                        f"{ASCENT_HYSTERESIS_M['records']:g} m of hysteresis)") in stryd
    imu = pages["imu"].text("summary")
    assert "pelvis-worn IMU" in imu and "forward = sensor" in imu
    assert "Side (left/right) confidence" in imu and "IMU gaps" in imu
    # where the sensor sits: the simulator's sacrum, 10 cm behind the pelvis centre
    behind = re.search(r"sensor (\d+) cm behind.*?; accelerations taken at the centre", imu)
    assert behind and abs(int(behind.group(1)) - 10) <= 3, imu


def test_glossary_names_every_metric_shown(pages):
    for kind, page in pages.items():
        gloss = page.text("glossary")
        for cell in page.rows["splits-table"][0]["cells"][1:]:
            name = cell.rsplit(" (", 1)[0]
            if name in ("Distance", "Split time", "Pace"):
                continue
            assert name in gloss, (kind, name)


def test_simulated_label_follows_the_run(pages, sims, tmp_path):
    """Shown exactly when the run is simulated; never for a runner's file."""
    for kind in ("stryd", "tri"):
        assert "simulated-label" not in pages[kind].ids
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_csv = gaitlab.read(sims["long"][1]).simulated  # a plain CSV: no "# simulated" line
    assert not from_csv and "simulated-label" not in pages["imu"].ids
    # straight from the simulator, and from the bundled sample (its "# simulated" line)
    sim, _ = sims["short"]
    assert sim.run.simulated
    for obj in (sim.run, DATA / "pelvis-simulated.csv.gz"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = build_report(obj)
        page = Page(render_html(report, build_figures(report)))
        assert "Simulated data" in page.text("simulated-label")


#: A jump and a drift, both at 25:00 (FIT simulator fatigue keys).
_JUMP_AND_DRIFT = (
    {"onset_s": 1500.0, "stance_time_ms_jump": 9.0, "vertical_oscillation_mm_jump": 2.5, "cadence_spm_jump": -2.5},
    {"onset_s": 1500.0, "stance_time_ms_per_min": 1.0, "vertical_oscillation_mm_per_min": 0.3},
)


@pytest.mark.xfail(
    strict=True,
    reason="the check test_a_jump_is_reported_as_a_jump had until session 11: both runs' reported onsets "
    "within 2 min of the truth. With the FIT simulator's noise calibrated on real watches the drift run's comes "
    "out 2.9 min early (80 % of onsets are within 2.6 min over 300 runs; issue 4 note, session 11)",
)
def test_jump_and_drift_reports_onset_within_2_min():
    from gaitlab.simulate_fit import simulate_fit_run

    for fat in _JUMP_AND_DRIFT:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = build_report(simulate_fit_run(3600.0, 11, profile="fartlek", fatigue=fat).run)
        assert abs(report.fatigue.onset_s - 1500.0) <= 120, report.fatigue.onset_s


def test_a_jump_is_reported_as_a_jump():
    """Form that breaks at once (the FIT simulator's jump, truth 25:00) is
    named so in the fatigue section, and a drift is not."""
    from gaitlab.simulate_fit import simulate_fit_run

    for fat, said in zip(_JUMP_AND_DRIFT, (True, False)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = build_report(simulate_fit_run(3600.0, 11, profile="fartlek", fatigue=fat).run)
        onset = next(x for x in report.fatigue_lines if x.startswith("Onset:"))
        # found (the onset's accuracy over many runs is test_fatigue's)
        assert report.fatigue.onset_ci_s[0] <= 1500.0 <= report.fatigue.onset_ci_s[1], onset
        assert ("changed at once" in onset) is said, onset
        contact = next(x for x in report.fatigue_lines if x.startswith("Ground contact time") or "contact" in x)
        assert ("changing at once at" in contact) is said, contact


def test_pdf_has_the_same_sections(cli_run, pages):
    import pypdf  # in the test extra: a missing one fails, not skips
    _, out, _, _ = cli_run
    for kind, stem in (("tri", "fr920xt-triathlon-running-dynamics"), ("imu", "pelvis-fatigued")):
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(out / f"{stem}-report.pdf").pages)
        flat = " ".join(text.split())
        for title in SECTION_TITLES:
            assert title in flat, (kind, title)
        assert "Splits per km" in flat if kind == "tri" else "Splits per 5 minutes" in flat
        assert " ".join(pages[kind].text("headline").split()[:8]) in flat
        for what in re.findall(r"<strong>(.*?)</strong>", (out / f"{stem}-report.html").read_text()):
            assert what in flat  # every "could not be computed" entry
        assert ("Simulated data" in flat) == ("simulated-label" in pages[kind].ids)


# ---------------------------------------------------------------- errors and outputs
def test_bad_inputs_are_one_line_and_exit_2(tmp_path):
    trunc = tmp_path / "truncated.fit"
    trunc.write_bytes((DATA / "stryd-run.fit").read_bytes()[:30])
    proc = _gaitlab("report", str(trunc), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"gaitlab: {trunc}: ")
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.glob("*.html"))
    missing = tmp_path / "nope.fit"
    proc = _gaitlab("report", str(missing), cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith(f"gaitlab: {missing}: ")


def test_an_output_never_replaces_the_input(tmp_path):
    """`gaitlab report run.fit -o run.fit` (a slip for run.html) replaced the run
    with its report before session 15, and `analyze run.fit --json run.fit` the
    same. Now each is one line and exit 2, the run untouched; nor is a report
    written under another run data name."""
    run = tmp_path / "stryd-run.fit"
    run.write_bytes((DATA / "stryd-run.fit").read_bytes())
    before = hashlib.sha256(run.read_bytes()).hexdigest()
    for args in (["report", str(run), "-o", str(run), "-q"], ["analyze", str(run), "--json", str(run)],
                 ["analyze", str(run), "--steps-csv", str(run)]):
        proc = _gaitlab(*args, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith(f"gaitlab: {run}: is the input"), proc.stderr
    proc = _gaitlab("report", str(run), "-o", str(tmp_path / "other.fit"), "-q", cwd=tmp_path)
    assert proc.returncode == 2 and "name of run data (.fit)" in proc.stderr, proc.stderr
    with pytest.raises(gaitlab.GaitlabError, match="is the input"):
        gaitlab.report.write_report(run, run)
    assert hashlib.sha256(run.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stryd-run.fit"]


def test_a_non_running_file_is_refused(tmp_path):
    need_real()
    bike = REAL / "fitparse-tests" / "garmin-edge-500-activity.fit"
    proc = _gaitlab("report", str(bike), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"gaitlab: {bike}: not a run: the file's sessions are cycling; " \
                                  "a form report needs a running session"
    gps_only = REAL / "fit-other" / "gc-forerunner15-10k.fit"
    proc = _gaitlab("report", str(gps_only), str(DATA / "stryd-run.fit"), "-o", str(tmp_path / "out"), "-q")
    assert proc.returncode == 2  # one bad input of two: the good one is still written
    assert proc.stderr.count("\n") == 1 and "nothing to report" in proc.stderr
    assert (tmp_path / "out" / "stryd-run-report.html").exists()


def test_output_file_and_a_partly_truncated_file(tmp_path):
    """``-o`` names the file for one input; a file cut mid-way is reported with its warnings."""
    cut = tmp_path / "cut.fit"
    cut.write_bytes((DATA / "stryd-run.fit").read_bytes()[:60_000])
    target = tmp_path / "sub" / "mine.html"
    target.parent.mkdir()
    proc = _gaitlab("report", str(cut), "-o", str(target), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"report written to {target}"
    page = Page(target.read_text())
    assert list(page.sections) == SECTION_IDS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = gaitlab.read(cut)
    assert run.warnings and all(w in page.text("quality") for w in run.warnings)


def test_report_names():
    from gaitlab.cli import _report_name

    assert _report_name(Path("a/run.fit.gz")) == "run-report.html"
    assert _report_name(Path("RUN.FIT")) == "RUN-report.html"
    assert _report_name(Path("x/pelvis.csv")) == "pelvis-report.html"
    assert _report_name(Path("export.zip")) == "export-report.html"
    # every name the reader takes (gaitlab.io.RUN_SUFFIXES), e.g. Xsens MT Manager's tab-separated .txt
    assert _report_name(Path("MT_012005D6-000.txt")) == "MT_012005D6-000-report.html"
    assert _report_name(Path("belt.TSV.gz")) == "belt-report.html"
    assert _report_name(Path("phone.csv.gz")) == "phone-report.html"
    assert _report_name(Path("run.2024.fit")) == "run.2024-report.html"  # one suffix only
    assert _report_name(Path(".fit")) == ".fit-report.html"  # nothing left to name it by


# ---------------------------------------------------------------- real files
def _real_running_dynamics() -> list[Path]:
    return [p for p in real_fit_files() if p.parent.name in ("fit-running-dynamics", "fit-stryd")]


def test_real_running_dynamics_files():
    """Every real FIT file with running dynamics gets a complete report (library, in process)."""
    need_real()
    files = _real_running_dynamics()
    assert files
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = build_report(path)
        page = Page(render_html(report, build_figures(report)))
        assert list(page.sections) == SECTION_IDS, path.name
        assert "fig-form-time" in page.figures, path.name
        assert all(u.startswith("#") for u in page.urls) and "simulated-label" not in page.ids
        assert "needs a pelvis-worn IMU" in page.text("not-computed")
        run = report.run
        if run.distance_m:
            rows = page.rows["splits-table"][1:]
            assert sum(float(r["data-distance-m"]) for r in rows) == pytest.approx(run.distance_m, abs=0.5)


def test_fit_with_pelvis_imu_messages(tmp_path):
    """A FIT file with raw accelerometer and gyroscope messages (written by fit-tool) is a pelvis report."""
    from fitwriter import write_plain_imu_run

    sim = simulate.simulate_run(duration_s=150, rate_hz=100, seed=12, mounting="random")
    imu = sim.run.imu
    acc_g = imu[["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]].to_numpy() / 9.80665
    gyr = imu[["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]].to_numpy()
    p = tmp_path / "pelvis-imu.fit"
    write_plain_imu_run(p, acc_g, gyr, 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(p)
    page = Page(render_html(report, build_figures(report)))
    assert report.kind == "imu"
    assert list(page.sections) == SECTION_IDS
    assert {"fig-form-time", "fig-left-right", "fig-rotation"} <= set(page.figures)
    assert "2023-11-14 22:13:20 UTC" in page.text("summary")  # fitwriter's T0
    assert "too short for a fatigue analysis" in page.text("not-computed")
    truth = sim.truth.steps
    rows = {r.get("data-metric"): r["cells"] for r in page.rows["left-right-table"][1:]}
    for side, cell in (("L", 1), ("R", 2)):
        value = float(rows["pelvic_drop_deg"][cell].split()[0])
        assert value == pytest.approx(truth.loc[truth["side"] == side, "pelvic_drop_deg"].median(), abs=0.8)


def test_report_stage_imports_no_layer_above_it():
    code = ("import sys, gaitlab.report, gaitlab.report.pdf; "
            "print(sorted(m for m in sys.modules if m.startswith(('gaitlab.cli', 'gaitlab.web', 'gaitlab.library'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
