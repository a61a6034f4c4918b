"""The one exception hierarchy of gaitlab.

Every error that bad input can cause is raised at the door as a subclass of
:class:`GaitlabError`, with the file name and the problem in one line, so that the
CLI can catch it once and print it without a traceback. Problems that gaitlab
repairs or works around are not errors: they are collected in ``Run.warnings``
and also emitted as :class:`GaitlabWarning`.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "GaitlabError",
    "FileFormatError",
    "DamagedFileError",
    "UnsupportedFileError",
    "AnalysisError",
    "GaitlabWarning",
    "AnalysisWarning",
    "DamagedFileWarning",
]


class GaitlabError(Exception):
    """Base class of every error gaitlab raises on purpose.

    Parameters
    ----------
    path
        The file the problem is in, or ``None`` when there is no file.
    problem
        What is wrong, in words a runner can act on.
    """

    def __init__(self, path: str | PathLike[str] | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(self.path and f"{self.path}: {problem}" or problem)


class FileFormatError(GaitlabError):
    """The file is empty, not of the format its name says, or holds nothing readable."""


class DamagedFileError(FileFormatError):
    """The file is of the right format but too damaged to recover any data."""


class UnsupportedFileError(GaitlabError):
    """gaitlab has no importer for this kind of file."""


class AnalysisError(GaitlabError):
    """The data was read but cannot be analysed as asked: too short, a sensor that
    never moved, a signal that is not a pelvis while running, a mounting that
    cannot be told."""


class GaitlabWarning(UserWarning):
    """Base class of gaitlab's warnings (also listed in ``Run.warnings``)."""


class DamagedFileWarning(GaitlabWarning):
    """Part of a file was damaged; what could be read was kept."""


class AnalysisWarning(GaitlabWarning):
    """Part of a recording could not be analysed, or a result is less certain."""
