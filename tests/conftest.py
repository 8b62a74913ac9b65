"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

# Dummy credentials before boto3 is imported anywhere, so no test can reach real AWS
# with a developer's own account.
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """URL of an in-process moto server (real HTTP), shared by the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def unique_bucket() -> str:
    """A bucket name no other test uses, so tests sharing one moto server never collide."""
    return f"test-{uuid.uuid4().hex[:16]}"
