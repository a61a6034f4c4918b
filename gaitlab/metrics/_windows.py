"""Vectorised reductions of a signal over many sample windows."""

from __future__ import annotations

import numpy as np

__all__ = ["window_reduce", "window_ids"]


def window_reduce(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc.reduce(x[s:e])`` for each window (fast when windows do not overlap).

    Parameters
    ----------
    x
        The signal (n,).
    starts, ends
        Integer sample indices, ``starts[k] < ends[k]``, starts increasing.
    ufunc
        ``np.maximum``, ``np.minimum``, ``np.add``...
    """
    starts = np.asarray(starts, dtype=np.intp)
    ends = np.asarray(ends, dtype=np.intp)
    if not len(starts):
        return np.array([], dtype=float)
    if np.any(starts[1:] < ends[:-1]):  # overlapping: the slow, general way
        return np.array([ufunc.reduce(x[a:b]) for a, b in zip(starts, ends)])
    idx = np.empty(2 * len(starts), dtype=np.intp)
    idx[0::2], idx[1::2] = starts, ends
    # reduceat over [start, end) pairs; an end equal to len(x) needs a sentinel
    xx = np.concatenate([x, x[-1:]])
    return ufunc.reduceat(xx, idx)[0::2]


def window_ids(n: int, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample indices inside the windows and the window each belongs to."""
    starts = np.asarray(starts, dtype=np.intp)
    lengths = np.asarray(ends, dtype=np.intp) - starts
    wid = np.repeat(np.arange(len(starts)), lengths)
    offs = np.arange(len(wid)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return starts[wid] + offs, wid
