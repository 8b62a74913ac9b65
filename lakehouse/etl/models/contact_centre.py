"""The curated model of `3-1-1-contact-centre-metrics`: `contact_centre_daily` and the monthly
and yearly figures behind a "service level and speed of answer" dashboard page.

Daily averages cannot simply be averaged: a month's speed of answer is each day's
average weighted by the calls handled that day (the calls it averages over). Service
level is reported both ways, since the portal publishes only the daily fraction and not
the calls behind it (offered or handled, by an undocumented threshold).
"""

from __future__ import annotations

import polars as pl

from lakehouse.etl.tables import Column, CuratedModel, CuratedTable

MEASURES = ("call_date", "calls_offered", "calls_handled", "calls_abandoned", "avg_speed_of_answer_s", "service_level")


def contact_centre_daily(landing: pl.LazyFrame) -> pl.LazyFrame:
    """One row per day. The recipe already rejects a second row for a date; keeping the
    first here too makes the natural key hold whatever the landing holds."""
    return (
        landing.select(MEASURES)
        .unique(subset=["call_date"], keep="first", maintain_order=True)
        .with_columns(pl.col("call_date").dt.year().cast(pl.Int32).alias("year"))
    )


def _summary(daily: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Sums, rates and call-weighted averages of the days in each group."""
    handled = pl.col("calls_handled")
    answered_days = pl.col("avg_speed_of_answer_s").is_not_null() & (handled > 0)
    weighted_speed = (pl.col("avg_speed_of_answer_s") * handled).filter(answered_days).sum()
    return daily.group_by(keys).agg(
        pl.len().cast(pl.Int32).alias("days"),
        pl.col("calls_offered").sum(),
        handled.sum(),
        pl.col("calls_abandoned").sum(),
        # Offered calls neither handled nor abandoned (transfers, overflow): real, published
        # gaps of -16 … +1,184 a day, shown rather than hidden.
        (pl.col("calls_offered") - handled - pl.col("calls_abandoned")).sum().alias("calls_unaccounted"),
        (pl.col("calls_abandoned").sum() / pl.col("calls_offered").sum()).alias("abandonment_rate"),
        (weighted_speed / handled.filter(answered_days).sum()).alias("avg_speed_of_answer_s"),
        pl.col("service_level").mean().alias("mean_service_level"),
        ((pl.col("service_level") * pl.col("calls_offered")).sum() / pl.col("calls_offered").sum())
        .alias("service_level_weighted"),
        pl.col("service_level").min().alias("worst_day_service_level"),
    )


def _monthly(daily: pl.LazyFrame) -> pl.LazyFrame:
    month_start = pl.col("call_date").dt.month_start().alias("month_start")
    return _summary(daily.with_columns(month_start), ["month_start", "year"]).with_columns(
        (pl.col("days") == pl.col("month_start").dt.days_in_month().cast(pl.Int32)).alias("complete")
    )


def _yearly(daily: pl.LazyFrame) -> pl.LazyFrame:
    return _summary(daily, ["year"]).with_columns(
        (pl.col("days") == pl.date(pl.col("year"), 12, 31).dt.ordinal_day().cast(pl.Int32)).alias("complete")
    )


YEAR = Column("year", "int", "calendar year of call_date")
CALL_DATE = Column("call_date", "date", "the day (Vancouver time) the figures cover")
COUNTS = (
    Column("calls_offered", "bigint", "calls that reached the 3-1-1 queue"),
    Column("calls_handled", "bigint", "calls answered by an agent"),
    Column("calls_abandoned", "bigint", "callers who hung up before an answer"),
)
SUMMARY = (
    Column("days", "int", "days with figures (two days are missing from the source)"),
    *COUNTS,
    Column("calls_unaccounted", "bigint", "offered - handled - abandoned; the source does not always balance"),
    Column("abandonment_rate", "double", "calls abandoned / calls offered"),
    Column("avg_speed_of_answer_s", "double", "seconds to answer, daily averages weighted by calls handled"),
    Column("mean_service_level", "double", "mean of the daily service levels (fraction 0-1)"),
    Column("service_level_weighted", "double", "daily service levels weighted by calls offered"),
    Column("worst_day_service_level", "double", "lowest daily service level"),
    Column("complete", "boolean", "every calendar day of the period has figures"),
)

BASE = CuratedTable(
    "contact_centre_daily",
    "3-1-1 contact centre calls, speed of answer and service level by day",
    (CALL_DATE, *COUNTS,
     Column("avg_speed_of_answer_s", "double", "average seconds to answer a handled call"),
     Column("service_level", "double", "fraction of calls answered within the service-level target")),
    (YEAR,),
    contact_centre_daily,
)

AGGREGATES: tuple[CuratedTable, ...] = (
    CuratedTable(
        "contact_centre_monthly",
        "3-1-1 contact centre figures by month: volumes, abandonment, speed of answer, service level",
        (Column("month_start", "date", "first day of the month"), YEAR, *SUMMARY),
        (),
        _monthly,
    ),
    CuratedTable(
        "contact_centre_yearly",
        "3-1-1 contact centre figures by year",
        (YEAR, *SUMMARY),
        (),
        _yearly,
    ),
)

MODEL = CuratedModel(
    dataset="3-1-1-contact-centre-metrics",
    base=BASE,
    # The export's own key: one row per day. BI_ID is renumbered on every refresh.
    natural_key=("call_date",),
    aggregates=AGGREGATES,
)
