"""gaitlab: running form from the wearables runners already have.

Layers (data flows one way, lower layers never import higher ones)::

    io/ (importers) -> signals/ -> metrics/ -> fatigue/ -> report/
                                   cli.py, library/, web/ on top

Foundations shared by all layers: :mod:`gaitlab.errors`, :mod:`gaitlab.frames`
(units and coordinate frames), :mod:`gaitlab.run`.
"""

from __future__ import annotations

import importlib
import sys
import types
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .errors import (
    AnalysisError,
    DamagedFileError,
    FileFormatError,
    GaitlabError,
    GaitlabWarning,
    UnsupportedFileError,
)
from .io import read
from .run import Run

if TYPE_CHECKING:
    from . import simulate, simulate_fit
    from .fatigue import Fatigue, fatigue, form_endurance
    from .metrics import Analysis, analyze

#: Loaded on first use: they need scipy.signal and friends (0.7 s of imports),
#: which ``gaitlab info`` and ``gaitlab.read`` do without.
_LAZY = {
    "simulate": (".simulate", None),
    "simulate_fit": (".simulate_fit", None),
    "Analysis": (".metrics", "Analysis"),
    "analyze": (".metrics", "analyze"),
    "Fatigue": (".fatigue", "Fatigue"),
    "fatigue": (".fatigue", "fatigue"),
    "form_endurance": (".fatigue", "form_endurance"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'gaitlab' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = importlib.import_module(module, __name__)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """``gaitlab.fatigue`` is the function: importing the subpackage of that
    name must not bind the module over it (the import system sets a loaded
    subpackage as an attribute of its parent)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "fatigue" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
