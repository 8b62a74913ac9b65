"""Load test of the web app: p95 callback latency with 20 concurrent users on loopback.

Run as a script, it builds a lakehouse (`lakehouse run` for the three datasets) unless
--home has one, starts `lakehouse serve` on a free 127.0.0.1 port, runs locust headless
against it for a bounded time, stops both and writes the figures:

    pip install ".[bench]"
    flock /tmp/lakehouse-bench.lock python benchmarks/dashboard_load.py --users 20 --seconds 60

Locust loads this same file as its locustfile: each simulated person opens a page (the
router callback, then one draw callback per chart and the URL callback, as the browser
sends them) and changes filters on it, with 1-3 s of reading between actions. Filter
choices come from a bounded, realistic set (recent year ranges, each channel, a few top-N
values, two departments at a time), so early requests are cold and later ones mostly
served from the app's cache; the script reports the whole run, cold misses included.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
RENDER = ('..{"type":"graph","view":["MATCH"]}.figure...{"type":"table","view":["MATCH"]}.children...'
          '{"type":"note","view":["MATCH"]}.children...{"type":"title","view":["MATCH"]}.children..')
YEARS = list(range(2020, 2027))
CHANNELS = ["all", "Phone", "E-mail", "Chat", "Social Media", "Mail"]
DEPARTMENTS = ["FSC - Property Tax", "ENG - Sanitation Services", "FSC - Vacancy Tax", "DBL - Building Inspections",
               "DBL - Licence Office", "ENG - Parking Enforcement and Operations"]


def _year_range() -> tuple[int, int]:
    first = random.choice(YEARS[:-1])
    return first, random.choice([y for y in YEARS if y >= first])


def _filters(path: str) -> dict[str, Any]:
    """A person's filter choice on a page (the names are the page's filter ids)."""
    if path == "/departments":
        first, last = _year_range()
        return {"from": first, "to": last, "channel": random.choice(CHANNELS), "top": random.choice([10, 15, 20])}
    if path == "/trends":
        first, last = _year_range()
        return {"from": first, "to": last, "dept": random.sample(DEPARTMENTS, 2)}
    if path == "/year-comparison":
        a, b = random.sample(YEARS[:-1], 2)
        return {"a": min(a, b), "b": max(a, b), "top": random.choice([10, 15, 20])}
    if path == "/channels":
        first, last = _year_range()
        return {"from": first, "to": last, "measure": random.choice(["share", "count"])}
    if path == "/contact-centre":
        first = random.choice([2019, 2020, 2021, 2022])
        return {"cc_from": first, "cc_to": random.choice([2023, 2024])}
    return {}


PAGE_VIEWS = {
    "/": ["recent_months", "volume_by_year"],
    "/departments": ["department_ranking"],
    "/trends": ["monthly_volume", "seasonality", "department_lines"],
    "/year-comparison": ["year_comparison"],
    "/channels": ["channel_mix", "channel_monthly"],
    "/contact-centre": ["service_level", "speed_of_answer"],
    "/service-requests": ["days_to_close_by_area", "requests_by_type"],
    "/pipeline": ["rows_by_stage", "zones", "rejected", "catalog_tables"],
}


def _filter_inputs(filters: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    values = [{"id": {"name": name, "type": "filter"}, "property": "value", "value": value}
              for name, value in filters.items()]
    identities = [{"id": {"name": name, "type": "filter"}, "property": "id", "value": {"name": name, "type": "filter"}}
                  for name in filters]
    return values, identities


def render_payload(view: str, filters: dict[str, Any]) -> dict[str, Any]:
    values, identities = _filter_inputs(filters)
    outputs = [{"id": {"type": kind, "view": view}, "property": prop}
               for kind, prop in (("graph", "figure"), ("table", "children"), ("note", "children"), ("title", "children"))]
    graph = {"type": "graph", "view": view}
    return {"output": RENDER, "outputs": outputs, "inputs": [values],
            "state": [identities, {"id": graph, "property": "id", "value": graph}],
            "changedPropIds": [], "parsedChangedPropsIds": []}


def route_payload(path: str) -> dict[str, Any]:
    """The router's callback as a link click sends it (pathname changed, no page drawn yet)."""
    return {"output": "..page-content.children...nav.children...shown-path.data..",
            "outputs": [{"id": "page-content", "property": "children"}, {"id": "nav", "property": "children"},
                        {"id": "shown-path", "property": "data"}],
            "inputs": [{"id": "url", "property": "pathname", "value": path},
                       {"id": "url", "property": "search", "value": ""}],
            "state": [{"id": "shown-path", "property": "data", "value": None}, [], []],
            "changedPropIds": ["url.pathname"]}


def url_payload(path: str, filters: dict[str, Any]) -> dict[str, Any]:
    values, identities = _filter_inputs(filters)
    return {"output": "url.search", "outputs": {"id": "url", "property": "search"}, "inputs": [values],
            "state": [identities, {"id": "url", "property": "pathname", "value": path}], "changedPropIds": []}


try:  # the locustfile part; the script part below needs no locust import
    from locust import HttpUser, between, task

    class DashboardReader(HttpUser):
        wait_time = between(1, 3)

        def _draw(self, path: str, filters: dict[str, Any]) -> None:
            for view in PAGE_VIEWS[path]:
                self.client.post("/_dash-update-component", json=render_payload(view, filters), name=f"draw {view}")
            if filters:
                self.client.post("/_dash-update-component", json=url_payload(path, filters), name="url")

        @task(2)
        def open_a_page(self) -> None:
            path = random.choice(list(PAGE_VIEWS))
            self.client.post("/_dash-update-component", json=route_payload(path), name="route")
            self._draw(path, _filters(path))

        @task(3)
        def change_a_filter(self) -> None:
            path = random.choice([p for p in PAGE_VIEWS if _filters(p)])
            self._draw(path, _filters(path))
except ImportError:  # pragma: no cover - the script part runs without locust until it starts it
    pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(home: Path) -> None:
    if (home / "catalog").exists():
        return
    for name in ("3-1-1-inquiry-volume", "3-1-1-contact-centre-metrics", "3-1-1-service-requests"):
        subprocess.run([sys.executable, "-m", "lakehouse", "run", "--home", str(home), "--dataset", name],
                       check=True, stdout=subprocess.DEVNULL)


def _wait_until_up(url: str, seconds: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description="p95 callback latency of the web app under concurrent users")
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "lakehouse-bench-dashboard")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of lakehouse serve")
    parser.add_argument("--json", type=Path, default=RESULTS / "dashboard_load.json")
    arguments = parser.parse_args()
    _prepare(arguments.home)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "lakehouse", "serve", "--home", str(arguments.home),
                               "--port", str(port), "--threads", str(arguments.threads)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # failures show in locust's counts
    load_before = os.getloadavg()[0]  # other work on the machine shares its cores
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/")
        runs = [("first run (cold misses included)", _locust(port, arguments.users, arguments.seconds))]
        runs.append(("second run (same server, its cache warm)", _locust(port, arguments.users, arguments.seconds)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {"users": arguments.users, "seconds": arguments.seconds, "threads": arguments.threads,
              "cpus": os.cpu_count(), "load_average_1min_before": load_before,
              "load_average_1min_after": os.getloadavg()[0], "runs": {}}
    for label, rows in runs:
        figures = _figures(rows)
        result["runs"][label] = figures
        total = figures["Aggregated"]
        print(f"{label}: {arguments.users} users, {arguments.seconds} s, {total['requests']:,} callbacks, "
              f"{total['failures']} failed; p50 {total['p50_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms, "
              f"p99 {total['p99_ms']:.0f} ms, max {total['max_ms']:.0f} ms")
        for name, figure in sorted(figures.items()):
            if name != "Aggregated":
                print(f"  {name:28} {figure['requests']:6,}  p50 {figure['p50_ms']:5.0f}  p95 {figure['p95_ms']:5.0f}  "
                      f"p99 {figure['p99_ms']:5.0f} ms")
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def _locust(port: int, users: int, seconds: int) -> list[dict[str, str]]:
    """One bounded headless locust run against the server; its per-request statistics rows."""
    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "stats"
        subprocess.run([sys.executable, "-m", "locust", "-f", __file__, "--headless", "--only-summary",
                        "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--stop-timeout", "10"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=seconds + 120)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
            return list(csv.DictReader(stats))


def _figures(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    return {row["Name"]: {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                          "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
                          "max_ms": float(row["Max Response Time"])} for row in rows}


if __name__ == "__main__":
    main()
