"""Soak-only trials (marker `soak`, skipped unless LAKEHOUSE_SOAK=1; see soak.py): the
transient-fault run through the S3 proxy, again and again with a new fault stream each time,
each ending with the fault-free run's curated data."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import reliability_figures
from cli_support import CliRunner, platform_for

from emulation.faults.s3_proxy import FaultPlan, FaultProxy
from lakehouse.datasets.sample import SampleReport

pytestmark = [pytest.mark.soak, pytest.mark.s3]
ROUNDS = int(os.environ.get("LAKEHOUSE_SOAK_FAULT_ROUNDS", "5"))
SEED = int(os.environ.get("LAKEHOUSE_SOAK_SEED", "0"))
TABLES = ["inquiry_volume", "department_monthly", "monthly_volume", "yearly_volume"]


def _run(lakehouse: CliRunner, home: Path, prefix: str, source: Path) -> int:
    return lakehouse("run", "--home", str(home), "--backend", "emulator", "--bucket-prefix", prefix,
                     "--source", str(source), "--years", "2023", "2024").code


def _curated(home: Path, prefix: str, endpoint: str) -> dict[str, list[tuple[object, ...]]]:
    engine = platform_for(home, backend="emulator", bucket_prefix=prefix, endpoint_url=endpoint).engine
    return {table: sorted(engine.run_query(f"SELECT * FROM {table}").rows, key=repr) for table in TABLES}


def test_transient_fault_rounds_end_with_the_fault_free_data(
    moto_endpoint: str, lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clean = f"c{uuid.uuid4().hex[:8]}-"
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    assert _run(lakehouse, tmp_path / "clean", clean, sample_export.path) == 0
    expected = _curated(tmp_path / "clean", clean, moto_endpoint)
    for round_ in range(ROUNDS):
        plan = FaultPlan(error_500=0.04, slow_down_503=0.04, reset=0.02, slow=0.01, truncate=0.03,
                         slow_seconds=0.2, seed=SEED * 1000 + round_)
        proxy = FaultProxy(moto_endpoint, plan)
        proxy.start()
        prefix = f"s{uuid.uuid4().hex[:8]}-"
        try:
            monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
            assert _run(lakehouse, tmp_path / f"round{round_}", prefix, sample_export.path) == 0, round_
        finally:
            proxy.stop()
        curated = _curated(tmp_path / f"round{round_}", prefix, moto_endpoint)
        lost = sum(max(0, len(rows) - len(curated.get(table, []))) for table, rows in expected.items())
        reliability_figures.add("s3-faults", trials=1, rows_lost=lost,
                                faults_injected=sum(n for name, n in plan.counts.items() if name != "forwarded"))
        assert curated == expected, round_
