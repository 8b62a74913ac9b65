"""Mathematical functions: ROUND, ABSOLUTE, FLOOR, CEILING, ADD, SUBTRACT, MULTIPLY, DIVIDE."""

from __future__ import annotations

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


def test_round_documented_example_rounds_halves_up() -> None:
    data = {"rating": [1.5, 2.4, -2.5, 2.5, None], "z": [0] * 5}
    result = run(data, step("ROUND", sourceColumn="rating", targetColumn="rating_ROUND"))
    assert result.columns == ["rating", "rating_ROUND", "z"]
    assert result.schema["rating_ROUND"] == pl.Int64
    assert result["rating_ROUND"].to_list() == [2, 2, -3, 3, None]


def test_round_reads_text_as_numbers() -> None:
    result = run({"r": [" 2.6 ", "n/a", None]}, step("ROUND", sourceColumn="r", targetColumn="o"))
    assert result["o"].to_list() == [3, None, None]


def test_absolute_documented_example() -> None:
    result = run({"freezingTemps": [-3.5, 2.0, None]},
                 step("ABSOLUTE", sourceColumn="freezingTemps", targetColumn="absValueOfFreezingTemps"))
    assert result["absValueOfFreezingTemps"].to_list() == [3.5, 2.0, None]


def test_ceiling_and_floor_documented_examples() -> None:
    result = run({"weight_kg": [1.2, -1.2, 3.0]},
                 step("CEILING", sourceColumn="weight_kg", targetColumn="weight_kg_CEILING"),
                 step("FLOOR", targetColumn="FLOOR Column 1", value="42"),
                 step("FLOOR", sourceColumn1="weight_kg", targetColumn="down"),
                 step("CEILING", value1="4.1", targetColumn="up"))
    assert result["weight_kg_CEILING"].to_list() == [2, -1, 3]
    assert result["FLOOR Column 1"].to_list() == [42, 42, 42]
    assert result["down"].to_list() == [1, -2, 3]
    assert result["up"].to_list() == [5, 5, 5]


def test_arithmetic_documented_examples() -> None:
    data = {"weight_kg": [70, 80], "height_cm": [170, 181], "hourly_rate": [20.0, 30.0], "hours": [2, None]}
    result = run(data,
                 step("ADD", sourceColumn1="weight_kg", sourceColumn2="height_cm", targetColumn="weight_plus_height"),
                 step("SUBTRACT", sourceColumn1="weight_kg", targetColumn="weight_minus_10_kg", value2="10"),
                 step("MULTIPLY", sourceColumn1="hourly_rate", sourceColumn2="hours", targetColumn="total_pay"),
                 step("DIVIDE", sourceColumn1="height_cm", targetColumn="divide_by_2", value2="2"),
                 step("ADD", sourceColumn1="weight_kg", value1="0.5", targetColumn="plus_half"))
    assert result["weight_plus_height"].to_list() == [240, 261]
    assert result["weight_minus_10_kg"].to_list() == [60, 70]
    assert result["total_pay"].to_list() == [40.0, None]
    assert result["divide_by_2"].to_list() == [85.0, 90.5]
    assert result["plus_half"].to_list() == [70.5, 80.5]


def test_subtract_order_and_division_by_zero() -> None:
    result = run({"a": [10, 5], "b": [4, 0]},
                 step("SUBTRACT", value1="100", sourceColumn2="a", targetColumn="d"),
                 step("DIVIDE", sourceColumn1="a", sourceColumn2="b", targetColumn="q"))
    assert result["d"].to_list() == [90, 95]
    assert result["q"].to_list() == [2.5, None]


def test_arithmetic_with_condition() -> None:
    data = {"a": [1, 2], "k": ["x", "y"]}
    result = run(data, step("MULTIPLY", [{"Condition": "IS", "Value": "[\"y\"]", "TargetColumn": "k"}],
                            sourceColumn1="a", value2="10", targetColumn="m"))
    assert result["m"].to_list() == [None, 20]


def test_arithmetic_needs_exactly_two_operands() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(ADD\): parameter .* must give exactly two operands"):
        run({"a": [1]}, step("ADD", sourceColumn1="a", targetColumn="t"))


def test_non_numeric_literal_is_rejected() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(DIVIDE\): parameter value2 must be a number"):
        run({"a": [1]}, step("DIVIDE", sourceColumn1="a", value2="two", targetColumn="t"))


def test_unknown_parameter_and_missing_column() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(ROUND\): parameter decimals is unknown"):
        run({"a": [1.0]}, step("ROUND", sourceColumn="a", targetColumn="t", decimals="2"))
    with pytest.raises(RecipeError, match=r"step 1 \(ABSOLUTE\): parameter sourceColumn: column 'b' does not"):
        run({"a": [1.0]}, step("ABSOLUTE", sourceColumn="b", targetColumn="t"))
    with pytest.raises(RecipeError, match=r"step 1 \(ROUND\): parameter targetColumn is required"):
        run({"a": [1.0]}, step("ROUND", sourceColumn="a"))
