"""Fatigue: when form breaks down in a run, what moves, where to cue, and form
endurance across runs. Layer above :mod:`gaitlab.metrics`."""

from .analysis import Fatigue, FatigueAnalyzer, decimals_of, fatigue, headline, unit_of
from .endurance import FormEndurance, form_endurance
from .series import METRICS, FormSeries, form_series

__all__ = ["fatigue", "Fatigue", "FatigueAnalyzer", "headline", "unit_of", "decimals_of", "form_endurance", "FormEndurance", "form_series", "FormSeries", "METRICS"]
