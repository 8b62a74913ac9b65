"""The recipe service port: DataBrew's role. Documents use DataBrew's API shapes and
method names are DataBrew operation names in snake_case."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

DataBrewDocument = dict[str, Any]
LATEST_WORKING = "LATEST_WORKING"
LATEST_PUBLISHED = "LATEST_PUBLISHED"
# Runs a recipe job: (job, the recipe version it binds, a log sink) -> output statistics.
JobExecutor = Callable[[DataBrewDocument, DataBrewDocument, Callable[[str], None]], dict[str, Any]]


class RecipeService(abc.ABC):
    """Recipes with versions, recipe jobs and their runs."""

    @abc.abstractmethod
    def create_recipe(self, name: str, steps: list[DataBrewDocument], description: str = "") -> None:
        """Create a recipe; its working version is 0.1. ConflictException when it exists."""

    @abc.abstractmethod
    def update_recipe(self, name: str, steps: list[DataBrewDocument], description: str | None = None) -> None:
        """Replace the steps of the working version."""

    @abc.abstractmethod
    def publish_recipe(self, name: str, description: str = "") -> str:
        """Freeze the working version as the next major version (1.0, 2.0, …); returns it."""

    @abc.abstractmethod
    def describe_recipe(self, name: str, recipe_version: str = LATEST_WORKING) -> DataBrewDocument:
        """One version: X.Y, LATEST_WORKING or LATEST_PUBLISHED. ResourceNotFoundException when missing."""

    @abc.abstractmethod
    def list_recipe_versions(self, name: str) -> list[DataBrewDocument]:
        """Published versions, oldest first."""

    @abc.abstractmethod
    def list_recipes(self) -> list[DataBrewDocument]:
        """Every recipe's working version."""

    @abc.abstractmethod
    def create_recipe_job(self, job: DataBrewDocument) -> None:
        """Create or replace a recipe job (Name, DatasetName, RecipeReference, Outputs)."""

    @abc.abstractmethod
    def describe_job(self, name: str) -> DataBrewDocument:
        """A job's definition."""

    @abc.abstractmethod
    def start_job_run(self, name: str) -> str:
        """Run a job now; returns its RunId. The run ends SUCCEEDED or FAILED."""

    @abc.abstractmethod
    def describe_job_run(self, name: str, run_id: str) -> DataBrewDocument:
        """A run: State, StartedOn, CompletedOn, ErrorMessage, Log, Outputs."""

    @abc.abstractmethod
    def list_job_runs(self, name: str) -> list[DataBrewDocument]:
        """A job's runs, newest first."""
