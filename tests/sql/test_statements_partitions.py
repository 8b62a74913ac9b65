"""Partitions: MSCK REPAIR TABLE, ALTER TABLE ADD / DROP PARTITION, SHOW PARTITIONS, pruning."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from statements_support import DB, Athena, make_athena

from lakehouse.errors import QueryError


@pytest.fixture
def athena(tmp_path: Path) -> Athena:
    athena = make_athena(tmp_path)
    athena.run("CREATE EXTERNAL TABLE requests (id bigint, kind string) PARTITIONED BY (year int, month string) "
               "STORED AS PARQUET LOCATION 's3://curated/requests/'")
    return athena


def _parquet(ids: list[int]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "kind": [f"k{i}" for i in ids]}), buffer)
    return buffer.getvalue()


def _partitions(athena: Athena, table: str = "requests") -> list[tuple[list[str], str]]:
    return [(p["Values"], p["StorageDescriptor"]["Location"]) for p in athena.catalog.get_partitions(DB, table)]


def test_msck_repair_adds_the_folders_the_catalog_lacks(athena: Athena) -> None:
    athena.put("curated", "requests/year=2024/month=01/a.parquet", _parquet([1, 2]))
    athena.put("curated", "requests/year=2024/month=02/a.parquet", _parquet([3]))
    athena.put("curated", "requests/year=2025/month=a%2Fb/a.parquet", _parquet([4]))  # Hive-escaped value
    athena.put("curated", "requests/notes/readme.txt", b"not a partition")
    athena.put("curated", "requests/year=2024/notes.txt", b"too shallow for two keys")
    athena.run("ALTER TABLE requests ADD PARTITION (year=2024, month='01')")
    result = athena.run("MSCK REPAIR TABLE requests")
    assert result is not None and result.columns == ["result"]
    assert [row[0] for row in result.rows] == [
        "Partitions not in metastore:\trequests:year=2024/month=02\trequests:year=2025/month=a%2Fb",
        "Repair: Added partition to metastore requests:year=2024/month=02",
        "Repair: Added partition to metastore requests:year=2025/month=a%2Fb"]
    assert _partitions(athena) == [
        (["2024", "01"], "s3://curated/requests/year=2024/month=01/"),
        (["2024", "02"], "s3://curated/requests/year=2024/month=02/"),
        (["2025", "a/b"], "s3://curated/requests/year=2025/month=a%2Fb/")]
    partition = athena.catalog.get_partition(DB, "requests", ["2024", "02"])
    table = athena.table("requests")
    assert partition["StorageDescriptor"]["SerdeInfo"] == table["StorageDescriptor"]["SerdeInfo"]
    assert partition["StorageDescriptor"]["Columns"] == table["StorageDescriptor"]["Columns"]
    again = athena.run("MSCK REPAIR TABLE requests")
    assert again is not None and again.rows == []
    rows = athena.run("SELECT year, month, count(*) FROM requests WHERE year = 2024 GROUP BY 1, 2 ORDER BY 2").rows
    assert rows == [(2024, "01", 2), (2024, "02", 1)]


def test_msck_repair_makes_new_text_partitions_readable(athena: Athena) -> None:
    athena.run("CREATE EXTERNAL TABLE notes (body string) PARTITIONED BY (day string) "
               "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://raw/notes/'")
    athena.put("raw", "notes/day=mon/n.txt", b"first\n")
    athena.put("raw", "notes/day=tue/n.txt", b"second\n")
    # Athena reads registered partitions only: folders the catalog does not know answer nothing.
    assert athena.run("SELECT body FROM notes").rows == []
    athena.run("MSCK REPAIR TABLE notes")
    assert athena.run("SELECT day, body FROM notes ORDER BY day").rows == [("mon", "first"), ("tue", "second")]
    assert athena.run("SELECT body FROM notes WHERE day = 'tue'").rows == [("second",)]


def test_alter_table_add_partitions(athena: Athena) -> None:
    athena.run("ALTER TABLE requests ADD PARTITION (year=2024, month='01')")
    athena.run("ALTER TABLE requests ADD IF NOT EXISTS PARTITION (year=2024, month='01') "
               "PARTITION (month='02', year=2024) LOCATION 's3://landing/requests/feb/' PARTITION (year=2023, month='12')")
    assert _partitions(athena) == [
        (["2023", "12"], "s3://curated/requests/year=2023/month=12/"),
        (["2024", "01"], "s3://curated/requests/year=2024/month=01/"),
        (["2024", "02"], "s3://landing/requests/feb/")]
    for sql, message in [
        ("ALTER TABLE requests ADD PARTITION (year=2024, month='01')",
         r"^AlreadyExistsException: Partition already exists: \(year = '2024', month = '01'\)"),
        ("ALTER TABLE requests ADD PARTITION (year=2024)", "^SYNTAX_ERROR: a partition of vancouver_311.requests needs"),
        ("ALTER TABLE requests ADD PARTITION (year=2024, day='1')", "^SYNTAX_ERROR: 'day' is not a partition key"),
        ("ALTER TABLE requests ADD PARTITION (year=1, month='1') LOCATION 's3://other-bucket/x/'",
         "^INVALID_LOCATION: bucket 'other-bucket'"),
        ("ALTER TABLE requests ADD PARTITION (year=1, month='1') LOCATION 's3://curated/../x/'", "^INVALID_LOCATION"),
        ("ALTER TABLE missing ADD PARTITION (year=1)", "^TABLE_NOT_FOUND"),
        ("ALTER TABLE requests RENAME TO r2", "^NOT_SUPPORTED: ALTER TABLE supports ADD PARTITION and DROP PARTITION"),
    ]:
        with pytest.raises(QueryError, match=message):
            athena.run(sql)
    assert len(_partitions(athena)) == 3


def test_alter_table_drop_partitions_keeps_files(athena: Athena) -> None:
    athena.put("curated", "requests/year=2024/month=01/a.parquet", _parquet([1]))
    athena.run("ALTER TABLE requests ADD PARTITION (year=2024, month='01') PARTITION (year=2024, month='02') "
               "PARTITION (year=2025, month='01')")
    athena.run("ALTER TABLE requests DROP PARTITION (year=2024, month='01')")
    assert [values for values, _ in _partitions(athena)] == [["2024", "02"], ["2025", "01"]]
    assert athena.keys("curated", "requests/") == ["requests/year=2024/month=01/a.parquet"]
    athena.run("ALTER TABLE requests DROP IF EXISTS PARTITION (year=2024, month='01'), PARTITION (month='01')")
    assert [values for values, _ in _partitions(athena)] == [["2024", "02"]]
    with pytest.raises(QueryError, match=r"^EntityNotFoundException: Partition not found \(year = '1999'\)"):
        athena.run("ALTER TABLE requests DROP PARTITION (year=1999)")


def test_show_partitions(athena: Athena) -> None:
    athena.run("ALTER TABLE requests ADD PARTITION (year=2024, month='02') PARTITION (year=2024, month='01')")
    result = athena.run("SHOW PARTITIONS requests")
    assert (result.columns, result.rows) == (["partition"], [("year=2024/month=01",), ("year=2024/month=02",)])
    athena.run("CREATE EXTERNAL TABLE flat (a int) STORED AS PARQUET LOCATION 's3://curated/flat/'")
    with pytest.raises(QueryError, match="^SYNTAX_ERROR: Table vancouver_311.flat is not partitioned"):
        athena.run("SHOW PARTITIONS flat")


def test_partition_pruning_shows_in_the_plan(athena: Athena) -> None:
    athena.run("CREATE TABLE monthly WITH (partitioned_by = ARRAY['month']) AS "
               "SELECT * FROM (VALUES (1, '01'), (2, '02'), (3, '03')) AS v(n, month)")
    plan = "\n".join(row[0] for row in athena.run("EXPLAIN SELECT n FROM monthly WHERE month = '02'").rows)
    assert plan.startswith("-- DuckDB physical plan")
    assert "Scanning Files: 1/3" in plan  # two of the three partition folders are never opened
    assert athena.run("SELECT n FROM monthly WHERE month = '02'").rows == [(2,)]
