"""Basic column recipe steps: RENAME, DELETE, DUPLICATE and the MOVE_* family.

Examples follow the operations' pages under
https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.basic.html
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from lakehouse.recipes.compile import compile_recipe, validate_recipe
from lakehouse.recipes.frame import output, rejected
from lakehouse.recipes.model import RecipeError, parse_recipe

PEOPLE = {
    "first_name": ["Ada", "Alan"],
    "last_name": ["Lovelace", None],
    "date_of_birth": ["1815-12-10", "1912-06-23"],
    "height_cm": ["165", "178"],
    "weight_kg": ["55", "70"],
    "nationality": ["UK", "UK"],
    "rating": ["5", "4"],
    "extra_data": ["x", "y"],
}


def step(operation: str, conditions: list[dict[str, str]] | None = None, **parameters: str) -> dict[str, Any]:
    document: dict[str, Any] = {"Action": {"Operation": operation, "Parameters": parameters}}
    if conditions:
        document["ConditionExpressions"] = conditions
    return document


def run(*steps: dict[str, Any], data: dict[str, Any] = PEOPLE) -> pl.DataFrame:
    return output(compile_recipe(parse_recipe(list(steps)), pl.LazyFrame(data))).collect()


def error(*steps: dict[str, Any], data: dict[str, Any] = PEOPLE) -> str:
    with pytest.raises(RecipeError) as caught:
        run(*steps, data=data)
    return str(caught.value)


NAMES = list(PEOPLE)


# RENAME ---------------------------------------------------------------------------
def test_rename_documented_example_keeps_data_and_position() -> None:
    out = run(step("RENAME", sourceColumn="date_of_birth", targetColumn="birth_date"))
    assert out.columns == [n if n != "date_of_birth" else "birth_date" for n in NAMES]
    assert out["birth_date"].to_list() == PEOPLE["date_of_birth"]


def test_rename_to_an_existing_column_is_refused() -> None:
    message = error(step("RENAME", sourceColumn="rating", targetColumn="height_cm"))
    assert "step 1 (RENAME)" in message and "targetColumn" in message and "already exists" in message


def test_rename_of_a_missing_column_suggests_the_close_one() -> None:
    message = error(step("RENAME", sourceColumn="ratin", targetColumn="score"))
    assert "step 1 (RENAME)" in message and "sourceColumn" in message and "did you mean 'rating'" in message


def test_rename_takes_no_conditions() -> None:
    message = error(step("RENAME", [{"Condition": "IS_MISSING", "TargetColumn": "rating"}],
                         sourceColumn="rating", targetColumn="score"))
    assert "step 1 (RENAME)" in message and "ConditionExpressions" in message


def test_rejected_rows_keep_their_raw_column_names_after_a_rename() -> None:
    recipe = parse_recipe([
        step("RENAME", sourceColumn="last_name", targetColumn="surname"),
        step("REMOVE_MISSING", sourceColumn="surname"),
    ])
    bad = rejected(compile_recipe(recipe, pl.LazyFrame(PEOPLE))).collect()
    assert bad["reason"].to_list() == ["step 2: missing value in surname"]
    assert bad["last_name"].to_list() == [None] and bad["first_name"].to_list() == ["Alan"]


# DELETE ---------------------------------------------------------------------------
def test_delete_documented_example() -> None:
    assert run(step("DELETE", sourceColumn="extra_data")).columns == NAMES[:-1]


def test_delete_several_columns_as_the_console_writes_it() -> None:
    out = run(step("DELETE", sourceColumns='["extra_data", "rating"]'))
    assert out.columns == [n for n in NAMES if n not in ("extra_data", "rating")]


def test_delete_needs_exactly_one_way_to_name_columns() -> None:
    assert "give exactly one of sourceColumn, sourceColumns" in error(step("DELETE"))
    assert "step 1 (DELETE)" in error(step("DELETE", sourceColumn="rating", sourceColumns='["x"]'))


def test_delete_of_a_missing_column() -> None:
    message = error(step("DELETE", sourceColumns='["rating", "nope"]'))
    assert "step 1 (DELETE)" in message and "sourceColumns" in message and "'nope' does not exist" in message


def test_delete_of_every_column_is_refused() -> None:
    message = error(step("DELETE", sourceColumns='["a", "b"]'), data={"a": [1], "b": [2]})
    assert "step 1 (DELETE)" in message and "every column" in message


# DUPLICATE ------------------------------------------------------------------------
def test_duplicate_documented_example_places_the_copy_after_its_source() -> None:
    out = run(step("DUPLICATE", sourceColumn="last_name", targetColumn="copy_of_last_name"))
    assert out.columns[:4] == ["first_name", "last_name", "copy_of_last_name", "date_of_birth"]
    assert out["copy_of_last_name"].to_list() == ["Lovelace", None]


def test_duplicate_with_a_condition_copies_only_selected_rows() -> None:
    out = run(step("DUPLICATE", [{"Condition": "IS", "Value": '["Ada"]', "TargetColumn": "first_name"}],
                   sourceColumn="rating", targetColumn="ada_rating"))
    assert out["ada_rating"].to_list() == ["5", None]


def test_duplicate_keeps_the_type() -> None:
    schema = validate_recipe(parse_recipe([step("DUPLICATE", sourceColumn="n", targetColumn="m")]), {"n": pl.Int32()})
    assert dict(schema) == {"n": pl.Int32(), "m": pl.Int32()}


def test_duplicate_onto_an_existing_name_is_refused() -> None:
    message = error(step("DUPLICATE", sourceColumn="rating", targetColumn="rating"))
    assert "step 1 (DUPLICATE)" in message and "targetColumn" in message


# MOVE_* ---------------------------------------------------------------------------
def test_move_after_documented_example() -> None:
    out = run(step("MOVE_AFTER", sourceColumn="rating", targetColumn="height_cm"))
    assert out.columns == ["first_name", "last_name", "date_of_birth", "height_cm", "rating",
                           "weight_kg", "nationality", "extra_data"]
    assert out["rating"].to_list() == ["5", "4"]


def test_move_before_documented_example() -> None:
    out = run(step("MOVE_BEFORE", sourceColumn="height_cm", targetColumn="weight_kg"))
    assert out.columns == NAMES  # already right before it
    out = run(step("MOVE_BEFORE", sourceColumn="rating", targetColumn="first_name"))
    assert out.columns == ["rating", *[n for n in NAMES if n != "rating"]]


def test_moving_a_column_next_to_itself_changes_nothing() -> None:
    assert run(step("MOVE_AFTER", sourceColumn="rating", targetColumn="rating")).columns == NAMES
    assert run(step("MOVE_BEFORE", sourceColumn="rating", targetColumn="rating")).columns == NAMES


def test_move_to_end_and_start_documented_examples() -> None:
    assert run(step("MOVE_TO_END", sourceColumn="height_cm")).columns == [n for n in NAMES if n != "height_cm"] + ["height_cm"]
    assert run(step("MOVE_TO_START", sourceColumn="first_name")).columns == NAMES
    assert run(step("MOVE_TO_START", sourceColumn="rating")).columns[0] == "rating"


def test_move_to_index_documented_example_counts_from_zero() -> None:
    out = run(step("MOVE_TO_INDEX", sourceColumn="nationality", targetIndex="5"))
    assert out.columns.index("nationality") == 5
    out = run(step("MOVE_TO_INDEX", sourceColumn="nationality", targetIndex="0"))
    assert out.columns[0] == "nationality"
    out = run(step("MOVE_TO_INDEX", sourceColumn="first_name", targetIndex=str(len(NAMES) - 1)))
    assert out.columns[-1] == "first_name"


@pytest.mark.parametrize(("index", "fragment"), [("8", "from 0 to 7"), ("-1", "from 0 to 7"), ("two", "whole number")])
def test_move_to_index_rejects_bad_positions(index: str, fragment: str) -> None:
    message = error(step("MOVE_TO_INDEX", sourceColumn="rating", targetIndex=index))
    assert "step 1 (MOVE_TO_INDEX)" in message and "targetIndex" in message and fragment in message


def test_move_after_a_missing_target() -> None:
    message = error(step("MOVE_AFTER", sourceColumn="rating", targetColumn="height"))
    assert "step 1 (MOVE_AFTER)" in message and "targetColumn" in message and "'height' does not exist" in message


def test_moves_leave_the_rows_alone() -> None:
    out = run(step("MOVE_TO_END", sourceColumn="first_name"), step("MOVE_TO_START", sourceColumn="rating"))
    assert out.rows()[0][0] == "5" and out["first_name"].to_list() == ["Ada", "Alan"]


# validation -----------------------------------------------------------------------
def test_unknown_and_missing_parameters_name_the_step_and_field() -> None:
    message = error(step("MOVE_TO_END", sourceColumn="rating", targetColumn="x"))
    assert "step 1 (MOVE_TO_END)" in message and "parameter targetColumn is unknown" in message
    message = error(step("RENAME", sourceColumn="rating"))
    assert "step 1 (RENAME)" in message and "parameter targetColumn is required" in message
    message = error(step("MOVE_TO_START", sourceColum="rating"))
    assert "did you mean sourceColumn?" in message


def test_later_steps_see_earlier_structure_changes() -> None:
    message = error(step("DELETE", sourceColumn="rating"), step("MOVE_TO_START", sourceColumn="rating"))
    assert "step 2 (MOVE_TO_START)" in message and "'rating' does not exist" in message
