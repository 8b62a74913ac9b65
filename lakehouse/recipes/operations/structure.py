"""Basic column recipe steps: rename, delete, duplicate and move columns.

(https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.basic.html)

Renaming, deleting and moving act on whole columns, so they take no ConditionExpressions;
DUPLICATE does (the copy is null on rows the conditions leave out, as derived columns are).
"""

from __future__ import annotations

import polars as pl

from lakehouse.recipes.frame import is_internal, user_columns
from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import StepContext


def _reorder(ctx: StepContext, order: list[str]) -> pl.LazyFrame:
    """Select the user's columns in `order`, keeping the internal ones."""
    internal = [name for name in ctx.schema.names() if is_internal(name)]
    return ctx.frame.select([*order, *internal])


def _without(ctx: StepContext, column: str) -> list[str]:
    return [name for name in user_columns(ctx.schema) if name != column]


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.RENAME.html
@operation("RENAME", required=("sourceColumn", "targetColumn"), existing_columns=("sourceColumn",),
           new_columns=("targetColumn",), conditions_allowed=False)
def rename(ctx: StepContext) -> pl.LazyFrame:
    # The column keeps its position, as in DataBrew's grid.
    return ctx.frame.rename({ctx.required("sourceColumn"): ctx.required("targetColumn")})


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.DELETE.html
# The documented parameter is sourceColumn; DataBrew's console writes sourceColumns (a JSON
# array) when several columns are deleted at once, so both are read.
@operation("DELETE", optional=("sourceColumn", "sourceColumns"), existing_columns=("sourceColumn", "sourceColumns"),
           one_of=(("sourceColumn", "sourceColumns"),), conditions_allowed=False)
def delete(ctx: StepContext) -> pl.LazyFrame:
    doomed = ctx.column_list("sourceColumns") if ctx.param("sourceColumns") else [ctx.required("sourceColumn")]
    if not [name for name in user_columns(ctx.schema) if name not in doomed]:
        raise ctx.error("sourceColumns" if ctx.param("sourceColumns") else "sourceColumn",
                        "would delete every column of the dataset")
    return ctx.frame.drop(doomed)


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.DUPLICATE.html
@operation("DUPLICATE", required=("sourceColumn", "targetColumn"), existing_columns=("sourceColumn",),
           new_columns=("targetColumn",))
def duplicate(ctx: StepContext) -> pl.LazyFrame:
    source = ctx.required("sourceColumn")
    return ctx.add(ctx.required("targetColumn"), pl.col(source), after=source)


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.MOVE_AFTER.html
@operation("MOVE_AFTER", required=("sourceColumn", "targetColumn"), existing_columns=("sourceColumn", "targetColumn"),
           conditions_allowed=False)
def move_after(ctx: StepContext) -> pl.LazyFrame:
    source, target = ctx.required("sourceColumn"), ctx.required("targetColumn")
    if source == target:
        return ctx.frame
    order = _without(ctx, source)
    position = order.index(target) + 1
    return _reorder(ctx, [*order[:position], source, *order[position:]])


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.MOVE_BEFORE.html
# (The page's parameter text repeats MOVE_AFTER's wording; its title and summary say
# "before", which is what this does.)
@operation("MOVE_BEFORE", required=("sourceColumn", "targetColumn"), existing_columns=("sourceColumn", "targetColumn"),
           conditions_allowed=False)
def move_before(ctx: StepContext) -> pl.LazyFrame:
    source, target = ctx.required("sourceColumn"), ctx.required("targetColumn")
    if source == target:
        return ctx.frame
    order = _without(ctx, source)
    position = order.index(target)
    return _reorder(ctx, [*order[:position], source, *order[position:]])


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.MOVE_TO_END.html
@operation("MOVE_TO_END", required=("sourceColumn",), existing_columns=("sourceColumn",), conditions_allowed=False)
def move_to_end(ctx: StepContext) -> pl.LazyFrame:
    source = ctx.required("sourceColumn")
    return _reorder(ctx, [*_without(ctx, source), source])


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.MOVE_TO_START.html
@operation("MOVE_TO_START", required=("sourceColumn",), existing_columns=("sourceColumn",), conditions_allowed=False)
def move_to_start(ctx: StepContext) -> pl.LazyFrame:
    source = ctx.required("sourceColumn")
    return _reorder(ctx, [source, *_without(ctx, source)])


# https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.MOVE_TO_INDEX.html
@operation("MOVE_TO_INDEX", required=("sourceColumn", "targetIndex"), existing_columns=("sourceColumn",),
           conditions_allowed=False)
def move_to_index(ctx: StepContext) -> pl.LazyFrame:
    source = ctx.required("sourceColumn")
    index = ctx.integer("targetIndex")
    order = _without(ctx, source)
    # Positions count from 0; one past the last column is not a position.
    if not 0 <= index <= len(order):
        raise ctx.error("targetIndex", f"must be a position from 0 to {len(order)} (got {index})")
    return _reorder(ctx, [*order[:index], source, *order[index:]])
