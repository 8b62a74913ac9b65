"""Terminal rendering for the CLI: tables, result sets in table/csv/json, progress."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lakehouse.ports.query_engine import ResultSet

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)
NUMERIC_TYPES = ("bigint", "integer", "smallint", "tinyint", "double", "real", "decimal")


def cell(value: Any, grouped: bool = True) -> str:
    """Counts get thousands separators; 32-bit integers (years, ranks) stay plain."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0") if abs(value) < 1e15 else f"{value:.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if grouped else str(value)
    return str(value)


def rich_table(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None,
    numeric: Sequence[bool] | None = None, caption: str | None = None,
    grouped: Sequence[bool] | None = None,
) -> Table:
    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    for index, name in enumerate(columns):
        table.add_column(name, justify="right" if numeric and numeric[index] else "left")
    for row in rows:
        table.add_row(*(cell(value, grouped[i] if grouped else True) for i, value in enumerate(row)))
    return table


def print_result(result: ResultSet, output_format: str, title: str | None = None,
                 rename: Callable[[str], str] = lambda name: name, max_rows: int | None = None) -> None:
    columns = [rename(name) for name in result.columns]
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_plain(v) for v in row] for row in result.rows)
    elif output_format == "json":
        records = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in result.rows]
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
    else:
        rows = result.rows if max_rows is None else result.rows[:max_rows]
        hidden = len(result.rows) - len(rows)
        caption = f"… {hidden} more rows (lakehouse query --format csv for all)" if hidden else None
        numeric = [t.startswith(NUMERIC_TYPES) for t in result.types]
        grouped = [t not in ("integer", "smallint", "tinyint") for t in result.types]
        console.print(rich_table(columns, rows, title, numeric, caption, grouped))


def _plain(value: Any) -> Any:
    """JSON/CSV-safe value: dates as ISO text, decimals as numbers."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class TerminalReporter:
    """Shows each stage as it finishes and a progress bar for long row-counted steps."""

    def __init__(self, console: Console = errors) -> None:
        self.console = console

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        # Plain lines, not a live spinner: a stage may open a progress bar of its own.
        started = time.perf_counter()
        yield
        self.console.print(f"[green]✓[/green] {name:<10} {time.perf_counter() - started:6.2f} s")

    @contextlib.contextmanager
    def rows(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=True) as progress:
            task = progress.add_task(description, total=total)
            yield lambda advance: progress.advance(task, advance)
