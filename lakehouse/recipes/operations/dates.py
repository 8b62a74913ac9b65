"""Date and time functions: parts (YEAR … QUARTER), DATE_FORMAT, FORMAT_DATE, DATE_ADD, DATE_DIFF.

Text is read as a date/time in the first of these layouts that fits (surrounding spaces
ignored; slashed dates are US month/day, as 3-1-1 portals publish them); text that fits none
gives null:
  2023-01-15, 2023-01-15 10:30[:00[.123]], the same with T and an optional Z/±hh:mm offset
  (converted to UTC), 2023/01/15[ 10:30:00], 01/15/2023, 01/15/23, 01-15-2023,
  01/15/2023 10:30[:00][ AM|PM], 15 January 2023, January 15[,] 2023 (also Jan), 10:30:00.

DataBrew format strings (dateTimeFormat, targetDateFormat) use yyyy, yy, month (full month
name), mmm (short month name), mm (month), dd, HH, MM (minutes), SS; anything else is literal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import polars as pl

from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import DOCS, Apply, StepContext
from lakehouse.recipes.operations.cleaning import SOURCE, TARGET, text
from lakehouse.recipes.operations.numbers import two_operands

FUNCTIONS = f"{DOCS}functions."
DEFAULT_FORMAT = "yyyy-mm-dd HH:MM:SS"
UNITS = ("MONTHS", "YEARS", "MILLISECONDS", "QUARTERS", "HOURS", "MICROSECONDS", "WEEKS", "SECONDS", "DAYS", "MINUTES")
_OFFSETS = {"MONTHS": "mo", "YEARS": "y", "MILLISECONDS": "ms", "QUARTERS": "q", "HOURS": "h",
            "MICROSECONDS": "us", "WEEKS": "w", "SECONDS": "s", "DAYS": "d", "MINUTES": "m"}

# ISO dates first: most data is ISO and a text that fits it fits no other layout. Then two-digit
# years before four: chrono's %Y also reads "23" (as year 23).
_NAIVE = (
    "%Y-%m-%d", "%m/%d/%y", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%Y/%m/%d", "%Y/%m/%d %H:%M:%S%.f", "%m/%d/%Y", "%m-%d-%Y",
    "%m/%d/%Y %H:%M:%S%.f", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
    "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y", "%b %d %Y",
)
_ZONED = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
_TOKENS = re.compile(r"yyyy|yy|month|mmm|mm|dd|HH|MM|SS")
_STRFTIME = {"yyyy": "%Y", "yy": "%y", "month": "%B", "mmm": "%b", "mm": "%m", "dd": "%d",
             "HH": "%H", "MM": "%M", "SS": "%S"}


def _layouts(value: pl.Expr) -> list[pl.Expr]:
    """`value` read in each layout, in the order they are tried (null where it does not fit)."""
    attempts = [value.str.to_datetime(f, time_unit="us", strict=False, exact=True) for f in _NAIVE]
    attempts += [value.str.to_datetime(f, time_unit="us", strict=False).dt.replace_time_zone(None) for f in _ZONED]
    attempts.append(pl.lit(dt.date(1970, 1, 1)).dt.combine(value.str.to_time("%H:%M:%S", strict=False), "us"))
    return attempts


_READERS = _layouts(pl.col("text"))


def _first_fitting_layout(values: pl.Series) -> pl.Series:
    """What coalescing every layout gives, but each layout only reads the texts no earlier one
    could: a column of ISO dates costs one parse instead of 23."""
    pending = pl.DataFrame({"text": values}).with_row_index("at").filter(pl.col("text").is_not_null())
    result = pl.repeat(None, len(values), dtype=pl.Datetime("us"), eager=True).alias(values.name)
    for reader in _READERS:
        if pending.is_empty():
            break
        pending = pending.with_columns(reader.alias("read"))
        fitted = pending.filter(pl.col("read").is_not_null())
        if not fitted.is_empty():
            result.scatter(fitted["at"], fitted["read"])
        pending = pending.filter(pl.col("read").is_null()).drop("read")
    return result


def parse_text(value: pl.Expr) -> pl.Expr:
    """Text → naive Datetime(us), trying the layouts in the module docstring."""
    # Elementwise, so the streaming engine still runs it batch by batch.
    return value.str.strip_chars().map_batches(
        _first_fitting_layout, return_dtype=pl.Datetime("us"), is_elementwise=True
    )


def as_datetime(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Any column as a naive Datetime(us); numbers and other types give null."""
    if dtype == pl.Date:
        return value.cast(pl.Datetime("us"))
    if isinstance(dtype, pl.Datetime):
        zoned = value.dt.convert_time_zone("UTC").dt.replace_time_zone(None) if dtype.time_zone else value
        return zoned.dt.cast_time_unit("us")
    if dtype == pl.String:
        return parse_text(value)
    return pl.lit(None, pl.Datetime("us"))


def source_datetime(ctx: StepContext, source: str = "sourceColumn", value: str = "value") -> pl.Expr:
    column = ctx.param(source)
    if column is not None:
        return as_datetime(pl.col(column), ctx.dtype(column))
    return parse_text(pl.lit(ctx.required(value), pl.String))


def strftime(ctx: StepContext, parameter: str, default: str | None = DEFAULT_FORMAT) -> str:
    """A DataBrew date format → a Polars/chrono strftime string."""
    databrew = ctx.param(parameter, default)
    if not databrew:
        raise ctx.error(parameter, "is required")
    pieces, at = [], 0
    for match in _TOKENS.finditer(databrew):
        pieces += [databrew[at:match.start()].replace("%", "%%"), _STRFTIME[match.group()]]
        at = match.end()
    pieces.append(databrew[at:].replace("%", "%%"))
    return "".join(pieces)


def _derive(ctx: StepContext, expression: pl.Expr) -> pl.LazyFrame:
    return ctx.add(ctx.required("targetColumn"), expression, after=ctx.param("sourceColumn"))


def _function(name: str, page: str, *required: str, optional: tuple[str, ...] = ()) -> Callable[[Apply], Apply]:
    """Register a function reading `sourceColumn` or `value` into a new `targetColumn`."""
    return operation(name, doc=f"{FUNCTIONS}{page}.html", required=[*TARGET, *required],
                     optional=["sourceColumn", "value", *optional], existing_columns=SOURCE, new_columns=TARGET,
                     one_of=[["sourceColumn", "value"]])


# Date parts -------------------------------------------------------------------------------
_PARTS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "YEAR": lambda d: d.dt.year(),
    "MONTH": lambda d: d.dt.month(),
    "DAY": lambda d: d.dt.day(),
    "QUARTER": lambda d: d.dt.quarter(),
    # 1 = Sunday … 7 = Saturday, as Spark's dayofweek (DataBrew runs on Spark).
    "WEEK_DAY": lambda d: d.dt.weekday() % 7 + 1,
}


def _register_part(name: str, part: Callable[[pl.Expr], pl.Expr]) -> None:
    @_function(name, name)
    def apply(ctx: StepContext) -> pl.LazyFrame:
        return _derive(ctx, part(source_datetime(ctx)).cast(pl.Int32))


for _name, _part in _PARTS.items():
    _register_part(_name, _part)


# Formatting -------------------------------------------------------------------------------
@_function("DATE_FORMAT", "DATE_FORMAT", optional=("dateTimeFormat",))
def date_format(ctx: StepContext) -> pl.LazyFrame:
    return _derive(ctx, source_datetime(ctx).dt.strftime(strftime(ctx, "dateTimeFormat")))


FORMAT_DATE_FORMATS = ("mm/dd/yyyy", "mm-dd-yyyy", "dd month yyyy", "month yyyy", "dd month")


@operation("FORMAT_DATE", required=[*SOURCE, "targetDateFormat"], existing_columns=SOURCE)
def format_date(ctx: StepContext) -> pl.LazyFrame:
    """Rewrite the column as text in one of the page's five layouts; unreadable dates become null."""
    wanted = ctx.required("targetDateFormat")
    if wanted not in FORMAT_DATE_FORMATS:
        raise ctx.error("targetDateFormat", f"must be one of {', '.join(FORMAT_DATE_FORMATS)} (got {wanted!r})")
    column = ctx.required("sourceColumn")
    formatted = source_datetime(ctx).dt.strftime(strftime(ctx, "targetDateFormat"))
    return ctx.frame.with_columns(ctx.where(formatted, text(column)).alias(column))


# Arithmetic -------------------------------------------------------------------------------
def _units(ctx: StepContext) -> str:
    units = ctx.required("units")
    if units not in UNITS:
        raise ctx.error("units", f"must be one of {', '.join(UNITS)} (got {units!r})")
    return units


@_function("DATE_ADD", "DATEADD", "units", "dateAddValue", optional=("dateTimeFormat",))
def date_add(ctx: StepContext) -> pl.LazyFrame:
    # Month arithmetic clamps to the month's end (Jan 31 + 1 month = Feb 28/29).
    offset = f"{ctx.integer('dateAddValue')}{_OFFSETS[_units(ctx)]}"
    shifted = source_datetime(ctx).dt.offset_by(offset)
    return _derive(ctx, shifted.dt.strftime(strftime(ctx, "dateTimeFormat")))


def _operand(ctx: StepContext, name: str) -> pl.Expr:
    if name.startswith("sourceColumn"):
        return source_datetime(ctx, source=name)
    return parse_text(pl.lit(ctx.required(name), pl.String))


def _whole_months(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Complete calendar months from start to end (negative when end is earlier)."""
    months = (end.dt.year() - start.dt.year()).cast(pl.Int64) * 12 + (end.dt.month().cast(pl.Int64)
                                                                        - start.dt.month().cast(pl.Int64))
    into_start, into_end = start - start.dt.month_start(), end - end.dt.month_start()
    return (pl.when((months > 0) & (into_end < into_start)).then(months - 1)
            .when((months < 0) & (into_end > into_start)).then(months + 1)
            .otherwise(months))


def _truncated(value: pl.Expr, by: int) -> pl.Expr:
    return (value / by).cast(pl.Int64)  # toward zero


@operation(
    "DATE_DIFF", doc=f"{FUNCTIONS}DATEDIFF.html", required=[*TARGET, "units"],
    optional=["sourceColumn1", "sourceColumn2", "value1", "value2"],
    existing_columns=["sourceColumn1", "sourceColumn2"], new_columns=TARGET,
)
def date_diff(ctx: StepContext) -> pl.LazyFrame:
    """Second date minus first, in whole `units` (truncated toward zero); the page's example,
    value1 2020-01-01 and value2 2020-10-06 in DAYS, gives 279."""
    first, second = (_operand(ctx, name) for name in two_operands(ctx))
    units = _units(ctx)
    span = second - first
    months = _whole_months(first, second)
    result = {
        "MICROSECONDS": span.dt.total_microseconds(), "MILLISECONDS": span.dt.total_milliseconds(),
        "SECONDS": span.dt.total_seconds(), "MINUTES": span.dt.total_minutes(), "HOURS": span.dt.total_hours(),
        "DAYS": span.dt.total_days(), "WEEKS": _truncated(span.dt.total_days(), 7),
        "MONTHS": months, "QUARTERS": _truncated(months, 3), "YEARS": _truncated(months, 12),
    }[units]
    after = next((ctx.param(c) for c in ("sourceColumn1", "sourceColumn2") if ctx.param(c)), None)
    return ctx.add(ctx.required("targetColumn"), result.cast(pl.Int64), after=after)
