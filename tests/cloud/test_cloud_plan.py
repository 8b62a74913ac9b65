"""`lakehouse cloud plan`: offline (no credentials, no endpoint), every resource with its
policies, the cost from AWS_NOTES.md's prices, and recipes refused where DataBrew would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import CliRunner

from cloud.deploy import resources as deploy_resources
from cloud.deploy.recipe_check import check_recipe_for_databrew
from lakehouse.errors import ConfigError
from lakehouse.recipes.definitions import definition_path
from lakehouse.recipes.model import parse_recipe

KINDS = {"s3-bucket", "s3-object", "iam-role", "iam-instance-profile", "ec2-launch-template", "databrew-dataset",
         "databrew-recipe", "databrew-recipe-job", "databrew-ruleset", "databrew-profile-job", "glue-database",
         "glue-job", "athena-workgroup", "athena-named-query"}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credential anywhere, and every endpoint a closed port: plan must not need either."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://127.0.0.1:9")  # the discard port: nothing answers
    monkeypatch.setenv("LAKEHOUSE_BUCKET_PREFIX", "city-")
    monkeypatch.delenv("LAKEHOUSE_BACKEND", raising=False)


def _plan(lakehouse: CliRunner, *arguments: str) -> dict:
    outcome = lakehouse("cloud", "plan", "--json", *arguments)
    assert outcome.code == 0, outcome.stderr
    return json.loads(outcome.stdout)


def test_plan_lists_every_resource_offline(offline: None, lakehouse: CliRunner) -> None:
    plan = _plan(lakehouse)
    by_kind: dict[str, list[dict]] = {}
    for resource in plan["resources"]:
        by_kind.setdefault(resource["kind"], []).append(resource)
    assert set(by_kind) == KINDS
    buckets = {r["name"]: r["spec"] for r in by_kind["s3-bucket"]}
    assert set(buckets) == {"city-raw", "city-landing", "city-curated", "city-catalog", "city-athena-results"}
    for name, spec in buckets.items():
        assert all(spec["PublicAccessBlock"].values()) and len(spec["PublicAccessBlock"]) == 4
        assert spec["Encryption"] == "AES256"
        deny = spec["Policy"]["Statement"][0]
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert deny["Resource"] == [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]
        assert spec["Versioning"] == ("Enabled" if name == "city-curated" else None)
    assert {r["name"] for r in by_kind["athena-named-query"]} == {
        "monthly_trend", "top_departments", "volume_by_year", "year_comparison"}
    job = by_kind["glue-job"][0]["spec"]
    assert job["Command"]["ScriptLocation"] == "s3://city-catalog/glue/scripts/lakehouse_curate.py"
    assert job["Role"] == "arn:aws:iam::<account-id>:role/city-lakehouse-glue"
    # The job reads and writes the deployment's buckets (the script's defaults know no prefix).
    assert {key: job["DefaultArguments"][key] for key in ("--landing-location", "--curated-location",
                                                           "--bucket-prefix", "--database")} == {
        "--landing-location": "s3://city-landing/", "--curated-location": "s3://city-curated/",
        "--bucket-prefix": "city-", "--database": "vancouver_311"}
    recipe_job = by_kind["databrew-recipe-job"][0]["spec"]
    assert recipe_job["RoleArn"] == "arn:aws:iam::<account-id>:role/city-lakehouse-databrew"
    # Its own staging folder: an Overwrite output empties its location, landing's sources included.
    staging = {"Bucket": "city-landing", "Key": "3-1-1-inquiry-volume/_databrew-output/"}
    assert recipe_job["Outputs"] == [{"Location": staging, "Format": "PARQUET", "Overwrite": True, "MaxOutputFiles": 1}]


def test_plan_deploys_the_ruleset_without_lakehouse_keys(offline: None, lakehouse: CliRunner) -> None:
    """The ruleset goes to DataBrew as CreateRuleset takes it, on the dataset over the recipe job's
    output, and runs where DataBrew runs rules: a profile job's ValidationConfigurations."""
    resources = {(r["kind"], r["name"]): r["spec"] for r in _plan(lakehouse)["resources"]}
    shipped = json.loads(definition_path("inquiry-volume.ruleset.json").read_text())
    ruleset = resources[("databrew-ruleset", shipped["Name"])]
    assert "NonBlockingRules" not in ruleset and ruleset["Rules"] == shipped["Rules"]
    landing = resources[("databrew-dataset", "3-1-1-inquiry-volume-landing")]
    assert landing["Input"]["S3InputDefinition"] == {"Bucket": "city-landing",
                                                     "Key": "3-1-1-inquiry-volume/_databrew-output/"}
    assert ruleset["TargetArn"] == "arn:aws:databrew:us-east-1:<account-id>:dataset/3-1-1-inquiry-volume-landing"
    profile = resources[("databrew-profile-job", "3-1-1-inquiry-volume-validate")]
    assert profile["DatasetName"] == "3-1-1-inquiry-volume-landing"
    assert profile["ValidationConfigurations"] == [{
        "RulesetArn": f"arn:aws:databrew:us-east-1:<account-id>:ruleset/{shipped['Name']}",
        "ValidationMode": "CHECK_ALL"}]
    assert "RecipeReference" not in profile  # recipe jobs take no ruleset
    assert profile["JobSample"] == {"Mode": "FULL_DATASET"}  # rules see every row, not the default 20,000


def test_role_policies_reach_only_the_deployments_buckets(offline: None, lakehouse: CliRunner) -> None:
    roles = {r["name"]: r["spec"] for r in _plan(lakehouse)["resources"] if r["kind"] == "iam-role"}
    assert set(roles) == {"city-lakehouse-databrew", "city-lakehouse-glue", "city-lakehouse-publisher"}
    for name, role in roles.items():
        for policy in role["Policies"].values():
            for statement in policy["Statement"]:
                assert "*" not in statement["Action"] and statement["Effect"] == "Allow"
                for arn in [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]:
                    if arn.startswith("arn:aws:s3:::"):
                        assert arn.removeprefix("arn:aws:s3:::").startswith("city-"), (name, arn)
    databrew = json.dumps(roles["city-lakehouse-databrew"])
    assert "city-curated" not in databrew and "glue:" not in databrew  # DataBrew writes landing only
    glue_writes = [s for s in roles["city-lakehouse-glue"]["Policies"]["city-lakehouse-glue-access"]["Statement"]
                   if "s3:PutObject" in s["Action"]]
    assert [s["Resource"] for s in glue_writes] == [["arn:aws:s3:::city-curated", "arn:aws:s3:::city-curated/*"]]


def test_cost_follows_the_prices_in_aws_notes(offline: None, lakehouse: CliRunner) -> None:
    cost = _plan(lakehouse, "--gb", "3", "--runs-per-month", "20", "--minutes-per-gb", "6")["monthly_cost"]
    minutes = 3 * 6
    assert cost["databrew_usd"] == round(20 * 5 * minutes / 60 * 0.48, 2)      # $0.48 per node-hour, 5 nodes
    assert cost["databrew_profile_usd"] == cost["databrew_usd"]  # the validating profile job, at most as long
    assert cost["glue_usd"] == round(20 * 2 * minutes / 60 * 0.44, 2)          # $0.44 per DPU-hour, 2 DPU minimum
    assert cost["athena_usd"] == round(20 * 4 * 3 * 1024**3 / 1024**4 * 5, 2)  # $5 per TB scanned, 4 queries
    small = _plan(lakehouse, "--gb", "0.001", "--runs-per-month", "1")["monthly_cost"]
    assert small["glue_usd"] == round(2 * 1 / 60 * 0.44, 2)  # the 1-minute minimum
    assert small["athena_usd"] == round(4 * 10 * 1024**2 / 1024**4 * 5, 2)  # the 10 MB minimum


def test_text_plan_names_resources_and_total(offline: None, lakehouse: CliRunner) -> None:
    outcome = lakehouse("cloud", "plan")
    assert outcome.code == 0, outcome.stderr
    assert "s3-bucket city-curated" in outcome.stdout and "versioned" in outcome.stdout
    assert "ec2-launch-template city-lakehouse-publisher" in outcome.stdout
    assert "total     $" in outcome.stdout
    assert "profile job validating the output" in outcome.stdout
    assert "databrew-ruleset 3-1-1-inquiry-volume-quality" in outcome.stdout


def test_plan_refuses_an_operation_databrew_lacks(offline: None, lakehouse: CliRunner,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = deploy_resources.dataset_recipe
    shipped_steps: list[int] = []

    def with_a_foreign_step(spec):  # type: ignore[no-untyped-def]
        recipe = shipped(spec)
        shipped_steps.append(len(recipe.steps))
        steps = [*recipe.to_json(), {"Action": {"Operation": "PIVOT_TABLE", "Parameters": {"sourceColumn": "Type"}}}]
        return parse_recipe(steps, name=recipe.name)

    monkeypatch.setattr(deploy_resources, "dataset_recipe", with_a_foreign_step)
    outcome = lakehouse("cloud", "plan")
    assert outcome.code == 1
    error = outcome.stderr.strip()
    assert len(error.splitlines()) == 1 and "Traceback" not in error
    assert "operation PIVOT_TABLE is not supported by AWS Glue DataBrew" in error
    assert f"step {shipped_steps[0] + 1} (PIVOT_TABLE)" in error and "recipe.json" in error


def test_recipe_check_refuses_a_parameter_databrew_lacks() -> None:
    recipe = parse_recipe([{"Action": {"Operation": "UPPER_CASE",
                                       "Parameters": {"sourceColumn": "Type", "lakehouseFast": "true"}}}])
    with pytest.raises(ConfigError, match=r"step 1 \(UPPER_CASE\): parameter lakehouseFast is not a DataBrew"):
        check_recipe_for_databrew(recipe, "r.json")
    check_recipe_for_databrew(parse_recipe([{"Action": {"Operation": "UPPER_CASE",
                                                        "Parameters": {"sourceColumn": "Type"}}}]), "r.json")


def test_missing_credentials_are_one_line(offline: None, lakehouse: CliRunner) -> None:
    outcome = lakehouse("cloud", "deploy")
    assert outcome.code == 1
    assert outcome.stderr.startswith("Error: no AWS credentials: ")
    assert len(outcome.stderr.strip().splitlines()) == 1


def test_unknown_profile_is_one_line(offline: None, lakehouse: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nobody")
    outcome = lakehouse("cloud", "run")
    assert outcome.code == 1
    assert outcome.stderr.startswith("Error: no AWS credentials: ") and "nobody" in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1


def test_a_plain_http_endpoint_gets_no_tls_only_policy(offline: None, lakehouse: CliRunner,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A TLS-only policy on a plain-HTTP endpoint (a local emulator) would lock deploy out of its buckets."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    buckets = [r for r in _plan(lakehouse)["resources"] if r["kind"] == "s3-bucket"]
    assert buckets and all(r["spec"]["Policy"] is None for r in buckets)
    assert all("no TLS-only policy (the S3 endpoint is plain HTTP)" in r["summary"] for r in buckets)


def test_the_deployed_recipe_is_the_shipped_json(offline: None, lakehouse: CliRunner) -> None:
    shipped = json.loads(definition_path("inquiry-volume.recipe.json").read_text(encoding="utf-8"))
    recipe = next(r for r in _plan(lakehouse)["resources"] if r["kind"] == "databrew-recipe")
    assert recipe["name"] == "3-1-1-inquiry-volume" and recipe["spec"]["Steps"] == shipped


def test_deploy_without_the_glue_script_names_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cloud.deploy.handlers_storage import ScriptHandler

    monkeypatch.setattr(deploy_resources, "GLUE_SCRIPT", tmp_path / "lakehouse_curate.py")
    script = deploy_resources.Resource("s3-object", "catalog/glue/scripts/lakehouse_curate.py",
                                       {"Source": "cloud/glue_jobs/lakehouse_curate.py", "SHA256": "x"})
    with pytest.raises(ConfigError, match=r"cloud/glue_jobs/lakehouse_curate.py: the Glue job's PySpark script"):
        ScriptHandler().apply(None, script, None)  # type: ignore[arg-type] - refused before any AWS call
