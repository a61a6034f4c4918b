"""The report as one self-contained HTML file.

Nothing is fetched when it opens: CSS inline, figures inline SVG (text as
outlines, so no fonts either), no scripts. Sections carry their id from
:data:`~gaitlab.report.content.SECTIONS`; machine-readable numbers ride along
as ``data-*`` attributes (seconds, metres) for tools and tests.
"""

from __future__ import annotations

from html import escape
from typing import Iterable

import numpy as np
import pandas as pd

from .. import __version__
from .content import SECTIONS, Report, fmt_clock, fmt_pace, fmt_value, label_of, unit_label
from .figures import ReportFigure, to_svg

__all__ = ["render_html", "splits_display"]

_L = ' class="l"'  # left-aligned cell

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #e3e3e3; --accent: #0072B2; --warn: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; background: #fafafa; color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 2px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.02em; margin: 18px 0 6px; }
.file { color: var(--muted); margin: 0 0 12px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.simulated { background: #FFF4D6; border: 2px solid #E69F00; color: #7a4b00; font-weight: 700;
             padding: 8px 12px; border-radius: 6px; margin: 8px 0 16px; }
.headline { font-size: 1.15em; font-weight: 600; border-left: 4px solid var(--accent); padding: 6px 12px;
            background: #f1f7fb; margin: 8px 0 12px; }
.headline.none { border-left-color: var(--warn); background: #fdf3ec; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 0.93em; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.l, th.l { text-align: left; }
table.kv th { text-align: left; background: none; width: 9em; color: var(--muted); font-weight: 600; }
table.kv td { text-align: left; }
figure { margin: 12px 0 18px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.9em; margin-top: 4px; }
.note { color: var(--muted); font-style: italic; }
ul { margin: 4px 0 8px; padding-left: 1.3em; }
dl.glossary dt { font-weight: 600; margin-top: 6px; }
dl.glossary dd { margin: 0 0 4px 1.2em; }
.scroll { overflow-x: auto; }
footer { color: var(--muted); font-size: 0.85em; margin-top: 36px; }
"""


def render_html(report: Report, figures: Iterable[ReportFigure]) -> str:
    """The whole report as one HTML document (a string)."""
    figs: dict[str, list[ReportFigure]] = {}
    for f in figures:
        figs.setdefault(f.section, []).append(f)
    body = {sid: "" for sid, _ in SECTIONS}
    body["summary"] = _summary(report)
    body["fatigue"] = _fatigue(report)
    body["form-over-time"] = _none(report, bool(figs.get("form-over-time")), "Form over time", "Pace", "Elevation")
    body["left-right"] = _left_right(report) + _none(report, bool(figs.get("left-right")), "alance", "Pelvic drop")
    body["rotation"] = _none(report, bool(figs.get("rotation")), "rotation")
    body["splits"] = _splits(report)
    body["not-computed"] = _not_computed(report)
    body["glossary"] = _glossary(report)
    attrs = {"fatigue": _fatigue_attrs(report)}
    parts = []
    for sid, title in SECTIONS:
        if sid == "splits":
            title = "Splits per km" if report.split_by == "km" else "Splits per 5 minutes"
        inner = body[sid] + "".join(_figure(f) for f in figs.get(sid, []))
        parts.append(f'<section id="{sid}"{attrs.get(sid, "")}>\n<h2>{escape(title)}</h2>\n{inner}\n</section>')
    sim = ('<div id="simulated-label" class="simulated">Simulated data: this report was made from a simulated '
           "run, not from a runner's recording.</div>\n" if report.simulated else "")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(report.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<header>\n<h1>Running form report</h1>\n<p class=\"file\">{escape(report.source_name)}</p>\n{sim}</header>\n"
        + "\n".join(parts)
        + f"\n<footer>Made by gaitlab {escape(__version__)}. Times are h:mm:ss (or m:ss) from the start of the "
          "recording.</footer>\n</main>\n</body>\n</html>\n"
    )


def _none(report: Report, has_figure: bool, *keys: str) -> str:
    """The why of the not-computed entries whose name contains one of ``keys``."""
    whys = [f"{w}: {y}" for w, y in report.not_computed if any(k in w for k in keys)]
    if not whys and not has_figure:
        whys = ["Nothing to show for this run."]
    return "".join(f'<p class="note">{escape(x)}</p>\n' for x in whys)


def _figure(f: ReportFigure) -> str:
    return f'<figure id="{f.id}">\n{to_svg(f.figure)}\n<figcaption>{escape(f.caption)}</figcaption>\n</figure>\n'


def _summary(report: Report) -> str:
    rows = "".join(f'<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>\n' for k, v in report.header)
    q = report.quality
    items = "".join(f"<li>{escape(x.lstrip('– '))}</li>\n" for x in q[1:] if not x.startswith("–"))
    warns = "".join(f"<li>{escape(x[2:])}</li>\n" for x in q if x.startswith("– "))
    head = escape(q[0]) if q else ""
    return (f'<table class="kv">\n{rows}</table>\n<h3>Data quality</h3>\n<ul id="quality">\n<li>{head}'
            + (f"<ul>\n{warns}</ul>" if warns else "") + f"</li>\n{items}</ul>\n")


def _fatigue_attrs(report: Report) -> str:
    f = report.fatigue
    if f is None:
        return ' data-onset-s=""'
    a = {"data-onset-s": "" if f.onset_s is None else f"{f.onset_s:.1f}",
         "data-onset-ci-lo-s": f"{f.onset_ci_s[0]:.1f}" if f.onset_ci_s else "",
         "data-onset-ci-hi-s": f"{f.onset_ci_s[1]:.1f}" if f.onset_ci_s else "",
         "data-baseline-s": f"{f.baseline_s[0]:.1f},{f.baseline_s[1]:.1f}",
         "data-cue-windows": str(len(f.cue_windows))}
    return "".join(f' {k}="{v}"' for k, v in a.items())


def _fatigue(report: Report) -> str:
    f = report.fatigue
    if f is None:
        return (f'<p class="headline none" id="headline">No fatigue analysis: {escape(report.fatigue_error or "")}</p>\n')
    text = report.headline or ""
    out = [f'<p class="headline" id="headline">{escape(text[:1].upper() + text[1:])}.</p>\n<ul>\n']
    out += [f"<li>{escape(x)}</li>\n" for x in report.fatigue_lines]
    out.append("</ul>\n<h3>Per metric</h3>\n<div class=\"scroll\"><table id=\"fatigue-metrics\">\n"
               '<tr><th class="l">Metric</th><th>Baseline mean</th><th>Baseline SD</th><th>Change at the end</th>'
               "<th>Change (baseline SDs)</th><th>Onset</th></tr>\n")
    for m, row in f.metrics.iterrows():
        u = unit_label(m)
        onset = fmt_clock(row["onset_s"]) if np.isfinite(row["onset_s"]) else "–"
        out.append(f'<tr data-metric="{escape(str(m))}"><td class="l">{escape(label_of(m, False))}</td>'
                   f"<td>{fmt_value(m, row['baseline_mean'])} {u}</td><td>{fmt_value(m, row['baseline_sd'])}</td>"
                   f"<td>{_signed(m, row['end_change'])} {u}</td><td>{_signed('x', row['end_change_sd'])}</td>"
                   f"<td>{onset}</td></tr>\n")
    paced = "speed_mps" in f.series and f.series["speed_mps"].notna().any()
    how = "adjusted to the baseline's pace and grade" if paced else "raw (no speed in the recording to adjust for)"
    out.append(f"</table></div>\n<p class=\"note\">Changes are the last 5 minutes against the baseline, {how}.</p>\n")
    return "".join(out)


def _signed(metric: str, v: float) -> str:
    s = fmt_value(metric, v)
    return s if s.startswith("-") or s == "–" or not s.strip("0.") else f"+{s}"


def _left_right(report: Report) -> str:
    t = report.left_right
    if t.empty:
        return ""
    rows = []
    for m, row in t.iterrows():
        u = row["unit"]
        rows.append(f'<tr data-metric="{escape(str(m))}"><td class="l">{escape(label_of(str(m), False))}</td>'
                    f"<td>{fmt_value(m, row['left'])} {u}</td><td>{fmt_value(m, row['right'])} {u}</td>"
                    f"<td>{_signed(m, row['difference'])} {u}</td></tr>\n")
    what = "medians per stance side" if report.kind == "imu" else "the left foot's share, right is the rest"
    return ('<table id="left-right-table">\n<tr><th class="l">Metric</th><th>Left</th><th>Right</th>'
            f"<th>Left − right</th></tr>\n{''.join(rows)}</table>\n<p class=\"note\">{escape(what)}.</p>\n")


def splits_display(report: Report) -> pd.DataFrame:
    """The splits as shown: formatted strings with units in the column names."""
    s = report.splits
    out = pd.DataFrame(index=s.index)
    if report.split_by == "km":
        out["km"] = [f"{x / 1000:.2f}" if x % 1000 else f"{x / 1000:.0f}" for x in s["end_distance_m"]]
        out["Distance (km)"] = [f"{x / 1000:.2f}" for x in s["distance_m"]]
        out["Split time"] = [fmt_clock(x) for x in s["duration_s"]]
        out["Pace (min/km)"] = [fmt_pace(x).replace(" /km", "") for x in s["pace_s_per_km"]]
    else:
        out["Minutes"] = [f"{a / 60:.0f}-{b / 60:.0f}" for a, b in zip(s["start_s"], s["end_s"])]
    if "ascent_m" in s:
        out["Up (m)"] = [f"{v:.0f}" for v in s["ascent_m"]]
        out["Down (m)"] = [f"{v:.0f}" for v in s["descent_m"]]
    for c in s.columns:
        if c in ("split", "start_s", "end_s", "duration_s", "distance_m", "end_distance_m", "pace_s_per_km",
                 "ascent_m", "descent_m"):
            continue
        out[label_of(c)] = [fmt_value(c, v) for v in s[c]]
    return out


def _splits(report: Report) -> str:
    s = report.splits
    if s.empty:
        return '<p class="note">No splits: no form values over the run.</p>\n'
    disp = splits_display(report)
    head = "".join(f"<th{_L if i == 0 else ''}>{escape(c)}</th>" for i, c in enumerate(disp.columns))
    rows = []
    for (_, raw), (_, row) in zip(s.iterrows(), disp.iterrows()):
        attrs = f' data-start-s="{raw["start_s"]:.1f}" data-end-s="{raw["end_s"]:.1f}"'
        if "distance_m" in s:
            attrs += f' data-distance-m="{raw["distance_m"]:.1f}"'
        cells = "".join(f"<td{_L if i == 0 else ''}>{escape(v)}</td>" for i, v in enumerate(row))
        rows.append(f"<tr{attrs}>{cells}</tr>\n")
    what = ("Medians of each kilometre (the last one is what is left)." if report.split_by == "km"
            else "Medians of each 5 minutes from the start of the recording.")
    if "ascent_m" in s:
        what += f" Up and down: {s.attrs['climb_from']}, split by split."
    return (f'<div class="scroll"><table id="splits-table" data-split-by="{escape(report.split_by)}">\n'
            f"<tr>{head}</tr>\n{''.join(rows)}</table></div>\n<p class=\"note\">{escape(what)}</p>\n")


def _not_computed(report: Report) -> str:
    if not report.not_computed:
        return '<p class="note">Everything in this report could be computed.</p>\n'
    items = "".join(f"<li><strong>{escape(w)}</strong>: {escape(y)}</li>\n" for w, y in report.not_computed)
    return f'<ul id="not-computed-list">\n{items}</ul>\n'


def _glossary(report: Report) -> str:
    items = "".join(f"<dt>{escape(term)}" + (f" ({escape(unit)})" if unit else "") + f"</dt><dd>{escape(what)}</dd>\n"
                    for term, what, unit in report.glossary)
    return f'<dl class="glossary">\n{items}</dl>\n'
