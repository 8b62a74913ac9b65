"""`lakehouse query`: SQL from an argument, -f FILE or stdin, --explain, --verbose, --workgroup,
and the interactive shell (piped stdin with the tty check overridden, and a real pseudo-terminal)."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from athena_support import AthenaHome
from cli_support import CliRunner

from emulation.athena.engine import DuckDBQueryEngine
from lakehouse import cli_query

REPOSITORY = Path(__file__).resolve().parents[2]


def test_query_runs_through_the_api_and_is_recorded(lakehouse: CliRunner, athena_home: AthenaHome,
                                                    engine: DuckDBQueryEngine) -> None:
    outcome = lakehouse("query", "--home", str(athena_home.path), "--verbose", "--format", "json",
                        "SELECT year, count(*) AS n, max(amount) AS top, bool_or(id = 0) AS has_zero "
                        "FROM events GROUP BY year ORDER BY year")
    assert outcome.code == 0, outcome.stderr
    rows = json.loads(outcome.stdout)
    assert rows[0] == {"year": 2022, "n": 1200, "top": 599.5, "has_zero": True}
    [query_execution_id] = engine.list_query_executions()["QueryExecutionIds"]
    assert f"query {query_execution_id}: SUCCEEDED" in outcome.stderr
    assert f"data scanned {athena_home.total_bytes:,} bytes" in outcome.stderr
    assert (athena_home.path / "athena-results" / f"{query_execution_id}.csv").is_file()


def test_sql_from_a_file_with_several_statements(lakehouse: CliRunner, athena_home: AthenaHome,
                                                 tmp_path: Path) -> None:
    script = tmp_path / "report.sql"
    script.write_text("-- two statements\nSELECT 1 AS a;\n"
                      "SELECT 'x;y' AS b\n  FROM events WHERE year = 2024 LIMIT 1;\n")
    outcome = lakehouse("query", "--home", str(athena_home.path), "--format", "csv", "-f", str(script))
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout == "a\n1\nb\nx;y\n"


@pytest.mark.parametrize("arguments", [["-"], ["-f", "-"], []], ids=["dash", "file-dash", "piped"])
def test_sql_from_stdin(lakehouse: CliRunner, athena_home: AthenaHome, monkeypatch: pytest.MonkeyPatch,
                        arguments: list[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT count(*) AS n FROM events WHERE year = 2023;\n"))
    outcome = lakehouse("query", "--home", str(athena_home.path), "--format", "csv", *arguments)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout == "n\n1200\n"


def test_explain_shows_the_duckdb_plan(lakehouse: CliRunner, athena_home: AthenaHome,
                                       engine: DuckDBQueryEngine) -> None:
    outcome = lakehouse("query", "--home", str(athena_home.path), "--explain",
                        "SELECT count(*) FROM events WHERE year = 2024")
    assert outcome.code == 0, outcome.stderr
    assert "-- DuckDB" in outcome.stdout and "READ_PARQUET" in outcome.stdout.upper()
    [explained] = engine.batch_get_query_execution(engine.list_query_executions()["QueryExecutionIds"])[
        "QueryExecutions"]
    assert explained["Query"].startswith("EXPLAIN ") and explained["StatementType"] == "UTILITY"


def test_workgroup_option(lakehouse: CliRunner, athena_home: AthenaHome, engine: DuckDBQueryEngine) -> None:
    engine.create_work_group("analysts", {"ResultConfiguration": {"OutputLocation": "s3://athena-results/analysts/"}})
    home = str(athena_home.path)
    assert lakehouse("query", "--home", home, "--workgroup", "analysts", "SELECT 1").code == 0
    assert len(engine.list_query_executions("analysts")["QueryExecutionIds"]) == 1
    assert engine.list_query_executions()["QueryExecutionIds"] == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["SELECT * FROM read_csv('/etc/passwd')"], "Error: ACCESS_DENIED: table function read_csv() is refused"),
        (["--workgroup", "nope", "SELECT 1"], "Error: WorkGroup nope is not found."),
        (["-f", "no-such-file.sql"], "Error: -f no-such-file.sql: cannot read"),
        (["SELECT 1", "-f", "x.sql"], "Error: give SQL or -f FILE, not both"),
        (["--param", "year=2024", "SELECT 1"], "Error: --param goes with --saved NAME"),
        (["SELECT ? AS a"], "Error: INVALID_PARAMETER_USAGE"),
    ],
)
def test_errors_are_one_line(lakehouse: CliRunner, athena_home: AthenaHome, arguments: list[str],
                             message: str) -> None:
    outcome = lakehouse("query", "--home", str(athena_home.path), *arguments)
    assert outcome.code == 1
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and errors[0].startswith(message), outcome.stderr


def test_shell_reads_statements_until_backslash_q(lakehouse: CliRunner, athena_home: AthenaHome,
                                                  monkeypatch: pytest.MonkeyPatch, engine: DuckDBQueryEngine) -> None:
    monkeypatch.setattr(cli_query, "stdin_is_tty", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "SELECT 11 AS eleven,\n   22 AS twenty_two;\nSELECT * FROM nope;\n\n\\q\nSELECT 33 AS never;\n"))
    outcome = lakehouse("query", "--home", str(athena_home.path))
    assert outcome.code == 0, outcome.stderr
    assert "eleven" in outcome.stdout and "22" in outcome.stdout and "never" not in outcome.stdout
    assert "athena> " in outcome.stdout and "...> " in outcome.stdout  # the continuation prompt
    assert "Error: TABLE_NOT_FOUND: Table 'awsdatacatalog.vancouver_311.nope' does not exist" in outcome.stderr
    assert len(engine.list_query_executions()["QueryExecutionIds"]) == 2  # the shell's queries are recorded
    assert (athena_home.path / cli_query.HISTORY_FILE).is_file()


def _read_until(fd: int, marker: str, timeout: float = 60) -> str:
    buffer, deadline = b"", time.monotonic() + timeout
    while marker.encode() not in buffer:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in {buffer.decode(errors='replace')!r}"
        if select.select([fd], [], [], remaining)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            buffer += chunk
    return buffer.decode(errors="replace")


def test_shell_in_a_pseudo_terminal(athena_home: AthenaHome) -> None:
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "lakehouse", "query", "--home", str(athena_home.path)],
        stdin=child_fd, stdout=child_fd, stderr=child_fd, cwd=REPOSITORY, close_fds=True,
        env={**os.environ, "TERM": "dumb", "COLUMNS": "120"},
    )
    os.close(child_fd)
    try:
        _read_until(main_fd, "athena> ")
        os.write(main_fd, b"SELECT 40 + 2 AS answer,\n")
        _read_until(main_fd, "...> ")
        os.write(main_fd, b"  'pty' AS via;\n")
        answer = _read_until(main_fd, "athena> ")
        assert "42" in answer and "pty" in answer
        os.write(main_fd, b"\\q\n")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main_fd)
    assert "SELECT 40 + 2 AS answer," in (athena_home.path / cli_query.HISTORY_FILE).read_text()
