"""The deployment as data: every resource with its name and desired state. Plan prints it,
deploy makes AWS match it, destroy removes it. Built offline (no AWS call)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cloud.databrew import layout
from cloud.deploy import policies
from cloud.deploy.names import DEPLOYED_BUCKETS, VERSIONED_BUCKETS, Names
from cloud.deploy.recipe_check import check_recipe_for_databrew
from cloud.glue.jobs import SCRIPT_KEY
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.etl.glue_job_document import to_glue
from lakehouse.etl.jobspec import job_for_dataset
from lakehouse.ports.object_store import ObjectStore
from lakehouse.prepare import job_name, recipe_job
from lakehouse.config import Settings
from lakehouse.recipes.definitions import dataset_recipe, definition_path
from lakehouse.recipes.rules import load_ruleset
from lakehouse.sql.saved import saved_queries
from lakehouse.zones import Zones

GLUE_SCRIPT = Path(__file__).resolve().parents[1] / "glue_jobs" / Path(SCRIPT_KEY).name
PUBLISHER_INSTANCE_TYPE = "t3.small"
DATABREW_NODES = 5
# Without them Glue gives a glueetl job 10 DPU; 2 G.1X workers (1 DPU each) is the minimum the estimate assumes.
GLUE_CAPACITY = {"WorkerType": "G.1X", "NumberOfWorkers": 2}


@dataclass(frozen=True)
class Resource:
    kind: str   # e.g. "s3-bucket"; cloud/deploy/handlers knows how to read, apply and delete each
    name: str
    spec: dict[str, Any]  # the desired state (what plan prints and deploy compares)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


def glue_script() -> bytes | None:
    """The PySpark script deploy uploads (cloud/glue_jobs/), or None while it does not exist."""
    return GLUE_SCRIPT.read_bytes() if GLUE_SCRIPT.is_file() else None


def wheel_uri(names: Names) -> str:
    """Where the publishing instance fetches the platform's wheel (its role may read the catalog bucket)."""
    return f"s3://{names.bucket('catalog')}/wheels/vancouver_311_lakehouse-0.1.0-py3-none-any.whl"


def user_data(names: Names) -> str:
    """The publishing instance's cloud-init, rendered by dashboards/userdata.py for this deployment."""
    from dashboards.userdata import render_user_data

    settings = names.settings
    return render_user_data(wheel_uri(names), settings.region, settings.bucket_prefix, settings.database)


def _bucket(names: Names, zone: str) -> Resource:
    bucket = names.bucket(zone)
    return Resource("s3-bucket", bucket, {
        "PublicAccessBlock": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                              "RestrictPublicBuckets": True},
        "Encryption": "AES256",
        "Policy": None if names.plain_http_s3 else policies.tls_only_bucket_policy(bucket),
        "Versioning": "Enabled" if zone in VERSIONED_BUCKETS else None,
    })


def _role(names: Names, purpose: str, service: str, policy: policies.Policy) -> Resource:
    return Resource("iam-role", names.role(purpose), {
        "AssumeRolePolicyDocument": policies.trust_policy(service),
        "Policies": {f"{names.role(purpose)}-access": policy},
    })


def _databrew(names: Names, spec: DatasetSpec) -> list[Resource]:
    recipe = dataset_recipe(spec)
    check_recipe_for_databrew(recipe, str(definition_path(spec.recipe)))
    # recipe_job only asks the zones for bucket names; no store is touched.
    job = recipe_job(Zones(cast(ObjectStore, None), names.settings), spec, recipe.name)
    job["Outputs"] = layout.recipe_job_outputs(names.settings, spec)
    role = names.role_arn("databrew")
    found = [
        # The Key is the raw folder at first; each `cloud run` points it at the object it prepares
        # (DataBrew would read every file of the folder, manifests included), so deploy leaves it be.
        Resource("databrew-dataset", spec.portal_id, {
            "Format": "CSV", "FormatOptions": layout.raw_format_options(spec),
            "Input": {"S3InputDefinition": {"Bucket": names.bucket("raw")}}}),
        Resource("databrew-recipe", recipe.name, {"Steps": recipe.to_json()}),
        Resource("databrew-recipe-job", job_name(spec), {
            **{key: value for key, value in job.items() if key != "Name"}, "RoleArn": role,
            "MaxCapacity": DATABREW_NODES}),
    ]
    if spec.ruleset is None:
        return found
    landing = layout.landing_dataset_name(spec)
    landing_arn = layout.databrew_arn(names.settings, names.account, "dataset", landing)
    # CreateRuleset's body: Ruleset.to_databrew leaves out the lakehouse-only NonBlockingRules.
    ruleset = load_ruleset(definition_path(spec.ruleset)).to_databrew()
    ruleset_name = ruleset.pop("Name")
    return [
        *found,
        Resource("databrew-dataset", landing, {
            "Format": "PARQUET",
            "Input": {"S3InputDefinition": {"Bucket": names.bucket("landing"), "Key": layout.staging_key(spec)}}}),
        Resource("databrew-ruleset", ruleset_name, {**ruleset, "TargetArn": landing_arn}),
        Resource("databrew-profile-job", layout.validate_job_name(spec), {
            "DatasetName": landing, "RoleArn": role, "MaxCapacity": DATABREW_NODES,
            "OutputLocation": {"Bucket": names.bucket("landing"), "Key": layout.validation_key(spec)},
            # The rules run on the profile job's sample, and without JobSample that is the first
            # 20,000 rows (API_JobSample); the ruleset must see every row, as it does locally.
            "JobSample": {"Mode": "FULL_DATASET"},
            "ValidationConfigurations": [{
                "RulesetArn": layout.databrew_arn(names.settings, names.account, "ruleset", ruleset_name),
                "ValidationMode": "CHECK_ALL"}]}),
    ]


def glue_zone_arguments(settings: Settings) -> dict[str, str]:
    """The Glue script's zone arguments (see its docstring) for this deployment's buckets."""
    arguments = {"--landing-location": f"s3://{settings.bucket('landing')}/",
                 "--curated-location": f"s3://{settings.bucket('curated')}/",
                 "--database": settings.database}
    if settings.bucket_prefix:  # an empty argument value is refused by Glue
        arguments["--bucket-prefix"] = settings.bucket_prefix
    return arguments


def deployed_glue_document(document: dict[str, Any], settings: Settings, role_arn: str) -> dict[str, Any]:
    """A platform job document as deployed: capacity, role, and the zone arguments."""
    arguments = {**document.get("DefaultArguments", {}), **glue_zone_arguments(settings)}
    return {**document, **GLUE_CAPACITY, "Role": role_arn, "DefaultArguments": arguments}


def _glue(names: Names, spec: DatasetSpec) -> list[Resource]:
    script = glue_script()
    job = job_for_dataset(spec.portal_id)
    location = f"s3://{names.bucket('catalog')}/{SCRIPT_KEY}"
    document = to_glue(deployed_glue_document(job.document, names.settings, names.role_arn("glue")), location)
    return [
        Resource("glue-database", names.database, {"Description": "Vancouver 3-1-1 lakehouse: curated tables"}),
        Resource("s3-object", f"{names.bucket('catalog')}/{SCRIPT_KEY}", {
            "Source": "cloud/glue_jobs/" + GLUE_SCRIPT.name,
            "SHA256": hashlib.sha256(script).hexdigest() if script is not None else "missing (not written yet)"}),
        Resource("glue-job", job.name, {key: value for key, value in document.items() if key != "Name"}),
    ]


def _athena(names: Names, spec: DatasetSpec) -> list[Resource]:
    group = names.work_group
    found = [Resource("athena-workgroup", group, {"Configuration": {
        "ResultConfiguration": {"OutputLocation": f"s3://{names.bucket('athena-results')}/",
                                "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"}},
        "EnforceWorkGroupConfiguration": True}})]
    for name, query in sorted(saved_queries().items()):
        if query.dataset == spec.portal_id:
            found.append(Resource("athena-named-query", name, {
                "WorkGroup": group, "Database": names.database, "QueryString": query.sql,
                "Description": query.title}))
    return found


def _publisher(names: Names) -> list[Resource]:
    text = user_data(names)
    return [
        _role(names, "publisher", "ec2.amazonaws.com", policies.publisher_policy(names)),
        Resource("iam-instance-profile", names.instance_profile, {"Roles": [names.role("publisher")]}),
        Resource("ec2-launch-template", names.launch_template, {
            "InstanceType": PUBLISHER_INSTANCE_TYPE, "IamInstanceProfile": {"Name": names.instance_profile},
            "MetadataOptions": {"HttpTokens": "required"},
            "UserData": base64.b64encode(text.encode()).decode()}),
    ]


def deployment(names: Names, spec: DatasetSpec) -> list[Resource]:
    """Every resource, in the order deploy creates them (destroy goes in reverse)."""
    return [
        *(_bucket(names, zone) for zone in DEPLOYED_BUCKETS),
        _role(names, "databrew", "databrew.amazonaws.com", policies.databrew_policy(names)),
        _role(names, "glue", "glue.amazonaws.com", policies.glue_policy(names)),
        *_databrew(names, spec),
        *_glue(names, spec),
        *_athena(names, spec),
        *_publisher(names),
    ]


def describe(resource: Resource) -> str:
    """One line of what the resource is, for the plan's table."""
    spec = resource.spec
    if resource.kind == "s3-bucket":
        extras = ", versioned" if spec["Versioning"] else ""
        tls = "TLS-only policy" if spec["Policy"] else "no TLS-only policy (the S3 endpoint is plain HTTP)"
        return f"public access blocked, SSE-S3 default encryption, {tls}{extras}"
    if resource.kind == "iam-role":
        service = spec["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
        statements = [s for policy in spec["Policies"].values() for s in policy["Statement"]]
        return f"assumed by {service}; " + "; ".join(
            f"{s.get('Sid', '')}: {', '.join(_list(s['Action']))}" for s in statements)
    if resource.kind == "databrew-recipe":
        return f"{len(spec['Steps'])} steps (the JSON the local engine runs), published"
    if resource.kind == "databrew-ruleset":
        return f"{len(spec['Rules'])} data-quality rules on dataset {spec['TargetArn'].rsplit('/', 1)[-1]} " \
               f"(lakehouse-only NonBlockingRules kept local)"
    if resource.kind == "databrew-profile-job":
        out = spec["OutputLocation"]
        return f"validates {spec['DatasetName']} with ruleset " \
               f"{spec['ValidationConfigurations'][0]['RulesetArn'].rsplit('/', 1)[-1]} → s3://{out['Bucket']}/{out['Key']}"
    if resource.kind == "databrew-recipe-job":
        out = spec["Outputs"][0]["Location"]
        return f"recipe {spec['RecipeReference']['Name']} on {spec['DatasetName']} → s3://{out['Bucket']}/{out['Key']}"
    if resource.kind == "glue-job":
        arguments = spec["DefaultArguments"]
        return f"{spec['Command']['Name']} Glue {spec.get('GlueVersion', '')} script " \
               f"{spec['Command']['ScriptLocation']}; role {spec['Role']}; reads {arguments['--landing-location']}, writes {arguments['--curated-location']}"
    if resource.kind == "athena-named-query":
        return f"{spec['Description']} (workgroup {spec['WorkGroup']})"
    if resource.kind == "ec2-launch-template":
        return f"{spec['InstanceType']}, profile {spec['IamInstanceProfile']['Name']}, IMDSv2, " \
               f"user data from dashboards/deploy/user-data.yaml"
    return json.dumps(spec, sort_keys=True)[:160]


def _list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]
