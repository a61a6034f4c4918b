"""The running-dynamics record simulator, checked from its records alone.

Every check recomputes what it tests from the record table (identities,
integrals, speed patterns, regressions) and compares with the documented model
or the requested inputs; none compares with numbers copied from an earlier
output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gaitlab.simulate_fit import simulate_fit_run

DATA = Path(__file__).resolve().parents[1] / "data"

PRIMARY = {
    "garmin": ["stance_time_ms", "cadence_spm", "vertical_oscillation_mm", "stance_time_balance_left_pct"],
    "stryd": ["stance_time_ms", "cadence_spm", "vertical_oscillation_mm", "leg_spring_stiffness_kn_m",
              "form_power_w"],
}

#: Largest residual trend without fatigue, units per minute (~1/8 of a mild
#: fatigue rate; the model's slow wander is far below this over an hour).
TREND_TOL = {
    "stance_time_ms": 0.12,
    "cadence_spm": 0.05,
    "vertical_oscillation_mm": 0.05,
    "stance_time_balance_left_pct": 0.01,
    "leg_spring_stiffness_kn_m": 0.01,
    "form_power_w": 0.08,
}

FATIGUE = {
    "onset_s": 1800.0,
    "stance_time_ms_per_min": 0.8,
    "vertical_oscillation_mm_per_min": 0.3,
    "cadence_spm_per_min": -0.3,
    "balance_pct_per_min": 0.05,
    "leg_spring_stiffness_kn_m_per_min": -0.05,
    "form_power_w_per_min": 0.5,
}
RATE_KEY = {
    "stance_time_ms": "stance_time_ms_per_min",
    "vertical_oscillation_mm": "vertical_oscillation_mm_per_min",
    "cadence_spm": "cadence_spm_per_min",
    "stance_time_balance_left_pct": "balance_pct_per_min",
    "leg_spring_stiffness_kn_m": "leg_spring_stiffness_kn_m_per_min",
    "form_power_w": "form_power_w_per_min",
}

_CACHE: dict = {}


def sim(**kw):
    key = tuple(sorted((k, repr(v)) for k, v in kw.items()))
    if key not in _CACHE:
        _CACHE[key] = simulate_fit_run(**kw)
    return _CACHE[key]


def runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) index pairs of the True stretches of ``mask`` (end exclusive)."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(int))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def rolling(x: pd.Series, w: int) -> np.ndarray:
    return x.rolling(w, center=True, min_periods=w // 2).mean().to_numpy()


def grade_from_records(rec: pd.DataFrame, half_window_m: float = 40.0) -> np.ndarray:
    """Grade (%) from recorded altitude over recorded distance, +-``half_window_m``."""
    d = rec["distance_m"].to_numpy()
    alt = rec["altitude_m"].to_numpy()
    # one altitude per distance (the watch repeats distance when stopped)
    du = np.unique(d)
    au = pd.Series(alt).groupby(d).mean().to_numpy()
    a_hi = np.interp(d + half_window_m, du, au)
    a_lo = np.interp(d - half_window_m, du, au)
    span = np.minimum(d + half_window_m, du[-1]) - np.maximum(d - half_window_m, du[0])
    return 100 * (a_hi - a_lo) / span


def bins(rec: pd.DataFrame, cols: list[str], width_s: int = 60, skip_s: float = 180.0) -> pd.DataFrame:
    """Per-bin means, with grade from altitude / distance over the bin; bins with
    a stop, a GPS hole or a warm-up second are dropped."""
    r = rec[rec["elapsed_s"] >= skip_s]
    b = (r["elapsed_s"] // width_s).astype(int)
    ok = r.groupby(b).apply(lambda g: bool(g["speed_mps"].notna().all() and (g["speed_mps"] > 0.5).all()
                                          and len(g) == width_s))
    agg = r.groupby(b).agg({c: "mean" for c in ["elapsed_s", "speed_mps", *cols]})
    # climb rate over ground speed, both as least-squares slopes over the bin
    climb = r.groupby(b)["altitude_m"].agg(lambda a: np.polyfit(np.arange(len(a)), a, 1)[0])
    ground = r.groupby(b)["distance_m"].agg(lambda a: np.polyfit(np.arange(len(a)), a, 1)[0])
    agg["grade_pct"] = 100 * climb / ground
    return agg[ok].reset_index(drop=True)


def ols(y: np.ndarray, *xs: np.ndarray) -> np.ndarray:
    x = np.column_stack([np.ones(len(y)), *xs])
    return np.linalg.lstsq(x, y, rcond=None)[0]


# ----------------------------------------------------------------- structure
@pytest.mark.parametrize("device", ["garmin", "stryd"])
def test_record_table_is_a_run(device):
    s = sim(device=device, seed=3, duration_s=1800.0)
    run, rec = s.run, s.run.records
    assert run.format == "simulated" and run.path is None and run.sport == "running"
    assert run.warnings == ["simulated by gaitlab.simulate_fit (not a real recording)"]
    assert len(run.sessions) == 1 and run.sessions["sport"].iloc[0] == "running"
    assert run.sessions["total_distance_m"].iloc[0] == pytest.approx(rec["distance_m"].iloc[-1])
    assert str(rec["timestamp"].dt.tz) == "UTC" and rec["timestamp"].iloc[0] == pd.Timestamp("2026-05-01T07:00:00Z")
    assert np.all(np.diff(rec["elapsed_s"]) == 1.0) and len(rec) == 1800
    assert (rec["session_index"] == 0).all()
    assert run.duration_s == 1799.0
    common = {"distance_m", "speed_mps", "altitude_m", "heart_rate_bpm", "cadence_spm"}
    garmin = {"stance_time_pct", "stance_time_balance_left_pct", "vertical_ratio_pct", "step_length_mm"}
    stryd = {"power_w", "form_power_w", "leg_spring_stiffness_kn_m"}
    assert common | {"stance_time_ms", "vertical_oscillation_mm"} <= set(rec)
    assert (garmin <= set(rec)) == (device == "garmin") and not (garmin & set(rec)) == (device == "garmin")
    assert (stryd <= set(rec)) == (device == "stryd") and not (stryd & set(rec)) == (device == "stryd")
    assert set(run.form_metrics()) >= {"cadence_spm", "stance_time_ms", "vertical_oscillation_mm"}
    # realistic ranges while running
    mv = rec[rec["cadence_spm"] > 0]
    assert mv["cadence_spm"].between(140, 200).all()
    assert mv["stance_time_ms"].between(170, 380).all()
    assert mv["vertical_oscillation_mm"].between(40, 130).all()
    assert rec["heart_rate_bpm"].between(60, 200).all()


def test_identities_hold_to_rounding():
    rec = sim(profile="fartlek", seed=5).run.records
    r = rec.dropna(subset=["speed_mps", "step_length_mm"])
    r = r[r["cadence_spm"] > 0]
    assert len(r) > 3000
    sl = r["speed_mps"] / (r["cadence_spm"] / 60) * 1000
    np.testing.assert_allclose(r["step_length_mm"], sl, atol=0.6)
    np.testing.assert_allclose(r["vertical_ratio_pct"], 100 * r["vertical_oscillation_mm"] / r["step_length_mm"],
                               atol=0.011)
    # stance % of the stride (two steps), as Garmin writes it
    np.testing.assert_allclose(r["stance_time_pct"], r["stance_time_ms"] / (120000 / r["cadence_spm"]) * 100,
                               atol=0.011)


def test_stance_percent_convention_matches_a_real_garmin_file():
    import gaitlab

    real = gaitlab.read(DATA / "fenix5-run-running-dynamics.fit").records
    real = real[(real["cadence_spm"] > 150) & real["stance_time_pct"].notna()]
    ratio_real = (real["stance_time_pct"] / (real["stance_time_ms"] * real["cadence_spm"])).median()
    rec = sim(seed=2, duration_s=600.0).run.records
    rec = rec[rec["speed_mps"] > 2.2]  # running, not jogging to a stop
    ratio_sim = (rec["stance_time_pct"] / (rec["stance_time_ms"] * rec["cadence_spm"])).median()
    assert ratio_sim == pytest.approx(ratio_real, rel=0.03)
    assert rec["stance_time_pct"].between(25, 50).all()  # under 50 %: a flight phase


def test_distance_is_the_integral_of_speed():
    s = sim(profile="intervals", seed=7)
    rec = s.run.records
    d, v = rec["distance_m"].to_numpy(), rec["speed_mps"].to_numpy()
    inc = np.diff(d)
    assert (inc >= 0).all()
    have = ~np.isnan(v[:-1])
    np.testing.assert_allclose(inc[have], v[:-1][have], atol=0.011)
    # over the GPS hole the distance still grows at a running pace
    hole = runs_of(np.isnan(v))
    assert len(hole) == 1 and hole[0][1] - hole[0][0] == 20
    a, b = hole[0]
    pace = np.nanmean(v[a - 10 : a])
    assert (d[b] - d[a]) / (b - a) == pytest.approx(pace, rel=0.15)
    # total: trapezoid-free sum of speed with the hole bridged by interpolation
    vi = pd.Series(v).interpolate().to_numpy()
    assert d[-1] == pytest.approx(vi[:-1].sum(), rel=0.002)


def test_grade_from_altitude_matches_the_course():
    s = sim(profile="hills", seed=11)
    rec, ex = s.run.records, s.truth.expected
    g_true = ex["grade_pct"].to_numpy()
    inner = ((rec["distance_m"] > 200) & (rec["distance_m"] < rec["distance_m"].iloc[-1] - 200)).to_numpy()
    # barometric noise and GPS distance error: compare over +-100 m with the
    # true course's grade over the same window, and +-60 m with its point grade
    course = pd.DataFrame({"distance_m": ex["distance_m"], "altitude_m": ex["altitude_m"]})
    err = (grade_from_records(rec, 100.0) - grade_from_records(course, 100.0))[inner]
    assert np.sqrt(np.mean(err**2)) < 0.35
    g_rec = grade_from_records(rec, 60.0)
    assert np.sqrt(np.mean((g_rec - g_true)[inner] ** 2)) < 0.5
    assert 4.0 < np.abs(g_rec[inner]).max() < 7.0
    assert np.abs(g_true).max() <= 6.0 + 1e-3
    # the altitude in the records follows the grade: climb = sum of grade x distance step
    climb = np.cumsum(np.concatenate([[0.0], g_true[:-1] / 100 * np.diff(ex["distance_m"])]))
    alt = rec["altitude_m"].to_numpy()
    assert np.abs(alt - alt[0] - climb).max() < 3.0
    # constant effort: slower uphill, faster downhill
    v = rec["speed_mps"].to_numpy()
    ok = (~np.isnan(v)) & (rec["elapsed_s"].to_numpy() > 180) & (v > 1.0)
    slope = ols(np.log(v[ok]), g_rec[ok])[1]
    assert -0.04 < slope < -0.012
    assert s.run.records["altitude_m"].max() - s.run.records["altitude_m"].min() > 10


def test_flat_profiles_are_flat():
    rec = sim(profile="track", seed=4).run.records
    assert np.ptp(rec["altitude_m"]) < 4.0
    assert np.abs(grade_from_records(rec, 100.0)[200:-200]).max() < 1.0


# ----------------------------------------------------------------- speed patterns
def _speed(rec: pd.DataFrame, w: int = 31) -> pd.Series:
    v = rec["speed_mps"].where(rec["cadence_spm"] > 0).interpolate(limit_direction="both")
    return pd.Series(rolling(v, w))


@pytest.mark.parametrize("profile", ["steady", "progressive", "intervals", "fartlek", "hills", "track", "warmup"])
def test_every_run_starts_slower(profile):
    rec = sim(profile=profile, seed=21).run.records
    g = grade_from_records(rec, 60.0)
    # grade-adjusted (documented: 3 % slower per % uphill, 1.8 % faster per % downhill)
    v = rec["speed_mps"] / np.where(g > 0, 1 - 0.03 * g, 1 - 0.018 * g)
    early = v.iloc[10:40].mean()
    later = v.iloc[150:300].median()
    assert early < 0.95 * later
    assert early > 0.7 * later


@pytest.mark.parametrize("profile,band", [("steady", 0.03), ("track", 0.015)])
def test_steady_speed_wanders_a_few_percent(profile, band):
    s = sim(profile=profile, seed=8, speed_mps=3.4, glitches=False)
    v = _speed(s.run.records, 61)[180:-30]  # 1-min means: GPS noise < 1 %
    assert v.median() == pytest.approx(3.4, rel=band)
    dev = np.abs(v / 3.4 - 1)
    # GPS speed error adds up to ~1.5 % to a 1-min mean (0.6 % SD)
    assert dev.quantile(0.95) < band + 0.006
    assert dev.max() < band + 0.02
    assert dev.quantile(0.9) > band / 6  # it does wander


def test_progressive_speed_rises_fifteen_percent():
    rec = sim(profile="progressive", seed=9, glitches=False).run.records
    t = rec["elapsed_s"].to_numpy()[180:]
    v = rec["speed_mps"].to_numpy()[180:]
    b0, b1 = ols(v, t)
    start, end = b0, b0 + b1 * t[-1]
    assert end / start == pytest.approx(1.15, abs=0.02)
    assert start == pytest.approx(3.2, rel=0.03)


def test_intervals_six_by_three_minutes():
    rec = sim(profile="intervals", seed=12).run.records
    v = _speed(rec, 11)
    base = np.median(v[300:540])
    fast = runs_of(v.to_numpy() > 1.1 * base)
    assert len(fast) == 6
    starts = np.array([a for a, _ in fast])
    lengths = np.array([b - a for a, b in fast])
    assert starts[0] == pytest.approx(600, abs=8)
    np.testing.assert_allclose(lengths, 180, atol=8)
    np.testing.assert_allclose(np.diff(starts), 300, atol=4)  # 3 min fast + 2 min easy
    for a, b in fast:
        assert np.median(v[a + 15 : b - 15]) == pytest.approx(1.25 * base, rel=0.04)
        assert np.median(v[b + 15 : b + 105]) == pytest.approx(0.80 * base, rel=0.04)
    # cool-down after the last easy block, slower than the warm-up pace
    end_easy = fast[-1][1] + 120
    assert np.median(v[end_easy + 30 : len(v) - 30]) == pytest.approx(0.9 * base, rel=0.04)


def test_fartlek_changes_every_one_to_four_minutes():
    rec = sim(profile="fartlek", seed=13, glitches=False).run.records
    v = _speed(rec, 15)
    base = np.median(v[150:290])
    rel = v.to_numpy()[300:-10] / base - 1
    changes = runs_of(rel > 0)
    downs = runs_of(rel < 0)
    segs = sorted(changes + downs)[1:-1]  # first and last are cut by the window
    assert len(segs) >= 12
    lengths = np.array([b - a for a, b in segs])
    assert lengths.min() >= 50 and lengths.max() <= 250
    # each segment holds a pace 10-25 % off the steady start
    for a, b in segs:
        dev = np.median(np.abs(rel[a + 10 : b - 10]))
        assert 0.07 < dev < 0.28
    # they alternate: neighbours on opposite sides
    sides = [np.sign(np.median(rel[a:b])) for a, b in segs]
    assert all(x != y for x, y in zip(sides, sides[1:]))


def test_warmup_profile_first_five_minutes_slower():
    rec = sim(profile="warmup", seed=14, glitches=False, speed_mps=3.0).run.records
    v = rec["speed_mps"]
    assert v.iloc[150:290].median() / 3.0 == pytest.approx(0.85, abs=0.035)  # +-3 % wander
    assert v.iloc[400:].median() / 3.0 == pytest.approx(1.0, abs=0.03)


# ----------------------------------------------------------------- form model
@pytest.mark.parametrize("profile,device,seed", [("hills", "garmin", 31), ("fartlek", "stryd", 32),
                                                 ("intervals", "garmin", 33), ("steady", "stryd", 34)])
def test_without_fatigue_no_residual_trend(profile, device, seed):
    """Form regressed on speed, grade and time: no time trend. (Not on a
    progressive run: there speed and time are collinear.)"""
    rec = sim(profile=profile, device=device, seed=seed).run.records
    cols = PRIMARY[device]
    b = bins(rec, cols)
    assert len(b) > 45
    for c in cols:
        coef = ols(b[c].to_numpy(), b["speed_mps"].to_numpy(), b["grade_pct"].to_numpy(),
                   b["elapsed_s"].to_numpy() / 60)
        assert abs(coef[3]) < TREND_TOL[c], (c, coef)


def test_speed_and_grade_effects_have_documented_signs():
    """Fartlek over rolling hills: pace varies apart from grade, so both
    effects can be told apart (on a constant-effort hill run they cannot:
    speed follows grade)."""
    rec = sim(profile="fartlek", course="rolling", seed=41, device="garmin", duration_s=5400.0).run.records
    b = bins(rec, PRIMARY["garmin"] + ["step_length_mm"], width_s=30)
    v, g = b["speed_mps"].to_numpy(), b["grade_pct"].to_numpy()
    assert abs(np.corrcoef(v, g)[0, 1]) < 0.8
    st = ols(b["stance_time_ms"].to_numpy(), v, g)
    cad = ols(b["cadence_spm"].to_numpy(), v, g)
    vo = ols(b["vertical_oscillation_mm"].to_numpy(), v, g)
    assert -45 < st[1] < -25 and 0.8 < st[2] < 2.5  # contact falls ~30-40 ms per m/s, longer uphill
    assert 4.5 < cad[1] < 10 and 0.1 < cad[2] < 0.7  # cadence +5-10 spm per m/s, a little higher uphill
    assert 0.5 < vo[1] < 4 and vo[2] < -0.2  # bounce: a little more when faster, less uphill
    # step length shorter uphill at the same speed
    sl = ols(b["step_length_mm"].to_numpy(), v, g)
    assert sl[2] < 0 and sl[1] > 0


@pytest.mark.parametrize("profile,device,seed", [("hills", "garmin", 51), ("steady", "stryd", 52)])
def test_fatigue_rates_are_recovered(profile, device, seed):
    """90-min run, onset at 30 min: the residual of each metric (after speed and
    grade) rises after the onset at the requested rate."""
    s = sim(profile=profile, device=device, seed=seed, duration_s=5400.0, fatigue=FATIGUE)
    rec = s.run.records
    cols = PRIMARY[device]
    b = bins(rec, cols)
    hinge = np.maximum(b["elapsed_s"].to_numpy() - FATIGUE["onset_s"], 0) / 60
    for c in cols:
        coef = ols(b[c].to_numpy(), b["speed_mps"].to_numpy(), b["grade_pct"].to_numpy(), hinge)
        want = FATIGUE[RATE_KEY[c]]
        assert coef[3] == pytest.approx(want, rel=0.2), (c, coef[3], want)
        assert s.truth.drifts[c] == want
    assert s.truth.onset_s == FATIGUE["onset_s"]


def test_fatigue_is_at_matched_effort():
    """Same seed with and without fatigue: speed, distance, altitude unchanged;
    each metric moves by exactly rate x minutes since onset (to rounding)."""
    fat = dict(FATIGUE, onset_s=1200.0)
    a = simulate_fit_run(seed=61, duration_s=2400.0, profile="hills", fatigue=fat).run.records
    b = simulate_fit_run(seed=61, duration_s=2400.0, profile="hills").run.records
    for c in ("speed_mps", "distance_m", "altitude_m"):
        pd.testing.assert_series_equal(a[c], b[c])
    minutes = np.maximum(a["elapsed_s"] - 1200.0, 0) / 60
    resolution = {"stance_time_ms": 0.1, "vertical_oscillation_mm": 0.1, "cadence_spm": 0.01,
                  "stance_time_balance_left_pct": 0.01}
    for c in PRIMARY["garmin"]:
        diff = (a[c] - b[c]).dropna()
        np.testing.assert_allclose(diff, (FATIGUE[RATE_KEY[c]] * minutes)[diff.index], atol=resolution[c] + 1e-9)
    # derived: a lower cadence at the same speed is a longer step
    late = a["elapsed_s"] > 2300
    assert (a.loc[late, "step_length_mm"] > b.loc[late, "step_length_mm"]).mean() > 0.99
    # truth: the fatigue component by the end equals rate x minutes
    t = simulate_fit_run(seed=61, duration_s=2400.0, profile="hills", fatigue=fat).truth
    assert t.fatigue_change("stance_time_ms") == pytest.approx(0.8 * (2399 - 1200) / 60)
    assert (t.reference.loc[t.reference["elapsed_s"] < 1200, "stance_time_ms_fatigue"] == 0).all()


def test_fatigue_that_levels_off():
    """``level_tau_s``: each metric starts moving at the requested rate and
    levels off at rate x tau, ``rate * tau * (1 - exp(-minutes / tau))`` (same
    seed without fatigue as the reference, to rounding)."""
    fat = dict(FATIGUE, onset_s=600.0, level_tau_s=300.0)
    a = simulate_fit_run(seed=62, duration_s=3600.0, fatigue=fat, glitches=False).run.records
    b = simulate_fit_run(seed=62, duration_s=3600.0, glitches=False).run.records
    minutes = np.maximum(a["elapsed_s"] - 600.0, 0) / 60
    for c, resolution in (("stance_time_ms", 0.1), ("vertical_oscillation_mm", 0.1), ("cadence_spm", 0.01)):
        diff = (a[c] - b[c]).dropna()
        want = FATIGUE[RATE_KEY[c]] * 5 * (1 - np.exp(-minutes / 5))
        np.testing.assert_allclose(diff, want[diff.index], atol=resolution + 1e-9)
        assert abs(diff.iloc[-60:].mean()) > 0.99 * abs(FATIGUE[RATE_KEY[c]] * 5)  # levelled off
    with pytest.raises(ValueError, match="level_tau_s"):
        simulate_fit_run(seed=62, duration_s=600.0, fatigue=dict(fat, level_tau_s=0))


def test_wander_off_leaves_measurement_noise_only():
    """``wander=False``: what is left of a record after its noise-free mean is
    the device's error, whose correlation is gone a minute later (AR(1), 5 s);
    the slow wander (AR(1), 180 s) keeps about e^(-1/3) of its share. Mean
    correlation at 60 s over 8 two-hour runs and three metrics, measured:
    0.003 +- 0.006 without wander, 0.085 +- 0.011 with it."""
    for wander, lo, hi in ((False, -0.03, 0.03), (True, 0.05, 0.2)):
        acf = []
        for seed in range(8):
            s = simulate_fit_run(7200.0, seed, profile="track", wander=wander, glitches=False,
                                 device="stryd" if seed % 2 else "garmin")
            for m in ("stance_time_ms", "cadence_spm", "vertical_oscillation_mm"):
                d = (s.run.records[m] - s.truth.expected[m]).to_numpy(float)
                d = d - d.mean()
                acf.append(np.dot(d[:-60], d[60:]) / np.dot(d, d))
        assert lo < np.mean(acf) < hi, (wander, np.mean(acf))


def test_heart_rate_drifts_without_form_fatigue():
    s = sim(profile="track", seed=71, glitches=False)
    rec = s.run.records
    b = bins(rec, ["heart_rate_bpm"])
    coef = ols(b["heart_rate_bpm"].to_numpy(), b["speed_mps"].to_numpy(), b["elapsed_s"].to_numpy() / 60)
    assert 0.07 < coef[2] < 0.3  # cardiac drift, bpm per minute
    assert s.truth.onset_s is None and not any(s.truth.drifts.values())


def test_stryd_power_is_mass_times_speed_plus_climbing():
    s = sim(profile="hills", device="stryd", seed=81, runner={"mass_kg": 70.0})
    rec = s.run.records
    b = bins(rec, ["power_w"])
    # power per kg per m/s: 1.0-1.1 on the flat (+~2 % air), + g x grade climbing
    coef = ols((b["power_w"] / (70.0 * b["speed_mps"])).to_numpy(), b["grade_pct"].to_numpy())
    assert 1.0 < coef[0] < 1.13
    assert coef[1] == pytest.approx(9.81 / 100, rel=0.1)
    # at the stop a power meter reads 0
    stop = rec["cadence_spm"] == 0
    assert stop.sum() >= 25 and (rec.loc[stop, "power_w"] == 0).all()


# ----------------------------------------------------------------- glitches, options
def test_glitches():
    rec = sim(seed=91).run.records
    hole = runs_of(rec["speed_mps"].isna().to_numpy())
    assert [b - a for a, b in hole] == [20]
    assert (rec["cadence_spm"].iloc[hole[0][0] : hole[0][1]] > 0).all()  # still running
    stop = runs_of((rec["speed_mps"] == 0).to_numpy())
    assert [b - a for a, b in stop] == [30]
    a, b = stop[0]
    seg = rec.iloc[a:b]
    assert (seg["cadence_spm"] == 0).all() and seg["stance_time_ms"].isna().all()
    assert seg["distance_m"].nunique() == 1
    assert rec["heart_rate_bpm"].iloc[b - 1] < rec["heart_rate_bpm"].iloc[a - 5] - 5
    clean = simulate_fit_run(seed=91, glitches=False).run.records
    assert clean["speed_mps"].notna().all() and (clean["speed_mps"].iloc[5:] > 1).all()


def test_deterministic_per_seed():
    a = simulate_fit_run(seed=5, duration_s=900.0, profile="fartlek", device="stryd")
    b = simulate_fit_run(seed=5, duration_s=900.0, profile="fartlek", device="stryd")
    c = simulate_fit_run(seed=6, duration_s=900.0, profile="fartlek", device="stryd")
    pd.testing.assert_frame_equal(a.run.records, b.run.records)
    assert not a.run.records["stance_time_ms"].equals(c.run.records["stance_time_ms"])


def test_runner_values_are_used():
    runner = {"stance_time_ms": 250.0, "cadence_spm": 172.0, "vertical_oscillation_mm": 85.0,
              "stance_time_balance_left_pct": 50.8}
    rec = simulate_fit_run(seed=1, profile="track", speed_mps=3.2, runner=runner, glitches=False,
                           duration_s=1200.0).run.records
    r = rec[(rec["elapsed_s"] > 180)]
    v = r["speed_mps"].mean()
    assert v == pytest.approx(3.2, rel=0.02)
    # at 3.2 m/s (the reference) the medians are the runner's, within the wander
    assert r["stance_time_ms"].median() == pytest.approx(250, abs=3)
    assert r["cadence_spm"].median() == pytest.approx(172, abs=1.2)
    assert r["vertical_oscillation_mm"].median() == pytest.approx(85, abs=1.5)
    assert r["stance_time_balance_left_pct"].median() == pytest.approx(50.8, abs=0.2)
    # random runners stay within the documented ranges
    for seed in range(5):
        mv = simulate_fit_run(seed=seed, profile="track", duration_s=600.0, glitches=False,
                              noise=False).run.records.iloc[180:]
        assert 220 < mv["stance_time_ms"].median() < 300
        assert 155 < mv["cadence_spm"].median() < 187
        assert 48.4 <= mv["stance_time_balance_left_pct"].median() <= 51.6


def test_bad_arguments():
    with pytest.raises(ValueError):
        simulate_fit_run(profile="marathon")
    with pytest.raises(ValueError):
        simulate_fit_run(device="polar")
    with pytest.raises(ValueError):
        simulate_fit_run(fatigue={"stance_time_ms_per_min": 1.0})  # no onset
    with pytest.raises(ValueError):
        simulate_fit_run(fatigue={"onset_s": 100, "step_length_mm_per_min": 1.0})  # derived
    with pytest.raises(ValueError):
        simulate_fit_run(fatigue={"onset_s": 100, "pelvic_drop_per_min": 1.0})
    with pytest.raises(ValueError):
        simulate_fit_run(runner={"height_cm": 180})


def test_a_fatigue_jump_is_a_step_at_the_onset():
    """``<metric>_jump``: the change is 0 before the onset, grows linearly to
    the jump over 30 s, then stays (plus any drift), in the truth and in the
    noise-free records."""
    fat = {"onset_s": 600.0, "stance_time_ms_jump": 8.0, "stance_time_ms_per_min": 0.5, "cadence_spm_jump": -2.0}
    s = simulate_fit_run(seed=7, duration_s=1200.0, profile="track", noise=False, fatigue=fat, glitches=False)
    ref, ex, rec = s.truth.reference, s.truth.expected, s.run.records
    dt = np.maximum(ref["elapsed_s"] - 600.0, 0)
    np.testing.assert_allclose(ref["stance_time_ms_fatigue"], 8.0 * np.minimum(dt / 30, 1) + 0.5 * dt / 60)
    np.testing.assert_allclose(ref["cadence_spm_fatigue"], -2.0 * np.minimum(dt / 30, 1))
    assert s.truth.jumps["stance_time_ms"] == 8.0 and s.truth.drifts["stance_time_ms"] == 0.5
    np.testing.assert_allclose(rec["stance_time_ms"], ex["stance_time_ms"], atol=0.05 + 1e-9)


def test_truth_tables_describe_the_records():
    """Without noise the records are the truth's expected means (to FIT
    resolution); the reference values are those at v_ref on the flat."""
    fat = {"onset_s": 600.0, "stance_time_ms_per_min": 1.0, "cadence_spm_per_min": -0.2}
    s = simulate_fit_run(seed=101, duration_s=1500.0, profile="hills", noise=False, fatigue=fat)
    rec, ex, ref = s.run.records, s.truth.expected, s.truth.reference
    mv = ex["moving"].to_numpy() & rec["speed_mps"].notna().to_numpy()
    np.testing.assert_allclose(rec["speed_mps"][mv], ex["speed_mps"][mv], atol=0.0006)
    for c, res in [("stance_time_ms", 0.05), ("cadence_spm", 0.005), ("vertical_oscillation_mm", 0.05),
                   ("stance_time_balance_left_pct", 0.005), ("step_length_mm", 0.6)]:
        np.testing.assert_allclose(rec[c][mv], ex[c][mv], atol=res + 1e-9, err_msg=c)
    # expected = reference + sensitivity x (v - v_ref) + sensitivity x grade
    sens = s.truth.sensitivities
    for c in ("stance_time_ms", "cadence_spm", "vertical_oscillation_mm"):
        model = ref[c] + sens[c]["per_mps"] * (ex["speed_mps"] - sens["v_ref_mps"]) \
            + sens[c]["per_grade_pct"] * ex["grade_pct"]
        np.testing.assert_allclose(ex[c][mv], model[mv], atol=1e-9)
    # fatigue component: rate x minutes after the onset, 0 before
    minutes = np.maximum(ref["elapsed_s"] - 600.0, 0) / 60
    np.testing.assert_allclose(ref["stance_time_ms_fatigue"], 1.0 * minutes)
    np.testing.assert_allclose(ref["cadence_spm_fatigue"], -0.2 * minutes)
    assert (ref["vertical_oscillation_mm_fatigue"] == 0).all()
    # a lower cadence at v_ref is a longer reference step
    assert ref["step_length_mm_fatigue"].iloc[-1] > 0 and ref["step_length_mm_fatigue"].iloc[0] == 0
