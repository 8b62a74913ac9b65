"""`lakehouse cloud run`: the pipeline (lakehouse/pipeline.py) with the aws backend, its
DataBrew and Glue jobs running as the roles deploy made."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from botocore.exceptions import ClientError

from cloud.aws import aws_errors, error_code
from cloud.databrew.service import DataBrewService
from cloud.deploy.clients import Clients
from cloud.deploy.names import Names
from cloud.deploy.resources import DATABREW_NODES, GLUE_CAPACITY
from cloud.glue.jobs import GlueJobService
from lakehouse import pipeline
from lakehouse.config import Settings
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import ConfigError
from lakehouse.platform import Platform
from lakehouse.ports.job_service import GlueDocument
from lakehouse.ports.recipe_service import DataBrewDocument


class DeployedDataBrew(DataBrewService):
    """Recipe jobs run as the deployed DataBrew role (the adapter's default role is a placeholder)."""

    def __init__(self, settings: Settings, role_arn: str) -> None:
        super().__init__(settings)
        self.role_arn = role_arn

    def create_recipe_job(self, job: DataBrewDocument) -> None:
        with aws_errors("databrew CreateRecipeJob"):
            try:
                self.databrew.create_recipe_job(**{**job, "RoleArn": self.role_arn, "MaxCapacity": DATABREW_NODES})
            except ClientError as error:
                if error_code(error) != "ConflictException":
                    raise
                self.databrew.update_recipe_job(Name=job["Name"], Outputs=job["Outputs"], RoleArn=self.role_arn,
                                                MaxCapacity=DATABREW_NODES)


class DeployedGlueJobs(GlueJobService):
    """Glue jobs run as the deployed Glue role, on the deployed capacity (UpdateJob replaces the
    whole definition, so both travel with every update)."""

    def __init__(self, settings: Settings, role_arn: str) -> None:
        super().__init__(settings)
        self.role_arn = role_arn

    def create_job(self, job: GlueDocument) -> None:
        super().create_job({**job, **GLUE_CAPACITY, "Role": self.role_arn})


def deployed_platform(settings: Settings, clients: Clients) -> Platform:
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
    platform.__dict__["recipes"] = DeployedDataBrew(settings, names.role_arn("databrew"))  # cached_property slots
    platform.__dict__["jobs"] = DeployedGlueJobs(settings, names.role_arn("glue"))
    return platform


def run(settings: Settings, clients: Clients, spec: DatasetSpec, source: str | None,
        years: tuple[int, int] | None, reporter: Any, rows: int | None, seed: int | None) -> tuple[Platform, Any]:
    platform = deployed_platform(settings, clients)
    return platform, pipeline.run(platform, spec, source, years, reporter, rows, seed)
