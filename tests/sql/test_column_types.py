"""Catalog column types the engine reads: decimal(p,s), char/varchar(n) and nested types."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from statements_support import Athena, make_athena

from lakehouse.errors import QueryError


@pytest.fixture
def athena(tmp_path: Path) -> Athena:
    return make_athena(tmp_path)


def test_ctas_over_decimals_then_querying_the_table(athena: Athena) -> None:
    athena.run("CREATE TABLE prices AS SELECT * FROM (VALUES (1, CAST(10.25 AS decimal(10, 2))), "
               "(2, CAST(7.50 AS decimal(10, 2)))) AS v(id, price)")
    assert athena.table("prices")["StorageDescriptor"]["Columns"][1] == {"Name": "price", "Type": "decimal(10,2)"}
    result = athena.run("SELECT id, price, price * 2, price / 3 FROM prices ORDER BY id")
    assert result.types[1] == "decimal(10,2)"
    # decimal / integer keeps the decimal's scale, rounded half up (10.25 / 3 = 3.41666…, 7.50 / 3 = 2.5)
    assert result.rows == [(1, Decimal("10.25"), Decimal("20.50"), Decimal("3.42")),
                           (2, Decimal("7.50"), Decimal("15.00"), Decimal("2.50"))]
    assert athena.run("SELECT sum(price) FROM prices").rows == [(Decimal("17.75"),)]


def test_external_table_with_decimal_varchar_and_array_columns(athena: Athena) -> None:
    table = pa.table({"code": ["ab", "cd"], "amount": pa.array([Decimal("1.005"), Decimal("-2.250")], pa.decimal128(9, 3)),
                      "tags": [["x", "y"], []]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    athena.put("curated", "ledger/part-0.parquet", buffer.getvalue())
    athena.run("CREATE EXTERNAL TABLE ledger (code varchar(2), amount decimal(9,3), tags array<string>) "
               "STORED AS PARQUET LOCATION 's3://curated/ledger/'")
    rows = athena.run("SELECT code, amount, cardinality(tags) FROM ledger ORDER BY amount").rows
    assert rows == [("cd", Decimal("-2.250"), 0), ("ab", Decimal("1.005"), 2)]


def test_an_impossible_decimal_is_an_error_naming_the_type(athena: Athena) -> None:
    document = {"Name": "bad", "TableType": "EXTERNAL_TABLE",
                "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "decimal(40,2)"}],
                                      "Location": "s3://curated/bad/"}}
    athena.catalog.create_table("vancouver_311", document)
    athena.put("curated", "bad/part-0.parquet", _one_row_parquet())
    with pytest.raises(QueryError, match=r"^NOT_SUPPORTED: column type 'decimal\(40,2\)'"):
        athena.run("SELECT x FROM bad")


def _one_row_parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": [1]}), buffer)
    return buffer.getvalue()
