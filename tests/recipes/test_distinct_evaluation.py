"""by_distinct_value: a transform computed once per distinct text gives exactly the row-by-row result."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lakehouse.recipes.operations.cleaning import WHITESPACE, by_distinct_value

COLLAPSE_AND_TRIM = lambda value: value.str.replace_all(r"\s{2,}", " ").str.strip_chars(WHITESPACE + "'\"")  # noqa: E731
TEXT = st.text(alphabet=st.sampled_from(list("ab Z\t'\"é")), max_size=6)


def both_ways(values: list[str | None], transform, dtype: pl.DataType = pl.String()) -> tuple[list, list]:
    frame = pl.LazyFrame({"v": values}, schema={"v": pl.String})
    distinct = frame.select(by_distinct_value(pl.col("v"), transform, dtype)).collect(engine="streaming")
    direct = frame.select(transform(pl.col("v")).cast(dtype)).collect()
    return distinct.to_series().to_list(), direct.to_series().to_list()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.none() | TEXT, min_size=1, max_size=60))
def test_matches_the_row_by_row_result_nulls_included(values: list[str | None]) -> None:
    got, expected = both_ways(values, COLLAPSE_AND_TRIM)
    assert got == expected


def test_low_cardinality_batch_is_encoded_and_keeps_row_order() -> None:
    values = ([" 'A  b' ", "c", None, "A   b"] * 5_000)[::-1]
    got, expected = both_ways(values, COLLAPSE_AND_TRIM)
    assert got == expected
    assert got[:4] == ["A b", None, "c", "A b"]


def test_high_cardinality_batch_falls_back_to_row_by_row() -> None:
    values = [f"  id {n}  " for n in range(20_000)]
    got, expected = both_ways(values, COLLAPSE_AND_TRIM)
    assert got == expected


def test_a_transform_that_fills_nulls_fills_them() -> None:
    values = ["x", None, "y", None]
    got, expected = both_ways(values, lambda value: value.fill_null("missing").str.to_uppercase())
    assert got == expected == ["X", "MISSING", "Y", "MISSING"]


def test_other_result_types() -> None:
    values = ["a", "b", None, "a"]
    got, expected = both_ways(values, lambda value: value.is_in(["a"]).fill_null(False), pl.Boolean())
    assert got == expected == [True, False, False, True]
