"""boto3 clients for deploy: the platform's four services through `cloud.aws.aws_client`
(AWS_ENDPOINT_URL, lakehouse.toml), the rest (IAM, EC2, STS) resolved by boto3 alone, so
AWS_ENDPOINT_URL_IAM and friends point them elsewhere. Credentials come from boto3's chain
(AWS_PROFILE, environment, config files, instance role); none is ever printed or stored."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ProfileNotFound

from cloud.aws import aws_client, aws_errors
from lakehouse.config import Settings
from lakehouse.errors import ConfigError

PLATFORM_SERVICES = ("s3", "glue", "athena", "databrew")


class Clients:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        try:
            self.session = boto3.session.Session(profile_name=settings.profile, region_name=settings.region)
        except ProfileNotFound as error:
            raise ConfigError(f"no AWS credentials: {error}") from None

    def check_credentials(self) -> None:
        """A one-line error, before any call, when the chain finds no credentials."""
        try:
            found = self.session.get_credentials()
        except BotoCoreError as error:
            raise ConfigError(f"no AWS credentials: {error}") from None
        if found is None:
            raise ConfigError("no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                              "or run where an instance role provides them")

    @cache  # noqa: B019 - one client per service for the life of this object
    def __call__(self, service: str) -> Any:
        if service in PLATFORM_SERVICES:
            return aws_client(self.settings, service)
        config = Config(retries={"mode": "standard", "max_attempts": 5})
        return self.session.client(service, config=config)  # type: ignore[call-overload]

    def account(self) -> str:
        with aws_errors("sts GetCallerIdentity"):
            return str(self("sts").get_caller_identity()["Account"])
