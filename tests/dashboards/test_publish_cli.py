"""`lakehouse serve` and `lakehouse report` from the command line."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from cli_support import CliRunner
from dashboards.pages import PAGES
from dashboards.views import VIEWS
from lakehouse.sql.saved import saved_queries


def test_report_is_one_self_contained_html_file(lakehouse: CliRunner, dashboard_home: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    outcome = lakehouse("report", "--home", str(dashboard_home), "-o", str(output))
    assert outcome.code == 0, outcome.stderr
    html = output.read_text(encoding="utf-8")
    assert f"wrote {output}" in outcome.stdout
    # plotly.js inside the file, and nothing fetched from anywhere.
    assert re.search(r"<script[^>]*\bsrc=", html) is None
    assert "<link " not in html
    assert "plotly.js v" in html
    charts = html.count('class="plotly-graph-div"')
    assert charts == sum(1 for view in VIEWS.values() if view.figure is not None)
    for page in PAGES:
        assert f">{page.title}</h2>" in html
    for query in saved_queries().values():
        assert query.title in html
    assert "Total inquiries" in html and "Inquiries per department, 2023 against 2024" in html
    assert "inquiries year before" in html and re.search(r"inquiries \d{4}efore", html) is None
    assert "<td class=num>2009</td>" in html  # a year is not a quantity (not 2,009)


def test_report_before_the_first_run_is_a_one_line_error(lakehouse: CliRunner, tmp_path: Path) -> None:
    outcome = lakehouse("report", "--home", str(tmp_path / "empty"), "-o", str(tmp_path / "r.html"))
    assert outcome.code == 1
    assert outcome.stderr.strip().startswith("Error: no curated tables")
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_serve_refuses_a_host_that_is_not_an_address(lakehouse: CliRunner, tmp_path: Path) -> None:
    outcome = lakehouse("serve", "--home", str(tmp_path), "--host", "example.com; rm -rf /")
    assert outcome.code == 1
    assert "Error: --host" in outcome.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_on_loopback(dashboard_home: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "lakehouse", "serve", "--home", str(dashboard_home), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "COLUMNS": "200"})
    try:
        deadline, page = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/departments", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        assert page is not None and page.status_code == 200, "lakehouse serve did not answer"
        assert "3-1-1 Vancouver inquiries" in page.text
        layout = requests.get(f"http://127.0.0.1:{port}/_dash-layout", timeout=5)
        assert layout.status_code == 200 and "page-content" in layout.text
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        assert health["status"] == "ok" and health["tables"] == 13
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in output
    assert "Traceback" not in output
