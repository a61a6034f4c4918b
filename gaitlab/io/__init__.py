"""Importers: files in, :class:`~gaitlab.run.Run` out. The lowest layer of gaitlab."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..errors import FileFormatError, UnsupportedFileError
from ..run import Run
from .fit import read_fit

__all__ = ["read", "read_fit"]


def read(path: str | PathLike[str]) -> Run:
    """Read a recording into a :class:`~gaitlab.run.Run`.

    Parameters
    ----------
    path
        A ``.fit`` or ``.fit.gz`` file. The file is opened read-only.

    Returns
    -------
    Run

    Raises
    ------
    gaitlab.errors.GaitlabError
        With the file name and the problem when it cannot be read.
    """
    p = Path(path)
    if not p.exists():
        raise FileFormatError(str(path), "no such file")
    suffixes = [s.lower() for s in p.suffixes[-2:]]
    if suffixes[-1:] == [".fit"] or suffixes == [".fit", ".gz"]:
        return read_fit(p)
    if p.is_file():
        with open(p, "rb") as fh:
            head = fh.read(12)
        if head[8:12] == b".FIT":  # a FIT file with another name
            return read_fit(p)
    raise UnsupportedFileError(
        str(path), f"unsupported file type {''.join(p.suffixes) or '(no extension)'}; gaitlab reads .fit and .fit.gz"
    )
