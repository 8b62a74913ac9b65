"""Missing-value recipe steps: FILL_WITH_*, REMOVE_MISSING, FLAG_COLUMN_FROM_NULL.

Examples follow the pages under https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.data-quality.html
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from lakehouse.recipes.compile import compile_recipe, validate_recipe
from lakehouse.recipes.frame import output, rejected
from lakehouse.recipes.model import RecipeError, parse_recipe


def step(operation: str, conditions: list[dict[str, str]] | None = None, **parameters: str) -> dict[str, Any]:
    document: dict[str, Any] = {"Action": {"Operation": operation, "Parameters": parameters}}
    if conditions:
        document["ConditionExpressions"] = conditions
    return document


def run(data: dict[str, Any], *steps: dict[str, Any], schema: dict[str, pl.DataType] | None = None) -> pl.DataFrame:
    return output(compile_recipe(parse_recipe(list(steps)), pl.LazyFrame(data, schema=schema))).collect()


def column(data: dict[str, Any], name: str, *steps: dict[str, Any], **kwargs: Any) -> list[Any]:
    return run(data, *steps, **kwargs)[name].to_list()


def error(data: dict[str, Any], *steps: dict[str, Any]) -> str:
    with pytest.raises(RecipeError) as caught:
        run(data, *steps)
    return str(caught.value)


def drop_below(limit: str, name: str) -> dict[str, Any]:
    return step("REMOVE_VALUES", [{"Condition": "LESS_THAN", "Value": limit, "TargetColumn": name}], sourceColumn=name)


AGES = {"age": ["30", None, "40", "", "20"]}


# FILL_WITH_CUSTOM -----------------------------------------------------------------
def test_fill_with_custom_documented_example() -> None:
    data = {"last_name": ["Lovelace", None, "", "Turing"]}
    filled = column(data, "last_name", step("FILL_WITH_CUSTOM", columnDataType="string", sourceColumn="last_name",
                                            value="No last name provided"))
    assert filled == ["Lovelace", "No last name provided", "No last name provided", "Turing"]


def test_fill_with_custom_in_typed_columns() -> None:
    assert column({"n": [1, None]}, "n", step("FILL_WITH_CUSTOM", sourceColumn="n", columnDataType="number", value="7")) == [1, 7]
    assert column({"x": [1.5, float("nan")]}, "x",
                  step("FILL_WITH_CUSTOM", sourceColumn="x", columnDataType="number", value="0.5")) == [1.5, 0.5]
    assert column({"b": [True, None]}, "b",
                  step("FILL_WITH_CUSTOM", sourceColumn="b", columnDataType="boolean", value="FALSE")) == [True, False]
    assert column({"d": [None]}, "d", step("FILL_WITH_CUSTOM", sourceColumn="d", columnDataType="date", value="2024-03-01"),
                  schema={"d": pl.Date}) == [date(2024, 3, 1)]


def test_fill_with_custom_value_must_match_its_data_type() -> None:
    message = error(AGES, step("FILL_WITH_CUSTOM", sourceColumn="age", columnDataType="number", value="old"))
    assert "step 1 (FILL_WITH_CUSTOM)" in message and "parameter value" in message and "not a number" in message
    message = error({"n": [1]}, step("FILL_WITH_CUSTOM", sourceColumn="n", columnDataType="number", value="2.5"))
    assert "does not fit column 'n'" in message
    message = error(AGES, step("FILL_WITH_CUSTOM", sourceColumn="age", columnDataType="money", value="1"))
    assert "parameter columnDataType" in message and "'money' is not a data type" in message


def test_fill_with_custom_requires_its_documented_parameters() -> None:
    message = error(AGES, step("FILL_WITH_CUSTOM", sourceColumn="age", value="1"))
    assert "step 1 (FILL_WITH_CUSTOM)" in message and "parameter columnDataType is required" in message


def test_fill_with_custom_honours_conditions() -> None:
    data = {"kind": ["a", "b", "a"], "v": [None, None, "x"]}
    filled = column(data, "v", step("FILL_WITH_CUSTOM", [{"Condition": "IS", "Value": '["a"]', "TargetColumn": "kind"}],
                                    sourceColumn="v", columnDataType="string", value="filled"))
    assert filled == ["filled", None, "x"]


# FILL_WITH_EMPTY / FILL_WITH_NULL -------------------------------------------------
def test_fill_with_empty_documented_example() -> None:
    data = {"wind_direction": ["N", None, "SW"]}
    assert column(data, "wind_direction", step("FILL_WITH_EMPTY", sourceColumn="wind_direction")) == ["N", "", "SW"]


def test_fill_with_empty_needs_a_text_column() -> None:
    message = error({"n": [1, None]}, step("FILL_WITH_EMPTY", sourceColumn="n"))
    assert "step 1 (FILL_WITH_EMPTY)" in message and "sourceColumn" in message and "text column" in message


def test_fill_with_null_documented_example_nulls_the_values() -> None:
    assert column({"rating": ["5", "", "3"]}, "rating", step("FILL_WITH_NULL", sourceColumn="rating")) == [None] * 3


def test_fill_with_null_with_a_condition_nulls_only_selected_values() -> None:
    data = {"rating": ["5", "n/a", "3"]}
    nulled = column(data, "rating", step("FILL_WITH_NULL", [{"Condition": "IS", "Value": '["n/a"]', "TargetColumn": "rating"}],
                                         sourceColumn="rating"))
    assert nulled == ["5", None, "3"]


# FILL_WITH_AVERAGE / MEDIAN / SUM -------------------------------------------------
def test_fill_with_average_documented_example_on_number_text() -> None:
    assert column(AGES, "age", step("FILL_WITH_AVERAGE", sourceColumn="age")) == ["30", "30", "40", "30", "20"]
    assert column({"age": ["1", None, "2"]}, "age", step("FILL_WITH_AVERAGE", sourceColumn="age")) == ["1", "1.5", "2"]


def test_fill_with_average_in_numeric_columns() -> None:
    assert column({"x": [1.0, None, 2.0]}, "x", step("FILL_WITH_AVERAGE", sourceColumn="x")) == [1.0, 1.5, 2.0]
    # whole-number columns keep their type: the average is rounded (ties to even)
    assert column({"n": [1, None, 4]}, "n", step("FILL_WITH_AVERAGE", sourceColumn="n")) == [1, 2, 4]


def test_fill_with_average_ignores_text_that_is_not_a_number() -> None:
    assert column({"age": ["10", "unknown", None]}, "age", step("FILL_WITH_AVERAGE", sourceColumn="age")) == ["10", "unknown", "10"]


def test_averages_consider_only_rows_still_alive() -> None:
    data = {"age": ["-999", "10", None, "20"]}
    filled = column(data, "age", drop_below("0", "age"), step("FILL_WITH_AVERAGE", sourceColumn="age"))
    assert filled == ["10", "15", "20"]


@pytest.mark.parametrize("operation", ["FILL_WITH_AVERAGE", "FILL_WITH_MEDIAN", "FILL_WITH_SUM", "FILL_WITH_MODE"])
def test_fills_of_a_column_with_no_values_leave_it_missing(operation: str) -> None:
    assert column({"age": [None, ""]}, "age", step(operation, sourceColumn="age")) == [None, ""]


def test_a_statistic_that_does_not_fit_the_column_type_leaves_cells_alone() -> None:
    data = {"n": [100, 100, None]}
    assert column(data, "n", step("FILL_WITH_SUM", sourceColumn="n"), schema={"n": pl.Int8}) == [100, 100, None]


def test_fill_with_average_needs_numbers() -> None:
    message = error({"d": [date(2024, 1, 1)]}, step("FILL_WITH_AVERAGE", sourceColumn="d"))
    assert "step 1 (FILL_WITH_AVERAGE)" in message and "sourceColumn" in message and "numeric" in message


def test_fill_with_median_documented_example() -> None:
    assert column({"age": ["1", "2", "100", None]}, "age", step("FILL_WITH_MEDIAN", sourceColumn="age"))[-1] == "2"
    assert column({"age": [1.0, 2.0, None, 4.0, 10.0]}, "age", step("FILL_WITH_MEDIAN", sourceColumn="age"))[2] == 3.0


def test_fill_with_sum_documented_example() -> None:
    assert column({"age": ["1", "2", None]}, "age", step("FILL_WITH_SUM", sourceColumn="age")) == ["1", "2", "3"]


def test_fill_with_average_honours_conditions() -> None:
    data = {"kind": ["a", "b", "b"], "v": ["4", None, None]}
    filled = column(data, "v", step("FILL_WITH_AVERAGE", [{"Condition": "IS", "Value": '["b"]', "TargetColumn": "kind"}],
                                    sourceColumn="v"))
    assert filled == ["4", "4", "4"]


# FILL_WITH_MODE / FILL_WITH_MOST_FREQUENT -----------------------------------------
MODES = {"age": [1.0, 2.0, 2.0, 3.0, 3.0, 4.0, None]}


@pytest.mark.parametrize(("mode_type", "expected"), [("MINIMUM", 2.0), ("MAXIMUM", 3.0), ("AVERAGE", 2.5), ("NONE", 2.0)])
def test_fill_with_mode_documented_tie_breaks(mode_type: str, expected: float) -> None:
    filled = column(MODES, "age", step("FILL_WITH_MODE", modeType=mode_type, sourceColumn="age"))
    assert filled == [*MODES["age"][:-1], expected]


def test_fill_with_mode_none_prefers_the_value_seen_first() -> None:
    data = {"age": ["3", "2", "2", "3", None]}
    assert column(data, "age", step("FILL_WITH_MODE", modeType="NONE", sourceColumn="age"))[-1] == "3"


def test_fill_with_mode_average_in_number_text() -> None:
    data = {"age": ["1", "2", "2", "3", "3", "4", ""]}
    assert column(data, "age", step("FILL_WITH_MODE", modeType="AVERAGE", sourceColumn="age"))[-1] == "2.5"


def test_fill_with_mode_rejects_unknown_mode_types() -> None:
    message = error(MODES, step("FILL_WITH_MODE", modeType="MEDIAN", sourceColumn="age"))
    assert "step 1 (FILL_WITH_MODE)" in message and "modeType" in message and "MINIMUM" in message


def test_fill_with_most_frequent_documented_example() -> None:
    data = {"position": ["Forward", "Goalie", "Forward", None, "", "Goalie", "Goalie"]}
    filled = column(data, "position", step("FILL_WITH_MOST_FREQUENT", sourceColumn="position"))
    assert filled == ["Forward", "Goalie", "Forward", "Goalie", "Goalie", "Goalie", "Goalie"]


def test_most_frequent_counts_only_rows_still_alive() -> None:
    data = {"n": ["9", "9", "9", "1", "2", "2", None]}
    cut = step("REMOVE_VALUES", [{"Condition": "IS", "Value": '["9"]', "TargetColumn": "n"}], sourceColumn="n")
    assert column(data, "n", cut, step("FILL_WITH_MOST_FREQUENT", sourceColumn="n"))[-1] == "2"


def test_fill_with_mode_keeps_the_plan_lazy_and_the_schema() -> None:
    recipe = parse_recipe([step("FILL_WITH_MODE", modeType="MAXIMUM", sourceColumn="n")])
    assert dict(validate_recipe(recipe, {"n": pl.Int16(), "s": pl.String()})) == {"n": pl.Int16(), "s": pl.String()}


# FILL_WITH_LAST_VALID -------------------------------------------------------------
def test_fill_with_last_valid_documented_example() -> None:
    data = {"birth_date": [None, "1990-01-01", "", None, "1985-05-05", None]}
    filled = column(data, "birth_date", step("FILL_WITH_LAST_VALID", columnDataType="string", sourceColumn="birth_date"))
    assert filled == [None, "1990-01-01", "1990-01-01", "1990-01-01", "1985-05-05", "1985-05-05"]


def test_fill_with_last_valid_skips_invalid_and_rejected_values() -> None:
    data = {"n": ["5", "oops", None, "-1", None]}
    steps = (drop_below("0", "n"), step("FILL_WITH_LAST_VALID", columnDataType="number", sourceColumn="n"))
    assert column(data, "n", *steps) == ["5", "oops", "5", "5"]


# REMOVE_MISSING -------------------------------------------------------------------
def test_remove_missing_documented_example() -> None:
    data = {"last_name": ["Lovelace", None, "", "Turing"], "Department": ["a", "b", "c", "d"]}
    plan = compile_recipe(parse_recipe([step("REMOVE_MISSING", sourceColumn="last_name")]), pl.LazyFrame(data))
    assert output(plan).collect()["last_name"].to_list() == ["Lovelace", "Turing"]
    bad = rejected(plan).collect()
    assert bad["record"].to_list() == [2, 3]
    assert bad["operation"].to_list() == ["REMOVE_MISSING"] * 2
    assert bad["reason"].to_list() == ["step 1: missing value in last_name"] * 2


def test_remove_missing_reason_names_the_column() -> None:
    data = {"Department": [None, "Parks"]}
    plan = compile_recipe(parse_recipe([step("REMOVE_MISSING", sourceColumn="Department")]), pl.LazyFrame(data))
    assert rejected(plan).collect()["reason"].item() == "step 1: missing value in Department"


def test_remove_missing_does_not_reject_a_row_twice() -> None:
    data = {"a": [None, "x"], "b": [None, "y"]}
    steps = [step("REMOVE_MISSING", sourceColumn="a"), step("REMOVE_MISSING", sourceColumn="b")]
    bad = rejected(compile_recipe(parse_recipe(steps), pl.LazyFrame(data))).collect()
    assert bad["step"].to_list() == [1]


def test_remove_missing_of_an_unknown_column() -> None:
    message = error(AGES, step("REMOVE_MISSING", sourceColumn="Age"))
    assert "step 1 (REMOVE_MISSING)" in message and "sourceColumn" in message and "did you mean 'age'" in message


# FLAG_COLUMN_FROM_NULL ------------------------------------------------------------
def test_flag_column_from_null_documented_example() -> None:
    data = {"weight_kg": ["70", None, ""], "height_cm": ["170", "180", "190"]}
    out = run(data, step("FLAG_COLUMN_FROM_NULL", flagType="Null values", sourceColumn="weight_kg",
                         targetColumn="is_weight_kg_missing"))
    assert out.columns == ["weight_kg", "is_weight_kg_missing", "height_cm"]
    assert out["is_weight_kg_missing"].to_list() == ["False", "True", "True"]


def test_flag_column_from_null_custom_strings() -> None:
    flags = column({"w": [None, 1]}, "f", step("FLAG_COLUMN_FROM_NULL", sourceColumn="w", targetColumn="f",
                                              trueString="missing", falseString="ok"))
    assert flags == ["missing", "ok"]


def test_flag_column_from_null_validates_flag_type_and_target() -> None:
    message = error(AGES, step("FLAG_COLUMN_FROM_NULL", flagType="Pattern", sourceColumn="age", targetColumn="f"))
    assert "step 1 (FLAG_COLUMN_FROM_NULL)" in message and "flagType" in message
    message = error(AGES, step("FLAG_COLUMN_FROM_NULL", sourceColumn="age", targetColumn="age"))
    assert "targetColumn" in message and "already exists" in message


# validation shared by the family ---------------------------------------------------
@pytest.mark.parametrize("operation", ["FILL_WITH_AVERAGE", "FILL_WITH_MEDIAN", "FILL_WITH_SUM", "FILL_WITH_EMPTY",
                                       "FILL_WITH_NULL", "FILL_WITH_MOST_FREQUENT", "FILL_WITH_MODE", "REMOVE_MISSING"])
def test_every_fill_needs_an_existing_source_column(operation: str) -> None:
    assert f"step 1 ({operation}): parameter sourceColumn is required" in error(AGES, step(operation))
    message = error(AGES, step(operation, sourceColumn="nope"))
    assert f"step 1 ({operation})" in message and "'nope' does not exist" in message
    message = error(AGES, step(operation, sourceColumn="age", colour="red"))
    assert f"step 1 ({operation})" in message and "parameter colour is unknown" in message
