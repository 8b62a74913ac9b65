"""`lakehouse cloud deploy | run | sync | destroy` against the emulator (S3, DataBrew, Glue,
Athena) and moto (IAM, EC2, STS), through boto3 as against AWS."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
from cli_support import CliRunner
from cloud_support import ACCESS_KEY, SECRET_KEY, CloudStack
from polars.testing import assert_frame_equal


from cloud.deploy.resources import GLUE_SCRIPT
from lakehouse.datasets.sample import write_sample
from lakehouse.sql.saved import saved_queries

ACTION = re.compile(r"^(created|updated|unchanged|deleted|absent)\s+(\S+) (\S+)$")
RESOURCES = 24


def _actions(stdout: str) -> dict[str, str]:
    found = {}
    for line in stdout.splitlines():
        match = ACTION.match(line)
        if match:
            found[f"{match.group(2)} {match.group(3)}"] = match.group(1)
    return found


def _no_credentials_in(*outputs: str) -> None:
    for text in outputs:
        assert ACCESS_KEY not in text and SECRET_KEY not in text


def test_deploying_twice_changes_nothing_the_second_time(cloud_stack: CloudStack, lakehouse: CliRunner) -> None:
    first = lakehouse("cloud", "deploy")
    assert first.code == 0, first.stderr
    assert set(_actions(first.stdout).values()) == {"created"} and len(_actions(first.stdout)) == RESOURCES
    second = lakehouse("cloud", "deploy")
    assert second.code == 0, second.stderr
    actions = _actions(second.stdout)
    assert len(actions) == RESOURCES and set(actions.values()) == {"unchanged"}
    assert f"0 created, 0 updated, {RESOURCES} unchanged" in second.stdout
    _no_credentials_in(first.stdout, first.stderr, second.stdout, second.stderr)

    # What deploy made is really there, as specified.
    prefix, s3 = cloud_stack.prefix, cloud_stack.client("s3")
    curated = f"{prefix}curated"
    assert s3.get_bucket_versioning(Bucket=curated)["Status"] == "Enabled"
    assert "Status" not in s3.get_bucket_versioning(Bucket=f"{prefix}raw")
    assert all(s3.get_public_access_block(Bucket=curated)["PublicAccessBlockConfiguration"].values())
    rule = s3.get_bucket_encryption(Bucket=curated)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    script = s3.get_object(Bucket=f"{prefix}catalog", Key="glue/scripts/lakehouse_curate.py")["Body"].read()
    assert script == GLUE_SCRIPT.read_bytes()
    job = cloud_stack.client("glue").get_job(JobName="3-1-1-inquiry-volume-curate")["Job"]
    assert job["Role"] == f"arn:aws:iam::123456789012:role/{prefix}lakehouse-glue"
    assert job["Command"]["ScriptLocation"] == f"s3://{prefix}catalog/glue/scripts/lakehouse_curate.py"
    assert (job["WorkerType"], job["NumberOfWorkers"]) == ("G.1X", 2)  # the capacity the cost estimate assumes
    iam = cloud_stack.client("iam")
    policy = iam.get_role_policy(RoleName=f"{prefix}lakehouse-databrew", PolicyName=f"{prefix}lakehouse-databrew-access")
    assert f"arn:aws:s3:::{prefix}landing/*" in str(policy["PolicyDocument"])
    profile = iam.get_instance_profile(InstanceProfileName=f"{prefix}lakehouse-publisher")["InstanceProfile"]
    assert [role["RoleName"] for role in profile["Roles"]] == [f"{prefix}lakehouse-publisher"]
    version = cloud_stack.client("ec2").describe_launch_template_versions(
        LaunchTemplateName=f"{prefix}lakehouse-publisher", Versions=["$Latest"])["LaunchTemplateVersions"][0]
    user_data = base64.b64decode(version["LaunchTemplateData"]["UserData"]).decode()
    assert f"LAKEHOUSE_BUCKET_PREFIX={prefix}" in user_data and "AWS_REGION=us-east-1" in user_data
    athena = cloud_stack.client("athena")
    ids = athena.list_named_queries(WorkGroup=f"{prefix}lakehouse")["NamedQueryIds"]
    named = athena.batch_get_named_query(NamedQueryIds=ids)["NamedQueries"]
    assert sorted(q["Name"] for q in named) == ["monthly_trend", "top_departments", "volume_by_year",
                                                "year_comparison"]
    recipe = cloud_stack.client("databrew").describe_recipe(Name="3-1-1-inquiry-volume",
                                                            RecipeVersion="LATEST_PUBLISHED")
    assert recipe["RecipeVersion"] == "1.0"
    ruleset = cloud_stack.client("databrew").describe_ruleset(Name="3-1-1-inquiry-volume-quality")
    assert ruleset["TargetArn"].endswith(":dataset/3-1-1-inquiry-volume-landing")
    validate = cloud_stack.client("databrew").describe_job(Name="3-1-1-inquiry-volume-validate")
    assert validate["Type"] == "PROFILE" and validate["ValidationConfigurations"][0]["RulesetArn"] == \
        ruleset["ResourceArn"]

    # The Glue job reads and writes the deployed buckets: its DefaultArguments carry them, and
    # follow the bucket prefix (the script's defaults know no prefix).
    assert _zone_arguments(job) == {"--landing-location": f"s3://{prefix}landing/",
                                    "--curated-location": f"s3://{prefix}curated/", "--database": "vancouver_311"}
    moved = lakehouse("cloud", "deploy", "--bucket-prefix", "elsewhere-")
    assert moved.code == 0, moved.stderr
    assert _actions(moved.stdout)["glue-job 3-1-1-inquiry-volume-curate"] == "updated"
    job = cloud_stack.client("glue").get_job(JobName="3-1-1-inquiry-volume-curate")["Job"]
    assert _zone_arguments(job) == {"--landing-location": "s3://elsewhere-landing/", "--bucket-prefix": "elsewhere-",
                                    "--curated-location": "s3://elsewhere-curated/", "--database": "vancouver_311"}
    again = lakehouse("cloud", "deploy", "--bucket-prefix", "elsewhere-")
    assert set(_actions(again.stdout).values()) == {"unchanged"}


def _zone_arguments(job: dict) -> dict[str, str]:
    return {key: value for key, value in job["DefaultArguments"].items()
            if key in ("--landing-location", "--curated-location", "--bucket-prefix", "--database")}


def test_deploy_repairs_drift_and_only_drift(cloud_stack: CloudStack, lakehouse: CliRunner,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    early = lakehouse("cloud", "run")  # before deploy: one line saying what to do
    assert early.code == 1
    assert early.stderr.strip().splitlines()[-1] == "Error: bucket raw does not exist: run `lakehouse cloud deploy` first"
    assert lakehouse("cloud", "deploy").code == 0
    prefix = cloud_stack.prefix
    cloud_stack.client("s3").put_bucket_versioning(Bucket=f"{prefix}curated",
                                                   VersioningConfiguration={"Status": "Suspended"})
    cloud_stack.client("iam").delete_role_policy(RoleName=f"{prefix}lakehouse-glue",
                                                 PolicyName=f"{prefix}lakehouse-glue-access")
    again = lakehouse("cloud", "deploy")
    assert again.code == 0, again.stderr
    changed = {label: action for label, action in _actions(again.stdout).items() if action != "unchanged"}
    assert changed == {f"s3-bucket {prefix}curated": "updated", f"iam-role {prefix}lakehouse-glue": "updated"}
    assert cloud_stack.client("s3").get_bucket_versioning(Bucket=f"{prefix}curated")["Status"] == "Enabled"
    assert set(_actions(lakehouse("cloud", "deploy").stdout).values()) == {"unchanged"}

    # destroy asks first; "n" keeps everything.
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    declined = lakehouse("cloud", "destroy")
    assert declined.code == 130 and f"Delete {RESOURCES} resources" in declined.stdout
    assert f"{prefix}curated" in {b["Name"] for b in cloud_stack.client("s3").list_buckets()["Buckets"]}


def test_plan_deploy_run_sync_destroy(cloud_stack: CloudStack, lakehouse: CliRunner, tmp_path: Path) -> None:
    prefix = cloud_stack.prefix
    plan = lakehouse("cloud", "plan")
    assert plan.code == 0 and f"{RESOURCES} resources" in plan.stdout
    assert lakehouse("cloud", "deploy").code == 0

    source = tmp_path / "export.csv"
    write_sample(source, rows=3000, dirty=True)  # with rows the recipe drops
    run = lakehouse("cloud", "run", "--source", str(source), "--years", "2023", "2024")
    assert run.code == 0, run.stderr
    titles = [q.title for q in saved_queries().values() if q.dataset == "3-1-1-inquiry-volume"]
    assert len(titles) == 4 and all(title in run.stdout for title in titles), run.stdout[:2000]
    glue, databrew = cloud_stack.client("glue"), cloud_stack.client("databrew")
    assert [r["JobRunState"] for r in glue.get_job_runs(JobName="3-1-1-inquiry-volume-curate")["JobRuns"]] \
        == ["SUCCEEDED"]
    prepared = databrew.list_job_runs(Name="3-1-1-inquiry-volume-prepare")["JobRuns"][0]
    assert prepared["State"] == "SUCCEEDED"
    assert databrew.list_job_runs(Name="3-1-1-inquiry-volume-validate")["JobRuns"][0]["State"] == "SUCCEEDED"
    # DataBrew wrote its output file only (as on AWS); the run published it with the manifest.
    s3 = cloud_stack.client("s3")
    staged = [o["Key"] for o in s3.list_objects_v2(Bucket=f"{prefix}landing",
                                                   Prefix="3-1-1-inquiry-volume/_databrew-output/")["Contents"]]
    assert len(staged) == 1 and re.fullmatch(
        r"3-1-1-inquiry-volume/_databrew-output/3-1-1-inquiry-volume-prepare_\w+_part00000\.parquet", staged[0])
    manifest = json.loads(s3.get_object(Bucket=f"{prefix}landing",
                                        Key="3-1-1-inquiry-volume/_manifest.json")["Body"].read())
    assert manifest["job_run_id"] == prepared["RunId"] and manifest["recipe_version"] == "1.0"
    assert manifest["raw_rows"] == manifest["landing_rows"] + manifest["rejected_rows"]
    assert manifest["rejected_rows"] > 0
    assert manifest["rejected_by_step"][0]["rows"] == manifest["rejected_rows"]
    assert "rejected.parquet" not in str(s3.list_objects_v2(Bucket=f"{prefix}landing")["Contents"])
    assert "inquiry_volume" in {t["Name"] for t in glue.get_tables(DatabaseName="vancouver_311")["TableList"]}
    # The run used the deployed roles, so deploy still finds nothing to change.
    after_run = _actions(lakehouse("cloud", "deploy").stdout)
    assert set(after_run.values()) == {"unchanged"}, {k: v for k, v in after_run.items() if v != "unchanged"}

    # sync pull: curated comes home, then nothing moves the second time.
    pulled = lakehouse("cloud", "sync", "pull")
    assert pulled.code == 0, pulled.stderr
    copied = int(pulled.stdout.strip().splitlines()[-1].split()[0])
    remote = cloud_stack.client("s3").list_objects_v2(Bucket=f"{prefix}curated")["KeyCount"]
    assert copied == remote > 0
    assert (cloud_stack.home / f"{prefix}curated").is_dir()
    assert lakehouse("cloud", "sync", "pull").stdout.strip().endswith(f"0 copied, {remote} unchanged")

    # The same curated tables and counts as the embedded run of the same export.
    embedded_home = tmp_path / "embedded"
    embedded = lakehouse("run", "--backend", "local", "--home", str(embedded_home), "--source", str(source),
                         "--years", "2023", "2024")
    assert embedded.code == 0, embedded.stderr
    local_manifest = json.loads((embedded_home / "landing" / "3-1-1-inquiry-volume" / "_manifest.json").read_text())
    assert [local_manifest[k] for k in ("raw_rows", "landing_rows", "rejected_rows")] == \
        [manifest[k] for k in ("raw_rows", "landing_rows", "rejected_rows")]
    cloud_tables, local_tables = _curated(cloud_stack.home / f"{prefix}curated"), _curated(embedded_home / "curated")
    assert set(cloud_tables) == set(local_tables) and "inquiry_volume" in cloud_tables
    for table, frame in cloud_tables.items():
        assert_frame_equal(frame, local_tables[table], check_dtypes=False)

    destroyed = lakehouse("cloud", "destroy", "--yes")
    assert destroyed.code == 0, destroyed.stderr
    assert "nothing left behind" in destroyed.stdout
    _no_credentials_in(run.stdout, run.stderr, destroyed.stdout, pulled.stdout)
    _assert_nothing_left(cloud_stack)
    again = lakehouse("cloud", "destroy", "--yes")
    assert again.code == 0 and set(_actions(again.stdout).values()) == {"absent"}


def _curated(root: Path) -> dict[str, pl.DataFrame]:
    """Each table's rows under a curated zone (one snapshot each), sorted."""
    tables = {}
    for snapshots in sorted(root.rglob("snapshots")):
        [snapshot] = [folder for folder in snapshots.iterdir() if folder.is_dir()]
        frame = pl.read_parquet(snapshot / "**" / "*.parquet", hive_partitioning=True)
        tables[snapshots.parent.name] = frame.select(sorted(frame.columns)).sort(pl.all())
    return tables


def _assert_nothing_left(stack: CloudStack) -> None:
    """Listed through each service's own API, not through destroy's handlers."""
    prefix = stack.prefix
    assert not [b["Name"] for b in stack.client("s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)]
    iam = stack.client("iam")
    assert not [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
    assert not [p for p in iam.list_instance_profiles()["InstanceProfiles"]
                if p["InstanceProfileName"].startswith(prefix)]
    templates = stack.client("ec2").describe_launch_templates()["LaunchTemplates"]
    assert not [t for t in templates if t["LaunchTemplateName"].startswith(prefix)]
    glue = stack.client("glue")
    assert glue.get_jobs()["Jobs"] == []
    assert "vancouver_311" not in {d["Name"] for d in glue.get_databases()["DatabaseList"]}
    databrew = stack.client("databrew")
    assert databrew.list_jobs()["Jobs"] == [] and databrew.list_recipes()["Recipes"] == []
    assert databrew.list_rulesets()["Rulesets"] == []
    assert databrew.list_datasets()["Datasets"] == []
    assert [g["Name"] for g in stack.client("athena").list_work_groups()["WorkGroups"]] == ["primary"]


def test_sync_push_copies_only_what_changed(cloud_stack: CloudStack, lakehouse: CliRunner) -> None:
    assert lakehouse("cloud", "deploy").code == 0
    local = lakehouse("run", "--backend", "local", "--rows", "2000", "--years", "2023", "2024")
    assert local.code == 0, local.stderr
    first = lakehouse("cloud", "sync", "push")
    assert first.code == 0, first.stderr
    pushed = int(first.stdout.strip().splitlines()[-1].split()[0])
    assert pushed > 0
    assert lakehouse("cloud", "sync", "push").stdout.strip().endswith(f"0 copied, {pushed} unchanged")
    raw_files = sorted(p for p in (cloud_stack.home / f"{cloud_stack.prefix}raw").rglob("*") if p.is_file())
    raw_files[0].write_bytes(raw_files[0].read_bytes() + b"\n")
    third = lakehouse("cloud", "sync", "push", "--zone", "raw")
    assert third.stdout.strip().endswith("1 copied, " + str(len(raw_files) - 1) + " unchanged"), third.stdout
