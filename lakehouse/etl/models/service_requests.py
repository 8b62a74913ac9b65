"""The curated model of `3-1-1-service-requests`: `service_requests` (one row per request)
and the aggregates behind a "days to close by local area" dashboard page.

Calendar fields use Vancouver's local time: a request opened at 17:30 on 31 January is a
January request to the city, although 31 January 17:30 PST is 1 February in UTC.
"""

from __future__ import annotations

import polars as pl

from lakehouse.etl.tables import Column, CuratedModel, CuratedTable

LOCAL_TIME_ZONE = "America/Vancouver"
LANDING = ("department", "service_request_type", "status", "closure_reason", "opened_at", "closed_date",
           "last_modified_at", "address", "local_area", "channel", "latitude", "longitude")
# The published fields that identify a request. The dataset has no request id. These are
# fixed when the request is created (unlike status, closure or last_modified_at, which an
# update changes, so a key holding them would keep a stale copy beside the updated one).
# Opening times are often whole minutes, so two real requests can still share them (4 pairs
# in the 10,000-row sample: same type, minute, channel and area, closed differently).
# Merging them would lose a request; request_seq numbers such twins instead.
IDENTITY = ("department", "service_request_type", "opened_at", "channel", "address", "local_area")
NATURAL_KEY = (*IDENTITY, "request_seq")
# Orders twins the same way on every run (none of these is shared by the sample's twins).
_TWIN_ORDER = ("last_modified_at", "closed_date", "status", "closure_reason", "latitude", "longitude")
_BASE_ORDER = ("department", "service_request_type", "status", "closure_reason", "opened_at", "opened_date",
               "closed_date", "days_to_close", "last_modified_at", "address", "local_area", "channel", "latitude",
               "longitude", "request_seq", "year", "month")


def service_requests(landing: pl.LazyFrame) -> pl.LazyFrame:
    """One row per request, with its local opening date and days to close."""
    opened_local = pl.col("opened_at").dt.replace_time_zone("UTC").dt.convert_time_zone(LOCAL_TIME_ZONE)
    return (
        landing.select(LANDING)
        .sort([*IDENTITY, *_TWIN_ORDER], nulls_last=True)
        .with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over(IDENTITY).alias("request_seq"),
            opened_local.dt.date().alias("opened_date"),
        )
        .with_columns(
            # closed_date is already a local calendar date; null while the request is open.
            (pl.col("closed_date") - pl.col("opened_date")).dt.total_days().cast(pl.Int32).alias("days_to_close"),
            pl.col("opened_date").dt.year().cast(pl.Int32).alias("year"),
            pl.col("opened_date").dt.month().cast(pl.Int32).alias("month"),
        )
        .select(_BASE_ORDER)
    )


def _days_to_close(base: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Requests opened in each group and how long the closed ones took (open ones excluded)."""
    days = pl.col("days_to_close")
    return base.group_by([*keys, "year", "month"]).agg(
        pl.len().cast(pl.Int64).alias("requests"),
        days.is_not_null().sum().cast(pl.Int64).alias("closed_requests"),
        (pl.col("status") == "Open").sum().cast(pl.Int64).alias("open_requests"),
        days.median().alias("median_days_to_close"),
        days.quantile(0.9, interpolation="linear").alias("p90_days_to_close"),
        days.mean().alias("mean_days_to_close"),
    ).with_columns(pl.date(pl.col("year"), pl.col("month"), 1).alias("month_start"))


def _by_area(base: pl.LazyFrame) -> pl.LazyFrame:
    # Requests without a local area (about a quarter) stay, as their own null group.
    return _days_to_close(base, ["local_area"])


def _by_type(base: pl.LazyFrame) -> pl.LazyFrame:
    return _days_to_close(base, ["department", "service_request_type"])


YEAR = Column("year", "int", "calendar year the request was opened (Vancouver time)")
MONTH = Column("month", "int", "month (1-12) the request was opened (Vancouver time)")
LOCAL_AREA = Column("local_area", "string", "one of Vancouver's 22 local areas; null when not recorded")
DEPARTMENT = Column("department", "string", "department as published, e.g. 'ENG - Sanitation Services'")
REQUEST_TYPE = Column("service_request_type", "string")
SUMMARY = (
    Column("month_start", "date", "first day of the month the requests were opened"),
    Column("requests", "bigint", "requests opened"),
    Column("closed_requests", "bigint", "of those, closed (with a close date)"),
    Column("open_requests", "bigint", "of those, still open"),
    Column("median_days_to_close", "double", "median days to close of the closed requests"),
    Column("p90_days_to_close", "double", "90th percentile (linear interpolation) of days to close"),
    Column("mean_days_to_close", "double", "mean days to close of the closed requests"),
)

BASE = CuratedTable(
    "service_requests",
    "3-1-1 service requests, one row per request, timestamps in UTC",
    (DEPARTMENT, REQUEST_TYPE,
     Column("status", "string", "Open or Closed"),
     Column("closure_reason", "string"),
     Column("opened_at", "timestamp", "when the request was opened, UTC"),
     Column("opened_date", "date", "the local (Vancouver) date the request was opened"),
     Column("closed_date", "date", "the local date it was closed; null while open"),
     Column("days_to_close", "int", "closed_date - opened_date in days; null while open"),
     Column("last_modified_at", "timestamp", "last update, UTC"),
     Column("address", "string", "block-level address; null for about two thirds of requests"),
     LOCAL_AREA,
     Column("channel", "string", "Web, Phone, Mobile App, E-mail, Chat, Social Media, Mail Out or Unknown"),
     Column("latitude", "double"), Column("longitude", "double"),
     Column("request_seq", "int", "1, or 2, 3 … for requests sharing every other key column")),
    (YEAR, MONTH),
    service_requests,
)

AGGREGATES: tuple[CuratedTable, ...] = (
    CuratedTable(
        "service_requests_by_area",
        "service requests and days to close by local area and month opened",
        (LOCAL_AREA, YEAR, MONTH, *SUMMARY),
        (),
        _by_area,
    ),
    CuratedTable(
        "service_requests_by_type",
        "service requests and days to close by department, request type and month opened",
        (DEPARTMENT, REQUEST_TYPE, YEAR, MONTH, *SUMMARY),
        (),
        _by_type,
    ),
)

MODEL = CuratedModel(
    dataset="3-1-1-service-requests",
    base=BASE,
    natural_key=NATURAL_KEY,
    aggregates=AGGREGATES,
)
