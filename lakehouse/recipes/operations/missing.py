"""Data quality recipe steps for missing values: fill them, remove their rows, flag them.

(https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.data-quality.html)

"Missing" is null, "" in a text column or NaN in a float column (conditions.missing_mask).
Aggregates (average, median, sum, mode) are taken over the column's present values in rows
no earlier step rejected; the step's conditions choose which missing values get filled.
Text columns holding numbers (the raw export is all text) are averaged as numbers and
filled with the number written back as text ("3", "2.5").
"""

from __future__ import annotations

import polars as pl

from lakehouse.recipes.conditions import as_date, as_timestamp, data_type, missing_mask, parses_as
from lakehouse.recipes.frame import ALIVE
from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import StepContext

SOURCE = ("sourceColumn",)
_STAT = "__lh_fill_value"
_FIRST = "__lh_fill_first"
_COUNT = "__lh_fill_count"
_POSITION = "__lh_fill_position"
MODE_TYPES = ("MINIMUM", "MAXIMUM", "AVERAGE", "NONE")


def _missing(ctx: StepContext, column: str) -> pl.Expr:
    return missing_mask(pl.col(column), ctx.dtype(column))


def _fill(ctx: StepContext, column: str, value: pl.Expr, frame: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Replace the missing values of `column` (where the conditions hold) with `value`.

    Where `value` is null (no values to average, nothing valid before) the cell is left as it was.
    """
    filled = pl.when(_missing(ctx, column) & value.is_not_null()).then(value).otherwise(pl.col(column))
    return (ctx.frame if frame is None else frame).with_columns(ctx.where(filled, pl.col(column)).alias(column))


def _numbers(ctx: StepContext, column: str) -> pl.Expr:
    """The column as Float64: numeric columns as they are, text read as numbers."""
    dtype = ctx.dtype(column)
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64)
    if dtype == pl.String:
        return pl.col(column).str.strip_chars().cast(pl.Float64, strict=False)
    raise ctx.error("sourceColumn", f"must name a numeric (or number-text) column; {column!r} is {dtype}")


def _as_column(ctx: StepContext, column: str, number: pl.Expr) -> pl.Expr:
    """A Float64 statistic in the column's own type.

    Whole-number columns round it (ties to even); one that does not fit the type is null,
    which leaves the cells as they were rather than failing the run halfway.
    """
    dtype = ctx.dtype(column)
    if dtype == pl.String:
        whole = (number.round(0) == number) & (number.abs() < 1e15)
        return pl.when(whole).then(number.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(number.cast(pl.String))
    if dtype.is_integer():
        return number.round(0).cast(dtype, strict=False)
    return number.cast(dtype, strict=False)


def _statistic(ctx: StepContext, column: str, aggregate: str) -> pl.LazyFrame:
    numbers = _numbers(ctx, column).filter(ALIVE & ~_missing(ctx, column))
    # As in SQL, the sum of no values is null (nothing to fill with), not 0.
    total = pl.when(numbers.count() > 0).then(numbers.sum())
    value = {"mean": numbers.mean(), "median": numbers.median(), "sum": total}[aggregate]
    return _fill(ctx, column, _as_column(ctx, column, value))


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_AVERAGE.html
@operation("FILL_WITH_AVERAGE", required=SOURCE, existing_columns=SOURCE)
def fill_with_average(ctx: StepContext) -> pl.LazyFrame:
    return _statistic(ctx, ctx.required("sourceColumn"), "mean")


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_MEDIAN.html
@operation("FILL_WITH_MEDIAN", required=SOURCE, existing_columns=SOURCE)
def fill_with_median(ctx: StepContext) -> pl.LazyFrame:
    return _statistic(ctx, ctx.required("sourceColumn"), "median")


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_SUM.html
@operation("FILL_WITH_SUM", required=SOURCE, existing_columns=SOURCE)
def fill_with_sum(ctx: StepContext) -> pl.LazyFrame:
    return _statistic(ctx, ctx.required("sourceColumn"), "sum")


def _mode(ctx: StepContext, column: str, tie: str) -> pl.LazyFrame:
    """Fill with the most frequent present value; `tie` picks among equally frequent ones.

    The mode is computed as a one-row lazy frame and cross-joined, so the plan stays lazy.
    """
    if tie == "AVERAGE":
        _numbers(ctx, column)  # fails early on a column that cannot be averaged
    counted = (
        ctx.frame.with_row_index(_POSITION)
        .filter(ALIVE & ~_missing(ctx, column))
        .group_by(column)
        .agg(pl.len().alias(_COUNT), pl.col(_POSITION).min().alias(_FIRST))
    )
    tied = counted.filter(pl.col(_COUNT) == pl.col(_COUNT).max())
    values = pl.col(column)
    pick = {
        "MINIMUM": values.min(),
        "MAXIMUM": values.max(),
        "AVERAGE": _as_column(ctx, column, _numbers(ctx, column).mean()),
        "NONE": values.sort_by(_FIRST).first(),  # the value seen first in the data
    }[tie]
    mode = tied.select(pick.alias(_STAT))
    joined = ctx.frame.join(mode, how="cross")
    return _fill(ctx, column, pl.col(_STAT), joined).drop(_STAT)


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_MODE.html
# modeType is optional here: without it (NONE) a tie goes to the value that appears first.
@operation("FILL_WITH_MODE", required=SOURCE, optional=("modeType",), existing_columns=SOURCE)
def fill_with_mode(ctx: StepContext) -> pl.LazyFrame:
    tie = (ctx.param("modeType") or "NONE").upper()
    if tie not in MODE_TYPES:
        raise ctx.error("modeType", f"must be one of {', '.join(MODE_TYPES)} (got {ctx.param('modeType')!r})")
    return _mode(ctx, ctx.required("sourceColumn"), tie)


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_MOST_FREQUENT.html
# The page names no tie-break: the value that appears first wins, as FILL_WITH_MODE's NONE.
@operation("FILL_WITH_MOST_FREQUENT", required=SOURCE, existing_columns=SOURCE)
def fill_with_most_frequent(ctx: StepContext) -> pl.LazyFrame:
    return _mode(ctx, ctx.required("sourceColumn"), "NONE")


def _typed_value(ctx: StepContext, column: str, kind: str, raw: str) -> pl.Expr:
    """The custom value as a literal of the column's type; fails when it does not fit."""
    if kind not in ("string", "unsupported") and not pl.select(parses_as(pl.lit(raw), kind)).item():
        raise ctx.error("value", f"{raw!r} is not a {kind} (columnDataType)")
    dtype = ctx.dtype(column)
    if dtype == pl.String:
        return pl.lit(raw)
    try:
        if dtype.is_numeric():
            number = float(raw)
            if dtype.is_integer() and not number.is_integer():
                raise ValueError(raw)
            literal = pl.select(pl.lit(int(number) if dtype.is_integer() else number).cast(dtype, strict=True)).item()
            return pl.lit(literal, dtype=dtype)
        if dtype == pl.Boolean:
            flag = raw.strip().lower()
            if flag not in ("true", "false"):
                raise ValueError(raw)
            return pl.lit(flag == "true")
        if dtype == pl.Date:
            literal = pl.select(as_date(pl.lit(raw.strip()))).item()
        elif isinstance(dtype, pl.Datetime):
            stamp = as_timestamp(pl.lit(raw.strip())).dt.convert_time_zone(dtype.time_zone or "UTC")
            literal = pl.select(stamp if dtype.time_zone else stamp.dt.replace_time_zone(None)).item()
        else:
            raise ValueError(raw)
        if literal is None:
            raise ValueError(raw)
        return pl.lit(literal, dtype=dtype)
    except (ValueError, pl.exceptions.PolarsError):
        raise ctx.error("value", f"{raw!r} does not fit column {column!r} ({dtype})") from None


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_CUSTOM.html
@operation("FILL_WITH_CUSTOM", required=("sourceColumn", "columnDataType", "value"), existing_columns=SOURCE)
def fill_with_custom(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    kind = data_type(ctx.required("columnDataType"), lambda m: ctx.error("columnDataType", m))
    return _fill(ctx, column, _typed_value(ctx, column, kind, ctx.required("value")))


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_EMPTY.html
@operation("FILL_WITH_EMPTY", required=SOURCE, existing_columns=SOURCE)
def fill_with_empty(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    if ctx.dtype(column) != pl.String:
        raise ctx.error("sourceColumn", f"must name a text column to hold empty strings; {column!r} is {ctx.dtype(column)}")
    return _fill(ctx, column, pl.lit(""))


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_NULL.html
# The page says data values (not missing ones) become null: every value the step's
# conditions select, so without conditions the whole column.
@operation("FILL_WITH_NULL", required=SOURCE, existing_columns=SOURCE)
def fill_with_null(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    return ctx.replace(column, pl.lit(None, ctx.dtype(column)))


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_LAST_VALID.html
# "Valid" is present and readable as columnDataType; rows rejected earlier are skipped.
@operation("FILL_WITH_LAST_VALID", required=("sourceColumn", "columnDataType"), existing_columns=SOURCE)
def fill_with_last_valid(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    kind = data_type(ctx.required("columnDataType"), lambda m: ctx.error("columnDataType", m))
    valid = ALIVE & ~_missing(ctx, column)
    if kind not in ("string", "unsupported"):
        valid = valid & parses_as(pl.col(column), kind).fill_null(False)
    last = pl.when(valid).then(pl.col(column)).otherwise(None).forward_fill()
    return _fill(ctx, column, last)


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REMOVE_MISSING.html
@operation("REMOVE_MISSING", required=SOURCE, existing_columns=SOURCE)
def remove_missing(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    return ctx.reject(_missing(ctx, column), f"missing value in {column}")


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FLAG_COLUMN_FROM_NULL.html
# Flags missing values (null, and "" which is how a text export writes null). The flag
# column is text, placed right after the source column.
@operation("FLAG_COLUMN_FROM_NULL", required=("sourceColumn", "targetColumn"),
           optional=("flagType", "trueString", "falseString"), existing_columns=SOURCE, new_columns=("targetColumn",))
def flag_column_from_null(ctx: StepContext) -> pl.LazyFrame:
    flag_type = ctx.param("flagType", "Null values")
    if flag_type.strip().lower() != "null values":
        raise ctx.error("flagType", f"must be \"Null values\" (got {flag_type!r})")
    column = ctx.required("sourceColumn")
    flag = pl.when(_missing(ctx, column)).then(pl.lit(ctx.param("trueString", "True"))) \
        .otherwise(pl.lit(ctx.param("falseString", "False")))
    return ctx.add(ctx.required("targetColumn"), flag, after=column)

