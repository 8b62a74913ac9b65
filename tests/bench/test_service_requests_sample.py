"""The synthetic service-request export: deterministic, streamed in chunks, and read by the real pipeline."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse import pipeline
from lakehouse.config import load_settings
from lakehouse.datasets import sample_service_requests as generator
from lakehouse.datasets.registry import dataset
from lakehouse.platform import Platform

END_MONTH = "2024-12"


def test_same_arguments_same_bytes_and_chunks_do_not_change_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = generator.write_service_requests_sample(tmp_path / "a.csv", rows=2_500, seed=9, end_month=END_MONTH)
    again = generator.write_service_requests_sample(tmp_path / "b.csv", rows=2_500, seed=9, end_month=END_MONTH)
    other = generator.write_service_requests_sample(tmp_path / "c.csv", rows=2_500, seed=10, end_month=END_MONTH)
    assert first.read_bytes() == again.read_bytes() != other.read_bytes()
    monkeypatch.setattr(generator, "CHUNK_ROWS", 1_000)  # three chunks, one header
    chunked = generator.write_service_requests_sample(tmp_path / "d.csv", rows=2_500, seed=9, end_month=END_MONTH)
    frame = pl.read_csv(chunked, infer_schema=False)
    assert frame.height == 2_500 and frame.columns == list(dataset("3-1-1-service-requests").api_ids)
    local_years = frame["service_request_open_timestamp"].str.slice(0, 4).cast(pl.Int32)
    assert (local_years.min(), local_years.max()) == (2009, 2024)  # from 2009 to the end month


def test_the_pipeline_lands_every_generated_request(tmp_path: Path) -> None:
    export = generator.write_service_requests_sample(tmp_path / "export.csv", rows=3_000, seed=3, end_month=END_MONTH)
    platform = Platform(load_settings({"home": str(tmp_path / "home")}, environ={}))
    report = pipeline.run(platform, dataset("3-1-1-service-requests"), source=str(export))
    assert report.landing.raw_rows == 3_000
    assert report.landing.landing_rows == 3_000 and report.landing.rejected_rows == 0
    assert platform.engine.run_query("SELECT count(*) FROM service_requests").rows == [(3_000,)]
