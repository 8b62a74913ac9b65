"""CHANGE_DATA_TYPE: every documented type, failed conversions to null, validation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from lakehouse.recipes.compile import compile_recipe, validate_recipe
from lakehouse.recipes.frame import output
from lakehouse.recipes.model import RecipeError, parse_recipe


def change(column: str, to: str, conditions: list[dict[str, str]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"Action": {"Operation": "CHANGE_DATA_TYPE",
                                           "Parameters": {"sourceColumn": column, "columnDataType": to}}}
    if conditions:
        document["ConditionExpressions"] = conditions
    return document


def converted(values: list[Any], to: str) -> tuple[list[Any], pl.DataType]:
    result = output(compile_recipe(parse_recipe([change("c", to)]), pl.LazyFrame({"c": values}))).collect()
    return result["c"].to_list(), result.schema["c"]


TEXT = ["123", " -7 ", "12.7", "ABC", "", None]


@pytest.mark.parametrize(("to", "dtype", "expected"), [
    ("byte", pl.Int8, [123, -7, 12, None, None, None]),
    ("short", pl.Int16, [123, -7, 12, None, None, None]),
    ("int", pl.Int32, [123, -7, 12, None, None, None]),
    ("integer", pl.Int32, [123, -7, 12, None, None, None]),
    ("long", pl.Int64, [123, -7, 12, None, None, None]),
    ("double", pl.Float64, [123.0, -7.0, 12.7, None, None, None]),
    ("string", pl.String, TEXT),
])
def test_text_to_each_type(to: str, dtype: pl.DataType, expected: list[Any]) -> None:
    values, schema = converted(TEXT, to)
    assert schema == dtype
    assert values == expected


def test_documented_example_abc_becomes_null() -> None:
    assert converted(["123", "ABC"], "int")[0] == [123, None]


def test_float_and_decimal() -> None:
    values, schema = converted(["1.5", "x"], "float")
    assert schema == pl.Float32 and values == [1.5, None]
    values, schema = converted(["1.25", " 3 ", "x"], "decimal")
    assert schema == pl.Decimal(38, 18)
    assert values == [Decimal("1.25"), Decimal("3"), None]


def test_out_of_range_integers_become_null() -> None:
    assert converted(["127", "128", "-129"], "byte")[0] == [127, None, None]
    assert converted([40000, 5], "short")[0] == [None, 5]
    assert converted(["9223372036854775807", "9223372036854775808"], "long")[0] == [9223372036854775807, None]


def test_numbers_to_integers_truncate_toward_zero() -> None:
    assert converted([1.9, -1.9, None], "int")[0] == [1, -1, None]


def test_boolean_from_text_and_numbers() -> None:
    values, schema = converted(["true", "No", " YES ", "f", "1", "maybe", None], "boolean")
    assert schema == pl.Boolean
    assert values == [True, False, True, False, True, None, None]
    assert converted([0, 2, None], "boolean")[0] == [False, True, None]


def test_date_and_timestamp_from_text() -> None:
    values, schema = converted(["2023-01-15 10:30:00", "01/15/2023", "soon", None], "date")
    assert schema == pl.Date
    assert values == [dt.date(2023, 1, 15), dt.date(2023, 1, 15), None, None]
    values, schema = converted(["2023-01-15 10:30:00", "2023-01-15T10:30:00+01:00", "soon"], "timestamp")
    assert schema == pl.Datetime("us")
    assert values == [dt.datetime(2023, 1, 15, 10, 30), dt.datetime(2023, 1, 15, 9, 30), None]


def test_timestamp_from_epoch_seconds_and_back_to_string() -> None:
    assert converted([0, 86400], "timestamp")[0] == [dt.datetime(1970, 1, 1), dt.datetime(1970, 1, 2)]
    assert converted([dt.datetime(2023, 1, 15, 10, 30)], "string")[0] == ["2023-01-15 10:30:00"]
    assert converted([dt.date(2023, 1, 15)], "string")[0] == ["2023-01-15"]
    assert converted([True, False], "string")[0] == ["true", "false"]


def test_type_names_are_case_insensitive() -> None:
    assert converted(["5"], "LONG")[1] == pl.Int64


def test_schema_only_validation_reports_new_type() -> None:
    schema = validate_recipe(parse_recipe([change("c", "timestamp")]), {"c": pl.String, "d": pl.Int64})
    assert schema == pl.Schema({"c": pl.Datetime("us"), "d": pl.Int64})


def test_unknown_type_is_rejected() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(CHANGE_DATA_TYPE\): parameter columnDataType must be one of"):
        converted(["1"], "number")


def test_conditions_are_refused() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(CHANGE_DATA_TYPE\): this operation takes no ConditionExpr"):
        output(compile_recipe(parse_recipe([change("c", "int", [{"Condition": "IS", "Value": "[\"1\"]",
                                                                 "TargetColumn": "c"}])]),
                              pl.LazyFrame({"c": ["1"]})))


def test_missing_parameter_and_column() -> None:
    recipe = parse_recipe([{"Action": {"Operation": "CHANGE_DATA_TYPE", "Parameters": {"sourceColumn": "c"}}}])
    with pytest.raises(RecipeError, match=r"step 1 \(CHANGE_DATA_TYPE\): parameter columnDataType is required"):
        compile_recipe(recipe, pl.LazyFrame({"c": ["1"]}))
    with pytest.raises(RecipeError, match=r"step 1 \(CHANGE_DATA_TYPE\): parameter sourceColumn: column 'nope'"):
        compile_recipe(parse_recipe([change("nope", "int")]), pl.LazyFrame({"c": ["1"]}))
