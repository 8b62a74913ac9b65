"""A DataBrew-style profile of a frame, on the rows its JobSample names, one column at a time.

DataBrew's profile job reports, per column, the statistics listed under "Configurable
statistics at the column level" (https://docs.aws.amazon.com/databrew/latest/dg/profile.configuration.html);
the keys below reuse its attribute names. Like DataBrew's profile jobs, it profiles a sample:
`JobSample` {Mode: CUSTOM_ROWS | FULL_DATASET, Size}, by default CUSTOM_ROWS of 20,000 rows
(https://docs.aws.amazon.com/databrew/latest/dg/API_JobSample.html). The page does not say which
rows; this profile takes the first Size rows, so a profile is reproducible and reads little.
Data-quality rules (`lakehouse.recipes.rules`) are not sampled: they always see every row.
`profile_frame` returns:

    {"rowsCount": int,                     # rows profiled (the sample), the base of every percentage
     "sample": {"mode": "CUSTOM_ROWS" | "FULL_DATASET", "size": int | None,
                "rowsProfiled": int, "totalRows": int},   # which rows of how many
     "columnsCount": int,
     "duplicateRowsCount": int,            # rows that repeat an earlier row exactly
     "duplicateRowsPercentage": float,     # of rowsCount
     "columns": [{
        "name": str, "type": str,          # the Polars dtype, e.g. "Int64", "String"
        "inferredType": str,               # integer|double|boolean|date|timestamp|time|duration|
                                           # string|null|complex; strings are inferred from values
        "valuesCount": int,                # non-missing values
        "missingValuesCount": int, "missingValuesPercentage": float,   # of rowsCount
        "distinctValuesCount": int,        # values appearing at least once
        "uniqueValuesCount": int,          # values appearing exactly once
        "min", "max": number | ISO string | None,    # numbers; dates/timestamps as ISO text
        "mean", "median", "standardDeviation": float | None,  # numbers only; std is the sample std
        "stringLength": {"min": int, "mean": float, "max": int} | None,  # text columns only
        "mostCommonValues": [{"value": ..., "count": int}],  # top_n, by count then value
     }, ...]}

A value is *missing* when it is null, an empty string (as DataBrew counts it) or a float NaN.
Text columns whose values all look like integers or doubles get numeric min/max/mean/median/std
of the parsed values; date- or timestamp-looking text gets min/max. Non-finite floats become None
so the result stays plain JSON. The rules engine (`lakehouse.recipes.rules`) uses the same
`missing_mask`, so a MISSING_VALUES_PERCENTAGE check and this profile always agree (on the same rows).

Memory: each column is profiled by its own query, so only one column's values (and its value
counts) are held at a time; a Parquet scan then reads just that column. A FULL_DATASET profile of
a wide file is bounded by its largest column, not by the whole file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from lakehouse.recipes.row_hash import count_duplicate_rows

_INTEGER = r"^\s*[+-]?\d+\s*$"
_DOUBLE = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
_BOOLEAN = r"(?i)^\s*(true|false)\s*$"
_DATE = r"^\s*\d{4}-\d{2}-\d{2}\s*$"
_TIMESTAMP = r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\s*$"
# Checked in this order: the first pattern every present value matches names the type.
_TEXT_TYPES = (("integer", _INTEGER), ("double", _DOUBLE), ("boolean", _BOOLEAN), ("date", _DATE), ("timestamp", _TIMESTAMP))


CUSTOM_ROWS = "CUSTOM_ROWS"
FULL_DATASET = "FULL_DATASET"
DEFAULT_SAMPLE_SIZE = 20_000  # DataBrew's default JobSample Size
_LONG_MAX = 2**63 - 1  # the documented maximum Size (Long.MAX_VALUE)


@dataclass(frozen=True)
class JobSample:
    """Which rows a profile job reads: DataBrew's JobSample, with its documented defaults."""

    mode: str = CUSTOM_ROWS
    size: int | None = DEFAULT_SAMPLE_SIZE  # only used (and required) with CUSTOM_ROWS

    def __post_init__(self) -> None:
        if self.mode not in (CUSTOM_ROWS, FULL_DATASET):
            raise ValueError(f"JobSample.Mode: {self.mode!r} is not one of {CUSTOM_ROWS}, {FULL_DATASET}")
        if self.mode == CUSTOM_ROWS and (
            not isinstance(self.size, int) or isinstance(self.size, bool) or not 1 <= self.size <= _LONG_MAX
        ):
            raise ValueError(f"JobSample.Size: {self.size!r} must be a whole number of rows from 1 to {_LONG_MAX}")

    @classmethod
    def from_document(cls, document: dict[str, Any] | None) -> JobSample:
        """Read a job's `JobSample` ({"Mode", "Size"}); absent parts take DataBrew's defaults."""
        if document is None:
            return cls()
        if not isinstance(document, dict) or set(document) - {"Mode", "Size"}:
            raise ValueError(f"JobSample: expected {{\"Mode\", \"Size\"}}, got {document!r}")
        mode = document.get("Mode", CUSTOM_ROWS)
        if mode == FULL_DATASET:
            return cls(FULL_DATASET, None)
        return cls(mode, document.get("Size", DEFAULT_SAMPLE_SIZE))

    def to_document(self) -> dict[str, Any]:
        return {"Mode": self.mode} if self.mode == FULL_DATASET else {"Mode": self.mode, "Size": self.size}

    def rows_of(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """The rows to profile: all of them, or the first Size (a slice Parquet and CSV scans stop at)."""
        return frame if self.mode == FULL_DATASET else frame.head(self.size)


def is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))


def is_complex(dtype: pl.DataType) -> bool:
    return dtype.is_nested() or dtype in (pl.Object, pl.Binary)


def missing_mask(name: str, dtype: pl.DataType) -> pl.Expr:
    """True where the value is missing: null, "" in text (DataBrew's rule), NaN in floats."""
    column = pl.col(name)
    if is_text(dtype):
        return (column.is_null() | (column.cast(pl.String) == "")).fill_null(True)
    if dtype.is_float():
        return (column.is_null() | column.is_nan()).fill_null(True)
    return column.is_null()


def present(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column's non-missing values (text as String, so categoricals behave like text)."""
    column = pl.col(name).cast(pl.String) if is_text(dtype) else pl.col(name)
    return column.filter(~missing_mask(name, dtype))


def percentage(part: int | float, whole: int) -> float:
    """part as a percentage of whole; 0 of 0 is 0% (nothing is missing from an empty frame)."""
    return part * 100.0 / whole if whole else 0.0


def _native_type(dtype: pl.DataType) -> str:
    if dtype == pl.Null:
        return "null"
    if dtype.is_integer():
        return "integer"
    if dtype.is_numeric():
        return "double"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    if dtype == pl.Time:
        return "time"
    if isinstance(dtype, pl.Duration):
        return "duration"
    return "complex" if is_complex(dtype) else "string"


def _column_exprs(index: int, name: str, dtype: pl.DataType) -> list[pl.Expr]:
    """The aggregates of one column that need no table of its distinct values, aliased
    `<index>:<stat>` so odd column names never clash."""
    key = f"{index}:"
    exprs = [missing_mask(name, dtype).sum().alias(key + "missing")]
    if is_complex(dtype):
        return exprs  # DataBrew profiles simple types only; nested values just get counted
    values = present(name, dtype)
    if dtype.is_numeric() or dtype.is_temporal():
        exprs += [values.min().alias(key + "min"), values.max().alias(key + "max")]
    if dtype.is_numeric():
        number = values.cast(pl.Float64)
        exprs += [number.mean().alias(key + "mean"), number.median().alias(key + "median"), number.std().alias(key + "std")]
    if is_text(dtype):
        # Means, medians and spreads weigh every row, so they read all rows.
        parsed = values.str.strip_chars().cast(pl.Float64, strict=False)
        exprs += [
            values.str.len_chars().mean().alias(key + "len_mean"),
            parsed.mean().alias(key + "mean"),
            parsed.median().alias(key + "median"),
            parsed.std().alias(key + "std"),
        ]
    return exprs


_COUNT = "__lh_count"  # not "count": a column may be called that


def _distinct_stats(index: int, name: str, dtype: pl.DataType, frame: pl.LazyFrame, top_n: int) -> dict[str, Any]:
    """Statistics of a column's distinct values, from one table of value counts (a single hash
    pass: n_unique, is_unique and value_counts would each build their own)."""
    key = f"{index}:"
    counts = frame.select(present(name, dtype).value_counts(name=_COUNT)).unnest(name).collect()
    distinct = counts.get_column(name)
    top = counts.sort([_COUNT, name], descending=[True, False]).head(top_n)
    stats: dict[str, Any] = {
        key + "distinct": counts.height,
        key + "unique": int((counts.get_column(_COUNT) == 1).sum()),
        key + "top": list(top.iter_rows()),  # (value, count) pairs
    }
    if is_text(dtype):
        # What holds for every value, and extremes, are decided on the distinct values: a
        # column of 10M department names holds a few hundred, so the type patterns run a few
        # hundred times.
        stripped = distinct.str.strip_chars()
        parsed = stripped.cast(pl.Float64, strict=False)
        lengths = distinct.str.len_chars()
        stats |= {f"{key}is_{kind}": bool(distinct.str.contains(pattern).all()) for kind, pattern in _TEXT_TYPES}
        stats |= {
            key + "len_min": lengths.min(), key + "len_max": lengths.max(),
            # Only reported when the values turn out numeric / date-like; cheap to compute anyway.
            key + "min": parsed.min(), key + "max": parsed.max(),
            key + "text_min": stripped.min(), key + "text_max": stripped.max(),
        }
    return stats


def _column_row(index: int, name: str, dtype: pl.DataType, frame: pl.LazyFrame, top_n: int) -> dict[str, Any]:
    """Every statistic of one column: one query for the distinct values, one for the rest."""
    row = frame.select(_column_exprs(index, name, dtype)).collect().row(0, named=True)
    if not is_complex(dtype):
        row |= _distinct_stats(index, name, dtype, frame, top_n)
    return row


def json_value(value: Any) -> Any:
    """A Polars scalar as plain JSON: ISO text for temporals, None for non-finite floats."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def _whole(value: float | None, inferred: str) -> Any:
    # Integer-looking text parses to floats; give back ints when they are whole.
    if inferred == "integer" and value is not None and math.isfinite(value) and value.is_integer():
        return int(value)
    return json_value(value)


def _column_profile(index: int, name: str, dtype: pl.DataType, row: dict[str, Any], rows: int) -> dict[str, Any]:
    key = f"{index}:"
    missing = int(row[key + "missing"])
    valued = rows - missing
    inferred = _native_type(dtype)
    if is_text(dtype) and valued:
        inferred = next((kind for kind, _ in _TEXT_TYPES if row[f"{key}is_{kind}"]), "string")
    numeric = dtype.is_numeric() or inferred in ("integer", "double")
    result: dict[str, Any] = {
        "name": name,
        "type": str(dtype),
        "inferredType": inferred,
        "valuesCount": valued,
        "missingValuesCount": missing,
        "missingValuesPercentage": percentage(missing, rows),
        "distinctValuesCount": row.get(key + "distinct", 0) if not is_complex(dtype) else None,
        "uniqueValuesCount": row.get(key + "unique", 0) if not is_complex(dtype) else None,
        "min": None, "max": None, "mean": None, "median": None, "standardDeviation": None,
        "stringLength": None,
        "mostCommonValues": [
            {"value": json_value(value), "count": count} for value, count in row.get(key + "top") or []
        ],
    }
    if dtype.is_numeric():
        result["min"], result["max"] = json_value(row[key + "min"]), json_value(row[key + "max"])
    elif numeric:
        result["min"], result["max"] = _whole(row[key + "min"], inferred), _whole(row[key + "max"], inferred)
    if numeric:
        result["mean"] = json_value(row[key + "mean"])
        result["median"] = json_value(row[key + "median"])
        result["standardDeviation"] = json_value(row[key + "std"])
    elif dtype.is_temporal():
        result["min"], result["max"] = json_value(row[key + "min"]), json_value(row[key + "max"])
    elif inferred in ("date", "timestamp"):
        result["min"], result["max"] = row[key + "text_min"], row[key + "text_max"]
    if is_text(dtype):
        result["stringLength"] = {
            "min": row[key + "len_min"],
            "mean": json_value(row[key + "len_mean"]),
            "max": row[key + "len_max"],
        }
    return result


def profile_frame(frame: pl.LazyFrame | pl.DataFrame, top_n: int = 5, sample: JobSample | None = None) -> dict[str, Any]:
    """Profile every column of the `sample` rows of `frame` (by default DataBrew's first 20,000)."""
    sample = sample or JobSample()
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    total = int(lazy.select(pl.len()).collect().item())  # Parquet: from the footer, no data read
    profiled = sample.rows_of(lazy)
    rows = total if sample.mode == FULL_DATASET else min(total, sample.size or 0)
    # One query per column: only that column's values and value counts are ever in memory.
    columns = [
        _column_profile(i, name, dtype, _column_row(i, name, dtype, profiled, top_n), rows)
        for i, (name, dtype) in enumerate(schema.items())
    ]
    # The extra copies of repeated rows, by hash then value (a set of whole rows would hold them all).
    duplicates = count_duplicate_rows(profiled) if schema else 0
    return {
        "rowsCount": rows,
        "sample": {"mode": sample.mode, "size": sample.size, "rowsProfiled": rows, "totalRows": total},
        "columnsCount": len(schema),
        "duplicateRowsCount": duplicates,
        "duplicateRowsPercentage": percentage(duplicates, rows),
        "columns": columns,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _type_label(column: dict[str, Any]) -> str:
    # "integer (String)" says the text holds integers; native types need no second name.
    inferred, native = column["inferredType"], column["type"]
    return inferred if inferred == native.lower() else f"{inferred} ({native})"


def render_profile(profile: dict[str, Any], console: Console) -> None:
    """A table of columns × key statistics, then each column's most common values."""
    console.print(
        f"[bold]{profile['rowsCount']:,}[/] rows × [bold]{profile['columnsCount']}[/] columns, "
        f"{profile['duplicateRowsCount']:,} duplicate rows ({profile['duplicateRowsPercentage']:.2f}%)"
    )
    sample = profile.get("sample")  # absent from profiles saved before JobSample existed
    if sample:
        scope = "every row" if sample["mode"] == FULL_DATASET else f"the first {sample['rowsProfiled']:,} rows"
        console.print(f"JobSample {sample['mode']}: {scope} of {sample['totalRows']:,}")
    stats = Table(title="Column statistics")
    for heading in ("Column", "Type", "Values", "Missing", "Distinct", "Min", "Max", "Mean", "Median", "Std", "Length"):
        stats.add_column(heading, justify="left" if heading in ("Column", "Type") else "right")
    for column in profile["columns"]:
        lengths = column["stringLength"]
        stats.add_row(
            column["name"],
            _type_label(column),
            _fmt(column["valuesCount"]),
            f"{column['missingValuesCount']:,} ({column['missingValuesPercentage']:.1f}%)",
            _fmt(column["distinctValuesCount"]),
            _fmt(column["min"]),
            _fmt(column["max"]),
            _fmt(column["mean"]),
            _fmt(column["median"]),
            _fmt(column["standardDeviation"]),
            "—" if not lengths or lengths["min"] is None else f"{lengths['min']}/{lengths['mean']:.1f}/{lengths['max']}",
        )
    console.print(stats)
    top = Table(title="Most common values")
    top.add_column("Column")
    top.add_column("Values (count)")
    for column in profile["columns"]:
        shown = ", ".join(f"{item['value']!r} ({item['count']:,})" for item in column["mostCommonValues"])
        top.add_row(column["name"], shown or "—")
    console.print(top)
