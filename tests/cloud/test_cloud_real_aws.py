"""The same plan → deploy (twice) → run → destroy against a real AWS account. Opt-in only:

    LAKEHOUSE_REAL_AWS=1 LAKEHOUSE_REAL_AWS_PROFILE=<profile> [AWS_REGION=…] \\
        python -m pytest -m real_aws tests/cloud

It creates billable resources (DataBrew and Glue job runs, Athena queries) under a random
bucket prefix and destroys them at the end, even when an assertion fails. tests/conftest.py
replaces credentials with dummies for every other test, so the account is named by profile."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest
from cli_support import CliRunner

pytestmark = [
    pytest.mark.real_aws,
    pytest.mark.skipif(os.environ.get("LAKEHOUSE_REAL_AWS") != "1",
                       reason="real AWS: set LAKEHOUSE_REAL_AWS=1 and LAKEHOUSE_REAL_AWS_PROFILE"),
]
ACTION = re.compile(r"^(created|updated|unchanged)\s", re.MULTILINE)


@pytest.fixture
def real_account(monkeypatch: pytest.MonkeyPatch, lakehouse: CliRunner, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    profile = os.environ.get("LAKEHOUSE_REAL_AWS_PROFILE")
    if not profile:
        pytest.skip("LAKEHOUSE_REAL_AWS_PROFILE names the AWS profile to deploy with")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in [key for key in os.environ if key.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_PROFILE", profile)
    prefix = f"lakehouse-test-{uuid.uuid4().hex[:10]}-"  # S3 bucket names are global
    monkeypatch.setenv("LAKEHOUSE_BUCKET_PREFIX", prefix)
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / "home"))
    try:
        yield prefix
    finally:
        lakehouse("cloud", "destroy", "--yes")


def test_plan_deploy_twice_run_destroy_on_real_aws(real_account: str, lakehouse: CliRunner) -> None:
    assert lakehouse("cloud", "plan").code == 0
    first = lakehouse("cloud", "deploy")
    assert first.code == 0, first.stderr
    second = lakehouse("cloud", "deploy")
    assert second.code == 0, second.stderr
    assert set(ACTION.findall(second.stdout)) == {"unchanged"}
    run = lakehouse("cloud", "run", "--rows", "5000")
    assert run.code == 0, run.stderr
    # DataBrew wrote its output only; run validated it and published it with the landing manifest.
    assert "validating the output with" in run.stderr and "dropped by the recipe" in run.stderr
    destroyed = lakehouse("cloud", "destroy", "--yes")
    assert destroyed.code == 0, destroyed.stderr
    assert "nothing left behind" in destroyed.stdout
