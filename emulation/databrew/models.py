"""Recipes with DataBrew's versioning, recipe jobs and runs, stored in the catalog bucket.

Versions follow DataBrew: a new recipe's working version is 0.1; publishing freezes it
as the next major version (1.0, 2.0, …) and the working version becomes X.1.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from emulation.documents import JsonDocuments
from lakehouse.errors import ConflictException, LakehouseError, ResourceNotFoundException
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.recipe_service import (
    LATEST_PUBLISHED,
    LATEST_WORKING,
    DataBrewDocument,
    JobExecutor,
    RecipeService,
)

PREFIX = "databrew"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class DataBrewBackend(RecipeService):
    def __init__(self, store: ObjectStore, bucket: str, executor: JobExecutor) -> None:
        self.documents = JsonDocuments(store, bucket)
        self.executor = executor

    # recipes --------------------------------------------------------------------
    def _working_key(self, name: str) -> str:
        return f"{PREFIX}/recipes/{name}/working.json"

    def _version_key(self, name: str, version: str) -> str:
        major = int(version.split(".")[0])
        return f"{PREFIX}/recipes/{name}/versions/{major:06d}.json"  # sorts numerically

    def create_recipe(self, name: str, steps: list[DataBrewDocument], description: str = "") -> None:
        if self.documents.find(self._working_key(name)) is not None:
            raise ConflictException(f"ConflictException: recipe {name} already exists")
        now = _now()
        self.documents.write(self._working_key(name), {
            "Name": name, "Description": description, "Steps": steps, "RecipeVersion": "0.1",
            "CreateDate": now, "LastModifiedDate": now,
        })

    def update_recipe(self, name: str, steps: list[DataBrewDocument], description: str | None = None) -> None:
        working = self.describe_recipe(name)
        working.update(Steps=steps, LastModifiedDate=_now())
        if description is not None:
            working["Description"] = description
        self.documents.write(self._working_key(name), working)

    def publish_recipe(self, name: str, description: str = "") -> str:
        working = self.describe_recipe(name)
        major = int(working["RecipeVersion"].split(".")[0]) + 1
        version = f"{major}.0"
        now = _now()
        self.documents.write(self._version_key(name, version), {
            **working, "RecipeVersion": version, "PublishedDate": now, "PublishDescription": description,
        })
        self.documents.write(self._working_key(name), {**working, "RecipeVersion": f"{major}.1", "LastModifiedDate": now})
        return version

    def describe_recipe(self, name: str, recipe_version: str = LATEST_WORKING) -> DataBrewDocument:
        if recipe_version == LATEST_WORKING:
            document = self.documents.find(self._working_key(name))
        elif recipe_version == LATEST_PUBLISHED:
            versions = self.list_recipe_versions(name)
            document = versions[-1] if versions else None
        else:
            document = self._describe_version(name, recipe_version)
        if document is None:
            raise ResourceNotFoundException(f"ResourceNotFoundException: recipe {name} version {recipe_version} not found")
        return document

    def _describe_version(self, name: str, version: str) -> DataBrewDocument | None:
        working = self.documents.find(self._working_key(name))
        if working is not None and working["RecipeVersion"] == version:
            return working
        try:
            major, minor = (int(part) for part in version.split("."))
        except ValueError:
            raise LakehouseError(f"recipe version {version!r} must be X.Y, LATEST_WORKING or LATEST_PUBLISHED") from None
        return self.documents.find(self._version_key(name, version)) if minor == 0 and major > 0 else None

    def list_recipe_versions(self, name: str) -> list[DataBrewDocument]:
        keys = sorted(self.documents.keys(f"{PREFIX}/recipes/{name}/versions/"))
        return [self.documents.find(key) for key in keys]

    def list_recipes(self) -> list[DataBrewDocument]:
        return [self.documents.find(key) for key in sorted(self.documents.keys(f"{PREFIX}/recipes/")) if key.endswith("/working.json")]

    # jobs -----------------------------------------------------------------------
    def create_recipe_job(self, job: DataBrewDocument) -> None:
        existing = self.documents.find(f"{PREFIX}/jobs/{job['Name']}/job.json")
        now = _now()
        self.documents.write(f"{PREFIX}/jobs/{job['Name']}/job.json", {
            **job, "Type": "RECIPE", "CreateDate": existing["CreateDate"] if existing else now, "LastModifiedDate": now,
        })

    def describe_job(self, name: str) -> DataBrewDocument:
        job = self.documents.find(f"{PREFIX}/jobs/{name}/job.json")
        if job is None:
            raise ResourceNotFoundException(f"ResourceNotFoundException: job {name} not found")
        return job

    def start_job_run(self, name: str) -> str:
        job = self.describe_job(name)
        reference = job.get("RecipeReference")  # a profile job has none
        run_id = datetime.now(UTC).strftime("db_%Y%m%dT%H%M%S_") + secrets.token_hex(4)
        run: DataBrewDocument = {
            "RunId": run_id, "JobName": name, "State": "RUNNING", "StartedOn": _now(),
            "DatasetName": job.get("DatasetName"), "Log": [],
            **({"RecipeReference": reference} if reference else {}),
        }
        key = f"{PREFIX}/jobs/{name}/runs/{run_id}.json"
        self.documents.write(key, run)
        try:
            recipe: DataBrewDocument = {}
            if reference:
                recipe = self.describe_recipe(reference["Name"], reference.get("RecipeVersion", LATEST_PUBLISHED))
                run["RecipeReference"] = {"Name": reference["Name"], "RecipeVersion": recipe["RecipeVersion"]}
            run["Outputs"] = self.executor(
                {**job, "RunId": run_id}, recipe, lambda line: run["Log"].append(f"{_now()} {line}")
            )
            run["State"] = "SUCCEEDED"
        except BaseException as error:
            run.update(State="FAILED", ErrorMessage=str(error).splitlines()[0] if str(error) else type(error).__name__)
            raise
        finally:
            run["CompletedOn"] = _now()
            self.documents.write(key, run)
        return run_id

    def describe_job_run(self, name: str, run_id: str) -> DataBrewDocument:
        run = self.documents.find(f"{PREFIX}/jobs/{name}/runs/{run_id}.json")
        if run is None:
            raise ResourceNotFoundException(f"ResourceNotFoundException: run {run_id} of job {name} not found")
        return run

    def list_job_runs(self, name: str) -> list[DataBrewDocument]:
        keys = sorted(self.documents.keys(f"{PREFIX}/jobs/{name}/runs/"), reverse=True)
        return [self.documents.find(key) for key in keys]
