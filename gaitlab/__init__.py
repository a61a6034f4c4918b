"""gaitlab: running form from the wearables runners already have.

Layers (data flows one way, lower layers never import higher ones)::

    io/ (importers) -> signals/ -> metrics/ -> fatigue/ -> report/
                                   cli.py, library/, web/ on top

Foundations shared by all layers: :mod:`gaitlab.errors`, :mod:`gaitlab.frames`
(units and coordinate frames), :mod:`gaitlab.run`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    AnalysisError,
    DamagedFileError,
    FileFormatError,
    GaitlabError,
    GaitlabWarning,
    UnsupportedFileError,
)
from . import simulate, simulate_fit
from .io import read
from .metrics import Analysis, analyze
from .fatigue import Fatigue, fatigue, form_endurance
from .run import Run

try:
    __version__ = version("gaitlab-form")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "read",
    "analyze",
    "Analysis",
    "fatigue",
    "Fatigue",
    "form_endurance",
    "simulate",
    "simulate_fit",
    "Run",
    "GaitlabError",
    "GaitlabWarning",
    "FileFormatError",
    "DamagedFileError",
    "UnsupportedFileError",
    "AnalysisError",
    "__version__",
]
