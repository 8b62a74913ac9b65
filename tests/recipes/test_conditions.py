"""The 15 DataBrew conditions (recipes.html#recipes.structure), observed through REMOVE_VALUES:
the rows a step's conditions select are the rows it rejects."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from lakehouse.recipes.compile import compile_recipe
from lakehouse.recipes.conditions import CONDITIONS, describe
from lakehouse.recipes.frame import output, rejected
from lakehouse.recipes.model import Condition, RecipeError, parse_recipe


def cond(condition: str, column: str, value: str | None = None) -> dict[str, str]:
    document = {"Condition": condition, "TargetColumn": column}
    if value is not None:
        document["Value"] = value
    return document


def matched(data: dict[str, Any], *conditions: dict[str, str], schema: dict[str, pl.DataType] | None = None) -> list[int]:
    """1-based record numbers of the rows the conditions select."""
    column = conditions[0]["TargetColumn"]
    recipe = parse_recipe([{
        "Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": column}},
        "ConditionExpressions": list(conditions),
    }])
    plan = compile_recipe(recipe, pl.LazyFrame(data, schema=schema))
    return sorted(rejected(plan).collect()["record"].to_list())


def error(data: dict[str, Any], *conditions: dict[str, str]) -> str:
    with pytest.raises(RecipeError) as caught:
        matched(data, *conditions)
    return str(caught.value)


TEXT = {"channel": ["Phone", "Chat", None, "", "Phone call", "phone"]}


def test_all_fifteen_documented_conditions_exist() -> None:
    assert set(CONDITIONS) == {
        "IS", "IS_NOT", "IS_BETWEEN", "CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "NOT_STARTS_WITH",
        "ENDS_WITH", "NOT_ENDS_WITH", "LESS_THAN", "LESS_THAN_EQUAL", "GREATER_THAN", "GREATER_THAN_EQUAL",
        "IS_INVALID", "IS_MISSING",
    }


# IS / IS_NOT ----------------------------------------------------------------------
def test_is_takes_a_json_array_of_values() -> None:
    assert matched(TEXT, cond("IS", "channel", '["Phone","Chat"]')) == [1, 2]


def test_is_and_is_not_agree_for_few_and_many_values() -> None:
    # Up to 8 values are compared one by one, more go through is_in: same rows either way,
    # and a missing value is neither IS nor IS_NOT a list of text values.
    few = '["Phone","Chat"]'
    many = '["Phone","Chat","a","b","c","d","e","f","g"]'
    assert matched(TEXT, cond("IS", "channel", few)) == matched(TEXT, cond("IS", "channel", many)) == [1, 2]
    assert matched(TEXT, cond("IS_NOT", "channel", few)) == matched(TEXT, cond("IS_NOT", "channel", many))


def test_is_takes_a_bare_single_value_as_written() -> None:
    assert matched(TEXT, cond("IS", "channel", "Phone")) == [1]
    assert matched({"n": ["1.50", "1.5"]}, cond("IS", "n", "1.50")) == [1]


def test_is_is_case_sensitive_and_exact() -> None:
    assert matched(TEXT, cond("IS", "channel", '["phone"]')) == [6]


def test_is_never_matches_null_but_can_name_the_empty_string() -> None:
    assert matched(TEXT, cond("IS", "channel", '[""]')) == [4]


def test_is_compares_numbers_as_numbers_in_numeric_columns() -> None:
    data = {"n": [1.0, 2.5, None, 3.0]}
    assert matched(data, cond("IS", "n", '["1", "3"]')) == [1, 4]
    assert matched({"n": [1, 2, 3]}, cond("IS", "n", "[2, 3]")) == [2, 3]


def test_is_on_a_boolean_column() -> None:
    assert matched({"b": [True, False, None]}, cond("IS", "b", '["TRUE"]')) == [1]


def test_is_not_selects_everything_else_including_missing_values() -> None:
    assert matched(TEXT, cond("IS_NOT", "channel", '["Phone","Chat"]')) == [3, 4, 5, 6]


def test_is_not_can_exclude_the_empty_string() -> None:
    assert matched(TEXT, cond("IS_NOT", "channel", '[""]')) == [1, 2, 3, 5, 6]


# IS_BETWEEN -----------------------------------------------------------------------
NUMBERS = {"n": ["1", "5", "10", "11", None, "", "abc", " 7 "]}


def test_is_between_is_inclusive_and_reads_text_as_numbers() -> None:
    assert matched(NUMBERS, cond("IS_BETWEEN", "n", '{"greaterThanEqual": "5", "lessThanEqual": "10"}')) == [2, 3, 8]


def test_is_between_accepts_numbers_and_a_two_item_array() -> None:
    assert matched(NUMBERS, cond("IS_BETWEEN", "n", '{"greaterThanEqual": 5, "lessThanEqual": 10}')) == [2, 3, 8]
    assert matched(NUMBERS, cond("IS_BETWEEN", "n", "[5, 10]")) == [2, 3, 8]


def test_is_between_with_one_bound_is_open_on_the_other_side() -> None:
    assert matched(NUMBERS, cond("IS_BETWEEN", "n", '{"greaterThanEqual": "10"}')) == [3, 4]


def test_is_between_on_numeric_and_date_columns() -> None:
    assert matched({"n": [1.0, float("nan"), 4.0, None]}, cond("IS_BETWEEN", "n", "[0, 100]")) == [1, 3]
    days = {"d": [date(2024, 1, 1), date(2024, 2, 15), date(2024, 4, 1)]}
    assert matched(days, cond("IS_BETWEEN", "d", '{"greaterThanEqual": "2024-02-01", "lessThanEqual": "2024-03-01"}')) == [2]


@pytest.mark.parametrize(("value", "fragment"), [
    ("5..10", "is not JSON"),
    ('{"from": 1}', "greaterThanEqual"),
    ("[10, 5]", "lower bound is above"),
])
def test_is_between_rejects_malformed_values(value: str, fragment: str) -> None:
    message = error(NUMBERS, cond("IS_BETWEEN", "n", value))
    assert "step 1 (REMOVE_VALUES)" in message and "IS_BETWEEN" in message and fragment in message


def test_is_between_with_text_bounds_compares_text() -> None:
    assert matched(NUMBERS, cond("IS_BETWEEN", "n", '{"greaterThanEqual": "a"}')) == [7]


# text conditions ------------------------------------------------------------------
def test_contains_starts_with_ends_with() -> None:
    assert matched(TEXT, cond("CONTAINS", "channel", "hone")) == [1, 5, 6]
    assert matched(TEXT, cond("STARTS_WITH", "channel", "Phone")) == [1, 5]
    assert matched(TEXT, cond("ENDS_WITH", "channel", "call")) == [5]


def test_text_values_are_literal_not_json_or_regex() -> None:
    data = {"title": ["[TEST] one", "two", "a.b", "axb"]}
    assert matched(data, cond("STARTS_WITH", "title", "[TEST]")) == [1]
    assert matched(data, cond("CONTAINS", "title", ".")) == [3]


def test_negated_text_conditions_select_missing_values() -> None:
    assert matched(TEXT, cond("NOT_CONTAINS", "channel", "hone")) == [2, 3, 4]
    assert matched(TEXT, cond("NOT_STARTS_WITH", "channel", "Ph")) == [2, 3, 4, 6]
    assert matched(TEXT, cond("NOT_ENDS_WITH", "channel", "e")) == [2, 3, 4, 5]


def test_text_conditions_on_a_number_column_use_its_text() -> None:
    assert matched({"n": [101, 201, 310]}, cond("STARTS_WITH", "n", "1")) == [1]


# comparisons ----------------------------------------------------------------------
def test_comparisons_on_text_numbers() -> None:
    assert matched(NUMBERS, cond("LESS_THAN", "n", "5")) == [1]
    assert matched(NUMBERS, cond("LESS_THAN_EQUAL", "n", "5")) == [1, 2]
    assert matched(NUMBERS, cond("GREATER_THAN", "n", "10")) == [4]
    assert matched(NUMBERS, cond("GREATER_THAN_EQUAL", "n", "7")) == [3, 4, 8]


def test_the_documented_example_less_than_one() -> None:
    data = {"Number of Records": [0, 1, 2, None]}
    assert matched(data, cond("LESS_THAN", "Number of Records", "1")) == [1]


def test_nan_is_missing_and_never_compares() -> None:
    assert matched({"x": [float("nan"), 5.0]}, cond("GREATER_THAN", "x", "1")) == [2]


def test_comparisons_on_dates_and_iso_date_text() -> None:
    days = {"d": [date(2024, 1, 1), date(2024, 6, 1)]}
    assert matched(days, cond("LESS_THAN", "d", "2024-03-01")) == [1]
    text_days = {"d": ["2024-01-01", "2024-06-01", None]}
    assert matched(text_days, cond("GREATER_THAN_EQUAL", "d", "2024-06-01")) == [2]


def test_comparisons_reject_values_of_the_wrong_kind() -> None:
    assert "is not a number" in error({"n": [1, 2]}, cond("LESS_THAN", "n", "many"))
    assert "is not an ISO date" in error({"d": [date(2024, 1, 1)]}, cond("LESS_THAN", "d", "soon"))
    assert "true/false" in error({"b": [True]}, cond("GREATER_THAN", "b", "1"))


# IS_INVALID / IS_MISSING ----------------------------------------------------------
MIXED = {"v": ["12", "1.5", "twelve", None, "", "2024-02-30", "2024-02-28", "TRUE"]}


def test_is_invalid_against_a_named_data_type() -> None:
    assert matched(MIXED, cond("IS_INVALID", "v", "number")) == [3, 6, 7, 8]
    assert matched(MIXED, cond("IS_INVALID", "v", "date")) == [1, 2, 3, 6, 8]
    assert matched(MIXED, cond("IS_INVALID", "v", "boolean")) == [1, 2, 3, 6, 7]
    assert matched(MIXED, cond("IS_INVALID", "v", "int")) == [3, 6, 7, 8]


def test_is_invalid_reads_common_timestamp_forms() -> None:
    data = {"t": ["2024-01-02T03:04:05", "01/02/2024 03:04:05 PM", "2024-01-02", "yesterday"]}
    assert matched(data, cond("IS_INVALID", "t", "timestamp")) == [4]


def test_is_invalid_without_a_type_uses_the_columns_own() -> None:
    assert matched(MIXED, cond("IS_INVALID", "v")) == []  # any text is valid text
    assert matched({"n": [1, None]}, cond("IS_INVALID", "n")) == []
    assert matched(MIXED, cond("IS_INVALID", "v", "string")) == []


def test_is_invalid_rejects_unknown_types() -> None:
    message = error(MIXED, cond("IS_INVALID", "v", "currency"))
    assert "step 1 (REMOVE_VALUES)" in message and "'currency' is not a data type" in message


def test_is_missing_selects_null_empty_and_nan() -> None:
    assert matched(TEXT, cond("IS_MISSING", "channel")) == [3, 4]
    assert matched({"x": [1.0, None, float("nan")]}, cond("IS_MISSING", "x")) == [2, 3]
    assert matched({"s": ["  ", "a"]}, cond("IS_MISSING", "s")) == []  # blanks are a value


# combination and validation -------------------------------------------------------
def test_conditions_of_a_step_are_anded() -> None:
    data = {"channel": ["Phone", "Phone", "Chat"], "n": ["1", "9", "1"]}
    assert matched(data, cond("IS", "channel", '["Phone"]'), cond("LESS_THAN", "n", "5")) == [1]


def test_unknown_condition_names_the_step_and_lists_the_known_ones() -> None:
    message = error(TEXT, cond("EQUALS", "channel", "x"))
    assert "step 1 (REMOVE_VALUES)" in message and "EQUALS" in message and "IS_BETWEEN" in message


def test_condition_on_a_missing_column() -> None:
    message = error(TEXT, cond("IS", "chanel", "x"))
    assert "step 1 (REMOVE_VALUES)" in message and "'chanel'" in message and "does not exist" in message


@pytest.mark.parametrize("condition", ["IS", "IS_NOT", "IS_BETWEEN", "CONTAINS", "LESS_THAN", "ENDS_WITH"])
def test_conditions_that_compare_need_a_value(condition: str) -> None:
    message = error(TEXT, cond(condition, "channel"))
    assert "step 1 (REMOVE_VALUES)" in message and condition in message and "needs a Value" in message


def test_conditions_apply_to_transformations_too() -> None:
    recipe = parse_recipe([{
        "Action": {"Operation": "DUPLICATE", "Parameters": {"sourceColumn": "channel", "targetColumn": "copy"}},
        "ConditionExpressions": [cond("STARTS_WITH", "channel", "Ph")],
    }])
    out = output(compile_recipe(recipe, pl.LazyFrame(TEXT))).collect()
    assert out["copy"].to_list() == ["Phone", None, None, None, "Phone call", None]


def test_describe_reads_like_a_reason() -> None:
    assert describe(Condition("LESS_THAN", "Number of Records", "1")) == "Number of Records matched LESS_THAN 1"
    assert describe(Condition("IS_MISSING", "Department")) == "Department matched IS_MISSING"
