"""Tree rewrites that make DuckDB answer Athena's function calls the way Athena does.

Each rewrite takes the sqlglot node of one Athena call (already typed by
`annotate_types` where the types are known) and returns the DuckDB expression that
replaces it. Most are written as DuckDB SQL templates whose `_x`-named columns are
filled in with the call's arguments.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sqlglot
from sqlglot import exp

from lakehouse.errors import QueryError
from lakehouse.sql.datetime_formats import iso8601_format, joda_format, mysql_format

Rewrite = Callable[[exp.Func], exp.Expr]
NAME_KEY = "athena_name"  # meta key parse_athena sets on each call: the name as written
# What Trino's trim() removes (Java whitespace); DuckDB's trim() only removes spaces.
WHITESPACE = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u2028\u2029\u205f\u3000"


@functools.cache
def _parsed(template: str) -> exp.Expr:
    """A template's tree. Its calls are DuckDB's, written by the translator: they name no Athena
    function (so no rewrite applies to them, and none is looked up by class for them)."""
    tree = sqlglot.parse_one(template, read="duckdb")
    for node in tree.find_all(exp.Func):
        node.meta[NAME_KEY] = None
    return tree


def duck(template: str, **args: exp.Expr) -> exp.Expr:
    """A DuckDB expression from `template`, its `_name` columns replaced by `args`."""

    def fill(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name in args:
            return args[node.name].copy()
        return node

    tree = _parsed(template).copy().transform(fill)
    return exp.Paren(this=tree) if isinstance(tree, (exp.Binary, exp.Unary)) else tree


def call(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A DuckDB function call sqlglot prints as written."""
    return exp.Anonymous(this=name, expressions=[a.copy() for a in args])


def literal_text(node: exp.Expr | None, what: str) -> str:
    if not isinstance(node, exp.Literal) or not node.is_string:
        raise QueryError(f"NOT_SUPPORTED: {what} must be a string literal here")
    return node.this


def is_type(node: exp.Expr | None, *types: exp.DType) -> bool:
    return node is not None and node.type is not None and node.is_type(*types)


def renamed(name: str) -> Rewrite:
    """Same arguments, DuckDB's name for the function."""
    return lambda node: call(name, *arguments(node))


def arguments(node: exp.Func) -> list[exp.Expr]:
    """The call's arguments in order, whichever arg slots sqlglot put them in."""
    found: list[exp.Expr] = []
    for value in node.args.values():
        found += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, exp.Expr)]
    return found


# --- string -----------------------------------------------------------------------------


def substr(node: exp.Func) -> exp.Expr:
    """Athena returns '' for start 0, a start before the string, or a length ≤ 0."""
    start, length = node.args["start"], node.args.get("length")
    if start.is_int and start.to_py() > 0 and (length is None or (length.is_int and length.to_py() >= 0)):
        return node
    guard = "_start = 0 OR _start < -LENGTH(_s)" + (" OR _length < 0" if length is not None else "")
    body = "SUBSTRING(_s, _start" + (", _length)" if length is not None else ")")
    args = {"_s": node.this, "_start": start} | ({"_length": length} if length is not None else {})
    return duck(f"CASE WHEN {guard} THEN '' ELSE {body} END", **args)


def split_part(node: exp.Func) -> exp.Expr:
    """Athena returns NULL past the last field; DuckDB returns ''."""
    return duck(
        "CASE WHEN _i > LEN(STRING_SPLIT(_s, _d)) THEN NULL ELSE SPLIT_PART(_s, _d, _i) END",
        _s=node.this, _d=node.args["delimiter"], _i=node.args["part_index"],
    )


def trim(node: exp.Func) -> exp.Expr:
    if node.args.get("expression") is None:
        node.set("expression", exp.Literal.string(WHITESPACE))
    return node


def reverse(node: exp.Func) -> exp.Expr:
    return call("LIST_REVERSE", node.this) if is_type(node.this, exp.DType.ARRAY) else node


# --- date/time --------------------------------------------------------------------------

_DATE_UNITS = {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}


def _unit(node: exp.Func) -> exp.Expr:
    unit = node.args.get("unit")
    return exp.Literal.string(unit.name.lower()) if isinstance(unit, exp.Var) else unit


def date_diff(node: exp.Func) -> exp.Expr:
    """Athena counts whole units elapsed (DuckDB's date_sub), not boundaries crossed."""
    return call("DATE_SUB", _unit(node), node.expression, node.this)


def keep_date(node: exp.Func) -> exp.Expr:
    """date_add / date_trunc of a DATE stay a DATE in Athena; DuckDB returns a TIMESTAMP."""
    unit = node.args.get("unit")
    if is_type(node.this, exp.DType.DATE) and (not isinstance(unit, exp.Var) or unit.name.upper() in _DATE_UNITS):
        return exp.cast(node, exp.DType.DATE)
    return node


def date_format(node: exp.Func) -> exp.Expr:
    return call("STRFTIME", node.this, exp.Literal.string(mysql_format(literal_text(node.args.get("format"), "the format"))))


def date_parse(node: exp.Func) -> exp.Expr:
    return call("STRPTIME", node.this, exp.Literal.string(mysql_format(literal_text(node.args.get("format"), "the format"))))


def format_datetime(node: exp.Func) -> exp.Expr:
    value, pattern = arguments(node)
    return call("STRFTIME", value, exp.Literal.string(joda_format(literal_text(pattern, "the Joda pattern"))))


def parse_datetime(node: exp.Func) -> exp.Expr:
    return call("STRPTIME", node.this, exp.Literal.string(joda_format(literal_text(node.args.get("format"), "the Joda pattern"))))


def to_iso8601(node: exp.Func) -> exp.Expr:
    (value,) = arguments(node)
    if is_type(value, exp.DType.DATE):
        return call("STRFTIME", value, exp.Literal.string(iso8601_format("DATE", None)))
    if is_type(value, *exp.DataType.TEMPORAL_TYPES):
        params = value.type.expressions
        precision = int(params[0].name) if params else None
        return call("STRFTIME", value, exp.Literal.string(iso8601_format("TIMESTAMP", precision)))
    # Type unknown until DuckDB binds it: both branches accept a DATE or a TIMESTAMP.
    return duck(
        f"CASE WHEN TYPEOF(_v) = 'DATE' THEN STRFTIME(_v, '{iso8601_format('DATE', None)}') "
        f"ELSE STRFTIME(_v, '{iso8601_format('TIMESTAMP', None)}') END",
        _v=value,
    )


def from_unixtime(node: exp.Func) -> exp.Expr:
    if any(node.args.get(k) is not None for k in ("zone", "hours", "minutes")):
        raise QueryError("NOT_SUPPORTED: from_unixtime with a time zone; use from_unixtime(x)")
    # Athena: timestamp(3) in UTC; DuckDB's to_timestamp is zoned and microsecond precise.
    return duck("MAKE_TIMESTAMP(CAST(ROUND(CAST(_x AS DOUBLE) * 1000) AS BIGINT) * 1000)", _x=node.this)


def from_iso8601_timestamp(node: exp.Func) -> exp.Expr:
    # Without an offset the text is in the session zone, which is UTC in Athena.
    return duck(
        r"CASE WHEN REGEXP_MATCHES(_s, '([zZ]|[+-]\d\d(:?\d\d)?)$') "
        "THEN CAST(CAST(_s AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) ELSE CAST(_s AS TIMESTAMP) END",
        _s=node.this,
    )


def current_timestamp(node: exp.Func) -> exp.Expr:
    return duck("CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP)")


def current_date(node: exp.Func) -> exp.Expr:
    return duck("CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS DATE)")


def millisecond(node: exp.Func) -> exp.Expr:
    return duck("MILLISECOND(_t) % 1000", _t=arguments(node)[0])  # DuckDB counts from the minute


# Athena's EXTRACT fields by DuckDB's name; Athena's day of week is ISO (Monday 1 … Sunday 7).
_EXTRACT_FIELDS = {"DOW": "ISODOW", "DAY_OF_WEEK": "ISODOW", "DAY_OF_YEAR": "DOY", "DAY_OF_MONTH": "DAY",
                   "YEAR_OF_WEEK": "ISOYEAR", "YOW": "ISOYEAR"}


def extract(node: exp.Func) -> exp.Expr:
    field = _EXTRACT_FIELDS.get(node.this.name.upper())
    if field is not None:
        node.set("this", exp.var(field))
    return node


def sequence(node: exp.Func) -> exp.Expr:
    start, end, step = node.args.get("start"), node.args.get("end"), node.args.get("step")
    if not is_type(start, exp.DType.DATE):
        return node
    step = step or exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY"))
    return duck(
        "CAST(GENERATE_SERIES(CAST(_a AS TIMESTAMP), CAST(_b AS TIMESTAMP), _step) AS DATE[])", _a=start, _b=end, _step=step
    )


# --- math -------------------------------------------------------------------------------


def log(node: exp.Func) -> exp.Expr:
    """Athena's log(b, x) and log2(x) are ln(x) / ln(b), to the last bit."""
    return duck("LN(_x) / LN(_b)", _x=node.expression, _b=node.this)


def log10(node: exp.Func) -> exp.Expr:
    return call("LOG10", node.expression)


def random(node: exp.Func) -> exp.Expr:
    low, high = (node.this, node.args.get("lower")) if node.args.get("lower") is not None else (None, node.this)
    if high is None:
        return node
    if low is None:
        return duck("CAST(FLOOR(RANDOM() * _n) AS BIGINT)", _n=high)
    return duck("CAST(_a + FLOOR(RANDOM() * (_b - _a)) AS BIGINT)", _a=low, _b=high)


def constant_e(node: exp.Func) -> exp.Expr:
    return call("EXP", exp.Literal.number(1))


def constant(value: str) -> Rewrite:
    """infinity() and nan(): DuckDB spells them as casts."""
    return lambda node: duck(f"CAST('{value}' AS DOUBLE)")
