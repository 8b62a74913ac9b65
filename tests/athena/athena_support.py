"""Shared by the Athena tests: the shape of the test home (see conftest.athena_home)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

YEARS = (2022, 2023, 2024)
FILES_PER_YEAR = 3  # nine files: more than the five DuckDB's profiler lists by name
ROWS_PER_FILE = 400


@dataclass(frozen=True)
class AthenaHome:
    path: Path
    year_bytes: dict[int, int]  # Parquet bytes of each year's partition

    @property
    def total_bytes(self) -> int:
        return sum(self.year_bytes.values())
