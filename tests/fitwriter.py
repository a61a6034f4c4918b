"""Write real FIT files with fit-tool (a peer writer) for cases no public file covers.

No public FIT file with RunScribe developer fields or with raw accelerometer /
gyroscope messages exists (shared/data/real/MANIFEST.md), so tests write them
with fit-tool from known values and read them back with gaitlab.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from fit_tool.base_type import BaseType
from fit_tool.developer_field import DeveloperField
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.accelerometer_data_message import AccelerometerDataMessage
from fit_tool.profile.messages.developer_data_id_message import DeveloperDataIdMessage
from fit_tool.profile.messages.field_description_message import FieldDescriptionMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.gyroscope_data_message import GyroscopeDataMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.three_d_sensor_calibration_message import (
    ThreeDSensorCalibrationMessage,
)
from fit_tool.profile.profile_type import FileType, Manufacturer, SensorType, Sport

T0_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z, fit-tool takes Unix milliseconds

#: RunScribe Light Connect IQ app id (ScribeLabs/garmin-connect-iq-runscribe-light, app_ids.txt)
RUNSCRIBE_APP = bytes.fromhex("aee3c518b4bf11e7abc4cec278b6b50a")
RUNSCRIBE_UNITS = ["G", "G", "", "°", "%", "ms"]  # braking, impact, footstrike, pronation, flight, contact


def _file_id(builder: FitFileBuilder, t0_ms: int = T0_MS) -> None:
    m = FileIdMessage()
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.DEVELOPMENT.value
    m.product = 0
    m.serial_number = 1234
    m.time_created = t0_ms
    builder.add(m)


def _session(builder: FitFileBuilder, seconds: float, t0_ms: int = T0_MS) -> None:
    s = SessionMessage()
    s.timestamp = t0_ms + int(seconds * 1000)
    s.start_time = t0_ms
    s.total_elapsed_time = seconds
    s.total_timer_time = seconds
    s.sport = Sport.RUNNING
    builder.add(s)


def write_runscribe_run(path: Path, values: np.ndarray) -> None:
    """A run whose records carry the 13 RunScribe developer fields with empty names.

    ``values`` is (n_records, 13): fields 0-5 left foot, 6-11 right foot, 12 power.
    """
    b = FitFileBuilder(auto_define=True)
    _file_id(b)
    dev = DeveloperDataIdMessage()
    dev.developer_data_index = 0
    dev.application_id = RUNSCRIBE_APP
    dev.application_version = 250
    b.add(dev)
    for num in range(13):
        d = FieldDescriptionMessage()
        d.developer_data_index = 0
        d.field_definition_number = num
        d.fit_base_type_id = BaseType.FLOAT32
        d.field_name = ""
        d.units = "W" if num == 12 else RUNSCRIBE_UNITS[num % 6]
        b.add(d)
    for i, row in enumerate(values):
        fields = []
        for num in range(13):
            f = DeveloperField(developer_data_index=0, field_id=num, base_type=BaseType.FLOAT32, size=4)
            f.set_value(0, float(row[num]))
            fields.append(f)
        r = RecordMessage(developer_fields=fields)
        r.timestamp = T0_MS + 1000 * i
        r.heart_rate = 150
        b.add(r)
    _session(b, len(values) - 1)
    b.build().to_file(str(path))


def write_running_dynamics_run(path: Path, records: pd.DataFrame, t0_ms: int = T0_MS) -> None:
    """A Garmin-style run: one record message per row of a
    :func:`gaitlab.simulate_fit.simulate_fit_run` Garmin record table, in the
    FIT profile's native running-dynamics fields (cadence in strides/min with
    its 1/128 fraction, stance time, stance %, balance, oscillation, vertical
    ratio, step length); a NaN value leaves its field out of that record.
    ``t0_ms``: the start, Unix milliseconds."""
    b = FitFileBuilder(auto_define=True)
    _file_id(b, t0_ms)
    fields = {"distance": "distance_m", "enhanced_speed": "speed_mps", "enhanced_altitude": "altitude_m",
              "heart_rate": "heart_rate_bpm", "stance_time": "stance_time_ms", "stance_time_percent": "stance_time_pct",
              "stance_time_balance": "stance_time_balance_left_pct", "vertical_oscillation": "vertical_oscillation_mm",
              "vertical_ratio": "vertical_ratio_pct", "step_length": "step_length_mm"}
    for row in records.itertuples(index=False):
        r = RecordMessage()
        r.timestamp = t0_ms + int(round(row.elapsed_s * 1000))
        for field, col in fields.items():
            v = getattr(row, col)
            if np.isfinite(v):
                setattr(r, field, float(v))
        if np.isfinite(row.cadence_spm):
            strides = row.cadence_spm / 2
            r.cadence = int(strides)
            r.fractional_cadence = round((strides - int(strides)) * 128) / 128
        b.add(r)
    _session(b, float(records["elapsed_s"].iloc[-1]), t0_ms)
    b.build().to_file(str(path))


def write_imu_run(
    path: Path,
    acc_counts: np.ndarray,
    gyr_counts: np.ndarray,
    rate_hz: int,
    acc_cal: dict,
    gyr_cal: dict,
    speed_mps: float | None = None,
) -> None:
    """Raw accelerometer and gyroscope counts in batches of 25 samples, with calibrations;
    one record a second (with speed and distance when ``speed_mps`` is given, as a
    watch with GPS writes them next to a pelvis sensor's samples)."""
    b = FitFileBuilder(auto_define=True)
    _file_id(b)
    for sensor, cal in ((SensorType.ACCELEROMETER, acc_cal), (SensorType.GYROSCOPE, gyr_cal)):
        c = ThreeDSensorCalibrationMessage()
        c.timestamp = T0_MS
        c.sensor_type = sensor
        c.calibration_factor = cal["factor"]
        c.calibration_divisor = cal["divisor"]
        c.level_shift = cal["level_shift"]
        c.offset_cal = list(cal["offset"])
        c.orientation_matrix = list(np.asarray(cal["matrix"], dtype=float).ravel())
        b.add(c)
    n = len(acc_counts)
    batch = 25  # samples per message, as Garmin devices write them (uint16 arrays <= 255 bytes)
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        t_ms = round(1000 * start / rate_hz)
        offsets = [round(1000 * (k - start) / rate_hz) for k in range(start, stop)]
        for cls, counts, stem in (
            (AccelerometerDataMessage, acc_counts, "accel_"),
            (GyroscopeDataMessage, gyr_counts, "gyro_"),
        ):
            m = cls()
            m.timestamp = T0_MS + 1000 * (t_ms // 1000)
            m.timestamp_ms = t_ms % 1000
            m.sample_time_offset = offsets
            for k, axis in enumerate("xyz"):
                setattr(m, stem + axis, [int(v) for v in counts[start:stop, k]])
            b.add(m)
        if start % rate_hz < batch:  # one record a second
            r = RecordMessage()
            r.timestamp = T0_MS + 1000 * (t_ms // 1000)
            r.heart_rate = 140
            if speed_mps is not None:
                r.speed = speed_mps
                r.distance = speed_mps * (t_ms // 1000)  # m
            b.add(r)
    _session(b, (n - 1) / rate_hz)
    b.build().to_file(str(path))


def write_plain_imu_run(path: Path, acc_g: np.ndarray, gyr_dps: np.ndarray, rate_hz: int) -> None:
    """:func:`write_imu_run` with identity calibrations: 4096 counts per g and 16
    per deg/s about 32768 (so the file holds the given values to 1/4096 g, 1/16 deg/s)."""
    cal = {"factor": 1, "divisor": 4096, "level_shift": 32768, "offset": [0, 0, 0], "matrix": np.eye(3)}
    write_imu_run(path, np.rint(acc_g * 4096 + 32768), np.rint(gyr_dps * 16 + 32768), rate_hz, cal,
                  {**cal, "divisor": 16})
