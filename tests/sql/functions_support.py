"""Fixtures for the function tests: one DuckDB Athena engine on an empty local catalog.

Imported by each tests/sql/test_*functions*.py module (not a conftest, so the other tests here are untouched)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulation.athena.engine import DuckDBQueryEngine
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.config import Settings


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> DuckDBQueryEngine:
    home: Path = tmp_path_factory.mktemp("athena")
    store = FileObjectStore(home)
    return DuckDBQueryEngine(ObjectStoreCatalog(store, "catalog"), store, Settings(home=home))


@pytest.fixture(scope="module")
def scalar(engine: DuckDBQueryEngine) -> Callable[..., Any]:
    """The single value `SELECT <expression> [<rest>]` answers."""

    def run(expression: str, rest: str = "") -> Any:
        result = engine.run_query(f"SELECT {expression} {rest}".strip())
        assert len(result.rows) == 1 and len(result.rows[0]) == 1, result.rows
        return result.rows[0][0]

    return run
