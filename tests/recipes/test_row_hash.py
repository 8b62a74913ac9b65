"""Whole-row duplicates by hash, then by value: the same count as a set of whole rows."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lakehouse.recipes.row_hash import count_duplicate_rows, is_shared


def _by_value(frame: pl.DataFrame) -> int:
    return frame.height - frame.n_unique() if frame.width else 0


def test_swapped_values_and_moved_nulls_are_not_duplicates() -> None:
    frame = pl.DataFrame({"a": ["x", "y", "x", None, "x"], "b": ["y", "x", None, "x", "y"]})
    assert count_duplicate_rows(frame.lazy()) == 1  # only the last row repeats the first


def test_is_shared_marks_every_row_whose_hash_repeats() -> None:
    assert is_shared(pl.Series([5, 1, 5, 2, 1, 5], dtype=pl.UInt64)).to_list() == [True, True, True, False, True, True]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "", None]), st.integers(0, 2) | st.none(),
                          st.booleans()), max_size=40))
def test_counts_what_a_set_of_whole_rows_counts(rows: list[tuple[str | None, int | None, bool]]) -> None:
    frame = pl.DataFrame(rows, schema={"s": pl.String, "n": pl.Int64, "b": pl.Boolean}, orient="row")
    assert count_duplicate_rows(frame.lazy()) == _by_value(frame)


def test_a_frame_without_columns_or_rows_has_no_duplicates() -> None:
    assert count_duplicate_rows(pl.LazyFrame()) == 0
    assert count_duplicate_rows(pl.LazyFrame(schema={"a": pl.String})) == 0
