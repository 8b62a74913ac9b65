"""The rows behind a chart as an HTML table and as CSV: one formatting for the app and the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from dash import html

from dashboards.data import Table

TABLE_ROWS = 500  # rows shown on the page; the CSV holds all


PLAIN_NUMBERS = ("year", "a", "b", "step", "rank", "version")  # identifiers, not quantities: 2024, not 2,024


def cell_text(value: Any, column: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value) if column in PLAIN_NUMBERS or column.endswith("_year") else f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def heading(column: str) -> str:
    return column.replace("_pct", " %").replace("_s", " (s)").replace("_", " ")


def is_numeric(table: Table, index: int) -> bool:
    return any(isinstance(row[index], int | float) and not isinstance(row[index], bool) for row in table.rows)


def html_table(table: Table, caption: str) -> html.Table:
    numeric = [is_numeric(table, i) for i in range(len(table.columns))]
    head = html.Thead(html.Tr([html.Th(heading(c), scope="col", className="num" if n else None)
                               for c, n in zip(table.columns, numeric, strict=True)]))
    body = html.Tbody([html.Tr([html.Td(cell_text(v, c), className="num" if n else None)
                                for v, c, n in zip(row, table.columns, numeric, strict=True)])
                       for row in table.rows[:TABLE_ROWS]])
    more = len(table.rows) - TABLE_ROWS
    return html.Table([html.Caption(caption + (f" (first {TABLE_ROWS} of {len(table.rows):,} rows; the CSV has all)"
                                               if more > 0 else "")), head, body], className="data-table")


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return buffer.getvalue()
