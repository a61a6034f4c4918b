"""How FIT fields become gaitlab columns: names with units (see :mod:`gaitlab.frames`).

Three layers, applied in order:

1. **Explicit names** for the fields a runner cares about (:data:`RECORD_FIELDS`,
   :data:`SUMMARY_FIELDS`), including the running-dynamics fields whose FIT
   names are ambiguous (``stance_time_balance`` is the *left* foot's share;
   ``step_length`` is one step, which Garmin's UI calls "stride length").
2. **Profile units** for every other known field: the FIT profile's unit string
   becomes the suffix (``total_ascent`` in ``m`` -> ``total_ascent_m``).
3. **Unknown fields** keep a normalised name: ``unknown_<number>``.

Values are already scaled by the decoder (physical value = raw / scale - offset).
"""

from __future__ import annotations

import re

import fitparse.profile as _profile

from ...frames import DEG_PER_SEMICIRCLE

# Fit profile unit string -> (suffix, factor to the suffix's unit).
UNIT_SUFFIX: dict[str, tuple[str, float]] = {
    "m": ("m", 1.0),
    "s": ("s", 1.0),
    "ms": ("ms", 1.0),
    "mm": ("mm", 1.0),
    "m/s": ("mps", 1.0),
    "m/s^2": ("mps2", 1.0),
    "bpm": ("bpm", 1.0),
    "rpm": ("rpm", 1.0),
    "watts": ("w", 1.0),
    "percent": ("pct", 1.0),
    "%": ("pct", 1.0),
    "C": ("c", 1.0),
    "kcal": ("kcal", 1.0),
    "degrees": ("deg", 1.0),
    "deg/s": ("dps", 1.0),
    "J": ("j", 1.0),
    "kg": ("kg", 1.0),
    "g": ("g", 1.0),
    "G": ("g", 1.0),
    "mG": ("g", 1e-3),
    "Pa": ("pa", 1.0),
    "V": ("v", 1.0),
    "min": ("min", 1.0),
    "minutes": ("min", 1.0),
    "hr": ("h", 1.0),
    "radians": ("rad", 1.0),
    "radians/second": ("rad_s", 1.0),
    "cycles": ("cycles", 1.0),
    "steps": ("steps", 1.0),
    "strokes": ("strokes", 1.0),
    "lengths": ("lengths", 1.0),
}

#: Running-dynamics fields whose value 0 means "not measured" (no steps, sensor
#: absent): a stance time or step length of zero is not a physical value.
ZERO_IS_MISSING = frozenset(
    {
        "stance_time_ms",
        "stance_time_pct",
        "stance_time_balance_left_pct",
        "vertical_oscillation_mm",
        "vertical_ratio_pct",
        "step_length_mm",
        "stryd_ground_time_ms",
        "stryd_vertical_oscillation_mm",
        "stryd_leg_spring_stiffness_kn_m",
    }
)

#: record field -> canonical column. ``cadence`` is handled apart (sport-dependent).
RECORD_FIELDS: dict[str, str] = {
    "timestamp": "timestamp",
    "position_lat": "lat_deg",
    "position_long": "lon_deg",
    "distance": "distance_m",
    "enhanced_speed": "speed_mps",
    "speed": "speed_mps",
    "enhanced_altitude": "altitude_m",
    "altitude": "altitude_m",
    "heart_rate": "heart_rate_bpm",
    "power": "power_w",
    "temperature": "temperature_c",
    "grade": "grade_pct",
    "vertical_speed": "vertical_speed_mps",
    "calories": "calories_kcal",
    "gps_accuracy": "gps_accuracy_m",
    "stance_time": "stance_time_ms",
    "stance_time_percent": "stance_time_pct",
    "stance_time_balance": "stance_time_balance_left_pct",
    "vertical_oscillation": "vertical_oscillation_mm",
    "vertical_ratio": "vertical_ratio_pct",
    "step_length": "step_length_mm",
    "enhanced_respiration_rate": "respiration_rate_brpm",
    "respiration_rate": "respiration_rate_brpm",
    "accumulated_power": "accumulated_power_j",
    "core_temperature": "core_temperature_c",
}

#: lap / session fields with names the profile units would get wrong or ambiguous.
SUMMARY_FIELDS: dict[str, str] = {
    "start_position_lat": "start_lat_deg",
    "start_position_long": "start_lon_deg",
    "end_position_lat": "end_lat_deg",
    "end_position_long": "end_lon_deg",
    "nec_lat": "nec_lat_deg",
    "nec_long": "nec_lon_deg",
    "swc_lat": "swc_lat_deg",
    "swc_long": "swc_lon_deg",
    "enhanced_avg_speed": "avg_speed_mps",
    "avg_speed": "avg_speed_mps",
    "enhanced_max_speed": "max_speed_mps",
    "max_speed": "max_speed_mps",
    "enhanced_avg_altitude": "avg_altitude_m",
    "avg_altitude": "avg_altitude_m",
    "enhanced_max_altitude": "max_altitude_m",
    "max_altitude": "max_altitude_m",
    "enhanced_min_altitude": "min_altitude_m",
    "min_altitude": "min_altitude_m",
    "avg_stance_time_balance": "avg_stance_time_balance_left_pct",
    "avg_step_length": "avg_step_length_mm",
    "avg_stance_time": "avg_stance_time_ms",
    "avg_stance_time_percent": "avg_stance_time_pct",
    "avg_vertical_oscillation": "avg_vertical_oscillation_mm",
    "avg_vertical_ratio": "avg_vertical_ratio_pct",
}

#: Sports whose cadence counts strides of the legs (FIT: strides per minute).
FOOT_SPORTS = frozenset({"running", "walking", "hiking"})

_MESSAGE_NUM = {m.name: num for num, m in _profile.MESSAGE_TYPES.items()}


def _profile_field(message: str, field: str):
    num = _MESSAGE_NUM.get(message)
    if num is None:
        return None
    for f in _profile.MESSAGE_TYPES[num].fields.values():
        if f.name == field:
            return f
    return None


def profile_units(message: str, field: str) -> str | None:
    """Unit string of a field in the FIT profile (fitparse's copy), or ``None``."""
    f = _profile_field(message, field)
    return getattr(f, "units", None) if f is not None else None


def is_date_time(message: str, field: str) -> bool:
    """Whether the profile types this field as a FIT ``date_time`` (seconds since 1989)."""
    if field in ("timestamp", "start_time", "time_created", "local_timestamp"):
        return True
    f = _profile_field(message, field)
    return f is not None and getattr(getattr(f, "type", None), "name", None) == "date_time"


def canonical_name(message: str, field: str | int) -> tuple[str, float]:
    """Column name and factor for a native field of ``message``.

    Parameters
    ----------
    message
        FIT message name (``"record"``, ``"lap"``...).
    field
        Field name as decoded, or its number when the profile does not know it.

    Returns
    -------
    name, factor
        The gaitlab column name and the factor that converts the decoded value
        to the unit in the name.
    """
    if isinstance(field, int) or field.startswith("unknown_"):
        num = field if isinstance(field, int) else field.removeprefix("unknown_")
        return f"unknown_{num}", 1.0
    if message == "record" and field in RECORD_FIELDS:
        name = RECORD_FIELDS[field]
        return name, DEG_PER_SEMICIRCLE if name.endswith(("lat_deg", "lon_deg")) else 1.0
    if field in SUMMARY_FIELDS:
        name = SUMMARY_FIELDS[field]
        return name, DEG_PER_SEMICIRCLE if name.endswith(("lat_deg", "lon_deg")) else 1.0
    if is_date_time(message, field):
        return field, 1.0
    units = profile_units(message, field)
    if units == "semicircles":
        return f"{field}_deg", DEG_PER_SEMICIRCLE
    if units in UNIT_SUFFIX:
        suffix, factor = UNIT_SUFFIX[units]
        if field.endswith("_" + suffix):
            return field, factor
        return f"{field}_{suffix}", factor
    return field, 1.0


_SNAKE = re.compile(r"[^0-9a-zA-Z]+")


def snake(text: str) -> str:
    """``'Leg Spring Stiffness'`` -> ``'leg_spring_stiffness'``."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text.strip())
    return _SNAKE.sub("_", s).strip("_").lower()


# Developer-field unit strings as written by real apps -> (suffix, factor).
DEV_UNIT_SUFFIX: dict[str, tuple[str, float]] = {
    "watts": ("w", 1.0),
    "w": ("w", 1.0),
    "milliseconds": ("ms", 1.0),
    "ms": ("ms", 1.0),
    "seconds": ("s", 1.0),
    "s": ("s", 1.0),
    "centimeters": ("mm", 10.0),
    "cm": ("mm", 10.0),
    "millimeters": ("mm", 1.0),
    "mm": ("mm", 1.0),
    "meters": ("m", 1.0),
    "m": ("m", 1.0),
    "kilometers": ("m", 1000.0),
    "km": ("m", 1000.0),
    "m/s": ("mps", 1.0),
    "kn/m": ("kn_m", 1.0),
    "bw/s": ("bw_s", 1.0),
    "g": ("g", 1.0),
    "gs": ("g", 1.0),
    "%": ("pct", 1.0),
    "percent": ("pct", 1.0),
    "°": ("deg", 1.0),
    "deg": ("deg", 1.0),
    "degrees": ("deg", 1.0),
    "d": ("deg", 1.0),
    "deg/s": ("dps", 1.0),
    "°/s": ("dps", 1.0),
    "bpm": ("bpm", 1.0),
    "c": ("c", 1.0),
    "°c": ("c", 1.0),
    "kcal": ("kcal", 1.0),
    "kj": ("kj", 1.0),
    "min/km": ("min_per_km", 1.0),
}


def dev_unit(units: str | None) -> tuple[str | None, float]:
    """Suffix and factor for a developer field's free-text unit string (none
    for anything else, as a damaged file's garbled field can give)."""
    if not units or not isinstance(units, str):
        return None, 1.0
    return DEV_UNIT_SUFFIX.get(units.strip().lower(), (snake(units) or None, 1.0))
