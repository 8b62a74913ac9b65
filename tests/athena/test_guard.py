"""Lockdown: hostile statements are refused by the guard, and DuckDB itself is confined."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from athena_support import AthenaHome

from emulation.athena.engine import DuckDBQueryEngine
from emulation.athena.guard import allowed_directories, check_query, check_sql, denied_function
from lakehouse.errors import QueryError
from lakehouse.sql.translate import parse_athena

CANARY = "canary-3141592653"

# (statement with {tmp} for a scratch folder outside the store, what the refusal must name)
HOSTILE = [
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    ("SELECT * FROM read_csv_auto('{tmp}/secret.csv')", "read_csv_auto"),
    ("SELECT * FROM read_parquet('s3://curated/vancouver_311/events/year=2024/part-00000.parquet')", "read_parquet"),
    ("SELECT * FROM parquet_scan('{tmp}/x.parquet')", "parquet_scan"),
    ("SELECT * FROM read_json('{tmp}/secret.csv')", "read_json"),
    ("SELECT * FROM read_text('{tmp}/secret.csv')", "read_text"),
    ("SELECT content FROM read_blob('{tmp}/secret.csv')", "read_blob"),
    ("SELECT * FROM glob('*')", "glob"),
    ("SELECT * FROM sniff_csv('{tmp}/secret.csv')", "sniff_csv"),
    ("SELECT * FROM query_table('events')", "query_table"),
    ("SELECT * FROM query('SELECT 1')", "query"),
    ("SELECT * FROM duckdb_settings()", "duckdb_settings"),
    ("SELECT * FROM '{tmp}/secret.csv'", "secret.csv"),
    ('SELECT * FROM "{tmp}/secret.csv"', "secret.csv"),
    ("SELECT * FROM events, LATERAL read_csv('{tmp}/secret.csv')", "read_csv"),
    ("WITH leak AS (SELECT * FROM read_csv('{tmp}/secret.csv')) SELECT * FROM leak", "read_csv"),
    ("SELECT (SELECT count(*) FROM read_text('{tmp}/secret.csv')) AS n", "read_text"),
    ("SELECT getenv('HOME') AS home", "getenv"),
    ("SELECT current_setting('allowed_directories') AS dirs", "current_setting"),
    ("COPY (SELECT 1) TO '{tmp}/written.csv'", "COPY"),
    ("COPY events FROM '{tmp}/secret.csv'", "COPY"),
    ("ATTACH '{tmp}/attached.db' AS other", "ATTACH"),
    ("DETACH other", "DETACH"),
    ("INSTALL httpfs", "INSTALL"),
    ("FORCE INSTALL httpfs", "FORCE"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("RESET allowed_directories", "RESET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("CALL pragma_version()", "CALL"),
    ("EXPORT DATABASE '{tmp}/exported'", "EXPORT"),
    ("IMPORT DATABASE '{tmp}/exported'", "IMPORT"),
    ("CREATE SECRET leak (TYPE s3, KEY_ID 'x', SECRET 'y')", "CREATE SECRET"),
    ("CREATE MACRO leak() AS TABLE SELECT * FROM read_csv('{tmp}/secret.csv')", "CREATE MACRO"),
    ("SUMMARIZE '{tmp}/secret.csv'", "SUMMARIZE"),
    ("DESCRIBE '{tmp}/secret.csv'", "secret.csv"),
    ("EXPLAIN SELECT * FROM read_csv('{tmp}/secret.csv')", "read_csv"),
    ("USE memory", "USE"),
    ("CHECKPOINT", "CHECKPOINT"),
]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.csv").write_text(f"secret\n{CANARY}\n")
    return folder


@pytest.mark.parametrize(("template", "named"), HOSTILE, ids=[t for t, _ in HOSTILE])
def test_hostile_statement_is_refused_and_touches_nothing(
    engine: DuckDBQueryEngine, athena_home: AthenaHome, scratch: Path, template: str, named: str
) -> None:
    before = sorted(p.name for p in scratch.iterdir())
    qid = engine.start_query_execution(template.format(tmp=scratch))
    execution = engine.get_query_execution(qid)["QueryExecution"]
    reason = execution["Status"]["StateChangeReason"]
    assert execution["Status"]["State"] == "FAILED"
    assert reason.startswith("ACCESS_DENIED: ") and named in reason and "\n" not in reason, reason
    assert CANARY not in reason and execution["Statistics"]["DataScannedInBytes"] == 0
    assert sorted(p.name for p in scratch.iterdir()) == before  # nothing written (COPY, ATTACH, EXPORT)
    results = athena_home.path / "athena-results"
    assert not results.exists() or not any(results.iterdir())
    with pytest.raises(QueryError):
        engine.run_query(template.format(tmp=scratch))  # the engine's own entry point refuses it too


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT x FROM UNNEST(ARRAY[1, 2]) AS t(x)",
        "SELECT * FROM events CROSS JOIN UNNEST(ARRAY['a']) AS u(letter) WHERE year = 2024",
        "SELECT * FROM (VALUES 1, 2) AS t(x)",
        "SELECT * FROM events e CROSS JOIN LATERAL (SELECT e.id * 2 AS twice) AS l",
        "WITH recent AS (SELECT * FROM events WHERE year = 2024) SELECT count(*) FROM recent",
        "SELECT 'read_csv(''/etc/passwd'')' AS just_text",
        "SELECT trim(BOTH 'x' FROM 'xabcx') AS trimmed",
        "SELECT * FROM events FOR VERSION AS OF 1",
        "INSERT INTO parquet_events (read_count) VALUES (1)",
        "CREATE EXTERNAL TABLE vancouver_311.read_log (a int) LOCATION 's3://curated/read_log/'",
        "CREATE TABLE IF NOT EXISTS delta_copy AS SELECT * FROM events",
        "SHOW TABLES",
        "MSCK REPAIR TABLE events",
        "DESCRIBE events",
        "DROP TABLE IF EXISTS scratch",
        "CREATE SCHEMA reports",
        "CREATE SCHEMA IF NOT EXISTS reports",
        "DROP SCHEMA IF EXISTS reports CASCADE",
        "DROP DATABASE reports",
        "MSCK REPAIR TABLE vancouver_311.events",
        "CREATE DATABASE tagged COMMENT 'x' LOCATION 's3://curated/tagged/' WITH DBPROPERTIES ('owner'='data-team')",
        "EXPLAIN (TYPE LOGICAL) SELECT * FROM events",
    ],
)
def test_athena_statements_pass_the_guard(sql: str) -> None:
    check_sql(sql)
    check_query(parse_athena(sql))


def test_denied_function_names() -> None:
    for name in ("read_csv", "READ_PARQUET", "parquet_metadata", "delta_scan", "duckdb_secrets", "glob", "getenv"):
        assert denied_function(name)
    for name in ("date_trunc", "approx_distinct", "regexp_like", "json_extract_scalar", "readable", "scan"):
        assert not denied_function(name)


def test_duckdb_itself_is_confined_to_the_object_store(engine: DuckDBQueryEngine, athena_home: AthenaHome,
                                                        scratch: Path) -> None:
    connection = engine.connection  # past the guard: the second line of defence alone
    assert allowed_directories(engine.store, engine.settings) == [f"{athena_home.path.resolve()}/"]
    for statement in (f"SELECT * FROM read_csv('{scratch}/secret.csv')", "SELECT * FROM read_text('/etc/passwd')",
                      f"COPY (SELECT 1) TO '{scratch}/written.csv'", f"ATTACH '{scratch}/attached.db'",
                      "SELECT * FROM read_parquet('https://example.com/x.parquet')"):
        with pytest.raises(duckdb.PermissionException):
            connection.execute(statement)
    for statement in ("SET enable_external_access = true", "RESET allowed_directories",
                      f"SET allowed_directories = ['{scratch}']", "SET lock_configuration = false"):
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            connection.execute(statement)
    assert sorted(p.name for p in scratch.iterdir()) == ["secret.csv"]
    assert engine.run_query("SELECT count(*) FROM events WHERE year = 2024").rows == [(1200,)]  # the store still reads


ATHENA_DDL = [
    ("CREATE SCHEMA reports", "CREATE_SCHEMA"),
    ("CREATE DATABASE IF NOT EXISTS tagged WITH DBPROPERTIES ('owner'='data-team')", "CREATE_DATABASE"),
    ("MSCK REPAIR TABLE events", "REPAIR_TABLE"),
    ("DROP SCHEMA reports", "DROP_SCHEMA"),
    ("DROP DATABASE IF EXISTS tagged CASCADE", "DROP_DATABASE"),
]


def test_athena_ddl_runs_through_the_api(engine: DuckDBQueryEngine) -> None:
    for sql, substatement in ATHENA_DDL:
        execution = engine.get_query_execution(engine.start_query_execution(sql))["QueryExecution"]
        assert execution["Status"]["State"] == "SUCCEEDED", (sql, execution["Status"])
        assert execution["SubstatementType"] == substatement
    assert [d["Name"] for d in engine.catalog.get_databases()] == ["vancouver_311"]


def test_hostile_statements_named_like_athena_ddl_are_still_refused(engine: DuckDBQueryEngine, scratch: Path) -> None:
    for sql in (f"CREATE SCHEMA \"{scratch}/x\"", f"CREATE DATABASE d WITH DBPROPERTIES ('a'='b') AS (SELECT * FROM "
                f"read_csv('{scratch}/secret.csv'))", "CREATE OR REPLACE MACRO m() AS 1", "DROP SECRET s"):
        with pytest.raises(QueryError, match="^(ACCESS_DENIED|SYNTAX_ERROR)"):
            check_sql(sql)
            check_query(parse_athena(sql))


def test_session_time_zone_is_utc_and_locked(engine: DuckDBQueryEngine) -> None:
    """Athena's session zone is UTC: the host's zone never shifts a timestamp (TZ is set in a child
    process, as DuckDB reads the host zone when the process starts)."""
    assert engine.connection.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    with pytest.raises(duckdb.InvalidInputException, match="locked"):
        engine.connection.execute("SET TimeZone = 'America/Vancouver'")
    script = (
        "import sys, tempfile; from pathlib import Path; from emulation.athena.engine import DuckDBQueryEngine; "
        "from emulation.glue.models import ObjectStoreCatalog; from emulation.s3.store import FileObjectStore; "
        "from lakehouse.config import Settings; home = Path(tempfile.mkdtemp()); store = FileObjectStore(home); "
        "engine = DuckDBQueryEngine(ObjectStoreCatalog(store, 'catalog'), store, Settings(home=home)); "
        "print(engine.run_query(\"SELECT hour(from_unixtime(0)), format_datetime(from_unixtime(86399), 'HH:mm')\").rows)"
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "TZ": "America/Vancouver"})
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "[(0, '23:59')]"


def test_explain_types_come_from_the_locked_connection(engine: DuckDBQueryEngine) -> None:
    logical = [row[0] for row in engine.run_query("EXPLAIN (TYPE LOGICAL) SELECT count(*) FROM events").rows]
    physical = [row[0] for row in engine.run_query("EXPLAIN SELECT count(*) FROM events").rows]
    assert "logical" in logical[0] and "physical" in physical[0]
    assert not any("not available" in line for line in logical + physical)
