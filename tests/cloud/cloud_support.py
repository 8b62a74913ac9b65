"""An AWS made of two local endpoints, as a user would point boto3 at them: `lakehouse emulator`
(S3, Glue, Athena, DataBrew) through AWS_ENDPOINT_URL, and a moto server for IAM, EC2 and STS
through AWS_ENDPOINT_URL_IAM/_EC2/_STS."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))  # reuse the emulator's process helper
from emulator_support import RunningEmulator  # noqa: E402

OTHER_SERVICES = ("IAM", "EC2", "STS")
# Distinctive dummy credentials: tests assert they never appear in any output.
ACCESS_KEY, SECRET_KEY = "dummy-lakehouse-key-id-311", "lakehouse-secret-must-never-be-printed"


@dataclass
class CloudStack:
    emulator: RunningEmulator
    moto_url: str
    prefix: str
    home: Path

    def client(self, service: str) -> Any:
        """A boto3 client for the endpoint serving `service`, as `lakehouse cloud` reaches it."""
        if service.upper() in OTHER_SERVICES:
            return boto3.client(service, endpoint_url=self.moto_url, region_name="us-east-1",  # type: ignore[call-overload]
                                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        return self.emulator.client(service)
