"""Properties of the row filters, for any data and any recipe of them:

* row accounting: every input row is either output or rejected, exactly once;
* DELETE_DUPLICATE_ROWS leaves no duplicate rows and applying it twice equals once.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakehouse.recipes.compile import compile_recipe
from lakehouse.recipes.frame import output, rejected
from lakehouse.recipes.model import parse_recipe

COLUMNS = ("a", "b", "n")
CELLS = st.one_of(st.none(), st.sampled_from(["", "x", "y", "1", "2", "10", "-3", "2.5", "abc"]))
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    height = draw(st.integers(min_value=0, max_value=25))
    return pl.DataFrame({c: draw(st.lists(CELLS, min_size=height, max_size=height)) for c in COLUMNS},
                        schema={c: pl.String for c in COLUMNS})


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, str]:
    column = draw(st.sampled_from(COLUMNS))
    kind = draw(st.sampled_from(["IS", "IS_NOT", "LESS_THAN", "GREATER_THAN_EQUAL", "IS_BETWEEN", "CONTAINS",
                                 "NOT_STARTS_WITH", "IS_MISSING", "IS_INVALID"]))
    values = {
        "IS": json.dumps(draw(st.lists(st.sampled_from(["x", "1", ""]), min_size=1, max_size=2))),
        "IS_NOT": json.dumps(draw(st.lists(st.sampled_from(["x", "1", ""]), min_size=1, max_size=2))),
        "LESS_THAN": draw(st.sampled_from(["0", "2", "5"])),
        "GREATER_THAN_EQUAL": draw(st.sampled_from(["0", "2", "5"])),
        "IS_BETWEEN": '{"greaterThanEqual": "1", "lessThanEqual": "9"}',
        "CONTAINS": draw(st.sampled_from(["x", "1", "b"])),
        "NOT_STARTS_WITH": draw(st.sampled_from(["x", "1", "-"])),
        "IS_INVALID": "number",
    }
    document = {"Condition": kind, "TargetColumn": column}
    if kind in values:
        document["Value"] = values[kind]
    return document


@st.composite
def filter_steps(draw: st.DrawFn) -> dict[str, Any]:
    operation = draw(st.sampled_from(["REMOVE_VALUES", "DELETE_DUPLICATE_ROWS", "REMOVE_DUPLICATES",
                                      "REMOVE_MISSING", "REMOVE_INVALID"]))
    column = draw(st.sampled_from(COLUMNS))
    parameters = {
        "REMOVE_VALUES": {"sourceColumn": column},
        "DELETE_DUPLICATE_ROWS": {},
        "REMOVE_DUPLICATES": {"sourceColumn": column},
        "REMOVE_MISSING": {"sourceColumn": column},
        "REMOVE_INVALID": {"sourceColumn": column, "columnDataType": "number"},
    }[operation]
    document: dict[str, Any] = {"Action": {"Operation": operation, "Parameters": parameters}}
    needed = 1 if operation == "REMOVE_VALUES" else 0
    chosen = draw(st.lists(conditions(), min_size=needed, max_size=2))
    if chosen:
        document["ConditionExpressions"] = chosen
    return document


def run(data: pl.DataFrame, steps: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    plan = compile_recipe(parse_recipe(steps), data.lazy())
    return output(plan).collect(), rejected(plan).collect()


@PROPERTY
@given(data=frames(), steps=st.lists(filter_steps(), min_size=1, max_size=5))
def test_every_row_is_output_or_rejected_exactly_once(data: pl.DataFrame, steps: list[dict[str, Any]]) -> None:
    kept, bad = run(data, steps)
    assert kept.height + bad.height == data.height
    assert bad["record"].n_unique() == bad.height
    assert set(bad["record"]) <= set(range(1, data.height + 1))
    # rejected rows carry the input exactly as it was, so output + rejected rebuild the input
    rebuilt = pl.concat([kept, bad.select(COLUMNS)]).sort(COLUMNS, nulls_last=True)
    assert rebuilt.equals(data.sort(COLUMNS, nulls_last=True))
    assert bad.filter(pl.col("reason").is_null() | ~pl.col("reason").str.starts_with("step ")).height == 0


@PROPERTY
@given(data=frames())
def test_delete_duplicate_rows_output_has_no_duplicates_and_keeps_first_occurrences(data: pl.DataFrame) -> None:
    kept, bad = run(data, [{"Action": {"Operation": "DELETE_DUPLICATE_ROWS"}}])
    assert not kept.is_duplicated().any()
    assert kept.equals(data.unique(maintain_order=True, keep="first"))
    assert kept.height + bad.height == data.height


@PROPERTY
@given(data=frames(), before=st.lists(filter_steps(), max_size=2))
def test_delete_duplicate_rows_is_idempotent(data: pl.DataFrame, before: list[dict[str, Any]]) -> None:
    once = [*before, {"Action": {"Operation": "DELETE_DUPLICATE_ROWS"}}]
    twice = [*once, {"Action": {"Operation": "DELETE_DUPLICATE_ROWS"}}]
    kept_once, bad_once = run(data, once)
    kept_twice, bad_twice = run(data, twice)
    assert kept_twice.equals(kept_once)
    assert bad_twice.equals(bad_once)  # the second pass rejects nothing
