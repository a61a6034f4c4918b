"""Command line: ``gaitlab info FILE [--json]``, ``gaitlab analyze FILE [--json OUT]``,
``gaitlab report FILE... [-o PATH] [--pdf]``, ``gaitlab endurance PATH... [--json OUT] [--csv OUT]``.

Errors from bad input are printed on one line (``gaitlab: <file>: <problem>``)
with exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from . import __version__
from .errors import AnalysisError, GaitlabError
from .io import DATA_SUFFIXES, read
from .run import Run, describe_elevation

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn

    from .fatigue import Fatigue
    from .fatigue.endurance import FormEndurance
    from .metrics import Analysis

# The analysis, fatigue and report layers are imported by the commands that use
# them: ``gaitlab info`` and ``--help`` start without scipy.signal and matplotlib.

EXIT_BAD_INPUT = 2


class _Group(click.Group):
    """Catch gaitlab's errors once, for every command."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GaitlabError as exc:
            click.echo(f"gaitlab: {exc}", err=True)
            ctx.exit(EXIT_BAD_INPUT)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="gaitlab")
def main() -> None:
    """gaitlab: running form from FIT files and IMU recordings."""


def _fmt_duration(seconds: float) -> str:
    h, rem = divmod(int(round(seconds)), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def _text(run: Run) -> str:
    s = run.summary()
    dev = s["device"]
    lines = [
        f"file       {s['file']}",
        "device     "
        + " ".join(str(x) for x in (dev.get("manufacturer"), dev.get("product_name") or dev.get("product"),
                                    f"(software {dev['software_version']})" if dev.get("software_version") else None,
                                    "simulated (gaitlab.simulate), not a real recording" if s["simulated"] else None)
                   if x),
        f"sport      {s['sport']}" + (f" / {s['sub_sport']}" if s.get("sub_sport") not in (None, "generic") else "")
        + (f"   sessions: {', '.join(s['sports'])}" if len(s["sports"]) > 1 else ""),
        f"start      {s['start_time'] or 'unknown'}",
        f"duration   {_fmt_duration(s['duration_s'])}",
        "distance   " + (f"{s['distance_m'] / 1000:.2f} km" if s["distance_m"] is not None else "unknown"),
        f"elevation  {describe_elevation(run.elevation())}",
        f"records    {s['records']}" + (f"   IMU samples: {s['imu_samples']}" if s["imu_samples"] else ""),
    ]
    sensors = [
        f"{x.get('manufacturer')} {x.get('product_name') or x.get('product')}"
        for x in s["sensors"]
        if x.get("device_index") not in ("creator", "0") and x.get("manufacturer") and x.get("product")
    ]
    if sensors:
        lines.append("sensors    " + ", ".join(dict.fromkeys(sensors)))
    if s["form_metrics"]:
        lines.append("form metrics (median; source):")
        width = max(len(k) for k in s["form_metrics"])
        for name, m in s["form_metrics"].items():
            lines.append(f"  {name:<{width}}  {m['median']!s:>7}  {m['source']}")
    else:
        lines.append("form metrics: none in this file")
    if s["warnings"]:
        lines.append(f"warnings ({len(s['warnings'])}):")
        lines += [f"  - {w}" for w in _fold_skips(s["warnings"])]
    return "\n".join(lines)


#: Damaged stretches listed one by one before the rest are counted (--json lists all).
_SKIPS_SHOWN = 3


def _fold_skips(warns: list[str]) -> list[str]:
    """The warnings, with a long run of "skipped N bytes, read on from offset X"
    (a file damaged every few KB) cut to its first few and a count."""
    skips = [i for i, w in enumerate(warns) if "read on from offset" in w]
    if len(skips) <= _SKIPS_SHOWN + 1:
        return warns
    cut = set(skips[_SKIPS_SHOWN:])
    out = [w for i, w in enumerate(warns) if i not in cut]
    out.insert(skips[_SKIPS_SHOWN - 1] + 1,
               f"... and {len(cut)} more damaged stretches skipped the same way (--json lists each)")
    return out


_RATE = click.option(
    "--rate-hz", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Sample rate of an IMU CSV that has a sample counter but no time column; with a time column, "
         "the rate to resample it to (low-passed first when that is slower).",
)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_RATE
def info(file: Path, as_json: bool, rate_hz: float | None) -> None:
    """Device, sport, start, duration, distance, form metrics and warnings of FILE."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # they are part of the printed summary
        run = read(file, rate_hz=rate_hz)
    if as_json:
        click.echo(json.dumps(run.summary(), indent=2, default=str))
    else:
        click.echo(_text(run))


def _analysis_text(a: Analysis) -> str:
    from .signals.lever import describe_fit

    s = a.summary_dict()
    lever = describe_fit(s.get("lever_arm"))
    lines = [
        f"file       {a.run.path}" + ("   (simulated, not a real recording)" if a.run.simulated else ""),
        f"duration   {_fmt_duration(s['duration_s'])}   IMU {s['imu_rate_hz']:g} Hz"
        + (f"   distance {a.run.distance_m / 1000:.2f} km" if a.run.distance_m else ""),
        f"steps      {s['steps']}   strides {s['strides']}   side confidence {s['side_confidence']}",
        f"mounting   {', '.join(f'{k} = sensor {v}' for k, v in s['mounting']['axes'].items())}"
        f"   (confidence {s['mounting']['confidence']}, up from {s['mounting']['up_from']})",
        *([f"position   {lever}"] if lever else []),
        f"neutral    obliquity {s['neutral_obliquity_deg']} deg from {s['neutral_source']}",
        "metric                          all     left    right  sym %",
    ]
    for metric, row in a.summary.iterrows():
        cells = [row.get(c) for c in ("all", "left", "right", "symmetry_pct")]
        txt = ["" if c is None or pd.isna(c) else f"{c:.1f}" if abs(c) >= 10 else f"{c:.2f}" for c in cells]
        lines.append(f"  {metric:<28}" + "".join(f"{t:>8}" for t in txt))
    if a.warnings:
        lines.append(f"warnings ({len(a.warnings)}):")
        lines += [f"  - {w}" for w in a.warnings]
    return "\n".join(lines)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write summary, steps, strides and fatigue as JSON to this file.")
@click.option("--steps-csv", type=click.Path(dir_okay=False, path_type=Path), help="Write the per-step table as CSV to this file.")
@_RATE
def analyze(file: Path, json_out: Path | None, steps_csv: Path | None, rate_hz: float | None) -> None:
    """Form of every step and when it broke down, in FILE: a pelvis IMU recording (a CSV file,
    a folder or zip of a phone app's CSV export, a FIT file with IMU messages), or a FIT file
    with running dynamics (fatigue analysis of its records)."""
    from .fatigue import fatigue
    from .metrics import analyze_if_imu
    from .report.output import check_output, write_atomic

    if json_out:
        check_output(json_out, [file], "JSON file")
    if steps_csv:
        check_output(steps_csv, [file], "steps CSV", data_name_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # they are part of the printed summary
        run = read(file, rate_hz=rate_hz)
        result = analyze_if_imu(run)
        try:
            fat: Fatigue | None = fatigue(result if result is not None else run)
            fat_error = None
        except AnalysisError as exc:
            if result is None:
                raise
            fat, fat_error = None, exc.problem
    if json_out:
        doc = result.to_json_dict() if result is not None else {"summary": run.summary(), "steps": [], "strides": []}
        doc["fatigue"] = fat.to_json_dict() if fat is not None else {"onset_s": None, "onset_ci_s": None, "metrics": {}, "cue_windows": [], "error": fat_error}
        write_atomic(json_out, json.dumps(doc, indent=1, default=str))
    if steps_csv:
        if result is None:
            raise GaitlabError(file, "no per-step table: the file has no IMU data (its records are per second)")
        write_atomic(steps_csv, result.steps.to_csv(index=False))
    click.echo(_analysis_text(result) if result is not None else _text(run))
    click.echo(_fatigue_text(fat, fat_error))
    for label, path in (("JSON", json_out), ("steps CSV", steps_csv)):
        if path:
            click.echo(f"{label} written to {path}")


def _fatigue_text(f: Fatigue | None, error: str | None) -> str:
    if f is None:
        return f"fatigue    not analysed: {error}"
    from .fatigue import headline

    lines = [f"fatigue    {headline(f)}"]
    if f.onset_ci_s:
        lines.append(f"           onset {_fmt_duration(f.onset_s)} (95 % interval {_fmt_duration(f.onset_ci_s[0])}"
                     f" to {_fmt_duration(f.onset_ci_s[1])}); baseline {_fmt_duration(f.baseline_s[0])}"
                     f"-{_fmt_duration(f.baseline_s[1])}")
    for _, w in f.cue_windows.iterrows():
        lines.append(f"           cue window {_fmt_duration(w['start_s'])}-{_fmt_duration(w['end_s'])}: "
                     f"{', '.join(w['metrics']) or 'form index'}")
    lines += [f"           note: {n}" for n in f.notes]
    return "\n".join(lines)


def _report_name(file: Path) -> str:
    """``run.fit.gz`` -> ``run-report.html``: the longest suffix of
    :data:`gaitlab.io.DATA_SUFFIXES` stripped, case-insensitively."""
    name = file.name.rstrip("/") or file.resolve().name
    for suffix in DATA_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return f"{name[: -len(suffix)]}-report.html"
    return f"{name}-report.html"


def _report_targets(files: tuple[Path, ...], out: Path | None) -> list[Path]:
    """Where each input's report goes: ``-o`` is the file for one input, a folder for several."""
    if out is not None and len(files) == 1 and not out.is_dir():
        return [out]
    folder = out if out is not None else Path.cwd()
    if out is not None and not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise GaitlabError(folder, f"cannot create the output folder: {exc.strerror or exc}") from None
    targets: list[Path] = []
    for f in files:
        target = folder / _report_name(f)
        k = 2
        while target in targets:  # two inputs of the same name from different folders
            target = folder / _report_name(f).replace("-report.html", f"-{k}-report.html")
            k += 1
        targets.append(target)
    return targets


def _progress(quiet: bool, *columns: ProgressColumn) -> tuple[bool, Progress]:
    """(shown, a rich progress bar on stderr with these columns): shown only to a
    person at a terminal, not with ``--quiet`` or into a pipe or log, and gone
    when done."""
    from rich.console import Console
    from rich.progress import Progress

    show = not quiet and sys.stderr.isatty()
    return show, Progress(*columns, console=Console(stderr=True), transient=True, disable=not show)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="The HTML file for one input; a folder for several (default: the current folder).")
@click.option("--pdf", is_flag=True, help="Also write the report as PDF, beside the HTML.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_RATE
def report(files: tuple[Path, ...], out: Path | None, pdf: bool, quiet: bool, rate_hz: float | None) -> None:
    """A self-contained HTML form report (opens offline) of each FILE: a FIT file (.fit, .fit.gz)
    with running dynamics or a pelvis IMU recording (CSV, a phone app's export, FIT with IMU messages).
    Default output: <name>-report.html in the current folder."""
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn

    from .report import write_report

    stages = ["read", "analyse", "fatigue", "figures", "write"]
    failed = 0
    targets = _report_targets(files, out)
    show, bar = _progress(quiet, TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stage]}"),
                          TimeElapsedColumn())
    with bar:
        for file, target in zip(files, targets):
            task = bar.add_task(file.name, total=len(stages), stage="")

            def tick(stage: str, task=task) -> None:
                bar.update(task, completed=stages.index(stage), stage=stage)

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # they are part of the report
                    written = write_report(file, target, pdf=pdf, rate_hz=rate_hz, progress=tick)
            except GaitlabError as exc:
                failed += 1
                msg = f"gaitlab: {exc}" if exc.path else f"gaitlab: {file}: {exc.problem}"
                if show:
                    bar.console.print(msg, markup=False, highlight=False, soft_wrap=True)
                else:
                    click.echo(msg, err=True)
                bar.remove_task(task)
                continue
            bar.update(task, completed=len(stages), stage="done")
            bar.remove_task(task)
            for path in written:
                click.echo(f"report written to {path}")
    if failed:
        click.get_current_context().exit(EXIT_BAD_INPUT)


def _runs_of(paths: tuple[Path, ...]) -> list[Path]:
    """Each path, a folder standing for the runs in it (:func:`gaitlab.io.runs_in`)."""
    from .io import runs_in

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = runs_in(p)
            if not found:
                raise GaitlabError(p, "folder holds no run gaitlab reads (.fit, .fit.gz, .csv, .zip, ...)")
            out += found
        else:
            out.append(p)
    return out


def _trend_text(fe: FormEndurance) -> str:
    t = fe.trend
    per = "per 30 days" if t["basis"] == "calendar" else "per run (in the order given: no run has a date)"
    slope = t["held_min_per_30_days"] if t["basis"] == "calendar" else t["held_min_per_run"]
    said = {
        "later": "form breaks down later as training goes on",
        "earlier": "form breaks down earlier than it did",
        "no clear change": "no clear change in how long form holds (within the run-to-run scatter)",
        "too few runs": f"too few runs for a trend ({t['runs']} analysed; 3 needed)",
        "all at one time": "no trend: the runs share one start time",
    }[t["direction"]]
    line = f"trend      {said}"
    if slope is not None:
        line += f": {slope:+.1f} min held {per}, over {t['runs']} runs"
    if t.get("undated"):
        line += f" ({t['undated']} undated left off the calendar)"
    return line


def _endurance_text(fe: FormEndurance) -> str:
    from .fatigue.analysis import NOT_RUNNING_SAID_S

    rows = fe.runs
    width = max([len("run"), *(len(str(r)) for r in rows["run"])])
    lines = [f"{'start (UTC)':<16}  {'run':<{width}}  {'min':>5}  {'km':>5}  {'up m':>5}  form held"]
    for _, r in rows.iterrows():
        date = r["start_time"].strftime("%Y-%m-%d %H:%M") if pd.notna(r["start_time"]) else "undated"
        if isinstance(r["error"], str) and pd.isna(r["duration_min"]):
            cut = r["error"].find(f"{r['run']}: ")  # the error names the file; the row does already
            problem = r["error"][cut + len(r["run"]) + 2:] if cut >= 0 else r["error"]
            lines.append(f"{'':<16}  {r['run']:<{width}}  {'':>5}  {'':>5}  {'':>5}  not analysed: {problem}")
            continue
        km = f"{r['distance_km']:.2f}" if pd.notna(r["distance_km"]) else ""
        up = f"{r['ascent_m']:.0f}" if pd.notna(r["ascent_m"]) else ""
        # walks or stops (before the onset, or in the run), not counted as form held
        walked = ((r["duration_min"] - r["running_min"] if r["censored"] else r["onset_min"] - r["held_min"])
                  >= NOT_RUNNING_SAID_S / 60)
        ran = " of running" if walked else ""
        if r["censored"]:
            held = f"to the end (at least {r['held_min']:.0f} min{ran})"
        else:
            held = (f"{r['held_min']:.0f} min" + (f" / {r['held_km']:.1f} km" if pd.notna(r["held_km"]) else "") + ran
                    + (f" (onset {r['onset_min']:.0f} min into the recording, 95 % interval " if walked
                       else " (95 % interval ") + f"{r['onset_lo_min']:.0f}-{r['onset_hi_min']:.0f} min)")
            if r["first_metrics"]:
                held += "; first: " + ", ".join(r["first_metrics"])
        if isinstance(r["error"], str):  # analysed, but the same run as another: counted once
            held += f"; {r['error']}"
        lines.append(f"{date:<16}  {r['run']:<{width}}  {r['duration_min']:>5.1f}  {km:>5}  {up:>5}  {held}")
    return "\n".join([*lines, _trend_text(fe)])


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the per-run table and the trend as JSON to this file.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the per-run table as CSV to this file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def endurance(paths: tuple[Path, ...], json_out: Path | None, csv_out: Path | None, quiet: bool) -> None:
    """How long form held in each run, and whether it holds longer as training goes on.

    PATHS are runs (FIT with running dynamics, pelvis IMU recordings) or folders of them.
    Each run's fatigue analysis gives the minutes and km before form broke down (a run
    whose form held counts as "at least" its length); the trend is their slope over the
    calendar. A run that cannot be analysed is listed with why (exit code 2)."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn

    from .fatigue import form_endurance
    from .report.output import check_output, write_atomic

    files = _runs_of(paths)
    for out, what in ((json_out, "JSON file"), (csv_out, "CSV file")):
        if out:
            check_output(out, files, what, data_name_ok=what == "CSV file")
    _, bar = _progress(quiet, TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with bar:
        task = bar.add_task("runs", total=len(files))

        def ticking():  # form_endurance takes the runs one by one: the bar moves as it does
            for f in files:
                bar.update(task, description=f.name)
                yield f
                bar.advance(task)

        fe = form_endurance(ticking())
    failed = fe.runs[fe.runs["error"].notna() & fe.runs["duration_min"].isna()]
    for error in failed["error"]:  # "<path>: <problem>", as every command says it
        click.echo(f"gaitlab: {error}", err=True)
    if json_out:
        doc = {"runs": json.loads(fe.runs.to_json(orient="records", date_format="iso")), "trend": fe.trend}
        write_atomic(json_out, json.dumps(doc, indent=1))
    if csv_out:  # the metrics that moved first as one cell a spreadsheet shows plainly
        table = fe.runs.assign(first_metrics=fe.runs["first_metrics"].map(
            lambda m: "; ".join(m) if isinstance(m, list) else m))
        write_atomic(csv_out, table.to_csv(index=False))
    click.echo(_endurance_text(fe))
    for label, path in (("JSON", json_out), ("CSV", csv_out)):
        if path:
            click.echo(f"{label} written to {path}")
    if len(failed):
        click.get_current_context().exit(EXIT_BAD_INPUT)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
