"""Recipe → one lazy Polars plan. Validation is compilation against a schema with no rows,
so an invalid recipe fails before any data is read, naming the step."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from lakehouse.recipes.conditions import condition_expression
from lakehouse.recipes.frame import is_internal, prepare_input, user_columns, with_reject_texts
from lakehouse.recipes.model import Recipe, RecipeError, RecipeStep
from lakehouse.recipes.operations import Operation, load_all
from lakehouse.recipes.operations.base import OperationSpec, StepContext


def compile_recipe(
    recipe: Recipe, frame: pl.LazyFrame, keep_raw: bool = True, scratch: Path | None = None,
) -> pl.LazyFrame:
    """The plan of every step over `frame`; rejected rows stay in it, marked (see frame.py).

    The whole recipe is checked against the frame's schema first: a whole-row duplicate
    check runs its narrow first pass while the plan is built, and no data may be read for
    a recipe that a later step makes invalid. With `scratch`, that pass stores the plan up
    to its step there, so the main pass does not compute the earlier steps again.
    """
    plan, rejections = compile_marked(recipe, frame, keep_raw, scratch)
    return with_reject_texts(plan, rejections)


def compile_marked(
    recipe: Recipe, frame: pl.LazyFrame, keep_raw: bool = True, scratch: Path | None = None,
) -> tuple[pl.LazyFrame, dict[int, tuple[str, str]]]:
    """As compile_recipe, but rejected rows carry their step number only, and the operation
    and reason of each rejecting step come apart: for a caller that groups rows by step, which
    then need not look the texts up row by row."""
    _build(recipe, pl.LazyFrame(schema=frame.collect_schema()), keep_raw, None)
    return _build(recipe, frame, keep_raw, scratch)


def validate_recipe(recipe: Recipe, schema: Mapping[str, pl.DataType]) -> pl.Schema:
    """Check every step against `schema` without data; returns the output schema."""
    for name in schema:
        if is_internal(name):
            raise RecipeError(f"column {name!r}: names starting with __lh_ are reserved")
    plan, _ = _build(recipe, pl.LazyFrame(schema=dict(schema)), False, None)
    resolved = plan.collect_schema()
    return pl.Schema({name: resolved[name] for name in user_columns(resolved)})


def _build(
    recipe: Recipe, frame: pl.LazyFrame, keep_raw: bool, scratch: Path | None,
) -> tuple[pl.LazyFrame, dict[int, tuple[str, str]]]:
    operations = load_all()
    plan = prepare_input(frame, keep_raw)
    rejections: dict[int, tuple[str, str]] = {}
    for step in recipe.steps:
        plan = apply_step(step, plan, operations, rejections, scratch)
    return plan, rejections


def apply_step(
    step: RecipeStep, plan: pl.LazyFrame, operations: Mapping[str, Operation],
    rejections: dict[int, tuple[str, str]], scratch: Path | None = None,
) -> pl.LazyFrame:
    operation = operations.get(step.operation)
    if operation is None:
        close = difflib.get_close_matches(step.operation, list(operations), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise RecipeError(f"{step.describe()}: unknown operation{hint}")
    _check_parameters(step, operation.spec)
    schema = plan.collect_schema()
    _check_columns(step, operation.spec, schema)
    if step.conditions and not operation.spec.conditions_allowed:
        raise RecipeError(f"{step.describe()}: this operation takes no ConditionExpressions")
    context = StepContext(step, plan, schema, condition_expression(step, schema), rejections, scratch)
    result = operation.apply(context)
    try:
        result.collect_schema()
    except pl.exceptions.PolarsError as exc:
        raise RecipeError(f"{step.describe()}: {str(exc).splitlines()[0]}") from None
    return result


def _check_parameters(step: RecipeStep, spec: OperationSpec) -> None:
    given = set(step.parameters)
    known = spec.required | spec.optional
    for name in sorted(given - known):
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(sorted(known)) or 'none'})"
        raise RecipeError(f"{step.describe()}: parameter {name} is unknown{hint}")
    for name in sorted(spec.required - given):
        raise RecipeError(f"{step.describe()}: parameter {name} is required")
    for group in spec.one_of:
        present = sorted(group & given)
        if len(present) != 1:
            raise RecipeError(f"{step.describe()}: give exactly one of {', '.join(sorted(group))}")


def _check_columns(step: RecipeStep, spec: OperationSpec, schema: pl.Schema) -> None:
    existing = set(user_columns(schema))
    for parameter in spec.existing_columns:
        for column in _named_columns(step, parameter):
            if column not in existing:
                close = difflib.get_close_matches(column, sorted(existing), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise RecipeError(f"{step.describe()}: parameter {parameter}: column {column!r} does not exist{hint}")
    for parameter in spec.new_columns:
        for column in _named_columns(step, parameter):
            if is_internal(column):
                raise RecipeError(f"{step.describe()}: parameter {parameter}: names starting with __lh_ are reserved")
            if column in existing:
                raise RecipeError(f"{step.describe()}: parameter {parameter}: column {column!r} already exists")


def _named_columns(step: RecipeStep, parameter: str) -> list[str]:
    value = step.parameters.get(parameter)
    if value is None:
        return []
    if value.startswith("["):
        try:
            names = json.loads(value)
        except json.JSONDecodeError:
            raise RecipeError(f"{step.describe()}: parameter {parameter} is not a JSON list") from None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RecipeError(f"{step.describe()}: parameter {parameter} must list column names")
        return names
    return [value]
