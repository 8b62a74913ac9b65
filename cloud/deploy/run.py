"""`lakehouse cloud run`: the pipeline (lakehouse/pipeline.py) with the aws backend, its
DataBrew and Glue jobs running as the roles deploy made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from cloud.aws import aws_errors, error_code
from cloud.databrew import landing, layout
from cloud.databrew.service import DataBrewService
from cloud.deploy.clients import Clients
from cloud.deploy.names import Names
from cloud.deploy.resources import DATABREW_NODES, deployed_glue_document
from cloud.glue.jobs import GlueJobService
from lakehouse import pipeline
from lakehouse.config import Settings
from lakehouse.datasets.registry import DATASETS, dataset
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import ConfigError, StageError
from lakehouse.ingest import current_raw
from lakehouse.landing import landing_manifest
from lakehouse.platform import Platform
from lakehouse.ports.job_service import GlueDocument
from lakehouse.ports.recipe_service import DataBrewDocument
from lakehouse.prepare import job_name
from lakehouse.zones import Zones


class DeployedDataBrew(DataBrewService):
    """Recipe jobs run as the deployed DataBrew role (the adapter's default role is a placeholder),
    write into their staging folder, and are followed by what real DataBrew leaves undone: the
    ruleset's profile job and the landing source with its manifest (cloud/databrew/landing.py)."""

    def __init__(self, settings: Settings, role_arn: str, zones: Zones, log: Callable[[str], None]) -> None:
        super().__init__(settings)
        self.role_arn, self.zones, self.log = role_arn, zones, log

    def create_recipe_job(self, job: DataBrewDocument) -> None:
        outputs = layout.recipe_job_outputs(self.settings, dataset(job["DatasetName"]))
        with aws_errors("databrew CreateRecipeJob"):
            try:
                self.databrew.create_recipe_job(**{**job, "Outputs": outputs, "RoleArn": self.role_arn,
                                                   "MaxCapacity": DATABREW_NODES})
            except ClientError as error:
                if error_code(error) != "ConflictException":
                    raise
                self.databrew.update_recipe_job(Name=job["Name"], Outputs=outputs, RoleArn=self.role_arn,
                                                MaxCapacity=DATABREW_NODES)

    def start_job_run(self, name: str) -> str:
        spec = next((spec for spec in DATASETS.values() if job_name(spec) == name), None)
        if spec is None:
            return super().start_job_run(name)
        raw = current_raw(self.zones, spec)
        self._read_from(spec, raw.key)
        run_id = super().start_job_run(name)
        written = landing_manifest(self.zones, spec)
        if written is not None and written.job_run_id == run_id:
            return run_id  # the emulator's platform runner published it already (its default mode)
        outputs = landing.run_output_keys(self.zones, spec)
        if spec.ruleset is not None:
            self._validate(spec)
        run = self.describe_job_run(name, run_id)
        landing.publish(self.zones, spec, raw, outputs, run.get("RecipeReference", {}).get("Name", ""),
                        landing.recipe_version_of(run), run_id, self.log)
        return run_id

    def _read_from(self, spec: DatasetSpec, raw_key: str) -> None:
        """Point the dataset at the one raw object to prepare (over the folder, DataBrew would read
        every file in it: older sources and the manifests too)."""
        dataset_name = spec.portal_id
        current = self._call("describe_dataset", Name=dataset_name)
        location = {**current["Input"]["S3InputDefinition"], "Key": raw_key}
        if location != current["Input"]["S3InputDefinition"]:
            extra = {key: current[key] for key in ("Format", "FormatOptions") if key in current}
            self._call("update_dataset", Name=dataset_name, Input={"S3InputDefinition": location}, **extra)

    def _validate(self, spec: DatasetSpec) -> None:
        """The profile job with the ruleset over this run's output; failing blocking rules stop here."""
        validate = layout.validate_job_name(spec)
        self.log(f"validating the output with {validate}")
        # S3 keeps whole seconds of LastModified: a report of this run is no older than this.
        started = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
        run_id = super().start_job_run(validate)
        failed = landing.failed_rules(self.zones, spec, run_id, started, self.log)
        if failed:
            raise StageError(f"data-quality rules failed for {spec.portal_id} (DataBrew profile job {validate} "
                             f"run {run_id}), landing not published: {', '.join(failed)}")


class DeployedGlueJobs(GlueJobService):
    """Glue jobs run as the deployed Glue role, on the deployed capacity and zones (UpdateJob
    replaces the whole definition, so all of it travels with every update)."""

    def __init__(self, settings: Settings, role_arn: str) -> None:
        super().__init__(settings)
        self.settings, self.role_arn = settings, role_arn

    def create_job(self, job: GlueDocument) -> None:
        super().create_job(deployed_glue_document(job, self.settings, self.role_arn))


def deployed_platform(settings: Settings, clients: Clients,
                      log: Callable[[str], None] = lambda line: None) -> Platform:
    """The aws-backend platform, refusing to start before deploy made the buckets."""
    settings = replace(settings, backend="aws")
    names = Names(settings, clients.account())
    raw = names.bucket("raw")
    with aws_errors(f"s3 HeadBucket {raw}"):
        try:
            clients("s3").head_bucket(Bucket=raw)
        except ClientError as error:
            if error_code(error) in ("404", "NoSuchBucket", "NotFound"):
                raise ConfigError(f"bucket {raw} does not exist: run `lakehouse cloud deploy` first") from None
            raise
    platform = Platform(settings)
    # cached_property slots
    platform.__dict__["recipes"] = DeployedDataBrew(settings, names.role_arn("databrew"), platform.zones, log)
    platform.__dict__["jobs"] = DeployedGlueJobs(settings, names.role_arn("glue"))
    return platform


def run(settings: Settings, clients: Clients, spec: DatasetSpec, source: str | None,
        years: tuple[int, int] | None, reporter: Any, rows: int | None, seed: int | None,
        log: Callable[[str], None] = lambda line: None) -> tuple[Platform, Any]:
    platform = deployed_platform(settings, clients, log)
    return platform, pipeline.run(platform, spec, source, years, reporter, rows, seed)
