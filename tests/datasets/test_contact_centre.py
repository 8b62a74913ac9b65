"""`3-1-1-contact-centre-metrics` end to end on the real portal export: source check, parse,
recipe, landing contract, ruleset, curated base and aggregates, checked against plain-Python
readings of the same file."""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from lakehouse.datasets.contact_centre import CONTACT_CENTRE
from lakehouse.datasets.readers import parse_source
from lakehouse.datasets.registry import dataset
from lakehouse.datasets.source_check import check_source
from lakehouse.etl.models import model_for
from lakehouse.etl.models.contact_centre import MODEL
from lakehouse.prepare import check_landing_contract, run_recipe
from lakehouse.recipes.definitions import dataset_recipe, definition_path
from lakehouse.recipes.model import Recipe
from lakehouse.recipes.rules import RulesetResult, evaluate_ruleset, load_ruleset

FIXTURE = Path(__file__).parents[2] / "lakehouse" / "datasets" / "bundled" / "contact-centre-metrics_export-2024-09.csv"
ROWS = 5585
MISSING_DATES = {date(2010, 3, 7), date(2013, 3, 8)}


@dataclass(frozen=True)
class Prepared:
    raw_rows: int
    landing: pl.DataFrame
    rejected: pl.DataFrame


def prepare(source: Path, workdir: Path) -> Prepared:
    parsed = parse_source(check_source(source, CONTACT_CENTRE), CONTACT_CENTRE, workdir)
    landing_path, rejected = run_recipe(dataset_recipe(CONTACT_CENTRE), parsed, CONTACT_CENTRE, workdir)
    return Prepared(parsed.raw_rows, pl.read_parquet(landing_path), rejected)


def ruleset_result(landing: pl.DataFrame) -> RulesetResult:
    assert CONTACT_CENTRE.ruleset is not None
    return evaluate_ruleset(load_ruleset(definition_path(CONTACT_CENTRE.ruleset)), landing)


def step_number(recipe: Recipe, operation: str, source: str | None, condition: str | None = None) -> int:
    """The one step of `operation` on `source` (and, if given, with that first condition)."""
    found = [
        s.number for s in recipe.steps
        if s.operation == operation and s.parameters.get("sourceColumn") == source
        and (condition is None or s.conditions[0].condition == condition)
    ]
    assert len(found) == 1, (operation, source, condition, found)
    return found[0]


@pytest.fixture(scope="module")
def source_rows() -> list[dict[str, str]]:
    """The export read independently: the csv module, no project code."""
    with FIXTURE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepare(FIXTURE, tmp_path_factory.mktemp("contact-centre"))


@pytest.fixture(scope="module")
def daily(prepared: Prepared) -> pl.DataFrame:
    return MODEL.base.build(prepared.landing.lazy()).collect()


def test_registered_and_recognised_by_its_label_header() -> None:
    assert dataset("3-1-1-contact-centre-metrics") is CONTACT_CENTRE
    assert model_for(CONTACT_CENTRE.portal_id) is MODEL
    layout = check_source(FIXTURE, CONTACT_CENTRE)
    assert (layout.format, layout.separator, layout.header) == ("csv", ";", "labels")


def test_every_row_is_accounted_for(prepared: Prepared, source_rows: list[dict[str, str]]) -> None:
    assert prepared.raw_rows == len(source_rows) == ROWS
    assert prepared.landing.height + prepared.rejected.height == prepared.raw_rows
    assert prepared.rejected.height == 0  # the real export is clean
    assert sorted(prepared.landing["source_line"]) == list(range(2, ROWS + 2))


def test_landing_matches_the_contract(prepared: Prepared) -> None:
    check_landing_contract(dataset_recipe(CONTACT_CENTRE), CONTACT_CENTRE)
    assert prepared.landing.columns == [name for name, _ in CONTACT_CENTRE.landing_columns] + ["source_line"]
    assert prepared.landing.schema["call_date"] == pl.Date
    assert prepared.landing.schema["calls_offered"] == pl.Int64
    assert prepared.landing.schema["service_level"] == pl.Float64
    assert "BI_ID" not in prepared.landing.columns


def test_one_row_per_day_and_only_the_two_known_days_missing(prepared: Prepared) -> None:
    dates = prepared.landing["call_date"].to_list()
    assert len(set(dates)) == len(dates) == ROWS
    first, last = min(dates), max(dates)
    assert (first, last) == (date(2009, 6, 15), date(2024, 9, 30))
    every_day = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    assert every_day - set(dates) == MISSING_DATES


def test_values_are_the_exports_values(prepared: Prepared, source_rows: list[dict[str, str]]) -> None:
    for row in prepared.landing.iter_rows(named=True):
        source = source_rows[row["source_line"] - 2]
        assert row["call_date"] == date.fromisoformat(source["Date"])
        assert row["calls_offered"] == int(source["CallsOffered"])
        assert row["calls_handled"] == int(source["CallsHandled"])
        assert row["calls_abandoned"] == int(source["CallsAbandoned"])
        assert row["avg_speed_of_answer_s"] == float(source["AverageSpeedofAnswer"])
        assert row["service_level"] == float(source["ServiceLevel"])


def test_value_ranges(prepared: Prepared) -> None:
    landing = prepared.landing
    assert landing.null_count().sum_horizontal().item() == 0
    for column in ("calls_offered", "calls_handled", "calls_abandoned", "avg_speed_of_answer_s"):
        assert landing[column].min() >= 0  # type: ignore[operator]
    assert 0 <= landing["service_level"].min() <= landing["service_level"].max() <= 1  # type: ignore[operator]


def test_unbalanced_days_are_kept(prepared: Prepared, source_rows: list[dict[str, str]]) -> None:
    """Handled + abandoned differs from offered on most days: real, so not a reason to reject."""
    unbalanced = sum(
        int(r["CallsHandled"]) + int(r["CallsAbandoned"]) != int(r["CallsOffered"]) for r in source_rows
    )
    gap = pl.col("calls_offered") - pl.col("calls_handled") - pl.col("calls_abandoned")
    assert prepared.landing.filter(gap != 0).height == unbalanced > 5000
    assert (prepared.landing.select(gap.min()).item(), prepared.landing.select(gap.max()).item()) == (-16, 1184)


def test_ruleset_passes_and_says_which_rules_block(prepared: Prepared) -> None:
    result = ruleset_result(prepared.landing)
    assert result.passed and result.rows == ROWS
    assert {r.name for r in result.rules if not r.blocking} == {
        "dates-since-3-1-1-opened", "handled-within-offered", "abandoned-within-offered",
    }


def test_ruleset_blocks_a_repeated_date(prepared: Prepared) -> None:
    doubled = pl.concat([prepared.landing, prepared.landing.head(1)])
    assert [r.name for r in ruleset_result(doubled).failed_blocking] == ["one-row-per-date"]


def test_daily_base_table(daily: pl.DataFrame, prepared: Prepared) -> None:
    assert daily.columns == [c.name for c in MODEL.base.all_columns]
    assert daily.height == ROWS and daily["call_date"].is_unique().all()
    assert daily.select((pl.col("year") == pl.col("call_date").dt.year()).all()).item()
    assert MODEL.natural_key == ("call_date",)


def _month(source_rows: list[dict[str, str]], prefix: str) -> list[dict[str, str]]:
    return [r for r in source_rows if r["Date"].startswith(prefix)]


def _expected(rows: list[dict[str, str]]) -> dict[str, float | int]:
    offered = sum(int(r["CallsOffered"]) for r in rows)
    handled = sum(int(r["CallsHandled"]) for r in rows)
    abandoned = sum(int(r["CallsAbandoned"]) for r in rows)
    return {
        "days": len(rows), "calls_offered": offered, "calls_handled": handled, "calls_abandoned": abandoned,
        "calls_unaccounted": offered - handled - abandoned,
        "abandonment_rate": abandoned / offered,
        "avg_speed_of_answer_s": sum(float(r["AverageSpeedofAnswer"]) * int(r["CallsHandled"]) for r in rows) / handled,
        "mean_service_level": statistics.fmean(float(r["ServiceLevel"]) for r in rows),
        "service_level_weighted": sum(float(r["ServiceLevel"]) * int(r["CallsOffered"]) for r in rows) / offered,
        "worst_day_service_level": min(float(r["ServiceLevel"]) for r in rows),
    }


def _assert_close(row: dict[str, object], expected: dict[str, float | int]) -> None:
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, rel=1e-12), name


@pytest.mark.parametrize(("month", "days", "complete"), [("2024-09", 30, True), ("2010-03", 30, False)])
def test_monthly_aggregate_equals_an_independent_computation(
    daily: pl.DataFrame, source_rows: list[dict[str, str]], month: str, days: int, complete: bool
) -> None:
    table = next(t for t in MODEL.aggregates if t.name == "contact_centre_monthly")
    monthly = table.build(daily.lazy()).collect()
    assert monthly["month_start"].is_unique().all()
    row = monthly.filter(pl.col("month_start") == date.fromisoformat(f"{month}-01")).row(0, named=True)
    expected = _expected(_month(source_rows, month))
    assert expected["days"] == days
    _assert_close(row, expected)
    assert row["complete"] is complete and row["year"] == int(month[:4])


def test_yearly_aggregate_equals_an_independent_computation(
    daily: pl.DataFrame, source_rows: list[dict[str, str]]
) -> None:
    table = next(t for t in MODEL.aggregates if t.name == "contact_centre_yearly")
    yearly = table.build(daily.lazy()).collect()
    assert sorted(yearly["year"]) == list(range(2009, 2025))
    row = yearly.filter(pl.col("year") == 2013).row(0, named=True)
    _assert_close(row, _expected(_month(source_rows, "2013")))
    assert row["days"] == 364 and row["complete"] is False  # 2013-03-08 is missing
    assert yearly.filter(pl.col("year") == 2012)["complete"].item() is True
    assert yearly["calls_offered"].sum() == sum(int(r["CallsOffered"]) for r in source_rows)


# -- a dirty copy of the export -------------------------------------------------------------

DIRTY = [
    "2024-10-01;100;90;5;12.5;0.9;9001",  # valid new day
    "2024-10-02;100;90;-5;12.5;0.9;9002",  # negative count
    "2024-02-30;100;90;5;12.5;0.9;9003",  # impossible date
    ";100;90;5;12.5;0.9;9004",  # missing date
    "10/03/2024;100;90;5;12.5;0.9;9005",  # not ISO: would be read month-first
    "2024-10-04;100;90;5;12.5;1.2;9006",  # service level above 1
    "2024-10-05;100;90;5;12.5;-0.1;9007",  # service level below 0
    "2024-10-06;abc;90;5;12.5;0.9;9008",  # count not a number
    "2024-10-07;100;90;5;12.5;0.9",  # a field short
    "2024-09-30;478;477;1;0.80083857442348;0.99163179916318;9010",  # first day again, new BI_ID
    "2024-09-29;999;1;1;1.0;0.5;9011",  # a second, different row for an existing day
    "Date;CallsOffered;CallsHandled;CallsAbandoned;AverageSpeedofAnswer;ServiceLevel;BI_ID",  # header again
    "2024-10-08;100;95;10;12.5;0.9;9013",  # handled + abandoned > offered: kept
    " 2024-10-09 ; 200 ;190;5;7;1;9014",  # padded values: trimmed and kept
    "2024-10-10;100;90;5;fast;0.9;9015",  # speed of answer not a number
]


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    workdir = tmp_path_factory.mktemp("contact-centre-dirty")
    source = workdir / "export.csv"
    source.write_bytes(FIXTURE.read_bytes() + ("\r\n".join(DIRTY) + "\r\n").encode())
    return prepare(source, workdir)


def test_dirty_lines_are_rejected_by_the_right_step(dirty: Prepared) -> None:
    recipe = dataset_recipe(CONTACT_CENTRE)
    first = ROWS + 2  # line of the first appended row
    expected = {
        first + 1: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "calls_abandoned"), "LESS_THAN 0"),
        first + 2: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "Date", "IS_MISSING"), "call_date matched IS_MISSING"),
        first + 3: ("REMOVE_MISSING", step_number(recipe, "REMOVE_MISSING", "Date"), "missing value in Date"),
        first + 4: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "Date", "IS_MISSING"), "call_date matched IS_MISSING"),
        first + 5: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "service_level", "GREATER_THAN"), "GREATER_THAN 1"),
        first + 6: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "service_level", "LESS_THAN"), "LESS_THAN 0"),
        first + 7: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "CallsOffered"), "calls_offered matched IS_MISSING"),
        first + 8: ("PARSE", 0, "too few fields"),
        first + 9: ("DELETE_DUPLICATE_ROWS", step_number(recipe, "DELETE_DUPLICATE_ROWS", None), "duplicate"),
        first + 10: ("REMOVE_DUPLICATES", step_number(recipe, "REMOVE_DUPLICATES", "call_date"), "duplicate value in call_date"),
        first + 11: ("REMOVE_VALUES", 1, "Date matched IS"),
        first + 14: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "AverageSpeedofAnswer"),
                     "avg_speed_of_answer_s matched IS_MISSING"),
    }
    got = {row["source_line"]: row for row in dirty.rejected.iter_rows(named=True)}
    assert set(got) == set(expected)
    for line, (operation, step, reason) in expected.items():
        assert (got[line]["operation"], got[line]["step"]) == (operation, step), line
        assert reason in got[line]["reason"], (line, got[line]["reason"])
    assert got[first + 1]["raw_record"] == DIRTY[1]


def test_dirty_copy_still_reconciles_and_keeps_the_good_lines(dirty: Prepared) -> None:
    assert dirty.raw_rows == ROWS + len(DIRTY)
    assert dirty.landing.height + dirty.rejected.height == dirty.raw_rows
    assert dirty.landing.height == ROWS + 3
    kept = dirty.landing.filter(pl.col("source_line") > ROWS + 1).sort("source_line")
    assert kept["call_date"].to_list() == [date(2024, 10, 1), date(2024, 10, 8), date(2024, 10, 9)]
    assert kept.row(2, named=True)["calls_offered"] == 200 and kept.row(2, named=True)["service_level"] == 1.0
    # The day that arrived twice keeps its first (newest-first export) values.
    assert dirty.landing.filter(pl.col("call_date") == date(2024, 9, 29))["calls_offered"].to_list() == [321]
    assert ruleset_result(dirty.landing).passed
