"""The app in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium).

It opens every page, changes a filter with the keyboard, checks that the chart and the URL
changed, downloads a CSV, and checks that hostile filter values in a URL change nothing.
Screenshots (laptop and phone widths) are saved under test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from dashboards import ids
from dashboards.pages import PAGES, PAGES_BY_PATH
from dashboards.views import VIEWS
from lakehouse.config import load_settings

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
# Skipped on a developer machine without them; never in CI, where .ci/run installs them.
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"),
                                reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WAIT_SECONDS = 60  # a cold first page runs every query once on a shared 2-core machine


@pytest.fixture(scope="module")
def server(dashboard_home: Path) -> Iterator[str]:
    from waitress import create_server

    from dashboards.app import create_app

    app = create_app(load_settings({"home": str(dashboard_home)}))
    wsgi = create_server(app.server, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{wsgi.effective_port}"
    finally:
        wsgi.close()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-dev-shm-usage", "--window-size=1366,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    # An explicit driver path: Selenium Manager must not try to download one.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(condition: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - the page is still rendering
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def chart_data(browser: Any, view: str) -> Any:
    """The traces plotly drew in a view's graph (None until drawn)."""
    return browser.execute_script(
        "const g = document.getElementById(arguments[0]);"
        "const p = g && g.querySelector('.js-plotly-plot');"
        "return p && p.data && p.data.length ? JSON.parse(JSON.stringify(p.data.map(t => [t.x, t.y]))) : null;",
        ids.dom_id(ids.graph_id(view)))


def table_rows(browser: Any, view: str) -> int:
    return browser.execute_script(
        "const t = document.getElementById(arguments[0]); return t ? t.querySelectorAll('tbody tr').length : 0;",
        ids.dom_id(ids.table_id(view)))


def page_ready(browser: Any, path: str) -> None:
    page = PAGES_BY_PATH[path]
    for view in page.views:
        if VIEWS[view].figure is not None:
            wait_for(lambda v=view: chart_data(browser, v), f"the chart {view} on {path}")
        else:
            wait_for(lambda v=view: table_rows(browser, v), f"the table {view} on {path}")
    wait_for(lambda: not browser.find_elements("css selector", "[data-dash-is-loading='true']"), "loading to end")


def screenshot(browser: Any, name: str, width: int = 1366) -> Path:
    browser.set_window_size(width, 900)
    time.sleep(0.5)  # responsive charts re-layout after a resize
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(int(height) + 100, 6000))
    time.sleep(0.5)
    path = ARTIFACTS / f"{name}-{width}.png"
    browser.save_screenshot(str(path))
    browser.set_window_size(1366, 900)
    return path


def severe_logs(browser: Any) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def query_of(browser: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(browser.current_url).query)


def test_every_page_renders_on_a_laptop_and_a_phone(server: str, browser: Any) -> None:
    for page in PAGES:
        browser.get(server + page.path)
        page_ready(browser, page.path)
        name = page.path.strip("/") or "overview"
        assert screenshot(browser, name).stat().st_size > 10_000
        if page.path in ("/", "/year-comparison", "/departments"):
            screenshot(browser, name, width=390)
        assert not browser.find_elements("css selector", ".dash-fe-error__title"), f"Dash error on {page.path}"
        assert "No data yet" not in browser.find_element("id", ids.PAGE).text
    assert severe_logs(browser) == []


def test_changing_a_filter_with_the_keyboard_changes_chart_and_url(server: str, browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/departments")
    page_ready(browser, "/departments")
    wait_for(lambda: "channel=all" in browser.current_url, "the URL to carry the filters")
    before = chart_data(browser, "department_ranking")
    field = browser.find_element("css selector", f"[id='{ids.dom_id(ids.filter_id('channel'))}'] input")
    field.send_keys("Phone")
    field.send_keys(Keys.ENTER)
    wait_for(lambda: query_of(browser).get("channel") == ["Phone"], "channel=Phone in the URL")
    after = wait_for(lambda: (d := chart_data(browser, "department_ranking")) != before and d, "the chart to change")
    assert after != before
    screenshot(browser, "departments-phone-channel")
    # Back returns to the previous filters, and the chart with them.
    browser.back()
    wait_for(lambda: query_of(browser).get("channel") == ["all"], "channel=all in the URL after Back")
    wait_for(lambda: chart_data(browser, "department_ranking") == before, "the chart of the previous filters")
    assert browser.execute_script("return document.querySelector(arguments[0]).textContent",
                                  f"[id='{ids.dom_id(ids.filter_id('channel'))}']") == "All channels"
    browser.forward()
    wait_for(lambda: chart_data(browser, "department_ranking") == after, "the chart again after Forward")
    # The link reproduces the view in a fresh page load.
    link = browser.current_url
    browser.get("about:blank")
    browser.get(link)
    page_ready(browser, "/departments")
    assert wait_for(lambda: chart_data(browser, "department_ranking") == after, "the linked view")
    assert severe_logs(browser) == []


def test_csv_download_behind_a_chart(server: str, browser: Any, downloads: Path) -> None:
    browser.get(server + "/year-comparison?a=2019&b=2021&top=10")
    page_ready(browser, "/year-comparison")
    browser.find_element("css selector", f"[id='{ids.dom_id(ids.download_button_id('year_comparison'))}']").click()
    saved = wait_for(lambda: [p for p in downloads.glob("year_comparison*.csv")], "the CSV download", 30)[0]
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0] == ["department", "inquiries_2019", "inquiries_2021", "change", "change_pct"]
    assert len(rows) == 11


HOSTILE_QUERY = ("from=" + quote("2020'; DROP TABLE inquiry_volume; --") + "&to=" + quote("<script>alert(1)</script>")
                 + "&channel=" + quote("Phone' OR '1'='1") + "&top=" + "9" * 30 + "&top=-1&unknown=1")


def test_hostile_filter_values_in_the_url_change_nothing(server: str, browser: Any) -> None:
    browser.get(server + "/departments")
    page_ready(browser, "/departments")
    wait_for(lambda: "channel=all" in browser.current_url, "the default URL")
    default_url, default_chart = browser.current_url, chart_data(browser, "department_ranking")
    browser.get_log("browser")
    browser.get(server + "/departments?" + HOSTILE_QUERY)
    page_ready(browser, "/departments")
    wait_for(lambda: browser.current_url == default_url, "the URL to be rewritten to the default filters")
    assert chart_data(browser, "department_ranking") == default_chart
    assert browser.execute_script("return window.__hostile === undefined")
    assert not browser.find_elements("css selector", ".dash-fe-error__title")
    assert severe_logs(browser) == []
    screenshot(browser, "departments-hostile-url")


def test_the_report_draws_its_charts_offline(dashboard_home: Path, browser: Any, tmp_path: Path) -> None:
    from dashboards.report import write_report

    written = write_report(load_settings({"home": str(dashboard_home)}), tmp_path / "report.html")
    browser.get(written.path.as_uri())  # a file: no server, and the page asks the network for nothing
    drawn = wait_for(lambda: browser.execute_script(
        "return document.querySelectorAll('.js-plotly-plot .main-svg').length ? "
        "document.querySelectorAll('.js-plotly-plot').length : 0"), "the report's charts")
    assert drawn == written.charts
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert [name for name in resources if not name.startswith(("file:", "data:", "blob:"))] == []
    assert severe_logs(browser) == []
    screenshot(browser, "report")
