"""Glue's partition expressions (GetPartitions' Expression), evaluated over partition values.

The language is a SQL WHERE clause over partition keys: =, <>, !=, <, >, <=, >=,
BETWEEN, IN, LIKE (with % and _), IS [NOT] NULL, AND, OR, NOT and parentheses, with
string and number literals (and DATE '…' / TIMESTAMP '…'). Values compare by the key's
declared type, as in Glue: integer types numerically, decimal exactly, string, char
and varchar as text, date and timestamp as instants. sqlglot parses; this module walks
the tree and never evaluates code. Anything else is an InvalidInputException.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from lakehouse.errors import InvalidInputException
from lakehouse.ports.catalog import GlueDocument

Row = dict[str, Any]  # partition key (lower case) -> typed value
Predicate = Callable[[Row], bool]

_COMPARISONS: dict[type[exp.Expression], Callable[[Any, Any], bool]] = {
    exp.EQ: operator.eq, exp.NEQ: operator.ne, exp.LT: operator.lt,
    exp.LTE: operator.le, exp.GT: operator.gt, exp.GTE: operator.ge,
}
# `2020 < year` is `year > 2020`.
_MIRRORED: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.EQ: exp.EQ, exp.NEQ: exp.NEQ, exp.LT: exp.GT, exp.GT: exp.LT, exp.LTE: exp.GTE, exp.GTE: exp.LTE,
}
_INTEGERS = {"tinyint", "smallint", "int", "integer", "bigint", "long"}
_STRINGS = {"string", "char", "varchar"}
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$")


def _invalid(message: str) -> InvalidInputException:
    return InvalidInputException(f"InvalidInputException: {message}")


def _base_type(glue_type: str) -> str:
    return glue_type.strip().lower().split("(", 1)[0].strip()  # decimal(10,2) -> decimal


def _caster(name: str, glue_type: str) -> Callable[[str], Any]:
    """Text -> comparable value for a key of this Glue type; ValueError when it does not fit."""
    kind = _base_type(glue_type)
    if kind in _INTEGERS:
        return lambda text: int(text) if re.fullmatch(r"[+-]?\d+", text.strip()) else _bad(text, "an integer")
    if kind == "decimal":
        return _to_decimal
    if kind in _STRINGS:
        return lambda text: text
    if kind == "date":
        return lambda text: (
            date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else _bad(text, "a date")
        )
    if kind == "timestamp":
        return _to_timestamp
    raise _invalid(f"partition key {name} has type {glue_type}, which partition expressions do not support")


def _bad(text: str, what: str) -> Any:
    raise ValueError(f"{text!r} is not {what}")


def _to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a decimal") from None


def _to_timestamp(text: str) -> tuple[datetime, int]:
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a timestamp (yyyy-mm-dd hh:mm:ss[.fffffffff])")
    nanos = int((match.group(2) or "").ljust(9, "0"))
    return datetime.fromisoformat(match.group(1)), nanos


class PartitionFilter:
    """A compiled expression: call it with a partition's Values."""

    def __init__(self, expression: str, partition_keys: list[GlueDocument]) -> None:
        self.expression = expression
        self._keys = [key["Name"].lower() for key in partition_keys]
        self._types = {key["Name"].lower(): key.get("Type", "string") for key in partition_keys}
        self._casters: dict[str, Callable[[str], Any]] = {}
        try:
            tree = sqlglot.parse_one(expression, read="athena")
        except SqlglotError as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise _invalid(f"cannot parse partition expression {expression!r}: {first}") from None
        self._predicate = self._compile(tree)

    def __call__(self, values: list[str]) -> bool:
        row: Row = {}
        for key, value in zip(self._keys, values, strict=False):
            if (cast := self._casters.get(key)) is not None:  # only keys the expression uses
                try:
                    row[key] = cast(value)
                except ValueError as err:
                    raise _invalid(f"stored value of partition key {key} does not fit its type: {err}") from None
        return self._predicate(row)

    # -- compiling ---------------------------------------------------------------

    def _compile(self, node: exp.Expression) -> Predicate:
        if isinstance(node, exp.Paren):
            return self._compile(node.this)
        if isinstance(node, (exp.And, exp.Or)):
            left, right = self._compile(node.this), self._compile(node.expression)
            if isinstance(node, exp.And):
                return lambda row: left(row) and right(row)
            return lambda row: left(row) or right(row)
        if isinstance(node, exp.Not):
            inner = self._compile(node.this)
            return lambda row: not inner(row)
        if type(node) in _COMPARISONS:
            return self._comparison(node)
        if isinstance(node, exp.Between):
            key = self._key(node.this)
            low, high = self._literal(key, node.args["low"]), self._literal(key, node.args["high"])
            return lambda row: low <= row[key] <= high
        if isinstance(node, exp.In):
            if node.args.get("query") is not None or node.args.get("unnest") is not None:
                raise _invalid(f"IN takes a list of literals in partition expression {self.expression!r}")
            key = self._key(node.this)
            options = [self._literal(key, value) for value in node.expressions]
            return lambda row: row[key] in options
        if isinstance(node, exp.Like):
            return self._like(node)
        if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
            self._key(node.this)
            return lambda row: False  # Glue partition values are never null
        raise _invalid(f"unsupported {node.key.upper()} in partition expression {self.expression!r}")

    def _comparison(self, node: exp.Expression) -> Predicate:
        kind: type[exp.Expression] = type(node)
        left, right = node.this, node.expression
        if not _is_column(left) and _is_column(right):
            left, right, kind = right, left, _MIRRORED[kind]
        key = self._key(left)
        value, compare = self._literal(key, right), _COMPARISONS[kind]
        return lambda row: compare(row[key], value)

    def _like(self, node: exp.Like) -> Predicate:
        key = self._key(node.this)
        if _base_type(self._types[key]) not in _STRINGS:
            raise _invalid(f"LIKE needs a string partition key; {key} is {self._types[key]}")
        if not (isinstance(node.expression, exp.Literal) and node.expression.is_string):
            raise _invalid(f"LIKE takes a string pattern in partition expression {self.expression!r}")
        pattern = "".join(
            ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in node.expression.this
        )
        compiled = re.compile(pattern, re.DOTALL)
        negate = bool(node.args.get("negate"))
        return lambda row: (compiled.fullmatch(row[key]) is not None) != negate

    def _key(self, node: exp.Expression) -> str:
        while isinstance(node, exp.Paren):
            node = node.this
        if not _is_column(node) or node.args.get("table") is not None:
            raise _invalid(f"expected a partition key, found {node.sql(dialect='athena')!r} in {self.expression!r}")
        name = node.name.lower()
        if name not in self._types:
            known = ", ".join(self._keys) or "none"
            raise _invalid(f"{node.name!r} is not a partition key (keys: {known}) in {self.expression!r}")
        if name not in self._casters:  # an unsupported type only matters when the expression uses the key
            self._casters[name] = _caster(name, self._types[name])
        return name

    def _literal(self, key: str, node: exp.Expression) -> Any:
        text = _literal_text(node)
        if text is None:
            raise _invalid(f"expected a literal, found {node.sql(dialect='athena')!r} in {self.expression!r}")
        try:
            return self._casters[key](text)
        except ValueError as err:
            raise _invalid(f"{err} (the type of partition key {key}) in {self.expression!r}") from None


def _is_column(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column)


def _literal_text(node: exp.Expression) -> str | None:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal):
        return str(node.this)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return f"-{node.this.this}"
    # DATE '2024-01-31' and TIMESTAMP '…' arrive as casts of a string literal.
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string:
        return str(node.this.this)
    return None
