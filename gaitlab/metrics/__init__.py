"""Metrics stage: per-step and per-stride form metrics from the signals stage.

:func:`analyze` runs the whole pelvis IMU pipeline on a :class:`~gaitlab.run.Run`.
"""

from .pipeline import STEP_COLUMNS, STRIDE_COLUMNS, Analysis, analyze, analyze_if_imu

__all__ = ["analyze", "analyze_if_imu", "Analysis", "STEP_COLUMNS", "STRIDE_COLUMNS"]
