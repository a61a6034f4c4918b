"""Writing report files: atomically, so a crash never leaves half a report."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import GaitlabError
from ..io import DATA_SUFFIXES

__all__ = ["write_atomic", "check_output"]


def check_output(path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None], what: str,
                 data_name_ok: bool = False) -> None:
    """Refuse an output path that is one of the inputs (a typo such as
    ``-o run.fit`` replaced the run with its report), or, unless ``data_name_ok``,
    a name of run data (``.fit``, ``.csv``, ``.txt``...: :data:`gaitlab.io.DATA_SUFFIXES`).

    Raises
    ------
    gaitlab.GaitlabError
        Naming the path and the problem.
    """
    path = Path(path)
    for src in inputs:
        try:
            same = src is not None and path.exists() and path.samefile(src)
        except OSError:
            same = False
        if same:
            raise GaitlabError(path, f"is the input: writing the {what} there would replace it (give another path)")
    low = path.name.lower()
    if not data_name_ok and low.endswith(DATA_SUFFIXES):
        suffix = next(x for x in DATA_SUFFIXES if low.endswith(x))
        raise GaitlabError(path, f"a {what} would take the name of run data ({suffix}); give another name")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    Raises
    ------
    gaitlab.GaitlabError
        The folder does not exist or cannot be written.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; a report is for reading
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise GaitlabError(path, f"cannot write: {exc.strerror or exc}") from None
