"""SHOW …, DESCRIBE, EXPLAIN and UNLOAD: result shapes as Athena prints them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from statements_support import DB, Athena, make_athena

from lakehouse.errors import QueryError

CALLS = [(1, "Phone", 3.5, 2023), (2, "Web", 1.0, 2024), (3, "Phone", 2.0, 2024)]
CALLS_SQL = ("SELECT * FROM (VALUES " + ", ".join(f"({i}, '{c}', {m}e0, {y})" for i, c, m, y in CALLS)
             + ") AS v(id, channel, minutes, year)")


@pytest.fixture
def athena(tmp_path: Path) -> Athena:
    athena = make_athena(tmp_path)
    athena.run(f"CREATE TABLE calls WITH (partitioned_by = ARRAY['year']) AS {CALLS_SQL}")
    athena.run("CREATE EXTERNAL TABLE notes (id int COMMENT 'note id', body string) COMMENT 'Free text' "
               "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\001' LOCATION 's3://raw/notes/' "
               "TBLPROPERTIES ('skip.header.line.count'='1')")
    athena.run("CREATE VIEW phone_calls AS SELECT id FROM calls WHERE channel = 'Phone'")
    return athena


def _column(result_rows: list[tuple[object, ...]]) -> list[object]:
    return [row[0] for row in result_rows]


def test_show_databases_tables_views_and_columns(athena: Athena) -> None:
    athena.run("CREATE DATABASE archive")
    assert athena.run("SHOW DATABASES").columns == ["database_name"]
    assert _column(athena.run("SHOW DATABASES").rows) == ["archive", DB]
    assert _column(athena.run("SHOW SCHEMAS LIKE 'van*'").rows) == [DB]
    tables = athena.run("SHOW TABLES")
    assert (tables.columns, _column(tables.rows)) == (["tab_name"], ["calls", "notes", "phone_calls"])
    assert _column(athena.run(f"SHOW TABLES IN {DB} 'c*|n*'").rows) == ["calls", "notes"]
    assert athena.run("SHOW TABLES IN archive").rows == []
    views = athena.run("SHOW VIEWS")
    assert (views.columns, _column(views.rows)) == (["views"], ["phone_calls"])
    assert athena.run(f"SHOW VIEWS IN {DB} LIKE 'x*'").rows == []
    columns = athena.run("SHOW COLUMNS IN calls")
    assert (columns.columns, _column(columns.rows)) == (["field"], ["id", "channel", "minutes", "year"])
    assert _column(athena.run(f"SHOW COLUMNS FROM notes IN {DB}").rows) == ["id", "body"]
    with pytest.raises(QueryError, match="^SCHEMA_NOT_FOUND: Schema 'nope' does not exist"):
        athena.run("SHOW TABLES IN nope")
    with pytest.raises(QueryError, match="^TABLE_NOT_FOUND"):
        athena.run("SHOW COLUMNS IN nope")


def test_show_tblproperties(athena: Athena) -> None:
    result = athena.run("SHOW TBLPROPERTIES notes")
    assert result.columns == ["prpt_name", "prpt_value"]
    assert dict(result.rows) == {"EXTERNAL": "TRUE", "classification": "csv", "comment": "Free text",
                                 "skip.header.line.count": "1"}
    assert athena.run("SHOW TBLPROPERTIES notes ('classification')").rows == [("classification", "csv")]


def test_describe_prints_partition_information(athena: Athena) -> None:
    result = athena.run("DESCRIBE calls")
    assert result.columns == ["col_name", "data_type", "comment"]
    assert result.rows == [
        ("id", "int", ""), ("channel", "string", ""), ("minutes", "double", ""), ("year", "int", ""),
        ("", "", ""), ("# Partition Information", "", ""), ("# col_name", "data_type", "comment"), ("", "", ""),
        ("year", "int", "")]
    assert athena.run("DESCRIBE notes").rows == [("id", "int", "note id"), ("body", "string", "")]
    assert athena.run("DESCRIBE phone_calls").rows == [("id", "int", "")]
    formatted = dict((row[0], row[1]) for row in athena.run(f"DESCRIBE FORMATTED {DB}.notes").rows if row[0])
    assert formatted["Location:"] == "s3://raw/notes/" and formatted["Table Type:"] == "EXTERNAL_TABLE"
    assert formatted["SerDe Library:"] == "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
    extended = athena.run("DESCRIBE EXTENDED notes").rows[-1]
    assert extended[0] == "Detailed Table Information" and json.loads(extended[1])["Name"] == "notes"


def test_show_create_table_rebuilds_ddl_that_recreates_the_table(athena: Athena) -> None:
    for name in ("calls", "notes"):
        before = athena.table(name)
        ddl = "\n".join(_column(athena.run(f"SHOW CREATE TABLE {name}").rows))
        assert ddl.startswith(f"CREATE EXTERNAL TABLE `{DB}`.`{name}`(")
        athena.run(f"DROP TABLE {name}")
        athena.run(ddl)
        after = athena.table(name)
        for field in ("TableType", "Parameters", "PartitionKeys"):
            assert after[field] == before[field], field
        for field in ("Columns", "Location", "InputFormat", "OutputFormat", "SerdeInfo"):
            assert after["StorageDescriptor"][field] == before["StorageDescriptor"][field], field
    lines = _column(athena.run("SHOW CREATE TABLE notes").rows)
    assert "  `id` int COMMENT 'note id', " in lines and "COMMENT 'Free text'" in lines
    assert "  'field.delim'='\\001', " in lines  # the control character printed as Hive does
    with pytest.raises(QueryError, match="^SYNTAX_ERROR: 'vancouver_311.phone_calls' is a view: use SHOW CREATE VIEW"):
        athena.run("SHOW CREATE TABLE phone_calls")


def test_show_create_view(athena: Athena) -> None:
    result = athena.run("SHOW CREATE VIEW phone_calls")
    assert result.columns == ["Create View"]
    assert result.rows[0][0].startswith('CREATE VIEW "vancouver_311"."phone_calls" AS\nSELECT id FROM calls')


def test_explain_returns_duckdbs_plan_and_says_so(athena: Athena) -> None:
    plan = athena.run("EXPLAIN SELECT channel, count(*) FROM calls WHERE year = ? GROUP BY channel", 2024)
    assert plan.columns == ["Query Plan"]
    lines = _column(plan.rows)
    assert "DuckDB" in lines[0] and "not Athena's" in lines[0]
    assert any("HASH_GROUP_BY" in str(line) for line in lines)
    distributed = _column(athena.run("EXPLAIN (TYPE DISTRIBUTED) SELECT * FROM phone_calls").rows)
    assert any("READ_PARQUET" in str(line) for line in distributed)  # the view expanded to its table's scan
    logical = _column(athena.run("EXPLAIN (TYPE LOGICAL, FORMAT TEXT) SELECT id FROM calls").rows)
    assert logical[0].startswith("-- DuckDB")
    assert athena.run("EXPLAIN (TYPE VALIDATE) SELECT id FROM calls").rows == [(True,)]
    analyzed = _column(athena.run("EXPLAIN ANALYZE SELECT id FROM calls WHERE year = 2024").rows)
    assert analyzed[0].startswith("-- DuckDB profiled plan") and any("Total Files Read: 1" in str(x) for x in analyzed)
    with pytest.raises(QueryError, match="^NOT_SUPPORTED: EXPLAIN \\(TYPE IO"):
        athena.run("EXPLAIN (TYPE IO) SELECT id FROM calls")
    with pytest.raises(QueryError, match="^NOT_SUPPORTED: EXPLAIN of DROP statements"):
        athena.run("EXPLAIN DROP TABLE calls")
    with pytest.raises(QueryError, match="^TABLE_NOT_FOUND"):
        athena.run("EXPLAIN SELECT * FROM nope")


def test_unload_writes_each_format(athena: Athena) -> None:
    result = athena.run("UNLOAD (SELECT id, channel FROM calls WHERE minutes > ?) TO 's3://landing/out/parquet/' "
                        "WITH (format = 'PARQUET')", 1.5)
    assert (result.columns, result.rows) == (["rows"], [(2,)])
    assert sorted(r["id"] for r in athena.parquet_rows("landing", "out/parquet/")) == [1, 3]
    athena.run("UNLOAD (SELECT id, channel FROM calls ORDER BY id) TO 's3://landing/out/json/' "
               "WITH (format = 'JSON', compression = 'NONE')")
    [key] = athena.keys("landing", "out/json/")
    assert key.endswith(".json")
    lines = athena.store.get_object("landing", key).decode().splitlines()
    assert [json.loads(line) for line in lines] == [{"id": i, "channel": c} for i, c, _, _ in CALLS]
    athena.run("UNLOAD (SELECT id, channel, year FROM calls) TO 's3://landing/out/text/' "
               "WITH (format = 'TEXTFILE', field_delimiter = ',', partitioned_by = ARRAY['year'])")
    keys = athena.keys("landing", "out/text/")
    assert sorted(k.split("/")[2] for k in keys) == ["year=2023", "year=2024"] and all(k.endswith(".txt.gz") for k in keys)
    texts = sorted(gzip.decompress(athena.store.get_object("landing", k)).decode() for k in keys)
    assert texts == ["1,Phone\n", "2,Web\n3,Phone\n"] or texts == ["1,Phone\n", "3,Phone\n2,Web\n"]
    assert athena.catalog.get_tables(DB)  # UNLOAD registers nothing
    assert sorted(t["Name"] for t in athena.catalog.get_tables(DB)) == ["calls", "notes", "phone_calls"]


@pytest.mark.parametrize(("sql", "message"), [
    ("UNLOAD (SELECT 1 AS a) TO 's3://landing/taken/' WITH (format = 'JSON')", "^HIVE_PATH_ALREADY_EXISTS"),
    ("UNLOAD (SELECT 1 AS a) TO 's3://not-ours/x/' WITH (format = 'JSON')", "^INVALID_LOCATION: bucket 'not-ours'"),
    ("UNLOAD (SELECT 1 AS a) TO 's3://landing/x/' WITH (format = 'ORC')", "^NOT_SUPPORTED: format 'ORC'"),
    ("UNLOAD (SELECT 1 AS a) TO 's3://landing/x/' WITH (format = 'JSON', compression = 'ZSTD')",
     "^NOT_SUPPORTED: compression 'ZSTD' for JSON"),
    ("UNLOAD (SELECT 1 AS a) TO 's3://landing/x/' WITH (colour = 'red')", "^SYNTAX_ERROR: .*'colour' does not exist"),
    ("UNLOAD SELECT 1 TO 's3://landing/x/'", "^SYNTAX_ERROR: UNLOAD needs a parenthesised query"),
    ("UNLOAD (SELECT 1 AS a) 's3://landing/x/'", "^SYNTAX_ERROR: expected TO"),
])
def test_unload_errors(athena: Athena, sql: str, message: str) -> None:
    athena.put("landing", "taken/old.json", b"{}")
    with pytest.raises(QueryError, match=message):
        athena.run(sql)
    assert athena.keys("landing") == ["taken/old.json"]
