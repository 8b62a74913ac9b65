"""Synthetic exports for the benchmarks, generated once per (dataset, rows, seed) and reused."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

INQUIRY_VOLUME = "3-1-1-inquiry-volume"
SERVICE_REQUESTS = "3-1-1-service-requests"
GENERATED = (INQUIRY_VOLUME, SERVICE_REQUESTS)
END_MONTH = "2026-10"  # fixed, so a cached sample is the same file whatever the date
MAX_ROWS = 50_000_000  # what the generators promise to stream in bounded memory


def ensure_sample(workdir: Path, dataset: str, rows: int, seed: int,
                  echo: Callable[[str], None] = print) -> Path:
    """The export of `rows` lines (dirty, as a real export can be), cached under workdir/samples/."""
    path = workdir / "samples" / f"{dataset}-{rows}-seed{seed}-{END_MONTH}.csv"
    if path.exists():
        return path
    echo(f"generating {path} ...")
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    if dataset == INQUIRY_VOLUME:
        from lakehouse.datasets.sample import write_sample

        write_sample(partial, rows=rows, seed=seed, dirty=True, end_month=END_MONTH)
    else:
        from lakehouse.datasets.sample_service_requests import write_service_requests_sample

        write_service_requests_sample(partial, rows=rows, seed=seed, end_month=END_MONTH)
    partial.replace(path)  # only a complete sample is ever reused
    echo(f"  {path.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - started:.1f}s")
    return path
