"""Date functions: parts, DATE_FORMAT, FORMAT_DATE, DATE_ADD, DATE_DIFF."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from lakehouse.recipes.compile import compile_recipe
from lakehouse.recipes.frame import output
from lakehouse.recipes.model import RecipeError, parse_recipe


def step(operation: str, conditions: list[dict[str, str]] | None = None, **parameters: str) -> dict[str, Any]:
    document: dict[str, Any] = {"Action": {"Operation": operation, "Parameters": parameters}}
    if conditions:
        document["ConditionExpressions"] = conditions
    return document


def run(data: dict[str, list[Any]], *steps: dict[str, Any]) -> pl.DataFrame:
    return output(compile_recipe(parse_recipe(list(steps)), pl.LazyFrame(data))).collect()


def test_year_documented_example_from_value() -> None:
    result = run({"a": [1]}, step("YEAR", value="2019-06-12", targetColumn="YEAR Column 1"))
    assert result["YEAR Column 1"].to_list() == [2019]


def test_parts_from_text_date_and_timestamp_columns() -> None:
    data = {
        "text": ["2023-08-15 10:00:00", "12/31/2022", "not a date", None],
        "date": [dt.date(2023, 8, 15), dt.date(2022, 12, 31), None, dt.date(2024, 2, 29)],
        "ts": [dt.datetime(2023, 8, 15, 23, 59), None, None, dt.datetime(2021, 1, 3)],
    }
    parts = ("YEAR", "MONTH", "DAY", "QUARTER", "WEEK_DAY")
    steps = [step(p, sourceColumn=c, targetColumn=f"{c}_{p}") for c in data for p in parts]
    result = run(data, *steps)
    assert result.row(0, named=True)["text_YEAR"] == 2023
    assert [result[f"text_{p}"].to_list() for p in parts] == [
        [2023, 2022, None, None], [8, 12, None, None], [15, 31, None, None], [3, 4, None, None],
        [3, 7, None, None],  # Tuesday = 3, Saturday = 7 (1 = Sunday)
    ]
    assert result["date_DAY"].to_list() == [15, 31, None, 29]
    assert result["ts_WEEK_DAY"].to_list() == [3, None, None, 1]
    # Each new column lands right after its source, so later steps' columns come first.
    assert result.columns[:6] == ["text", "text_WEEK_DAY", "text_QUARTER", "text_DAY", "text_MONTH", "text_YEAR"]


def test_common_text_layouts_are_read() -> None:
    values = ["2023-01-15", "2023-01-15T10:30:00Z", "01/15/2023 10:30:00 PM", "1/15/23", "January 15, 2023",
              "15 Jan 2023", " 2023/01/15 "]
    result = run({"d": values}, step("DAY", sourceColumn="d", targetColumn="day"))
    assert result["day"].to_list() == [15] * len(values)


def test_date_format_documented_examples() -> None:
    data = {"DATE Column 1": ["2019-06-12", None]}
    result = run(data,
                 step("DATE_FORMAT", sourceColumn="DATE Column 1", dateTimeFormat="month*dd*yyyy",
                      targetColumn="DATE Column 1_DATEFORMAT"),
                 step("DATE_FORMAT", value="22:10:47", dateTimeFormat="HH:MM:SS", targetColumn="formatted_date_value"),
                 step("DATE_FORMAT", sourceColumn="DATE Column 1", targetColumn="default"))
    assert result["DATE Column 1_DATEFORMAT"].to_list() == ["June*12*2019", None]
    assert result["formatted_date_value"].to_list() == ["22:10:47", "22:10:47"]
    assert result["default"].to_list() == ["2019-06-12 00:00:00", None]


@pytest.mark.parametrize(("layout", "expected"), [
    ("mm/dd/yyyy", "03/07/1990"), ("mm-dd-yyyy", "03-07-1990"), ("dd month yyyy", "07 March 1990"),
    ("month yyyy", "March 1990"), ("dd month", "07 March"),
])
def test_format_date_documented_layouts(layout: str, expected: str) -> None:
    result = run({"birth_date": ["1990-03-07", "garbage", None]},
                 step("FORMAT_DATE", sourceColumn="birth_date", targetDateFormat=layout))
    assert result["birth_date"].to_list() == [expected, None, None]


def test_format_date_with_condition_keeps_other_rows() -> None:
    data = {"d": [dt.date(2020, 1, 2), dt.date(2021, 3, 4)], "k": ["x", "y"]}
    result = run(data, step("FORMAT_DATE", [{"Condition": "IS", "Value": "[\"x\"]", "TargetColumn": "k"}],
                            sourceColumn="d", targetDateFormat="mm/dd/yyyy"))
    assert result["d"].to_list() == ["01/02/2020", "2021-03-04"]


def test_format_date_rejects_undocumented_layout() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(FORMAT_DATE\): parameter targetDateFormat must be one of"):
        run({"d": ["2020-01-01"]}, step("FORMAT_DATE", sourceColumn="d", targetDateFormat="yyyy"))


def test_date_add_documented_example_and_units() -> None:
    data = {"DATE Column 1": ["2020-01-31", "2020-12-25 08:00:00", None]}
    result = run(data,
                 step("DATE_ADD", sourceColumn="DATE Column 1", units="DAYS", dateAddValue="14",
                      dateTimeFormat="mm/dd/yyyy", targetColumn="DATE Column 1_DATEADD"),
                 step("DATE_ADD", sourceColumn="DATE Column 1", units="MONTHS", dateAddValue="1", targetColumn="m"),
                 step("DATE_ADD", sourceColumn="DATE Column 1", units="HOURS", dateAddValue="-9", targetColumn="h"))
    assert result["DATE Column 1_DATEADD"].to_list() == ["02/14/2020", "01/08/2021", None]
    assert result["m"].to_list() == ["2020-02-29 00:00:00", "2021-01-25 08:00:00", None]
    assert result["h"].to_list() == ["2020-01-30 15:00:00", "2020-12-24 23:00:00", None]


def test_date_add_validation() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(DATE_ADD\): parameter units must be one of"):
        run({"d": ["2020-01-01"]}, step("DATE_ADD", sourceColumn="d", units="FORTNIGHTS", dateAddValue="1",
                                        targetColumn="t"))
    with pytest.raises(RecipeError, match=r"step 1 \(DATE_ADD\): parameter dateAddValue must be a whole number"):
        run({"d": ["2020-01-01"]}, step("DATE_ADD", sourceColumn="d", units="DAYS", dateAddValue="1.5",
                                        targetColumn="t"))
    with pytest.raises(RecipeError, match=r"step 1 \(DATE_ADD\): parameter dateAddValue is required"):
        run({"d": ["2020-01-01"]}, step("DATE_ADD", sourceColumn="d", units="DAYS", targetColumn="t"))


def test_date_diff_documented_example() -> None:
    result = run({"a": [1]}, step("DATE_DIFF", value1="2020-01-01", value2="2020-10-06", units="DAYS",
                                  targetColumn="DATEDIFF Column 1"))
    assert result["DATEDIFF Column 1"].to_list() == [279]


@pytest.mark.parametrize(("units", "expected"), [
    ("MONTHS", [1, 0, -1, None]), ("YEARS", [0, 0, 0, None]), ("WEEKS", [4, 4, -4, None]),
    ("HOURS", [744, 672, -744, None]), ("QUARTERS", [0, 0, 0, None]),
])
def test_date_diff_units_between_columns(units: str, expected: list[int | None]) -> None:
    data = {"opened": ["2023-01-15", "2023-01-31", "2023-03-15", None],
            "closed": ["2023-02-15", "2023-02-28", "2023-02-12", "2023-01-01"]}
    result = run(data, step("DATE_DIFF", sourceColumn1="opened", sourceColumn2="closed", units=units,
                            targetColumn="age"))
    assert result.columns == ["opened", "age", "closed"]
    assert result["age"].to_list() == expected


def test_date_diff_column_and_value_with_condition() -> None:
    data = {"d": ["2020-01-01", "2020-01-11"], "k": ["x", "y"]}
    result = run(data, step("DATE_DIFF", [{"Condition": "IS", "Value": "[\"y\"]", "TargetColumn": "k"}],
                            sourceColumn1="d", value2="2020-01-21", units="DAYS", targetColumn="n"))
    assert result["n"].to_list() == [None, 10]


def test_date_diff_validation() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(DATE_DIFF\): parameter .* exactly two operands"):
        run({"d": ["2020-01-01"]}, step("DATE_DIFF", sourceColumn1="d", units="DAYS", targetColumn="t"))
    with pytest.raises(RecipeError, match=r"step 1 \(DATE_DIFF\): parameter sourceColumn2: column 'x' does not"):
        run({"d": ["2020-01-01"]}, step("DATE_DIFF", sourceColumn1="d", sourceColumn2="x", units="DAYS",
                                        targetColumn="t"))
    with pytest.raises(RecipeError, match=r"step 1 \(YEAR\): parameter unit is unknown"):
        run({"d": ["2020-01-01"]}, step("YEAR", sourceColumn="d", targetColumn="t", unit="x"))
