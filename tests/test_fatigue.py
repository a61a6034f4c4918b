"""Fatigue analysis against truth: simulated pelvis runs with a known onset and
drifts (and without), real FIT runs for plausibility, and the CLI's JSON."""

from __future__ import annotations

import dataclasses
import json
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

import gaitlab
from gaitlab import simulate
from gaitlab.fatigue import FatigueAnalyzer, headline
from gaitlab.simulate_fit import simulate_fit_run
from helpers import DATA, REAL, fitparse_records, need_real, run_gaitlab, without_short_stretches

#: Pelvis runs: even seeds fatigue at a random onset (15-30 min) with random
#: drifts of left/right pelvic drop and contact time; odd seeds hold form.
PELVIS_SEEDS = list(range(40, 52))


def _pelvis_fatigue(seed: int) -> dict | None:
    r = np.random.default_rng(seed)
    if seed % 2:
        return None
    return {"onset_s": float(r.uniform(900, 1800)), "drop_left_per_min": float(r.uniform(0.03, 0.1)),
            "drop_right_per_min": float(r.uniform(0.0, 0.08)), "gct_per_min": float(r.uniform(0.0, 1.0))}


@lru_cache(maxsize=None)
def _pelvis_sim(seed: int, pace: str = "steady"):
    """A 40-min simulated pelvis run with :func:`_pelvis_fatigue`'s truth
    (test_gps_track writes the same runs as phone recordings)."""
    return simulate.simulate_run(duration_s=2400.0, rate_hz=50.0, seed=seed, mounting="random",
                                 fatigue=_pelvis_fatigue(seed), pace=pace)


@lru_cache(maxsize=None)
def _pelvis(seed: int, pace: str = "steady"):
    sim = _pelvis_sim(seed, pace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sim, gaitlab.fatigue(gaitlab.analyze(sim.run))


@pytest.mark.parametrize("pace", ["steady", "intervals"])
def test_pelvis_onset_within_2_min_and_no_false_onsets(pace):
    """Also with intervals (3 min at +25 %, 2 min at -20 %: contact time
    -29/+23 ms, cadence +6/-5 steps/min), which a pelvis IMU recording has no
    speed to adjust for: contact time and cadence swing with every repetition
    but do not leave the baseline for good, and the pelvic drop drift is still
    timed. Measured with intervals: 6 of 6 within 2 min (median error 0.4 min),
    no false onset in 6, no cue window in the 6 fresh runs."""
    hits, false = [], []
    for seed in PELVIS_SEEDS:
        sim, f = _pelvis(seed, pace)
        truth = sim.params["fatigue"]
        if truth:
            hits.append(f.onset_s is not None and abs(f.onset_s - truth["onset_s"]) <= 120)
        else:
            false.append(f.onset_s is not None)
    assert np.mean(hits) >= 0.9, hits
    assert np.mean(false) <= 0.05, false


#: Pelvis runs with slow form wander (``simulate_run(wander=True)``: AR(1), 3 min,
#: SD 0.3 deg per side and 3 ms), as real runners show: fatigue drifts of
#: 0.1-0.25 deg/min in left stance (1-6 deg by the end), 0-0.1 right, 0-1 ms/min.
WANDER_SEEDS = list(range(80, 104))


@lru_cache(maxsize=None)
def _pelvis_wander(seed: int):
    r = np.random.default_rng(seed)
    fat = None if seed % 2 else {
        "onset_s": float(r.uniform(900, 1800)), "drop_left_per_min": float(r.uniform(0.1, 0.25)),
        "drop_right_per_min": float(r.uniform(0.0, 0.1)), "gct_per_min": float(r.uniform(0.0, 1.0))}
    sim = simulate.simulate_run(duration_s=2400.0, rate_hz=50.0, seed=seed, mounting="random", fatigue=fat,
                                wander=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sim, gaitlab.fatigue(gaitlab.analyze(sim.run))


def _pelvis_oracle_onset(sim, bin_s: float = 15.0) -> float:
    """:func:`_gls_hinge_onset` of a simulated pelvis run's true per-step values
    (no measurement error), with the simulator's wander and step-to-step noise."""
    st, fat, p = sim.truth.steps, sim.params["fatigue"], sim.params
    n_side = p["cadence_spm"] / 2 * bin_s / 60  # steps per side in a bin
    series = [(np.where(st["side"] == side, st["pelvic_drop_deg"], np.nan), 0.3, 180.0,
               p["drop_sd_deg"] * np.sqrt(np.pi / 2 / n_side), 1.0)
              for side, key in (("L", "drop_left_per_min"), ("R", "drop_right_per_min")) if fat.get(key)]
    if fat.get("gct_per_min"):
        series.append((st["gct_ms"].to_numpy(float), 3.0, 180.0,
                       0.015 * p["gct_ms"] * np.sqrt(np.pi / 2 / (2 * n_side)), 1.0))
    return _gls_hinge_onset(st["ic_s"].to_numpy(float), series, bin_s)


def _wander_hits() -> tuple[list[bool], list[bool], list[bool]]:
    ours, oracle, false = [], [], []
    for seed in WANDER_SEEDS:
        sim, f = _pelvis_wander(seed)
        truth = sim.params["fatigue"]
        if truth:
            ours.append(f.onset_s is not None and abs(f.onset_s - truth["onset_s"]) <= 120)
            oracle.append(abs(_pelvis_oracle_onset(sim) - truth["onset_s"]) <= 120)
        else:
            false.append(f.onset_s is not None)
    return ours, oracle, false


def test_pelvis_runs_with_form_wander_as_good_as_an_oracle():
    """With slow wander the onset is harder to place; we must do about as well as
    an analyst who knows the true per-step values and the noise model, and
    still seldom call an onset in runs that held."""
    ours, oracle, false = _wander_hits()
    assert np.mean(ours) >= np.mean(oracle) - 0.05, (np.mean(ours), np.mean(oracle))
    assert np.mean(false) <= 0.05, false


@pytest.mark.xfail(
    strict=True,
    reason="measured 0.83 of the 12 fatigued runs here within +-2 min (0.69 of 16 on seeds 40-70); the oracle "
    "with the true per-step values and noise model reached 0.75 (0.56) on the same runs: wander of 0.3 deg over "
    "3 min hides the first minutes of a 0.1-0.25 deg/min drift (issue 4 note, session 9)",
)
def test_pelvis_runs_with_form_wander_onset_within_2_min():
    ours, _, _ = _wander_hits()
    assert np.mean(ours) >= 0.9, np.mean(ours)


def test_pelvis_drift_and_end_change_match_truth():
    """The drift of left pelvic drop after onset, per 10 min, against the simulator's."""
    errs = []
    for seed in PELVIS_SEEDS[::2]:
        sim, f = _pelvis(seed, "steady")
        truth = sim.params["fatigue"]
        row = f.metrics.loc["pelvic_drop_left_deg"]
        if np.isfinite(row["onset_s"]):
            errs.append(row["drift_per_10min"] - 10 * truth["drop_left_per_min"])
    assert len(errs) >= 4
    assert np.sqrt(np.mean(np.square(errs))) <= 0.25  # deg per 10 min (truth 0.3-1.0)


def test_onset_interval_holds_the_onset_and_cue_windows_follow_it():
    for seed in PELVIS_SEEDS[::2]:
        sim, f = _pelvis(seed, "steady")
        if f.onset_s is None:
            continue
        lo, hi = f.onset_ci_s
        assert lo <= f.onset_s <= hi
        for _, w in f.cue_windows.iterrows():
            assert w["start_s"] >= f.baseline_s[0] and w["end_s"] > w["start_s"]
        # held: the running before the onset, from the simulator's first contact (it stands first)
        assert f.held_s == pytest.approx(f.onset_s - sim.truth.steps["ic_s"].iloc[0], abs=1.0)
        # regularity is followed too: a steady simulated runner repeats each step closely
        assert 0.8 < f.metrics.loc["step_regularity", "baseline_mean"] <= 1.0


def test_form_endurance_over_runs_on_a_calendar():
    """Five simulated runs a week apart whose onset comes later each time: the
    trend says later; a run that held counts as censored at its length."""
    runs = []
    for k, onset in enumerate([900.0, 1100.0, 1300.0, 1500.0, None]):
        fat = {"onset_s": onset, "drop_left_per_min": 0.1, "gct_per_min": 0.8} if onset else None
        sim = simulate.simulate_run(duration_s=2100.0, rate_hz=50.0, seed=70 + k, mounting="random", fatigue=fat,
                                    start_time=f"2026-05-{1 + 7 * k:02d}T07:00:00Z")
        runs.append(sim.run)
    ic = sim.truth.steps["ic_s"]  # the last run's: it held, so its running is what held
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fe = gaitlab.form_endurance(runs)
    t = fe.runs
    assert list(t["censored"]) == [False, False, False, False, True]
    np.testing.assert_allclose(t["onset_min"][:4], [15, 1100 / 60, 1300 / 60, 25], atol=2.0)
    # from the first contact (after standing 5 s) to the last, within a step or two
    assert t["held_min"].iloc[-1] == pytest.approx((ic.iloc[-1] - ic.iloc[0]) / 60, abs=1 / 60)
    assert fe.trend["direction"] == "later" and fe.trend["held_min_per_30_days"] > 0


def test_endurance_command_on_a_folder_of_fit_files(tmp_path):
    """``gaitlab endurance FOLDER``: four simulated runs a week apart, written as
    FIT files (fit-tool), whose form breaks down later each week and holds in
    the last; a damaged file and a notes file beside them. Each run's 95 %
    interval holds the simulator's onset (measured: 14, 25 and 27 min for 15,
    20 and 25; one run is not the issue's +-2 min rate, which the tests on
    hundreds of runs measure), the trend says later, the damaged file is one
    line on stderr and exit 2, and the JSON and CSV agree. The run that held
    counts its minutes of running (45 min less its traffic-light stop; until
    session 27 the stop counted too)."""
    from fitwriter import T0_MS, write_running_dynamics_run

    week_ms = 7 * 86400 * 1000
    truth, ran_min = {}, {}
    for k, (onset, profile) in enumerate([(900.0, "steady"), (1200.0, "hills"), (1500.0, "fartlek"),
                                          (None, "steady")]):
        fat = dict(_fit_fatigue(k, "garmin"), onset_s=onset) if onset else None
        sim = simulate_fit_run(2700.0, 40 + k, profile=profile, fatigue=fat, device="garmin", wander=False)
        name = f"week-{k + 1}.fit"
        write_running_dynamics_run(tmp_path / name, sim.run.records, T0_MS + k * week_ms)
        truth[name] = onset
        # its running: records 1 s apart not under 1 m/s (its traffic-light stop; a
        # record without speed is not known to stop), in stretches of 10 s or more
        rec = sim.run.records
        ran = without_short_stretches(rec["elapsed_s"].tolist(), (~(rec["speed_mps"] < 1.0)).tolist())
        ran_min[name] = sum(ran) / 60
    (tmp_path / "broken.fit").write_bytes((tmp_path / "week-1.fit").read_bytes()[:300])
    (tmp_path / "notes.txt").write_text("week 3: windy\n")
    out_json, out_csv = tmp_path / "endurance.json", tmp_path / "endurance.csv"
    proc = run_gaitlab("endurance", str(tmp_path), "--json", str(out_json), "--csv", str(out_csv))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"gaitlab: {tmp_path / 'broken.fit'}: "), proc.stderr
    doc = json.loads(out_json.read_text())
    rows = {r["run"]: r for r in doc["runs"]}
    assert sorted(rows) == ["broken.fit", *truth], sorted(rows)
    assert rows["broken.fit"]["error"] and rows["broken.fit"]["duration_min"] is None
    for name, onset in truth.items():
        r = rows[name]
        assert r["error"] is None, r
        if onset is None:
            assert r["censored"] and r["held_min"] == pytest.approx(ran_min[name], abs=0.1), (r, ran_min[name])
        else:
            assert not r["censored"] and r["onset_lo_min"] <= onset / 60 <= r["onset_hi_min"], (name, r, onset / 60)
    assert doc["trend"]["direction"] == "later" and doc["trend"]["runs"] == 4, doc["trend"]
    # the weeks' held minutes over months since the first, by hand
    held = np.array([rows[n]["held_min"] for n in truth])
    months = np.arange(4) * 7 / 30
    assert doc["trend"]["held_min_per_30_days"] == pytest.approx(np.polyfit(months, held, 1)[0])
    table = pd.read_csv(out_csv)
    assert sorted(table["run"]) == sorted(rows)
    np.testing.assert_allclose(table.set_index("run").loc[list(truth), "held_min"], held)
    lines = proc.stdout.splitlines()
    for name in rows:
        assert sum(name in ln for ln in lines) == 1, (name, proc.stdout)
    assert any(ln.startswith("trend      form breaks down later") for ln in lines), proc.stdout
    # run again: the CSV it wrote into the folder is a table of runs, not a run
    again = run_gaitlab("endurance", str(tmp_path), "-q")
    assert again.returncode == 2 and again.stderr == proc.stderr
    assert again.stdout.splitlines() == [ln for ln in lines if " written to " not in ln]


def test_a_run_re_saved_with_its_clock_in_another_time_zone_counts_once():
    """GoldenCheetah re-saved gc-vivoactivehr-run-stryd.fit with every timestamp
    2 h later (the MANIFEST: the same run re-written by its FIT writer), and the
    minutes held come out one 15-s bin apart; before session 17 the two were two
    runs in the trend. A run of the same size a week later is another run."""
    need_real()
    orig = REAL / "fit-stryd" / "gc-vivoactivehr-run-stryd.fit"
    copy = REAL / "fit-stryd" / "gc-vivoactivehr-run-stryd-resaved-by-gc.fit"
    others = [REAL / "fit-stryd" / "sl-fr945-run-stryd.fit", REAL / "fit-stryd" / "gc-stryd-recorded-run-hrv.fit"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = gaitlab.form_endurance([orig, copy, *others])
        one = gaitlab.form_endurance([orig, *others])
        run = gaitlab.read(orig)
        shifted = gaitlab.form_endurance([run, dataclasses.replace(run, start_time=run.start_time + pd.Timedelta(hours=-5.5))])
        week = gaitlab.form_endurance([run, dataclasses.replace(run, start_time=run.start_time + pd.Timedelta(days=7))])
    # the offset from each file's first record, as fitparse reads them
    hours = (fitparse_records(copy)[0][0]["timestamp"] - fitparse_records(orig)[0][0]["timestamp"]).total_seconds() / 3600
    said = both.runs.set_index("run")["error"]
    assert said[copy.name].startswith(f"the same run as {orig.name} (same length and distance, its clock "
                                      f"{hours:+.2f} h off"), said[copy.name]
    assert said.drop(copy.name).isna().all(), said
    assert both.trend == one.trend and both.trend["runs"] == 3
    assert shifted.runs["error"].notna().sum() == 1 and "-5.50 h off" in shifted.runs["error"].dropna().iloc[0]
    assert week.runs["error"].isna().all()


def test_form_endurance_counts_a_run_given_twice_once_and_leaves_undated_runs_off_the_calendar():
    """Four real Stryd runs. Given a fifth time (one of them again), the run was
    counted twice before session 15; and a run without a date put the trend on
    "days" that were positions in the list (a slope of -349 min per 30 days
    from three runs). Now the copy is listed with why, and left out; an undated
    run is left off the calendar, and the slope is that of the dated runs."""
    need_real()
    paths = [REAL / "fit-running-dynamics" / "gc-fr920xt-run-rd-stryd.fit",
             REAL / "fit-stryd" / "gc-stryd-recorded-run-hrv.fit",
             REAL / "fit-stryd" / "sl-fr945-run-stryd.fit",
             REAL / "fit-stryd" / "gc-vivoactivehr-run-stryd.fit"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        four = gaitlab.form_endurance(paths)
        again = gaitlab.form_endurance([*paths, paths[0]])
        runs = [gaitlab.read(p) for p in paths]
        three = gaitlab.form_endurance(runs[1:])
        undated = gaitlab.form_endurance([dataclasses.replace(runs[0], start_time=None), *runs[1:]])
    assert four.trend["runs"] == 4 and four.trend["basis"] == "calendar"
    assert again.trend == four.trend
    said = again.runs["error"].dropna().tolist()
    assert len(again.runs) == 5 and len(said) == 1 and said[0].startswith(f"the same run as {paths[0].name}")
    # the slope, by hand: least squares of held minutes on months since the first dated run
    t = three.runs
    months = (t["start_time"] - t["start_time"].min()).dt.total_seconds() / 86400 / 30
    assert three.trend["held_min_per_30_days"] == pytest.approx(np.polyfit(months, t["held_min"], 1)[0])
    expect = {**three.trend, "undated": 1}
    assert undated.trend == expect, undated.trend


@lru_cache(maxsize=None)
def _real_rd_files() -> tuple:
    """(path, running part) of every distinct real FIT file in ``../shared`` with
    contact time and oscillation, read once for the tests that use them."""
    need_real()
    seen, out = set(), []
    for path in sorted(REAL.rglob("*.fit")):
        content = path.read_bytes()
        if content in seen:
            continue
        seen.add(content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                run = gaitlab.read(path).running()
            except (gaitlab.GaitlabError, LookupError):
                continue
        if {"stance_time_ms", "vertical_oscillation_mm"} <= set(run.form_metrics()):
            out.append((path, run))
    return tuple(out)


def _real_rd_runs(min_minutes: float) -> list:
    """:func:`_real_rd_files` with at least ``min_minutes`` of running."""
    return [(path, run) for path, run in _real_rd_files() if run.duration_s >= min_minutes * 60]


def test_real_fit_runs_are_plausible():
    """Every real running file with running dynamics: analysed quickly, speed
    slopes of contact time negative where pace varied, onsets inside the run."""
    n = 0
    for path, run in _real_rd_runs(20.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = gaitlab.fatigue(run)
        n += 1
        m = f.metrics
        assert 150 < m.loc["stance_time_ms", "baseline_mean"] < 400, path.name
        sp = run.records["speed_mps"]
        if sp.quantile(0.9) - sp.quantile(0.1) > 0.8:  # real pace variation: contact shortens with speed
            assert m.loc["stance_time_ms", "speed_slope"] < 0, path.name
        if f.onset_s is not None:
            assert f.baseline_s[0] <= f.onset_s <= f.duration_s, path.name
    assert n >= 8


def _add_drift(run, fat: dict):
    """``run`` with the drifts of ``fat`` ("<metric>_per_min" from "onset_s" on,
    as :func:`_fit_fatigue` gives) added to its records: real noise, known truth."""
    rec = run.records.copy()
    ramp = np.maximum(rec["elapsed_s"].to_numpy(float) - fat["onset_s"], 0) / 60.0
    for key, rate in fat.items():
        m = key.removesuffix("_per_min")
        if key != "onset_s" and m in rec:
            rec[m] = rec[m].astype(float) + np.where(rec[m] > 0, rate * ramp, 0.0)
    return dataclasses.replace(run, records=rec)


@lru_cache(maxsize=None)
def _real_runs_with_drift() -> pd.DataFrame:
    """Every distinct real running file in ``../shared`` of 35 min or more with
    contact time and oscillation, each with the drifts of :func:`_fit_fatigue`
    added from 6 onsets spread over its middle (at least 16 min in, 12 min
    before the end): the runner's own noise, wander, pace and hills, and a known
    onset (a real run has its own changes of form too, which the truth here
    does not know). ``added_ms``: the drift added by the end, over the running
    records of the last 5 min of running (a record running until the next, up
    to 10 s)."""
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path, run in _real_rd_runs(35.0):
            t = run.records["elapsed_s"].to_numpy(float)
            device = "stryd" if "leg_spring_stiffness_kn_m" in run.records else "garmin"
            end0 = gaitlab.fatigue(run).metrics.loc["stance_time_ms", "end_change"]
            ran = t[run.running_records()]
            end = np.cumsum(np.minimum(np.diff(ran, append=ran[-1] + 1), 10.0)[::-1])[::-1] <= 300
            for k in range(6):
                fat = _fit_fatigue(100 + k, device)
                fat["onset_s"] = float(np.interp((k + 0.5) / 6, [0, 1], [t[0] + max(960.0, run.duration_s / 3),
                                                                         t[-1] - 720.0]))
                f = gaitlab.fatigue(_add_drift(run, fat))
                added = fat["stance_time_ms_per_min"] * np.mean(np.maximum(ran[end] - fat["onset_s"], 0) / 60)
                rows.append((path.name, fat["onset_s"], f.onset_s, added,
                             f.metrics.loc["stance_time_ms", "end_change"] - end0))
    return pd.DataFrame(rows, columns=["file", "onset_s", "found_s", "added_ms", "end_change_gain_ms"])


def test_real_runs_with_an_added_drift_report_its_size():
    """A known drift added to real runs' contact time shows in the table's
    change by the end, at matched pace, at its true size (the run's own pace
    and noise left as they were). Measured: median ratio 0.94 (0.93 before
    session 27 counted running time record by record), 0.83 of them within
    30 %; where the runner slowed while the drift grew, part of it goes
    to the speed term. Until session 26 the truth was the drift over the last 5
    min of the recording, which in the iron-distance marathon
    (``gc-fenix5x-multisport-rd-stryd``) is 33 min of walking after the run's
    end: its median ratio was -0.08, and -0.21 against this truth while 2
    records in that walk were the analysis' end; 0.96 now."""
    d = _real_runs_with_drift()
    assert d["file"].nunique() >= 8, d["file"].unique()
    ratio = d["end_change_gain_ms"] / d["added_ms"]
    assert 0.9 <= ratio.median() <= 1.1, ratio.describe()
    assert (ratio.between(0.7, 1.3)).mean() >= 0.75, d.assign(ratio=ratio)


@pytest.mark.xfail(
    strict=True,
    reason="measured 0.20 of 60 (10 real runs, each with the drifts of the simulated test added at 6 onsets) "
    "within +-2 min; an onset found in 0.83, 0.48 more than 2 min early (median error -2.5 min): real runs have "
    "slow changes of form of their own, which the added truth does not know (issue 4 note, session 11; session "
    "14: 0.17, 0.72 found and -2.4 min with the earlier min_joint_stat of 80; session 25, walk breaks out of "
    "the bins: 0.18 -> 0.22, found 0.83 -> 0.88; session 26, running under 10 s between walks out and the windows "
    "in running time: 0.22 -> 0.20, found 0.88 -> 0.83, two onsets of a run with many stops, sl-fr945-run-stryd, "
    "33 and 43 min early on an evidence profile flat over the run)",
)
def test_real_runs_with_an_added_drift_onset_within_2_min():
    """The issue's target on real noise: the same drifts as the simulated FIT
    runs, added to real runs at a known onset."""
    d = _real_runs_with_drift()
    hits = (d["found_s"] - d["onset_s"]).abs() <= 120
    assert hits.mean() >= 0.9, d


def test_a_bad_minute_does_not_hide_the_onset():
    """A real run with an added contact-time drift, then a minute of walking up
    a climb (900 ms, a few bins): the metric's onset stays where it was.
    Without the spike filter those bins set the noise level of the whole fit
    and the onset is lost."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = gaitlab.read(DATA / "stryd-run.fit").running()
        drifted = _add_drift(run, {"onset_s": 2100.0, "stance_time_ms_per_min": 2.0})
        rec = drifted.records.copy()
        t = rec["elapsed_s"].to_numpy(float)
        rec.loc[(t >= 2700) & (t < 2760), "stance_time_ms"] = 900.0
        bad = dataclasses.replace(drifted, records=rec)
        fs = [gaitlab.fatigue(r, a) for r, a in ((drifted, FatigueAnalyzer()), (bad, FatigueAnalyzer()),
                                                 (bad, FatigueAnalyzer(spike_sd=0)))]
    onsets = [f.metrics.loc["stance_time_ms", "onset_s"] for f in fs]
    assert any(n.startswith("time bins far off") and "ground contact time" in n for n in fs[1].notes), fs[1].notes
    assert 2100 - 300 <= onsets[0] <= 2100 + 120, onsets
    assert onsets[1] == pytest.approx(onsets[0], abs=30), onsets
    assert np.isnan(onsets[2]), onsets



def _settle(run, size: float = 2.0, tau_s: float = 150.0):
    """A run's records with a settling at the start, as off the bike in a
    triathlon: cadence ``8 * size`` spm higher, contact time ``12 * size`` ms
    and oscillation ``4 * size`` mm lower, decaying with ``tau_s``."""
    rec = run.records.copy()
    decay = np.exp(-rec["elapsed_s"].to_numpy(float) / tau_s)
    for m, a in (("cadence_spm", 8.0), ("stance_time_ms", -12.0), ("vertical_oscillation_mm", -4.0)):
        rec[m] = rec[m].astype(float) + size * a * decay
    return dataclasses.replace(run, records=rec)


def test_settling_off_the_bike_is_not_an_onset():
    """Simulated runs without fatigue that settle in their first minutes (a
    brick run): the settling is no onset. The fit takes form before an onset
    as level; a warm-up far from the baseline is left out of it (measured on
    40 such runs: 18 false onsets, at the baseline's start, with
    ``warmup_sd=0``; none with the default)."""
    onsets = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(20):
            device = "stryd" if seed % 3 == 0 else "garmin"
            sim = simulate_fit_run(3600.0, 900 + seed, profile="steady", device=device)
            f = gaitlab.fatigue(_settle(sim.run))
            onsets.append(f.onset_s)
            assert any(n.startswith("form was still settling") and "cadence" in n for n in f.notes), f.notes
    assert sum(o is not None for o in onsets) <= 1, onsets


def test_onset_at_the_baseline_start_is_not_called_held_form():
    """A real triathlon's 26-min run leg: cadence slips from the start (163 to
    161 spm), so the onset is the first allowed moment, the baseline's start.
    The headline said "form held for 3 min" until session 12."""
    need_real()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = gaitlab.fatigue(REAL / "fit-running-dynamics" / "mk-fr255-triathlon-summary-last.fit")
    assert f.onset_s is not None and f.onset_s - f.baseline_s[0] <= 60, (f.onset_s, f.baseline_s)
    text = headline(f)
    assert text.startswith("form was already changing when the baseline began") and "cadence fell" in text, text


def _ironman_run_fatigue():
    need_real()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gaitlab.fatigue(REAL / "fit-running-dynamics" / "sl-fr935-triathlon-rd-stryd.fit")


def test_real_ironman_run_settling_is_not_an_onset():
    """The run of a real Ironman file (3 h 39 min off the bike): cadence 4.1
    and bounce 2.3 baseline SDs off before the baseline (its first 5 min of
    running, 7.7 min of the recording: it stops and walks at first). It was
    reported as a jump in cadence at the baseline's start (5.0 min) until the
    warm-up was left out of such fits; the settling is named in the notes
    instead, and what the table reports for cadence is the change after it
    (measured: -3.1 spm, 2.2 baseline SDs, by the end), not the settling's
    size. Until session 27 whole time bins counted as running, and the
    baseline began at 5.0 min of the recording (then contact time was 2.7
    SDs off too, cadence 5.9)."""
    f = _ironman_run_fatigue()
    assert f.duration_s > 3 * 3600
    settling = [n for n in f.notes if n.startswith("form was still settling")]
    assert settling and "cadence" in settling[0] and "vertical bounce" in settling[0], f.notes
    assert f.onset_shape != "step", (f.onset_s, f.onset_shape)
    cadence = f.metrics.loc["cadence_spm"]
    assert cadence["change_shape"] != "step" and abs(cadence["end_change_sd"]) < 3, cadence
    # step length (computed by the watch from pace and cadence) ends 0.1 SD
    # off: not what broke down, though session 26 named it so for a while
    step = f.metrics.loc["step_length_mm"]
    assert abs(step["end_change_sd"]) < 1 and "step length" not in headline(f), (step, headline(f))


@pytest.mark.xfail(
    strict=True,
    reason="measured: an onset at 10.5 min of the recording (8 min of running), 2.8 min after the baseline's start "
    "(95 % interval 8.3-103 min: the joint evidence is 75 at 10.5 min, 74 at 20 min, 70 at 60 min), a drift over the "
    "whole run in cadence (-3.1 spm at matched pace by the end, 2.2 baseline SDs) and Stryd form power (+1.4 W, 1.1 "
    "SDs), since the aid stations' walking (7 % of its records at 120-135 steps/min) no longer enters the bins; with "
    "those walks in, their bins were spikes that set the noise level, and no onset was called. The run slows from "
    "3.9 to 3.0 m/s over the same hours, so a drift from the start and the pace term are hard to tell apart (issue 4 "
    "notes: session 25 5.9 min, interval 5.5-101 min; session 26 6.0 min, 5.5-96 min, evidence 77 -> 68, before "
    "session 27 counted running time record by record, not in whole bins)",
)
def test_real_ironman_run_holds_form_for_20_min():
    """The check this file had until session 25: no onset in the first 20 min
    (the truth of a real run is not known; this was a judgement that the early
    minutes are settling, not fatigue)."""
    f = _ironman_run_fatigue()
    assert f.onset_s is None or f.onset_s > 20 * 60, f.onset_s


def test_real_iron_distance_marathon_walk_breaks_are_not_running_form():
    """The 5.5-hour marathon of a real iron-distance triathlon, with walk
    breaks (a third of its records: 120-135 steps/min, bounce ~40 mm, no
    contact time from the Garmin strap, which leaves it out while its wearer
    walks). Every time bin of the fatigue analysis holds the records fitparse
    reads as running (contact time given, 140 steps/min or more, 1 m/s or
    more, in stretches of 10 s or more) and has their median bounce, contact
    time and cadence. Measured: 0 mm, 0.5 ms and 1 step/min at most, over 199
    bins. Before session 25 the walks entered the bins (bounce 8-41 mm off per
    half hour); before session 26 the 4 records of running for 1-2 s at a
    walk's edge were bins of their own, and the last (contact time 403-438
    ms, 9 min into the run's last walk) was the run's end: "form held for 293
    min, then ground contact time rose from 299 to 401 ms". Form held is its
    211 min of running, not the 288 min from its first running record to its
    last (until session 27)."""
    need_real()
    path = REAL / "fit-running-dynamics" / "gc-fenix5x-multisport-rd-stryd.fit"
    import fitparse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        msgs = [(m.name, {f.name: f.value for f in m.fields})
                for m in fitparse.FitFile(str(path), check_crc=False).get_messages(["session", "record"])]
    t0 = next(d["start_time"] for name, d in msgs if name == "session" and d.get("sport") == "running")
    fp = [d for name, d in msgs if name == "record" and d["timestamp"] >= t0]
    rows = [((r["timestamp"] - t0).total_seconds(), r.get("vertical_oscillation"), r.get("stance_time"),
             r.get("cadence"), r.get("enhanced_speed", r.get("speed"))) for r in fp]
    t, vo, st, cad, sp = (np.array([np.nan if v is None else float(v) for v in col]) for col in zip(*rows))
    garmin_walking = (vo > 0) & ~(st > 0)
    assert garmin_walking.mean() > 0.3
    running = (st > 0) & (2 * cad >= 140) & (sp >= 1.0)
    long = np.array(without_short_stretches(list(t), list(running)))
    # 4 records at walks' edges, 1-2 s of them at a time: 142-154 steps/min
    # but contact time 367-444 ms and bounce 24-44 mm
    assert (running & ~long).sum() == 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = gaitlab.fatigue(path)
    s = f.series
    width = float(np.median(np.diff(s["t_s"])))
    for i, b in s.iterrows():
        theirs = long & (t >= b["t_s"] - width / 2) & ((t < b["t_s"] + width / 2) | (i == len(s) - 1))
        assert (b["n"] > 0) == theirs.any(), b
        if theirs.any():
            assert abs(b["vertical_oscillation_mm"] - np.median(vo[theirs])) <= 1.0, b
            assert abs(b["stance_time_ms"] - np.median(st[theirs])) <= 1.0, b
            assert abs(b["cadence_spm"] - np.median(2 * cad[theirs])) <= 1.0, b
    # form held to the end: for as long as it ran (each record until the next,
    # 1 s), its walks left out, not the 288 min from its first running record
    # to its last; 4 records without cadence, bounce or contact time (nothing
    # says they were walked) count as running
    blank = np.isnan(cad) & np.isnan(vo) & np.isnan(st) & (sp >= 1.0)
    ran = np.array(without_short_stretches(list(t), list(running | blank)))
    assert (ran & ~long).sum() == 4
    dist = np.array([np.nan if r.get("distance") is None else float(r["distance"]) for r in fp])
    secs, metres = np.diff(t, append=t[-1] + 1), np.diff(dist, append=np.nan)
    assert f.onset_s is None and abs(f.held_s - secs[ran].sum()) <= 1.0, (f.held_s, secs[ran].sum())
    assert abs(f.held_m - np.nansum(metres[ran])) <= 10.0, (f.held_m, np.nansum(metres[ran]))
    assert f.duration_s - f.held_s > 60 * 60 and "of running" in headline(f), headline(f)


def test_analyze_cli_json_has_fatigue_for_fit(tmp_path):
    from click.testing import CliRunner

    from gaitlab.cli import main

    out = tmp_path / "out.json"
    res = CliRunner().invoke(main, ["analyze", str(DATA / "stryd-run.fit"), "--json", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    fat = doc["fatigue"]
    assert set(fat) >= {"onset_s", "onset_ci_s", "metrics", "cue_windows"}
    assert {"stance_time_ms", "vertical_oscillation_mm", "leg_spring_stiffness_kn_m"} <= set(fat["metrics"])
    assert doc["steps"] == [] and "fatigue" in res.output


@pytest.mark.parametrize("seed,profile", [(1, "steady"), (2, "hills"), (4, "intervals")])
def test_analyze_cli_json_onset_of_a_simulated_run_written_as_fit(tmp_path, seed, profile):
    """A simulated Garmin run written by a peer writer (fit-tool) in the FIT
    profile's native running-dynamics fields and read back through the CLI:
    the records are the simulator's to FIT resolution, and the JSON's onset is
    the in-memory run's and within 2 min of the truth. Measured: every column
    equal but cadence (within 1/64 spm); onsets 1702.5, 1522.5, 1237.5 s
    against the truths 1751, 1543 and 1201 s."""
    from click.testing import CliRunner

    from fitwriter import write_running_dynamics_run
    from gaitlab.cli import main

    fat = _fit_fatigue(seed, "garmin")
    sim = simulate_fit_run(3600.0, seed, profile=profile, fatigue=fat, device="garmin", wander=False)
    path, out = tmp_path / "run.fit", tmp_path / "out.json"
    write_running_dynamics_run(path, sim.run.records)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = gaitlab.read(path).records
        in_memory = gaitlab.fatigue(sim.run).onset_s
    for col in ("stance_time_ms", "stance_time_pct", "stance_time_balance_left_pct", "vertical_oscillation_mm",
                "vertical_ratio_pct", "step_length_mm", "speed_mps", "distance_m", "cadence_spm"):
        np.testing.assert_allclose(back[col], sim.run.records[col], atol=1 / 64 if col == "cadence_spm" else 1e-6,
                                   err_msg=col)
    res = CliRunner().invoke(main, ["analyze", str(path), "--json", str(out)])
    assert res.exit_code == 0, res.output
    onset = json.loads(out.read_text())["fatigue"]["onset_s"]
    assert onset == in_memory and abs(onset - fat["onset_s"]) <= 120, (onset, in_memory, fat["onset_s"])


# ------------------------------------------------------- FIT running dynamics (simulated)

FIT_PROFILES = ["steady", "intervals", "fartlek", "hills", "track", "progressive"]
FIT_SEEDS = range(50)


def _fit_fatigue(seed: int, device: str, jump: bool = False) -> dict:
    """Onset 20-35 min into a 60-min run (at least 25 min of running after it);
    contact time +0.4-1.2 ms/min, oscillation +0.1-0.3 mm/min, cadence
    -0.1-0.3 spm/min at matched pace; Stryd also stiffness and form power.
    ``jump``: form breaks at once instead, by ten minutes' worth of those
    drifts (contact time +4-12 ms ...), complete 30 s after the onset."""
    r = np.random.default_rng((3000 if jump else 1000) + seed)
    size, key = (10.0, "{}_jump") if jump else (1.0, "{}_per_min")
    ranges = [("stance_time_ms", 0.4, 1.2, 1), ("vertical_oscillation_mm", 0.1, 0.3, 1), ("cadence_spm", 0.1, 0.3, -1)]
    if device == "stryd":
        ranges += [("leg_spring_stiffness_kn_m", 0.02, 0.06, -1), ("form_power_w", 0.2, 0.6, 1)]
    d = {"onset_s": float(r.uniform(1200, 2100))}
    for m, lo, hi, sign in ranges:
        d[key.format(m)] = sign * size * float(r.uniform(lo, hi))
    return d


_INDEX_METRICS = ("stance_time_ms", "vertical_oscillation_mm", "cadence_spm", "leg_spring_stiffness_kn_m", "form_power_w")


def _cue_check(f, truth) -> tuple[bool, float]:
    """Cue windows against the simulator's truth: (does one start more than 2 min
    before the true onset, the share of the run covered from 2 min after the
    true fatigue drift (in the run's own baseline SDs, averaged over the
    metrics as the index is) passed the cue band)."""
    ref = truth.reference
    t = ref["elapsed_s"].to_numpy(float)
    # as the index takes them: turned so that worse is positive, or either way
    z = np.mean([row.worse * ref[f"{m}_fatigue"].to_numpy(float) / row.baseline_sd
                 for m, row in f.metrics.iterrows() if m in _INDEX_METRICS], axis=0)
    covered = np.zeros(len(t), bool)
    for _, w in f.cue_windows.iterrows():
        covered |= (t >= w.start_s) & (t < w.end_s)
    early = bool((f.cue_windows["start_s"] < truth.onset_s - 120).any())
    beyond = np.flatnonzero(z > 2.0)
    after = t >= (t[beyond[0]] + 120 if len(beyond) else np.inf)
    return early, float(covered[after].mean()) if after.any() else np.nan


def _gls_hinge_onset(t_s: np.ndarray, series: list[tuple[np.ndarray, float, float, float, float]],
                     bin_s: float = 15.0) -> float:
    """The onset (s) an analyst who knew everything but the onset would find.

    ``series``: per metric ``(values, ar_sd, ar_tau_s, white_sd_per_bin, sign)``
    at the times ``t_s``: the metric with only fatigue, slow wander and noise
    left in it, the true AR(1) wander and white noise of the bin median, and
    the true drift direction. Each is binned (medians), fitted with a hinge by
    generalised least squares with that covariance; the onset minimises the
    residual summed over the metrics."""
    from scipy.linalg import solve_triangular

    b = (t_s // bin_s).astype(int)
    tb = pd.Series(t_s).groupby(b).mean().to_numpy() / 60
    cand = tb[(tb >= 5) & (tb <= tb.max() - 3)]
    total = np.zeros(len(cand))
    lag = np.abs(np.subtract.outer(np.arange(len(tb)), np.arange(len(tb))))
    for values, ar_sd, tau_s, white_sd, sign in series:
        y = pd.Series(values).groupby(b).median().to_numpy()
        ok = np.isfinite(y)
        cov = ar_sd**2 * np.exp(-bin_s / tau_s) ** lag + np.eye(len(tb)) * white_sd**2
        chol = np.linalg.cholesky(cov[np.ix_(ok, ok)])
        h = np.maximum(0.0, tb[ok][None, :] - cand[:, None])
        x = np.stack([np.ones_like(h), h], axis=-1)  # (cand, n, 2)
        xw = solve_triangular(chol, x.transpose(1, 0, 2).reshape(ok.sum(), -1), lower=True)
        xw = xw.reshape(ok.sum(), len(cand), 2).transpose(1, 0, 2)
        yw = solve_triangular(chol, y[ok], lower=True)
        coef = np.linalg.solve(np.einsum("mni,mnj->mij", xw, xw), np.einsum("mni,n->mi", xw, yw)[..., None])[..., 0]
        rss = ((yw[None] - np.einsum("mnp,mp->mn", xw, coef)) ** 2).sum(axis=1)
        total += np.where(np.sign(coef[:, 1]) == sign, rss, rss.max())
    return float(cand[np.argmin(total)] * 60)


def _oracle_onset(sim, bin_s: float = 15.0) -> float:
    """:func:`_gls_hinge_onset` of a simulated FIT run: each primary metric minus
    its true pace/grade effect, with the simulator's drift and device noise."""
    from gaitlab.simulate_fit import _MEAS_TAU_S, _SLOW_TAU_S, NOISE, SLOW_DRIFT_SD

    rec, ex, ref, dev = sim.run.records, sim.truth.expected, sim.truth.reference, sim.params["device"]
    # the device's AR(1) error averaged over a bin of 1-s records (times pi/2 for a median)
    lag = np.arange(-int(bin_s) + 1, int(bin_s))
    per_bin = np.sqrt(np.pi / 2 * np.sum((bin_s - np.abs(lag)) * np.exp(-np.abs(lag) / _MEAS_TAU_S)) / bin_s**2)
    series = [(rec[m].to_numpy(float) - (ex[m].to_numpy(float) - ref[f"{m}_fatigue"].to_numpy(float)),
               SLOW_DRIFT_SD[m], _SLOW_TAU_S, NOISE[dev][m] * per_bin, np.sign(rate))
              for m, rate in sim.truth.drifts.items() if m in NOISE[dev] and rate]
    return _gls_hinge_onset(rec["elapsed_s"].to_numpy(float), series, bin_s)


@lru_cache(maxsize=None)
def _fit_runs() -> dict[str, list]:
    out: dict[str, list] = {"fatigued": [], "fresh": [], "metric_onsets": [], "early_cue": [], "cue_cover": [],
                            "fresh_cue": [], "oracle": [], "device": [], "shape": [], "ci": [], "metric_ci": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the simulated glitches (a GPS dropout, a stop) are reported
        for profile in FIT_PROFILES:
            for seed in FIT_SEEDS:
                device = "stryd" if seed % 3 == 0 else "garmin"
                fat = _fit_fatigue(seed, device)
                sim = simulate_fit_run(3600.0, seed, profile=profile, fatigue=fat, device=device)
                f = gaitlab.fatigue(sim.run)
                out["fatigued"].append((fat["onset_s"], f.onset_s))
                out["shape"].append(f.onset_shape)
                out["ci"].append(f.onset_ci_s)
                moved = f.metrics.dropna(subset=["onset_s"])
                out["metric_ci"] += [lo <= fat["onset_s"] <= hi for m, lo, hi in
                                     zip(moved.index, moved["onset_ci_lo_s"], moved["onset_ci_hi_s"])
                                     if fat.get(f"{m}_per_min")]
                out["oracle"].append(_oracle_onset(sim))
                out["device"].append(device)
                early, cover = _cue_check(f, sim.truth)
                out["early_cue"].append(early)
                out["cue_cover"].append(cover)
                f0 = gaitlab.fatigue(simulate_fit_run(3600.0, seed + 500, profile=profile, device=device).run)
                out["fresh"].append(f0.onset_s)
                out["metric_onsets"] += list(f0.metrics["onset_s"].notna())
                out["fresh_cue"].append(len(f0.cue_windows) > 0)
    return out


@pytest.mark.xfail(
    strict=True,
    reason="measured 0.727 of 300 simulated FIT runs within +-2 min (Garmin 0.677, Stryd 0.824; median error "
    "1.28 min, signed median -0.4 min, 80 % within -2.6 to +2.6 min; no false onsets) with the simulator's noise "
    "calibrated on real watches (0.890 with the earlier, whiter noise; session 12: 0.723 -> 0.727). An oracle that knows the true pace/grade "
    "effects and noise model reaches 0.70 on the same runs (Garmin 0.64, Stryd 0.82): the form's slow wander "
    "hides the first minutes of these drifts (test_fit_runs_onset_as_good_as_an_oracle; issue 4 note, session 11); "
    "without that wander, drifts of the same sizes give 0.960 (test_fit_runs_without_form_wander_meet_the_issue_target)",
)
def test_fit_runs_onset_within_2_min():
    """Runs with pace changes, intervals, hills and track laps (gaitlab.simulate_fit)."""
    fatigued = _fit_runs()["fatigued"]
    hits = [found is not None and abs(found - truth) <= 120 for truth, found in fatigued]
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.3f} of {len(hits)}"


def test_fit_runs_onset_as_good_as_an_oracle():
    """The onset hit rate against what the data allows: an analyst who knew the
    true pace and grade effects and the true noise model (:func:`_oracle_onset`)
    on the same runs. The 0.9 target above is out of reach of the oracle too
    (0.70: the drifts are slow against the form's own wander). Measured: Garmin
    0.67 vs 0.64, Stryd 0.82 vs 0.82 (0.68 while form power entered only as
    its ratio to power, which adds the power's noise)."""
    runs = _fit_runs()
    dev = np.array(runs["device"])
    ours = np.array([f is not None and abs(f - t) <= 120 for t, f in runs["fatigued"]])
    oracle = np.array([abs(o - t) <= 120 for (t, _), o in zip(runs["fatigued"], runs["oracle"])])
    for d in ("garmin", "stryd"):
        assert ours[dev == d].mean() >= oracle[dev == d].mean() - 0.05, (d, ours[dev == d].mean(), oracle[dev == d].mean())


def test_fit_runs_onset_interval_holds_the_true_onset():
    """The 95 % intervals hold the true onset about 95 % of the time (at least
    0.925: 0.95 less two binomial standard errors for 300 runs). Measured: the
    run's 0.983 (median width 9.8 min), each drifting metric's 0.995; the
    textbook bound (3.84) gave 0.55 and 0.59 (before the simulator's noise was
    calibrated on real watches, when 25 gave 0.973 and 0.979)."""
    runs = _fit_runs()
    held = [ci is not None and ci[0] <= truth <= ci[1] for (truth, found), ci in zip(runs["fatigued"], runs["ci"])
            if found is not None]
    assert np.mean(held) >= 0.925, np.mean(held)
    assert len(runs["metric_ci"]) >= 500 and np.mean(runs["metric_ci"]) >= 0.925, np.mean(runs["metric_ci"])


def test_fit_runs_without_fatigue_rarely_get_an_onset():
    runs = _fit_runs()
    false = [found is not None for found in runs["fresh"]]
    metric_onsets = runs["metric_onsets"]
    assert np.mean(false) <= 0.05, f"{np.mean(false):.3f} of {len(false)}"
    # and the per-metric table rarely says a metric moved when none did
    assert np.mean(metric_onsets) <= 0.02, f"{np.mean(metric_onsets):.3f} of {len(metric_onsets)}"


def _fit_sims(seeds: range, change=None, duration_s: float = 3600.0,
              wander: bool = False) -> list[tuple[float | None, float | None]]:
    """(true onset, found onset) of fatigued simulated FIT runs (without the
    form's wander unless ``wander``), and (None, found onset) of fresh ones
    (``change`` None): every profile x seed; ``change(fat, seed)`` edits each
    run's fatigue."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for profile in FIT_PROFILES:
            for seed in seeds:
                device = "stryd" if seed % 3 == 0 else "garmin"
                fat = None
                if change is not None:
                    fat = _fit_fatigue(seed, device)
                    change(fat, seed)
                sim = simulate_fit_run(duration_s, seed if fat else seed + 500, profile=profile, fatigue=fat,
                                       device=device, wander=wander)
                out.append((fat["onset_s"] if fat else None, gaitlab.fatigue(sim.run).onset_s))
    return out


def _within_2_min(runs: list[tuple[float | None, float | None]]) -> list[bool]:
    return [found is not None and abs(found - truth) <= 120 for truth, found in runs]


def test_fit_runs_without_form_wander_meet_the_issue_target():
    """The issue's targets where form holds steady but for fatigue (measurement
    noise only, ``wander=False``): >= 90 % of onsets within +-2 min, <= 5 %
    false onsets. What keeps the runs above (the form's slow wander, calibrated
    on real watches) short of them is that wander, not the method. Runners
    differ in which way their bounce goes as they tire: on odd seeds vertical
    oscillation falls instead of rising, against its direction in
    :data:`~gaitlab.fatigue.series.METRICS`. Measured on these 150 runs: 0.960
    within 2 min (bounce rising 1.000, falling 0.917), median error 0.6 min,
    no false onsets."""

    def bounce(fat: dict, seed: int) -> None:
        fat["vertical_oscillation_mm_per_min"] *= -1 if seed % 2 else 1

    hits = _within_2_min(_fit_sims(range(25), bounce))
    false = [found is not None for _, found in _fit_sims(range(25))]
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.3f} of {len(hits)}"
    assert np.mean(false) <= 0.05, f"{np.mean(false):.3f} of {len(false)}"


def test_fit_runs_with_a_late_onset_are_found():
    """Onsets 45-50 min into a 60-min run leave 10-15 min of drift, a few
    baseline SDs by the end (without wander). Measured on these 60 runs:
    found 0.983, within 2 min 0.85 (min_joint_stat 80, before session 14:
    0.917 and 0.80; on seeds 10-39: 0.906 and 0.79, against 0.861 and 0.75)."""

    def late(fat: dict, seed: int) -> None:
        fat["onset_s"] = 2700.0 + (fat["onset_s"] - 1200.0) / 3

    runs = _fit_sims(range(10), late)
    found = [f is not None for _, f in runs]
    hits = _within_2_min(runs)
    assert np.mean(found) >= 0.95, f"{np.mean(found):.3f} of {len(found)}"
    assert np.mean(hits) >= 0.8, f"{np.mean(hits):.3f} of {len(hits)}"


def test_fit_runs_of_3_hours():
    """The tests above are of 60-min runs; these last 3 hours, with the form's
    wander as calibrated on real watches. The baseline is still minutes 5-15,
    the bins are 45 s (at most 240 a run), the speed and grade models reach
    further. The same drifts as above, from an onset a third to two thirds
    into the run. Measured on these 60 fatigued and 60 fresh runs: 1.000
    within 2 min (median error 0.39 min), no false onset. The same seeds and
    drifts in 90-min runs (onsets 30-60 min in) give 0.750 (Garmin 0.69, Stryd
    0.83; none missed, no false onset): as at 60 min
    (test_fit_runs_onset_within_2_min), the wander hides the first minutes of
    a drift; over 60-120 min of drift it no longer does."""

    def later(fat: dict, seed: int) -> None:
        fat["onset_s"] = 3600.0 + (fat["onset_s"] - 1200.0) / 900.0 * 3600.0  # 60-120 min

    hits = _within_2_min(_fit_sims(range(10), later, 10800.0, wander=True))
    false = [found is not None for _, found in _fit_sims(range(10), None, 10800.0, wander=True)]
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.3f} of {len(hits)}"
    assert np.mean(false) <= 0.05, f"{np.mean(false):.3f} of {len(false)}"


@lru_cache(maxsize=None)
def _thirty_min_runs() -> tuple[list[bool], list[bool]]:
    """Within 2 min, and false onsets, of 30-min runs without wander."""

    def earlier(fat: dict, seed: int) -> None:
        fat["onset_s"] = 900.0 + (fat["onset_s"] - 1200.0) / 900.0 * 300.0  # 15-20 min

    hits = _within_2_min(_fit_sims(range(10), earlier, 1800.0))
    return hits, [found is not None for _, found in _fit_sims(range(10), None, 1800.0)]


def test_fit_runs_of_30_min_hold_no_false_onset():
    """30-min runs without fatigue (and without wander): no onset is made up
    where the baseline is scaled down to minutes 3.3-10. Measured on these 60:
    none."""
    false = _thirty_min_runs()[1]
    assert np.mean(false) <= 0.05, f"{np.mean(false):.3f} of {len(false)}"


@pytest.mark.xfail(
    strict=True,
    reason="measured 0.850 of these 60 within +-2 min (0.883 found, median error 0.48 min); an analyst who knows "
    "there is an onset, the pace effects and the noise model times 0.883 of them within 2 min (session 28). On "
    "120 other 30-min runs (seeds 500-519, drifts drawn alike) 0.69 against that analyst's 0.95: there 22 % of "
    "the onsets are not found, their 10-15 min of drift gathering less joint evidence than the 60 an onset "
    "needs (at 50: 0.84 found, 0.75 within 2 min, but 4 false onsets in the 300 fresh 60-min runs with wander)",
)
def test_fit_runs_of_30_min():
    """The issue's target on 30-min runs without the form's wander: the same
    drifts as the 60-min runs from an onset 15-20 min in."""
    hits = _thirty_min_runs()[0]
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.3f} of {len(hits)}"


def test_fit_runs_cue_windows_against_truth():
    """Cue windows (no target in the issue; ours): they cover the stretch where
    the true drift is beyond the band (from 2 min after it got there), seldom
    start more than 2 min before the true onset, and seldom appear at all in
    runs without fatigue."""
    runs = _fit_runs()
    cover = np.array(runs["cue_cover"])
    assert np.nanmean(cover >= 0.9) >= 0.9, np.nanquantile(cover, [0.05, 0.1, 0.5])
    assert np.mean(runs["early_cue"]) <= 0.10, np.mean(runs["early_cue"])
    assert np.mean(runs["fresh_cue"]) <= 0.15, np.mean(runs["fresh_cue"])


def _with_walk_breaks(run, seed: int, every_s: float = 480.0, first_s: float = 240.0):
    """``run`` with walk breaks every ``every_s`` from ``first_s`` on, growing
    from 30 s to 180 s over the run (a run/walk ultra walks more as it goes).
    Returns the run and which records were walked."""
    rec = run.records.copy()
    t = rec["elapsed_s"].to_numpy(float)
    walk = (t >= first_s) & ((t - first_s) % every_s < 30.0 * (1 + 5 * t / t.max()))
    _walk(rec, walk, np.random.default_rng(seed))
    return dataclasses.replace(run, records=rec), walk


def _walk(rec: pd.DataFrame, walk: np.ndarray, r: np.random.Generator) -> None:
    """Walking in the records ``walk`` of ``rec`` (in place): 125 steps/min,
    1.5 m/s, bounce 42 mm; a Garmin strap leaves contact time out while
    walking (its manual), a Stryd pod reports it (520 ms)."""
    n = int(walk.sum())
    cadence, speed = np.round(r.normal(125, 3, n)), r.normal(1.5, 0.08, n)
    walking = {"cadence_spm": cadence, "speed_mps": speed, "vertical_oscillation_mm": r.normal(42, 3, n),
               "stance_time_balance_left_pct": np.nan, "stance_time_pct": np.nan,
               "stance_time_ms": r.normal(520, 20, n) if "leg_spring_stiffness_kn_m" in rec else np.nan,
               "form_power_w": r.normal(40, 3, n), "leg_spring_stiffness_kn_m": r.normal(6, 0.5, n),
               "power_w": r.normal(120, 5, n), "step_length_mm": speed / (cadence / 60) * 1000}
    for c, v in walking.items():
        if c in rec:
            rec.loc[walk, c] = v
    if "vertical_ratio_pct" in rec:
        vo, step = rec.loc[walk, "vertical_oscillation_mm"], rec.loc[walk, "step_length_mm"]
        rec.loc[walk, "vertical_ratio_pct"] = 100 * vo / step
    rec["distance_m"] = np.cumsum(np.nan_to_num(rec["speed_mps"].to_numpy(float)))


def _with_walks_around(run, seed: int, before_s: float = 1200.0, after_s: float = 600.0):
    """``run`` walked for its first ``before_s`` and its last ``after_s`` (to
    the start, and a cool-down), with a few seconds of running in those walks:
    a 2-8 s jog every 1-2 min of the first, and 3 min into the last, 2
    records at 148 steps/min with a walk's contact time (420 ms) and bounce
    (41 mm), as a Garmin strap wrote them 9 min into the last walk of a real
    iron-distance marathon (``gc-fenix5x-multisport-rd-stryd``). Returns the
    run and which records were not running form (the walks with their jogs
    and 2 records)."""
    rec = run.records.copy()
    r = np.random.default_rng(seed)
    t = rec["elapsed_s"].to_numpy(float)
    walk = (t < before_s) | (t >= t.max() - after_s)
    jog = np.zeros(len(t), bool)
    for start in np.cumsum(r.uniform(60, 120, 30)):
        if start < before_s - 10:
            jog |= (t >= start) & (t < start + r.integers(2, 9))
    _walk(rec, walk & ~jog, r)
    blip = (t >= t.max() - after_s + 180) & (t < t.max() - after_s + 182)
    for c, v in (("cadence_spm", 148.0), ("stance_time_ms", 420.0), ("vertical_oscillation_mm", 41.0)):
        rec.loc[blip, c] = v
    return dataclasses.replace(run, records=rec), walk


def _running_truth(run, ran: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A simulated run's record times, its running records (``ran`` less its
    stretches under 10 s; 1 s apart, so each stands for 1 s) and the distance
    from each record to the next."""
    t = run.records["elapsed_s"].to_numpy(float)
    ran = np.array(without_short_stretches(t.tolist(), ran.tolist()))
    return t, ran, np.diff(run.records["distance_m"].to_numpy(float), append=np.nan)


def _check_held(f, run, ran: np.ndarray) -> None:
    """``f.held_s`` and ``f.held_m`` against the simulated run's running
    records (:func:`_running_truth`) before the onset, or all of them when
    form held: walks and stops are not form endurance."""
    t, ran, step_m = _running_truth(run, ran)
    before = ran & (t < (f.onset_s if f.onset_s is not None else np.inf))
    assert f.held_s == pytest.approx(before.sum(), abs=1.5), (f.held_s, before.sum())
    assert f.held_m == pytest.approx(np.nansum(step_m[before]), abs=10.0), (f.held_m, np.nansum(step_m[before]))


def test_fit_runs_with_walk_breaks():
    """Run/walk: walk breaks every 8 min, 30 s at first, 3 min by the end. The
    walks are not running form, and a growing share of walking in the bins
    would read as form changing. Measured on these 40 fatigued and 40 fresh
    runs (no wander): 1.000 within 2 min (median error 0.68 min), no false
    onset; while walks entered the bins when their cadence was 120 or more
    (before session 25), 0.450 (Garmin 0.667, Stryd 0.125; median error 2.4
    min) and 10 false onsets of 40."""
    hits, false = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for profile in ("steady", "hills", "fartlek", "progressive"):
            for seed in range(10):
                device = "stryd" if seed % 3 == 0 else "garmin"
                fat = _fit_fatigue(seed, device)
                sim = simulate_fit_run(3600.0, seed, profile=profile, fatigue=fat, device=device, wander=False)
                run, walk = _with_walk_breaks(sim.run, seed)
                f = gaitlab.fatigue(run)
                hits.append(f.onset_s is not None and abs(f.onset_s - fat["onset_s"]) <= 120)
                # left out: the walks and the simulated traffic-light stop, nothing else
                stopped = sim.run.records["speed_mps"].to_numpy(float) < 1.0
                assert f"{int((walk | stopped).sum())} of {len(walk)} records left out" in f.notes[0], f.notes
                _check_held(f, run, ~(walk | stopped))
                fresh = simulate_fit_run(3600.0, seed + 500, profile=profile, device=device, wander=False)
                run, walk = _with_walk_breaks(fresh.run, seed)
                f = gaitlab.fatigue(run)
                false.append(f.onset_s is not None)
                if f.onset_s is None:
                    _check_held(f, run, ~(walk | (fresh.run.records["speed_mps"].to_numpy(float) < 1.0)))
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.3f} of {len(hits)}"
    assert np.mean(false) <= 0.05, f"{np.mean(false):.3f} of {len(false)}"


def test_fit_runs_with_a_walk_before_and_after():
    """A walk to the start (20 min, with a few seconds' jog every minute or
    two) and a cool-down walk (10 min) recorded with the run: the baseline is
    the runner's 5th to 15th minute of running, and the end is the end of the
    running, not of the recording. Measured on these 24 fatigued and 24 fresh
    runs (no wander): 1.000 within 2 min (median error 0.89 min), no false
    onset. Before session 26 the jogs were the baseline and the 2 records in
    the last walk its end: 0.750 within 2 min and a false onset in all 24
    fresh runs; with those short runs left out but the windows in the
    recording's time, no baseline (all 24 an error)."""
    hits, false = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for profile in ("steady", "hills", "fartlek"):
            for seed in range(8):
                device = "stryd" if seed % 3 == 0 else "garmin"
                fat = _fit_fatigue(seed, device)
                fat["onset_s"] += 1200.0
                sim = simulate_fit_run(5400.0, 900 + seed, profile=profile, fatigue=fat, device=device, wander=False)
                run, walk = _with_walks_around(sim.run, seed)
                f = gaitlab.fatigue(run)
                hits.append(f.onset_s is not None and abs(f.onset_s - fat["onset_s"]) <= 120)
                # the baseline: from 5 min into the running, the simulator's 300th
                # running record (within a bin's width; measured: within 1 s, and
                # 30 s after minute 25 where a stop in those 5 min stood for 30 s)
                stopped = sim.run.records["speed_mps"].to_numpy(float) < 1.0
                t, ran, _ = _running_truth(run, ~(walk | stopped))
                assert abs(f.baseline_s[0] - t[np.searchsorted(np.cumsum(ran), 300)]) <= 5400 / 240, f.baseline_s
                assert f"{int((walk | stopped).sum())} of {len(walk)} records left out" in f.notes[0], f.notes
                _check_held(f, run, ~(walk | stopped))
                fresh = simulate_fit_run(5400.0, 950 + seed, profile=profile, device=device, wander=False)
                run, walk = _with_walks_around(fresh.run, seed)
                f = gaitlab.fatigue(run)
                false.append(f.onset_s is not None)
                if f.onset_s is None:
                    _check_held(f, run, ~(walk | (fresh.run.records["speed_mps"].to_numpy(float) < 1.0)))
    assert np.mean(hits) >= 0.9, f"{np.mean(hits):.3f} of {len(hits)}"
    assert np.mean(false) <= 0.05, f"{np.mean(false):.3f} of {len(false)}"


def test_headline_of_a_recording_mostly_walked():
    """A 90-min recording that runs 90 s and walks 3.5 min, over and over (a
    hike with some running: ``sl-suunto-trail-run-2h40`` in ../shared has 10
    min of running in 158 min): the headline gives the minutes of running and,
    as they are under half the time, the recording's minutes up to the onset
    or the end, so "27 min of running" does not read as a 27-min run."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed, fat in ((951, None), (902, _fit_fatigue(2, "garmin"))):
            if fat:
                fat["onset_s"] = 2700.0
            sim = simulate_fit_run(5400.0, seed, profile="steady", fatigue=fat, device="garmin", wander=False)
            rec = sim.run.records.copy()
            walk = rec["elapsed_s"].to_numpy(float) % 300 >= 90
            _walk(rec, walk, np.random.default_rng(seed))
            run = dataclasses.replace(sim.run, records=rec)
            f = gaitlab.fatigue(run)
            t, ran, _ = _running_truth(run, ~(walk | (sim.run.records["speed_mps"].to_numpy(float) < 1.0)))
            out.append((f, t, ran))
    (f, t, ran), (g, tg, rang) = out
    assert f.onset_s is None
    span = t[ran][-1] + 1 - t[ran][0]  # held to the end: the running's span
    assert headline(f) == (f"form held to the end ({ran.sum() / 60:.0f} min / {f.held_m / 1000:.1f} km of running in "
                           f"{span / 60:.0f} min): no lasting change from the baseline")
    before = rang & (tg < g.onset_s) if g.onset_s is not None else rang
    # found within 2 min of running of the truth (the walks between make its
    # time in the recording loose by a walk's 3.5 min)
    assert g.onset_s is not None and abs(before.sum() - (rang & (tg < 2700.0)).sum()) <= 120, g.onset_s
    assert headline(g).startswith(f"form held for {before.sum() / 60:.0f} min / "), headline(g)
    assert f" km of running in {g.onset_s / 60:.0f} min, then " in headline(g), headline(g)


def test_endurance_command_counts_the_running_only(tmp_path):
    """``gaitlab endurance`` on a run recorded with a 20-min walk to the start
    and a cool-down walk, written as FIT (fit-tool): form held is the minutes
    and km of running before the onset (the simulator's running records, 1 s
    each), and the table says so, and where in the recording the onset is.
    Until session 27 it held for the onset's time in the recording, the walk
    to the start included (20 min more)."""
    from fitwriter import T0_MS, write_running_dynamics_run

    fat = _fit_fatigue(1, "garmin")
    fat["onset_s"] += 1200.0
    sim = simulate_fit_run(5400.0, 901, profile="steady", fatigue=fat, device="garmin", wander=False)
    run, walk = _with_walks_around(sim.run, 1)
    path, out = tmp_path / "walk-run.fit", tmp_path / "endurance.json"
    write_running_dynamics_run(path, run.records, T0_MS)
    proc = run_gaitlab("endurance", str(path), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    r = json.loads(out.read_text())["runs"][0]
    assert abs(r["onset_min"] * 60 - fat["onset_s"]) <= 120, (r, fat["onset_s"])
    t, ran, step_m = _running_truth(run, ~(walk | (sim.run.records["speed_mps"].to_numpy(float) < 1.0)))
    before = ran & (t < r["onset_min"] * 60)
    assert r["held_min"] == pytest.approx(before.sum() / 60, abs=0.05), (r, before.sum() / 60)
    assert r["held_km"] == pytest.approx(np.nansum(step_m[before]) / 1000, abs=0.02), r
    assert r["running_min"] == pytest.approx(ran.sum() / 60, abs=0.05), (r, ran.sum() / 60)
    line = next(ln for ln in proc.stdout.splitlines() if path.name in ln)
    assert (f"{r['held_min']:.0f} min / {r['held_km']:.1f} km of running (onset {r['onset_min']:.0f} min into the "
            "recording, 95 % interval") in line, line


def test_fit_runs_with_a_jump():
    """Form can break rather than slip. A drift fitted to a jump puts the onset
    ~12 min early (measured on these 32 runs with ``shapes=("ramp",)``: none
    within 2 min, median error -12.4 min); the jump is a second shape the fit
    tries (30 of 32 within 2 min, median error +0.3 min, 30 called a jump)."""
    hits, shapes, sizes = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for profile in ("steady", "fartlek", "hills", "intervals"):
            for seed in range(8):
                device = "stryd" if seed % 3 == 0 else "garmin"
                fat = _fit_fatigue(seed, device, jump=True)
                sim = simulate_fit_run(3600.0, 700 + seed, profile=profile, fatigue=fat, device=device)
                f = gaitlab.fatigue(sim.run)
                hits.append(f.onset_s is not None and abs(f.onset_s - fat["onset_s"]) <= 120)
                shapes.append(f.onset_shape)
                row = f.metrics.loc["stance_time_ms"]
                if row["change_shape"] == "step":
                    sizes.append((row["end_change"], fat["stance_time_ms_jump"], row["drift_per_10min"]))
    assert np.mean(hits) >= 0.9, np.mean(hits)
    assert np.mean([s == "step" for s in shapes]) >= 0.9, shapes
    # the table's change is the jump (end of run vs baseline; the slow wander
    # moves it by ~2 ms), and a jump is not a drift
    sizes = np.array(sizes)
    assert len(sizes) >= 20 and np.median(np.abs(sizes[:, 0] - sizes[:, 1])) <= 2.0, sizes
    assert (sizes[:, 2] == 0).all()


def test_fit_runs_whose_drift_levels_off():
    """Form can slip fast and then settle into a worse form: the simulator's
    drifts level off with a time constant of 8 min (``level_tau_s``), starting
    at three times the drifting runs' rates, so they change about as much by
    the end. A hinge fitted to that puts the onset early (measured on these 30
    runs with ``shapes=("ramp", "step")``: 0 of 30 within 2 min, median error
    -6.1 min); with the levelling shapes 18 of 30 (0.60; 0.70 on 60 other
    runs), median error -0.7 min, 18 called "levelling", and the end change is
    the true one (median ratio 1.04). Still short of the steady drifts' 0.73."""
    hits, shapes, ratios = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for profile in FIT_PROFILES:
            for seed in range(5):
                device = "stryd" if seed % 3 == 0 else "garmin"
                fat = {k: 3 * v if k.endswith("_per_min") else v for k, v in _fit_fatigue(60 + seed, device).items()}
                fat["level_tau_s"] = 480.0
                sim = simulate_fit_run(3600.0, 800 + seed, profile=profile, fatigue=fat, device=device)
                f = gaitlab.fatigue(sim.run)
                hits.append(f.onset_s is not None and abs(f.onset_s - fat["onset_s"]) <= 120)
                shapes.append(f.onset_shape)
                ref = sim.truth.reference
                last = ref["elapsed_s"] >= ref["elapsed_s"].iloc[-1] - 300
                ratios.append(f.metrics.loc["stance_time_ms", "end_change"]
                              / ref.loc[last, "stance_time_ms_fatigue"].mean())
    assert np.mean(hits) >= 0.5, np.mean(hits)
    assert np.mean([s == "levelling" for s in shapes]) >= 0.5, shapes
    assert 0.8 <= np.median(ratios) <= 1.2, np.round(ratios, 2)


def test_fit_runs_with_a_drift_are_called_a_drift():
    """The jump shape does not take over from plain drifts (measured: 300 of 300 "ramp")."""
    found = [s for s in _fit_runs()["shape"] if s is not None]
    assert np.mean([s == "ramp" for s in found]) >= 0.9, pd.Series(found).value_counts()


def test_fit_file_with_imu_and_records(tmp_path):
    """A FIT file with a pelvis sensor's raw IMU messages and the watch's records
    (speed, distance; written by the peer writer fit-tool): the fatigue analysis
    takes its per-step metrics from the IMU and the pace from the records."""
    from fitwriter import write_imu_run

    fat = {"onset_s": 480.0, "drop_left_per_min": 0.4, "gct_per_min": 2.0}
    sim = simulate.simulate_run(duration_s=960.0, rate_hz=50.0, seed=31, mounting="random", standing_s=4.0,
                                speed_mps=3.4, fatigue=fat)
    imu = sim.run.imu
    acc_cal = {"factor": 1, "divisor": 4096, "level_shift": 32768, "offset": [0, 0, 0], "matrix": np.eye(3)}
    gyr_cal = {"factor": 1, "divisor": 16, "level_shift": 32768, "offset": [0, 0, 0], "matrix": np.eye(3)}

    def counts(values, cal):
        return np.rint(values * cal["divisor"] / cal["factor"] + cal["level_shift"])

    acc = imu[["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]].to_numpy() / 9.80665
    gyr = imu[["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]].to_numpy()
    path = tmp_path / "pelvis-and-watch.fit"
    write_imu_run(path, counts(acc, acc_cal), counts(gyr, gyr_cal), 50, acc_cal, gyr_cal, speed_mps=3.4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = gaitlab.fatigue(path)
    assert f.source == "imu"
    # the pace comes from the records: matched at the watch's speed, no "no speed" note
    assert f.series["speed_mps"].dropna().between(3.3, 3.5).all() and f.series["speed_mps"].notna().mean() > 0.9
    assert not any("no speed" in n for n in f.notes), f.notes
    assert abs(f.onset_s - fat["onset_s"]) <= 120, f.onset_s
    assert f.onset_distance_m == pytest.approx(3.4 * f.onset_s, rel=0.02)
    assert f.metrics.loc["pelvic_drop_left_deg", "onset_s"] == pytest.approx(fat["onset_s"], abs=120)


# ------------------------------------------------------- RunScribe (real per-step values)

def _runscribe_records(drift_g_per_min: float, onset_s: float, duration_s: int = 3000) -> np.ndarray:
    """(duration_s, 13) RunScribe developer-field values a second: the real per-step
    values of a RunScribe right-foot recording (../shared/data/real/runscribe-steps),
    the latest step at each second; the left foot the same file half a run later;
    ``drift_g_per_min`` added to the right foot's impact after ``onset_s``."""
    d = pd.read_csv(REAL / "runscribe-steps" / "run_37075right.csv", skiprows=[1], skipinitialspace=True)
    d.columns = [c.strip() for c in d.columns]
    cols = ["braking_gs", "impact_gs", "footstrike_type", "pronation_fs_mp", "contact_time (ms)"]
    t = np.arange(duration_s, dtype=float)
    idx = np.clip(np.searchsorted(d["time (s)"].to_numpy(), t + 5.0), 0, len(d) - 1)
    right = d[cols].to_numpy(float)[idx]
    left = d[cols].to_numpy(float)[(idx + len(d) // 2) % len(d)]
    right[:, 1] += drift_g_per_min * np.maximum(t - onset_s, 0) / 60
    flight = np.full((duration_s, 1), 30.0)
    foot = lambda x: np.column_stack([x[:, :4], flight, x[:, 4:]])  # noqa: E731  field order 0-5
    return np.column_stack([foot(left), foot(right), np.full(duration_s, 250.0)])


def test_runscribe_metrics_enter_the_fatigue_analysis(tmp_path):
    """A RunScribe FIT file (written by fit-tool from real per-step values) with a
    known drift injected into the right foot's impact from minute 30: +0.5 g/min,
    10 g by the end, about 4 of the bins' baseline SDs. (Weaker drifts, 0.3 g/min,
    are not called on this recording: it has no speed or grade to explain its own
    slow wander, so the evidence needed is high; issue 4 note, session 9.)"""
    need_real()
    from fitwriter import write_runscribe_run

    onset = 1800.0
    path = tmp_path / "runscribe.fit"
    write_runscribe_run(path, _runscribe_records(0.5, onset))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = gaitlab.fatigue(path)
    m = f.metrics
    assert {"runscribe_impact_right_g", "runscribe_braking_left_g", "runscribe_pronation_excursion_right_deg",
            "runscribe_contact_time_right_ms"} <= set(m.index)
    # the pod's power is effort, not form; harder impacts are worse form
    assert "runscribe_power_w" not in m.index and "power_w" not in m.index
    row = m.loc["runscribe_impact_right_g"]
    assert row["worse"] == 1 and row["meaning"] == "RunScribe impact, right foot"
    assert abs(row["onset_s"] - onset) <= 120, row["onset_s"]
    assert row["drift_per_10min"] == pytest.approx(5.0, rel=0.3)
    # the baseline is the real recording's own (minutes 5-15); its impacts are skewed
    # (walking steps), so the mean of bin medians lies between their mean and median
    d = pd.read_csv(REAL / "runscribe-steps" / "run_37075right.csv", skiprows=[1], skipinitialspace=True)
    d.columns = [c.strip() for c in d.columns]
    base = d[(d["time (s)"] >= 305) & (d["time (s)"] <= 905)]
    assert base["impact_gs"].mean() - 0.3 <= row["baseline_mean"] <= base["impact_gs"].median() + 0.3
    assert m.loc["runscribe_contact_time_right_ms", "baseline_mean"] == pytest.approx(
        base["contact_time (ms)"].median(), abs=5)
