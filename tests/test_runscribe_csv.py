"""RunScribe's per-stride CSV (one shoe pod's dashboard data) against the file itself.

The real file (../shared/data/real/runscribe-steps, Apache-2.0): a 75-min run,
right foot, 5,859 strides; its columns are read here with pandas and converted
with the units the MANIFEST states, independently of gaitlab's importer.
"""

from __future__ import annotations

import gzip
import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest

import gaitlab
from helpers import REAL, need_real, run_gaitlab

MILE_M = 1609.344


@pytest.fixture
def csv_path():
    need_real()
    return REAL / "runscribe-steps" / "run_37075right.csv"


def _raw(path) -> pd.DataFrame:
    d = pd.read_csv(path, skiprows=[1], skipinitialspace=True, index_col=False)
    d.columns = [c.strip() for c in d.columns]
    return d


def test_strides_units_and_times_match_the_file(csv_path):
    before = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    run = gaitlab.read(csv_path)
    raw = _raw(csv_path)
    rec = run.records
    assert len(rec) == len(raw) == 5_859
    assert run.format == "csv" and run.sport == "running"
    assert run.start_time == pd.Timestamp("2015-12-27 10:30:04.639", tz="UTC")
    assert run.duration_s == pytest.approx(raw["time (s)"].iloc[-1] - raw["time (s)"].iloc[0])
    dist = raw["active_dist (mi)"]
    assert run.distance_m == pytest.approx((dist.max() - dist.min()) * MILE_M, rel=1e-6)
    # speed from the pace column (min/mi) is the pod's stride length x stride rate
    own = raw["stride_length (ft)"] * 0.3048 * raw["step_rate (s/min)"] / 2 / 60
    assert np.median(rec["speed_mps"] / own) == pytest.approx(1.0, abs=0.01)
    np.testing.assert_allclose(rec["cadence_spm"], raw["step_rate (s/min)"])
    np.testing.assert_allclose(rec["runscribe_impact_right_g"], raw["impact_gs"])
    np.testing.assert_allclose(rec["runscribe_contact_time_right_ms"], raw["contact_time (ms)"])
    np.testing.assert_allclose(rec["runscribe_pronation_excursion_right_deg"], raw["pronation_fs_mp"])
    assert any("no time zone" in w for w in run.warnings), run.warnings
    assert hashlib.sha256(csv_path.read_bytes()).hexdigest() == before


def test_gzipped_copy_reads_the_same(csv_path, tmp_path):
    gz = tmp_path / "run_37075right.csv.gz"
    gz.write_bytes(gzip.compress(csv_path.read_bytes()))
    a, b = gaitlab.read(csv_path).records, gaitlab.read(gz).records
    pd.testing.assert_frame_equal(a, b)


def _with_impact_drift(src, dst, g_per_min: float, onset_s: float) -> None:
    lines = src.read_text().splitlines(keepends=True)
    out = lines[:2]
    for line in lines[2:]:
        cells = line.rstrip("\n").split(",")
        t = float(cells[1])
        cells[12] = f" {float(cells[12]) + g_per_min * max(t - onset_s, 0.0) / 60:.3f}"
        out.append(",".join(cells) + "\n")
    dst.write_text("".join(out))


def test_fatigue_of_the_csv_finds_an_added_impact_drift(csv_path, tmp_path):
    """The real strides, with +0.5 g/min added to impact from minute 50 (12 g
    by the end): the impact's onset within 2 min and its drift near 5 g per
    10 min (measured: +0.7 min, 6.3 g; the run's own impact creeps up too).
    The run as recorded holds form (no onset)."""
    dst = tmp_path / "drift_right.csv"
    _with_impact_drift(csv_path, dst, 0.5, 3000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f0 = gaitlab.fatigue(csv_path)
        f = gaitlab.fatigue(dst)
    assert f0.onset_s is None, f0.onset_s
    row = f.metrics.loc["runscribe_impact_right_g"]
    assert row["worse"] == 1
    assert abs(row["onset_s"] - 3000.0) <= 120, row["onset_s"]
    assert row["drift_per_10min"] == pytest.approx(5.0, rel=0.3)
    assert f.onset_s is not None and abs(f.onset_s - 3000.0) <= 120, f.onset_s


def test_cut_file_gives_its_strides_and_an_empty_one_a_clear_error(csv_path, tmp_path):
    data = csv_path.read_bytes()
    cut = tmp_path / "cut_right.csv"
    cut.write_bytes(data[: len(data) // 2])
    run = gaitlab.read(cut)
    n_lines = data[: len(data) // 2].count(b"\n")
    assert n_lines - 3 <= len(run.records) <= n_lines - 1
    empty = tmp_path / "empty_right.csv"
    empty.write_bytes(data.split(b"\n", 2)[0] + b"\n" + data.split(b"\n", 2)[1] + b"\n")
    proc = run_gaitlab("analyze", str(empty))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and empty.name in lines[0] and "no stride" in lines[0], proc.stderr


def test_random_bytes_spoil_their_strides_not_the_file(csv_path, tmp_path):
    """300 random bytes a third into the file made it unreadable before session
    15 ("Expected 20 fields in line 1974", exit 2). Now the damaged lines are
    left out with a warning and every other stride reads as the file has it."""
    data = bytearray(csv_path.read_bytes())
    at = len(data) // 3
    data[at : at + 300] = np.random.default_rng(2).integers(128, 256, 300, dtype=np.uint8).tobytes()
    p = tmp_path / "damaged_right.csv"
    p.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = gaitlab.read(p)
    raw = _raw(csv_path)
    rec = run.records
    lines_hit = 300 / (len(data) / len(raw)) + 2
    assert len(raw) - lines_hit <= len(rec) < len(raw), len(rec)
    assert any("unreadable row" in w or "without a time" in w for w in run.warnings), run.warnings
    kept = raw[raw["time (s)"].isin(pd.to_numeric(rec["elapsed_s"] + raw["time (s)"].iloc[0]).round(3))]
    assert len(kept) == len(rec)
    np.testing.assert_allclose(rec["runscribe_impact_right_g"], kept["impact_gs"])
    np.testing.assert_allclose(rec["runscribe_contact_time_right_ms"], kept["contact_time (ms)"])
