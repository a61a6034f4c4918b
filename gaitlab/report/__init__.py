"""Report stage: one run's form report as a self-contained HTML file (and PDF).

Layer above :mod:`gaitlab.fatigue` (data flows io -> signals -> metrics ->
fatigue -> report -> cli). :func:`build_report` decides the content (a
:class:`Report`), :mod:`.figures` draws it with matplotlib, :mod:`.html` and
:mod:`.pdf` lay it out, :func:`write_report` writes the files.

Example
-------
>>> import gaitlab.report
>>> gaitlab.report.write_report("run.fit", "run-report.html", pdf=True)  # doctest: +SKIP
[PosixPath('run-report.html'), PosixPath('run-report.pdf')]
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Callable

from ..metrics import Analysis
from ..run import Run
from .content import SECTIONS, Report, build_report
from .figures import build_figures
from .html import render_html
from .output import check_output, write_atomic

__all__ = ["Report", "SECTIONS", "build_report", "write_report", "render_html", "build_figures"]


def write_report(
    obj: Report | Run | Analysis | str | PathLike[str],
    path: str | PathLike[str],
    pdf: bool = False,
    *,
    rate_hz: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the form report of one run as HTML (and PDF beside it).

    Parameters
    ----------
    obj
        A :class:`Report`, or what :func:`build_report` takes (a path, a
        :class:`~gaitlab.run.Run`, an :class:`~gaitlab.metrics.Analysis`).
    path
        The HTML file to write; the PDF goes beside it with suffix ``.pdf``.
    pdf
        Also write the PDF.
    rate_hz
        Sample rate, Hz, of an IMU CSV with a sample counter but no time column.
    progress
        Called with each stage's name as it starts: ``"read"``, ``"analyse"``,
        ``"fatigue"`` (when ``obj`` is not a Report yet), ``"figures"``, ``"write"``.

    Returns
    -------
    list of Path
        The files written, HTML first.
    """
    html_path = Path(path)
    source = (obj if isinstance(obj, (str, PathLike)) else obj.path if isinstance(obj, Run)
              else obj.run.path if isinstance(obj, Analysis) else None)
    check_output(html_path, [source], "report")
    if pdf:
        check_output(html_path.with_suffix(".pdf"), [source], "report")
    tick = progress or (lambda stage: None)
    report = obj if isinstance(obj, Report) else build_report(obj, rate_hz=rate_hz, progress=tick)
    tick("figures")
    figures = build_figures(report)
    tick("write")
    out = [html_path]
    text = render_html(report, figures)
    if pdf:
        from .pdf import render_pdf  # only when asked: the PDF backend is imported lazily

        pdf_bytes = render_pdf(report, figures)
    write_atomic(html_path, text)
    if pdf:
        pdf_path = html_path.with_suffix(".pdf")
        write_atomic(pdf_path, pdf_bytes)
        out.append(pdf_path)
    return out
