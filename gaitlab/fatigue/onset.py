"""When a form metric leaves the runner's baseline for good: a change-point fit.

Fatigue shows as a drift that starts at some moment and does not come back, so
each (binned) metric is fitted, for every candidate onset ``tau``, with

    y(t) = a + b (v - v_ref) + c grade + beta max(0, t - tau) + noise

i.e. a hinge (continuous piecewise-linear) change point in time, jointly with
the metric's dependence on speed and grade (the confounders). Form can also
break at once (a jump, ``beta 1(t >= tau)``), or drift fast at first and
level off (``beta k (1 - exp(-(t - tau) / k))`` after ``tau``, for a few time
constants ``k``); these are the other shapes tried (:data:`SHAPES`), and one
is used when it fits better than the hinge by a margin. ``tau`` is the
least-squares change point (the profile likelihood over all candidates,
solved in one batched linear solve); the speed and grade slopes are shrunk
toward typical values (ridge) so a run with one steady pace still gets a
sensible adjustment. A mean-shift model, as in the l2 cost of ``ruptures``,
would put the change point in the middle of a gradual drift rather than at its
start, which is why the hinge is used.

The bins' noise is serially correlated (form wanders slowly), so the fit is
generalised least squares with AR(1) errors (Prais-Winsten), rho from the
residuals of a first plain fit of each shape.

Is there an onset at all? The hinge must explain the data better than the
same model without it by more than chance (a likelihood-ratio statistic,
corrected for the serial correlation of the bins, above ``min_stat``: tuned
on simulated runs without fatigue, see the tests), and must move the metric
by at least ``min_change_sd`` baseline standard deviations by the end. The
uncertainty interval holds the onsets whose fit is within ``ci_stat`` of the
best: 3.84 (chi-square, 1 dof) is the textbook 95 % bound, but the profile is
a pseudo-likelihood (AR(1) errors for a wander that is not quite AR(1)) and is
too sharp; the fatigue analysis passes a calibrated bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["HingeFit", "fit_hinge", "SHAPES", "shape_kind"]


@dataclass
class HingeFit:
    """Result of :func:`fit_hinge` (times in the units of ``t``).

    Attributes
    ----------
    onset, onset_ci
        The change point and its interval (``None`` when there is no change).
    slope
        Drift after the onset, units of ``y`` per unit of ``t`` (0 without
        onset, or for a jump; for a drift that levels off, the mean rate from
        the onset to the end).
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
    profile
        Per candidate onset: (RSS(tau) - RSS without a change) / noise for the
        chosen shape and ``profile_direction`` (<= 0; 0 where not allowed).
    shape, profiles, shape_gain
        The shape used (a key of :data:`SHAPES`), ``profile`` for every shape
        tried, and twice the log-likelihood ratio of each later shape against
        the first.
    """

    onset: float | None
    onset_ci: tuple[float, float] | None
    slope: float
    coef: np.ndarray
    stat: float
    end_change: float
    sigma: float
    adjusted: np.ndarray
    shape: str = "ramp"
    profiles: dict[str, np.ndarray | None] = field(default_factory=dict)
    shape_gain: dict[str, float] = field(default_factory=dict)

    @property
    def profile(self) -> np.ndarray | None:
        """The chosen shape's profile."""
        return self.profiles.get(self.shape)


@dataclass
class _ShapeFit:
    """Every candidate onset fitted with one shape (whitened design and data)."""

    name: str
    x: np.ndarray
    y: np.ndarray
    coef: np.ndarray
    rss: np.ndarray
    rss0: float  # no change, same whitening
    coef0: np.ndarray
    change: np.ndarray  # fitted change by the last bin
    loglik: float


#: Time constants (units of ``t``, minutes in the fatigue analysis) of the
#: drifts that level off (:data:`SHAPES`).
_LEVEL_TAU = (4, 8, 16)

#: Shapes of the change after an onset ``tau`` a fit can try: the columns of
#: its design, with ``h = max(0, t - tau)``: ``"ramp"`` (``h``: a steady
#: drift, the hinge), ``"step"`` (1 from the onset on: a jump) and
#: ``"level<k>"`` (``k (1 - exp(-h / k))``: a drift at the same rate at the
#: onset that levels off with the time constant ``k``).
SHAPES: dict[str, tuple[str, ...]] = {"ramp": ("ramp",), "step": ("step",), "step+ramp": ("step", "ramp"),
                                      **{f"level{k}": (f"level{k}",) for k in _LEVEL_TAU}}


def _columns(name: str, h: np.ndarray) -> np.ndarray:
    """The design columns of shape ``name`` for minutes since the onset ``h`` (…, n) -> (…, n, c)."""
    def col(c: str) -> np.ndarray:
        if c == "ramp":
            return h
        if c == "step":
            return (h > 0).astype(float)
        k = float(c.removeprefix("level"))
        return k * -np.expm1(-h / k)

    return np.stack([col(c) for c in SHAPES[name]], axis=-1)


def shape_kind(name: str) -> str:
    """What a shape of :data:`SHAPES` says about form: ``"ramp"`` (a steady
    drift), ``"step"`` (a jump), ``"step+ramp"`` or ``"levelling"`` (a drift
    that levels off, any time constant)."""
    return "levelling" if name.startswith("level") else name


def _lag1(r: np.ndarray) -> float:
    r = r - r.mean()
    den = float(np.dot(r, r))
    return float(np.dot(r[1:], r[:-1]) / den) if den > 0 else 0.0


def _whiten(v: np.ndarray, rho: float, axis: int = 0) -> np.ndarray:
    """Prais-Winsten transform along ``axis``: v[t] - rho v[t-1], the first row
    scaled by sqrt(1 - rho^2)."""
    v = np.asarray(v, float)
    out = np.empty(v.shape)

    def at(s: slice) -> tuple[slice, ...]:
        return (slice(None),) * (axis % v.ndim) + (s,)

    out[at(slice(0, 1))] = np.sqrt(1 - rho**2) * v[at(slice(0, 1))]
    np.subtract(v[at(slice(1, None))], rho * v[at(slice(None, -1))], out=out[at(slice(1, None))])
    return out


def fit_hinge(
    t: np.ndarray,
    y: np.ndarray,
    confounders: np.ndarray | None = None,
    prior: np.ndarray | None = None,
    prior_sd: np.ndarray | None = None,
    *,
    candidates: np.ndarray,
    baseline: np.ndarray,
    min_stat: float,
    min_change_sd: float,
    direction: int = 0,
    profile_direction: int | None = None,
    shapes: tuple[str, ...] = ("ramp",),
    shape_stat: float = 20.0,
    ci_stat: float = 3.84,
) -> HingeFit:
    """Fit the change point of ``y(t)`` with confounders.

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
    baseline
        Boolean mask of the baseline bins (like ``t``): ``min_change_sd`` is
        measured in the standard deviation of the values there with the speed
        and grade terms removed (raw values on a hilly course would count the
        hills as form's spread).
    min_stat, min_change_sd
        Thresholds for "there is an onset" (module notes).
    direction
        +1 or -1: only a change that way counts; 0: either.
    profile_direction
        The direction ``profile`` is computed for (default ``direction``),
        from the same fit: e.g. the evidence for a change for the worse next
        to the fit that takes either way.
    shapes, shape_stat
        Shapes of the change tried (keys of :data:`SHAPES`), simplest first;
        a later one is used when it beats the first by ``shape_stat`` (twice
        the log-likelihood ratio).
    ci_stat
        The interval: onsets whose statistic is within this of the best.
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
        xt = np.swapaxes(x, 1, 2)  # batched matrix products (BLAS), not einsum: 3x faster
        xtx = xt @ x + np.diag(lam)
        xty = (xt @ y[:, None])[..., 0] + lam * target
        coef = np.linalg.solve(xtx + 1e-9 * np.eye(p), xty[..., None])[..., 0]
        res = y[None, :] - (x @ coef[..., None])[..., 0]
        return coef, np.einsum("mn,mn->m", res, res)

    # noise level for the ridge weights: a first fit without a change
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
    # minutes since each candidate onset (m, n); the bin at the onset is the
    # first one after it, so a step there is "on"
    h = np.maximum(0.0, t[None, :] - cand[:, None] + 1e-9)
    base_m = np.broadcast_to(base, (len(cand), n, 1 + k))
    tail_h = np.maximum(0.0, t.max() - cand)[:, None]

    def shape_fit(name: str) -> _ShapeFit:
        """Every candidate onset with one shape of change. Form wanders slowly
        even without fatigue, so the bins' noise is serially correlated: the
        fit is generalised least squares with AR(1) errors (Prais-Winsten),
        rho from the residuals of the best plain fit of this shape (a step
        fitted as a ramp leaves correlated residuals, and whitening with
        their rho would all but erase the step)."""
        cols = _columns(name, h)
        x = np.concatenate([base_m, cols], axis=2)
        coef, rss = solve(x, sigma2)
        i = int(np.argmin(rss))
        rho = min(max(_lag1(y - x[i] @ coef[i]), 0.0), 0.95)
        y_w, c0, r0 = y, coef0, rss0
        if rho > 0.05:
            base_w = _whiten(base, rho)  # the same for every candidate: whitened once
            y_w = _whiten(y, rho)
            x = np.concatenate([np.broadcast_to(base_w, base_m.shape), _whiten(cols, rho, axis=1)], axis=2)
            sigma2_w = sigma2 * (1 - rho**2)
            c0, r0 = solve(base_w[None], sigma2_w, y_w)
            coef, rss = solve(x, sigma2_w, y_w)
        change = np.einsum("mc,mc->m", coef[:, 1 + k :], _columns(name, tail_h)[:, 0])
        # Gaussian AR(1) log-likelihood of the best candidate, sigma profiled out
        loglik = -0.5 * n * np.log(max(float(rss.min()), 1e-300) / n) + 0.5 * np.log(1 - rho**2)
        return _ShapeFit(name, x, y_w, coef, rss, float(r0[0]), c0[0], change, float(loglik))

    fits = {name: shape_fit(name) for name in shapes}
    gain = {nm: 2 * (fits[nm].loglik - fits[shapes[0]].loglik) for nm in shapes[1:]}
    f = fits[max(gain, key=gain.get) if gain and max(gain.values()) >= shape_stat else shapes[0]]

    def best(f: _ShapeFit, want: int) -> tuple[int, np.ndarray, float, float, np.ndarray] | None:
        """Best onset among the changes going ``want`` (0: any): its index,
        the masked RSS, the residual variance, the noise variance with the
        serial correlation, and the profile over the candidates; None when no
        change goes that way."""
        r = np.where(np.sign(f.change) == want, f.rss, np.inf) if want else f.rss
        j = int(np.argmin(r))
        if not np.isfinite(r[j]):
            return None
        s1 = float(r[j]) / max(n - 2 - k - len(SHAPES[f.name]), 1)
        rho_j = min(max(_lag1(f.y - f.x[j] @ f.coef[j]), 0.0), 0.9)
        noise = s1 * (1 + rho_j) / (1 - rho_j)
        prof = np.where(np.isfinite(r), np.minimum(r - f.rss0, 0.0) / noise, 0.0)
        prof = np.interp(np.asarray(candidates, float), cand, prof, left=0.0, right=0.0)
        return j, r, s1, noise, prof

    pdir = direction if profile_direction is None else profile_direction
    for_profile = {nm: best(g, pdir) for nm, g in fits.items()}
    profiles = {nm: b[-1] if b else None for nm, b in for_profile.items()}
    found_best = for_profile[f.name] if pdir == direction else best(f, direction)
    extra = dict(shape=f.name, profiles=profiles, shape_gain=gain)
    if found_best is None:
        full_adj[ok] = adj_of(f.coef0)
        return HingeFit(None, None, 0.0, f.coef0, 0.0, 0.0, float(np.sqrt(sigma2)), full_adj, **extra)
    i, rss, s1, noise, _ = found_best
    stat = float((f.rss0 - rss[i]) / noise)
    end_change = float(f.change[i])
    adj = adj_of(f.coef[i])[np.asarray(baseline, bool)[ok]]
    scale = float(np.std(adj, ddof=1)) if len(adj) > 2 else 0.0
    if stat < min_stat or abs(end_change) < min_change_sd * scale:
        full_adj[ok] = adj_of(f.coef0)
        return HingeFit(None, None, 0.0, f.coef0, stat, 0.0, float(np.sqrt(sigma2)), full_adj, **extra)
    within = np.flatnonzero(rss <= rss[i] + ci_stat * noise)
    full_adj[ok] = adj_of(f.coef[i])
    cols = SHAPES[f.name]
    slope = float(f.coef[i, 1 + k + cols.index("ramp")]) if "ramp" in cols else 0.0
    if shape_kind(f.name) == "levelling":  # the rate changes: its mean, the change by the end over the time it took
        slope = end_change / max(float(t.max() - cand[i]), 1e-9)
    return HingeFit(
        float(cand[i]), (float(cand[within.min()]), float(cand[within.max()])), slope, f.coef[i, : 1 + k], stat,
        end_change, float(np.sqrt(s1)), full_adj, **extra,
    )
