"""Deterministic synthetic export of `3-1-1-service-requests`, any size up to 50M rows.

Each row re-draws one of the 10,000 real requests shipped with the platform (the bundled
API sample: department, type, closure, channel, local area, address and location together,
so their joint frequencies are the city's) and gives it a fresh opening time, spread evenly
from 2009 to the end month, the same days to close as the drawn request, a close date and a
last-modified time after that, and a location moved by a few metres. The file has the
bundled export's format (API field ids as the header, `,`, offsets in Vancouver time).
Rows are generated and written a chunk at a time, so memory stays flat whatever the size.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from lakehouse.datasets.sample import last_full_month
from lakehouse.datasets.service_requests import SERVICE_REQUESTS

CHUNK_ROWS = 1_000_000
FIRST_OPENED = datetime(2009, 1, 1, 8, tzinfo=timezone.utc)  # midnight in Vancouver
LOCAL_TIME_ZONE = "America/Vancouver"
LOCATION_JITTER_DEGREES = 0.0003  # about 30 m
_TIMESTAMP = "%Y-%m-%dT%H:%M:%S%:z"


def _real_requests() -> pl.DataFrame:
    """The bundled rows, with each one's days to close (null while open)."""
    path = resources.files("lakehouse.datasets") / "bundled" / str(SERVICE_REQUESTS.bundled_export)
    with resources.as_file(path) as csv:
        rows = pl.read_csv(csv, infer_schema=False)
    opened = pl.col("service_request_open_timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", strict=False)
    local_day = opened.dt.convert_time_zone(LOCAL_TIME_ZONE).dt.date()
    closed = pl.col("service_request_close_date").str.to_date("%Y-%m-%d", strict=False)
    return rows.with_columns(
        (closed - local_day).dt.total_days().clip(lower_bound=0).alias("days_to_close"),
        pl.col("latitude").cast(pl.Float64, strict=False),
        pl.col("longitude").cast(pl.Float64, strict=False),
    )


def _month_end(end_month: str) -> datetime:
    year, month = (int(part) for part in end_month.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(year, month, 1, 8, tzinfo=timezone.utc)


def _chunk(real: pl.DataFrame, n: int, seed: int, index: int, span: tuple[int, int]) -> pl.DataFrame:
    rng = np.random.default_rng([seed, 1, index])
    drawn = real[rng.integers(0, real.height, n)]
    opened_s = rng.integers(span[0], span[1], n)
    # About half the real requests open on a whole minute (entered by an agent).
    opened_s = np.where(rng.random(n) < 0.5, opened_s - opened_s % 60, opened_s)
    modified_after_close_s = rng.integers(0, 86_400, n)
    jitter = rng.normal(0.0, LOCATION_JITTER_DEGREES, (2, n))
    opened = pl.from_epoch(pl.Series(opened_s), "s").dt.replace_time_zone("UTC").dt.convert_time_zone(LOCAL_TIME_ZONE)
    frame = drawn.with_columns(opened.alias("_opened"), pl.Series("_modified", modified_after_close_s),
                               pl.Series("_dlat", jitter[0]), pl.Series("_dlon", jitter[1]))
    closed = pl.col("_opened").dt.date() + pl.duration(days=pl.col("days_to_close"))
    modified = pl.when(pl.col("days_to_close").is_null()).then(pl.col("_opened")).otherwise(
        closed.cast(pl.Datetime("us")).dt.replace_time_zone(LOCAL_TIME_ZONE, ambiguous="earliest",
                                                             non_existent="null")
    ) + pl.duration(seconds=pl.col("_modified"))
    latitude = (pl.col("latitude") + pl.col("_dlat")).round(11)
    longitude = (pl.col("longitude") + pl.col("_dlon")).round(11)
    return frame.select(
        "department", "service_request_type", "status", "closure_reason",
        pl.col("_opened").dt.strftime(_TIMESTAMP).alias("service_request_open_timestamp"),
        closed.dt.strftime("%Y-%m-%d").alias("service_request_close_date"),
        modified.dt.strftime(_TIMESTAMP).alias("last_modified_timestamp"),
        "address", "local_area", "channel",
        latitude.alias("latitude"), longitude.alias("longitude"),
        pl.when(latitude.is_not_null()).then(pl.concat_str(
            pl.lit("{'lon': "), longitude.cast(pl.String), pl.lit(", 'lat': "), latitude.cast(pl.String), pl.lit("}"),
        )).alias("geom"),
    )


def write_service_requests_sample(
    path: Path, rows: int, seed: int = 311, end_month: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write `rows` synthetic service requests to `path`; the same arguments give the same bytes."""
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    span = (int(FIRST_OPENED.timestamp()), int(_month_end(end_month or last_full_month()).timestamp()))
    real = _real_requests()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
            frame = _chunk(real, min(CHUNK_ROWS, rows - start), seed % 2**64, index, span)
            frame.write_csv(handle, include_header=index == 0, separator=",", quote_style="necessary")
            if progress is not None:
                progress(len(frame))
    return path
