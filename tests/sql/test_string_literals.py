"""Backslashes in string literals: Athena's queries (Trino) keep them as they are, and its DDL
(Hive) reads them as escapes. sqlglot tokenizes both; a literal it cannot close is a one-line
SYNTAX_ERROR (not an internal error), and a location written with a backslash is refused in
one line before anything is written (sqlglot decoded 'a\tb' to a tab that was then dropped,
and 'a\qb' to 'aqb': the table pointed somewhere else than the statement said)."""

from __future__ import annotations

from pathlib import Path

import pytest
from statements_support import DB, Athena, make_athena

from lakehouse.errors import QueryError


@pytest.fixture
def athena(tmp_path: Path) -> Athena:
    return make_athena(tmp_path)


@pytest.mark.parametrize(("literal", "value"), [(r"'a\b'", "a\\b"), (r"'C:\new\table'", "C:\\new\\table"),
                                                 (r"'C:\'", "C:\\"), (r"'a\\b'", "a\\\\b"), ("'it''s'", "it's")])
def test_a_query_keeps_backslashes_as_written(athena: Athena, literal: str, value: str) -> None:
    assert athena.run(f"SELECT {literal} AS x, 'next' AS y").rows == [(value, "next")]


def test_a_literal_that_is_not_closed_is_a_one_line_syntax_error(athena: Athena) -> None:
    with pytest.raises(QueryError) as raised:
        athena.run(r"SELECT 'a\'b' AS x")
    message = str(raised.value)
    assert message.startswith("SYNTAX_ERROR: ") and "\n" not in message and "not closed" in message


@pytest.mark.parametrize("location", [r"s3://curated/a\b/", r"s3://curated/a\\b/", r"s3://curated/a\tb/",
                                      r"s3://curated/a\qb/"])
def test_a_location_with_backslash_escapes_is_refused_and_writes_nothing(athena: Athena, location: str) -> None:
    athena.run(f"CREATE DATABASE IF NOT EXISTS {DB}")
    with pytest.raises(QueryError) as raised:
        athena.run(f"CREATE EXTERNAL TABLE {DB}.escaped (a int) STORED AS PARQUET LOCATION '{location}'")
    assert str(raised.value).startswith("INVALID_LOCATION: ") and "\n" not in str(raised.value)
    assert [t["Name"] for t in athena.catalog.get_tables(DB)] == []
    with pytest.raises(QueryError, match="INVALID_LOCATION"):
        athena.run(f"CREATE TABLE {DB}.escaped WITH (external_location = '{location}') AS SELECT 1 AS a")
    with pytest.raises(QueryError, match="INVALID_LOCATION"):
        athena.run(f"UNLOAD (SELECT 1 AS a) TO '{location}' WITH (format = 'PARQUET')")
    assert athena.keys("curated") == []
