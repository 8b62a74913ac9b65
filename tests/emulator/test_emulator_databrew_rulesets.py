"""DataBrew rulesets through boto3 against the emulator: CreateRuleset, DescribeRuleset,
UpdateRuleset, ListRulesets and DeleteRuleset in AWS's shapes and error codes, a profile job
that validates its dataset with a ruleset (ValidationConfigurations) and writes a validation
report, and UpdateDataset / UpdateProfileJob, which deploy uses."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emulator_support import RunningEmulator

ROLE = "arn:aws:iam::000000000000:role/brew"
CSV = b"name,calls\nalice,3\nbob,\ncarol,7\n"
RULES = [
    {"Name": "has-rows", "CheckExpression": "AGG(ROWS_COUNT) > :val1", "SubstitutionMap": {":val1": "0"}},
    {"Name": "no-missing-calls", "CheckExpression": "AGG(MISSING_VALUES_PERCENTAGE) == :val1",
     "SubstitutionMap": {":val1": "0"}, "ColumnSelectors": [{"Name": "calls"}]},
]


@pytest.fixture
def dataset(running_emulator: RunningEmulator) -> dict[str, Any]:
    s3, databrew = running_emulator.client("s3"), running_emulator.client("databrew")
    bucket, name = f"rules-{uuid.uuid4().hex[:8]}", f"calls-{uuid.uuid4().hex[:6]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in/calls.csv", Body=CSV)
    databrew.create_dataset(Name=name, Format="CSV",
                            Input={"S3InputDefinition": {"Bucket": bucket, "Key": "in/calls.csv"}})
    return {"bucket": bucket, "name": name, "arn": f"arn:aws:databrew:us-east-1:123456789012:dataset/{name}"}


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_ruleset_lifecycle_in_databrews_shapes(running_emulator: RunningEmulator, dataset: dict[str, Any]) -> None:
    databrew, name = running_emulator.client("databrew"), f"quality-{uuid.uuid4().hex[:6]}"
    assert databrew.create_ruleset(Name=name, TargetArn=dataset["arn"], Rules=RULES, Description="d")["Name"] == name
    described = databrew.describe_ruleset(Name=name)
    assert described["TargetArn"] == dataset["arn"] and described["Rules"] == RULES
    assert described["ResourceArn"].endswith(f":ruleset/{name}") and described["Description"] == "d"
    with pytest.raises(ClientError) as conflict:
        databrew.create_ruleset(Name=name, TargetArn=dataset["arn"], Rules=RULES)
    assert _code(conflict) == ("ConflictException", 409)

    databrew.update_ruleset(Name=name, Rules=RULES[:1], Description="one rule")
    assert databrew.describe_ruleset(Name=name)["Rules"] == RULES[:1]
    items = databrew.list_rulesets(TargetArn=dataset["arn"])["Rulesets"]
    assert [(item["Name"], item["RuleCount"], item["TargetArn"]) for item in items] == [(name, 1, dataset["arn"])]
    assert "Rules" not in items[0]
    assert databrew.list_rulesets(TargetArn=dataset["arn"] + "-other")["Rulesets"] == []

    assert databrew.delete_ruleset(Name=name)["Name"] == name
    for call in (lambda: databrew.describe_ruleset(Name=name), lambda: databrew.delete_ruleset(Name=name),
                 lambda: databrew.update_ruleset(Name=name, Rules=RULES)):
        with pytest.raises(ClientError) as missing:
            call()
        assert _code(missing) == ("ResourceNotFoundException", 404)


def test_a_rule_databrew_cannot_parse_is_a_validation_exception(running_emulator: RunningEmulator,
                                                                 dataset: dict[str, Any]) -> None:
    databrew = running_emulator.client("databrew")
    bad = [{"Name": "nonsense", "CheckExpression": "AGG(NO_SUCH_STAT) > :val1", "SubstitutionMap": {":val1": "0"}}]
    with pytest.raises(ClientError) as refused:
        databrew.create_ruleset(Name=f"bad-{uuid.uuid4().hex[:6]}", TargetArn=dataset["arn"], Rules=bad)
    assert _code(refused) == ("ValidationException", 400)
    assert "nonsense" in refused.value.response["Error"]["Message"]


def test_a_profile_job_validates_its_dataset_with_the_ruleset(running_emulator: RunningEmulator,
                                                              dataset: dict[str, Any]) -> None:
    """A failing rule fails the report, not the run; the report names each rule's result."""
    databrew, s3 = running_emulator.client("databrew"), running_emulator.client("s3")
    ruleset, job = f"quality-{uuid.uuid4().hex[:6]}", f"validate-{uuid.uuid4().hex[:6]}"
    databrew.create_ruleset(Name=ruleset, TargetArn=dataset["arn"], Rules=RULES)
    ruleset_arn = databrew.describe_ruleset(Name=ruleset)["ResourceArn"]
    databrew.create_profile_job(Name=job, DatasetName=dataset["name"], RoleArn=ROLE,
                                OutputLocation={"Bucket": dataset["bucket"], "Key": "checks/"},
                                ValidationConfigurations=[{"RulesetArn": ruleset_arn, "ValidationMode": "CHECK_ALL"}])
    assert databrew.describe_job(Name=job)["ValidationConfigurations"][0]["RulesetArn"] == ruleset_arn
    run_id = databrew.start_job_run(Name=job)["RunId"]
    run = databrew.describe_job_run(Name=job, RunId=run_id)
    assert run["State"] == "SUCCEEDED", run.get("ErrorMessage")
    reports = [item["Key"] for item in s3.list_objects_v2(Bucket=dataset["bucket"], Prefix="checks/")["Contents"]
               if item["Key"].endswith("dq-validation-report.json")]
    assert len(reports) == 1 and run_id in reports[0]
    report = json.loads(s3.get_object(Bucket=dataset["bucket"], Key=reports[0])["Body"].read())
    [result] = report["rulesetResults"]
    assert result["rulesetArn"] == ruleset_arn and result["status"] == "FAILED"
    assert {rule["name"]: rule["status"] for rule in result["ruleResults"]} == {
        "has-rows": "SUCCEEDED", "no-missing-calls": "FAILED"}  # bob has no calls

    # A ruleset on another dataset cannot validate this one (its TargetArn must be the job's dataset).
    databrew.update_ruleset(Name=ruleset, Rules=RULES)
    other = f"other-{uuid.uuid4().hex[:6]}"
    databrew.create_ruleset(Name=other, TargetArn=dataset["arn"] + "-elsewhere", Rules=RULES)
    databrew.update_profile_job(Name=job, RoleArn=ROLE, OutputLocation={"Bucket": dataset["bucket"], "Key": "checks/"},
                                ValidationConfigurations=[{"RulesetArn": ruleset_arn.replace(ruleset, other)}])
    failed = databrew.describe_job_run(Name=job, RunId=databrew.start_job_run(Name=job)["RunId"])
    assert failed["State"] == "FAILED" and "not the job's dataset" in failed["ErrorMessage"]


def test_update_dataset_moves_its_input(running_emulator: RunningEmulator, dataset: dict[str, Any]) -> None:
    databrew = running_emulator.client("databrew")
    databrew.update_dataset(Name=dataset["name"], Format="CSV", FormatOptions={"Csv": {"Delimiter": ";"}},
                            Input={"S3InputDefinition": {"Bucket": dataset["bucket"], "Key": "in/other.csv"}})
    described = databrew.describe_dataset(Name=dataset["name"])
    assert described["Input"]["S3InputDefinition"]["Key"] == "in/other.csv"
    assert described["FormatOptions"] == {"Csv": {"Delimiter": ";"}}
    with pytest.raises(ClientError) as missing:
        databrew.update_dataset(Name="no-such-dataset", Input={"S3InputDefinition": {"Bucket": "nowhere", "Key": "k"}})
    assert _code(missing) == ("ResourceNotFoundException", 404)
