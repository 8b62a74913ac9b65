"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Dummy credentials before boto3 is imported anywhere, so no test can reach real AWS
# with a developer's own account.
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_name, None)

from cli_support import CliRunner, Outcome  # noqa: E402 - after the environment is safe

from lakehouse.cli import main  # noqa: E402
from lakehouse.datasets.sample import SampleReport, write_sample  # noqa: E402


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


END_MONTH = "2024-12"


@pytest.fixture
def lakehouse(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run `lakehouse ARGS…` in this process and return its exit code and output."""
    monkeypatch.setenv("COLUMNS", "200")  # keep rich tables unwrapped for assertions

    def run(*arguments: str) -> Outcome:
        capsys.readouterr()
        try:
            main(list(arguments))
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> SampleReport:
    path = tmp_path_factory.mktemp("sources") / "inquiry-volume.csv"
    return write_sample(path, rows=20_000, seed=7, end_month=END_MONTH)


@pytest.fixture(scope="session")
def dirty_export(tmp_path_factory: pytest.TempPathFactory) -> SampleReport:
    path = tmp_path_factory.mktemp("sources") / "inquiry-volume-dirty.csv"
    return write_sample(path, rows=20_000, seed=11, dirty=True, end_month=END_MONTH)


@pytest.fixture
def local_home(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "home"


