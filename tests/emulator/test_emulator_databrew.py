"""DataBrew through boto3 against the emulator: datasets, recipes with versions, recipe jobs
that really transform the data, profile jobs, and DataBrew's error codes."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emulator_support import RunningEmulator

CSV = b"name,borough,calls\n alice ,north,3\nBOB,south,\ncarol,north,7\n"
STEPS = [
    {"Action": {"Operation": "REMOVE_COMBINED", "Parameters": {
        "sourceColumn": "name", "removeLeadingAndTrailingWhitespace": "true", "collapseConsecutiveWhitespace": "false",
        "removeAllWhitespace": "false", "removeLeadingAndTrailingPunctuation": "false",
        "removeLeadingAndTrailingQuotes": "false", "removeAllPunctuation": "false", "removeAllQuotes": "false",
        "removeSpecialCharacters": "false", "removeLetters": "false", "removeNumbers": "false",
        "removeCustomCharacters": "false", "removeCustomValue": "false"}}},
    {"Action": {"Operation": "LOWER_CASE", "Parameters": {"sourceColumn": "name"}}},
    {"Action": {"Operation": "REMOVE_MISSING", "Parameters": {"sourceColumn": "calls"}}},
]


@pytest.fixture
def dataset(running_emulator: RunningEmulator) -> dict[str, Any]:
    s3, databrew = running_emulator.client("s3"), running_emulator.client("databrew")
    bucket, name = f"brew-{uuid.uuid4().hex[:8]}", f"calls-{uuid.uuid4().hex[:6]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in/calls.csv", Body=CSV)
    databrew.create_dataset(Name=name, Format="CSV",
                            Input={"S3InputDefinition": {"Bucket": bucket, "Key": "in/calls.csv"}})
    return {"bucket": bucket, "name": name}


def _finished(databrew: Any, job: str, run_id: str) -> dict[str, Any]:
    run = databrew.describe_job_run(Name=job, RunId=run_id)
    assert run["State"] in ("SUCCEEDED", "FAILED")  # jobs run within StartJobRun here
    return run


def test_recipe_versions_follow_databrew(running_emulator: RunningEmulator) -> None:
    databrew, name = running_emulator.client("databrew"), f"recipe-{uuid.uuid4().hex[:6]}"
    databrew.create_recipe(Name=name, Steps=STEPS[:1])
    assert databrew.describe_recipe(Name=name)["RecipeVersion"] == "0.1"
    databrew.publish_recipe(Name=name)
    databrew.update_recipe(Name=name, Steps=STEPS)
    databrew.publish_recipe(Name=name)
    versions = [r["RecipeVersion"] for r in databrew.list_recipe_versions(Name=name)["Recipes"]]
    assert versions == ["1.0", "2.0"]
    assert len(databrew.describe_recipe(Name=name, RecipeVersion="1.0")["Steps"]) == 1
    assert databrew.describe_recipe(Name=name, RecipeVersion="LATEST_PUBLISHED")["RecipeVersion"] == "2.0"
    with pytest.raises(ClientError) as conflict:
        databrew.create_recipe(Name=name, Steps=STEPS)
    assert conflict.value.response["Error"]["Code"] == "ConflictException"
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_a_recipe_job_transforms_the_dataset_into_its_output(running_emulator: RunningEmulator,
                                                             dataset: dict[str, Any]) -> None:
    databrew, s3 = running_emulator.client("databrew"), running_emulator.client("s3")
    recipe, job = f"clean-{uuid.uuid4().hex[:6]}", f"job-{uuid.uuid4().hex[:6]}"
    databrew.create_recipe(Name=recipe, Steps=STEPS)
    databrew.publish_recipe(Name=recipe)
    databrew.create_recipe_job(Name=job, DatasetName=dataset["name"], RoleArn="arn:aws:iam::000000000000:role/brew",
                               RecipeReference={"Name": recipe, "RecipeVersion": "1.0"},
                               Outputs=[{"Location": {"Bucket": dataset["bucket"], "Key": "out/"}, "Format": "CSV"}])
    run = _finished(databrew, job, databrew.start_job_run(Name=job)["RunId"])
    assert run["State"] == "SUCCEEDED", run.get("ErrorMessage")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=dataset["bucket"], Prefix="out/")["Contents"]]
    assert len(keys) == 1
    body = s3.get_object(Bucket=dataset["bucket"], Key=keys[0])["Body"].read().decode()
    # trimmed and lower-cased; BOB's row has no calls and is removed
    assert body.splitlines() == ["name,borough,calls", "alice,north,3", "carol,north,7"]


def test_a_failing_job_run_is_failed_with_the_reason(running_emulator: RunningEmulator,
                                                     dataset: dict[str, Any]) -> None:
    databrew = running_emulator.client("databrew")
    recipe, job = f"bad-{uuid.uuid4().hex[:6]}", f"job-{uuid.uuid4().hex[:6]}"
    databrew.create_recipe(Name=recipe, Steps=[{"Action": {"Operation": "LOWER_CASE",
                                                           "Parameters": {"sourceColumn": "no_such_column"}}}])
    databrew.publish_recipe(Name=recipe)
    databrew.create_recipe_job(Name=job, DatasetName=dataset["name"], RoleArn="arn:aws:iam::000000000000:role/brew",
                               RecipeReference={"Name": recipe, "RecipeVersion": "1.0"},
                               Outputs=[{"Location": {"Bucket": dataset["bucket"], "Key": "bad/"}}])
    run = _finished(databrew, job, databrew.start_job_run(Name=job)["RunId"])
    assert run["State"] == "FAILED"
    assert "no_such_column" in run["ErrorMessage"]


def test_a_profile_job_writes_the_profile(running_emulator: RunningEmulator, dataset: dict[str, Any]) -> None:
    databrew, s3 = running_emulator.client("databrew"), running_emulator.client("s3")
    job = f"profile-{uuid.uuid4().hex[:6]}"
    databrew.create_profile_job(Name=job, DatasetName=dataset["name"], RoleArn="arn:aws:iam::000000000000:role/brew",
                                OutputLocation={"Bucket": dataset["bucket"], "Key": "profiles/"})
    run = _finished(databrew, job, databrew.start_job_run(Name=job)["RunId"])
    assert run["State"] == "SUCCEEDED", run.get("ErrorMessage")
    profile = json.loads(s3.get_object(Bucket=dataset["bucket"], Key=f"profiles/{job}_profile.json")["Body"].read())
    assert profile["rowsCount"] == 3 and profile["columnsCount"] == 3


def test_missing_resources_are_resource_not_found(running_emulator: RunningEmulator) -> None:
    databrew = running_emulator.client("databrew")
    with pytest.raises(ClientError) as missing:
        databrew.describe_recipe(Name="nothing-here")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as unknown_job:
        databrew.start_job_run(Name="no-such-job")
    assert unknown_job.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_profile_job_profiles_its_job_sample(running_emulator: RunningEmulator, dataset: dict[str, Any]) -> None:
    # JobSample {Mode, Size}: https://docs.aws.amazon.com/databrew/latest/dg/API_JobSample.html
    databrew, s3 = running_emulator.client("databrew"), running_emulator.client("s3")
    job = f"profile-{uuid.uuid4().hex[:6]}"
    databrew.create_profile_job(Name=job, DatasetName=dataset["name"], RoleArn="arn:aws:iam::000000000000:role/brew",
                                OutputLocation={"Bucket": dataset["bucket"], "Key": "sampled/"},
                                JobSample={"Mode": "CUSTOM_ROWS", "Size": 2})
    run = _finished(databrew, job, databrew.start_job_run(Name=job)["RunId"])
    assert run["State"] == "SUCCEEDED", run.get("ErrorMessage")
    profile = json.loads(s3.get_object(Bucket=dataset["bucket"], Key=f"sampled/{job}_profile.json")["Body"].read())
    assert profile["rowsCount"] == 2
    assert profile["sample"] == {"mode": "CUSTOM_ROWS", "size": 2, "rowsProfiled": 2, "totalRows": 3}
