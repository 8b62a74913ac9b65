"""What an execution needs before it runs: EXPLAIN split off, statement type, parameters bound."""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from lakehouse.errors import QueryError

_EXPLAIN = re.compile(r"^\s*EXPLAIN\b\s*(?P<options>ANALYZE\b|\([^)]*\))?\s*(?P<statement>.*)$", re.I | re.S)
COMMAND_TYPES = {
    "MSCK": ("DDL", "REPAIR_TABLE"), "ALTER": ("DDL", "ALTER_TABLE"), "UNLOAD": ("DML", "UNLOAD"),
    "PREPARE": ("UTILITY", "PREPARE"), "EXECUTE": ("DML", "EXECUTE"), "DEALLOCATE": ("UTILITY", "DEALLOCATE"),
    "VACUUM": ("DML", "VACUUM"), "OPTIMIZE": ("DML", "OPTIMIZE"),
}


@dataclass(frozen=True)
class Explain:
    statement: str  # the statement explained
    analyze: bool


def split_explain(sql: str) -> Explain | None:
    """`EXPLAIN [ANALYZE | (options)] statement`, or None for any other statement."""
    match = _EXPLAIN.match(sql)
    if match is None:
        return None
    return Explain(match.group("statement"), (match.group("options") or "").upper() == "ANALYZE")


def statement_types(tree: exp.Expression, explain: bool = False) -> tuple[str, str]:
    """Athena's StatementType (DDL | DML | UTILITY) and SubstatementType of a parsed statement."""
    if explain:
        return "UTILITY", "EXPLAIN"
    if isinstance(tree, exp.Query | exp.Values):
        return "DML", "SELECT"
    if isinstance(tree, exp.Insert):
        return "DML", "INSERT"
    kind = str(tree.args.get("kind") or "").upper().replace(" ", "_")
    if isinstance(tree, exp.Create):
        if isinstance(tree.expression, exp.Query) and kind != "VIEW":
            return "DML", "CREATE_TABLE_AS_SELECT"
        return "DDL", f"CREATE_{kind}"
    if isinstance(tree, exp.Drop):
        return "DDL", f"DROP_{kind}"
    if isinstance(tree, exp.Describe):
        return "UTILITY", "DESCRIBE_TABLE"
    if isinstance(tree, exp.Alter):
        return "DDL", "ALTER_TABLE"
    if isinstance(tree, exp.Command):
        keyword = (str(tree.this).upper().split() or [""])[0]
        expression = tree.expression
        words = (expression.name if isinstance(expression, exp.Literal) else str(expression or "")).split()
        if keyword == "SHOW":
            return "DDL", "SHOW_" + (words[0].upper() if words else "")
        if keyword == "CREATE":
            return "DDL", "CREATE_" + (words[0].upper() if words else "")
        return COMMAND_TYPES.get(keyword, ("DDL", keyword))
    return "DDL", tree.key.upper()


def bind_parameters(execution_parameters: list[str] | None, tree: exp.Expression) -> list[Any]:
    """ExecutionParameters (literal text, bound to `?` in order) as values DuckDB binds."""
    given = execution_parameters or []
    expected = sum(1 for _ in tree.find_all(exp.Placeholder))
    if expected != len(given):
        raise QueryError(
            f"INVALID_PARAMETER_USAGE: the query has {expected} parameter(s) (?) "
            f"but ExecutionParameters gives {len(given)}"
        )
    return [parameter_value(text) for text in given]


@lru_cache(maxsize=1024)  # a pure function of the text, and a sqlglot parse per call otherwise
def parameter_value(text: str) -> Any:
    """A literal as Athena reads it: 2024, -1.5, 'text', true, NULL, DATE '…', TIMESTAMP '…'."""
    try:
        node = sqlglot.parse_one(text, read="athena")
    except ParseError:
        node = None
    negative = isinstance(node, exp.Neg)
    if negative:
        node = node.this  # type: ignore[union-attr]
    if isinstance(node, exp.Literal) and not (negative and node.is_string):
        if node.is_string:
            return node.this
        number = node.this
        # Athena: 2024 is an integer, 1.5 a decimal, 1e3 a double.
        value: Any = int(number) if number.isdigit() else float(number) if "e" in number.lower() else Decimal(number)
        return -value if negative else value
    if isinstance(node, exp.Boolean) and not negative:
        return bool(node.this)
    if isinstance(node, exp.Null) and not negative:
        return None
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and not negative:
        try:
            if node.to.this == exp.DataType.Type.DATE:
                return date.fromisoformat(node.this.this)
            if node.to.this == exp.DataType.Type.TIMESTAMP:
                return datetime.fromisoformat(node.this.this)
        except ValueError:
            pass
    raise QueryError(f"INVALID_PARAMETER_USAGE: execution parameter {text!r} is not a literal")
