"""A lakehouse with all three datasets, built once per session, and the web app over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.data import DataSource
from lakehouse import pipeline
from lakehouse.config import load_settings
from lakehouse.datasets.registry import DATASETS, DEFAULT_DATASET
from lakehouse.datasets.sample import write_sample
from lakehouse.platform import Platform


@pytest.fixture(scope="session")
def dashboard_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`lakehouse run` for every dataset: a dirty synthetic inquiry export (so some rows are
    rejected, as in a real one) and the bundled real exports of the other two."""
    home = tmp_path_factory.mktemp("dashboard-home")
    export = home.parent / "inquiry-volume-dirty.csv"
    write_sample(export, rows=40_000, seed=311, dirty=True, end_month="2026-10")
    platform = Platform(load_settings({"home": str(home)}))
    for spec in DATASETS.values():
        pipeline.run(platform, spec, str(export) if spec.portal_id == DEFAULT_DATASET else None)
    return home


@pytest.fixture(scope="session")
def source(dashboard_home: Path) -> DataSource:
    return DataSource(load_settings({"home": str(dashboard_home)}))


@pytest.fixture
def empty_source(tmp_path: Path) -> Iterator[DataSource]:
    """A lakehouse before its first run."""
    yield DataSource(load_settings({"home": str(tmp_path / "empty")}))
