"""`lakehouse run` through a fault-injecting proxy in front of the test S3 server: with
transient faults it retries and ends with the same curated data as a fault-free run; when S3
keeps failing it stops with a one-line error after its retry budget and leaves the zones as
they were."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import reliability_figures
from cli_support import CliRunner, platform_for

from emulation.faults.s3_proxy import FaultPlan, FaultProxy
from lakehouse.datasets.sample import SampleReport

pytestmark = pytest.mark.s3
TABLES = ["inquiry_volume", "department_monthly", "monthly_volume", "yearly_volume", "department_year_over_year"]


@pytest.fixture
def proxied(moto_endpoint: str, request: pytest.FixtureRequest) -> Iterator[FaultProxy]:
    proxy = FaultProxy(moto_endpoint, request.param)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


def _run(lakehouse: CliRunner, home: Path, endpoint: str, prefix: str, source: Path) -> tuple[int, str]:
    outcome = lakehouse("run", "--home", str(home), "--backend", "emulator", "--bucket-prefix", prefix,
                        "--source", str(source), "--years", "2023", "2024")
    return outcome.code, outcome.stderr


def _curated(home: Path, prefix: str, endpoint: str) -> dict[str, list[tuple[object, ...]]]:
    engine = platform_for(home, backend="emulator", bucket_prefix=prefix, endpoint_url=endpoint).engine
    return {table: sorted(engine.run_query(f"SELECT * FROM {table}").rows, key=repr) for table in TABLES}


def _objects(home: Path, prefix: str, endpoint: str) -> dict[str, list[str]]:
    platform = platform_for(home, backend="emulator", bucket_prefix=prefix, endpoint_url=endpoint)
    return {zone: sorted(info.key for info in platform.store.list_objects_v2(platform.zones.bucket(zone)))
            if platform.store.head_bucket(platform.zones.bucket(zone)) else []
            for zone in ("raw", "landing", "curated")}


@pytest.mark.parametrize("proxied", [FaultPlan(error_500=0.04, slow_down_503=0.04, reset=0.02, slow=0.02,
                                               truncate=0.03, slow_seconds=0.2, seed=7)], indirect=True)
def test_transient_faults_are_retried_to_the_fault_free_result(
    proxied: FaultProxy, moto_endpoint: str, lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clean, faulty = f"c{uuid.uuid4().hex[:8]}-", f"f{uuid.uuid4().hex[:8]}-"
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    assert _run(lakehouse, tmp_path / "clean", moto_endpoint, clean, sample_export.path)[0] == 0
    expected = _curated(tmp_path / "clean", clean, moto_endpoint)

    monkeypatch.setenv("AWS_ENDPOINT_URL", proxied.url)
    code, errors = _run(lakehouse, tmp_path / "faulty", proxied.url, faulty, sample_export.path)
    injected = sum(count for name, count in proxied.plan.counts.items() if name != "forwarded")
    assert injected >= 10, proxied.plan.counts  # the trial really met faults
    assert code == 0, errors
    curated = _curated(tmp_path / "faulty", faulty, moto_endpoint)
    lost = sum(max(0, len(rows) - len(curated.get(table, []))) for table, rows in expected.items())
    reliability_figures.add("s3-faults", trials=1, faults_injected=injected, rows_lost=lost)
    assert curated == expected


@pytest.mark.parametrize("proxied", [FaultPlan(slow_down_503=1.0)], indirect=True)
def test_an_s3_that_keeps_failing_stops_the_run_with_one_line_and_no_change(
    proxied: FaultProxy, moto_endpoint: str, lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = f"d{uuid.uuid4().hex[:8]}-"
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxied.url)
    before = _objects(tmp_path / "home", prefix, moto_endpoint)
    code, errors = _run(lakehouse, tmp_path / "home", proxied.url, prefix, sample_export.path)
    assert code == 1
    error_lines = [line for line in errors.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and "SlowDown" in error_lines[0], errors
    assert "Traceback" not in errors
    assert _objects(tmp_path / "home", prefix, moto_endpoint) == before
    reliability_figures.add("s3-faults", trials=1, faults_injected=sum(
        count for name, count in proxied.plan.counts.items() if name != "forwarded"))
