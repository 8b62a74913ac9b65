"""What every recipe operation gets (`StepContext`) and declares (`OperationSpec`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lakehouse.recipes.frame import ALIVE, REJECT_STEP
from lakehouse.recipes.model import RecipeError, RecipeStep

DOCS = "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions."


@dataclass(frozen=True)
class OperationSpec:
    """An operation's parameters, as its DataBrew recipe-action page lists them."""

    name: str
    doc: str  # the DataBrew page this implementation follows
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    # Parameters that name columns which must exist before the step (JSON lists allowed).
    existing_columns: tuple[str, ...] = ()
    # Parameters that name columns the step creates (must not exist yet).
    new_columns: tuple[str, ...] = ()
    # Exactly one of these parameter groups is given (e.g. sourceColumn or value).
    one_of: tuple[frozenset[str], ...] = ()
    conditions_allowed: bool = True


Apply = Callable[["StepContext"], pl.LazyFrame]


@dataclass(frozen=True)
class Operation:
    spec: OperationSpec
    apply: Apply


@dataclass
class StepContext:
    """One step's view of the plan: its parameters, the schema before it, its condition."""

    step: RecipeStep
    frame: pl.LazyFrame
    schema: pl.Schema
    condition: pl.Expr | None = None  # rows the step applies to; None = every row
    # step number -> (operation, reason) of every step that rejects rows; shared by the
    # steps of one compilation (dataclasses.replace keeps the same dict).
    rejections: dict[int, tuple[str, str]] = field(default_factory=dict)
    # A folder a step may store the plan so far in, to read it twice cheaply (None: no storing).
    scratch: Path | None = None
    _notes: list[str] = field(default_factory=list)

    # parameters ---------------------------------------------------------------
    def param(self, name: str, default: str | None = None) -> str | None:
        return self.step.parameters.get(name, default)

    def required(self, name: str) -> str:
        value = self.step.parameters.get(name)
        if value is None:
            raise self.error(name, "is required")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.step.parameters.get(name)
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            raise self.error(name, f"must be \"true\" or \"false\" (got {value!r})")
        return value.lower() == "true"

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.step.parameters.get(name)
        if value is None:
            if default is None:
                raise self.error(name, "is required")
            return default
        try:
            return int(value)
        except ValueError:
            raise self.error(name, f"must be a whole number (got {value!r})") from None

    def number(self, name: str) -> float:
        value = self.required(name)
        try:
            return float(value)
        except ValueError:
            raise self.error(name, f"must be a number (got {value!r})") from None

    def json_param(self, name: str) -> object:
        value = self.required(name)
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise self.error(name, f"must be JSON text (got {value!r})") from None

    def column_list(self, name: str) -> list[str]:
        """A parameter holding a JSON array of column names, e.g. "[\\"a\\",\\"b\\"]"."""
        value = self.json_param(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or not value:
            raise self.error(name, "must be a JSON array of column names")
        return value

    def error(self, parameter: str, message: str) -> RecipeError:
        return RecipeError(f"{self.step.describe()}: parameter {parameter} {message}")

    def dtype(self, column: str) -> pl.DataType:
        return self.schema[column]

    # plan building ------------------------------------------------------------
    @property
    def applies(self) -> pl.Expr:
        return self.condition if self.condition is not None else pl.lit(True)

    def where(self, new: pl.Expr, old: pl.Expr) -> pl.Expr:
        """`new` on rows the step's conditions select, `old` elsewhere."""
        if self.condition is None:
            return new
        return pl.when(self.condition).then(new).otherwise(old)

    def replace(self, column: str, expression: pl.Expr) -> pl.LazyFrame:
        """Rewrite an existing column in place (only where the conditions hold)."""
        return self.frame.with_columns(self.where(expression, pl.col(column)).alias(column))

    def add(self, column: str, expression: pl.Expr, after: str | None = None) -> pl.LazyFrame:
        """Create a column, placed right after `after` as DataBrew places derived columns."""
        value = self.where(expression, pl.lit(None))
        frame = self.frame.with_columns(value.alias(column))
        return self.move(frame, column, after) if after else frame

    @staticmethod
    def move(frame: pl.LazyFrame, column: str, after: str) -> pl.LazyFrame:
        names = [n for n in frame.collect_schema().names() if n != column]
        position = names.index(after) + 1
        return frame.select([*names[:position], column, *names[position:]])

    def reject(self, mask: pl.Expr, reason: str) -> pl.LazyFrame:
        """Mark alive rows matching `mask` (and the conditions) as removed by this step.

        Only the step number goes into the plan; the operation and reason texts are one per
        step, so compile_recipe attaches them once at the end (two string columns rewritten
        by every filter step cost more than the filters themselves).
        """
        hit = ALIVE & mask.fill_null(False) & self.applies
        self.rejections[self.step.number] = (self.step.operation, f"step {self.step.number}: {reason}")
        return self.frame.with_columns(
            pl.when(hit).then(pl.lit(self.step.number, pl.Int32)).otherwise(pl.col(REJECT_STEP)).alias(REJECT_STEP),
        )
