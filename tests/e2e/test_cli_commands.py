"""The stage commands one by one, query output formats, and CLI errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_support import CliRunner, platform_for

from lakehouse.datasets.sample import SampleReport


@pytest.fixture
def built_home(lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path) -> str:
    home = str(tmp_path / "home")
    for command in (["ingest", "--source", str(sample_export.path)], ["prepare"], ["transform"]):
        outcome = lakehouse(*command, "--home", home)
        assert outcome.code == 0, outcome.stderr
    return home


def test_stages_one_by_one_build_the_catalog(lakehouse: CliRunner, built_home: str) -> None:
    listed = lakehouse("catalog", "tables", "--home", built_home)
    assert listed.code == 0
    for table in ("inquiry_volume", "department_monthly", "monthly_volume", "yearly_volume", "department_yearly",
                  "department_year_over_year"):
        assert table in listed.stdout
    shown = lakehouse("catalog", "show", "inquiry_volume", "--json", "--home", built_home)
    document = json.loads(shown.stdout)
    assert document["StorageDescriptor"]["Location"].startswith("s3://curated/vancouver_311/inquiry_volume/snapshots/")
    assert [k["Name"] for k in document["PartitionKeys"]] == ["year"]
    partitions = lakehouse("catalog", "partitions", "inquiry_volume", "--home", built_home)
    assert "2024" in partitions.stdout and "2009" in partitions.stdout
    assert "vancouver_311" in lakehouse("catalog", "databases", "--home", built_home).stdout


def test_ingesting_the_same_bytes_twice_writes_nothing(
    lakehouse: CliRunner, sample_export: SampleReport, built_home: str
) -> None:
    platform = platform_for(Path(built_home))
    before = [(o.key, o.etag) for o in platform.store.list_objects_v2("raw")]
    again = lakehouse("ingest", "--home", built_home, "--source", str(sample_export.path))
    assert again.code == 0 and "already present, nothing written" in again.stdout
    assert [(o.key, o.etag) for o in platform.store.list_objects_v2("raw")] == before
    manifest_key = next(key for key, _ in before if key.endswith("/_manifest.json"))
    manifest = json.loads(platform.store.get_object("raw", manifest_key))
    assert manifest["size"] == sample_export.path.stat().st_size
    assert manifest["source"] == str(sample_export.path.resolve())
    assert len(manifest["sha256"]) == 64 and manifest["ingested_at"]


def test_query_formats(lakehouse: CliRunner, built_home: str) -> None:
    sql = "SELECT year, inquiries, complete, first_month FROM yearly_volume WHERE year IN (2023, 2024) ORDER BY year"
    as_csv = list(csv.DictReader(lakehouse("query", "--home", built_home, "--format", "csv", sql).stdout.splitlines()))
    as_json = json.loads(lakehouse("query", "--home", built_home, "--format", "json", sql).stdout)
    as_table = lakehouse("query", "--home", built_home, sql).stdout
    assert [r["year"] for r in as_csv] == ["2023", "2024"]
    assert [r["year"] for r in as_json] == [2023, 2024]
    assert as_json[0]["first_month"] == "2023-01-01" and as_json[0]["complete"] is True
    assert int(as_csv[1]["inquiries"]) == as_json[1]["inquiries"]
    assert f"{as_json[1]['inquiries']:,}" in as_table


def test_saved_query_with_parameters(lakehouse: CliRunner, built_home: str) -> None:
    outcome = lakehouse("query", "--home", built_home, "--format", "json", "--saved", "top_departments", "--param", "year=2024")
    rows = json.loads(outcome.stdout)
    assert len(rows) == 10 and rows[0]["rank"] == 1
    assert rows == sorted(rows, key=lambda r: -r["inquiries"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["query", "SELECT * FROM no_such_table"], "Error: TABLE_NOT_FOUND: Table 'awsdatacatalog.vancouver_311.no_such_table' does not exist"),
        (["query", "SELEC 1"], "Error: SYNTAX_ERROR"),
        (["query", "DELETE FROM inquiry_volume"], "Error: NOT_SUPPORTED: DELETE"),
        (["query", "--saved", "nope"], "Error: no saved query 'nope'"),
        (["query", "--saved", "top_departments"], "Error: query top_departments needs parameter year"),
        (["query", "--saved", "top_departments", "--param", "year=last"], "Error: parameter year must be int"),
        (["query", "SELECT 1", "--saved", "top_departments"], "Error: give either SQL or --saved NAME"),
        (["run", "--years", "2024", "2024"], "Error: --years needs two different years"),
    ],
)
def test_errors_are_one_line(lakehouse: CliRunner, built_home: str, arguments: list[str], message: str) -> None:
    outcome = lakehouse(*arguments, "--home", built_home)
    assert outcome.code == 1
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and errors[0].startswith(message), outcome.stderr


def test_bad_configuration_is_a_one_line_error(lakehouse: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_BUCKET_PREFIX", "UPPER")
    outcome = lakehouse("status", "--home", str(tmp_path))
    assert outcome.code == 1
    assert outcome.stderr.startswith("Error: LAKEHOUSE_BUCKET_PREFIX: bucket_prefix must be")


def test_usage_error_exits_2(lakehouse: CliRunner) -> None:
    outcome = lakehouse("query", "--format", "xml", "SELECT 1")
    assert outcome.code == 2 and "Invalid value for '--format'" in outcome.stderr


def test_status_reports_zones_tables_and_runs(lakehouse: CliRunner, built_home: str) -> None:
    outcome = lakehouse("status", "--home", built_home)
    assert outcome.code == 0
    for expected in ("raw", "landing", "curated", "inquiry_volume", "Last runs", "transform", "SUCCEEDED"):
        assert expected in outcome.stdout


def test_failed_stage_is_recorded_as_failed(lakehouse: CliRunner, built_home: str) -> None:
    assert lakehouse("query", "--home", built_home, "SELECT * FROM nope").code == 1  # queries are not runs
    bad = Path(built_home).parent / "empty.csv"
    bad.write_text("")
    assert lakehouse("run", "--home", built_home, "--source", str(bad)).code == 1
    status = lakehouse("status", "--home", built_home).stdout
    assert "FAILED" in status and "file is empty" in status


def test_sample_command_writes_the_portal_format(lakehouse: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    outcome = lakehouse("sample", "-o", str(target), "--rows", "2500", "--dirty", "--end-month", "2024-06")
    assert outcome.code == 0, outcome.stderr
    assert "wrote 2,500 rows (2009-01 – 2024-06)" in outcome.stdout
    assert "injected repeated_header" in outcome.stdout
    assert target.read_bytes().startswith(b"\xef\xbb\xbfDepartment;Type;Year Month;Channel;Number of Records;BI_ID\r\n")
