"""`lakehouse query`: Athena SQL from an argument, a file, stdin, or an interactive shell.

Every statement goes through the engine's Athena API (start_query_execution, then
get_query_results page by page), so the query history records what the CLI ran.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from sqlglot import tokenize
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from lakehouse import cli_output as out
from lakehouse.cli_options import platform_options
from lakehouse.errors import ConfigError, LakehouseError, QueryError
from lakehouse.platform import Platform
from lakehouse.ports.query_engine import QueryEngine, ResultSet
from lakehouse.sql.saved import saved_query

HISTORY_FILE = ".query_history"  # in the lakehouse home, like ~/.psql_history
TERMINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")
_INTEGERS = ("tinyint", "smallint", "integer", "bigint")
_FLOATS = ("double", "real", "float")


def stdin_is_tty() -> bool:
    """Whether a person is typing (tests replace this to drive the shell through piped stdin)."""
    try:
        return bool(sys.stdin and sys.stdin.isatty())
    except (AttributeError, ValueError):
        return False


@dataclass
class QueryRunner:
    """One statement at a time through the Athena API, results typed back from ColumnInfo."""

    engine: QueryEngine
    database: str | None = None
    work_group: str = "primary"
    verbose: bool = False
    poll_seconds: float = 0.05

    def __post_init__(self) -> None:
        # An engine that can (the local Athena) writes its records and result files in the
        # background, so results print without waiting for fsyncs; flush() waits for them.
        if getattr(self.engine, "SUPPORTS_DEFERRED_WRITES", False):
            self.engine.defer_writes()  # type: ignore[attr-defined]

    def flush(self) -> None:
        """Wait until the engine's deferred writes (history, result files) are stored."""
        if getattr(self.engine, "SUPPORTS_DEFERRED_WRITES", False):
            self.engine.flush_writes()  # type: ignore[attr-defined]

    def run(self, sql: str, execution_parameters: list[str] | None = None) -> ResultSet:
        context = {"Database": self.database} if self.database else None
        query_execution_id = self.engine.start_query_execution(
            sql, context, None, self.work_group, None, execution_parameters)
        execution = self.engine.get_query_execution(query_execution_id)["QueryExecution"]
        while execution["Status"]["State"] not in TERMINAL_STATES:  # an asynchronous engine
            time.sleep(self.poll_seconds)
            execution = self.engine.get_query_execution(query_execution_id)["QueryExecution"]
        if self.verbose:
            _report(execution)
        status = execution["Status"]
        if status["State"] != "SUCCEEDED":
            raise QueryError(status.get("StateChangeReason") or f"query {status['State'].lower()}")
        return self._results(query_execution_id)

    def _results(self, query_execution_id: str) -> ResultSet:
        page = self.engine.get_query_results(query_execution_id)
        columns = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        rows = [_cells(row) for row in page["ResultSet"]["Rows"]]
        while "NextToken" in page:
            page = self.engine.get_query_results(query_execution_id, page["NextToken"])
            rows += [_cells(row) for row in page["ResultSet"]["Rows"]]
        names = [column["Name"] for column in columns]
        if rows and rows[0] == names:
            rows = rows[1:]  # the header row
        types = [column["Type"] for column in columns]
        converters = [_converter(kind) for kind in types]
        typed = [tuple(None if v is None else convert(v) for v, convert in zip(row, converters, strict=True))
                 for row in rows]
        return ResultSet(names, types, typed)


def _cells(row: dict[str, Any]) -> list[str | None]:
    return [cell.get("VarCharValue") for cell in row["Data"]]


def _converter(kind: str) -> Callable[[str], Any]:
    if kind in _INTEGERS:
        return int
    if kind in _FLOATS:
        return float
    if kind == "decimal":
        return Decimal
    if kind == "boolean":
        return lambda text: text == "true"
    return str


def _report(execution: dict[str, Any]) -> None:
    statistics, status = execution["Statistics"], execution["Status"]
    scanned = statistics.get("DataScannedInBytes", 0)
    out.errors.print(
        f"query {execution['QueryExecutionId']}: {status['State']} in {statistics['TotalExecutionTimeInMillis']} ms "
        f"(engine {statistics.get('EngineExecutionTimeInMillis', 0)} ms), data scanned {scanned:,} bytes "
        f"({scanned / 1_048_576:.2f} MB); results {execution['ResultConfiguration']['OutputLocation']}",
        markup=False, soft_wrap=True)


def split_statements(text: str) -> list[str]:
    """Statements separated by `;` outside strings and comments."""
    try:
        tokens = tokenize(text, read="athena")
    except TokenError:
        return [text.strip().rstrip(";").strip()]
    statements, start = [], 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            statements.append(text[start:token.start])
            start = token.end + 1
    statements.append(text[start:])
    return [statement.strip() for statement in statements if statement.strip()]


def _sql_text(sql: str | None, sql_file: str | None) -> str | None:
    """The SQL to run; None means: open the shell."""
    if sql and sql_file:
        raise ConfigError("give SQL or -f FILE, not both")
    if sql == "-" or sql_file == "-" or (not sql and not sql_file and not stdin_is_tty()):
        try:
            text = sys.stdin.read()
        except OSError as error:
            raise ConfigError(f"cannot read SQL from stdin: {error}") from None
        if not text.strip():
            raise ConfigError("no SQL: give it as an argument, with -f FILE or on stdin, or use --saved NAME")
        return text
    if sql_file:
        try:
            return Path(sql_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"-f {sql_file}: cannot read ({error})") from None
    return sql


def _parameter(item: str) -> tuple[str, str]:
    name, separator, value = item.partition("=")
    if not separator or not name:
        raise ConfigError(f"--param {item!r}: expected NAME=VALUE")
    return name, value


def _literal(value: Any) -> str:
    """A bound value as an ExecutionParameters literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _print(result: ResultSet, output_format: str) -> None:
    if result.columns == ["Query Plan"] and output_format == "table":
        sys.stdout.write("".join(f"{row[0]}\n" for row in result.rows))
    else:
        out.print_result(result, output_format)


@click.command()
@click.argument("sql", required=False)
@click.option("-f", "--file", "sql_file", metavar="FILE", help="Read the SQL from FILE ('-' for stdin).")
@click.option("--saved", "saved_name", default=None, help="Run a saved query by name instead of SQL.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameter of a saved query.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--database", default=None, help="Database of unqualified tables (default: the configured one).")
@click.option("--workgroup", default="primary", show_default=True, help="Athena workgroup to run in.")
@click.option("--explain", is_flag=True, help="Show the DuckDB translation and plan instead of the rows.")
@click.option("-v", "--verbose", is_flag=True, help="Print the execution id, timings and data scanned (stderr).")
@platform_options
def query(platform: Platform, sql: str | None, sql_file: str | None, saved_name: str | None,
          params: tuple[str, ...], output_format: str, database: str | None, workgroup: str, explain: bool,
          verbose: bool) -> None:
    """Run Athena SQL (or a saved query) against the catalog's tables; on a terminal, no SQL opens a shell."""
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its parser fallbacks are not the user's concern
    runner = QueryRunner(platform.engine, database, workgroup, verbose)
    statements: list[str]
    parameters: list[str] | None = None
    if saved_name:
        if sql or sql_file:
            raise ConfigError("give either SQL or --saved NAME")
        saved = saved_query(saved_name)
        statements = [saved.sql]
        parameters = [_literal(value) for value in saved.bind(dict(_parameter(item) for item in params))]
    else:
        if params:
            raise ConfigError("--param goes with --saved NAME")
        text = _sql_text(sql, sql_file)
        if text is None:
            try:
                shell(runner, platform.settings.home, output_format)
            finally:
                runner.flush()
            return
        statements = split_statements(text)
    try:
        for statement in statements:
            _print(runner.run(f"EXPLAIN {statement}" if explain else statement, parameters), output_format)
    finally:
        runner.flush()  # after printing: the history and result files are stored before the command ends


def shell(runner: QueryRunner, home: Path, output_format: str) -> None:
    """Read statements ending in `;` (over several lines if need be) until `\\q` or end of input."""
    try:
        import readline  # line editing and history for input(); absent on some platforms
    except ImportError:  # pragma: no cover
        readline = None  # type: ignore[assignment]
    history = home / HISTORY_FILE
    if readline is not None:
        try:
            readline.read_history_file(history)
        except OSError:
            pass
        readline.set_history_length(1000)
    out.errors.print("Athena SQL on the lakehouse: end each statement with ';', \\q quits.", markup=False)
    lines: list[str] = []
    try:
        while True:
            try:
                line = input("athena> " if not lines else "   ...> ")
            except EOFError:
                break
            except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, as psql does
                lines.clear()
                sys.stdout.write("\n")
                continue
            if line.strip() == "\\q":
                break
            lines.append(line)
            text = "\n".join(lines).strip()
            if not text.endswith(";"):
                lines = lines if text else []
                continue
            lines.clear()
            for statement in split_statements(text):
                try:
                    _print(runner.run(statement), output_format)
                except LakehouseError as error:
                    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                    out.errors.print(f"Error: {message}", markup=False, soft_wrap=True)
                runner.flush()  # while the user reads the answer
    finally:
        if readline is not None:
            try:
                home.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(history)
            except OSError:
                pass
