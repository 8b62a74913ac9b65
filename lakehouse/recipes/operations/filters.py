"""Row filters and duplicate flags: remove rows by condition, duplicates, invalid values.

Filters never drop a row: ctx.reject marks it with the step and a readable reason (see
frame.py). Duplicates are judged among rows still alive, in their current order, so a row
an earlier step rejected neither counts as "earlier" nor is rejected twice.
"""

from __future__ import annotations

import polars as pl

from lakehouse.recipes.conditions import data_type, describe, invalid_mask, missing_mask
from lakehouse.recipes.frame import ALIVE, user_columns
from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import StepContext

SOURCE = ("sourceColumn",)


def _repeats_row(ctx: StepContext) -> pl.Expr:
    """Alive rows equal, in every user column, to an earlier alive row (nulls equal nulls)."""
    key = pl.struct([ALIVE.alias("__lh_alive"), *(pl.col(c) for c in user_columns(ctx.schema))])
    return ALIVE & ~key.is_first_distinct()


def _repeats_value(ctx: StepContext, column: str) -> pl.Expr:
    """Alive rows whose present value in `column` an earlier alive row already has.

    Missing values are not values, so they are never duplicates of one another.
    """
    present = ALIVE & ~missing_mask(pl.col(column), ctx.dtype(column))
    return present & ~pl.struct([present.alias("__lh_present"), pl.col(column)]).is_first_distinct()


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
    return ctx.reject(_repeats_row(ctx), "duplicate of an earlier row")


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REMOVE_DUPLICATES.html
@operation("REMOVE_DUPLICATES", required=SOURCE, existing_columns=SOURCE)
def remove_duplicates(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    return ctx.reject(_repeats_value(ctx, column), f"duplicate value in {column} (an earlier row has it)")


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
    return ctx.add(ctx.required("targetColumn"), _flag(ctx, _repeats_row(ctx)))


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FLAG_DUPLICATES_IN_COLUMN.html
@operation("FLAG_DUPLICATES_IN_COLUMN", required=("sourceColumn", "targetColumn", "trueString", "falseString"),
           existing_columns=SOURCE, new_columns=("targetColumn",))
def flag_duplicates_in_column(ctx: StepContext) -> pl.LazyFrame:
    column = ctx.required("sourceColumn")
    return ctx.add(ctx.required("targetColumn"), _flag(ctx, _repeats_value(ctx, column)), after=column)
