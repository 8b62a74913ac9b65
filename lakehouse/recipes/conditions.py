"""DataBrew's condition expressions as Polars predicates; a step's conditions are ANDed.

(https://docs.aws.amazon.com/databrew/latest/dg/recipes.html#recipes.structure)
"""

from __future__ import annotations

import json
from collections.abc import Callable

import polars as pl

from lakehouse.recipes.model import Condition, RecipeError, RecipeStep

Builder = Callable[[pl.Expr, str | None, pl.DataType, Callable[[str], RecipeError]], pl.Expr]


def _text(column: pl.Expr) -> pl.Expr:
    return column.cast(pl.String)


def _string_value(value: str | None, fail: Callable[[str], RecipeError]) -> str:
    if value is None:
        raise fail("needs a Value")
    return value


def _values(value: str | None, fail: Callable[[str], RecipeError]) -> list[str]:
    """IS / IS_NOT take a JSON array of values, e.g. "[\\"Phone\\",\\"Chat\\"]"."""
    raw = _string_value(value, fail)
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        parsed = [raw]  # a bare value, as the console writes single values
    if not isinstance(parsed, list):
        parsed = [parsed]
    return [str(item) for item in parsed]


def _number(value: str | None, fail: Callable[[str], RecipeError]) -> float:
    raw = _string_value(value, fail)
    try:
        return float(raw)
    except ValueError:
        raise fail(f"Value {raw!r} is not a number") from None


def _comparable(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    # Comparisons are numeric: text columns are read as numbers (non-numbers never match).
    return column if dtype.is_numeric() else _text(column).str.strip_chars().cast(pl.Float64, strict=False)


def _between(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Callable[[str], RecipeError]) -> pl.Expr:
    raw = _string_value(value, fail)
    try:
        bounds = json.loads(raw)
    except json.JSONDecodeError:
        raise fail(f"Value {raw!r} is not JSON") from None
    if isinstance(bounds, dict):
        low = bounds.get("greaterThanEqual", bounds.get("from"))
        high = bounds.get("lessThanEqual", bounds.get("to"))
    elif isinstance(bounds, list) and len(bounds) == 2:
        low, high = bounds
    else:
        raise fail(f"Value {raw!r} must give two bounds")
    try:
        return _comparable(column, dtype).is_between(float(low), float(high))
    except (TypeError, ValueError):
        raise fail(f"Value {raw!r} bounds must be numbers") from None


def _invalid(column: pl.Expr, value: str | None, dtype: pl.DataType, fail: Callable[[str], RecipeError]) -> pl.Expr:
    """A value that does not fit the column's type (or the type named in Value)."""
    wanted = (value or "").lower()
    text = _text(column).str.strip_chars()
    casts: dict[str, pl.Expr] = {
        "int": text.cast(pl.Int64, strict=False), "integer": text.cast(pl.Int64, strict=False),
        "long": text.cast(pl.Int64, strict=False), "double": text.cast(pl.Float64, strict=False),
        "float": text.cast(pl.Float64, strict=False), "decimal": text.cast(pl.Float64, strict=False),
        "boolean": text.str.to_lowercase().replace_strict({"true": True, "false": False}, default=None),
        "date": text.str.to_date(strict=False), "timestamp": text.str.to_datetime(strict=False),
    }
    if wanted:
        if wanted not in casts:
            raise fail(f"Value {value!r} is not a data type ({', '.join(sorted(casts))})")
        return column.is_not_null() & casts[wanted].is_null()
    if dtype == pl.String:
        return pl.lit(False)  # every text value is valid text
    return pl.lit(False)  # typed columns hold only valid values


CONDITIONS: dict[str, Builder] = {
    "IS": lambda c, v, t, f: _text(c).is_in(_values(v, f)),
    "IS_NOT": lambda c, v, t, f: ~_text(c).is_in(_values(v, f)) | c.is_null(),
    "IS_BETWEEN": _between,
    "CONTAINS": lambda c, v, t, f: _text(c).str.contains(_string_value(v, f), literal=True),
    "NOT_CONTAINS": lambda c, v, t, f: ~_text(c).str.contains(_string_value(v, f), literal=True),
    "STARTS_WITH": lambda c, v, t, f: _text(c).str.starts_with(_string_value(v, f)),
    "NOT_STARTS_WITH": lambda c, v, t, f: ~_text(c).str.starts_with(_string_value(v, f)),
    "ENDS_WITH": lambda c, v, t, f: _text(c).str.ends_with(_string_value(v, f)),
    "NOT_ENDS_WITH": lambda c, v, t, f: ~_text(c).str.ends_with(_string_value(v, f)),
    "LESS_THAN": lambda c, v, t, f: _comparable(c, t) < _number(v, f),
    "LESS_THAN_EQUAL": lambda c, v, t, f: _comparable(c, t) <= _number(v, f),
    "GREATER_THAN": lambda c, v, t, f: _comparable(c, t) > _number(v, f),
    "GREATER_THAN_EQUAL": lambda c, v, t, f: _comparable(c, t) >= _number(v, f),
    "IS_INVALID": _invalid,
    "IS_MISSING": lambda c, v, t, f: c.is_null() | (_text(c) == ""),
}


def condition_expression(step: RecipeStep, schema: pl.Schema) -> pl.Expr | None:
    """The AND of a step's conditions, or None when it has none."""
    expressions = []
    for condition in step.conditions:
        expressions.append(_one(step, condition, schema))
    if not expressions:
        return None
    combined = expressions[0]
    for expression in expressions[1:]:
        combined = combined & expression
    return combined.fill_null(False)


def _one(step: RecipeStep, condition: Condition, schema: pl.Schema) -> pl.Expr:
    def fail(message: str) -> RecipeError:
        return RecipeError(f"{step.describe()}: condition {condition.condition} on {condition.target_column!r} {message}")

    builder = CONDITIONS.get(condition.condition)
    if builder is None:
        raise fail(f"is unknown (known: {', '.join(CONDITIONS)})")
    if condition.target_column not in schema:
        raise fail("names a column that does not exist")
    return builder(pl.col(condition.target_column), condition.value, schema[condition.target_column], fail)
