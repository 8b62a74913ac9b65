"""A recipe is DataBrew's JSON: a list of steps, each an action and optional conditions.

    [{"Action": {"Operation": "TRIM", "Parameters": {"sourceColumn": "a", "targetColumn": "b"}},
      "ConditionExpressions": [{"Condition": "IS", "Value": "[\\"x\\"]", "TargetColumn": "a"}]}]

(https://docs.aws.amazon.com/databrew/latest/dg/recipes.html#recipes.structure). Loading
checks the structure only; `lakehouse.recipes.validate` checks it against a schema.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakehouse.errors import TerminalError

MAX_STEPS = 100  # DataBrew's limit per recipe
_NAME = re.compile(r"^[A-Z_]+$")


class RecipeError(TerminalError):
    """A recipe that cannot run: the message names the step, the operation and the field."""


@dataclass(frozen=True)
class Condition:
    condition: str
    target_column: str
    value: str | None = None

    def to_json(self) -> dict[str, str]:
        document = {"Condition": self.condition, "TargetColumn": self.target_column}
        if self.value is not None:
            document["Value"] = self.value
        return document


@dataclass(frozen=True)
class RecipeStep:
    number: int  # 1-based, as DataBrew's console numbers steps
    operation: str
    parameters: dict[str, str] = field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()

    def describe(self) -> str:
        return f"step {self.number} ({self.operation})"

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"Action": {"Operation": self.operation, "Parameters": dict(self.parameters)}}
        if self.conditions:
            document["ConditionExpressions"] = [c.to_json() for c in self.conditions]
        return document


@dataclass(frozen=True)
class Recipe:
    steps: tuple[RecipeStep, ...]
    name: str = "recipe"

    def to_json(self) -> list[dict[str, Any]]:
        return [step.to_json() for step in self.steps]


def load_recipe(path: Path) -> Recipe:
    """Read and structurally validate a recipe file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecipeError(f"{path}: no such recipe file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise RecipeError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from None
    return parse_recipe(document, name=path.stem, where=str(path))


def parse_recipe(document: Any, name: str = "recipe", where: str = "recipe") -> Recipe:
    """Build a Recipe from DataBrew's JSON (a list of steps, or {"Steps": [...]})."""
    if isinstance(document, dict) and "Steps" in document:
        name = str(document.get("Name", name))
        document = document["Steps"]
    if not isinstance(document, list):
        raise RecipeError(f"{where}: a recipe is a JSON list of steps")
    if not document:
        raise RecipeError(f"{where}: the recipe has no steps")
    if len(document) > MAX_STEPS:
        raise RecipeError(f"{where}: {len(document)} steps, DataBrew allows at most {MAX_STEPS}")
    return Recipe(tuple(_parse_step(item, number, where) for number, item in enumerate(document, start=1)), name)


def _parse_step(item: Any, number: int, where: str) -> RecipeStep:
    prefix = f"{where}: step {number}"
    if not isinstance(item, dict):
        raise RecipeError(f"{prefix}: a step is an object with Action")
    unknown = set(item) - {"Action", "RecipeAction", "ConditionExpressions"}
    if unknown:
        raise RecipeError(f"{prefix}: unknown field {sorted(unknown)[0]!r}")
    # DataBrew's API says Action; its documentation's examples say RecipeAction.
    action = item.get("Action", item.get("RecipeAction"))
    if not isinstance(action, dict) or not isinstance(action.get("Operation"), str):
        raise RecipeError(f"{prefix}: Action.Operation is required")
    operation = action["Operation"]
    if not _NAME.match(operation):
        raise RecipeError(f"{prefix}: Operation {operation!r} must match ^[A-Z_]+$")
    prefix = f"{where}: step {number} ({operation})"
    parameters = action.get("Parameters", {})
    if not isinstance(parameters, dict):
        raise RecipeError(f"{prefix}: Parameters must be an object")
    for key, value in parameters.items():
        if not isinstance(value, str):
            raise RecipeError(f"{prefix}: parameter {key!r} must be a string (DataBrew passes every value as text)")
    conditions = item.get("ConditionExpressions", [])
    if not isinstance(conditions, list):
        raise RecipeError(f"{prefix}: ConditionExpressions must be a list")
    return RecipeStep(number, operation, dict(parameters), tuple(_parse_condition(c, prefix) for c in conditions))


def _parse_condition(item: Any, prefix: str) -> Condition:
    if not isinstance(item, dict) or not isinstance(item.get("Condition"), str) or not isinstance(item.get("TargetColumn"), str):
        raise RecipeError(f"{prefix}: a condition needs Condition and TargetColumn strings")
    unknown = set(item) - {"Condition", "TargetColumn", "Value"}
    if unknown:
        raise RecipeError(f"{prefix}: condition field {sorted(unknown)[0]!r} is unknown")
    value = item.get("Value")
    if value is not None and not isinstance(value, str):
        raise RecipeError(f"{prefix}: condition {item['Condition']}: Value must be a string")
    return Condition(item["Condition"], item["TargetColumn"], value)
