"""Parsing and cleaning rules, and regressions for the original AWS project's defects."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse.datasets.inquiry_volume import INQUIRY_VOLUME
from lakehouse.datasets.readers import parse_source
from lakehouse.datasets.source_check import check_source
from lakehouse.prepare import clean

HEADER = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
LINES = [
    "A - One;Type 1;2024-01;Phone;5;1",  # 2 valid
    "A - One;Type 1;2024-01;Phone;5;2;extra",  # 3 too many fields
    '"""Q - Quoted""";Type 2;2024-12;CHAT;7;3',  # 4 quotes and case repaired
    HEADER,  # 5 repeated header
    "short;row",  # 6 too few fields
    "B - Two;Type;2024-13;Mail;7;9",  # 7 malformed month
    "  B - Two  ;Type;2024-02; mail ;-7;10",  # 8 negative count
    "A - One;Type 1;2024-01;Phone;5;1",  # 9 duplicate of line 2
    ";Type;2024-02;Mail;3;11",  # 10 missing department
    '"ENG - Streets; Sidewalks";Type;2024-02;E-MAIL;3;12',  # 11 separator inside a quoted value
    "C - Three;Type;2024-03;Phone;abc;13",  # 12 non-numeric count
    "C - Three;Type;2024-03;Phone;0;14",  # 13 zero count
]


@pytest.fixture
def cleaned(tmp_path: Path) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    source = tmp_path / "export.csv"
    source.write_bytes(("\ufeff" + "\r\n".join([HEADER, *LINES]) + "\r\n").encode())
    parsed = parse_source(check_source(source, INQUIRY_VOLUME), INQUIRY_VOLUME, tmp_path)
    landing, rejected = clean(parsed, INQUIRY_VOLUME)
    return landing, rejected, parsed.raw_rows


def test_counts_reconcile(cleaned: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    landing, rejected, raw_rows = cleaned
    assert raw_rows == len(LINES)
    assert landing.height + rejected.height == raw_rows
    assert landing.height == 3


def test_each_reject_has_its_line_rule_and_reason(cleaned: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    _, rejected, _ = cleaned
    by_line = {row["source_line"]: row for row in rejected.iter_rows(named=True)}
    assert {line: row["rule"] for line, row in by_line.items()} == {
        3: "parse_error", 5: "repeated_header", 6: "parse_error", 7: "malformed_month",
        8: "bad_count", 9: "duplicate_row", 10: "missing_value", 12: "bad_count", 13: "bad_count",
    }
    assert by_line[7]["reason"] == "malformed Year Month '2024-13' (expected YYYY-MM)"
    assert by_line[7]["field"] == "Year Month"
    assert by_line[10]["reason"] == "missing Department"
    assert by_line[8]["reason"] == "Number of Records '-7' is not a positive whole number"
    assert by_line[3]["reason"].startswith("too many fields")
    assert by_line[3]["raw_record"] == "A - One;Type 1;2024-01;Phone;5;2;extra"
    assert by_line[8]["raw_record"] == "  B - Two  ;Type;2024-02; mail ;-7;10"  # as it arrived


def test_landing_rows_are_typed_and_repaired(cleaned: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    landing, _, _ = cleaned
    assert landing.schema["month_start"] == pl.Date
    assert landing.schema["inquiries"] == pl.Int64
    rows = {row["source_line"]: row for row in landing.iter_rows(named=True)}
    assert rows[4]["department"] == "Q - Quoted"  # literal quotes removed (original defect)
    assert rows[4]["channel"] == "Chat"  # case drift repaired to the canonical spelling
    assert rows[11]["channel"] == "E-mail"


def test_separator_inside_a_value_does_not_shift_columns(cleaned: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    """Regression: the original Athena output had columns shifted by one (a month holding 14.0)."""
    landing, _, _ = cleaned
    row = landing.filter(pl.col("source_line") == 11).row(0, named=True)
    assert row["department"] == "ENG - Streets; Sidewalks"
    assert row["inquiry_type"] == "Type"
    assert str(row["month_start"]) == "2024-02-01"
    assert row["inquiries"] == 3


def test_no_department_value_keeps_its_quotes(cleaned: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    landing, _, _ = cleaned
    assert not landing["department"].str.contains('"').any()


def test_json_export_goes_through_the_same_rules(tmp_path: Path) -> None:
    source = tmp_path / "export.json"
    source.write_text(
        '{"total_count": 3, "results": ['
        '{"department": "A - One", "type": "T", "year_month": "2024-01", "channel": "phone", "number_of_records": 4, "bi_id": 1},'
        '{"department": "A - One", "type": "T", "year_month": "2024-1", "channel": "Phone", "number_of_records": 4, "bi_id": 2},'
        '{"department": null, "type": "T", "year_month": "2024-02", "channel": "Phone", "number_of_records": 4, "bi_id": 3}]}'
    )
    parsed = parse_source(check_source(source, INQUIRY_VOLUME), INQUIRY_VOLUME, tmp_path)
    landing, rejected = clean(parsed, INQUIRY_VOLUME)
    assert landing.select("channel", "inquiries").rows() == [("Phone", 4)]
    assert dict(zip(rejected["source_line"], rejected["rule"], strict=True)) == {2: "malformed_month", 3: "missing_value"}
