from __future__ import annotations

import pytest

from lakehouse.errors import QueryError
from lakehouse.sql.saved import saved_queries
from lakehouse.sql.translate import TableReference, parse_athena, qualify_tables, referenced_tables, require_query, to_duckdb


def test_tables_resolve_to_the_default_database_and_ctes_are_skipped() -> None:
    tree = parse_athena(
        "WITH recent AS (SELECT * FROM monthly_volume) "
        "SELECT * FROM recent JOIN other_db.yearly_volume y ON true JOIN awsdatacatalog.vancouver_311.inquiry_volume i ON true"
    )
    assert set(referenced_tables(tree, "vancouver_311")) == {
        TableReference("vancouver_311", "monthly_volume"),
        TableReference("other_db", "yearly_volume"),
        TableReference("vancouver_311", "inquiry_volume"),
    }
    sql = to_duckdb(qualify_tables(tree, "vancouver_311"))
    assert '"vancouver_311"."monthly_volume"' in sql and "awsdatacatalog" not in sql
    assert "FROM recent" in sql


def test_only_queries_are_accepted() -> None:
    with pytest.raises(QueryError, match="NOT_SUPPORTED: DROP"):
        require_query(parse_athena("DROP TABLE inquiry_volume"))
    require_query(parse_athena("SELECT 1"))


def test_syntax_errors_name_the_position() -> None:
    with pytest.raises(QueryError, match=r"^SYNTAX_ERROR: line 1:\d+"):
        parse_athena("SELECT FROM WHERE (")


def test_one_statement_at_a_time() -> None:
    with pytest.raises(QueryError, match="expected one statement, got 2"):
        parse_athena("SELECT 1; SELECT 2")


def test_saved_queries_parse_and_declare_their_parameters() -> None:
    queries = saved_queries()
    assert set(queries) == {"top_departments", "monthly_trend", "volume_by_year", "year_comparison"}
    for query in queries.values():
        tree = parse_athena(query.sql)
        require_query(tree)
        assert query.sql.count("?") == len(query.parameters), query.name
    assert [p.name for p in queries["year_comparison"].parameters] == ["year_a", "year_b"]
    assert queries["year_comparison"].bind({"year_a": "2023", "year_b": 2024}) == [2023, 2024]


def test_calls_the_translator_writes_name_no_athena_function() -> None:
    """A decimal division becomes DuckDB ABS/SIGN calls: DuckDB's, so never looked up or rewritten
    as Athena calls (the lookup by class would parse every example in the function table)."""
    from sqlglot import exp

    from lakehouse.sql.functions import athena_name
    from lakehouse.sql.rewrites import duck

    written = duck("SIGN(_a)", _a=parse_athena("SELECT abs(x)").expressions[0])
    calls = [(type(node).__name__, athena_name(node)) for node in written.find_all(exp.Func)]
    assert calls == [("Sign", None), ("Abs", "abs")]  # the template's SIGN; the query's own abs() keeps its name
    sql = to_duckdb(parse_athena("SELECT 100.0 * x / y FROM t"), {"db": {"t": {"x": "bigint", "y": "bigint"}}})
    assert "SIGN(" in sql and "ABS(" in sql
