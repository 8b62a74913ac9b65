"""The contact-centre and service-requests datasets end to end on their real exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cli_support import CliRunner

BUNDLED = Path(__file__).parents[2] / "lakehouse" / "datasets" / "bundled"


def rows(lakehouse: CliRunner, home: str, sql: str) -> list[dict[str, str]]:
    outcome = lakehouse("query", "--home", home, "--format", "csv", sql)
    assert outcome.code == 0, outcome.stderr
    return list(csv.DictReader(io.StringIO(outcome.stdout)))


def older_export(tmp_path: Path) -> Path:
    """The same export a month earlier: September missing, every BI_ID renumbered."""
    lines = (BUNDLED / "contact-centre-metrics_export-2024-09.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    header, data = lines[0], [line for line in lines[1:] if line and not line.startswith("2024-09")]
    renumbered = [";".join([*line.split(";")[:-1], str(int(line.split(";")[-1]) + 5000)]) for line in data]
    path = tmp_path / "contact-centre-metrics_export-2024-08.csv"
    path.write_bytes(("\ufeff" + "\r\n".join([header, *renumbered]) + "\r\n").encode())
    return path


def test_contact_centre_exports_a_month_apart_leave_one_row_per_date(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    dataset = ("--dataset", "3-1-1-contact-centre-metrics")
    first = lakehouse("run", "--home", home, *dataset)  # default source: the bundled real export
    assert first.code == 0, first.stderr
    assert "bundled export" in first.stdout
    second = lakehouse("run", "--home", home, *dataset, "--source", str(older_export(tmp_path)))
    assert second.code == 0, second.stderr
    (counts,) = rows(lakehouse, home, "SELECT count(*) AS n, count(DISTINCT call_date) AS days, "
                                      "max(call_date) AS last_day FROM contact_centre_daily")
    assert counts == {"n": "5585", "days": "5585", "last_day": "2024-09-30"}
    (september,) = rows(lakehouse, home, "SELECT sum(calls_offered) AS offered FROM contact_centre_monthly "
                                         "WHERE month_start = DATE '2024-09-01'")
    assert int(september["offered"]) > 0


def test_service_requests_end_to_end(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    ran = lakehouse("run", "--home", home, "--dataset", "3-1-1-service-requests")
    assert ran.code == 0, ran.stderr
    (totals,) = rows(lakehouse, home, "SELECT count(*) AS n, count_if(days_to_close < 0) AS negative FROM service_requests")
    assert totals == {"n": "10000", "negative": "0"}
    channels = {r["channel"] for r in rows(lakehouse, home, "SELECT DISTINCT channel FROM service_requests")}
    assert "WEB" not in channels and "Web" in channels
    partitioned = rows(lakehouse, home, "SELECT count(*) AS n FROM service_requests WHERE year = 2024 AND month = 1")
    assert int(partitioned[0]["n"]) > 0
