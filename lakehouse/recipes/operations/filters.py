"""Row filters and duplicate flags: remove rows by condition, duplicates, invalid values.

Filters never drop a row: ctx.reject marks it with the step and a readable reason (see
frame.py). Duplicates are judged among rows still alive, in their current order, so a row
an earlier step rejected neither counts as "earlier" nor is rejected twice.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from lakehouse.recipes import batchwise
from lakehouse.recipes.conditions import data_type, describe, invalid_mask, missing_mask
from lakehouse.recipes.frame import ALIVE, INTERNAL_PREFIX, RECORD, user_columns
from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import StepContext
from lakehouse.recipes.row_hash import is_shared, row_hash

SOURCE = ("sourceColumn",)


def _repeats_row(ctx: StepContext) -> tuple[StepContext, pl.Expr]:
    """Alive rows equal, in every user column, to an earlier alive row (nulls equal nulls)."""
    columns = user_columns(ctx.schema)
    hashed = pl.when(ALIVE).then(row_hash(columns)).alias(_temporary(ctx, "row_hash"))
    # Run now, while the plan is built: the record numbers of the repeated rows. The main
    # plan then tests membership row by row, which streams; a lazy join would copy every
    # column of the main plan, and a duplicate check over a struct of every row would hold it.
    if ctx.scratch is None:
        before = ctx.frame
        hashes = before.select(pl.col(RECORD), hashed)
    else:
        # With scratch space the plan so far is stored once, hashes included: the main pass
        # and the value comparison read it back instead of computing every earlier step again.
        stored = ctx.scratch / f"before-step-{ctx.step.number}.parquet"
        ctx.frame.with_columns(hashed).sink_parquet(stored, compression="lz4", engine="streaming")
        before = pl.scan_parquet(stored).drop(hashed.meta.output_name())
        hashes = pl.scan_parquet(stored).select(pl.col(RECORD), pl.col(hashed.meta.output_name()))
        ctx = replace(ctx, frame=before)
    hash_column = pl.col(hashed.meta.output_name())
    # Rows whose 64-bit hash another alive row shares (a few per thousand in real exports)...
    candidates = (
        hashes.filter(hash_column.is_not_null())
        .filter(hash_column.map_batches(is_shared, return_dtype=pl.Boolean))
        .collect(engine="streaming")
        .get_column(RECORD)
    )
    # ...are compared by value, in row order: a repeat is a candidate equal to an earlier one.
    repeated = (
        before.filter(batchwise.is_in(pl.col(RECORD), candidates)).sort(RECORD)
        .filter(~pl.struct(columns).is_first_distinct())
        .select(RECORD).collect(engine="streaming").get_column(RECORD)
    ) if candidates.len() else candidates
    name = _temporary(ctx, "repeats")
    repeats = batchwise.is_in(pl.col(RECORD), repeated)
    return replace(ctx, frame=ctx.frame.with_columns(repeats.alias(name))), pl.col(name)


def _repeats_value(ctx: StepContext, column: str) -> tuple[StepContext, pl.Expr]:
    """Alive rows whose present value in `column` an earlier alive row already has.

    Missing values are not values, so they are never duplicates of one another. One
    column's distinct values are few enough to check in the main pass.
    """
    present = ALIVE & ~missing_mask(pl.col(column), ctx.dtype(column))
    repeats = present & ~pl.struct([present.alias("__lh_present"), pl.col(column)]).is_first_distinct()
    name = _temporary(ctx, "repeats")
    return replace(ctx, frame=ctx.frame.with_columns(repeats.alias(name))), pl.col(name)


def _temporary(ctx: StepContext, what: str) -> str:
    return f"{INTERNAL_PREFIX}{what}_{ctx.step.number}"


# The example on https://docs.aws.amazon.com/databrew/latest/dg/recipes.html#recipes.structure:
# rows the step's ConditionExpressions select are removed. sourceColumn names the column
# the console filtered on; the conditions decide.
@operation("REMOVE_VALUES", required=SOURCE, existing_columns=SOURCE,
           doc="https://docs.aws.amazon.com/databrew/latest/dg/recipes.html#recipes.structure")
def remove_values(ctx: StepContext) -> pl.LazyFrame:
    if not ctx.step.conditions:
        # Without conditions it would remove every row: surely a mistake, so refuse it.
        raise ctx.error("sourceColumn", "is filtered by the step's ConditionExpressions, and there are none")
    return ctx.reject(pl.lit(True), " and ".join(describe(c) for c in ctx.step.conditions))


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.DELETE_DUPLICATE_ROWS.html
@operation("DELETE_DUPLICATE_ROWS")
def delete_duplicate_rows(ctx: StepContext) -> pl.LazyFrame:
    # The mask is a column: reject() uses it in three expressions, and Polars would run an
    # inlined duplicate check three times.
    marked, repeats = _repeats_row(ctx)
    return marked.reject(repeats, "duplicate of an earlier row").drop(repeats.meta.output_name())


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REMOVE_DUPLICATES.html
@operation("REMOVE_DUPLICATES", required=SOURCE, existing_columns=SOURCE)
def remove_duplicates(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    marked, repeats = _repeats_value(ctx, column)
    reason = f"duplicate value in {column} (an earlier row has it)"
    return marked.reject(repeats, reason).drop(repeats.meta.output_name())


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REMOVE_INVALID.html
# Invalid = present but not readable as columnDataType (number, boolean, date, timestamp;
# text is never invalid). advancedDataType detection (SSN, email, ...) is not emulated and
# is refused rather than ignored.
@operation("REMOVE_INVALID", required=("sourceColumn", "columnDataType"), optional=("advancedDataType",),
           existing_columns=SOURCE)
def remove_invalid(ctx: StepContext) -> pl.LazyFrame:
    if ctx.param("advancedDataType"):
        raise ctx.error("advancedDataType", "is not supported by this emulation (only columnDataType is checked)")
    column = ctx.required("sourceColumn")
    kind = data_type(ctx.required("columnDataType"), lambda m: ctx.error("columnDataType", m))
    return ctx.reject(invalid_mask(pl.col(column), ctx.dtype(column), kind), f"invalid {kind} in {column}")


def _flag(ctx: StepContext, mask: pl.Expr) -> pl.Expr:
    return pl.when(mask).then(pl.lit(ctx.required("trueString"))).otherwise(pl.lit(ctx.required("falseString")))


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FLAG_DUPLICATE_ROWS.html
# The flag column goes last (it belongs to no one column).
@operation("FLAG_DUPLICATE_ROWS", required=("trueString", "falseString", "targetColumn"),
           new_columns=("targetColumn",))
def flag_duplicate_rows(ctx: StepContext) -> pl.LazyFrame:
    marked, repeats = _repeats_row(ctx)
    return marked.add(ctx.required("targetColumn"), _flag(ctx, repeats)).drop(repeats.meta.output_name())


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FLAG_DUPLICATES_IN_COLUMN.html
@operation("FLAG_DUPLICATES_IN_COLUMN", required=("sourceColumn", "targetColumn", "trueString", "falseString"),
           existing_columns=SOURCE, new_columns=("targetColumn",))
def flag_duplicates_in_column(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    marked, repeats = _repeats_value(ctx, column)
    return marked.add(ctx.required("targetColumn"), _flag(ctx, repeats), after=column).drop(repeats.meta.output_name())
