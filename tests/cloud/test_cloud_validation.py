"""`lakehouse cloud run` validates DataBrew's output with the deployed ruleset (a profile job's
ValidationConfigurations, as DataBrew runs rules) before anything is published."""

from __future__ import annotations

import json

from cli_support import CliRunner
from cloud_support import CloudStack

RULESET = "3-1-1-inquiry-volume-quality"


def test_a_failing_blocking_rule_stops_the_run_before_landing(cloud_stack: CloudStack, lakehouse: CliRunner) -> None:
    assert lakehouse("cloud", "deploy").code == 0
    databrew, s3 = cloud_stack.client("databrew"), cloud_stack.client("s3")
    # The rules DataBrew holds are the ones checked: one that no sample of 500 rows can pass, and
    # known-channels (non-blocking in the shipped ruleset) narrowed to one channel so that it fails too.
    rules = databrew.describe_ruleset(Name=RULESET)["Rules"]
    impossible = {"Name": "a-million-rows", "CheckExpression": "AGG(ROWS_COUNT) >= :val1",
                  "SubstitutionMap": {":val1": "1000000"}}
    narrowed = [{**rule, "SubstitutionMap": {**rule["SubstitutionMap"], ":val1": '["Phone"]'}}
                if rule["Name"] == "known-channels" else rule for rule in rules]
    databrew.update_ruleset(Name=RULESET, Rules=[*narrowed, impossible])

    stopped = lakehouse("cloud", "run", "--rows", "500", "--years", "2023", "2024")
    assert stopped.code == 1
    last = stopped.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: data-quality rules failed for 3-1-1-inquiry-volume (DataBrew profile job "
                           "3-1-1-inquiry-volume-validate run ")
    assert last.endswith("landing not published: a-million-rows")  # only the blocking one
    assert "rule known-channels: FAILED (non-blocking" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    landing = [o["Key"] for o in s3.list_objects_v2(Bucket="landing").get("Contents", [])]
    assert not [key for key in landing if key.endswith("_manifest.json") or "/source=" in key]
    reports = [key for key in landing if key.endswith("dq-validation-report.json")]
    assert len(reports) == 1
    report = json.loads(s3.get_object(Bucket="landing", Key=reports[0])["Body"].read())
    statuses = {r["name"]: r["status"] for r in report["rulesetResults"][0]["ruleResults"]}
    assert statuses["a-million-rows"] == statuses["known-channels"] == "FAILED" and statuses["has-rows"] == "SUCCEEDED"

    # deploy puts the shipped rules back (the successful run is test_cloud_deploy's).
    repaired = lakehouse("cloud", "deploy")
    assert f"updated   databrew-ruleset {RULESET}" in repaired.stdout
    assert databrew.describe_ruleset(Name=RULESET)["Rules"] == rules
