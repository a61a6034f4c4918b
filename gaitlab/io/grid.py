"""Put inertial samples on a uniform time grid (the contract of ``Run.imu``).

Sensors and phones rarely sample on a perfect clock: timestamps jitter, repeat,
run backwards after a merge, or stop for a while when a connection drops.
:func:`to_uniform_grid` turns samples at arbitrary times into rows at
``t0 + k / rate``; :func:`to_common_grid` does the same for several streams on
different clocks (an accelerometer file and a gyroscope file), over the time
they overlap, at the first (accelerometer) stream's rate.

Holes longer than ``max_gap_s`` are never bridged: grid points inside them are
NaN and flagged in the ``gap`` column. Samples already on a uniform clock are
kept as they are; holes among them of up to :data:`CUBIC_HOLE_SAMPLES` missing
samples get a cubic spline through the samples around them. Samples off the grid
(a phone's clock jitters, its gyroscope samples between its accelerometer's)
are resampled by a cubic spline through them. Holes of more missing samples,
up to ``max_gap_s``, are bridged by a straight line, where a spline overshoots.
A stream sampled faster than the grid (a 1000 Hz logger read at 100 Hz, a
phone's gyroscope at 4 times its accelerometer's rate) is first low-passed
below the grid's Nyquist frequency (:data:`ANTI_ALIAS_RATIO`), as a sensor
sampling at the grid's rate would have been: picking every n-th sample folds
the foot strikes' and the noise's high frequencies onto the gait's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["COMMON_RATES_HZ", "estimate_rate", "to_uniform_grid", "to_common_grid"]

#: Output rates of common IMUs (ST, Bosch, InvenSense ODRs and round numbers).
COMMON_RATES_HZ = (
    1, 5, 10, 12.5, 20, 25, 26, 30, 40, 50, 52, 60, 64, 100, 104, 120, 128,
    200, 208, 250, 256, 400, 416, 500, 512, 800, 833, 1000, 1024, 1600, 1666, 2000, 3200, 3333, 6664,
)

#: Timestamps within this fraction of a sample period of the grid count as on it.
_ON_GRID_TOL = 0.01

#: Holes of up to this many missing samples are bridged by a cubic spline, longer
#: ones linearly. Measured by punching holes in real recordings at 100 Hz, the
#: removed samples being the truth (RMS error of the spline over the straight
#: line's, 1 / 2 / 3 / 4 / 5 missing samples): a runner's hip accelerometer
#: (adeptdata) 0.49 / 0.66 / 0.81 / 0.91 / 0.98; a walker's lower-back IMU
#: (mobgap) accelerometer 0.87 / 0.75 / 0.88 / 0.91 / 0.89, gyroscope 0.56 /
#: 0.50 / 0.65 / 0.72 / 0.71. From 6 samples the spline overshoots the hip's
#: and the lower back's accelerations (1.09-1.29). At the ankle, whose foot
#: strikes are spikes, it is barely better for one sample (0.94) and worse from
#: two (1.01; 4 samples 1.26): gaitlab's analyses are of a pelvis-worn sensor.
CUBIC_HOLE_SAMPLES = 4

#: A stream whose rate is over this many times the grid's is low-passed before
#: it is resampled: zero-phase (forward and back) by an order-8 Butterworth at
#: 0.4 x the grid's rate (-31 dB at the grid's Nyquist frequency, -56 dB for
#: what would fold onto the cut-off). Below the ratio, what would fold lies
#: within 10 % of the Nyquist frequency, far above a runner's movement.
#: Measured on 6 simulated 4-min runs recorded at 1000 Hz and read at 50 Hz
#: (against the simulator's truth; the mean of the runs' RMSE, pooled in
#: tests/test_pelvis_accuracy.py): pelvic drop RMSE 0.278 deg picking the
#: samples, 0.222 deg filtered first; at 100 Hz 0.225 and 0.215. Not the
#: Chebyshev filter of :func:`scipy.signal.decimate`: of even order, its gain
#: at 0 Hz is 0.9943, twice over 0.989, which scales gravity and the slow
#: turns of the pelvis (measured: rotation biased by -0.10 deg at 50 Hz,
#: -0.13 deg at 100 Hz).
ANTI_ALIAS_RATIO = 1.1


def estimate_rate(t_s: np.ndarray) -> float | None:
    """Sample rate (Hz) from sorted sample times: 1 / the typical positive step,
    snapped to a common sensor rate when within 2 % of one. ``None`` if unknown."""
    t = np.asarray(t_s, dtype=float)
    t = t[np.isfinite(t)]
    if len(t) < 2:
        return None
    d = np.diff(t)
    d = d[d > 0]
    if not len(d):
        return None
    med = float(np.median(d))
    # the mean of the ordinary steps: right also for times rounded to whole ms
    ordinary = d[(d >= 0.5 * med * (1 - 1e-6)) & (d <= 1.5 * med * (1 + 1e-6))]
    mean = float(ordinary.mean()) if len(ordinary) else med
    rates = np.asarray(COMMON_RATES_HZ, dtype=float)
    for rate in (1.0 / mean, 1.0 / med):
        rel = np.abs(rates - rate) / rates
        i = int(np.argmin(rel))
        if rel[i] <= 0.02:
            return float(rates[i])
    return float(f"{1.0 / mean:.6g}")


#: Counters that loggers write as time and that wrap: (seconds per count, name),
#: 16 to 32 bits. Arduino's micros() wraps after 71.6 min, a 16-bit ms count
#: after 65.5 s; wraps more often than every 10 s are not told apart from jitter.
#: A time of day (clock strings, or seconds or ms since midnight) wraps every 24 h.
_COUNTER_UNITS = ((1e-6, "us"), (1e-5, "10 us"), (1e-4, "100 us"), (1e-3, "ms"), (1 / 1024, "1/1024 s"),
                  (1 / 32768, "1/32768 s"))
_WRAPS = sorted([(unit * 2.0**bits, bits, name) for unit, name in _COUNTER_UNITS for bits in range(16, 33)
                 if unit * 2.0**bits >= 10.0] + [(86400.0, 0, "time of day")])
_WRAP_S = np.array([m for m, _bits, _name in _WRAPS])


def _unwrap_counter(t: np.ndarray, problems: list[str], label: str) -> np.ndarray:
    """Times of a counter that wrapped (every backward step the modulus of one
    counter, to within two sample steps), made to run on; else ``t`` as given."""
    d = np.diff(t)
    back = np.flatnonzero(d < 0)
    pos = d[d > 0]
    if not len(back) or not len(pos):
        return t
    med = float(np.median(pos))
    need = med - d[back]  # the modulus that makes each backward step an ordinary one
    j = np.abs(need[:, None] - _WRAP_S[None, :]).argmin(axis=1)
    if len(set(j.tolist())) != 1 or np.any(np.abs(need - _WRAP_S[j]) > max(2 * med, 2e-3)) or _WRAP_S[j[0]] < 100 * med:
        return t  # not (only) wraps of one counter: sorted by time as before
    m, bits, name = _WRAPS[int(j[0])]
    add = np.zeros(len(t))
    add[back + 1] = m
    times = f"{len(back)} time{'s' if len(back) != 1 else ''}"
    problems.append(f"{label}the time counter wrapped {times} (a {bits}-bit count of {name}: every {m:.6g} s); "
                    "its times were unwrapped" if bits else
                    f"{label}the clock passed midnight {times} (times of day without a date); 24 h added after each")
    return t + np.cumsum(add)


def _place_restarts(t: np.ndarray, cols: dict[str, np.ndarray], problems: list[str], label: str,
                    max_gap_s: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Times of a clock that restarted (a logger that rebooted: the time falls
    back by more than a second, onto times the samples before already cover,
    with new data) made to run on: each later part is placed after the one
    before it, a hole of ``max_gap_s`` + 1 s between them (a gap of unknown
    length). Rows written twice (the same time and values as an earlier row)
    are dropped first; a block written late into a hole of the earlier samples,
    and small steps back (jitter), are left to be sorted."""
    d = np.diff(t)
    pos = d[d > 0]
    if not len(pos):
        return t, cols
    med = float(np.median(pos))
    fall = -max(1.0, 50 * med)
    if not (d < fall).any():
        return t, cols
    twice = pd.DataFrame({"\0t": t, **cols}).duplicated().to_numpy()
    if twice.any():
        problems.append(f"{label}{int(twice.sum())} rows written twice (the same time and values) dropped")
        t, cols = t[~twice], {k: v[~twice] for k, v in cols.items()}
    jumps = np.flatnonzero(np.diff(t) < fall) + 1  # first sample after each fall
    out = t.copy()
    placed = 0
    for a, b in zip(jumps, np.r_[jumps[1:], len(t)]):
        covered = np.count_nonzero((t[:a] >= t[a]) & (t[:a] <= t[b - 1]))
        if covered < 0.5 * (b - a):
            continue  # written late into a hole: sorting puts it in place
        out[a:] += out[a - 1] + max_gap_s + 1.0 - out[a]
        placed += 1
    if placed:
        problems.append(f"{label}the clock restarted {placed} time{'s' if placed != 1 else ''} (it fell back onto "
                        "times already covered, with new data): each part placed after the one before, across a gap of "
                        "unknown length (times after it are short by the time the logger was off)")
    return out, cols


def _prepare(t_s: np.ndarray, values: Mapping[str, np.ndarray], problems: list[str], label: str,
             max_gap_s: float = 0.2):
    """Finite, strictly increasing times and the matching value rows."""
    t = np.asarray(t_s, dtype=float)
    cols = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    for k, v in cols.items():
        if v.shape != t.shape:
            raise ValueError(f"column {k!r} has {len(v)} values for {len(t)} times")
    bad = ~np.isfinite(t)
    if bad.any():
        problems.append(f"{label}{int(bad.sum())} samples without a time dropped")
        t = t[~bad]
        cols = {k: v[~bad] for k, v in cols.items()}
    if len(t) > 1:
        t = _unwrap_counter(t, problems, label)
        t, cols = _place_restarts(t, cols, problems, label, max_gap_s)
        d = np.diff(t)
        back = int((d < 0).sum())
        if back:
            problems.append(f"{label}time runs backwards {back} times; samples sorted by time")
            order = np.argsort(t, kind="stable")
            t = t[order]
            cols = {k: v[order] for k, v in cols.items()}
        before = len(t)
        if back or not np.all(d > 0):
            t, first = np.unique(t, return_index=True)  # keeps the first of equal times
        else:
            first = np.arange(before)
        if len(first) < before:
            n = before - len(first)
            problems.append(f"{label}{n} samples with a repeated time dropped (first kept)")
            cols = {k: v[first] for k, v in cols.items()}
    return t, cols


def _tolerance(t: np.ndarray, period: float) -> float:
    """How far from a grid point a sample time may be and count as on it: 1 % of
    a period, or half the resolution of times written in whole ms / cs."""
    tol = _ON_GRID_TOL * period
    for res in (1e-3, 1e-2):
        if res < period and len(t) and np.all(np.abs(t / res - np.rint(t / res)) < 1e-6):
            return max(tol, 0.5 * res + 1e-9)
    return tol


def _sample(
    t: np.ndarray, cols: Mapping[str, np.ndarray], grid: np.ndarray, rate: float, max_gap_s: float
) -> tuple[dict[str, np.ndarray], np.ndarray, bool | int]:
    """Values of the columns at the grid times; and where the grid is in a gap.

    Returns the values, the gap mask and ``True`` when the samples were
    resampled, else the number of grid points filled in short holes.
    """
    n = len(grid)
    period = 1.0 / rate
    tol = _tolerance(t, period)
    # samples already on this grid (possibly with holes): keep them as they are
    k = np.rint((t - grid[0]) * rate) if n else np.array([])
    on_grid = bool(
        len(t) and n
        and np.all(np.abs(t - (grid[0] + k * period)) < tol)
        and np.all(np.diff(k) >= 1)
    )
    # where each grid point falls between source samples
    idx = np.searchsorted(t, grid, side="right") - 1
    inside = (idx >= 0) & (idx < len(t) - 1)
    step = np.full(n, np.inf)
    if len(t) > 1:
        dt = np.diff(t)
        step[inside] = dt[idx[inside]]
    # a point exactly on a sample is never in a gap; one strictly between two
    # samples further apart than max_gap_s is
    at_sample = np.zeros(n, dtype=bool)
    ok = idx >= 0
    at_sample[ok] = np.abs(grid[ok] - t[idx[ok]]) < tol
    nxt = inside.copy()
    nxt[inside] = np.abs(t[idx[inside] + 1] - grid[inside]) < tol
    at_sample |= nxt
    outside = (grid < t[0] - tol) | (grid > t[-1] + tol) if len(t) else np.ones(n, bool)
    gap = ((step > max_gap_s) & ~at_sample) | outside
    out: dict[str, np.ndarray] = {}
    if on_grid:
        kk = k.astype(np.int64)
        keep = (kk >= 0) & (kk < n)
        complete = int(keep.sum()) == n  # a sample at every grid point: nothing to interpolate
        for name, v in cols.items():
            if complete:
                col = np.empty(n)
            else:
                col = np.interp(grid, t, v) if len(t) > 1 else np.full(n, np.nan)
            col[kk[keep]] = v[keep]  # exact values where a sample is
            col[gap] = np.nan
            out[name] = col
        if not complete:
            _cubic_short_holes(t, cols, grid, ~at_sample & ~gap, out)
    else:
        for name, v in cols.items():
            col = np.interp(grid, t, v) if len(t) else np.full(n, np.nan)
            col[gap] = np.nan
            out[name] = col
        _cubic_between_samples(t, cols, grid, out)
    filled = int((~at_sample & ~gap).sum()) if on_grid else 0
    return out, gap, (not on_grid) or filled


def _anti_alias(t: np.ndarray, cols: Mapping[str, np.ndarray], rate: float, max_gap_s: float
                ) -> tuple[np.ndarray, Mapping[str, np.ndarray], float | None]:
    """A stream that samples faster than the grid (:data:`ANTI_ALIAS_RATIO`),
    low-passed below the grid's Nyquist frequency.

    A filter takes its samples as evenly spaced, and a phone's jitter by up to
    half a period, so each part of the stream between holes longer than
    ``max_gap_s`` is first put on a uniform clock at its own rate (as
    :func:`to_uniform_grid` would; samples already on one are kept). Each
    stretch between holes and missing values is filtered on its own; one too
    short for the filter's padding is left as it is. Returns the times,
    the columns and the cut-off (Hz); the stream as given and ``None`` when it
    needs no filter."""
    src = estimate_rate(t)
    if src is None or src <= ANTI_ALIAS_RATIO * rate:
        return t, cols, None
    from scipy import signal  # not on the import path of streams at the grid's rate

    cutoff = 0.4 * rate
    sos = signal.butter(8, cutoff, fs=src, output="sos")
    shortest = 3 * (2 * len(sos) + 1) + 1  # sosfiltfilt's default padding, + 1
    holes = np.flatnonzero(np.diff(t) > max_gap_s) + 1
    times, parts = [], []
    # one uniform clock per part between holes: none spans a hole (a logger
    # off for hours would need hours of samples at its own rate)
    for a, b in zip(np.r_[0, holes], np.r_[holes, len(t)]):  # a loop over the holes, not the samples
        part = {k: v[a:b] for k, v in cols.items()}
        # from its first sample to its last (the grid may end on either), at
        # its rate to within half a sample over the part
        fine_t = np.linspace(t[a], t[b - 1], int(round((t[b - 1] - t[a]) * src)) + 1)
        if len(fine_t) > 1:
            part = _sample(t[a:b], part, fine_t, src, max_gap_s)[0]
        else:
            fine_t = t[a:b]
        for v in part.values():
            for c, d in zip(*_runs(np.isfinite(v))):  # a loop over missing values, not the samples
                if d - c >= shortest:
                    v[c:d] = signal.sosfiltfilt(sos, v[c:d])
        times.append(fine_t)
        parts.append(part)
    return np.concatenate(times), {k: np.concatenate([p[k] for p in parts]) for k in cols}, cutoff


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index ranges [start, end) of the runs of True in a boolean mask."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _cubic_short_holes(t: np.ndarray, cols: Mapping[str, np.ndarray], grid: np.ndarray, filled: np.ndarray,
                       out: dict[str, np.ndarray], around: int = 4) -> None:
    """Replace, in ``out``, the linear fill of holes of up to
    :data:`CUBIC_HOLE_SAMPLES` grid points by a cubic spline through the
    ``around`` samples on each side of every such hole (one spline for all: the
    samples far from a hole hardly move it). Where the linear fill is NaN (a
    neighbour's value is missing) it stays NaN."""
    starts, ends = _runs(filled)
    short = (ends - starts) <= CUBIC_HOLE_SAMPLES
    starts, ends = starts[short], ends[short]
    if not len(starts):
        return
    from scipy.interpolate import CubicSpline  # not on the import path of runs without holes

    lengths = ends - starts
    targets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    # source samples before each hole's first and after its last grid point
    before = np.searchsorted(t, grid[starts], side="right")
    after = np.searchsorted(t, grid[ends - 1], side="right")
    offs = np.arange(around)
    knots = np.unique(np.clip(np.concatenate([(before[:, None] - 1 - offs).ravel(),
                                              (after[:, None] + offs).ravel()]), 0, len(t) - 1))
    y = np.column_stack([cols[k][knots] for k in cols])
    ok = np.isfinite(y).all(axis=1)
    if ok.sum() < 4:
        return
    _keep_nan(out, list(cols), targets, CubicSpline(t[knots[ok]], y[ok], axis=0)(grid[targets]))


def _keep_nan(out: dict[str, np.ndarray], names: list[str], at: np.ndarray | slice, values: np.ndarray) -> None:
    """Put ``values`` (one column per name) into ``out`` at ``at``, except where
    the linear fill there is NaN (a neighbouring value is missing)."""
    for i, name in enumerate(names):
        lin = out[name][at]
        out[name][at] = np.where(np.isfinite(lin), values[:, i], lin)


def _cubic_between_samples(t: np.ndarray, cols: Mapping[str, np.ndarray], grid: np.ndarray,
                           out: dict[str, np.ndarray]) -> None:
    """Replace, in ``out``, the linear resampling of samples off the grid by a
    cubic spline through them, one per run of samples without a hole of more
    than :data:`CUBIC_HOLE_SAMPLES` missing samples (a step over that many + 1.5
    of the stream's median steps): across such holes, where a spline
    overshoots, the straight line stays, and NaN stays NaN (a missing value)."""
    if len(t) < 4 or not cols:
        return
    y = np.column_stack([cols[k] for k in cols])
    ok = np.isfinite(y).all(axis=1)
    tt, yy = t[ok], y[ok]
    if len(tt) < 4:
        return
    from scipy.interpolate import CubicSpline  # not on the import path of runs on a uniform clock

    step = np.diff(tt)
    cut = np.flatnonzero(step > (CUBIC_HOLE_SAMPLES + 1.5) * np.median(step)) + 1
    bounds = np.concatenate(([0], cut, [len(tt)]))
    names = list(cols)
    for a, b in zip(bounds[:-1], bounds[1:]):  # a loop over the recording's holes, not its samples
        if b - a < 4:
            continue
        lo, hi = np.searchsorted(grid, tt[a], side="left"), np.searchsorted(grid, tt[b - 1], side="right")
        if hi <= lo:
            continue
        _keep_nan(out, names, slice(lo, hi), CubicSpline(tt[a:b], yy[a:b], axis=0)(grid[lo:hi]))


def _describe_gaps(gap: np.ndarray, rate: float, label: str) -> str | None:
    if not gap.any():
        return None
    starts = len(_runs(gap)[0])
    return (
        f"{label}{starts} hole{'s' if starts != 1 else ''} longer than the gap limit "
        f"({gap.sum() / rate:.1f} s in all) left empty (NaN, gap=True)"
    )


def to_uniform_grid(
    t_s: np.ndarray,
    values: Mapping[str, np.ndarray],
    *,
    rate_hz: float | None = None,
    max_gap_s: float = 0.2,
) -> tuple[pd.DataFrame, float, list[str]]:
    """Samples at times ``t_s`` (seconds, any origin) on a uniform grid.

    Parameters
    ----------
    t_s
        Sample times in seconds.
    values
        Columns of samples, each as long as ``t_s``.
    rate_hz
        Grid rate; estimated from the times (:func:`estimate_rate`) when ``None``.
    max_gap_s
        Holes longer than this are left NaN and flagged ``gap``, not interpolated.

    Returns
    -------
    frame, rate, problems
        ``elapsed_s`` (from 0 at the first sample), the value columns and ``gap``;
        the grid rate in Hz; what was repaired or assumed, one line each.
    """
    frame, rate, problems, _t0 = _grid([(np.asarray(t_s), values)], rate_hz, max_gap_s, [""])
    return frame, rate, problems


def to_common_grid(
    streams: Sequence[tuple[np.ndarray, Mapping[str, np.ndarray]]],
    *,
    rate_hz: float | None = None,
    max_gap_s: float = 0.2,
    labels: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, float, list[str], float]:
    """Several streams (times, columns) on one grid over the time they all cover.

    The grid rate is ``rate_hz`` or else the first stream's rate (put the
    accelerometer first). Also returns the absolute time (in the streams' time
    base) of ``elapsed_s == 0``.
    """
    labels = [f"{x}: " if x else "" for x in (labels or [""] * len(streams))]
    return _grid(list(streams), rate_hz, max_gap_s, labels)


def _grid(streams, rate_hz, max_gap_s, labels):
    problems: list[str] = []
    prepared = []
    for (t, vals), label in zip(streams, labels):
        tt, cols = _prepare(t, vals, problems, label, max_gap_s)
        prepared.append((tt, cols, label))
    prepared = [p for p in prepared if len(p[0])]
    names = [k for _t, vals in streams for k in vals]
    if not prepared:
        frame = pd.DataFrame({"elapsed_s": np.array([], float), **{k: np.array([], float) for k in names}})
        frame["gap"] = np.array([], bool)
        return frame, float(rate_hz or np.nan), problems, 0.0
    rate = rate_hz or estimate_rate(prepared[0][0])
    if rate is None:
        raise ValueError("cannot tell the sample rate from a single sample time")
    rate = float(rate)
    t0 = max(p[0][0] for p in prepared)
    t1 = min(p[0][-1] for p in prepared)
    if len(prepared) > 1:  # start on the first stream's (accelerometer's) own samples
        first = prepared[0][0]
        i = int(np.searchsorted(first, t0 - _tolerance(first, 1.0 / rate)))
        if i < len(first):
            t0 = float(first[i])
    if len(prepared) > 1:
        lost = max(p[0][-1] for p in prepared) - t1 + t0 - min(p[0][0] for p in prepared)
        if lost > 1.0:
            problems.append(f"sensors cover different times: {lost:.2f} s outside their overlap dropped")
        if t1 < t0:
            raise ValueError("the sensor streams do not overlap in time")
    tol = max(_tolerance(p[0] - t0, 1.0 / rate) for p in prepared)
    n = int(np.floor((t1 - t0 + tol) * rate)) + 1
    grid = t0 + np.arange(n) / rate
    data: dict[str, np.ndarray] = {"elapsed_s": grid - t0}
    gap = np.zeros(n, dtype=bool)
    resampled = []
    for t, cols, label in prepared:
        tf, colsf, cutoff = _anti_alias(t, cols, rate, max_gap_s)
        out, g, interp = _sample(tf, colsf, grid, rate, max_gap_s)
        data.update(out)
        gap |= g
        if interp is not True and interp:  # on the grid, a few samples missing
            resampled.append(f"{label}{interp} missing samples in holes up to {max_gap_s:g} s interpolated "
                             f"(cubic across up to {CUBIC_HOLE_SAMPLES} samples, else linear)")
        elif interp:
            how = f" by a cubic spline (linear across holes of over {CUBIC_HOLE_SAMPLES} samples)"
            if cutoff:
                how += f", after an anti-alias low-pass at {cutoff:g} Hz"
            d = np.diff(t)
            d = d[(d > 0) & (d <= max_gap_s)]  # a hole, told apart, is no jitter
            med = float(np.median(d)) if len(d) else float("nan")
            jit = float(np.std(d)) if len(d) else float("nan")
            if jit < _ON_GRID_TOL * med:
                resampled.append(
                    f"{label}samples every {med * 1e3:.4g} ms resampled to the {rate:g} Hz grid{how}"
                )
            else:
                resampled.append(
                    f"{label}irregular sample times (median step {med * 1e3:.3g} ms, "
                    f"spread {jit * 1e3:.2g} ms) resampled to {rate:g} Hz{how}"
                )
    for name in data:
        if name != "elapsed_s":
            data[name][gap] = np.nan
    problems += resampled
    msg = _describe_gaps(gap, rate, "")
    if msg:
        problems.append(msg)
    frame = pd.DataFrame(data)
    frame["gap"] = gap
    return frame, rate, problems, float(t0)
