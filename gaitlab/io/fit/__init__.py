"""FIT importer (Garmin, COROS, Suunto, Wahoo, Stryd, RunScribe...)."""

from .reader import decode_fit_bytes, read_fit

__all__ = ["read_fit", "decode_fit_bytes"]
