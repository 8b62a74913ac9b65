"""Cleaning steps: REMOVE_COMBINED, REPLACE_*, TRIM and friends, letter case."""

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


def column(data: dict[str, list[Any]], name: str, *steps: dict[str, Any]) -> list[Any]:
    return run(data, *steps)[name].to_list()


# REMOVE_COMBINED -----------------------------------------------------------------------
def test_remove_combined_documented_example_removes_special_characters() -> None:
    flags = {name: "false" for name in (
        "collapseConsecutiveWhitespace", "removeAllPunctuation", "removeAllQuotes", "removeAllWhitespace",
        "removeCustomCharacters", "removeCustomValue", "removeLeadingAndTrailingPunctuation",
        "removeLeadingAndTrailingQuotes", "removeLeadingAndTrailingWhitespace", "removeLetters", "removeNumbers")}
    result = column({"info_url": ["https://x.org/a_b?c=1", None]}, "info_url",
                    step("REMOVE_COMBINED", sourceColumn="info_url", removeSpecialCharacters="true", **flags))
    assert result == ["httpsxorgabc1", None]


@pytest.mark.parametrize(("flag", "value", "expected"), [
    ("removeAllPunctuation", "Hi, you! ok? yes.", "Hi you ok yes"),
    ("removeAllQuotes", "\"it's\"", "its"),
    ("removeAllWhitespace", " a b\tc ", "abc"),
    ("collapseConsecutiveWhitespace", "a   b \t c", "a b c"),
    ("removeLeadingAndTrailingWhitespace", "  a b  ", "a b"),
    ("removeLeadingAndTrailingPunctuation", "..Hi, you!?", "Hi, you"),
    ("removeLeadingAndTrailingQuotes", "'\"quoted\"'", "quoted"),
    ("removeLetters", "ab12Cd3", "123"),
    ("removeNumbers", "ab12Cd3", "abCd"),
])
def test_remove_combined_each_flag(flag: str, value: str, expected: str) -> None:
    assert column({"c": [value]}, "c", step("REMOVE_COMBINED", sourceColumn="c", **{flag: "true"})) == [expected]


def test_remove_combined_custom_characters_and_value_and_flag_combination() -> None:
    result = column({"c": ["  [NYPD]  -  Police  "]}, "c", step(
        "REMOVE_COMBINED", sourceColumn="c", removeCustomCharacters="true", customCharacters="[]",
        removeCustomValue="true", customValue="-", collapseConsecutiveWhitespace="true",
        removeLeadingAndTrailingWhitespace="true"))
    assert result == ["NYPD Police"]


def test_remove_combined_leading_quotes_and_whitespace_together() -> None:
    result = column({"c": ["  'abc'  "]}, "c", step(
        "REMOVE_COMBINED", sourceColumn="c", removeLeadingAndTrailingQuotes="true",
        removeLeadingAndTrailingWhitespace="true"))
    assert result == ["abc"]


def test_remove_combined_needs_custom_characters_when_asked() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(REMOVE_COMBINED\): parameter customCharacters"):
        run({"c": ["x"]}, step("REMOVE_COMBINED", sourceColumn="c", removeCustomCharacters="true"))


def test_remove_combined_rejects_non_boolean_flag() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(REMOVE_COMBINED\): parameter removeLetters must be"):
        run({"c": ["x"]}, step("REMOVE_COMBINED", sourceColumn="c", removeLetters="yes"))


def test_remove_combined_on_a_number_column_works_on_its_text() -> None:
    assert column({"n": [1203, None]}, "n", step("REMOVE_COMBINED", sourceColumn="n", removeNumbers="false",
                                                 removeCustomValue="true", customValue="0")) == ["123", None]


# REPLACE_* -------------------------------------------------------------------------------
def test_replace_text_documented_examples() -> None:
    data = {"first_name": ["xena", None], "nationality": ["abc123", "x"]}
    result = run(data, step("REPLACE_TEXT", pattern="x", sourceColumn="first_name", value="a"),
                 step("REPLACE_TEXT", pattern="[0-9]", sourceColumn="nationality", value="!"))
    assert result["first_name"].to_list() == ["aena", None]
    assert result["nationality"].to_list() == ["abc!!!", "x"]


def test_replace_text_with_condition_only_touches_selected_rows() -> None:
    data = {"agency": ["DOT", "NYPD"], "status": ["open", "open"]}
    result = column(data, "status", step("REPLACE_TEXT", [{"Condition": "IS", "Value": "[\"NYPD\"]",
                                                           "TargetColumn": "agency"}],
                                         sourceColumn="status", pattern="open", value="OPEN"))
    assert result == ["open", "OPEN"]


def test_replace_text_rejects_invalid_regex_before_reading_data() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(REPLACE_TEXT\): parameter pattern is not a valid regular"):
        run({"c": ["x"]}, step("REPLACE_TEXT", sourceColumn="c", pattern="(", value=""))


def test_replace_between_delimiters_keeps_the_delimiters() -> None:
    result = column({"last_name": ["a<b>c<d>", "none"]}, "last_name",
                    step("REPLACE_BETWEEN_DELIMITERS", endPattern=">", sourceColumn="last_name", startPattern="<",
                         value="$?"))
    assert result == ["a<$?>c<$?>", "none"]


def test_replace_between_positions_is_zero_based_end_exclusive() -> None:
    result = column({"nationality": ["0123456789ABCDEFGHIJKL", "short"]}, "nationality",
                    step("REPLACE_BETWEEN_POSITIONS", endPosition="20", sourceColumn="nationality",
                         startPosition="10", value="E"))
    assert result == ["0123456789EKL", "shortE"]


def test_replace_between_positions_rejects_reversed_positions() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(REPLACE_BETWEEN_POSITIONS\): parameter endPosition"):
        run({"c": ["x"]}, step("REPLACE_BETWEEN_POSITIONS", sourceColumn="c", startPosition="5",
                               endPosition="2", value="y"))


# functions into a new column ---------------------------------------------------------------
def test_trim_documented_examples_and_placement() -> None:
    data = {"nationality": ["  Canadian  ", None], "other": [1, 2]}
    result = run(data, step("TRIM", sourceColumn="nationality", targetColumn="nationality_trim"),
                 step("TRIM", value="   This string should be trimmed       ", targetColumn="string_trimmed"))
    assert result.columns == ["nationality", "nationality_trim", "other", "string_trimmed"]
    assert result["nationality_trim"].to_list() == ["Canadian", None]
    assert result["string_trimmed"].to_list() == ["This string should be trimmed"] * 2


def test_remove_whitespace_and_symbols_examples() -> None:
    result = run({"a": [1]},
                 step("REMOVE_WHITESPACE", value="This string has spaces in it", targetColumn="w"),
                 step("REMOVE_SYMBOLS", value="$&#$&HEY!#@@", targetColumn="s"),
                 step("REMOVE_SYMBOLS", value="Héllõ, Wõrld 42!?", targetColumn="accents"))
    assert result.row(0) == (1, "Thisstringhasspacesinit", "HEY", "Héllõ Wõrld 42")


def test_upper_lower_proper_functions() -> None:
    result = run({"first_name": ["mAry-ann o'neil", None]},
                 step("UPPER", sourceColumn="first_name", targetColumn="u"),
                 step("LOWER", sourceColumn="first_name", targetColumn="l"),
                 step("PROPER", sourceColumn="first_name", targetColumn="p"),
                 step("PROPER", value="MR. H. SMITH, ESQ.", targetColumn="formal_name_proper"))
    assert result["u"].to_list() == ["MARY-ANN O'NEIL", None]
    assert result["l"].to_list() == ["mary-ann o'neil", None]
    assert result["p"].to_list() == ["Mary-ann O'neil", None]
    assert result["formal_name_proper"].to_list() == ["Mr. H. Smith, Esq."] * 2


def test_function_needs_exactly_one_of_source_column_and_value() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(TRIM\): give exactly one of sourceColumn, value"):
        run({"c": ["x"]}, step("TRIM", sourceColumn="c", value="y", targetColumn="t"))


def test_function_target_must_be_new() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(UPPER\): parameter targetColumn: column 'c' already exists"):
        run({"c": ["x"]}, step("UPPER", sourceColumn="c", targetColumn="c"))


# letter case in place ------------------------------------------------------------------------
def test_case_steps_in_place_with_documented_examples() -> None:
    text = "the QUICK brown fox. jumped over. the fence"
    data = {"a": [text], "b": [text], "c": [text], "d": [text]}
    result = run(data, step("UPPER_CASE", sourceColumn="a"), step("LOWER_CASE", sourceColumn="b"),
                 step("CAPITAL_CASE", sourceColumn="c"), step("SENTENCE_CASE", sourceColumn="d"))
    assert result.row(0) == (
        "THE QUICK BROWN FOX. JUMPED OVER. THE FENCE",
        "the quick brown fox. jumped over. the fence",
        "The Quick Brown Fox. Jumped Over. The Fence",
        "The quick brown fox. Jumped over. The fence",
    )


def test_case_keeps_nulls_and_empty_strings() -> None:
    assert column({"c": [None, "", "  "]}, "c", step("CAPITAL_CASE", sourceColumn="c")) == [None, "", "  "]


def test_case_with_condition() -> None:
    data = {"c": ["abc", "abc"], "k": ["x", "y"]}
    result = column(data, "c", step("UPPER_CASE", [{"Condition": "IS", "Value": "[\"x\"]", "TargetColumn": "k"}],
                                    sourceColumn="c"))
    assert result == ["ABC", "abc"]


# validation ---------------------------------------------------------------------------------
def test_missing_required_parameter_names_the_step() -> None:
    with pytest.raises(RecipeError, match=r"step 2 \(REPLACE_TEXT\): parameter value is required"):
        run({"c": ["x"]}, step("UPPER_CASE", sourceColumn="c"), step("REPLACE_TEXT", sourceColumn="c", pattern="x"))


def test_unknown_parameter_names_the_step_and_suggests() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(REMOVE_COMBINED\): parameter removeLeter is unknown; did you"):
        run({"c": ["x"]}, step("REMOVE_COMBINED", sourceColumn="c", removeLeter="true"))


def test_nonexistent_column_names_the_step() -> None:
    with pytest.raises(RecipeError, match=r"step 1 \(LOWER_CASE\): parameter sourceColumn: column 'nope'"):
        run({"c": ["x"]}, step("LOWER_CASE", sourceColumn="nope"))
