"""Developer fields (Connect IQ apps, foot pods) mapped onto gaitlab columns.

Developer fields carry their name and unit as free text in ``field_description``
messages. Their app UUID changes between app versions (three Stryd UUIDs in five
real files), so brands are recognised by their field names first and their
known UUIDs second; never by field number alone.

* **Stryd** (``Power``, ``Form Power``, ``Leg Spring Stiffness``, ``Ground Time``,
  ``Vertical Oscillation`` in *centimetres*, ``Cadence`` in strides/min,
  ``Air Power``, ``Impact Loading Rate``...): ``stryd_*`` columns.
* **RunScribe** Connect IQ app: fields with *empty* names, numbers 0-5 the left
  foot, 6-11 the right (braking g, impact g, footstrike type 1-16, pronation
  excursion, flight ratio, contact time), 12 power (ScribeLabs/garmin-connect-iq-
  runscribe-light, ``RunScribeDataField.mc``); older versions named them
  ``currBrakingGs``..., averaged over both feet: ``runscribe_*`` columns.
* Anything else: ``dev_<name>_<unit>``, never dropped.

Brand columns are always kept. The canonical column (``power_w``,
``stance_time_ms``, ``vertical_oscillation_mm``, ``cadence_spm``...) is filled
from a developer field only where the file has no native value, so a Garmin
strap and a Stryd pod in one file both stay visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import dev_unit, snake

STRYD_APP_IDS = frozenset(
    {
        "660a581e5301460c8f2f034c8b6dc90f",  # Stryd Power IQ data field (v50, v56)
        "14cc7713eff04136a643ac88baf99d02",  # Stryd app v30
        "18fb2cf01a4b430dad66988c847421f4",  # Stryd Zones (v21)
    }
)
RUNSCRIBE_APP_IDS = frozenset(
    {
        "aee3c518b4bf11e7abc4cec278b6b50a",  # RunScribe Light (app_ids.txt)
        "1841a964b8a111e7abc4cec278b6b50a",  # RunScribe Beta
    }
)

# Stryd field name (snake case) -> (metric, suffix, factor to suffix, canonical column)
_STRYD = {
    "power": ("power", "w", 1.0, "power_w"),
    "form_power": ("form_power", "w", 1.0, "form_power_w"),
    "air_power": ("air_power", "w", 1.0, "air_power_w"),
    "leg_spring_stiffness": ("leg_spring_stiffness", "kn_m", 1.0, "leg_spring_stiffness_kn_m"),
    "ground_time": ("ground_time", "ms", 1.0, "stance_time_ms"),
    "impact_loading_rate": ("impact_loading_rate", "bw_s", 1.0, "impact_loading_rate_bw_s"),
    "cadence": ("cadence", "spm", 2.0, "cadence_spm"),  # strides/min, like Garmin
    "elevation": ("elevation", "m", 1.0, None),
    "speed": ("speed", "mps", 1.0, None),
    "distance": ("distance", "m", 1.0, None),
    "lap_power": ("lap_power", "w", 1.0, None),
    "cp": ("critical_power", "w", 1.0, None),
    "vertical_oscillation_balance": ("vertical_oscillation_balance", "pct", 1.0, None),
}
_STRYD_MARKERS = {"form_power", "leg_spring_stiffness", "air_power", "impact_loading_rate"}

# RunScribe: per-foot metric index (field number mod 6) -> (metric, suffix, canonical)
_RUNSCRIBE_FOOT = {
    0: ("braking", "g"),
    1: ("impact", "g"),
    2: ("footstrike_type", None),
    3: ("pronation_excursion", "deg"),
    4: ("flight_ratio", "pct"),
    5: ("contact_time", "ms"),
}
_RUNSCRIBE_NAMED = {
    "curr_braking_gs": ("braking", "g"),
    "curr_impact_gs": ("impact", "g"),
    "curr_fs_type": ("footstrike_type", None),
    "curr_pronation": ("pronation_excursion", "deg"),
    "curr_flight_ratio": ("flight_ratio", "pct"),
    "curr_contact_time": ("contact_time", "ms"),
    "curr_power": ("power", "w"),
    "curr_pronation_velocity": ("pronation_velocity", "dps"),
}


@dataclass(frozen=True)
class DevColumn:
    """Where one developer field goes.

    Attributes
    ----------
    brand
        ``"stryd"``, ``"runscribe"`` or ``"other"``.
    column
        The always-present column (``stryd_ground_time_ms``).
    factor
        Multiply the decoded value by this to get the unit in ``column``.
    canonical
        Canonical column it may fill where no native value exists, or ``None``.
    """

    brand: str
    column: str
    factor: float
    canonical: str | None


def _app_hex(app_id) -> str:
    if isinstance(app_id, (bytes, bytearray)):
        return bytes(app_id).hex()
    if isinstance(app_id, (list, tuple)):
        return bytes(int(b or 0) & 0xFF for b in app_id).hex()
    return str(app_id or "").replace("-", "").lower()


def classify_apps(
    descriptions: list[dict], developer_ids: list[dict]
) -> dict[int, str]:
    """Brand of each developer data index: ``"stryd"``, ``"runscribe"`` or ``"other"``."""
    names: dict[int, set[str]] = {}
    for d in descriptions:
        names.setdefault(int(d.get("developer_data_index", 0) or 0), set()).add(
            snake(str(d.get("field_name") or ""))
        )
    brands: dict[int, str] = {}
    for idx in names.keys() | {int(d.get("developer_data_index", 0) or 0) for d in developer_ids}:
        app = next(
            (
                _app_hex(d.get("application_id"))
                for d in developer_ids
                if int(d.get("developer_data_index", 0) or 0) == idx
            ),
            "",
        )
        fields = names.get(idx, set())
        if app in STRYD_APP_IDS or fields & _STRYD_MARKERS:
            brands[idx] = "stryd"
        elif app in RUNSCRIBE_APP_IDS or any(f in _RUNSCRIBE_NAMED for f in fields):
            brands[idx] = "runscribe"
        else:
            brands[idx] = "other"
    return brands


def runscribe_column(metric: str, side: str | None = None, unit: str | None = None) -> str:
    """The column of a RunScribe metric: ``runscribe_impact_left_g``; without a
    side (older apps' averages, or a foot not known) ``runscribe_impact_g``."""
    return "_".join(x for x in ("runscribe", metric, side, unit) if x)


def map_field(brand: str, description: dict) -> DevColumn:
    """Column for one ``field_description`` of an app of ``brand``."""
    name = snake(str(description.get("field_name") or ""))
    num = int(description.get("field_definition_number", 0) or 0)
    units = description.get("units")
    if brand == "stryd" and name in _STRYD:
        metric, suffix, factor, canonical = _STRYD[name]
        return DevColumn("stryd", f"stryd_{metric}_{suffix}", factor, canonical)
    if brand == "stryd" and name == "vertical_oscillation":
        _, factor = dev_unit(units)  # the unit string says cm (x10) or mm
        return DevColumn("stryd", "stryd_vertical_oscillation_mm", factor, "vertical_oscillation_mm")
    if brand == "runscribe":
        if not name and 0 <= num <= 11:
            metric, suffix = _RUNSCRIBE_FOOT[num % 6]
            side = "left" if num < 6 else "right"
            return DevColumn("runscribe", runscribe_column(metric, side, suffix), 1.0, None)
        if not name and num == 12:
            return DevColumn("runscribe", "runscribe_power_w", 1.0, "power_w")
        if name in _RUNSCRIBE_NAMED:
            metric, suffix = _RUNSCRIBE_NAMED[name]
            canonical = {"power": "power_w", "contact_time": "stance_time_ms"}.get(metric)
            return DevColumn("runscribe", runscribe_column(metric, None, suffix), 1.0, canonical)
    suffix, factor = dev_unit(units)
    base = name or f"field{num}"
    if brand != "other":
        base = f"{brand}_{base}"
    else:
        base = f"dev_{base}"
    if suffix and not base.endswith("_" + suffix):
        base = f"{base}_{suffix}"
    return DevColumn(brand, base, factor, None)
