"""The columns a recipe plan carries besides the data, and how to read them back.

Rows a filter step removes are not dropped: they are marked with the step that
rejected them and why, so nothing is lost and the counts reconcile.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from lakehouse.recipes import batchwise

INTERNAL_PREFIX = "__lh_"
RECORD = "__lh_record"  # 1-based position of the row in the input
REJECT_STEP = "__lh_reject_step"  # null while the row is alive
REJECT_OPERATION = "__lh_reject_operation"
REJECT_REASON = "__lh_reason"
RAW_PREFIX = "__lh_raw__"  # the row as it entered the recipe, for the rejected-rows record

ALIVE = pl.col(REJECT_STEP).is_null()


def is_internal(name: str) -> bool:
    return name.startswith(INTERNAL_PREFIX)


def user_columns(schema: pl.Schema) -> list[str]:
    return [name for name in schema.names() if not is_internal(name)]


def prepare_input(frame: pl.LazyFrame, keep_raw: bool = True) -> pl.LazyFrame:
    """Add the row number, the reject markers and (optionally) raw copies of every column."""
    names = frame.collect_schema().names()
    extra = [pl.col(name).cast(pl.String).alias(f"{RAW_PREFIX}{name}") for name in names] if keep_raw else []
    return frame.with_row_index(RECORD, offset=1).with_columns(pl.lit(None, pl.Int32).alias(REJECT_STEP), *extra)


def with_reject_texts(frame: pl.LazyFrame, rejections: Mapping[int, tuple[str, str]]) -> pl.LazyFrame:
    """Add the operation and reason of each rejected row's step (steps mark only their number)."""
    steps = sorted(rejections)
    if not steps:
        return frame.with_columns(pl.lit(None, pl.String).alias(REJECT_OPERATION), pl.lit(None, pl.String).alias(REJECT_REASON))
    # One lookup by step number per row (alive rows have none): cheaper than a when/then
    # chain, which tests every rejecting step on every row.
    operation = batchwise.lookup(pl.col(REJECT_STEP), steps, [rejections[step][0] for step in steps], pl.String())
    reason = batchwise.lookup(pl.col(REJECT_STEP), steps, [rejections[step][1] for step in steps], pl.String())
    return frame.with_columns(operation.alias(REJECT_OPERATION), reason.alias(REJECT_REASON))


def output(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The rows every step kept, with the user's columns only."""
    return frame.filter(ALIVE).select(user_columns(frame.collect_schema()))


def rejected(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Rejected rows: record number, step, operation, reason, and the raw values."""
    raw = [name for name in frame.collect_schema().names() if name.startswith(RAW_PREFIX)]
    return frame.filter(~ALIVE).select(
        pl.col(RECORD).cast(pl.Int64).alias("record"),
        pl.col(REJECT_STEP).alias("step"),
        pl.col(REJECT_OPERATION).alias("operation"),
        pl.col(REJECT_REASON).alias("reason"),
        *(pl.col(name).alias(name.removeprefix(RAW_PREFIX)) for name in raw),
    )
