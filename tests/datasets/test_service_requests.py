"""`3-1-1-service-requests` end to end on the real 10,000-row API sample: source check, parse,
recipe, landing contract, ruleset, curated base and aggregates, checked against plain-Python
readings of the same file."""

from __future__ import annotations

import csv
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from lakehouse.datasets.readers import parse_source
from lakehouse.datasets.registry import dataset
from lakehouse.datasets.service_requests import CHANNELS, SERVICE_REQUESTS
from lakehouse.datasets.source_check import check_source
from lakehouse.etl.models import model_for
from lakehouse.etl.models.service_requests import MODEL
from lakehouse.prepare import check_landing_contract, run_recipe
from lakehouse.recipes.definitions import dataset_recipe, definition_path
from lakehouse.recipes.model import Recipe
from lakehouse.recipes.rules import RulesetResult, evaluate_ruleset, load_ruleset

FIXTURE = Path(__file__).parents[2] / "lakehouse" / "datasets" / "bundled" / "service-requests_api-sample-10k.csv"
ROWS = 10_000


@dataclass(frozen=True)
class Prepared:
    raw_rows: int
    landing: pl.DataFrame
    rejected: pl.DataFrame


def prepare(source: Path, workdir: Path) -> Prepared:
    parsed = parse_source(check_source(source, SERVICE_REQUESTS), SERVICE_REQUESTS, workdir)
    landing_path, rejected = run_recipe(dataset_recipe(SERVICE_REQUESTS), parsed, SERVICE_REQUESTS, workdir)
    return Prepared(parsed.raw_rows, pl.read_parquet(landing_path), rejected)


def ruleset_result(landing: pl.DataFrame) -> RulesetResult:
    assert SERVICE_REQUESTS.ruleset is not None
    return evaluate_ruleset(load_ruleset(definition_path(SERVICE_REQUESTS.ruleset)), landing)


def step_number(recipe: Recipe, operation: str, source: str | None, condition: str | None = None) -> int:
    """The one step of `operation` on `source` (and, if given, with that first condition)."""
    found = [
        s.number for s in recipe.steps
        if s.operation == operation and s.parameters.get("sourceColumn") == source
        and (condition is None or s.conditions[0].condition == condition)
    ]
    assert len(found) == 1, (operation, source, condition, found)
    return found[0]


def utc(text: str) -> datetime:
    """An ISO timestamp with offset as the naive UTC datetime the landing zone stores."""
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def source_rows() -> list[dict[str, str]]:
    """The sample read independently: the csv module, no project code."""
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepare(FIXTURE, tmp_path_factory.mktemp("service-requests"))


@pytest.fixture(scope="module")
def base(prepared: Prepared) -> pl.DataFrame:
    return MODEL.base.build(prepared.landing.lazy()).collect()


def by_line(frame: pl.DataFrame, line: int) -> dict[str, object]:
    return frame.filter(pl.col("source_line") == line).row(0, named=True)


def test_registered_and_recognised_by_its_api_field_names() -> None:
    assert dataset("3-1-1-service-requests") is SERVICE_REQUESTS
    assert model_for(SERVICE_REQUESTS.portal_id) is MODEL
    layout = check_source(FIXTURE, SERVICE_REQUESTS)
    assert (layout.format, layout.separator, layout.header) == ("csv", ",", "api_ids")


def test_every_row_is_accounted_for(prepared: Prepared, source_rows: list[dict[str, str]]) -> None:
    assert prepared.raw_rows == len(source_rows) == ROWS
    assert prepared.landing.height + prepared.rejected.height == prepared.raw_rows
    assert prepared.rejected.height == 0  # missing addresses and coordinates are not faults


def test_landing_matches_the_contract(prepared: Prepared) -> None:
    check_landing_contract(dataset_recipe(SERVICE_REQUESTS), SERVICE_REQUESTS)
    assert prepared.landing.columns == [name for name, _ in SERVICE_REQUESTS.landing_columns] + ["source_line"]
    assert prepared.landing.schema["opened_at"] == pl.Datetime("us")
    assert prepared.landing.schema["closed_date"] == pl.Date
    assert prepared.landing.schema["latitude"] == pl.Float64
    assert "geom" not in prepared.landing.columns


@pytest.mark.parametrize(("line", "opened_at", "last_modified_at"), [
    (2, datetime(2023, 12, 11, 9, 4), datetime(2024, 1, 2, 20, 58, 48)),  # -08:00
    (84, datetime(2024, 1, 29, 5, 35), datetime(2024, 2, 7, 21, 17, 2)),  # -08:00, next day in UTC
    (2940, datetime(2024, 3, 11, 21, 4, 40), datetime(2024, 3, 18, 18, 1, 9)),  # -07:00
    (3008, datetime(2024, 3, 12, 0, 2), datetime(2024, 3, 13, 17, 26, 59)),  # -07:00, next day in UTC
])
def test_timestamps_are_utc(prepared: Prepared, line: int, opened_at: datetime, last_modified_at: datetime) -> None:
    row = by_line(prepared.landing, line)
    assert (row["opened_at"], row["last_modified_at"]) == (opened_at, last_modified_at)


def test_every_timestamp_and_date_converts(prepared: Prepared, source_rows: list[dict[str, str]]) -> None:
    offsets = Counter(r["service_request_open_timestamp"][-6:] for r in source_rows)
    assert set(offsets) == {"-08:00", "-07:00"}
    for row in prepared.landing.iter_rows(named=True):
        source = source_rows[row["source_line"] - 2]
        assert row["opened_at"] == utc(source["service_request_open_timestamp"])
        assert row["last_modified_at"] == utc(source["last_modified_timestamp"])
        close = source["service_request_close_date"]
        assert row["closed_date"] == (date.fromisoformat(close) if close else None)


def test_status_and_channel_are_normalised(prepared: Prepared, source_rows: list[dict[str, str]]) -> None:
    landing = prepared.landing
    assert dict(Counter(landing["status"])) == {
        "Closed": sum(r["status"] == "Close" for r in source_rows),
        "Open": sum(r["status"] == "Open" for r in source_rows),
    }
    channels = Counter(landing["channel"])
    assert set(channels) <= set(CHANNELS) and "WEB" not in channels
    assert channels["Web"] == sum(r["channel"] == "WEB" for r in source_rows) > 4000
    assert channels["Phone"] == sum(r["channel"] == "Phone" for r in source_rows)
    assert landing.filter(pl.col("status") == "Open")["closed_date"].null_count() == landing["status"].eq("Open").sum()


def test_missing_locations_stay_null(prepared: Prepared, source_rows: list[dict[str, str]]) -> None:
    landing = prepared.landing
    for column, source in (("address", "address"), ("local_area", "local_area"), ("latitude", "latitude"),
                           ("longitude", "longitude")):
        assert landing[column].null_count() == sum(not r[source] for r in source_rows), column
    assert landing["address"].null_count() / ROWS > 0.6
    row = by_line(landing, 67)
    assert (row["address"], row["latitude"], row["longitude"]) == ("606 E HASTINGS ST", 49.28087978863, -123.09127257606)


def test_ruleset_passes(prepared: Prepared) -> None:
    result = ruleset_result(prepared.landing)
    assert result.passed and result.rows == ROWS
    assert {r.name for r in result.rules if r.blocking} == {"has-rows", "no-missing-required-values"}


@pytest.mark.parametrize(("line", "opened_date", "days"), [
    (2, date(2023, 12, 11), 22),
    (84, date(2024, 1, 28), 10),  # the UTC date (29th) would give 9
    (3008, date(2024, 3, 11), 2),  # the UTC date (12th) would give 1
])
def test_days_to_close_on_hand_checked_rows(base: pl.DataFrame, prepared: Prepared, line: int, opened_date: date,
                                            days: int) -> None:
    opened_at = by_line(prepared.landing, line)["opened_at"]
    row = base.filter(pl.col("opened_at") == opened_at).row(0, named=True)
    assert (row["opened_date"], row["days_to_close"]) == (opened_date, days)
    assert (row["year"], row["month"]) == (opened_date.year, opened_date.month)


def test_base_table(base: pl.DataFrame, source_rows: list[dict[str, str]]) -> None:
    assert base.columns == [c.name for c in MODEL.base.all_columns]
    assert base.height == ROWS
    assert not base.select(MODEL.natural_key).is_duplicated().any()
    assert base["request_seq"].value_counts().sort("request_seq").rows() == [(1, 9996), (2, 4)]
    # The local date is the date written in the source (its offset is Vancouver's).
    expected = Counter(
        (r["service_request_open_timestamp"][:10],
         (date.fromisoformat(r["service_request_close_date"]) - date.fromisoformat(r["service_request_open_timestamp"][:10])).days
         if r["service_request_close_date"] else None)
        for r in source_rows
    )
    got = Counter((str(d), n) for d, n in base.select("opened_date", "days_to_close").iter_rows())
    assert got == expected
    assert base.filter(pl.col("status") == "Open")["days_to_close"].null_count() == base["status"].eq("Open").sum()


def _quantile(values: list[int], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), written out."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@pytest.mark.parametrize(("area", "year", "month"), [("Downtown", 2024, 1), ("Kitsilano", 2023, 12), (None, 2024, 2)])
def test_by_area_equals_an_independent_computation(
    base: pl.DataFrame, source_rows: list[dict[str, str]], area: str | None, year: int, month: int
) -> None:
    table = next(t for t in MODEL.aggregates if t.name == "service_requests_by_area")
    by_area = table.build(base.lazy()).collect()
    assert not by_area.select("local_area", "year", "month").is_duplicated().any()
    assert by_area["requests"].sum() == ROWS
    group = [
        r for r in source_rows
        if (r["local_area"] or None) == area and r["service_request_open_timestamp"][:7] == f"{year}-{month:02d}"
    ]
    days = [
        (date.fromisoformat(r["service_request_close_date"]) - date.fromisoformat(r["service_request_open_timestamp"][:10])).days
        for r in group if r["service_request_close_date"]
    ]
    area_match = pl.col("local_area").is_null() if area is None else pl.col("local_area") == area
    row = by_area.filter(area_match & (pl.col("year") == year) & (pl.col("month") == month)).row(0, named=True)
    assert row["requests"] == len(group) > 100
    assert row["open_requests"] == sum(r["status"] == "Open" for r in group)
    assert row["closed_requests"] == len(days)
    assert row["median_days_to_close"] == statistics.median(days)
    assert row["p90_days_to_close"] == pytest.approx(_quantile(days, 0.9))
    assert row["mean_days_to_close"] == pytest.approx(statistics.fmean(days))
    assert row["month_start"] == date(year, month, 1)


def test_by_type_counts_every_request(base: pl.DataFrame, source_rows: list[dict[str, str]]) -> None:
    table = next(t for t in MODEL.aggregates if t.name == "service_requests_by_type")
    by_type = table.build(base.lazy()).collect()
    potholes = by_type.filter(pl.col("service_request_type") == "Pothole Case")["requests"].sum()
    assert potholes == sum(r["service_request_type"] == "Pothole Case" for r in source_rows) > 0
    assert by_type["requests"].sum() == ROWS


# -- a dirty copy of the sample -------------------------------------------------------------

GOOD = "ENG - Streets Operations,Pothole Case,Close,Service provided,2024-07-10T09:00:00-07:00,2024-07-12,"
DIRTY = [
    ",Pothole Case,Close,Service provided,2024-07-10T09:00:00-07:00,2024-07-12,2024-07-12T10:00:00-07:00,,,Phone,,,",
    "ENG - Streets Operations,,Close,Service provided,2024-07-10T09:00:00-07:00,2024-07-12,"
    "2024-07-12T10:00:00-07:00,,,Phone,,,",
    "ENG - Streets Operations,Pothole Case,Open,N/A,,,2024-07-12T10:00:00-07:00,,,Phone,,,",
    f"{GOOD.replace('-07:00,', ',', 1)}2024-07-12T10:00:00-07:00,,,Phone,,,",  # opened without an offset
    "ENG - Streets Operations,Pothole Case,Close,Service provided,2024-07-10T09:00:00-07:00,2024-13-45,"
    "2024-07-12T10:00:00-07:00,,,Phone,,,",  # impossible close date
    f"{GOOD}2024-07-12T10:00:00-07:00,1 MAIN ST,Strathcona,Phone,north,-123.1,",  # latitude not a number
    f'{GOOD}2024-07-12T11:00:00-07:00,"  ",,web,,,',  # lower-case channel, blank address: kept
    f"{GOOD}2024-07-12T12:00:00-07:00,,Downtown,Kiosk,,,",  # unknown channel: kept as written
    '"  ENG - Streets Operations  ",Pothole Case,OPEN,N/A,2024-07-11T23:30:00-07:00,,'
    "2024-07-12T10:00:00-07:00,,Downtown,PHONE,,,",  # padded, upper case, opened late evening: kept
    f"{GOOD}2024-07-12T13:00:00-07:00,,,Phone,,,,extra",  # a field too many
    "department,service_request_type,status,closure_reason,service_request_open_timestamp,"
    "service_request_close_date,last_modified_timestamp,address,local_area,channel,latitude,longitude,geom",
    f"{GOOD}2024-07-12T14:00:00-07:00,,,Phone,,,",  # valid ...
    f"{GOOD}2024-07-12T14:00:00-07:00,,,Phone,,,",  # ... and its exact repeat
    f"{GOOD}2024-07-12T15:00:00+07:00,,,Phone,,,",  # a far-away offset is still converted
]


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    workdir = tmp_path_factory.mktemp("service-requests-dirty")
    source = workdir / "sample.csv"
    source.write_bytes(FIXTURE.read_bytes() + ("\n".join(DIRTY) + "\n").encode())
    return prepare(source, workdir)


def test_dirty_lines_are_rejected_by_the_right_step(dirty: Prepared) -> None:
    recipe = dataset_recipe(SERVICE_REQUESTS)
    first = ROWS + 2
    expected = {
        first: ("REMOVE_MISSING", step_number(recipe, "REMOVE_MISSING", "Department"), "missing value in Department"),
        first + 1: ("REMOVE_MISSING", step_number(recipe, "REMOVE_MISSING", "Service request type"),
                    "missing value in Service request type"),
        first + 2: ("REMOVE_MISSING", step_number(recipe, "REMOVE_MISSING", "Service request open timestamp"),
                    "missing value in Service request open timestamp"),
        first + 3: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "Service request open timestamp"),
                    "opened_at matched IS_MISSING"),
        first + 4: ("REMOVE_VALUES", step_number(recipe, "REMOVE_VALUES", "Service request close date"),
                    "closed_date matched IS_MISSING and close_date_blank matched IS"),
        first + 5: ("REMOVE_INVALID", step_number(recipe, "REMOVE_INVALID", "Latitude"), "invalid number in Latitude"),
        first + 9: ("PARSE", 0, "too many fields"),
        first + 10: ("REMOVE_VALUES", 1, "Department matched IS"),
        first + 12: ("DELETE_DUPLICATE_ROWS", step_number(recipe, "DELETE_DUPLICATE_ROWS", None), "duplicate"),
    }
    got = {row["source_line"]: row for row in dirty.rejected.iter_rows(named=True)}
    assert set(got) == set(expected)
    for line, (operation, step, reason) in expected.items():
        assert (got[line]["operation"], got[line]["step"]) == (operation, step), line
        assert reason in got[line]["reason"], (line, got[line]["reason"])


def test_dirty_copy_reconciles_and_repairs_what_it_keeps(dirty: Prepared) -> None:
    assert dirty.raw_rows == ROWS + len(DIRTY)
    assert dirty.landing.height + dirty.rejected.height == dirty.raw_rows == dirty.landing.height + 9
    first = ROWS + 2
    web, kiosk, padded = (by_line(dirty.landing, first + n) for n in (6, 7, 8))
    assert (web["channel"], web["status"], web["address"], web["local_area"]) == ("Web", "Closed", None, None)
    assert kiosk["channel"] == "Kiosk"
    assert (padded["department"], padded["status"], padded["channel"]) == ("ENG - Streets Operations", "Open", "Phone")
    assert padded["opened_at"] == datetime(2024, 7, 12, 6, 30)
    assert by_line(dirty.landing, first + 13)["last_modified_at"] == datetime(2024, 7, 12, 8, 0)
    result = ruleset_result(dirty.landing)
    assert result.passed  # the unknown channel is 1 row in 10,005: under the 1% the rule allows
    base = MODEL.base.build(dirty.landing.lazy()).collect()
    late = base.filter(pl.col("opened_at") == datetime(2024, 7, 12, 6, 30)).row(0, named=True)
    assert (late["opened_date"], late["days_to_close"], late["month"]) == (date(2024, 7, 11), None, 7)
