"""DataBrew through boto3 (AWS, or the lakehouse emulator): the recipe service port.

start_job_run waits for the run to finish, as the port promises; a run that does not
succeed raises with DataBrew's state and message."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from cloud.aws import aws_client, aws_errors, error_code, without_metadata
from lakehouse.config import Settings
from lakehouse.errors import LakehouseError
from lakehouse.ports.recipe_service import LATEST_PUBLISHED, LATEST_WORKING, DataBrewDocument, RecipeService

_FINISHED = {"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT"}
_FIRST_POLL, _LONGEST_POLL = 0.05, 10.0
# Deployment (lakehouse cloud deploy) sets the real role; the emulator accepts any.
DEFAULT_ROLE = "arn:aws:iam::000000000000:role/lakehouse-databrew"


class DataBrewService(RecipeService):
    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.settings = settings
        self.databrew = client or aws_client(settings, "databrew")

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        with aws_errors(f"databrew {operation}"):
            return without_metadata(getattr(self.databrew, operation)(**arguments))

    def _pages(self, operation: str, key: str, **arguments: Any) -> list[DataBrewDocument]:
        items: list[DataBrewDocument] = []
        with aws_errors(f"databrew {operation}"):
            for page in self.databrew.get_paginator(operation).paginate(**arguments):
                items += page[key]
        return items

    # recipes
    def create_recipe(self, name: str, steps: list[DataBrewDocument], description: str = "") -> None:
        self._call("create_recipe", Name=name, Steps=steps, Description=description)

    def update_recipe(self, name: str, steps: list[DataBrewDocument], description: str | None = None) -> None:
        extra = {"Description": description} if description is not None else {}
        self._call("update_recipe", Name=name, Steps=steps, **extra)

    def publish_recipe(self, name: str, description: str = "") -> str:
        self._call("publish_recipe", Name=name, Description=description)
        return str(self.describe_recipe(name, LATEST_PUBLISHED)["RecipeVersion"])

    def describe_recipe(self, name: str, recipe_version: str = LATEST_WORKING) -> DataBrewDocument:
        return self._call("describe_recipe", Name=name, RecipeVersion=recipe_version)

    def list_recipe_versions(self, name: str) -> list[DataBrewDocument]:
        versions = self._pages("list_recipe_versions", "Recipes", Name=name)
        return sorted(versions, key=lambda recipe: [int(part) for part in str(recipe["RecipeVersion"]).split(".")])

    def list_recipes(self) -> list[DataBrewDocument]:
        return self._pages("list_recipes", "Recipes")

    # jobs
    def create_recipe_job(self, job: DataBrewDocument) -> None:
        self._ensure_dataset(job["DatasetName"])
        with aws_errors("databrew CreateRecipeJob"):
            try:
                self.databrew.create_recipe_job(RoleArn=DEFAULT_ROLE, **job)
            except ClientError as error:
                if error_code(error) != "ConflictException":
                    raise
                # UpdateRecipeJob cannot change the dataset or recipe; the platform's jobs
                # always point at their dataset's recipe (LATEST_PUBLISHED).
                self.databrew.update_recipe_job(Name=job["Name"], Outputs=job["Outputs"],
                                                RoleArn=job.get("RoleArn", DEFAULT_ROLE))

    def _ensure_dataset(self, name: str) -> None:
        """A DataBrew dataset over the raw zone's files of the platform dataset `name`."""
        with aws_errors("databrew CreateDataset"):
            try:
                self.databrew.create_dataset(
                    Name=name, Format="CSV",
                    Input={"S3InputDefinition": {"Bucket": self.settings.bucket("raw"), "Key": f"{name}/"}})
            except ClientError as error:
                if error_code(error) != "ConflictException":
                    raise

    def describe_job(self, name: str) -> DataBrewDocument:
        return self._call("describe_job", Name=name)

    def start_job_run(self, name: str) -> str:
        run_id = str(self._call("start_job_run", Name=name)["RunId"])
        pause = _FIRST_POLL
        while (run := self.describe_job_run(name, run_id))["State"] not in _FINISHED:
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_POLL)
        if run["State"] != "SUCCEEDED":
            raise LakehouseError(f"DataBrew job {name} run {run_id} {run['State']}: "
                                 f"{run.get('ErrorMessage', 'no message')}")
        return run_id

    def describe_job_run(self, name: str, run_id: str) -> DataBrewDocument:
        return self._call("describe_job_run", Name=name, RunId=run_id)

    def list_job_runs(self, name: str) -> list[DataBrewDocument]:
        runs = self._pages("list_job_runs", "JobRuns", Name=name)
        return sorted(runs, key=lambda run: run.get("StartedOn") or 0, reverse=True)
