"""The curated model of `3-1-1-inquiry-volume`: `inquiry_volume` (the architecture's
contract) and the aggregates that answer the city's questions.

Every aggregate is built from `inquiry_volume` at a grain no finer than its own, so a
join between aggregates can never multiply rows (a defect of the original project).
"""

from __future__ import annotations

import polars as pl

from lakehouse.etl.tables import Column, CuratedModel, CuratedTable

_DEPARTMENT_CODE = r"^([A-Z0-9]{2,6}) - "


def inquiry_volume(landing: pl.LazyFrame) -> pl.LazyFrame:
    """One row per department, inquiry type, channel and month (rows sharing a key are summed)."""
    return (
        landing.group_by("department", "inquiry_type", "channel", "month_start")
        .agg(pl.col("inquiries").sum().cast(pl.Int64))
        .with_columns(
            pl.col("department").str.extract(_DEPARTMENT_CODE, 1).alias("department_code"),
            pl.col("month_start").dt.year().cast(pl.Int32).alias("year"),
        )
    )


def _department_monthly(volume: pl.LazyFrame) -> pl.LazyFrame:
    return volume.group_by("department", "department_code", "month_start", "year").agg(
        pl.col("inquiries").sum()
    )


def _monthly_volume(volume: pl.LazyFrame) -> pl.LazyFrame:
    return volume.group_by("month_start", "year").agg(
        pl.col("inquiries").sum(),
        pl.col("department").n_unique().cast(pl.Int64).alias("departments"),
    )


def _channel_monthly(volume: pl.LazyFrame) -> pl.LazyFrame:
    return volume.group_by("channel", "month_start", "year").agg(pl.col("inquiries").sum())


def _yearly_volume(volume: pl.LazyFrame) -> pl.LazyFrame:
    return volume.group_by("year").agg(
        pl.col("inquiries").sum(),
        pl.col("month_start").n_unique().cast(pl.Int32).alias("months"),
        pl.col("month_start").min().alias("first_month"),
        pl.col("month_start").max().alias("last_month"),
        pl.col("department").n_unique().cast(pl.Int64).alias("departments"),
    ).with_columns((pl.col("months") == 12).alias("complete"))


def _department_yearly(volume: pl.LazyFrame) -> pl.LazyFrame:
    per_department = volume.group_by("department", "department_code", "year").agg(pl.col("inquiries").sum())
    year_total = pl.col("inquiries").sum().over("year")
    return per_department.with_columns(
        (pl.col("inquiries") * 100.0 / year_total).alias("share_pct"),
        pl.col("inquiries").rank("min", descending=True).over("year").cast(pl.Int32).alias("rank"),
    )


def _department_year_over_year(volume: pl.LazyFrame) -> pl.LazyFrame:
    """Each department-year against the same department's previous calendar year."""
    yearly = volume.group_by("department", "department_code", "year").agg(pl.col("inquiries").sum())
    previous = yearly.select(
        "department", (pl.col("year") + 1).alias("year"), pl.col("inquiries").alias("previous_year_inquiries")
    )
    return yearly.join(previous, on=["department", "year"], how="left").with_columns(
        (pl.col("inquiries") - pl.col("previous_year_inquiries")).alias("change"),
        ((pl.col("inquiries") - pl.col("previous_year_inquiries")) * 100.0 / pl.col("previous_year_inquiries"))
        .round(2).alias("change_pct"),
    )


YEAR = Column("year", "int", "calendar year of month_start")
DEPARTMENT = Column("department", "string", "department as published, e.g. 'ENG - Sanitation Services'")
DEPARTMENT_CODE = Column("department_code", "string", "prefix of the department name (ENG, DBL, ...); null without one")
MONTH_START = Column("month_start", "date", "first day of the month")
INQUIRIES = Column("inquiries", "bigint", "number of inquiries")

BASE = CuratedTable(
    "inquiry_volume",
    "3-1-1 inquiries by department, inquiry type, channel and month",
    (DEPARTMENT, DEPARTMENT_CODE, Column("inquiry_type", "string"), Column("channel", "string"),
     MONTH_START, INQUIRIES),
    (YEAR,),
    inquiry_volume,
)

AGGREGATES: tuple[CuratedTable, ...] = (
    CuratedTable(
        "department_monthly",
        "inquiries by department and month",
        (DEPARTMENT, DEPARTMENT_CODE, MONTH_START, INQUIRIES),
        (YEAR,),
        _department_monthly,
    ),
    CuratedTable(
        "monthly_volume",
        "inquiries by month, all departments",
        (MONTH_START, YEAR, INQUIRIES, Column("departments", "bigint", "departments with inquiries")),
        (),
        _monthly_volume,
    ),
    CuratedTable(
        "channel_monthly",
        "inquiries by channel and month",
        (Column("channel", "string"), MONTH_START, YEAR, INQUIRIES),
        (),
        _channel_monthly,
    ),
    CuratedTable(
        "yearly_volume",
        "inquiries by year, with the months of data each year holds",
        (YEAR, INQUIRIES, Column("months", "int", "months with data"), Column("first_month", "date"),
         Column("last_month", "date"), Column("departments", "bigint"),
         Column("complete", "boolean", "all twelve months present")),
        (),
        _yearly_volume,
    ),
    CuratedTable(
        "department_yearly",
        "inquiries by department and year, with the department's share and rank in that year",
        (DEPARTMENT, DEPARTMENT_CODE, YEAR, INQUIRIES, Column("share_pct", "double", "percent of the year's inquiries"),
         Column("rank", "int", "1 = most inquiries that year")),
        (),
        _department_yearly,
    ),
    CuratedTable(
        "department_year_over_year",
        "inquiries by department and year against the department's previous year",
        (DEPARTMENT, DEPARTMENT_CODE, YEAR, INQUIRIES,
         Column("previous_year_inquiries", "bigint", "null when the department had none the year before"),
         Column("change", "bigint"), Column("change_pct", "double", "percent change from the previous year")),
        (),
        _department_year_over_year,
    ),
)

MODEL = CuratedModel(
    dataset="3-1-1-inquiry-volume",
    base=BASE,
    natural_key=("department", "inquiry_type", "channel", "month_start"),
    aggregates=AGGREGATES,
    summed=("inquiries",),  # inquiry_volume() sums inquiries by the natural key and reads nothing else
)
