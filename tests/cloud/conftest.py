"""An AWS made of two local endpoints, as a user would point boto3 at them: `lakehouse emulator`
(S3, Glue, Athena, DataBrew) through AWS_ENDPOINT_URL, and a moto server for IAM, EC2 and STS
through AWS_ENDPOINT_URL_IAM/_EC2/_STS. Dummy credentials come from tests/conftest.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))  # reuse the emulator's process helper
from emulator_support import RunningEmulator, emulator_process  # noqa: E402

OTHER_SERVICES = ("IAM", "EC2", "STS")
# Distinctive dummy credentials: tests assert they never appear in any output.
ACCESS_KEY, SECRET_KEY = "AKIALAKEHOUSETEST311", "lakehouse-secret-must-never-be-printed"


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


@pytest.fixture
def cloud_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CloudStack]:
    """A fresh emulator and moto server per test, so that "nothing left behind" means nothing.
    No bucket prefix: the emulator's jobs read the unprefixed zones (`emulator start` has no prefix option)."""
    from moto.server import ThreadedMotoServer

    prefix = ""
    monkeypatch.delenv("LAKEHOUSE_BUCKET_PREFIX", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.delenv("LAKEHOUSE_BACKEND", raising=False)
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / "home"))
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    moto_url = f"http://{host}:{port}"
    try:
        with emulator_process("--in-memory", cwd=tmp_path) as emulator:
            monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
            for service in OTHER_SERVICES:
                monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
            yield CloudStack(emulator, moto_url, prefix, tmp_path / "home")
    finally:
        moto.stop()
