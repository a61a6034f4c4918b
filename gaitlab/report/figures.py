"""The report's figures: matplotlib only, one style, Okabe-Ito colours.

Figures are :class:`matplotlib.figure.Figure` objects made directly (no
pyplot, so no global figure state and any backend works), drawn inside
:func:`style` so the report's rcParams never leak into the caller's. Series
are the fatigue bins (at most 240 per run), never per-sample signals.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..fatigue import decimals_of
from .content import Report, fmt_clock, fmt_value, label_of, unit_label

__all__ = ["PALETTE", "STYLE", "style", "ReportFigure", "build_figures", "to_svg"]

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
LEFT, RIGHT = PALETTE["blue"], PALETTE["orange"]

#: The one style of every report figure (9 in at 100 dpi: ~900 px on a laptop).
STYLE: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=[PALETTE[c] for c in ("blue", "orange", "green", "vermillion",
                                                                        "purple", "sky", "black")]),
    "lines.linewidth": 1.5,
    "svg.fonttype": "path",      # text as outlines: no font needed where the report is opened
    "svg.hashsalt": "gaitlab",   # stable element ids: the same run gives the same file
    "pdf.fonttype": 42,          # TrueType in PDFs, so their text can be searched and extracted
}

_WIDTH_IN = 9.0
#: Margins (in): fixed, not constrained layout, which cost 40 % of the drawing
#: time; the top leaves room for a heading above the first title (the PDF's).
_LEFT_IN, _RIGHT_IN, _TOP_IN, _BOTTOM_IN = 0.85, 0.2, 0.5, 0.55
_LEGEND_ROW_IN = 0.24


def _grid(nrows: int, ncols: int, panel_h_in: float, *, gap_h_in: float = 0.42, gap_w_in: float = 0.95,
          extra_top_in: float = 0.0, legend_rows: int = 0, width_ratios: list[float] | None = None,
          sharex: bool = False) -> tuple[Figure, np.ndarray]:
    """A figure of ``nrows`` x ``ncols`` axes with margins and gaps given in inches."""
    top = _TOP_IN + extra_top_in
    bottom = _BOTTOM_IN + (legend_rows * _LEGEND_ROW_IN + 0.1 if legend_rows else 0.0)
    height = top + bottom + nrows * panel_h_in + (nrows - 1) * gap_h_in
    fig = Figure(figsize=(_WIDTH_IN, height))
    axes_w = (_WIDTH_IN - _LEFT_IN - _RIGHT_IN - (ncols - 1) * gap_w_in) / ncols
    axes = fig.subplots(nrows, ncols, sharex=sharex, squeeze=False, gridspec_kw=dict(
        left=_LEFT_IN / _WIDTH_IN, right=1 - _RIGHT_IN / _WIDTH_IN, top=1 - top / height, bottom=bottom / height,
        hspace=gap_h_in / panel_h_in, wspace=gap_w_in / axes_w, width_ratios=width_ratios))
    return fig, axes


def _bottom_legend(fig: Figure, handles: list, labels: list[str], ncol: int) -> None:
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.02 / fig.get_figheight()), ncol=ncol)


@contextmanager
def style() -> Iterator[None]:
    """The report style for the duration of a ``with`` block."""
    with matplotlib.rc_context(STYLE):
        yield


@dataclass
class ReportFigure:
    """One figure of the report: its id (``fig-<name>``), its section and caption."""

    id: str
    section: str
    caption: str
    figure: Figure


def build_figures(report: Report) -> list[ReportFigure]:
    """Every figure the report's data supports, in report order."""
    out: list[ReportFigure] = []
    with style():
        fig = form_over_time(report)
        if fig is not None:
            paced = "speed_mps" in report.series and report.series["speed_mps"].notna().any()
            what = ("Form metrics per time bin (line adjusted to the baseline's pace and grade; raw values grey)"
                    if paced and report.fatigue is not None else
                    "Form metrics per time bin (medians; no speed in the recording, so not adjusted for pace)")
            if report.fatigue is not None:
                what += (", the runner's baseline band (mean ± SD over the baseline window, darker),"
                         " the onset with its 95 % interval and the cue windows")
            out.append(ReportFigure("fig-form-time", "form-over-time", what + ".", fig))
        fig = left_right(report)
        if fig is not None:
            cap = ("Pelvic drop and ground contact per step, left stance against right stance; lines: medians."
                   if report.kind == "imu" else
                   "Left foot's share of ground contact time over the run and per record; 50 % is even.")
            out.append(ReportFigure("fig-left-right", "left-right", cap, fig))
        fig = rotation(report)
        if fig is not None:
            out.append(ReportFigure("fig-rotation", "rotation",
                                    "Pelvic rotation per stride (peak to peak, turns removed): per-minute median "
                                    "with its interquartile band, and the distribution over the run.", fig))
    return out


# ---------------------------------------------------------------- form over time
def form_over_time(report: Report) -> Figure | None:
    """One panel per key metric, the form index, pace and elevation, over time."""
    s = report.series
    if s.empty or not report.panels:
        return None
    f = report.fatigue
    t = s["t_s"].to_numpy(float) / 60
    panels: list[str] = list(report.panels)
    if f is not None and "form_index" in s:
        panels.append("form_index")
    speed = s["speed_mps"].to_numpy(float) if "speed_mps" in s else np.full(len(s), np.nan)
    if np.isfinite(speed).any():
        panels.append("pace")
    if "altitude_m" in s and s["altitude_m"].notna().any():
        panels.append("elevation")
    n_handles = 2 + (f is not None) * 4
    fig, axes = _grid(len(panels), 1, 1.05, extra_top_in=0.5 if report.has_distance else 0.0,
                      legend_rows=int(np.ceil(n_handles / 4)), sharex=True)
    axes = axes[:, 0]
    handles: dict[str, object] = {}
    for ax, name in zip(axes, panels):
        if name == "pace":
            pace = np.where(speed >= 1.5, 1000 / np.where(speed > 0, speed, np.nan), np.nan)
            ax.plot(t, pace, color=PALETTE["black"], lw=1.2)
            ax.set_title("Pace")
            ax.set_ylabel("min/km")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_clock(v)))
            lo, hi = np.nanpercentile(pace, [2, 98]) if np.isfinite(pace).any() else (240, 420)
            pad = max(10.0, 0.1 * (hi - lo))
            ax.set_ylim(hi + pad, lo - pad)  # faster up
        elif name == "elevation":
            ax.fill_between(t, s["altitude_m"], np.nanmin(s["altitude_m"]), color=PALETTE["green"], alpha=0.25, lw=0)
            ax.plot(t, s["altitude_m"], color=PALETTE["green"], lw=1.2)
            ax.set_title("Elevation, relative to the start" if report.run.relative_altitude else "Elevation")
            ax.set_ylabel("m")
        else:
            _metric_panel(ax, t, s, name, f, handles)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        _events(ax, f, handles)
    axes[-1].set_xlabel("time from start (min)")
    axes[-1].set_xlim(0, max(t.max(), 1.0) * 1.01 if len(t) else 1)
    if report.has_distance:
        _km_axis(axes[0], s)
    if handles:
        _bottom_legend(fig, list(handles.values()), list(handles.keys()), min(len(handles), 4))
    return fig


def _metric_panel(ax, t: np.ndarray, s: pd.DataFrame, name: str, f, handles: dict) -> None:
    raw = s[name].to_numpy(float)
    adj = s[f"{name}_adj"].to_numpy(float) if f"{name}_adj" in s else raw
    color = LEFT if "left" in name else RIGHT if "right" in name else PALETTE["black"]
    if name == "form_index":
        ax.plot(t, raw, color=PALETTE["purple"], lw=1.5)
        ax.set_title("Form index (higher is worse)")
        ax.set_ylabel("baseline SD")
    else:
        if not np.allclose(raw, adj, equal_nan=True):
            handles.setdefault("raw (per bin)", ax.plot(t, raw, color="#aaaaaa", lw=0.9)[0])
        line = ax.plot(t, adj, color=color, lw=1.5)[0]
        adjusted = f is not None and "speed_mps" in s and s["speed_mps"].notna().any()
        handles.setdefault("per bin (adjusted to baseline pace)" if adjusted else "per bin (median)", line)
        ax.set_title(label_of(name, with_unit=False))
        ax.set_ylabel(unit_label(name) or "ratio")
        _min_span(ax, name, adj)
    if f is None:
        return
    if name == "form_index":
        vals = raw[(s["t_s"] >= f.baseline_s[0]) & (s["t_s"] <= f.baseline_s[1])]
        vals = vals[np.isfinite(vals)]
        mean, sd = (float(np.mean(vals)), float(np.std(vals, ddof=1))) if len(vals) > 2 else (np.nan, np.nan)
    elif name in f.metrics.index:
        mean, sd = f.metrics.loc[name, ["baseline_mean", "baseline_sd"]]
    else:
        return
    if np.isfinite(mean) and np.isfinite(sd):
        ax.axhspan(mean - sd, mean + sd, color=PALETTE["sky"], alpha=0.18, lw=0)
        b0, b1 = (x / 60 for x in f.baseline_s)
        band = ax.fill_between([b0, b1], mean - sd, mean + sd, color=PALETTE["sky"], alpha=0.45, lw=0)
        handles.setdefault("baseline mean ± SD", band)


#: Smallest y range a panel shows, by unit: a metric steady to a hundredth of a
#: degree is steady, not a zig-zag (and ticks keep the sensor's resolution).
_MIN_SPAN = {"deg": 1.0, "ms": 10.0, "mm": 6.0, "spm": 4.0, "%": 2.0, "g": 0.1, "kN/m": 1.0, "W": 10.0, "": 0.05}


def _min_span(ax, metric: str, values: np.ndarray) -> None:
    unit = unit_label(metric)
    span = _MIN_SPAN.get(unit)
    v = values[np.isfinite(values)]
    if span is None or not len(v):
        return
    lo, hi = ax.get_ylim()
    if hi - lo < span:
        mid = (float(v.min()) + float(v.max())) / 2
        ax.set_ylim(mid - span / 2, mid + span / 2)
    if unit in {"deg", "ms", "mm", "spm", "%", "W"}:  # whole or 1-decimal ticks; g, kN/m, ratios as they come
        nd = decimals_of(metric)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.{nd}f}"))


def _events(ax, f, handles: dict) -> None:
    if f is None:
        return
    for _, w in f.cue_windows.iterrows():
        span = ax.axvspan(w["start_s"] / 60, w["end_s"] / 60, color=PALETTE["yellow"], alpha=0.35, lw=0, zorder=0)
        handles.setdefault("cue window", span)
    if f.onset_s is not None:
        if f.onset_ci_s:
            ci = ax.axvspan(f.onset_ci_s[0] / 60, f.onset_ci_s[1] / 60, color=PALETTE["vermillion"], alpha=0.12, lw=0)
            handles.setdefault("onset 95 % interval", ci)
        handles.setdefault("onset", ax.axvline(f.onset_s / 60, color=PALETTE["vermillion"], ls="--", lw=1.3))


def _km_axis(ax, s: pd.DataFrame) -> None:
    """Distance ticks (km) along the top of the first panel, at the times they were reached."""
    d = s["distance_m"].to_numpy(float)
    t = s["t_s"].to_numpy(float) / 60
    ok = np.isfinite(d)
    d, t = np.maximum.accumulate(d[ok]), t[ok]
    if len(d) < 2 or d[-1] <= 0:
        return
    total_km = d[-1] / 1000
    # 1-2-5 steps, at most 12 ticks, however long (an ultra, or distances a damaged file kept)
    step = next(x for x in (m * 10**k for k in range(16) for m in (1, 2, 5)) if total_km / x <= 12)
    marks = np.arange(step, total_km + 1e-9, step) * 1000
    idx = np.clip(np.searchsorted(d, marks), 0, len(d) - 1)
    sec = ax.secondary_xaxis("top")
    sec.set_xticks(t[idx], labels=[f"{m / 1000:g}" for m in marks])
    sec.set_xlabel("distance (km)")
    sec.tick_params(labelsize=8.5)


# ---------------------------------------------------------------- left / right
def left_right(report: Report) -> Figure | None:
    """Per-side distributions (IMU) or the stance time balance (FIT)."""
    if report.kind == "imu":
        items = [(c, v) for c, v in report.side_samples.items() if len(v[0]) and len(v[1])]
        if not items:
            return None
        fig, axes = _grid(1, len(items), 2.4, legend_rows=1)
        axes = axes[0]
        for ax, (col, (left, right)) in zip(axes, items):
            both = np.concatenate([left, right])
            lo, hi = np.percentile(both, [0.5, 99.5])
            span = _MIN_SPAN.get(unit_label(col), 0.0) * 2
            if hi - lo < span:
                lo, hi = (lo + hi) / 2 - span / 2, (lo + hi) / 2 + span / 2
            bins = np.linspace(lo, hi, 40)
            for vals, color in ((left, LEFT), (right, RIGHT)):
                ax.hist(vals, bins=bins, histtype="step", color=color, lw=1.6)
                ax.axvline(np.median(vals), color=color, ls="--", lw=1.2)
            ax.set_title(f"{label_of(col, with_unit=False)}: median left {_fmt(col, np.median(left))}, "
                         f"right {_fmt(col, np.median(right))}")
            ax.set_xlabel(label_of(col))
            ax.set_ylabel("steps")
        from matplotlib.lines import Line2D

        _bottom_legend(fig, [Line2D([], [], color=LEFT, lw=1.6), Line2D([], [], color=RIGHT, lw=1.6)],
                       ["left stance", "right stance"], 2)
        return fig
    b = report.balance
    if b.empty:
        return None
    fig, axes = _grid(1, 2, 2.6, width_ratios=[2, 1])
    ax1, ax2 = axes[0]
    col = "stance_time_balance_left_pct"
    t = b["t_s"].to_numpy(float)
    v = b[col].to_numpy(float)
    minute = (t // 60).astype(int)
    per_min = pd.Series(v).groupby(minute).median()
    ax1.plot(per_min.index.to_numpy() + 0.5, per_min.to_numpy(), color=LEFT, lw=1.5, label="per-minute median")
    ax1.axhline(50, color=PALETTE["black"], lw=1, ls=":", label="even (50 %)")
    ax1.set_title("Contact balance over the run")
    ax1.set_xlabel("time from start (min)")
    ax1.set_ylabel("left share of contact (%)")
    ax1.legend(loc="upper right")
    lo, hi = np.percentile(v, [1, 99])
    ax1.set_ylim(min(lo, 49) - 0.5, max(hi, 51) + 0.5)
    ax2.hist(v, bins=np.arange(np.floor(lo) - 0.25, np.ceil(hi) + 0.5, 0.5), color=LEFT, alpha=0.8)
    ax2.axvline(50, color=PALETTE["black"], lw=1, ls=":")
    ax2.set_title("Per record")
    ax2.set_xlabel("left share of contact (%)")
    ax2.set_ylabel("records")
    return fig


# ---------------------------------------------------------------- rotation
def rotation(report: Report) -> Figure | None:
    """Pelvic rotation per stride: over time and its distribution."""
    r = report.rotation
    if r.empty:
        return None
    t = r["t_s"].to_numpy(float)
    v = r["pelvic_rotation_deg"].to_numpy(float)
    fig, axes = _grid(1, 2, 2.6, width_ratios=[2, 1])
    ax1, ax2 = axes[0]
    g = pd.Series(v).groupby((t // 60).astype(int))
    q = g.quantile([0.25, 0.5, 0.75]).unstack()
    x = q.index.to_numpy() + 0.5
    ax1.fill_between(x, q[0.25], q[0.75], color=PALETTE["green"], alpha=0.25, lw=0, label="interquartile range")
    ax1.plot(x, q[0.5], color=PALETTE["green"], lw=1.6, label="per-minute median")
    ax1.set_title("Pelvic rotation over the run")
    ax1.set_xlabel("time from start (min)")
    ax1.set_ylabel("rotation per stride (deg)")
    ax1.legend(loc="best")
    _min_span(ax1, "pelvic_rotation_deg", q[0.5].to_numpy(float))
    lo, hi = np.percentile(v, [0.5, 99.5])
    if hi - lo < 2.0:  # at least 2 deg wide: the sensor resolves ~0.1 deg
        lo, hi = (lo + hi) / 2 - 1.0, (lo + hi) / 2 + 1.0
    ax2.hist(v, bins=np.linspace(lo, hi, 41), color=PALETTE["green"], alpha=0.8)
    ax2.axvline(np.median(v), color=PALETTE["black"], ls="--", lw=1.2)
    ax2.set_title(f"Per stride: median {np.median(v):.1f} deg")
    ax2.set_xlabel("rotation per stride (deg)")
    ax2.set_ylabel("strides")
    return fig


def _fmt(col: str, value: float) -> str:
    return f"{fmt_value(col, value)} {unit_label(col)}".strip()


# ---------------------------------------------------------------- rendering
def to_svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element that scales to its container."""
    buf = io.StringIO()
    with style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline in HTML
    # size from the viewBox, scaled by CSS (width 100 %), not fixed points
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', svg, count=1)
    return svg

