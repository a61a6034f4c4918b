"""The report as a PDF, drawn with matplotlib alone (``PdfPages``).

The same sections as the HTML: text and tables flowed onto A4 pages, each
figure on a page of its own. No HTML-to-PDF engine, so a pip-only install
makes it. Fonts are embedded as TrueType (``pdf.fonttype`` 42), so the text
can be searched and extracted.
"""

from __future__ import annotations

import io
import textwrap
from typing import Iterable

import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from .. import __version__
from .content import SECTIONS, Report, fmt_clock, fmt_value, label_of, unit_label
from .figures import ReportFigure, style
from .html import splits_display

__all__ = ["render_pdf"]

_PAGE_IN = (8.27, 11.69)  # A4
_MARGIN_IN = 0.7
_PT_PER_IN = 72.0
#: font size (pt), wrap width (characters), space before (pt), font family, weight
_KINDS = {
    "h1": (18, 60, 0, "sans-serif", "bold"),
    "label": (11, 76, 4, "sans-serif", "bold"),
    "h2": (13.5, 70, 14, "sans-serif", "bold"),
    "h3": (11, 90, 8, "sans-serif", "bold"),
    "p": (9.5, 105, 2, "sans-serif", "normal"),
    "li": (9.5, 100, 1, "sans-serif", "normal"),
    "mono": (7.6, 130, 0, "monospace", "normal"),
}


class _Flow:
    """Text flowed down A4 pages; a page is saved when it is full."""

    def __init__(self, pdf: PdfPages) -> None:
        self.pdf = pdf
        self.fig: Figure | None = None
        self.y_pt = 0.0

    def _new_page(self) -> None:
        self.flush()
        self.fig = Figure(figsize=_PAGE_IN)
        self.y_pt = _MARGIN_IN * _PT_PER_IN

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def add(self, kind: str, text: str, color: str = "#1d1d1f", size: float | None = None) -> None:
        size0, width, before, family, weight = _KINDS[kind]
        size = size or size0
        prefix = "• " if kind == "li" else ""
        lines = textwrap.wrap(prefix + text, width, subsequent_indent="  " if kind == "li" else "",
                              replace_whitespace=False) if kind != "mono" else [text]
        height_pt = _PAGE_IN[1] * _PT_PER_IN
        for i, line in enumerate(lines or [""]):
            step = size * 1.4 + (before if i == 0 else 0)
            if self.fig is None or self.y_pt + step > height_pt - _MARGIN_IN * _PT_PER_IN:
                self._new_page()
            self.y_pt += step
            self.fig.text(_MARGIN_IN / _PAGE_IN[0], 1 - self.y_pt / height_pt, line, fontsize=size,
                          family=family, weight=weight, color=color, va="baseline")

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        """A table as aligned monospace lines (the first column left, the others right)."""
        cols = list(zip(header, *rows)) if rows else [(h,) for h in header]
        widths = [max(len(c) for c in col) for col in cols]

        def line(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        # monospace glyphs are 0.6 em wide: shrink a wide table to the text width
        usable_pt = (_PAGE_IN[0] - 2 * _MARGIN_IN) * _PT_PER_IN
        size = min(_KINDS["mono"][0], usable_pt / (0.6 * len(line(header))))
        self.add("mono", line(header), size=size)
        self.add("mono", "-" * len(line(header)), size=size)
        for r in rows:
            self.add("mono", line(r), size=size)


def render_pdf(report: Report, figures: Iterable[ReportFigure]) -> bytes:
    """The whole report as PDF bytes."""
    figs: dict[str, list[ReportFigure]] = {}
    for f in figures:
        figs.setdefault(f.section, []).append(f)
    buf = io.BytesIO()
    with style(), PdfPages(buf, metadata={"Title": report.title, "Creator": f"gaitlab {__version__}"}) as pdf:
        flow = _Flow(pdf)
        flow.add("h1", "Running form report")
        flow.add("p", report.source_name)
        if report.simulated:
            flow.add("label", "Simulated data: this report was made from a simulated run, "
                              "not from a runner's recording.", color="#B35900")
        for sid, title in SECTIONS:
            if sid == "splits":
                title = "Splits per km" if report.split_by == "km" else "Splits per 5 minutes"
            _section(flow, report, sid, title, bool(figs.get(sid)))
            for f in figs.get(sid, []):
                flow.flush()
                # in the room the figures leave at their top (figures._TOP_IN)
                head = f.figure.suptitle(title, x=0.01, y=1 - 0.06 / f.figure.get_figheight(), ha="left",
                                         va="top", fontsize=13, weight="bold")
                pdf.savefig(f.figure)
                head.remove()
        flow.add("p", f"Made by gaitlab {__version__}. Times are h:mm:ss (or m:ss) from the start of the recording.")
        flow.flush()
    return buf.getvalue()


def _notes(report: Report, *keys: str) -> list[str]:
    return [f"{w}: {y}" for w, y in report.not_computed if any(k in w for k in keys)]


def _section(flow: _Flow, r: Report, sid: str, title: str, has_figure: bool) -> None:
    if sid == "summary":
        flow.add("h2", title)
        for k, v in r.header:
            flow.add("li", f"{k}: {v}")
        flow.add("h3", "Data quality")
        for q in r.quality:
            flow.add("li", q.lstrip("– "))
    elif sid == "fatigue":
        flow.add("h2", title)
        if r.fatigue is None:
            flow.add("label", f"No fatigue analysis: {r.fatigue_error}")
            return
        text = r.headline or ""
        flow.add("label", text[:1].upper() + text[1:] + ".", color="#0072B2")
        for x in r.fatigue_lines:
            flow.add("li", x)
        flow.add("h3", "Per metric")
        rows = []
        for m, row in r.fatigue.metrics.iterrows():
            rows.append([label_of(m, False), f"{fmt_value(m, row['baseline_mean'])} {unit_label(m)}".strip(),
                         fmt_value(m, row["baseline_sd"]), fmt_value(m, row["end_change"]),
                         fmt_value("x", row["end_change_sd"]),
                         fmt_clock(row["onset_s"]) if np.isfinite(row["onset_s"]) else "–"])
        flow.table(["Metric", "Baseline mean", "Baseline SD", "Change at end", "Change (SD)", "Onset"], rows)
    elif sid in ("form-over-time", "rotation"):
        notes = _notes(r, "Form over time", "Pace", "Elevation") if sid == "form-over-time" else _notes(r, "rotation")
        if notes or not has_figure:
            flow.add("h2", title)
            for n in notes or ["Nothing to show for this run."]:
                flow.add("p", n)
    elif sid == "left-right":
        flow.add("h2", title)
        t = r.left_right
        if len(t):
            flow.table(["Metric", "Left", "Right", "Left - right"],
                       [[label_of(str(m), False), f"{fmt_value(m, x['left'])} {x['unit']}",
                         f"{fmt_value(m, x['right'])} {x['unit']}", f"{fmt_value(m, x['difference'])} {x['unit']}"]
                        for m, x in t.iterrows()])
        for n in _notes(r, "alance", "Pelvic drop"):
            flow.add("p", n)
    elif sid == "splits":
        flow.add("h2", title)
        disp = splits_display(r)
        flow.table(list(disp.columns), disp.astype(str).values.tolist())
    elif sid == "not-computed":
        flow.add("h2", title)
        for w, y in r.not_computed or [("Everything", "could be computed")]:
            flow.add("li", f"{w}: {y}")
    elif sid == "glossary":
        flow.add("h2", title)
        for term, what, unit in r.glossary:
            flow.add("li", f"{term}" + (f" ({unit})" if unit else "") + f": {what}")
