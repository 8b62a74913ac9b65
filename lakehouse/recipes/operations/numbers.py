"""Mathematical functions: ROUND, ABSOLUTE, FLOOR, CEILING and the four arithmetic operations.

Every function writes a new `targetColumn`. Text inputs are read as numbers; text that is not
a number (and null) gives null, as Spark's casts do.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import DOCS, StepContext

FUNCTIONS = f"{DOCS}functions."
TARGET = ["targetColumn"]


def numeric(ctx: StepContext, column: str) -> pl.Expr:
    if ctx.dtype(column).is_numeric():
        return pl.col(column)
    return pl.col(column).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


def number_literal(ctx: StepContext, parameter: str) -> pl.Expr:
    value = ctx.number(parameter)
    return pl.lit(int(value) if value.is_integer() and "." not in ctx.required(parameter) else value)


def operand(ctx: StepContext, column: str, value: str) -> pl.Expr:
    """`column` read as a number, or the number in `value` on every row."""
    name = ctx.param(column)
    return numeric(ctx, name) if name is not None else number_literal(ctx, value)


def two_operands(ctx: StepContext, slots: tuple[str, ...] = ("sourceColumn1", "value1", "sourceColumn2", "value2"),
                 ) -> tuple[str, str]:
    """The two parameters given among `slots`, in slot order (first operand first).

    DataBrew documents both (sourceColumn1, sourceColumn2|value2) and, for ADD and DATE_DIFF,
    (sourceColumn1, value1); slot order reads every documented combination the same way."""
    given = [name for name in slots if ctx.param(name) is not None]
    if len(given) != 2:
        raise ctx.error("/".join(slots), f"must give exactly two operands (got {', '.join(given) or 'none'})")
    return given[0], given[1]


def _operand_expr(ctx: StepContext, name: str) -> pl.Expr:
    return numeric(ctx, ctx.required(name)) if name.startswith("sourceColumn") else number_literal(ctx, name)


def _after(ctx: StepContext, *columns: str) -> str | None:
    return next((ctx.param(c) for c in columns if ctx.param(c) is not None), None)


def _whole(value: pl.Expr) -> pl.Expr:
    # "Nearest integer" results are whole numbers; values beyond Int64 become null.
    return value.cast(pl.Int64, strict=False)


# one-argument functions --------------------------------------------------------------------
Transform = Callable[[pl.Expr], pl.Expr]


def _unary(name: str, source: str, value: str | None, transform: Transform) -> None:
    """A function of one number; with `value`, the page also allows a literal instead of a column."""
    choice = [source, value] if value else []

    @operation(
        name, doc=f"{FUNCTIONS}{name}.html", required=[*TARGET, *([] if value else [source])], optional=choice,
        existing_columns=[source], new_columns=TARGET, one_of=[choice] if value else [],
    )
    def apply(ctx: StepContext) -> pl.LazyFrame:
        expression = operand(ctx, source, value) if value else numeric(ctx, ctx.required(source))
        return ctx.add(ctx.required("targetColumn"), transform(expression), after=ctx.param(source))


# ROUND rounds halves up, and away from zero for negatives (Spark's HALF_UP).
_unary("ROUND", "sourceColumn", None, lambda v: _whole(v.round(0, mode="half_away_from_zero")))
_unary("ABSOLUTE", "sourceColumn", None, lambda v: v.abs())
# The pages name the inputs differently: CEILING takes sourceColumn or value1, FLOOR
# sourceColumn1 or value.
_unary("CEILING", "sourceColumn", "value1", lambda v: _whole(v.ceil()))
_unary("FLOOR", "sourceColumn1", "value", lambda v: _whole(v.floor()))


# two-argument functions --------------------------------------------------------------------
def _binary(name: str, combine: Callable[[pl.Expr, pl.Expr], pl.Expr]) -> None:
    @operation(
        name, doc=f"{FUNCTIONS}{name}.html", required=TARGET,
        optional=["sourceColumn1", "value1", "sourceColumn2", "value2"],
        existing_columns=["sourceColumn1", "sourceColumn2"], new_columns=TARGET,
    )
    def apply(ctx: StepContext) -> pl.LazyFrame:
        first, second = two_operands(ctx)
        result = combine(_operand_expr(ctx, first), _operand_expr(ctx, second))
        return ctx.add(ctx.required("targetColumn"), result, after=_after(ctx, "sourceColumn1", "sourceColumn2"))


_binary("ADD", lambda a, b: a + b)
_binary("SUBTRACT", lambda a, b: a - b)
_binary("MULTIPLY", lambda a, b: a * b)
# Division by zero gives null (Spark's behaviour), not infinity.
_binary("DIVIDE", lambda a, b: pl.when(b == 0).then(None).otherwise(a.cast(pl.Float64) / b))
