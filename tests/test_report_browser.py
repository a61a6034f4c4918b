"""The HTML report in a real browser (Chromium through Playwright): it opens
offline with no console errors and no requests, and it is not blank.

Uses the system Chromium at /usr/bin/chromium (Playwright's own browser
download is not available everywhere). Skipped without it, unless in CI.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from gaitlab import simulate
from gaitlab.report import write_report
from helpers import DATA

CHROMIUM = Path("/usr/bin/chromium")
IMU_COLS = ["elapsed_s", "acc_x_mps2", "acc_y_mps2", "acc_z_mps2", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright import sync_api  # in the test extra: a missing one fails, not skips

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Reports of a Stryd run, a triathlon's run with Garmin running dynamics and a simulated pelvis run."""
    d = tmp_path_factory.mktemp("reports")
    sim = simulate.simulate_run(duration_s=660, rate_hz=100, seed=8, mounting="random",
                                fatigue={"onset_s": 360.0, "drop_right_per_min": 0.6})
    csv = d / "pelvis.csv"
    sim.run.imu[IMU_COLS].to_csv(csv, index=False, float_format="%.5f")
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, src in (("stryd", DATA / "stryd-run.fit"),
                          ("triathlon", DATA / "fr920xt-triathlon-running-dynamics.fit"), ("pelvis", csv)):
            out[name] = write_report(src, d / f"{name}-report.html")[0]
    return out


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Screenshots of the reports, kept for a look (pytest's basetemp, folder screenshots0)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("name", ["stryd", "triathlon", "pelvis"])
def test_report_opens_offline_and_is_not_blank(browser, reports, name, shots):
    from PIL import Image

    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    url = reports[name].resolve().as_uri()
    page.goto(url, wait_until="load")
    assert not errors, errors
    assert not failed, failed
    assert requests == [url]  # the file itself, nothing else
    # every section is laid out and every figure has a size on screen
    for sid in ("summary", "fatigue", "form-over-time", "left-right", "rotation", "splits", "not-computed", "glossary"):
        box = page.locator(f"section#{sid}").bounding_box()
        assert box and box["height"] > 20, sid
    for fig in page.locator("figure svg").all():
        box = fig.bounding_box()
        assert box and box["width"] > 800 and box["height"] > 200  # ~900 px wide at a laptop's width
    png = page.screenshot(full_page=True, path=str(shots / f"{name}.png"))
    page.close()
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert img.shape[0] > 2000  # a long page: header, figures, tables
    assert img.std() > 20
    assert (img < 200).mean() > 0.03  # ink: text, lines and bands, not an empty page
