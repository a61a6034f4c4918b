"""Importers: files in, :class:`~gaitlab.run.Run` out. The lowest layer of gaitlab."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import FileFormatError, UnsupportedFileError
from ..run import Run
from .fit import read_fit
from .imu_csv import CSV_SUFFIXES, is_sensor_table, read_imu_csv
from .runscribe_csv import is_runscribe_csv, read_runscribe_csv

__all__ = ["read", "read_fit", "read_imu_csv", "read_runscribe_csv", "runs_in", "RUN_SUFFIXES", "DATA_SUFFIXES"]

#: Names of the files :func:`read` takes as one recording (a folder of CSVs aside).
RUN_SUFFIXES = (".fit", ".fit.gz", *CSV_SUFFIXES, ".zip")
#: Those and any ``.gz`` (which may hold one), longest first: what a report's
#: name strips from its input's, and what an output must not be named.
DATA_SUFFIXES = tuple(sorted((*RUN_SUFFIXES, ".gz"), key=len, reverse=True))


def read(
    path: str | PathLike[str],
    *,
    columns: dict[str, str] | None = None,
    rate_hz: float | None = None,
) -> Run:
    """Read a recording into a :class:`~gaitlab.run.Run`.

    Parameters
    ----------
    path
        A ``.fit`` or ``.fit.gz`` file; an IMU export as ``.csv``, ``.csv.gz``,
        ``.txt`` or ``.tsv``; a ``.zip`` or a folder of per-sensor CSVs (Sensor
        Logger, phyphox, MetaBase); a RunScribe per-stride CSV
        (:mod:`gaitlab.io.runscribe_csv`). Files are opened read-only.
    columns
        CSV only: the file's column names mapped to canonical names with units
        (``{"AccelX": "acc_x_g", "t": "time_s"}``) for headers gaitlab does not know.
    rate_hz
        CSV only: the sample rate of a file without a time column; with one,
        the rate of the output grid (a faster stream is low-passed first:
        :data:`gaitlab.io.grid.ANTI_ALIAS_RATIO`).

    Returns
    -------
    Run

    Raises
    ------
    gaitlab.errors.GaitlabError
        With the file name and the problem when it cannot be read.
    """
    if not isinstance(path, (str, PathLike)):
        raise TypeError(f"gaitlab.read takes a path (str or os.PathLike), not {type(path).__name__}")
    if not str(path).strip():
        raise FileFormatError(repr(str(path)), "an empty path names no file")  # Path("") is the current folder
    p = Path(path)
    if not p.exists():
        raise FileFormatError(str(path), "no such file")
    name = p.name.lower()
    suffixes = [s.lower() for s in p.suffixes[-2:]]
    if suffixes[-1:] == [".fit"] or suffixes == [".fit", ".gz"]:
        return read_fit(p)
    if p.is_dir():
        fits = [f.name for f in p.iterdir() if f.name.lower().endswith((".fit", ".fit.gz"))]
        if fits:
            raise UnsupportedFileError(
                str(path),
                f"a folder with {len(fits)} FIT file(s) is not one recording: give one file "
                "(gaitlab.form_endurance takes several runs); a folder is read as one phone-app CSV export",
            )
        return read_imu_csv(p, columns, rate_hz=rate_hz)
    with open(p, "rb") as fh:
        head = fh.read(12)
    if head[8:12] == b".FIT":  # a FIT file with another name
        return read_fit(p)
    if name.endswith(CSV_SUFFIXES) and is_runscribe_csv(p):
        return read_runscribe_csv(p)
    if name.endswith(CSV_SUFFIXES) or name.endswith(".zip"):
        return read_imu_csv(p, columns, rate_hz=rate_hz)
    raise UnsupportedFileError(
        str(path),
        f"unsupported file type {''.join(p.suffixes) or '(no extension)'}; gaitlab reads .fit, .fit.gz, "
        ".csv, .csv.gz, .txt, .tsv, .zip and folders of CSV files",
    )


def runs_in(folder: str | PathLike[str]) -> list[Path]:
    """The files in ``folder`` (not its subfolders) that :func:`read` takes as runs, by name.

    FIT and zip files by their names; text files (``.csv``, ``.txt``, ``.tsv``,
    also gzipped: IMU exports, Xsens MT Manager's among them) when they hold a
    table of sensor samples or RunScribe strides, so that a ``notes.txt`` or a
    table of run summaries beside the runs is not taken for one. A file that
    cannot be judged is listed, so that reading it says what is wrong.
    """
    files = sorted(p for p in Path(folder).iterdir() if p.is_file() and p.name.lower().endswith(RUN_SUFFIXES))
    return [p for p in files
            if not p.name.lower().endswith(CSV_SUFFIXES) or is_sensor_table(p) or is_runscribe_csv(p)]
