"""Column and file names, read alike by every CSV importer.

Recorder apps write units with symbols ("°", "µT", "m/s²") and in brackets at
the end of a header ("Velocity (m/s)", "Acc X [g]"); per-sensor exports name
the quantity in the file's name ("Gyroscope.csv", "Location.csv").
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["norm", "split_unit", "file_stem"]

#: Unit symbols -> the ASCII the unit tables use.
_SYMBOLS = (("²", "^2"), ("³", "^3"), ("⁻¹", "^-1"), ("⁻²", "^-2"), ("°", "deg"), ("º", "deg"),
            ("µ", "u"), ("μ", "u"), ("·", "*"))
_BRACKETED = re.compile(r"[\[\(\{]([^\]\)\}]*)[\]\)\}]\s*$")


def norm(name: str) -> str:
    """A header cell in lower case, without quotes or padding, its unit symbols in ASCII."""
    s = str(name).strip().strip('"').strip("'").lower()
    for a, b in _SYMBOLS:
        s = s.replace(a, b)
    return s


def split_unit(s: str) -> tuple[str, str | None]:
    """``(name, unit)`` of a (normalised) header whose unit ends it in brackets:
    ``"velocity (m/s)"`` -> ``("velocity", "m/s")``; ``(s, None)`` without one."""
    m = _BRACKETED.search(s)
    if m is None:
        return s, None
    return s[: m.start()].strip(), m.group(1).strip()


def file_stem(name: str) -> str:
    """The letters of a file's name before its first dot, lower case
    (``"Total_Acceleration.csv"`` -> ``"totalacceleration"``)."""
    return re.sub(r"[^a-z]", "", Path(name).name.lower().split(".")[0])
