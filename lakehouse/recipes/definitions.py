"""The recipes and rulesets shipped with the platform (lakehouse/recipes/definitions/)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from lakehouse.datasets.spec import DatasetSpec
from lakehouse.recipes.model import Recipe, parse_recipe


def definition_path(file_name: str) -> Path:
    return Path(str(resources.files("lakehouse.recipes") / "definitions" / file_name))


def dataset_recipe(spec: DatasetSpec) -> Recipe:
    """The cleaning recipe of a dataset, named after the dataset (as its DataBrew recipe is)."""
    path = definition_path(spec.recipe)
    recipe = parse_recipe(json.loads(path.read_text(encoding="utf-8")), name=spec.portal_id, where=str(path))
    return recipe
