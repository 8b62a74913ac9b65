"""Row filters and duplicate flags: REMOVE_VALUES, DELETE_DUPLICATE_ROWS, REMOVE_DUPLICATES,
REMOVE_INVALID, FLAG_DUPLICATE_ROWS, FLAG_DUPLICATES_IN_COLUMN."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lakehouse.recipes.compile import compile_recipe
from lakehouse.recipes.frame import output, rejected
from lakehouse.recipes.model import RecipeError, parse_recipe


def step(operation: str, conditions: list[dict[str, str]] | None = None, **parameters: str) -> dict[str, Any]:
    document: dict[str, Any] = {"Action": {"Operation": operation, "Parameters": parameters}}
    if conditions:
        document["ConditionExpressions"] = conditions
    return document


def cond(condition: str, column: str, value: str | None = None) -> dict[str, str]:
    document = {"Condition": condition, "TargetColumn": column}
    if value is not None:
        document["Value"] = value
    return document


def run(data: dict[str, Any], *steps: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    plan = compile_recipe(parse_recipe(list(steps)), pl.LazyFrame(data))
    return output(plan).collect(), rejected(plan).collect()


def error(data: dict[str, Any], *steps: dict[str, Any]) -> str:
    with pytest.raises(RecipeError) as caught:
        run(data, *steps)
    return str(caught.value)


RECORDS = {"Number of Records": ["0", "1", "3", None, "-2"], "Department": ["Parks", "Roads", None, "Parks", "Fire"]}


# REMOVE_VALUES --------------------------------------------------------------------
def test_remove_values_documented_example() -> None:
    kept, bad = run(RECORDS, step("REMOVE_VALUES", [cond("LESS_THAN", "Number of Records", "1")],
                                  sourceColumn="Number of Records"))
    assert kept["Number of Records"].to_list() == ["1", "3", None]
    assert bad["record"].to_list() == [1, 5]
    assert bad["operation"].to_list() == ["REMOVE_VALUES"] * 2
    assert bad["reason"].to_list() == ["step 1: Number of Records matched LESS_THAN 1"] * 2
    assert bad["Department"].to_list() == ["Parks", "Fire"]  # the raw row comes along


def test_remove_values_reason_names_every_condition_and_value() -> None:
    _, bad = run(RECORDS, step("REMOVE_VALUES", [cond("IS", "Department", '["Parks"]'), cond("IS_MISSING", "Number of Records")],
                               sourceColumn="Department"))
    assert bad["record"].to_list() == [4]
    assert bad["reason"].item() == 'step 1: Department matched IS ["Parks"] and Number of Records matched IS_MISSING'


def test_remove_values_with_a_console_style_filter() -> None:
    data = {"title": ["[TEST] ignore", "Pothole", "[TEST] again"]}
    kept, _ = run(data, step("REMOVE_VALUES", [cond("STARTS_WITH", "title", "[TEST]")], sourceColumn="title"))
    assert kept["title"].to_list() == ["Pothole"]


def test_remove_values_without_conditions_is_refused() -> None:
    message = error(RECORDS, step("REMOVE_VALUES", sourceColumn="Department"))
    assert "step 1 (REMOVE_VALUES)" in message and "sourceColumn" in message and "ConditionExpressions" in message


def test_remove_values_validates_its_column() -> None:
    message = error(RECORDS, step("REMOVE_VALUES", [cond("IS_MISSING", "Department")], sourceColumn="Dept"))
    assert "step 1 (REMOVE_VALUES)" in message and "sourceColumn" in message and "'Dept' does not exist" in message
    assert "parameter sourceColumn is required" in error(RECORDS, step("REMOVE_VALUES", [cond("IS_MISSING", "Department")]))


def test_later_filters_only_see_rows_still_alive() -> None:
    _, bad = run(RECORDS,
                 step("REMOVE_VALUES", [cond("LESS_THAN", "Number of Records", "1")], sourceColumn="Number of Records"),
                 step("REMOVE_VALUES", [cond("IS", "Department", '["Parks"]')], sourceColumn="Department"))
    assert dict(zip(bad["record"], bad["step"])) == {1: 1, 5: 1, 4: 2}


# DELETE_DUPLICATE_ROWS ------------------------------------------------------------
ROWS = {"a": ["x", "y", "x", "x", None, None], "b": ["1", "1", "1", "2", None, None]}


def test_delete_duplicate_rows_documented_example_keeps_the_first() -> None:
    kept, bad = run(ROWS, step("DELETE_DUPLICATE_ROWS"))
    assert kept.rows() == [("x", "1"), ("y", "1"), ("x", "2"), (None, None)]
    assert bad["record"].to_list() == [3, 6]
    assert bad["reason"].to_list() == ["step 1: duplicate of an earlier row"] * 2


def test_delete_duplicate_rows_ignores_rows_already_rejected() -> None:
    # Row 1 is rejected first, so row 3 (its twin once id is gone) is the first of its kind.
    data = {"id": ["1", "2", "3", "4"], "a": ["x", "y", "x", "x"]}
    kept, bad = run(data, step("REMOVE_VALUES", [cond("IS", "id", '["1"]')], sourceColumn="id"),
                    step("DELETE", sourceColumn="id"), step("DELETE_DUPLICATE_ROWS"))
    assert dict(zip(bad["record"], bad["step"])) == {1: 1, 4: 3}
    assert kept["a"].to_list() == ["y", "x"]


def test_delete_duplicate_rows_compares_after_earlier_transformations() -> None:
    kept, bad = run(ROWS, step("DELETE", sourceColumn="b"), step("DELETE_DUPLICATE_ROWS"))
    assert kept["a"].to_list() == ["x", "y", None]
    assert bad["record"].to_list() == [3, 4, 6]


def test_delete_duplicate_rows_tells_apart_rows_with_the_same_values_in_other_columns() -> None:
    # The row hash mixes columns in order: swapped values, or a null moved to another
    # column, make a different row, never a duplicate.
    data = {"a": ["x", "y", "x", None, "x", "x"], "b": ["y", "x", None, "x", "y", None]}
    kept, dropped = run(data, step("DELETE_DUPLICATE_ROWS"))
    assert kept.rows() == [("x", "y"), ("y", "x"), ("x", None), (None, "x")]
    assert dropped["record"].to_list() == [5, 6]


def test_delete_duplicate_rows_stores_the_plan_so_far_when_given_scratch_space(tmp_path: Path) -> None:
    # The stored plan is read back by the main pass: same rows kept and rejected as without it.
    data = {"a": [" x", "x", "y", None, "x ", "y"], "b": ["1", "1", "2", "3", "1", "9"]}
    steps = parse_recipe([
        step("REMOVE_COMBINED", sourceColumn="a", removeLeadingAndTrailingWhitespace="true"),
        step("REMOVE_MISSING", sourceColumn="a"),
        step("DELETE_DUPLICATE_ROWS"),
        step("REMOVE_VALUES", [cond("IS", "b", '["9"]')], sourceColumn="b"),
    ])
    stored = compile_recipe(steps, pl.LazyFrame(data), scratch=tmp_path)
    plain = compile_recipe(steps, pl.LazyFrame(data))
    assert [p.name for p in tmp_path.iterdir()] == ["before-step-3.parquet"]
    assert output(stored).collect().equals(output(plain).collect())
    assert rejected(stored).collect().equals(rejected(plain).collect())
    assert rejected(stored).collect()["record"].to_list() == [2, 4, 5, 6]


def test_delete_duplicate_rows_with_a_condition_only_deletes_selected_duplicates() -> None:
    kept, bad = run(ROWS, step("DELETE_DUPLICATE_ROWS", [cond("IS_MISSING", "a")]))
    assert bad["record"].to_list() == [6]


def test_delete_duplicate_rows_takes_no_parameters() -> None:
    message = error(ROWS, step("DELETE_DUPLICATE_ROWS", sourceColumn="a"))
    assert "step 1 (DELETE_DUPLICATE_ROWS)" in message and "parameter sourceColumn is unknown" in message


# REMOVE_DUPLICATES ----------------------------------------------------------------
def test_remove_duplicates_documented_example() -> None:
    data = {"nationality": ["UK", "FR", "UK", None, None, "", "fr"], "name": list("abcdefg")}
    kept, bad = run(data, step("REMOVE_DUPLICATES", sourceColumn="nationality"))
    assert kept["name"].to_list() == ["a", "b", "d", "e", "f", "g"]  # missing values are not duplicates
    assert bad["record"].to_list() == [3]
    assert bad["reason"].item() == "step 1: duplicate value in nationality (an earlier row has it)"


def test_remove_duplicates_on_a_number_column() -> None:
    kept, _ = run({"n": [1, 2, 1, 2, 3]}, step("REMOVE_DUPLICATES", sourceColumn="n"))
    assert kept["n"].to_list() == [1, 2, 3]


# REMOVE_INVALID -------------------------------------------------------------------
def test_remove_invalid_documented_example_text_is_never_invalid() -> None:
    data = {"help_url": ["https://x", "not a url", None]}
    kept, bad = run(data, step("REMOVE_INVALID", columnDataType="string", sourceColumn="help_url"))
    assert kept.height == 3 and bad.height == 0


def test_remove_invalid_numbers_and_dates() -> None:
    data = {"n": ["1", "one", None, "2.5"], "d": ["2024-01-31", "2024-02-31", "", "02/01/2024"]}
    kept, bad = run(data, step("REMOVE_INVALID", columnDataType="number", sourceColumn="n"))
    assert bad["record"].to_list() == [2] and bad["reason"].item() == "step 1: invalid number in n"
    kept, bad = run(data, step("REMOVE_INVALID", columnDataType="date", sourceColumn="d"))
    assert bad["record"].to_list() == [2]


def test_remove_invalid_validates_its_parameters() -> None:
    data = {"n": ["1"]}
    message = error(data, step("REMOVE_INVALID", columnDataType="money", sourceColumn="n"))
    assert "step 1 (REMOVE_INVALID)" in message and "columnDataType" in message
    message = error(data, step("REMOVE_INVALID", columnDataType="string", sourceColumn="n", advancedDataType="Email"))
    assert "step 1 (REMOVE_INVALID)" in message and "advancedDataType" in message
    assert "parameter columnDataType is required" in error(data, step("REMOVE_INVALID", sourceColumn="n"))


# FLAG_DUPLICATE_ROWS / FLAG_DUPLICATES_IN_COLUMN ----------------------------------
def test_flag_duplicate_rows_documented_example() -> None:
    kept, bad = run(ROWS, step("FLAG_DUPLICATE_ROWS", trueString="TRUE", falseString="FALSE", targetColumn="Flag"))
    assert bad.height == 0 and kept.columns == ["a", "b", "Flag"]
    assert kept["Flag"].to_list() == ["FALSE", "FALSE", "TRUE", "FALSE", "FALSE", "TRUE"]


def test_flag_duplicates_in_column_documented_example() -> None:
    data = {"Name": ["Ann", "Bob", "Ann", None, None], "Age": ["1", "2", "3", "4", "5"]}
    kept, _ = run(data, step("FLAG_DUPLICATES_IN_COLUMN", sourceColumn="Name", targetColumn="Duplicate",
                             trueString="TRUE", falseString="FALSE"))
    assert kept.columns == ["Name", "Duplicate", "Age"]
    assert kept["Duplicate"].to_list() == ["FALSE", "FALSE", "TRUE", "FALSE", "FALSE"]


def test_flags_need_their_strings_and_a_new_column() -> None:
    message = error(ROWS, step("FLAG_DUPLICATE_ROWS", trueString="T", targetColumn="Flag"))
    assert "step 1 (FLAG_DUPLICATE_ROWS)" in message and "parameter falseString is required" in message
    message = error(ROWS, step("FLAG_DUPLICATE_ROWS", trueString="T", falseString="F", targetColumn="a"))
    assert "targetColumn" in message and "already exists" in message
