"""The Vancouver recipe on a crafted export: every fault repaired or rejected by a named step,
and regressions for the original AWS project's defects."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse.datasets.inquiry_volume import INQUIRY_VOLUME
from lakehouse.datasets.readers import parse_source
from lakehouse.datasets.source_check import check_source
from lakehouse import prepare as prepare_module
from lakehouse.prepare import check_landing_contract, run_recipe
from lakehouse.recipes.definitions import dataset_recipe
from lakehouse.recipes.model import RecipeError, Recipe, parse_recipe

HEADER = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
LINES = [
    "A - One;Type 1;2024-01;Phone;5;1",  # 2 valid
    "A - One;Type 1;2024-01;Phone;5;2;extra",  # 3 too many fields
    '"""ENG - Sanitation Services""";Type 2;2024-12;CHAT;7;3',  # 4 quotes and case repaired
    HEADER,  # 5 repeated header
    "short;row",  # 6 too few fields
    "B - Two;Type;2024-13;Mail;7;9",  # 7 malformed month
    "  B - Two  ;Type;2024-02; mail ;-7;10",  # 8 negative count
    "A - One;Type 1;2024-01;Phone;5;1",  # 9 duplicate of line 2
    ";Type;2024-02;Mail;3;11",  # 10 missing department
    '"ENG - Streets; Sidewalks";Type;2024-02;E-MAIL;3;12',  # 11 separator inside a quoted value
    "C - Three;Type;2024-03;Phone;abc;13",  # 12 non-numeric count
    "C - Three;Type;2024-03;Phone;0;14",  # 13 zero count
    "eng - sanitation services;Type;2024-03;Phone;12.5;15",  # 14 fractional count
    "ENG - SANITATION SERVICES;Type;2024-04;phone;4;16",  # 15 department case drift repaired
]


@pytest.fixture(autouse=True, params=["one pass", "after marking"])
def split_strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with both ways run_recipe splits landing from rejected rows: one
    partitioned pass (small inputs) and a marked file split afterwards (large inputs)."""
    if request.param == "after marking":
        monkeypatch.setattr(prepare_module, "ONE_PASS_SPLIT_ROWS", -1)
    return str(request.param)


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    source = tmp_path / "export.csv"
    source.write_bytes(("\ufeff" + "\r\n".join([HEADER, *LINES]) + "\r\n").encode())
    parsed = parse_source(check_source(source, INQUIRY_VOLUME), INQUIRY_VOLUME, tmp_path)
    landing_path, rejected = run_recipe(dataset_recipe(INQUIRY_VOLUME), parsed, INQUIRY_VOLUME, tmp_path)
    return pl.read_parquet(landing_path), rejected, parsed.raw_rows


def test_counts_reconcile(prepared: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    landing, rejected, raw_rows = prepared
    assert raw_rows == len(LINES)
    assert landing.height + rejected.height == raw_rows
    assert sorted(landing["source_line"]) == [2, 4, 11, 15]


def test_each_reject_names_its_line_step_and_reason(prepared: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    _, rejected, _ = prepared
    by_line = {row["source_line"]: row for row in rejected.iter_rows(named=True)}
    assert {line: row["operation"] for line, row in by_line.items()} == {
        3: "PARSE", 5: "REMOVE_VALUES", 6: "PARSE", 7: "REMOVE_VALUES", 8: "REMOVE_VALUES",
        9: "DELETE_DUPLICATE_ROWS", 10: "REMOVE_MISSING", 12: "REMOVE_VALUES", 13: "REMOVE_VALUES",
        14: "REMOVE_VALUES",
    }
    assert by_line[3]["step"] == 0 and by_line[3]["reason"].startswith("too many fields")
    assert "Department matched IS" in by_line[5]["reason"]
    assert "valid_year_month matched IS_MISSING" in by_line[7]["reason"]
    assert "LESS_THAN 1" in by_line[8]["reason"] and "LESS_THAN 1" in by_line[13]["reason"]
    assert "whole_number_of_records matched IS_MISSING" in by_line[12]["reason"]
    assert "missing value in Department" in by_line[10]["reason"]
    assert "duplicate" in by_line[9]["reason"]
    assert by_line[8]["raw_record"] == "  B - Two  ;Type;2024-02; mail ;-7;10"  # as it arrived
    assert rejected["step"].null_count() == 0


def test_landing_rows_are_typed_and_repaired(prepared: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    landing, _, _ = prepared
    assert landing.columns == ["department", "inquiry_type", "channel", "month_start", "inquiries", "source_line"]
    assert landing.schema["month_start"] == pl.Date and landing.schema["inquiries"] == pl.Int64
    rows = {row["source_line"]: row for row in landing.iter_rows(named=True)}
    assert rows[4]["department"] == "ENG - Sanitation Services"  # literal quotes removed (original defect)
    assert rows[4]["channel"] == "Chat"  # case drift repaired to the canonical spelling
    assert rows[15]["department"] == "ENG - Sanitation Services" and rows[15]["channel"] == "Phone"
    assert rows[11]["channel"] == "E-mail"


def test_separator_inside_a_value_does_not_shift_columns(prepared: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    """Regression: the original Athena output had columns shifted by one (a month holding 14.0)."""
    landing, _, _ = prepared
    row = landing.filter(pl.col("source_line") == 11).row(0, named=True)
    assert row["department"] == "ENG - Streets; Sidewalks"
    assert row["inquiry_type"] == "Type"
    assert str(row["month_start"]) == "2024-02-01"
    assert row["inquiries"] == 3


def test_no_value_keeps_its_quotes(prepared: tuple[pl.DataFrame, pl.DataFrame, int]) -> None:
    landing, _, _ = prepared
    for column in ("department", "inquiry_type", "channel"):
        assert not landing[column].str.contains('"').any()


def test_json_export_goes_through_the_same_recipe(tmp_path: Path) -> None:
    source = tmp_path / "export.json"
    source.write_text(
        '{"total_count": 3, "results": ['
        '{"department": "A - One", "type": "T", "year_month": "2024-01", "channel": "phone", "number_of_records": 4, "bi_id": 1},'
        '{"department": "A - One", "type": "T", "year_month": "2024-1", "channel": "Phone", "number_of_records": 4, "bi_id": 2},'
        '{"department": null, "type": "T", "year_month": "2024-02", "channel": "Phone", "number_of_records": 4, "bi_id": 3}]}'
    )
    parsed = parse_source(check_source(source, INQUIRY_VOLUME), INQUIRY_VOLUME, tmp_path)
    landing_path, rejected = run_recipe(dataset_recipe(INQUIRY_VOLUME), parsed, INQUIRY_VOLUME, tmp_path)
    assert pl.read_parquet(landing_path).select("channel", "inquiries").rows() == [("Phone", 4)]
    assert dict(zip(rejected["source_line"], rejected["operation"], strict=True)) == {2: "REMOVE_VALUES", 3: "REMOVE_MISSING"}


def test_a_recipe_that_breaks_the_landing_contract_is_refused_before_data() -> None:
    shipped = dataset_recipe(INQUIRY_VOLUME)
    without_rename = Recipe(tuple(s for s in shipped.steps if s.parameters.get("targetColumn") != "inquiries"), shipped.name)
    with pytest.raises(RecipeError, match="landing needs"):
        check_landing_contract(without_rename, INQUIRY_VOLUME)
    broken = parse_recipe([{"Action": {"Operation": "RENAME", "Parameters": {"sourceColumn": "Dept", "targetColumn": "d"}}}])
    with pytest.raises(RecipeError, match=r"step 1 \(RENAME\): parameter sourceColumn: column 'Dept' does not exist"):
        check_landing_contract(broken, INQUIRY_VOLUME)


def _prepare_lines(tmp_path: Path, lines: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    source = tmp_path / "export.csv"
    source.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    parsed = parse_source(check_source(source, INQUIRY_VOLUME), INQUIRY_VOLUME, tmp_path)
    landing_path, rejected = run_recipe(dataset_recipe(INQUIRY_VOLUME), parsed, INQUIRY_VOLUME, tmp_path)
    return pl.read_parquet(landing_path), rejected


def test_every_row_rejected_still_gives_a_typed_empty_landing_file(tmp_path: Path) -> None:
    landing, rejected = _prepare_lines(tmp_path, [";Type;2024-02;Mail;3;1", "B;Type;2024-13;Mail;7;2"])
    assert landing.height == 0
    assert landing.schema == pl.Schema({
        "department": pl.String, "inquiry_type": pl.String, "channel": pl.String, "month_start": pl.Date,
        "inquiries": pl.Int64, "source_line": pl.Int64,
    })
    assert rejected["source_line"].to_list() == [2, 3]


def test_no_row_rejected_gives_an_empty_rejects_table(tmp_path: Path) -> None:
    landing, rejected = _prepare_lines(tmp_path, ["A - One;Type 1;2024-01;Phone;5;1", "A - One;Type 1;2024-02;Phone;6;2"])
    assert landing["source_line"].to_list() == [2, 3]
    assert rejected.height == 0
    assert rejected.columns == ["source_line", "step", "operation", "reason", "raw_record"]


def test_an_export_with_only_a_header_prepares_to_nothing(tmp_path: Path) -> None:
    landing, rejected = _prepare_lines(tmp_path, [])
    assert (landing.height, rejected.height) == (0, 0)


def test_both_splits_give_the_same_landing_and_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = []
    for limit in (10**9, -1):
        monkeypatch.setattr(prepare_module, "ONE_PASS_SPLIT_ROWS", limit)
        folder = tmp_path / str(limit)
        folder.mkdir()
        results.append(_prepare_lines(folder, LINES))
        assert not (folder / "split" / "marked.parquet").exists()
    (landing_one, rejected_one), (landing_marked, rejected_marked) = results
    assert landing_one.equals(landing_marked)
    assert rejected_one.equals(rejected_marked)
    assert landing_one.height + rejected_one.height == len(LINES) and rejected_one.height > 5
