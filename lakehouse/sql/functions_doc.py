"""docs/athena-functions.md, generated from the function table in functions.py.

Regenerate with `python -m lakehouse.sql.functions_doc > docs/athena-functions.md`;
tests/sql/test_functions.py fails while the two differ.
"""

from __future__ import annotations

from lakehouse.sql.functions import CATEGORIES, FUNCTIONS

OPERATORS = [
    "",
    "## Operators and known differences",
    "",
    "- `/` follows Athena's types (lakehouse/sql/arithmetic.py): integer / integer truncates toward zero",
    "  (`5 / 2` = 2, `-7 / 2` = -3); with a DECIMAL operand (`100.0` is DECIMAL(4,1) in Athena) the quotient",
    "  is a DECIMAL rounded half up to the larger scale (`1.0 / 3` = 0.3); DOUBLE operands divide as doubles.",
    "  Column types come from the catalog: the engine passes each table's Glue column types to `to_duckdb`,",
    "  so an integer column divided by an integer column truncates too (in queries, views and EXPLAIN).",
    "- Unnamed result columns are named `_col<position>` as in Athena (`SELECT year, count(*)` → year, _col1).",
    "- Division by zero is NULL here; Athena fails the query (`DIVISION_BY_ZERO`).",
    "- A partitioned table is read from its registered partitions only, as in Athena: files under the",
    "  location whose partition was never added (or was dropped) are not read until `MSCK REPAIR TABLE`",
    "  or `ALTER TABLE … ADD PARTITION` registers them. (Time travel reads the snapshot folder the",
    "  table version points at.)",
    "- `||` and `concat` are NULL when an operand is NULL, as in Athena.",
    "- `timestamp with time zone` results (`now()`, `from_iso8601_timestamp`, `parse_datetime`) are returned",
    "  as a `timestamp` in UTC, Athena's session zone (the engine's DuckDB session zone is UTC whatever the",
    "  host's, set before the connection's configuration is locked).",
    "- Regular expressions run on RE2, not Java's engine: lookbehind, backreferences in patterns and",
    "  possessive quantifiers are errors.",
    "- Formats and patterns (`date_format`, `format_datetime`, …) and `regexp_replace` replacements must be",
    "  literals, because they are translated when the query is planned.",
]


def markdown() -> str:
    """docs/athena-functions.md."""
    lines = [
        "# Athena functions on the local engine",
        "",
        "Generated from `lakehouse/sql/functions.py` (`python -m lakehouse.sql.functions_doc > docs/athena-functions.md`);",
        "`tests/sql/test_functions.py` fails when the two differ. Any function not listed here is refused with",
        "Athena's error: `FUNCTION_NOT_FOUND: line 1:8: Function 'name' not registered`.",
        "",
        "*Translation*: `sqlglot` — sqlglot's own Athena → DuckDB translation gives Athena's answer;",
        "`rewritten` — the project rewrites the call (lakehouse/sql/rewrites*.py) because sqlglot's translation",
        "answers differently or is missing.",
        "",
        "| Category | Functions |",
        "|---|---|",
    ]
    for category in CATEGORIES:
        names = [f.name for f in FUNCTIONS.values() if f.category == category]
        lines.append(f"| {category} | {len(names)} |")
    lines.append(f"| **total** | **{len(FUNCTIONS)}** |")
    lines += OPERATORS
    for category in CATEGORIES:
        lines += ["", f"## {category}", "", "| Function | Example | Translation | Notes |", "|---|---|---|---|"]
        for f in (f for f in FUNCTIONS.values() if f.category == category):
            lines.append(f"| `{f.name}` | `{f.example.replace('|', '&#124;')}` | {f.translation} | {f.note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
