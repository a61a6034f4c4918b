"""When a form metric leaves the runner's baseline for good: a change-point fit.

Fatigue shows as a drift that starts at some moment and does not come back, so
each (binned) metric is fitted, for every candidate onset ``tau``, with

    y(t) = a + b (v - v_ref) + c grade + beta max(0, t - tau) + noise

i.e. a hinge (continuous piecewise-linear) change point in time, jointly with
the metric's dependence on speed and grade (the confounders). ``tau`` is the
least-squares change point (the profile likelihood over all candidates,
solved in one batched linear solve); the speed and grade slopes are shrunk
toward typical values (ridge) so a run with one steady pace still gets a
sensible adjustment. A mean-shift model, as in the l2 cost of ``ruptures``,
would put the change point in the middle of a gradual drift rather than at its
start, which is why the hinge is used.

The bins' noise is serially correlated (form wanders slowly), so the fit is
generalised least squares with AR(1) errors (Prais-Winsten), rho from the
residuals of a first plain fit.

Is there an onset at all? The hinge must explain the data better than the
same model without it by more than chance (a likelihood-ratio statistic,
corrected for the serial correlation of the bins, above ``min_stat``: tuned
on simulated runs without fatigue, see the tests), and must move the metric
by at least ``min_change_sd`` baseline standard deviations by the end. The
uncertainty interval holds the onsets whose fit is within the 95 % likelihood
ratio bound (chi-square, 1 dof) of the best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HingeFit", "fit_hinge"]


@dataclass
class HingeFit:
    """Result of :func:`fit_hinge` (times in the units of ``t``).

    Attributes
    ----------
    onset, onset_ci
        The change point and its interval (``None`` when there is no change).
    slope
        Drift after the onset, units of ``y`` per unit of ``t`` (0 without onset).
    coef
        ``a, b (per unit speed), c (per % grade)`` of the chosen model.
    stat
        Likelihood-ratio statistic of the best hinge against no hinge.
    end_change
        Fitted change by the last bin (``slope * (t_end - onset)``).
    sigma
        Residual standard deviation.
    adjusted
        ``y`` minus the fitted speed and grade terms.
    """

    onset: float | None
    onset_ci: tuple[float, float] | None
    slope: float
    coef: np.ndarray
    stat: float
    end_change: float
    sigma: float
    adjusted: np.ndarray
    profile: np.ndarray | None = None  # per candidate: (RSS(tau) - RSS no hinge) / noise, 0 where not allowed


def _lag1(r: np.ndarray) -> float:
    r = r - r.mean()
    den = float(np.dot(r, r))
    return float(np.dot(r[1:], r[:-1]) / den) if den > 0 else 0.0


def _whiten(v: np.ndarray, rho: float, axis: int = 0) -> np.ndarray:
    """Prais-Winsten transform along ``axis``: v[t] - rho v[t-1], the first row
    scaled by sqrt(1 - rho^2)."""
    v = np.moveaxis(np.asarray(v, float), axis, 0)
    out = np.empty_like(v)
    out[0] = np.sqrt(1 - rho**2) * v[0]
    out[1:] = v[1:] - rho * v[:-1]
    return np.moveaxis(out, 0, axis)


def fit_hinge(
    t: np.ndarray,
    y: np.ndarray,
    confounders: np.ndarray | None = None,
    prior: np.ndarray | None = None,
    prior_sd: np.ndarray | None = None,
    *,
    candidates: np.ndarray,
    scale: float,
    min_stat: float,
    min_change_sd: float,
    direction: int = 0,
    profile_direction: int | None = None,
) -> HingeFit:
    """Fit the hinge change point of ``y(t)`` with confounders.

    Parameters
    ----------
    t, y
        Times and values (NaN values are left out).
    confounders
        (n, k) columns such as speed minus the reference speed, and grade;
        NaN rows count as 0 (no adjustment there).
    prior, prior_sd
        Expected slope of each confounder column and how far it may be from
        it (ridge toward ``prior``).
    candidates
        Onset times tried.
    scale
        The baseline standard deviation ``min_change_sd`` is measured in.
    min_stat, min_change_sd
        Thresholds for "there is an onset" (module notes).
    direction
        +1 or -1: only a drift that way counts; 0: either.
    profile_direction
        The direction ``profile`` is computed for (default ``direction``),
        from the same fit: e.g. the evidence for a change for the worse next
        to the fit that takes either way.
    """
    ok = np.isfinite(y) & np.isfinite(t)
    t, y = t[ok], y[ok]
    k = 0 if confounders is None else confounders.shape[1]
    zc = np.zeros((len(t), k)) if k == 0 else np.nan_to_num(confounders[ok])
    n = len(t)
    if n < 8:
        adj = np.full(ok.shape, np.nan)
        return HingeFit(None, None, 0.0, np.zeros(1 + k), 0.0, 0.0, float("nan"), adj)
    base = np.column_stack([np.ones(n), zc])
    prior = np.zeros(k) if prior is None else np.asarray(prior, float)
    prior_sd = np.ones(k) if prior_sd is None else np.asarray(prior_sd, float)

    def solve(x: np.ndarray, sigma2: float, y: np.ndarray = y) -> tuple[np.ndarray, np.ndarray]:
        """Ridge solutions for a batch of designs x (m, n, p); returns coef (m, p), rss (m,)."""
        p = x.shape[-1]
        lam = np.zeros(p)
        lam[1 : 1 + k] = sigma2 / np.maximum(prior_sd, 1e-12) ** 2
        target = np.zeros(p)
        target[1 : 1 + k] = prior
        xtx = np.einsum("mni,mnj->mij", x, x) + np.diag(lam)
        xty = np.einsum("mni,n->mi", x, y) + lam * target
        coef = np.linalg.solve(xtx + 1e-9 * np.eye(p), xty[..., None])[..., 0]
        res = y[None, :] - np.einsum("mnp,mp->mn", x, coef)
        return coef, np.einsum("mn,mn->m", res, res)

    # noise level for the ridge weights: a first fit without the hinge
    coef0, rss0 = solve(base[None], float(np.var(y)) + 1e-12)
    sigma2 = max(float(rss0[0]) / max(n - 1 - k, 1), 1e-12)
    coef0, rss0 = solve(base[None], sigma2)
    cand = np.asarray(candidates, float)
    cand = cand[(cand > t.min()) & (cand < t.max())]
    adj_of = lambda c: y - zc @ c[1 : 1 + k]  # noqa: E731
    full_adj = np.full(ok.shape, np.nan)
    if not len(cand):
        full_adj[ok] = adj_of(coef0[0])
        return HingeFit(None, None, 0.0, coef0[0], 0.0, 0.0, float(np.sqrt(sigma2)), full_adj)
    hinge = np.maximum(0.0, t[None, :] - cand[:, None])  # (m, n)
    x = np.concatenate([np.broadcast_to(base, (len(cand), n, 1 + k)), hinge[..., None]], axis=2)
    coef, rss = solve(x, sigma2)
    # Form wanders slowly even without fatigue, so the bins' noise is serially
    # correlated; generalised least squares with AR(1) errors (Prais-Winsten)
    # times the onset better than plain least squares. rho comes from the
    # residuals of the best plain fit.
    i = int(np.argmin(rss))
    rho = min(max(_lag1(y - x[i] @ coef[i]), 0.0), 0.95)
    if rho > 0.05:
        y_w, x_w, base_w = _whiten(y, rho), _whiten(x, rho, axis=1), _whiten(base, rho)
        sigma2_w = sigma2 * (1 - rho**2)
        coef0, rss0 = solve(base_w[None], sigma2_w, y_w)
        coef, rss = solve(x_w, sigma2_w, y_w)
        x, y_fit = x_w, y_w
    else:
        y_fit = y
    slope = coef[:, -1]

    def best(want: int) -> tuple[int, np.ndarray, float, float, np.ndarray] | None:
        """Best onset among the slopes going ``want`` (0: any): its index, the
        masked RSS, the residual variance, the noise variance with the serial
        correlation, and the profile over the candidates; None when no slope
        goes that way."""
        r = np.where(np.sign(slope) == want, rss, np.inf) if want else rss
        j = int(np.argmin(r))
        if not np.isfinite(r[j]):
            return None
        s1_j = float(r[j]) / max(n - 3 - k, 1)
        rho_j = min(max(_lag1(y_fit - x[j] @ coef[j]), 0.0), 0.9)
        noise = s1_j * (1 + rho_j) / (1 - rho_j)
        prof = np.where(np.isfinite(r), np.minimum(r - rss0[0], 0.0) / noise, 0.0)
        prof = np.interp(np.asarray(candidates, float), cand, prof, left=0.0, right=0.0)
        return j, r, s1_j, noise, prof

    found_best = best(direction)
    if profile_direction is None or profile_direction == direction:
        profile = found_best[-1] if found_best else None
    else:
        other = best(profile_direction)
        profile = other[-1] if other else None
    if found_best is None:
        full_adj[ok] = adj_of(coef0[0])
        return HingeFit(None, None, 0.0, coef0[0], 0.0, 0.0, float(np.sqrt(sigma2)), full_adj, profile)
    i, rss, s1, noise, _ = found_best
    stat = float((rss0[0] - rss[i]) / noise)
    end_change = float(slope[i] * (t.max() - cand[i]))
    found = stat >= min_stat and abs(end_change) >= min_change_sd * scale
    if not found:
        full_adj[ok] = adj_of(coef0[0])
        return HingeFit(None, None, 0.0, coef0[0], stat, 0.0, float(np.sqrt(sigma2)), full_adj, profile)
    within = np.flatnonzero(rss <= rss[i] + 3.84 * noise)
    full_adj[ok] = adj_of(coef[i])
    return HingeFit(
        float(cand[i]), (float(cand[within.min()]), float(cand[within.max()])), float(slope[i]),
        coef[i, : 1 + k], stat, end_change, float(np.sqrt(s1)), full_adj, profile,
    )
