"""Division answers as in Athena: int / int truncates, DECIMAL / x rounds half up at the larger scale.

Expected values are Athena's, worked out by hand (Python's Decimal for the rounding).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from emulation.athena.engine import DuckDBQueryEngine
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from functions_support import engine, scalar  # noqa: F401 - fixtures
from lakehouse.catalog.glue_shapes import table_input
from lakehouse.config import Settings
from lakehouse.etl.models import ALL_TABLES
from lakehouse.sql.saved import saved_queries
from lakehouse.sql.translate import parse_athena, qualify_tables, to_duckdb


def half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


CASES = [
    ("5 / 2", 2),  # DuckDB alone: 2.5
    ("-7 / 2", -3),  # truncated toward zero, not floored
    ("7 / -2", -3),
    ("CAST(7 AS bigint) / 2", 3),
    ("CAST(7 AS smallint) / CAST(2 AS tinyint)", 3),
    ("7 / 2 * 3", 9),
    ("1 + 7 / 2", 4),
    ("length('abcde') / 2", 2),
    ("5.0 / 2", Decimal("2.5")),
    ("1.0 / 3", half_up(Decimal(1) / Decimal(3), 1)),  # DuckDB alone: 0.333…
    ("-7.5 / 2", Decimal("-3.8")),  # half up on the magnitude
    ("100.0 * 3 / 7", half_up(Decimal(300) / Decimal(7), 1)),
    ("2.5 / 1.25", Decimal("2.00")),
    ("1 / 3.00", Decimal("0.33")),
    ("CAST(1 AS decimal(10, 2)) / CAST(3 AS decimal(10, 4))", half_up(Decimal(1) / Decimal(3), 4)),
    ("5E0 / 2", 2.5),  # a DOUBLE divides as a double
    ("CAST(5 AS double) / 2", 2.5),
]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0] for c in CASES])
def test_division_answers_as_athena(scalar: Callable[..., Any], expression: str, expected: Any) -> None:
    actual = scalar(expression)
    assert actual == expected and type(actual) is type(expected), (expression, actual)


def test_integer_columns_of_derived_tables_and_aggregates_divide_as_integers(engine: DuckDBQueryEngine) -> None:
    result = engine.run_query(
        "WITH t AS (SELECT CAST(x AS integer) AS a, 2 AS b FROM (VALUES 7, 9) AS v(x)) "
        "SELECT a / b, sum(a) OVER () / count(*) OVER () FROM t ORDER BY a"
    )
    assert result.rows == [(3, 8), (4, 8)]
    assert engine.run_query("SELECT count(*) / 2 FROM (VALUES 1, 2, 3) AS t(x)").rows == [(1,)]


@pytest.fixture
def catalog_engine(tmp_path: Path) -> DuckDBQueryEngine:
    """yearly_volume with two years: 1,000 inquiries over 12 months and 500 over 7."""
    store = FileObjectStore(tmp_path)
    catalog = ObjectStoreCatalog(store, "catalog")
    frame = pl.DataFrame({"year": [2023, 2024], "inquiries": [1000, 500], "months": [12, 7],
                          "first_month": [None, None], "last_month": [None, None], "departments": [3, 3],
                          "complete": [True, False]}, schema_overrides={"first_month": pl.Date, "last_month": pl.Date})
    frame.write_parquet(tmp_path / "part.parquet")
    store.create_bucket("curated")
    store.upload_file(tmp_path / "part.parquet", "curated", "vancouver_311/yearly_volume/part-00000.parquet")
    table = next(t for t in ALL_TABLES if t.name == "yearly_volume")
    catalog.create_database({"Name": "vancouver_311"})
    catalog.create_table("vancouver_311", table_input(table.name, table.description, table.columns,
                                                      table.partition_keys, "s3://curated/vancouver_311/yearly_volume/"))
    return DuckDBQueryEngine(catalog, store, Settings(home=tmp_path))


def test_catalog_column_types_make_integer_columns_divide_as_integers(catalog_engine: DuckDBQueryEngine) -> None:
    sql = "SELECT inquiries / months, inquiries / 7, year / departments FROM yearly_volume ORDER BY year"
    assert catalog_engine.run_query(sql).rows == [(1000 // 12, 1000 // 7, 2023 // 3), (500 // 7, 500 // 7, 2024 // 3)]
    untyped = to_duckdb(qualify_tables(parse_athena(sql), "vancouver_311"))
    assert "//" not in untyped  # without the schema the columns' types are unknown: the engine must pass it


def test_catalog_column_types_reach_views_and_the_api(catalog_engine: DuckDBQueryEngine) -> None:
    catalog_engine.run_query("CREATE VIEW per_month AS SELECT year, inquiries / months AS average FROM yearly_volume")
    assert catalog_engine.run_query("SELECT average FROM per_month ORDER BY year").rows == [(83,), (71,)]
    qid = catalog_engine.start_query_execution("SELECT sum(inquiries) / sum(months) FROM yearly_volume")
    rows = catalog_engine.get_query_results(qid)["ResultSet"]["Rows"]
    assert rows[1] == {"Data": [{"VarCharValue": str(1500 // 19)}]}


def test_saved_query_share_is_rounded_to_athenas_decimal_scale(catalog_engine: DuckDBQueryEngine) -> None:
    """100.0 * inquiries / sum(…) is DECIMAL(…, 1) in Athena: round(…, 2) cannot add a digit."""
    rows = catalog_engine.run_query(saved_queries()["volume_by_year"].sql).rows
    shares = [row[4] for row in rows]
    assert shares == [half_up(Decimal(100_000) / 1500, 1), half_up(Decimal(50_000) / 1500, 1)]  # 66.7, 33.3
    assert [row[5] for row in rows] == [round(1000 / 12), round(500 / 7)]  # a double division stays one
