"""docker-compose.yml's topology, without Docker: an S3 server (moto, standing in for
LocalStack), the emulator using it for data, the pipeline through boto3, and the dashboard,
each its own process talking HTTP on 127.0.0.1, configured as the compose file does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from emulator_support import emulator_process, stop

from lakehouse.datasets.sample import SampleReport


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, seconds: float = 90) -> bytes:
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError as error:
            last = error
            time.sleep(0.3)
    raise AssertionError(f"{url} never answered: {last}")


@contextmanager
def _process(arguments: list[str], environment: dict[str, str], cwd: Path,
             log: str) -> Iterator[subprocess.Popen[str]]:
    """A server process whose output goes to a file (a pipe nobody reads would fill and stall it)."""
    with (cwd / log).open("w") as output:
        process = subprocess.Popen(arguments, env=environment, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   text=True)
        try:
            yield process
        finally:
            stop(process)


def test_s3_server_emulator_pipeline_and_dashboard_as_processes(tmp_path: Path, sample_export: SampleReport) -> None:
    s3_port = _free_port()
    base = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "LAKEHOUSE_"))}
    base.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    with _process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)], base, tmp_path,
                  "s3.log"):
        s3_url = f"http://127.0.0.1:{s3_port}"
        _wait_for(f"{s3_url}/moto-api/")
        with emulator_process("--s3-endpoint", s3_url, "--data-dir", str(tmp_path / "emulator"),
                              cwd=tmp_path) as emulator:
            platform = {**base, "LAKEHOUSE_BACKEND": "aws", "AWS_ENDPOINT_URL": emulator.url,
                        "AWS_ENDPOINT_URL_S3": s3_url, "LAKEHOUSE_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
            pipeline = subprocess.run([sys.executable, "-m", "lakehouse", "run", "--source", str(sample_export.path)],
                                      env=platform, cwd=tmp_path, capture_output=True, text=True, timeout=600)
            assert pipeline.returncode == 0, pipeline.stderr
            # The data went to the S3 server, the tables to the emulator's catalog.
            s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
            assert s3.list_objects_v2(Bucket="curated", Prefix="vancouver_311/inquiry_volume/")["KeyCount"] > 0
            glue = emulator.client("glue")
            assert glue.get_table(DatabaseName="vancouver_311", Name="inquiry_volume")["Table"]["Name"]

            port = _free_port()
            with _process([sys.executable, "-m", "lakehouse", "serve", "--port", str(port)], platform, tmp_path,
                          "dashboard.log"):
                page = _wait_for(f"http://127.0.0.1:{port}/")
                assert b"<html" in page.lower()
                layout = _wait_for(f"http://127.0.0.1:{port}/_dash-layout")
                assert b"inquir" in layout.lower()
