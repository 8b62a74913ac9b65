"""CHANGE_DATA_TYPE: convert a column; values that do not convert become null.

Accepted columnDataType values (case-insensitive): byte, short, int (or integer), long, float,
double, decimal (38 digits, 18 after the point), string, boolean, date, timestamp.
What converts, following Spark's casts (DataBrew runs on Spark):
  * text → integers: optional sign and digits, surrounding spaces ignored; a decimal such as
    "12.7" truncates toward zero (12); out-of-range values, "1,234" and "abc" give null;
  * numbers → integers: truncated toward zero; out of range gives null;
  * text → boolean: true/false, yes/no, t/f, y/n, 1/0 in any case; numbers: 0 is false;
  * text → date/timestamp: the layouts listed in dates.py; timestamp → date drops the time;
    numbers → timestamp: seconds since 1970-01-01 UTC;
  * → string: dates as yyyy-mm-dd, timestamps as yyyy-mm-dd HH:MM:SS, booleans as true/false.
"""

from __future__ import annotations

import polars as pl

from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import StepContext
from lakehouse.recipes.operations.dates import as_datetime

TYPES: dict[str, pl.DataType] = {
    "byte": pl.Int8(), "short": pl.Int16(), "int": pl.Int32(), "integer": pl.Int32(), "long": pl.Int64(),
    "float": pl.Float32(), "double": pl.Float64(), "decimal": pl.Decimal(38, 18), "string": pl.String(),
    "boolean": pl.Boolean(), "date": pl.Date(), "timestamp": pl.Datetime("us"),
}
_TRUE = ["true", "yes", "t", "y", "1"]
_FALSE = ["false", "no", "f", "n", "0"]


def _integer(value: pl.Expr, dtype: pl.DataType, target: pl.DataType) -> pl.Expr:
    if dtype.is_numeric():
        return value.cast(target, strict=False)
    trimmed = value.cast(pl.String).str.strip_chars()
    exact = trimmed.cast(pl.Int64, strict=False)  # exact for long values beyond 2^53
    decimal = trimmed.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)$")  # no exponents, as Spark
    truncated = pl.when(decimal).then(trimmed.cast(pl.Float64, strict=False)).cast(pl.Int64, strict=False)
    return pl.coalesce(exact, truncated).cast(target, strict=False)


def _boolean(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Boolean:
        return value
    if dtype.is_numeric():
        return value != 0
    lowered = value.cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(lowered.is_in(_TRUE)).then(True).when(lowered.is_in(_FALSE)).then(False).otherwise(None)


def _string(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        return value.dt.strftime("%Y-%m-%d %H:%M:%S")
    return value.cast(pl.String)


def _timestamp(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_numeric():
        return pl.from_epoch((value.cast(pl.Float64) * 1_000_000).cast(pl.Int64, strict=False), time_unit="us")
    return as_datetime(value, dtype)


def convert(value: pl.Expr, dtype: pl.DataType, wanted: str) -> pl.Expr:
    """`value` (of `dtype`) as DataBrew's type `wanted`; failures are null."""
    target = TYPES[wanted]
    if target.is_integer():
        return _integer(value, dtype, target)
    if target == pl.Boolean:
        return _boolean(value, dtype)
    if target == pl.String:
        return _string(value, dtype)
    if target == pl.Date:
        return as_datetime(value, dtype).dt.date()
    if isinstance(target, pl.Datetime):
        return _timestamp(value, dtype)
    if dtype.is_numeric() or dtype == pl.Boolean:
        return value.cast(target, strict=False)
    return value.cast(pl.String).str.strip_chars().cast(target, strict=False)  # float, double, decimal


# A type change applies to the whole column: DataBrew offers no conditions for it.
@operation("CHANGE_DATA_TYPE", required=["sourceColumn", "columnDataType"], existing_columns=["sourceColumn"],
           conditions_allowed=False)
def change_data_type(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    wanted = ctx.required("columnDataType").strip().lower()
    if wanted not in TYPES:
        raise ctx.error("columnDataType", f"must be one of {', '.join(TYPES)} (got {ctx.required('columnDataType')!r})")
    return ctx.frame.with_columns(convert(pl.col(column), ctx.dtype(column), wanted).alias(column))
