"""Gzip for every importer: a ``.fit.gz`` or ``.csv.gz`` cut short still gives what it holds."""

from __future__ import annotations

import gzip
import zlib
from os import PathLike

from ..errors import DamagedFileError

__all__ = ["gunzip", "head_of", "is_gzip", "unzipped"]


def is_gzip(raw: bytes) -> bool:
    """Whether ``raw`` starts with the gzip magic bytes."""
    return raw[:2] == b"\x1f\x8b"


def head_of(path: str | PathLike[str], n: int) -> bytes | None:
    """The first ``n`` bytes of a file, decompressed when it is gzip; ``None``
    when they cannot be read (the reader says why when it reads the file)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(n)
        if is_gzip(head):
            with gzip.open(path, "rb") as fh:
                head = fh.read(n)
    except (OSError, EOFError, zlib.error):
        return None
    return head


def gunzip(raw: bytes, path: str, problems: list[str]) -> bytes:
    """Decompress gzip data; keep what decompresses from a damaged stream.

    Parameters
    ----------
    raw
        The compressed bytes.
    path
        For the error message.
    problems
        Gets one line (without the path) when the stream is damaged and only
        its start was kept.

    Raises
    ------
    gaitlab.DamagedFileError
        Nothing decompresses at all.
    """
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        d = zlib.decompressobj(wbits=31)
        try:
            out = d.decompress(raw)
        except zlib.error:
            out = b""
        if not out:
            raise DamagedFileError(path, f"gzip data is damaged and nothing decompresses ({exc})") from None
        problems.append(f"gzip stream is damaged ({exc}); kept the {len(out)} bytes before it")
        return out


def unzipped(raw: bytes, path: str, warns: list[str]) -> bytes:
    """``raw``, decompressed when it is gzip; a damaged stream's start, with a
    line in ``warns`` (``"<path>: gzip stream is damaged ..."``)."""
    if not is_gzip(raw):
        return raw
    problems: list[str] = []
    out = gunzip(raw, path, problems)
    warns += [f"{path}: {p}" for p in problems]
    return out
