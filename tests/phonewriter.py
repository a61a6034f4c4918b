"""Writing a simulated run as a phone's recorder app exports it, GPS track and barometer included.

The track is made here from the simulator's truth (its speed and heading at
every IMU sample), independently of gaitlab's reader: positions are the path
integrated on a local east/north plane, then moved by a GPS error that wanders
(AR(1), 3 m SD, 20 s), the Doppler speed has 0.15 m/s of noise, and fixes come
about once a second with the jitter and the occasional missed fix phones show
(awesome-sensor-logger SAMPLING.md: median 0.95-0.99 Hz on iPhones). The
GPS height errs by metres and may wander (``altitude_wander_m``); the
barometer samples the course's altitude through the standard atmosphere, at
~1 Hz with 0.1 m of noise and the weather drifting.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal

R_EARTH_M = 6_371_008.8
LAT0, LON0 = 47.3769, 8.5417  # a park by a lake


def gps_track(sim, seed: int = 0, *, position_sd_m: float = 3.0, speed_sd_mps: float = 0.15,
              altitude_wander_m: float = 0.0) -> pd.DataFrame:
    """Fixes of the simulated run: ``t_s`` (s from the IMU's first sample),
    ``lat``, ``lon`` (deg), ``alt`` (m: the course's altitude, 1.5 m of white
    noise, and an AR(1) error of ``altitude_wander_m`` SD and 60 s; a phone's
    GPS height errs by metres and wanders), ``speed`` (m/s), ``acc`` (m), and
    the truth they came from: ``true_speed``, ``true_distance`` (m along the
    path)."""
    rng = np.random.default_rng(seed)
    sig = sim.truth.signals
    t = sig["elapsed_s"].to_numpy(float)
    v = sig["speed_mps"].to_numpy(float)
    h = np.radians(sig["heading_deg"].to_numpy(float))
    dt = np.diff(t, prepend=t[0])
    east, north = np.cumsum(v * np.cos(h) * dt), np.cumsum(v * np.sin(h) * dt)
    dist = np.cumsum(v * dt)
    # fix times: about 1 Hz, +-0.1 s jitter, 3 % missed
    tf = np.arange(t[0] + 0.7, t[-1], 1.0) + rng.uniform(-0.1, 0.1, len(np.arange(t[0] + 0.7, t[-1], 1.0)))
    tf = tf[rng.random(len(tf)) > 0.03]
    phi = np.exp(-1.0 / 20.0)
    err = np.zeros((len(tf), 2))
    e = rng.standard_normal((len(tf), 2)) * position_sd_m * np.sqrt(1 - phi**2)
    err[0] = rng.standard_normal(2) * position_sd_m
    for i in range(1, len(tf)):
        err[i] = phi * err[i - 1] + e[i]
    x = np.interp(tf, t, east) + err[:, 0]
    y = np.interp(tf, t, north) + err[:, 1]
    lat = LAT0 + np.degrees(y / R_EARTH_M)
    lon = LON0 + np.degrees(x / (R_EARTH_M * np.cos(np.radians(LAT0))))
    true_speed = np.interp(tf, t, v)
    alt = 410.0 + _true_altitude(sim, tf) + rng.normal(0, 1.5, len(tf))
    if altitude_wander_m:
        alt = alt + altitude_wander_m * _ar1(np.random.default_rng([seed, 3]), tf, 60.0)
    return pd.DataFrame({"t_s": tf, "lat": lat, "lon": lon, "alt": alt,
                         "speed": np.maximum(true_speed + rng.normal(0, speed_sd_mps, len(tf)), 0.0),
                         "acc": rng.uniform(3, 8, len(tf)), "true_speed": true_speed,
                         "true_distance": np.interp(tf, t, dist)})


def _true_altitude(sim, t: np.ndarray) -> np.ndarray:
    """The course's altitude (m above the start) at times ``t`` (0 on the flat)."""
    sig = sim.truth.signals
    if "altitude_m" not in sig:
        return np.zeros(len(t))
    return np.interp(t, sig["elapsed_s"].to_numpy(float), sig["altitude_m"].to_numpy(float))


def _ar1(rng: np.random.Generator, t: np.ndarray, tau_s: float) -> np.ndarray:
    """A unit-SD AR(1) process at the (near-even) times ``t``, time constant ``tau_s``."""
    phi = np.exp(-np.median(np.diff(t)) / tau_s)
    e = rng.standard_normal(len(t)) * np.sqrt(1 - phi**2)
    e[0] = rng.standard_normal()
    return signal.lfilter([1.0], [1.0, -phi], e)


def barometer(sim, seed: int = 0, *, noise_m: float = 0.1, drift_hpa_per_h: float = 0.6) -> pd.DataFrame:
    """A phone barometer's samples, ~1 Hz: ``t_s``, ``pressure_hpa`` (the
    course's altitude from 410 m through the standard atmosphere, the weather
    changing by ``drift_hpa_per_h``, and ``noise_m`` of noise as height) and
    ``relative_altitude_m`` (iOS's: height from that pressure since the first
    sample)."""
    rng = np.random.default_rng([seed, 4])
    t = np.arange(0.3, float(sim.run.imu["elapsed_s"].iloc[-1]), 1.0)
    h = 410.0 + _true_altitude(sim, t) + rng.normal(0, noise_m, len(t))
    p = 1013.25 * (1 - h / 44330.77) ** 5.25588 + drift_hpa_per_h * t / 3600
    rel = 44330.77 * (1 - (p / p[0]) ** (1 / 5.25588))
    return pd.DataFrame({"t_s": t, "pressure_hpa": p, "relative_altitude_m": rel})


_ACC = ["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]
_GYR = ["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]


def _sensor_logger_csv(ns: np.ndarray, ns0: int, vals: np.ndarray) -> str:
    """A Sensor Logger sensor file: time (ns since the epoch), seconds_elapsed
    (from ``ns0``), then the axes in z, y, x order."""
    return pd.DataFrame({"time": ns, "seconds_elapsed": (ns - ns0) / 1e9,
                         "z": vals[:, 2], "y": vals[:, 1], "x": vals[:, 0]}).to_csv(index=False)


def write_sensor_logger(sim, path: Path, track: pd.DataFrame | None, baro: pd.DataFrame | None = None) -> Path:
    """Sensor Logger (Android) zip: TotalAcceleration.csv, Gyroscope.csv (time in
    ns since the epoch, seconds_elapsed, z, y, x; m/s² and rad/s),
    Location.csv with the app's columns (speed -1 where a fix has none) and
    Barometer.csv (relativeAltitude in m, pressure in mbar: UNITS.md)."""
    imu = sim.run.imu
    ns = imu["timestamp"].astype("int64").to_numpy()
    with zipfile.ZipFile(path, "w") as zf:
        for name, vals in (("TotalAcceleration.csv", imu[_ACC].to_numpy()),
                           ("Gyroscope.csv", np.radians(imu[_GYR].to_numpy()))):
            zf.writestr(f"run/{name}", _sensor_logger_csv(ns, ns[0], vals))
        if track is not None:
            t_ns = ns[0] + np.rint(track["t_s"].to_numpy() * 1e9).astype(np.int64)
            loc = pd.DataFrame({
                "time": t_ns, "seconds_elapsed": (t_ns - ns[0]) / 1e9, "bearingAccuracy": 20.0,
                "speedAccuracy": 0.3, "verticalAccuracy": 4.0, "horizontalAccuracy": track["acc"],
                "speed": track["speed"], "bearing": 90.0, "altitude": track["alt"] + 48.0,
                "longitude": track["lon"], "latitude": track["lat"], "altitudeAboveMeanSeaLevel": track["alt"]})
            zf.writestr("run/Location.csv", loc.to_csv(index=False))
        if baro is not None:
            t_ns = ns[0] + np.rint(baro["t_s"].to_numpy() * 1e9).astype(np.int64)
            zf.writestr("run/Barometer.csv", pd.DataFrame({
                "time": t_ns, "seconds_elapsed": (t_ns - ns[0]) / 1e9,
                "relativeAltitude": baro["relative_altitude_m"], "pressure": baro["pressure_hpa"]}).to_csv(index=False))
    return path


def write_phyphox(sim, path: Path, track: pd.DataFrame | None, baro: pd.DataFrame | None = None,
                  jitter: np.random.Generator | None = None) -> Path:
    """phyphox zip (semicolon, decimal comma): Accelerometer.csv, Gyroscope.csv,
    Location.csv and Pressure.csv ("Pressure (hPa)"), every "Time (s)" on the
    experiment's clock; with ``jitter``, the motion samples' times jitter by
    +-1 ms, as a phone's do."""
    imu = sim.run.imu
    t = imu["elapsed_s"].to_numpy()
    if jitter is not None:
        t = t + jitter.uniform(-0.001, 0.001, len(imu))
        t[0] = 0.0
    acc = pd.DataFrame({"Time (s)": t, **{f"Acceleration {a} (m/s^2)": imu[f"acc_{a}_mps2"] for a in "xyz"}})
    gyr = pd.DataFrame({"Time (s)": t, **{f"Gyroscope {a} (rad/s)": np.radians(imu[f"gyr_{a}_dps"]) for a in "xyz"}})
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Accelerometer.csv", acc.to_csv(index=False, sep=";", decimal=",", quoting=2))
        zf.writestr("Gyroscope.csv", gyr.to_csv(index=False, sep=";", decimal=",", quoting=2))
        if track is not None:
            loc = pd.DataFrame({"Time (s)": track["t_s"], "Latitude (°)": track["lat"], "Longitude (°)": track["lon"],
                                "Height (m)": track["alt"], "Velocity (m/s)": track["speed"], "Direction (°)": 90.0,
                                "Horizontal Accuracy (m)": track["acc"], "Vertical Accuracy (m)": 4.0})
            zf.writestr("Location.csv", loc.to_csv(index=False, sep=";", decimal=",", quoting=2))
        if baro is not None:
            zf.writestr("Pressure.csv", pd.DataFrame({"Time (s)": baro["t_s"], "Pressure (hPa)": baro["pressure_hpa"]})
                        .to_csv(index=False, sep=";", decimal=",", quoting=2))
    return path


def write_irregular_sensor_logger(sim, path: Path, rate_hz: float, seed: int = 0, jitter_ms: float = 2.0):
    """A Sensor Logger zip whose accelerometer and gyroscope each sample on their
    own clock, as a phone's do: about ``rate_hz``, each sample up to
    ``jitter_ms`` early or late, the gyroscope 20-80 % of a period after the
    accelerometer. ``sim`` must be simulated at 1000 Hz: a sample's value is
    the simulated signal at its own (whole-ms) time, after a low-pass at 0.4
    ``rate_hz`` (a sensor's own filter).

    Returns the path, the filtered 1000 Hz accelerometer (m/s²) and gyroscope
    (deg/s), and the indices of the samples of each in them."""
    imu = sim.run.imu
    assert round(1 / float(np.median(np.diff(imu["elapsed_s"])))) == 1000
    sos = signal.butter(2, 0.4 * rate_hz, fs=1000.0, output="sos")
    acc = signal.sosfiltfilt(sos, imu[["acc_x_mps2", "acc_y_mps2", "acc_z_mps2"]].to_numpy(), axis=0)
    gyr = signal.sosfiltfilt(sos, imu[["gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]].to_numpy(), axis=0)
    rng = np.random.default_rng(seed)
    ns = imu["timestamp"].astype("int64").to_numpy()
    n, idx = len(imu), []
    with zipfile.ZipFile(path, "w") as zf:
        for name, vals, phase in (("TotalAcceleration.csv", acc, 0.0),
                                  ("Gyroscope.csv", np.radians(gyr), rng.uniform(0.2, 0.8) / rate_hz)):
            k = np.arange(int((n / 1000 - 0.05) * rate_hz))
            t = 0.01 + k / rate_hz + phase + rng.uniform(-jitter_ms, jitter_ms, len(k)) / 1000
            i = np.unique(np.clip(np.rint(t * 1000).astype(int), 0, n - 1))
            idx.append(i)
            zf.writestr(f"run/{name}", _sensor_logger_csv(ns[i], ns[0], vals[i]))
    return path, acc, gyr, idx[0], idx[1]
