"""`lakehouse run` end to end with the zones on S3 (moto's real HTTP server), through boto3."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import boto3
import pytest
from cli_support import CliRunner

from lakehouse.datasets.sample import SampleReport

pytestmark = pytest.mark.s3

QUERIES = [
    "SELECT year, sum(inquiries) AS n FROM inquiry_volume GROUP BY year ORDER BY year",
    "SELECT department, inquiries, rank FROM department_yearly WHERE year = 2024 ORDER BY rank, department",
    "SELECT month_start, inquiries FROM monthly_volume ORDER BY month_start",
]


@pytest.fixture
def s3_environment(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    monkeypatch.setenv("LAKEHOUSE_BACKEND", "emulator")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("LAKEHOUSE_BUCKET_PREFIX", prefix)
    return prefix


def test_run_on_s3_matches_the_embedded_run(
    lakehouse: CliRunner, sample_export: SampleReport, s3_environment: str, moto_endpoint: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran = lakehouse("run", "--source", str(sample_export.path))
    assert ran.code == 0, ran.stderr
    on_s3 = [lakehouse("query", "--format", "csv", sql).stdout for sql in QUERIES]

    # The data really is in S3 buckets, under the configured prefix, in the zone layout.
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {f"{s3_environment}{zone}" for zone in ("raw", "landing", "curated", "catalog")} <= buckets
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=f"{s3_environment}curated")["Contents"]]
    assert any(k.startswith("vancouver_311/inquiry_volume/snapshots/") and k.endswith("/year=2024/part-00000.parquet")
               for k in keys)
    raw = s3.list_objects_v2(Bucket=f"{s3_environment}raw")["Contents"]
    stored = next(o for o in raw if o["Key"].endswith(".csv"))
    body = s3.get_object(Bucket=f"{s3_environment}raw", Key=stored["Key"])["Body"].read()
    assert body == sample_export.path.read_bytes()  # raw keeps the source byte for byte

    for name in ("LAKEHOUSE_BACKEND", "AWS_ENDPOINT_URL", "LAKEHOUSE_BUCKET_PREFIX"):
        monkeypatch.delenv(name)
    home = str(tmp_path / "home")
    assert lakehouse("run", "--home", home, "--source", str(sample_export.path)).code == 0
    embedded = [lakehouse("query", "--home", home, "--format", "csv", sql).stdout for sql in QUERIES]
    assert on_s3 == embedded
    assert len(list(csv.reader(io.StringIO(on_s3[0])))) > 10


def test_emulator_backend_without_endpoint_is_a_clear_error(
    lakehouse: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_BACKEND", "emulator")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    outcome = lakehouse("status")
    assert outcome.code == 1
    assert outcome.stderr.strip() == "Error: backend 'emulator' needs an S3 endpoint: set AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3)"
