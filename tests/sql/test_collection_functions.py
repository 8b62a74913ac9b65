"""Athena's aggregate, window, array and map functions answer as in Athena.

Expected values are worked out by hand or with Python's statistics module.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from emulation.athena.engine import DuckDBQueryEngine
from functions_support import engine, scalar  # noqa: F401 - fixtures
from lakehouse.errors import QueryError

XS, YS = [1, 2, 3], [2.0, 4.0, 7.0]
DATA = "FROM (VALUES (1, 2.0E0, 'a'), (2, 4.0E0, 'b'), (3, 7.0E0, 'c'), (NULL, NULL, NULL)) AS t(x, y, s)"

AGGREGATES = [
    ("approx_distinct(x)", 3),
    ("approx_percentile(x, 0.5)", 2),
    ("array_agg(x ORDER BY x)", [1, 2, 3, None]),
    ("avg(x)", statistics.mean(XS)),
    ("bool_and(x > 0)", True),
    ("bool_or(x > 2)", True),
    ("every(x > 1)", False),
    ("count(*)", 4),
    ("count(x)", 3),
    ("count_if(x > 1)", 2),
    ("covar_pop(x, y)", statistics.covariance(XS, YS) * 2 / 3),
    ("covar_samp(x, y)", statistics.covariance(XS, YS)),
    ("histogram(x)", {1: 1, 2: 1, 3: 1}),
    ("listagg(s, ',') WITHIN GROUP (ORDER BY s)", "a,b,c"),
    ("map_agg(s, x)", {"a": 1, "b": 2, "c": 3}),
    ("max(x)", 3),
    ("max_by(s, y)", "c"),
    ("min(x)", 1),
    ("min_by(s, y)", "a"),
    ("stddev(x)", statistics.stdev(XS)),
    ("stddev_samp(x)", statistics.stdev(XS)),
    ("stddev_pop(x)", statistics.pstdev(XS)),
    ("variance(x)", statistics.variance(XS)),
    ("var_samp(x)", statistics.variance(XS)),
    ("var_pop(x)", statistics.pvariance(XS)),
    ("sum(x)", 6),
]
APPROXIMATE = [  # floating-point sums: the last bits depend on the order of additions
    ("corr(x, y)", statistics.correlation(XS, YS)),
    ("geometric_mean(x)", math.prod(XS) ** (1 / 3)),
]

ARRAYS = [
    ("array_distinct(ARRAY[3, 1, 3, NULL, 1, NULL])", [3, 1, None]),  # DuckDB alone reorders
    ("array_except(ARRAY[3, 1, 2, 3, 1], ARRAY[2])", [3, 1]),
    ("array_intersect(ARRAY[3, 1, 2, 3], ARRAY[2, 3])", [3, 2]),
    ("array_intersect(ARRAY[2, 3], ARRAY[3, 1, 2, 3])", [3, 2]),  # the longer array's order
    ("array_union(ARRAY[1, 2, 1], ARRAY[3, 2])", [1, 2, 3]),
    ("array_join(ARRAY['a', NULL, 'b'], ',')", "a,b"),
    ("array_join(ARRAY['a', NULL, 'b'], ',', '?')", "a,?,b"),
    ("array_max(ARRAY[1, 3, 2])", 3),
    ("array_max(ARRAY[1, NULL])", None),  # DuckDB alone: 1
    ("array_min(ARRAY[2, 1, 3])", 1),
    ("array_min(ARRAY[2, NULL])", None),
    ("array_position(ARRAY[5, 6], 6)", 2),
    ("array_position(ARRAY[5, 6], 7)", 0),  # DuckDB alone: NULL
    ("array_remove(ARRAY[1, 2, NULL, 1], 1)", [2, None]),
    ("array_sort(ARRAY[3, NULL, 1])", [1, 3, None]),
    ("arrays_overlap(ARRAY[1, 2], ARRAY[2, 5])", True),
    ("arrays_overlap(ARRAY[1], ARRAY[2])", False),
    ("arrays_overlap(ARRAY[1, NULL], ARRAY[2])", None),  # only a NULL could match
    ("cardinality(ARRAY[1, 2])", 2),
    ("cardinality(map(ARRAY['a'], ARRAY[1]))", 1),
    ("contains(ARRAY[1, 2], 2)", True),
    ("element_at(ARRAY[1, 2, 3], 1)", 1),
    ("element_at(ARRAY[1, 2, 3], -1)", 3),
    ("element_at(ARRAY[1, 2, 3], 5)", None),
    ("element_at(map(ARRAY['a'], ARRAY[1]), 'a')", 1),
    ("element_at(map(ARRAY['a'], ARRAY[1]), 'z')", None),
    ("filter(ARRAY[1, 2, 3], x -> x > 1)", [2, 3]),
    ("transform(ARRAY[1, 2], x -> x * 10)", [10, 20]),
    ("flatten(ARRAY[ARRAY[1], ARRAY[2, 3]])", [1, 2, 3]),
    ("reduce(ARRAY[1, 2, 3], 0, (s, x) -> s + x, s -> s)", 6),
    ("reduce(ARRAY[1, 2, 3], 0, (s, x) -> s + x, s -> s * 10)", 60),
    ("reduce(CAST(ARRAY[] AS array(integer)), 0, (s, x) -> s + x, s -> s)", 0),
    ("repeat('a', 3)", ["a", "a", "a"]),  # DuckDB alone: 'aaa'
    ("repeat(1, 0)", []),
    ("sequence(1, 5)", [1, 2, 3, 4, 5]),
    ("sequence(1, 10, 3)", [1, 4, 7, 10]),
    ("sequence(5, 1, -2)", [5, 3, 1]),
    ("sequence(DATE '2024-02-27', DATE '2024-03-01')", [date(2024, 2, d) for d in (27, 28, 29)] + [date(2024, 3, 1)]),
    ("slice(ARRAY[1, 2, 3, 4], 2, 2)", [2, 3]),  # DuckDB's list_slice(…, 2, 2) is [2]
    ("slice(ARRAY[1, 2, 3, 4], 3, 10)", [3, 4]),
    ("slice(ARRAY[1, 2, 3, 4], -3, 2)", [2, 3]),
    ("slice(ARRAY[1, 2, 3, 4], -2, 5)", [3, 4]),
    ("concat(ARRAY[1], ARRAY[2, 3])", [1, 2, 3]),
]

MAPS = [
    ("map(ARRAY['a', 'b'], ARRAY[1, 2])", {"a": 1, "b": 2}),
    ("map_concat(map(ARRAY['a'], ARRAY[1]), map(ARRAY['a', 'b'], ARRAY[2, 3]))", {"a": 2, "b": 3}),
    ("map_from_entries(ARRAY[ROW('a', 1), ROW('b', 2)])", {"a": 1, "b": 2}),
    ("map_keys(map(ARRAY['a', 'b'], ARRAY[1, 2]))", ["a", "b"]),
    ("map_values(map(ARRAY['a', 'b'], ARRAY[1, 2]))", [1, 2]),
]


def _cases(cases: list[tuple[str, Any]]) -> Any:
    return pytest.mark.parametrize(("expression", "expected"), cases, ids=[c[0] for c in cases])


@_cases(AGGREGATES)
def test_aggregate_answers_as_athena(scalar: Callable[..., Any], expression: str, expected: Any) -> None:
    assert scalar(expression, DATA) == expected


@_cases(APPROXIMATE)
def test_floating_aggregates_agree_to_the_last_digits(scalar: Callable[..., Any], expression: str, expected: Any) -> None:
    assert scalar(expression, DATA) == pytest.approx(expected, rel=1e-12)


def test_arbitrary_and_any_value_pick_a_non_null_value(scalar: Callable[..., Any]) -> None:
    assert scalar("arbitrary(x)", DATA) in XS and scalar("any_value(x)", DATA) in XS


@_cases(ARRAYS + MAPS)
def test_array_and_map_functions_answer_as_athena(scalar: Callable[..., Any], expression: str, expected: Any) -> None:
    actual = scalar(expression)
    assert actual == expected and (expected is not None or actual is None), expression


def test_map_entries_are_key_value_rows(scalar: Callable[..., Any]) -> None:
    entries = scalar("map_entries(map(ARRAY['a', 'b'], ARRAY[1, 2]))")
    assert [tuple(entry.values()) for entry in entries] == [("a", 1), ("b", 2)]


def test_unnest_expands_an_array_into_rows(engine: DuckDBQueryEngine) -> None:
    result = engine.run_query("SELECT x FROM UNNEST(ARRAY[1, 2]) AS t(x) ORDER BY x")
    assert result.rows == [(1,), (2,)]


def test_window_functions_answer_as_athena(engine: DuckDBQueryEngine) -> None:
    frame = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
    result = engine.run_query(
        "SELECT row_number() OVER w, rank() OVER w, dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w, "
        "ntile(2) OVER w, lag(x) OVER w, lag(x, 1, 0) OVER w, lead(x) OVER w, first_value(x) OVER w, "
        f"last_value(x) OVER (ORDER BY x {frame}), nth_value(x, 2) OVER (ORDER BY x {frame}) "
        "FROM (VALUES (1, 1), (2, 2), (2, 3), (3, 4)) AS t(x, id) WINDOW w AS (ORDER BY x, id) ORDER BY id"
    )
    columns = list(zip(*result.rows))
    assert columns[0] == (1, 2, 3, 4)  # row_number
    assert columns[1] == (1, 2, 3, 4) and columns[2] == (1, 2, 3, 4)  # ties broken by id
    assert columns[3] == (0.0, 1 / 3, 2 / 3, 1.0) and columns[4] == (0.25, 0.5, 0.75, 1.0)
    assert columns[5] == (1, 1, 2, 2)
    assert columns[6] == (None, 1, 2, 2) and columns[7] == (0, 1, 2, 2) and columns[8] == (2, 2, 3, None)
    assert columns[9] == (1, 1, 1, 1) and columns[10] == (3, 3, 3, 3) and columns[11] == (2, 2, 2, 2)


def test_ranking_ties_without_a_tiebreaker(engine: DuckDBQueryEngine) -> None:
    result = engine.run_query(
        "SELECT x, rank() OVER (ORDER BY x), dense_rank() OVER (ORDER BY x), cume_dist() OVER (ORDER BY x) "
        "FROM (VALUES 1, 2, 2, 3) AS t(x) ORDER BY x"
    )
    assert [row[1:] for row in result.rows] == [(1, 1, 0.25), (2, 2, 0.75), (2, 2, 0.75), (4, 3, 1.0)]


def test_map_agg_skips_null_keys_and_array_sort_refuses_a_comparator(engine: DuckDBQueryEngine) -> None:
    assert engine.run_query(f"SELECT map_agg(s, x) {DATA}").rows[0][0] == {"a": 1, "b": 2, "c": 3}
    assert engine.run_query(f"SELECT cardinality(map_agg(s, x)), cardinality(histogram(x)) {DATA}").rows == [(3, 3)]
    with pytest.raises(QueryError, match="NOT_SUPPORTED: array_sort with a comparator"):
        engine.run_query("SELECT array_sort(ARRAY[1, 2], (a, b) -> 0)")
