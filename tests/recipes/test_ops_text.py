"""Text steps: split, merge, extract, prefix/suffix/quotes, CATEGORICAL_MAPPING."""

from __future__ import annotations

import json
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


def plan(data: dict[str, list[Any]], *steps: dict[str, Any]) -> pl.LazyFrame:
    return compile_recipe(parse_recipe(list(steps)), pl.LazyFrame(data))


def run(data: dict[str, list[Any]], *steps: dict[str, Any]) -> pl.DataFrame:
    return output(plan(data, *steps)).collect()


# split ---------------------------------------------------------------------------------------
def test_split_single_delimiter_documented_example() -> None:
    data = {"id": [1, 2, 3], "info_url": ["https://a.org/x", "plain", None], "z": [0, 0, 0]}
    result = run(data, step("SPLIT_COLUMN_SINGLE_DELIMITER", includeInSplit="true", limit="1", pattern="/",
                            sourceColumn="info_url"))
    assert result.columns == ["id", "info_url_1", "info_url_2", "z"]
    assert result["info_url_1"].to_list() == ["https:/", "plain", None]
    assert result["info_url_2"].to_list() == ["/a.org/x", None, None]


def test_split_single_delimiter_drops_delimiter_and_honours_limit() -> None:
    result = run({"c": ["a,b,c,d"]}, step("SPLIT_COLUMN_SINGLE_DELIMITER", pattern=",", limit="2", sourceColumn="c"))
    assert result.row(0) == ("a", "b", "c,d")


def test_split_multiple_delimiter_documented_example() -> None:
    options = json.dumps([{"pattern": ",", "includeInSplit": True}, {"pattern": " ", "includeInSplit": False}])
    result = run({"description": ["red,green blue", "one"]},
                 step("SPLIT_COLUMN_MULTIPLE_DELIMITER", limit="2", patternOptions=options, sourceColumn="description"))
    assert result.rows() == [("red,", "green", "blue"), ("one", None, None)]


def test_split_rejects_limit_out_of_range_and_existing_targets() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(SPLIT_COLUMN_SINGLE_DELIMITER\): parameter limit must be"):
        run({"c": ["a"]}, step("SPLIT_COLUMN_SINGLE_DELIMITER", pattern=",", limit="21", sourceColumn="c"))
    with pytest.raises(RecipeError, match="would create column 'c_1'"):
        run({"c": ["a"], "c_1": ["b"]}, step("SPLIT_COLUMN_SINGLE_DELIMITER", pattern=",", sourceColumn="c"))


def test_split_takes_no_conditions() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(SPLIT_COLUMN_SINGLE_DELIMITER\): this operation takes no"):
        run({"c": ["a"]}, step("SPLIT_COLUMN_SINGLE_DELIMITER", [{"Condition": "IS_MISSING", "TargetColumn": "c"}],
                               pattern=",", sourceColumn="c"))


# merge ---------------------------------------------------------------------------------------
def test_merge_documented_example_replaces_sources() -> None:
    data = {"id": [1, 2], "first_name": ["Ada", None], "last_name": ["Lovelace", "Hopper"]}
    result = run(data, step("MERGE", delimiter=" ", sourceColumns="[\"first_name\",\"last_name\"]",
                            targetColumn="Merged Column 1"))
    assert result.columns == ["id", "Merged Column 1"]
    assert result["Merged Column 1"].to_list() == ["Ada Lovelace", "Hopper"]


def test_merge_columns_and_values_keeps_sources() -> None:
    data = {"last_name": ["Smith"], "birth_date": ["1990-01-01"], "z": [1]}
    result = run(data, step("MERGE_COLUMNS_AND_VALUES", sourceColumns="[\"last_name\",\"birth_date\"]",
                            delimiter=" was born on: ", targetColumn="merged_column"))
    assert result.columns == ["last_name", "birth_date", "merged_column", "z"]
    assert result["merged_column"].to_list() == ["Smith was born on: 1990-01-01"]


def test_merge_with_a_missing_source_column_names_the_step() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(MERGE\): parameter sourceColumns: column 'nope'"):
        run({"a": ["x"]}, step("MERGE", sourceColumns="[\"a\",\"nope\"]", targetColumn="m"))


# extract -------------------------------------------------------------------------------------
def test_extract_pattern_documented_example() -> None:
    result = run({"last_name": ["Washington", "Li", None]},
                 step("EXTRACT_PATTERN", pattern="^....*...$", sourceColumn="last_name",
                      targetColumn="first_and_last_few_characters"))
    assert result["first_and_last_few_characters"].to_list() == ["Washington", None, None]


def test_extract_between_delimiters_documented_example() -> None:
    result = run({"info_url": ["https://example.org/path", "no-url"]},
                 step("EXTRACT_BETWEEN_DELIMITERS", endPattern="\\/", sourceColumn="info_url",
                      startPattern="\\/\\/", targetColumn="raw_url"))
    assert result["raw_url"].to_list() == ["example.org", None]


def test_extract_between_positions_documented_example() -> None:
    result = run({"last_name": ["0123456789AB", "abc"]},
                 step("EXTRACT_BETWEEN_POSITIONS", endPosition="9", sourceColumn="last_name", startPosition="3",
                      targetColumn="characters_3_to_9"))
    assert result["characters_3_to_9"].to_list() == ["345678", ""]


def test_extract_with_condition_leaves_other_rows_null() -> None:
    data = {"c": ["a1", "b2"], "k": ["x", "y"]}
    result = run(data, step("EXTRACT_PATTERN", [{"Condition": "IS", "Value": "[\"y\"]", "TargetColumn": "k"}],
                            pattern="[0-9]", sourceColumn="c", targetColumn="digit"))
    assert result["digit"].to_list() == [None, "2"]


# prefix / suffix / quotes -------------------------------------------------------------------
def test_prefix_suffix_and_quotes() -> None:
    data = {"info_url": ["x", None], "q": ["a", "b"]}
    result = run(data, step("ADD_PREFIX", pattern="aaa", sourceColumn="info_url"),
                 step("ADD_SUFFIX", pattern="zz", sourceColumn="info_url"),
                 step("ADD_DOUBLE_QUOTES", sourceColumn="q"), step("ADD_SINGLE_QUOTES", sourceColumn="q"))
    assert result["info_url"].to_list() == ["aaaxzz", None]
    assert result["q"].to_list() == ["'\"a\"'", "'\"b\"'"]


# CATEGORICAL_MAPPING --------------------------------------------------------------------------
COUNTRIES = json.dumps({"United States of America": "1", "Canada": "2", "Cuba": "3", "Haiti": "4",
                        "Dominican Republic": "5"})


def test_categorical_mapping_documented_example_numeric_keep_others() -> None:
    data = {"state_name": ["Canada", "Haiti", "canada", None], "n": [1, 2, 3, 4]}
    result = run(data, step("CATEGORICAL_MAPPING", categoryMap=COUNTRIES, deleteOtherRows="false", keepOthers="true",
                            mapType="NUMERIC", sourceColumn="state_name", targetColumn="state_name_mapped"))
    assert result.columns == ["state_name", "state_name_mapped", "n"]
    assert result.schema["state_name_mapped"] == pl.Int64
    # Case-exact: "canada" is not "Canada"; kept as is, it is not a number, so null.
    assert result["state_name_mapped"].to_list() == [2, 4, None, None]


def test_categorical_mapping_canonical_names_case_exact_keep_others() -> None:
    canon = json.dumps({"Parks Board": "Parks", "parks board": "Parks", "PARKS": "Parks"})
    result = run({"dept": ["Parks Board", "parks board", "Parks board", "Engineering", None]},
                 step("CATEGORICAL_MAPPING", categoryMap=canon, keepOthers="true", sourceColumn="dept",
                      targetColumn="dept_canonical"))
    assert result["dept_canonical"].to_list() == ["Parks", "Parks", "Parks board", "Engineering", None]


def test_categorical_mapping_other_value_and_plain_null() -> None:
    canon = json.dumps({"a": "A"})
    result = run({"c": ["a", "b", None]},
                 step("CATEGORICAL_MAPPING", categoryMap=canon, other="OTHER", sourceColumn="c", targetColumn="o"),
                 step("CATEGORICAL_MAPPING", categoryMap=canon, sourceColumn="c", targetColumn="n"))
    assert result["o"].to_list() == ["A", "OTHER", "OTHER"]
    assert result["n"].to_list() == ["A", None, None]


def test_categorical_mapping_delete_other_rows_rejects_them_with_reason() -> None:
    recipe_plan = plan({"c": ["a", "b", None]}, step("CATEGORICAL_MAPPING", categoryMap=json.dumps({"a": "A"}),
                                                     deleteOtherRows="true", sourceColumn="c", targetColumn="m"))
    assert output(recipe_plan).collect()["m"].to_list() == ["A"]
    gone = rejected(recipe_plan).collect()
    assert gone["record"].to_list() == [2, 3]
    assert set(gone["operation"]) == {"CATEGORICAL_MAPPING"}


@pytest.mark.parametrize("unused_keys", [0, 40])
@pytest.mark.parametrize("mode", [{"keepOthers": "true"}, {"other": "OTHER"}, {"deleteOtherRows": "true"}, {}])
def test_categorical_mapping_small_and_large_maps_agree(unused_keys: int, mode: dict[str, str]) -> None:
    # Small maps are looked up by comparisons, large ones by a join: same rows, same values.
    canon = {"a": "A", "B": "bee"} | {f"unused {n}": "never" for n in range(unused_keys)}
    data = {"c": ["a", "b", None, "B", "a"]}
    recipe_plan = plan(data, step("CATEGORICAL_MAPPING", categoryMap=json.dumps(canon), sourceColumn="c",
                                  targetColumn="m", **mode))
    kept = output(recipe_plan).collect()
    expected = {
        "keepOthers": ["A", "b", None, "bee", "A"], "other": ["A", "OTHER", "OTHER", "bee", "A"],
        "deleteOtherRows": ["A", "bee", "A"],
    }.get(next(iter(mode), ""), ["A", None, None, "bee", "A"])
    assert kept["m"].to_list() == expected
    assert rejected(recipe_plan).collect()["record"].to_list() == ([2, 3] if "deleteOtherRows" in mode else [])


def test_categorical_mapping_with_condition() -> None:
    data = {"c": ["a", "a"], "k": ["x", "y"]}
    result = run(data, step("CATEGORICAL_MAPPING", [{"Condition": "IS", "Value": "[\"x\"]", "TargetColumn": "k"}],
                            categoryMap=json.dumps({"a": "A"}), sourceColumn="c", targetColumn="m"))
    assert result["m"].to_list() == ["A", None]


@pytest.mark.parametrize(("parameters", "message"), [
    ({"categoryMap": "[1]"}, "parameter categoryMap must be a non-empty JSON object"),
    ({"categoryMap": "{"}, "parameter categoryMap must be JSON text"),
    ({"categoryMap": "{\"a\":\"A\"}", "keepOthers": "true", "other": "x"}, "parameter keepOthers conflicts"),
    ({"categoryMap": "{\"a\":\"A\"}", "mapType": "NUMERIC"}, "parameter categoryMap value 'A' is not a number"),
    ({"categoryMap": "{\"a\":\"A\"}", "mapType": "DATE"}, "parameter mapType must be STRING or NUMERIC"),
    ({"categoryMap": "{\"a\":\"A\"}", "keepOther": "true"}, "parameter keepOther is unknown; did you mean keepOthers"),
])
def test_categorical_mapping_validation(parameters: dict[str, str], message: str) -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(CATEGORICAL_MAPPING\): " + message):
        run({"c": ["a"]}, step("CATEGORICAL_MAPPING", sourceColumn="c", targetColumn="m", **parameters))


def test_categorical_mapping_requires_category_map() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(CATEGORICAL_MAPPING\): parameter categoryMap is required"):
        run({"c": ["a"]}, step("CATEGORICAL_MAPPING", sourceColumn="c", targetColumn="m"))
