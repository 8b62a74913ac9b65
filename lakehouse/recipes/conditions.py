"""DataBrew's condition expressions as Polars predicates; a step's conditions are ANDed.

(https://docs.aws.amazon.com/databrew/latest/dg/recipes.html#recipes.structure)

Value is always a string. The formats read here (the page's own example is
LESS_THAN with Value "1"; console exports write STARTS_WITH "[TEST]" as plain text):
  IS / IS_NOT          a JSON array of values, '["Phone","Chat"]'; anything that is not a
                       JSON array is one bare value, kept as written ("1.50" stays "1.50")
  IS_BETWEEN           '{"greaterThanEqual": "1", "lessThanEqual": "10"}' (inclusive; either
                       bound may be left out), or a two-item array '[1, 10]'
  IS_INVALID           optionally a data type (string, number, boolean, date, timestamp, as
                       FILL_WITH_CUSTOM's columnDataType); without one, the column's own type
  IS_MISSING           no Value
  the others           one plain value; text conditions never parse it ('[TEST]' is literal)

Undocumented edge cases, decided here once for every condition:
  * missing values (null, "" in text, NaN) never satisfy a positive condition and always
    satisfy its negation (a missing value "is not" X and "does not contain" x); only IS
    and IS_NOT can name "" explicitly ('[""]');
  * comparisons are numeric when Value is a number (text columns are read as numbers,
    non-numbers never match), by date on date columns, else by text (ISO dates in text sort right);
  * text matching is exact and case-sensitive, like IS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime

import polars as pl

from lakehouse.recipes import batchwise
from lakehouse.recipes.model import Condition, RecipeError, RecipeStep

Fail = Callable[[str], RecipeError]
Builder = Callable[[pl.Expr, str | None, pl.DataType, Fail], pl.Expr]

# DataBrew's column data types (FILL_WITH_CUSTOM, REMOVE_INVALID list them), plus the
# Spark names people also write.
DATA_TYPES: dict[str, str] = {
    "string": "string", "number": "number", "boolean": "boolean", "date": "date",
    "timestamp": "timestamp", "unsupported": "unsupported",
    "int": "number", "integer": "number", "long": "number", "double": "number",
    "float": "number", "decimal": "number",
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y")
TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M",
)


def text(column: pl.Expr) -> pl.Expr:
    return column.cast(pl.String)


def missing_mask(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Null, an empty string in a text column, or NaN in a float column (never null itself)."""
    if dtype == pl.String:
        return column.is_null() | (column == "")
    if dtype.is_float():
        return column.is_null() | column.is_nan()
    return column.is_null()


def data_type(name: str, fail: Fail) -> str:
    kind = DATA_TYPES.get(name.strip().lower())
    if kind is None:
        raise fail(f"{name!r} is not a data type (one of string, number, boolean, date, timestamp)")
    return kind


def as_date(value: pl.Expr) -> pl.Expr:
    """Text read as a date in any of DATE_FORMATS (null where none fits)."""
    return pl.coalesce([value.str.to_date(f, strict=False) for f in DATE_FORMATS])


def as_timestamp(value: pl.Expr) -> pl.Expr:
    """Text read as a UTC timestamp (a bare date is midnight), null where nothing fits."""
    stamps = [value.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC") for f in TIMESTAMP_FORMATS]
    return pl.coalesce([*stamps, as_date(value).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")])


def parses_as(column: pl.Expr, kind: str) -> pl.Expr:
    """True where the value reads as `kind` (null where it is null)."""
    value = text(column).str.strip_chars()
    if kind == "number":
        return value.cast(pl.Float64, strict=False).is_not_null()
    if kind == "boolean":
        return value.str.to_lowercase().is_in(["true", "false"])
    if kind == "date":
        return as_date(value).is_not_null()
    return as_timestamp(value).is_not_null()


def _own_kind(dtype: pl.DataType) -> str:
    if dtype.is_numeric():
        return "number"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    return "string"


def invalid_mask(column: pl.Expr, dtype: pl.DataType, kind: str | None) -> pl.Expr:
    """A present value that does not read as `kind` (default: the column's own type).

    Missing values are missing, not invalid; text is never invalid as text, and a typed
    column holds only valid values of its own type.
    """
    kind = kind or _own_kind(dtype)
    if kind in ("string", "unsupported") or kind == _own_kind(dtype):
        return pl.lit(False)
    return ~missing_mask(column, dtype) & ~parses_as(column, kind).fill_null(False)


def _required(value: str | None, fail: Fail) -> str:
    if value is None:
        raise fail("needs a Value")
    return value


def _values(value: str | None, fail: Fail) -> list[str]:
    raw = _required(value, fail)
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, list):
        return [raw]  # a bare value, kept as written ("1.50" stays "1.50")
    return [item if isinstance(item, str) else json.dumps(item) for item in parsed]


def _number(raw: str) -> float | None:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _is(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Fail) -> pl.Expr:
    values = _values(value, fail)
    numbers = [_number(v) for v in values]
    if dtype.is_numeric() and all(n is not None for n in numbers):
        return _one_of(column.cast(pl.Float64), numbers)  # 1.0 IS "1"
    if dtype == pl.Boolean:
        values = [v.lower() for v in values]
    return _one_of(text(column), values)


# Up to this many values, IS compares value by value inside the row-by-row projection;
# more are looked up batch by batch (batchwise.py says why not a plain is_in).
_COMPARED_ONE_BY_ONE = 8


def _one_of(column: pl.Expr, values: Sequence[str] | Sequence[float]) -> pl.Expr:
    """Whether the value is one of `values` (null where it is null, as is_in)."""
    if 0 < len(values) <= _COMPARED_ONE_BY_ONE:
        return pl.any_horizontal([column == value for value in values])
    return batchwise.is_in(column, values)


def _ordered(column: pl.Expr, raw: object, dtype: pl.DataType, fail: Fail) -> tuple[pl.Expr, pl.Expr]:
    """(column side, value side) of an ordered comparison against `raw`."""
    raw = str(raw)
    number = _number(raw)
    if dtype.is_numeric():
        if number is None:
            raise fail(f"Value {raw!r} is not a number")
        return column, pl.lit(number)
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        try:
            parsed: date = date.fromisoformat(raw) if dtype == pl.Date else datetime.fromisoformat(raw)
        except ValueError:
            raise fail(f"Value {raw!r} is not an ISO date") from None
        return column, pl.lit(parsed, dtype=dtype)
    if dtype == pl.Boolean:
        raise fail("cannot order a true/false column")
    if number is not None:
        return text(column).str.strip_chars().cast(pl.Float64, strict=False), pl.lit(number)
    return text(column), pl.lit(raw)


def _compare(op: str) -> Builder:
    def build(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Fail) -> pl.Expr:
        left, right = _ordered(column, _required(value, fail), dtype, fail)
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]

    return build


def _between(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Fail) -> pl.Expr:
    raw = _required(value, fail)
    try:
        bounds = json.loads(raw)
    except json.JSONDecodeError:
        raise fail(f"Value {raw!r} is not JSON (give {{\"greaterThanEqual\": ..., \"lessThanEqual\": ...}})") from None
    if isinstance(bounds, dict):
        low = bounds.get("greaterThanEqual", bounds.get("greaterThanEquals"))
        high = bounds.get("lessThanEqual", bounds.get("lessThanEquals"))
    elif isinstance(bounds, list) and len(bounds) == 2:
        low, high = bounds
    else:
        raise fail(f"Value {raw!r} must give greaterThanEqual and/or lessThanEqual")
    if low is None and high is None:
        raise fail(f"Value {raw!r} must give greaterThanEqual and/or lessThanEqual")
    parts = []
    if low is not None:
        parts.append(_compare(">=")(column, str(low), dtype, fail))
    if high is not None:
        parts.append(_compare("<=")(column, str(high), dtype, fail))
    if low is not None and high is not None and _number(str(low)) is not None and _number(str(high)) is not None:
        if float(low) > float(high):
            raise fail(f"Value {raw!r}: the lower bound is above the upper bound")
    return pl.all_horizontal(parts)


def _invalid(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Fail) -> pl.Expr:
    return invalid_mask(column, dtype, data_type(value, fail) if value else None)


def _text_test(method: str) -> Builder:
    def build(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Fail) -> pl.Expr:
        needle = _required(value, fail)
        strings = text(column).str
        if method == "contains":
            return strings.contains(needle, literal=True)
        return getattr(strings, method)(needle)

    return build


def _present(positive: Builder) -> Builder:
    """A positive test that a missing value never passes (NaN would sort above all numbers)."""
    def build(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Fail) -> pl.Expr:
        return positive(column, value, dtype, fail).fill_null(False) & ~missing_mask(column, dtype)

    return build


def _negated(positive: Builder) -> Builder:
    """The negation: what the positive test does not pass, so every missing value."""
    def build(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Fail) -> pl.Expr:
        return ~positive(column, value, dtype, fail).fill_null(False)

    return build


# IS matches "" only when listed, never null; IS_MISSING is about missing values.
POSITIVE: dict[str, Builder] = {
    "IS": _is,
    "IS_BETWEEN": _present(_between),
    "CONTAINS": _present(_text_test("contains")),
    "STARTS_WITH": _present(_text_test("starts_with")),
    "ENDS_WITH": _present(_text_test("ends_with")),
    "LESS_THAN": _present(_compare("<")),
    "LESS_THAN_EQUAL": _present(_compare("<=")),
    "GREATER_THAN": _present(_compare(">")),
    "GREATER_THAN_EQUAL": _present(_compare(">=")),
    "IS_INVALID": _invalid,
    "IS_MISSING": lambda c, v, t, f: missing_mask(c, t),
}
CONDITIONS: dict[str, Builder] = {
    **POSITIVE,
    "IS_NOT": _negated(_is),
    "NOT_CONTAINS": _negated(POSITIVE["CONTAINS"]),
    "NOT_STARTS_WITH": _negated(POSITIVE["STARTS_WITH"]),
    "NOT_ENDS_WITH": _negated(POSITIVE["ENDS_WITH"]),
}


def condition_expression(step: RecipeStep, schema: pl.Schema) -> pl.Expr | None:
    """The AND of a step's conditions (never null), or None when it has none."""
    expressions = [_one(step, condition, schema) for condition in step.conditions]
    if not expressions:
        return None
    return pl.all_horizontal(expressions).fill_null(False)


def describe(condition: Condition) -> str:
    """'Number of Records matched LESS_THAN 1': a condition as a rejected row's reason."""
    value = f" {condition.value}" if condition.value else ""
    return f"{condition.target_column} matched {condition.condition}{value}"


def _one(step: RecipeStep, condition: Condition, schema: pl.Schema) -> pl.Expr:
    def fail(message: str) -> RecipeError:
        return RecipeError(f"{step.describe()}: condition {condition.condition} on {condition.target_column!r} {message}")

    builder = CONDITIONS.get(condition.condition)
    if builder is None:
        raise fail(f"is unknown (known: {', '.join(CONDITIONS)})")
    if condition.target_column not in schema:
        raise fail("names a column that does not exist")
    return builder(pl.col(condition.target_column), condition.value, schema[condition.target_column], fail)
