"""`lakehouse run` end to end on folders under a temporary home."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

from lakehouse.datasets.sample import SampleReport
from lakehouse.landing import landing_manifest
from lakehouse.datasets.inquiry_volume import CHANNELS, INQUIRY_VOLUME

from cli_support import CliRunner, platform_for, zone_snapshot

TOTALS_SQL = "SELECT year, sum(inquiries) AS n FROM inquiry_volume GROUP BY year ORDER BY year"


def totals_from_file(path: Path) -> dict[int, int]:
    """Yearly totals computed straight from the export, independently of the platform."""
    totals: Counter[int] = Counter()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            totals[int(row["Year Month"][:4])] += int(row["Number of Records"])
    return dict(sorted(totals.items()))


def _fault_of(entry: dict[str, object]) -> str:
    """Which injected fault the recipe step that rejected rows is there to catch."""
    example, operation = str(entry["example"]), entry["operation"]
    if operation == "REMOVE_MISSING":
        return "missing_value"
    if operation == "DELETE_DUPLICATE_ROWS":
        return "duplicate_row"
    if "valid_year_month" in example:
        return "malformed_month"
    if "whole_number_of_records" in example:
        return "bad_count"
    if "Department matched IS" in example:
        return "repeated_header"
    return f"unexpected: {example}"


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_run_then_query_gives_the_totals_of_the_file(
    lakehouse: CliRunner, sample_export: SampleReport, local_home: Path
) -> None:
    ran = lakehouse("run", "--home", str(local_home), "--source", str(sample_export.path))
    assert ran.code == 0, ran.stderr
    assert "Departments compared between two years (year_a=2023, year_b=2024)" in ran.stdout
    queried = lakehouse("query", "--home", str(local_home), "--format", "csv", TOTALS_SQL)
    assert queried.code == 0, queried.stderr
    answered = {int(row["year"]): int(row["n"]) for row in csv_rows(queried.stdout)}
    assert answered == totals_from_file(sample_export.path)


def test_running_twice_changes_nothing_and_duplicates_nothing(
    lakehouse: CliRunner, sample_export: SampleReport, local_home: Path
) -> None:
    home = str(local_home)
    assert lakehouse("run", "--home", home, "--source", str(sample_export.path)).code == 0
    platform = platform_for(local_home)
    first = {k: v for k, v in zone_snapshot(platform).items() if not k.startswith("landing/")}
    again = lakehouse("run", "--home", home, "--source", str(sample_export.path))
    assert again.code == 0
    assert "already ingested" in again.stdout
    second = {k: v for k, v in zone_snapshot(platform).items() if not k.startswith("landing/")}
    assert first == second  # raw and curated byte-identical
    counted = csv_rows(lakehouse("query", "--home", home, "--format", "csv",
                                 "SELECT count(*) AS n FROM inquiry_volume").stdout)
    assert int(counted[0]["n"]) == sample_export.rows  # the clean sample has unique keys


def test_dirty_export_every_fault_repaired_or_rejected(
    lakehouse: CliRunner, dirty_export: SampleReport, local_home: Path
) -> None:
    ran = lakehouse("run", "--home", str(local_home), "--source", str(dirty_export.path))
    assert ran.code == 0, ran.stderr
    platform = platform_for(local_home)
    manifest = landing_manifest(platform.zones, INQUIRY_VOLUME)
    assert manifest is not None
    assert manifest.raw_rows == dirty_export.rows
    assert manifest.raw_rows == manifest.landing_rows + manifest.rejected_rows
    by_fault: Counter[str] = Counter()
    for entry in manifest.rejected_by_step:
        by_fault[_fault_of(entry)] += entry["rows"]
    rejected_kinds = ("missing_value", "duplicate_row", "malformed_month", "bad_count", "repeated_header")
    assert {kind: by_fault[kind] for kind in rejected_kinds} == {kind: dirty_export.faults[kind] for kind in rejected_kinds}
    assert manifest.rejected_rows == sum(dirty_export.faults[k] for k in rejected_kinds)
    landing = pl.read_parquet(platform.store.local_path("landing", manifest.data_key))
    for column in ("department", "inquiry_type", "channel"):
        assert (landing[column] == landing[column].str.strip_chars()).all(), column
        assert not landing[column].str.contains('"').any(), column
    assert set(landing["channel"].unique()) <= set(CHANNELS)
    rejected = pl.read_parquet(platform.store.local_path("landing", manifest.data_key.replace("inquiry_volume.parquet", "rejected.parquet")))
    assert rejected["reason"].null_count() == 0 and rejected["source_line"].null_count() == 0
    assert rejected["step"].null_count() == 0 and rejected["raw_record"].null_count() == 0


def test_header_line_never_becomes_a_department(
    lakehouse: CliRunner, dirty_export: SampleReport, local_home: Path
) -> None:
    """Regression: the original 2023-vs-2024 chart carried a category parsed from a header line."""
    assert dirty_export.faults["repeated_header"] > 0
    assert lakehouse("run", "--home", str(local_home), "--source", str(dirty_export.path)).code == 0
    found = csv_rows(lakehouse("query", "--home", str(local_home), "--format", "csv",
                               "SELECT count(*) AS n FROM department_yearly WHERE department IN ('Department', 'department')").stdout)
    assert found == [{"n": "0"}]


def test_year_comparison_does_not_multiply_rows(
    lakehouse: CliRunner, sample_export: SampleReport, local_home: Path
) -> None:
    """Regression: the original joined on (department, month) after aggregating finer, multiplying rows."""
    home = str(local_home)
    assert lakehouse("run", "--home", home, "--source", str(sample_export.path)).code == 0
    compared = csv_rows(lakehouse("query", "--home", home, "--format", "csv", "--saved", "year_comparison",
                                  "--param", "year_a=2023", "--param", "year_b=2024").stdout)
    expected: dict[int, dict[str, int]] = defaultdict(dict)
    for row in csv_rows(lakehouse("query", "--home", home, "--format", "csv",
                                  "SELECT department, year, sum(inquiries) AS n FROM inquiry_volume "
                                  "WHERE year IN (2023, 2024) GROUP BY department, year").stdout):
        expected[int(row["year"])][row["department"]] = int(row["n"])
    assert len(compared) == len({row["department"] for row in compared})  # one row per department
    for row in compared:
        assert int(row["inquiries_year_a"]) == expected[2023].get(row["department"], 0)
        assert int(row["inquiries_year_b"]) == expected[2024].get(row["department"], 0)
    assert sum(int(r["inquiries_year_b"]) for r in compared) == totals_from_file(sample_export.path)[2024]


def test_default_sample_run_says_it_is_synthetic(lakehouse: CliRunner, local_home: Path) -> None:
    ran = lakehouse("run", "--home", str(local_home), "--rows", "3000")
    assert ran.code == 0, ran.stderr
    assert "synthetic sample" in ran.stdout
    assert "lakehouse run --source portal" in ran.stdout


def test_json_export_runs_like_the_csv_export(
    lakehouse: CliRunner, sample_export: SampleReport, local_home: Path, tmp_path: Path
) -> None:
    import json

    with sample_export.path.open(encoding="utf-8-sig", newline="") as handle:
        records = [
            {"department": r["Department"], "type": r["Type"], "year_month": r["Year Month"],
             "channel": r["Channel"], "number_of_records": int(r["Number of Records"]), "bi_id": int(r["BI_ID"])}
            for r in csv.DictReader(handle, delimiter=";")
        ]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(records))
    assert lakehouse("run", "--home", str(local_home), "--source", str(export)).code == 0
    queried = lakehouse("query", "--home", str(local_home), "--format", "csv", TOTALS_SQL)
    assert {int(r["year"]): int(r["n"]) for r in csv_rows(queried.stdout)} == totals_from_file(sample_export.path)
