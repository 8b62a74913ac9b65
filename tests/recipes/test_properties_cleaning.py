"""Properties of cleaning, case and type steps over generated text and numbers."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lakehouse.recipes.compile import compile_recipe
from lakehouse.recipes.frame import output
from lakehouse.recipes.model import parse_recipe

# Text with the characters the steps care about: letters (accented too), digits, white space,
# quotes, punctuation and symbols.
CHARACTERS = st.sampled_from(list("aZé9ß \t\n'\".,!?-_#(")) | st.characters(exclude_categories=["Cs"])
TEXT = st.text(alphabet=CHARACTERS, max_size=30)
VALUES = st.lists(st.none() | TEXT, min_size=1, max_size=20)
# Unicode White_Space, which the steps (Rust regex \s) trim; Python's str.strip also takes \x1c-\x1f.
WHITE_SPACE = (" \t\n\x0b\x0c\r\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
               + "\u2028\u2029\u202f\u205f\u3000")


def apply(values: list[Any], operation: str, times: int = 1, **parameters: str) -> list[Any]:
    steps = [{"Action": {"Operation": operation, "Parameters": {"sourceColumn": "c", **parameters}}}] * times
    frame = pl.LazyFrame({"c": values}, schema={"c": pl.String})
    return output(compile_recipe(parse_recipe(steps), frame)).collect()["c"].to_list()


@settings(max_examples=60, deadline=None)
@given(VALUES)
def test_remove_combined_whitespace_trimming_is_idempotent_and_trims(values: list[Any]) -> None:
    flags = {"removeLeadingAndTrailingWhitespace": "true", "collapseConsecutiveWhitespace": "true"}
    once = apply(values, "REMOVE_COMBINED", **flags)
    assert apply(values, "REMOVE_COMBINED", times=2, **flags) == once
    for value in once:
        assert value is None or value == value.strip(WHITE_SPACE)
        assert value is None or not any(a in WHITE_SPACE and b in WHITE_SPACE for a, b in zip(value, value[1:]))


@settings(max_examples=60, deadline=None)
@given(VALUES)
def test_case_steps_are_idempotent(values: list[Any]) -> None:
    for operation in ("UPPER_CASE", "LOWER_CASE", "CAPITAL_CASE", "SENTENCE_CASE"):
        assert apply(values, operation, times=2) == apply(values, operation), operation


@settings(max_examples=60, deadline=None)
@given(VALUES)
def test_steps_keep_nulls_and_row_count(values: list[Any]) -> None:
    result = apply(values, "REMOVE_COMBINED", removeSpecialCharacters="true", removeAllWhitespace="true")
    assert len(result) == len(values)
    assert [v is None for v in result] == [v is None for v in values]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1), min_size=1, max_size=20))
def test_change_data_type_to_string_and_back_keeps_integers(values: list[int | None]) -> None:
    steps = [{"Action": {"Operation": "CHANGE_DATA_TYPE", "Parameters": {"sourceColumn": "n", "columnDataType": t}}}
             for t in ("string", "long")]
    frame = pl.LazyFrame({"n": values}, schema={"n": pl.Int64})
    result = output(compile_recipe(parse_recipe(steps), frame)).collect()
    assert result.schema["n"] == pl.Int64
    assert result["n"].to_list() == values
