"""Command line: ``gaitlab info FILE [--json]``.

Errors from bad input are printed on one line (``gaitlab: <file>: <problem>``)
with exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import click

from . import __version__
from .errors import GaitlabError
from .io import read
from .run import Run

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
        + " ".join(str(x) for x in (dev.get("manufacturer"), dev.get("product_name") or dev.get("product")) if x)
        + (f" (software {dev['software_version']})" if dev.get("software_version") else ""),
        f"sport      {s['sport']}" + (f" / {s['sub_sport']}" if s.get("sub_sport") not in (None, "generic") else "")
        + (f"   sessions: {', '.join(s['sports'])}" if len(s["sports"]) > 1 else ""),
        f"start      {s['start_time'] or 'unknown'}",
        f"duration   {_fmt_duration(s['duration_s'])}",
        "distance   " + (f"{s['distance_m'] / 1000:.2f} km" if s["distance_m"] is not None else "unknown"),
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
        lines += [f"  - {w}" for w in s["warnings"]]
    return "\n".join(lines)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def info(file: Path, as_json: bool) -> None:
    """Device, sport, start, duration, distance, form metrics and warnings of FILE."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # they are part of the printed summary
        run = read(file)
    if as_json:
        click.echo(json.dumps(run.summary(), indent=2, default=str))
    else:
        click.echo(_text(run))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
