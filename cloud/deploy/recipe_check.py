"""Plan-time check that a recipe runs on real DataBrew: every operation must be one DataBrew
documents (the registry cites its page for each) and every parameter one that page lists.
The local engine accepts the same set, so this only refuses what was never DataBrew's."""

from __future__ import annotations

from lakehouse.errors import ConfigError
from lakehouse.recipes.model import Recipe
from lakehouse.recipes.operations import load_all
from lakehouse.recipes.operations.base import DOCS

DATABREW_DOCS = DOCS.rsplit("/", 1)[0] + "/"  # https://docs.aws.amazon.com/databrew/latest/dg/


def databrew_operations() -> set[str]:
    """Operations whose implementation follows a DataBrew documentation page."""
    return {name for name, operation in load_all().items() if operation.spec.doc.startswith(DATABREW_DOCS)}


def check_recipe_for_databrew(recipe: Recipe, where: str) -> None:
    """Refuse, naming the step and operation, what real DataBrew would reject."""
    supported = databrew_operations()
    operations = load_all()
    for step in recipe.steps:
        if step.operation not in supported:
            raise ConfigError(f"{where}: {step.describe()}: operation {step.operation} is not supported by "
                              f"AWS Glue DataBrew; the recipe cannot be deployed")
        spec = operations[step.operation].spec
        unknown = sorted(set(step.parameters) - spec.required - spec.optional)
        if unknown:
            raise ConfigError(f"{where}: {step.describe()}: parameter {unknown[0]} is not a DataBrew parameter "
                              f"of {step.operation} ({spec.doc})")
