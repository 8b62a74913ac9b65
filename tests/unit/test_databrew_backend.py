"""DataBrew's recipe versions, jobs and runs, emulated on the object store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulation.databrew.models import DataBrewBackend
from emulation.s3.store import FileObjectStore
from lakehouse.errors import ConflictException, ResourceNotFoundException
from lakehouse.ports.recipe_service import LATEST_PUBLISHED, LATEST_WORKING

STEPS_A = [{"Action": {"Operation": "UPPER_CASE", "Parameters": {"sourceColumn": "a"}}}]
STEPS_B = [{"Action": {"Operation": "LOWER_CASE", "Parameters": {"sourceColumn": "a"}}}]


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.fail = fail

    def __call__(self, job: dict[str, Any], recipe: dict[str, Any], log: Any) -> dict[str, Any]:
        self.calls.append((job, recipe))
        log("working")
        if self.fail:
            raise RuntimeError("disk on fire")
        return {"rows": 3}


@pytest.fixture
def service(tmp_path: Path) -> DataBrewBackend:
    return DataBrewBackend(FileObjectStore(tmp_path), "catalog", Recorder())


def test_versions_follow_databrew(service: DataBrewBackend) -> None:
    service.create_recipe("r", STEPS_A)
    assert service.describe_recipe("r")["RecipeVersion"] == "0.1"
    with pytest.raises(ResourceNotFoundException):
        service.describe_recipe("r", LATEST_PUBLISHED)
    assert service.publish_recipe("r", "first") == "1.0"
    assert service.describe_recipe("r")["RecipeVersion"] == "1.1"
    service.update_recipe("r", STEPS_B)
    assert service.describe_recipe("r", "1.0")["Steps"] == STEPS_A  # published versions are frozen
    assert service.describe_recipe("r", LATEST_WORKING)["Steps"] == STEPS_B
    assert service.publish_recipe("r") == "2.0"
    assert service.describe_recipe("r", LATEST_PUBLISHED)["Steps"] == STEPS_B
    assert [v["RecipeVersion"] for v in service.list_recipe_versions("r")] == ["1.0", "2.0"]
    assert service.describe_recipe("r", "1.0")["PublishDescription"] == "first"
    with pytest.raises(ResourceNotFoundException):
        service.describe_recipe("r", "3.0")
    with pytest.raises(ConflictException):
        service.create_recipe("r", STEPS_A)


def test_ten_versions_sort_numerically(service: DataBrewBackend) -> None:
    service.create_recipe("r", STEPS_A)
    for _ in range(11):
        service.publish_recipe("r")
    assert service.describe_recipe("r", LATEST_PUBLISHED)["RecipeVersion"] == "11.0"


def test_job_run_binds_the_published_version_and_records_state_and_log(tmp_path: Path) -> None:
    recorder = Recorder()
    service = DataBrewBackend(FileObjectStore(tmp_path), "catalog", recorder)
    service.create_recipe("r", STEPS_A)
    service.publish_recipe("r")
    service.update_recipe("r", STEPS_B)  # unpublished work must not run
    service.create_recipe_job({"Name": "j", "DatasetName": "d", "RecipeReference": {"Name": "r", "RecipeVersion": LATEST_PUBLISHED},
                               "Outputs": [{"Location": {"Bucket": "landing", "Key": "d/"}, "Format": "PARQUET"}]})
    run_id = service.start_job_run("j")
    job, recipe = recorder.calls[0]
    assert recipe["Steps"] == STEPS_A and job["RunId"] == run_id
    run = service.describe_job_run("j", run_id)
    assert run["State"] == "SUCCEEDED" and run["RecipeReference"]["RecipeVersion"] == "1.0"
    assert run["Outputs"] == {"rows": 3} and run["Log"][0].endswith("working") and run["CompletedOn"]
    assert [r["RunId"] for r in service.list_job_runs("j")] == [run_id]


def test_failed_run_is_recorded_as_failed(tmp_path: Path) -> None:
    service = DataBrewBackend(FileObjectStore(tmp_path), "catalog", Recorder(fail=True))
    service.create_recipe("r", STEPS_A)
    service.publish_recipe("r")
    service.create_recipe_job({"Name": "j", "DatasetName": "d", "RecipeReference": {"Name": "r"}, "Outputs": []})
    with pytest.raises(RuntimeError):
        service.start_job_run("j")
    (run,) = service.list_job_runs("j")
    assert run["State"] == "FAILED" and run["ErrorMessage"] == "disk on fire"


def test_missing_things_are_resource_not_found(service: DataBrewBackend) -> None:
    with pytest.raises(ResourceNotFoundException):
        service.describe_job("nope")
    with pytest.raises(ResourceNotFoundException):
        service.describe_recipe("nope")
    with pytest.raises(ResourceNotFoundException):
        service.start_job_run("nope")
