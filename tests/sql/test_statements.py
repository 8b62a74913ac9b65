"""Athena DDL and DML on the emulator: databases, external tables, CTAS, INSERT INTO, DROP TABLE."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from statements_support import DB, Athena, make_athena

from lakehouse.catalog.glue_shapes import PARQUET_INPUT, PARQUET_OUTPUT, PARQUET_SERDE
from lakehouse.errors import QueryError

LAZY_SIMPLE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
SALES = [(1, "north", 10.5, 2023), (2, "south", 4.0, 2024), (3, "north", 7.25, 2024), (4, "east", 1.0, 2025)]
SALES_SQL = ("SELECT * FROM (VALUES " + ", ".join(f"({i}, '{r}', {a}e0, {y})" for i, r, a, y in SALES)
             + ") AS s(id, region, amount, year)")


@pytest.fixture
def athena(tmp_path: Path) -> Athena:
    return make_athena(tmp_path)


# -- databases ---------------------------------------------------------------------------

def test_create_database_keeps_comment_and_location(athena: Athena) -> None:
    athena.run("CREATE DATABASE IF NOT EXISTS sales COMMENT 'Sales data' LOCATION 's3://curated/sales/'")
    database = athena.catalog.get_database("sales")
    assert database["Description"] == "Sales data" and database["LocationUri"] == "s3://curated/sales/"
    athena.run("CREATE DATABASE IF NOT EXISTS sales")  # no error, nothing changes
    with pytest.raises(QueryError, match="^AlreadyExistsException: Database sales already exists$"):
        athena.run("CREATE DATABASE sales")


def test_schema_and_dbproperties_forms(athena: Athena) -> None:
    athena.run("CREATE SCHEMA reports")
    athena.run("CREATE DATABASE tagged COMMENT 'x' WITH DBPROPERTIES ('owner'='data-team', 'tier'='gold')")
    assert athena.catalog.get_database("reports")["Name"] == "reports"
    assert athena.catalog.get_database("tagged")["Parameters"] == {"owner": "data-team", "tier": "gold"}
    athena.run("DROP SCHEMA reports")
    athena.run("DROP SCHEMA IF EXISTS reports CASCADE")
    assert "reports" not in [d["Name"] for d in athena.catalog.get_databases()]


def test_drop_database_refuses_tables_unless_cascade(athena: Athena) -> None:
    athena.run("CREATE DATABASE scratch")
    athena.run("CREATE TABLE scratch.t AS SELECT 1 AS a")
    with pytest.raises(QueryError, match="^InvalidOperationException: Database scratch is not empty"):
        athena.run("DROP DATABASE scratch")
    athena.run("DROP DATABASE scratch CASCADE")
    assert "scratch" not in [d["Name"] for d in athena.catalog.get_databases()]
    assert athena.keys("curated", "scratch/t/")  # data stays
    athena.run("DROP DATABASE IF EXISTS scratch")
    with pytest.raises(QueryError, match="^SCHEMA_NOT_FOUND: Schema 'scratch' does not exist$"):
        athena.run("DROP DATABASE scratch")


# -- CREATE EXTERNAL TABLE ---------------------------------------------------------------------

def test_external_parquet_table_in_glue_shape(athena: Athena) -> None:
    athena.run("""
        CREATE EXTERNAL TABLE IF NOT EXISTS events (
          id bigint COMMENT 'event id', price decimal(10,2), tags array<string>, who struct<name:string,age:int>)
        COMMENT 'Events' PARTITIONED BY (year string, month int)
        STORED AS PARQUET LOCATION 's3://curated/events'
        TBLPROPERTIES ('parquet.compression'='SNAPPY', 'has_encrypted_data'='false')""")
    table = athena.table("events")
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"] == {"EXTERNAL": "TRUE", "classification": "parquet", "comment": "Events",
                                   "parquet.compression": "SNAPPY", "has_encrypted_data": "false"}
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "int"}]
    descriptor = table["StorageDescriptor"]
    assert descriptor["Columns"] == [
        {"Name": "id", "Type": "bigint", "Comment": "event id"}, {"Name": "price", "Type": "decimal(10,2)"},
        {"Name": "tags", "Type": "array<string>"}, {"Name": "who", "Type": "struct<name:string,age:int>"}]
    assert descriptor["Location"] == "s3://curated/events/"  # a folder, as Athena reads it
    assert (descriptor["InputFormat"], descriptor["OutputFormat"]) == (PARQUET_INPUT, PARQUET_OUTPUT)
    assert descriptor["SerdeInfo"] == {"SerializationLibrary": PARQUET_SERDE,
                                       "Parameters": {"serialization.format": "1"}}


def test_external_parquet_table_reads_files_written_elsewhere(athena: Athena, tmp_path: Path) -> None:
    local = tmp_path / "f.parquet"
    pq.write_table(pa.table({"id": pa.array([1, 2], pa.int32()), "name": ["a", "b"]}), local)
    athena.store.create_bucket("raw")
    athena.store.upload_file(local, "raw", "feeds/people/part-0.parquet")
    athena.run("CREATE EXTERNAL TABLE people (id bigint, name string) STORED AS PARQUET LOCATION 's3://raw/feeds/people/'")
    result = athena.run("SELECT id, name FROM people ORDER BY id")
    assert result.rows == [(1, "a"), (2, "b")] and result.types == ["bigint", "varchar"]


def test_external_text_table_reads_delimited_files_like_lazy_simple_serde(athena: Athena) -> None:
    athena.put("raw", "csv/calls/a.csv", b"id,name,minutes\n1,alice,2.5\n2,bob,x\n3,\\N,4\n")
    athena.put("raw", "csv/calls/_SUCCESS", b"")  # Hive skips files starting with _ or .
    athena.run("""CREATE EXTERNAL TABLE calls (id int, name string, minutes double)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE LOCATION 's3://raw/csv/calls/'
        TBLPROPERTIES ('skip.header.line.count'='1')""")
    serde = athena.table("calls")["StorageDescriptor"]["SerdeInfo"]
    assert serde == {"SerializationLibrary": LAZY_SIMPLE,
                     "Parameters": {"field.delim": ",", "serialization.format": ","}}
    assert athena.table("calls")["Parameters"]["classification"] == "csv"
    result = athena.run("SELECT id, name, minutes FROM calls ORDER BY id")
    assert result.rows == [(1, "alice", 2.5), (2, "bob", None), (3, None, 4.0)]  # bad values read as NULL


def test_open_csv_serde_table_reads_quoted_fields(athena: Athena) -> None:
    athena.put("raw", "quoted/q.csv", b'"1","Main St, Unit 2"\n"2","Oak ""Ave"""\n')
    athena.run("""CREATE EXTERNAL TABLE addresses (id int, street string)
        ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
        WITH SERDEPROPERTIES ('separatorChar'=',', 'quoteChar'='"', 'escapeChar'='"')
        STORED AS TEXTFILE LOCATION 's3://raw/quoted/'""")
    assert athena.run("SELECT id, street FROM addresses ORDER BY id").rows == [(1, "Main St, Unit 2"), (2, 'Oak "Ave"')]
    with pytest.raises(QueryError, match="^NOT_SUPPORTED: INSERT INTO tables read with OpenCSVSerde"):
        athena.run("INSERT INTO addresses VALUES (3, 'Elm')")


@pytest.mark.parametrize(("sql", "message"), [
    ("CREATE TABLE t (a int) LOCATION 's3://curated/t/'", "^NOT_SUPPORTED: only EXTERNAL tables"),
    ("CREATE EXTERNAL TABLE t (a int) STORED AS PARQUET", "^SYNTAX_ERROR: CREATE EXTERNAL TABLE needs LOCATION"),
    ("CREATE EXTERNAL TABLE t (a int) LOCATION 's3://someone-elses-bucket/t/'",
     "^INVALID_LOCATION: bucket 'someone-elses-bucket' is not one of the platform's buckets"),
    ("CREATE EXTERNAL TABLE t (a int) LOCATION 's3://catalog/databases/'", "^INVALID_LOCATION: bucket 'catalog'"),
    ("CREATE EXTERNAL TABLE t (a int) LOCATION 's3://curated/a/../../etc/'", "^INVALID_LOCATION: invalid key prefix"),
    ("CREATE EXTERNAL TABLE t (a int) LOCATION 's3://curated/a/%2e%2e/b/'", "^INVALID_LOCATION: invalid key prefix"),
    ("CREATE EXTERNAL TABLE t (a int) LOCATION '/etc/passwd'", "^INVALID_LOCATION: '/etc/passwd' is not an s3://"),
    ("CREATE EXTERNAL TABLE t (a int) STORED AS ORC LOCATION 's3://curated/t/'", "^NOT_SUPPORTED: STORED AS ORC"),
    ("CREATE EXTERNAL TABLE t (a int) PARTITIONED BY (a string) LOCATION 's3://curated/t/'",
     "^SYNTAX_ERROR: Column names must be unique"),
    ("CREATE EXTERNAL TABLE nowhere.t (a int) LOCATION 's3://curated/t/'", "^SCHEMA_NOT_FOUND: Schema 'nowhere'"),
    ("CREATE EXTERNAL TABLE t (a int) CLUSTERED BY (a) INTO 4 BUCKETS LOCATION 's3://curated/t/'",
     "^NOT_SUPPORTED: CLUSTERED BY"),
])
def test_create_external_table_errors(athena: Athena, sql: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        athena.run(sql)
    assert athena.catalog.get_tables(DB) == []


def test_create_external_table_twice(athena: Athena) -> None:
    sql = "CREATE EXTERNAL TABLE t (a int) STORED AS PARQUET LOCATION 's3://curated/t/'"
    athena.run(sql)
    with pytest.raises(QueryError, match="^AlreadyExistsException: Table already exists$"):
        athena.run(sql)
    athena.run(sql.replace("TABLE t", "TABLE IF NOT EXISTS t"))
    assert athena.table("t")["VersionId"] == "1"


# -- CREATE TABLE AS ------------------------------------------------------------------------------

def test_ctas_writes_partitioned_parquet_and_registers_table_and_partitions(athena: Athena) -> None:
    result = athena.run(f"CREATE TABLE sales WITH (format = 'PARQUET', partitioned_by = ARRAY['year']) AS {SALES_SQL}")
    assert (result.columns, result.rows) == (["rows"], [(4,)])
    keys = athena.keys("curated", "vancouver_311/sales/")
    assert sorted({key.split("/")[2] for key in keys}) == ["year=2023", "year=2024", "year=2025"]
    assert all(key.endswith(".parquet") for key in keys)
    files = athena.parquet_rows("curated", "vancouver_311/sales/year=2024/")
    assert sorted(files, key=lambda r: r["id"]) == [{"id": 2, "region": "south", "amount": 4.0},
                                                   {"id": 3, "region": "north", "amount": 7.25}]  # no year inside
    table = athena.table("sales")
    assert table["StorageDescriptor"]["Location"] == "s3://curated/vancouver_311/sales/"
    assert table["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "int"}, {"Name": "region", "Type": "string"},
                                                    {"Name": "amount", "Type": "double"}]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "int"}]
    assert table["Parameters"] == {"EXTERNAL": "TRUE", "classification": "parquet", "parquet.compression": "GZIP"}
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == PARQUET_SERDE
    partitions = athena.catalog.get_partitions(DB, "sales")
    assert [(p["Values"], p["StorageDescriptor"]["Location"]) for p in partitions] == [
        (["2023"], "s3://curated/vancouver_311/sales/year=2023/"),
        (["2024"], "s3://curated/vancouver_311/sales/year=2024/"),
        (["2025"], "s3://curated/vancouver_311/sales/year=2025/")]
    totals: dict[str, float] = {}
    for _, region, amount, _ in SALES:
        totals[region] = totals.get(region, 0) + amount
    rows = athena.run("SELECT region, sum(amount) AS total FROM sales GROUP BY region ORDER BY region").rows
    assert [(r, float(t)) for r, t in rows] == sorted(totals.items())


def test_ctas_external_location_must_be_empty_and_inside_the_platform(athena: Athena) -> None:
    athena.put("curated", "exports/taken/old.parquet", b"x")
    with pytest.raises(QueryError, match="^HIVE_PATH_ALREADY_EXISTS: Target directory for table 'vancouver_311.t' "
                                         "already exists: s3://curated/exports/taken/"):
        athena.run("CREATE TABLE t WITH (external_location = 's3://curated/exports/taken/') AS SELECT 1 AS a")
    with pytest.raises(QueryError, match="^INVALID_LOCATION: bucket 'elsewhere'"):
        athena.run("CREATE TABLE t WITH (external_location = 's3://elsewhere/t/') AS SELECT 1 AS a")
    assert athena.catalog.get_tables(DB) == []
    athena.run("CREATE TABLE t WITH (external_location = 's3://landing/exports/t') AS SELECT 1 AS a")
    assert athena.table("t")["StorageDescriptor"]["Location"] == "s3://landing/exports/t/"
    assert athena.run("SELECT a FROM t").rows == [(1,)]


@pytest.mark.parametrize(("fmt", "suffix"), [("TEXTFILE", ".txt.gz"), ("JSON", ".json.gz")])
def test_ctas_text_and_json_tables_round_trip(athena: Athena, fmt: str, suffix: str) -> None:
    athena.run(f"CREATE TABLE s WITH (format = '{fmt}', field_delimiter = '|', partitioned_by = ARRAY['year']) "
               f"AS {SALES_SQL}" if fmt == "TEXTFILE" else
               f"CREATE TABLE s WITH (format = '{fmt}', partitioned_by = ARRAY['year']) AS {SALES_SQL}")
    keys = athena.keys("curated", "vancouver_311/s/")
    assert keys and all(key.endswith(suffix) for key in keys)
    body = gzip.decompress(athena.store.get_object("curated", [k for k in keys if "year=2023" in k][0])).decode()
    assert body == ("1|north|10.5\n" if fmt == "TEXTFILE" else '{"id": 1, "region": "north", "amount": 10.5}\n')
    rows = athena.run("SELECT id, region, amount, year FROM s ORDER BY id").rows
    assert [(i, r, float(a), y) for i, r, a, y in rows] == SALES


def test_ctas_options_and_refusals(athena: Athena) -> None:
    athena.run("CREATE TABLE empty WITH (write_compression = 'ZSTD') AS SELECT 'a' AS x, 1 AS n WITH NO DATA")
    assert athena.keys("curated", "vancouver_311/empty/") == []
    assert athena.run("SELECT x, n FROM empty").rows == []
    assert athena.table("empty")["Parameters"]["parquet.compression"] == "ZSTD"
    athena.run("CREATE TABLE dec AS SELECT CAST(1.25 AS decimal(10,2)) AS d")
    assert athena.table("dec")["StorageDescriptor"]["Columns"] == [{"Name": "d", "Type": "decimal(10,2)"}]
    assert athena.parquet_rows("curated", "vancouver_311/dec/")[0]["d"] == Decimal("1.25")
    athena.run("CREATE TABLE picked AS SELECT x FROM (VALUES 1, 2, 3) AS v(x) WHERE x > ?", 1)
    assert athena.run("SELECT x FROM picked ORDER BY x").rows == [(2,), (3,)]
    assert athena.run("CREATE TABLE IF NOT EXISTS picked AS SELECT 1 AS x").rows == [(0,)]
    with pytest.raises(QueryError, match="^AlreadyExistsException: Table already exists$"):
        athena.run("CREATE TABLE picked AS SELECT 1 AS x")
    for sql, message in [
        ("CREATE TABLE b WITH (partitioned_by = ARRAY['year']) AS SELECT 2024 AS year, 1 AS n",
         r"^HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns .*\[year\]"),
        ("CREATE TABLE b WITH (format = 'ORC') AS SELECT 1 AS n", "^NOT_SUPPORTED: format 'ORC'"),
        ("CREATE TABLE b WITH (table_type = 'ICEBERG') AS SELECT 1 AS n", "^NOT_SUPPORTED: only Hive tables"),
        ("CREATE TABLE b WITH (bucketed_by = ARRAY['n'], bucket_count = 2) AS SELECT 1 AS n", "^NOT_SUPPORTED: bucketed"),
        ("CREATE TABLE b WITH (colour = 'red') AS SELECT 1 AS n", "^SYNTAX_ERROR: .*table property 'colour'"),
        ("CREATE TABLE b AS SELECT 1 AS n, 2 AS n", "^SYNTAX_ERROR: Column names must be unique"),
        ("CREATE TABLE b AS SELECT 1 AS \"bad name\"", "^SYNTAX_ERROR: column name 'bad name' is not valid"),
        ("CREATE TABLE b AS SELECT 1 AS n, count(*) FROM (VALUES 1) AS v(x)",
         "^SYNTAX_ERROR: Column name not specified at position 2$"),
    ]:
        with pytest.raises(QueryError, match=message):
            athena.run(sql)
    assert athena.keys("curated", "vancouver_311/b/") == [] and "b" not in [t["Name"] for t in athena.catalog.get_tables(DB)]


def test_ctas_refuses_more_than_100_partitions_and_leaves_nothing(athena: Athena) -> None:
    with pytest.raises(QueryError, match="^HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers"):
        athena.run("CREATE TABLE wide WITH (partitioned_by = ARRAY['p']) AS "
                   "SELECT x AS n, x AS p FROM UNNEST(sequence(1, 101)) AS t(x)")
    assert athena.keys("curated", "vancouver_311/wide/") == []


def test_ctas_partition_values_are_escaped_as_hive_does(athena: Athena) -> None:
    athena.run("CREATE TABLE odd WITH (partitioned_by = ARRAY['k']) AS "
               "SELECT * FROM (VALUES (1, 'a/b'), (2, 'x=y'), (3, NULL)) AS v(n, k)")
    folders = sorted({key.split("/")[2] for key in athena.keys("curated", "vancouver_311/odd/")})
    assert folders == ["k=__HIVE_DEFAULT_PARTITION__", "k=a%2Fb", "k=x%3Dy"]
    assert sorted(p["Values"][0] for p in athena.catalog.get_partitions(DB, "odd")) == [
        "__HIVE_DEFAULT_PARTITION__", "a/b", "x=y"]


# -- INSERT INTO ----------------------------------------------------------------------------------

def test_insert_into_twice_appends_files_and_new_partitions(athena: Athena) -> None:
    athena.run(f"CREATE TABLE sales WITH (partitioned_by = ARRAY['year']) AS {SALES_SQL}")
    before = set(athena.keys("curated", "vancouver_311/sales/"))
    assert athena.run("INSERT INTO sales VALUES (5, 'west', 3.5, 2024), (6, 'west', 1.25, 2026)").rows == [(2,)]
    assert athena.run("INSERT INTO sales SELECT id + 10, region, amount, year FROM sales WHERE year = ?", 2026).rows == [(1,)]
    added = sorted(set(athena.keys("curated", "vancouver_311/sales/")) - before)
    assert [key.split("/")[2] for key in added] == ["year=2024", "year=2026", "year=2026"]
    assert before <= set(athena.keys("curated", "vancouver_311/sales/"))  # appended, nothing replaced
    assert [p["Values"] for p in athena.catalog.get_partitions(DB, "sales")] == [["2023"], ["2024"], ["2025"], ["2026"]]
    rows = athena.run("SELECT year, count(*) AS n, sum(amount) AS total FROM sales GROUP BY year ORDER BY year").rows
    assert [(y, n, float(t)) for y, n, t in rows] == [(2023, 1, 10.5), (2024, 3, 14.75), (2025, 1, 1.0), (2026, 2, 2.5)]


def test_insert_with_column_list_and_casts(athena: Athena) -> None:
    athena.run("CREATE EXTERNAL TABLE people (id bigint, name string, score double) STORED AS PARQUET "
               "LOCATION 's3://curated/people/'")
    athena.run("INSERT INTO people (name, id) VALUES ('ann', 1)")
    athena.run("INSERT INTO people SELECT 2, 'bo', 7")  # integer -> bigint / double, as Athena coerces
    result = athena.run("SELECT id, name, score FROM people ORDER BY id")
    assert result.rows == [(1, "ann", None), (2, "bo", 7.0)] and result.types == ["bigint", "varchar", "double"]
    written = athena.parquet_rows("curated", "people/")
    assert sorted(written, key=lambda r: r["id"]) == [{"id": 1, "name": "ann", "score": None},
                                                     {"id": 2, "name": "bo", "score": 7.0}]


def test_insert_into_text_table_and_custom_partition_location(athena: Athena) -> None:
    athena.run("CREATE EXTERNAL TABLE logs (msg string) PARTITIONED BY (day string) "
               "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LOCATION 's3://landing/logs/'")
    athena.run("ALTER TABLE logs ADD PARTITION (day='2024-01-01') LOCATION 's3://landing/archive/jan1/'")
    athena.run("INSERT INTO logs VALUES ('hello', '2024-01-01'), ('bye', '2024-01-02')")
    assert [k.rsplit("/", 1)[0] for k in athena.keys("landing")] == ["archive/jan1", "logs/day=2024-01-02"]
    assert athena.run("SELECT msg FROM logs ORDER BY msg").rows == [("bye",), ("hello",)]


@pytest.mark.parametrize(("sql", "message"), [
    ("INSERT INTO people SELECT 'x', 'y'", r"^TYPE_MISMATCH: Insert query has mismatched column types: "
                                           r"Table: \[bigint, varchar\], Query: \[varchar, varchar\]"),
    ("INSERT INTO people SELECT 1", r"^TYPE_MISMATCH: .*Query: \[integer\]"),
    ("INSERT INTO people (nope) SELECT 1", "^COLUMN_NOT_FOUND: Insert column name does not exist"),
    ("INSERT INTO missing SELECT 1", "^TABLE_NOT_FOUND: Table 'awsdatacatalog.vancouver_311.missing' does not exist"),
    ("INSERT INTO people_view SELECT 1, 'a'", "^NOT_SUPPORTED: Inserting into views is not supported"),
])
def test_insert_errors(athena: Athena, sql: str, message: str) -> None:
    athena.run("CREATE EXTERNAL TABLE people (id bigint, name string) STORED AS PARQUET LOCATION 's3://curated/p/'")
    athena.run("CREATE VIEW people_view AS SELECT * FROM people")
    with pytest.raises(QueryError, match=message):
        athena.run(sql)
    assert athena.keys("curated", "p/") == []


# -- DROP TABLE -----------------------------------------------------------------------------------

def test_drop_table_removes_the_catalog_entry_only(athena: Athena) -> None:
    athena.run(f"CREATE TABLE sales WITH (partitioned_by = ARRAY['year']) AS {SALES_SQL}")
    files = athena.keys("curated", "vancouver_311/sales/")
    athena.run("DROP TABLE sales")
    assert athena.catalog.get_tables(DB) == [] and athena.keys("curated", "vancouver_311/sales/") == files
    athena.run("DROP TABLE IF EXISTS sales")
    with pytest.raises(QueryError, match="^TABLE_NOT_FOUND: Table 'awsdatacatalog.vancouver_311.sales' does not exist$"):
        athena.run("DROP TABLE sales")
    with pytest.raises(QueryError, match="^HIVE_PATH_ALREADY_EXISTS"):  # the data is still there
        athena.run(f"CREATE TABLE sales AS {SALES_SQL}")


def test_execution_parameters_are_refused_for_ddl(athena: Athena) -> None:
    with pytest.raises(QueryError, match="^NOT_SUPPORTED: execution parameters apply only to"):
        athena.run("DROP TABLE IF EXISTS t", 1)
