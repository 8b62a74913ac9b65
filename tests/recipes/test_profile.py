"""profile_frame: hand-computed statistics on small frames, edge cases, JobSample, and 1M rows column by column."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import polars as pl
import pytest
from rich.console import Console

from lakehouse.recipes.profile import FULL_DATASET, JobSample, missing_mask, profile_frame, render_profile


def column(profile: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in profile["columns"] if c["name"] == name)


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    frame = pl.DataFrame(
        {
            "n": [1, 2, 2, None, 5],
            "f": [1.5, float("nan"), None, 2.5, 3.0],
            "s": ["x", "y", "x", None, ""],
            "d": [date(2024, 1, 1), None, date(2023, 5, 1), date(2024, 1, 1), None],
            "ts": [datetime(2024, 1, 1, 8, 30), None, None, None, datetime(2023, 1, 1)],
            "b": [True, False, None, True, True],
            "nothing": [None] * 5,
            "empty_text": pl.Series([None, "", None, "", None], dtype=pl.String),
        }
    )
    return profile_frame(frame)


def test_dataset_level(small: dict[str, Any]) -> None:
    assert small["rowsCount"] == 5
    assert small["columnsCount"] == 8
    assert small["duplicateRowsCount"] == 0
    assert [c["name"] for c in small["columns"]] == ["n", "f", "s", "d", "ts", "b", "nothing", "empty_text"]


def test_integer_column(small: dict[str, Any]) -> None:
    n = column(small, "n")
    assert n["type"] == "Int64" and n["inferredType"] == "integer"
    assert (n["valuesCount"], n["missingValuesCount"], n["missingValuesPercentage"]) == (4, 1, 20.0)
    assert (n["distinctValuesCount"], n["uniqueValuesCount"]) == (3, 2)
    assert (n["min"], n["max"], n["mean"], n["median"]) == (1, 5, 2.5, 2.0)
    assert n["standardDeviation"] == pytest.approx(math.sqrt(3))  # deviations -1.5,-.5,-.5,2.5 → 9/3
    assert n["mostCommonValues"] == [{"value": 2, "count": 2}, {"value": 1, "count": 1}, {"value": 5, "count": 1}]
    assert n["stringLength"] is None


def test_float_nan_counts_as_missing(small: dict[str, Any]) -> None:
    f = column(small, "f")
    assert (f["missingValuesCount"], f["valuesCount"]) == (2, 3)
    assert (f["min"], f["max"], f["median"]) == (1.5, 3.0, 2.5)
    assert f["mean"] == pytest.approx(7 / 3)


def test_text_column_empty_string_is_missing(small: dict[str, Any]) -> None:
    s = column(small, "s")
    assert s["inferredType"] == "string"
    assert (s["missingValuesCount"], s["missingValuesPercentage"]) == (2, 40.0)
    assert (s["distinctValuesCount"], s["uniqueValuesCount"]) == (2, 1)
    assert s["stringLength"] == {"min": 1, "mean": 1.0, "max": 1}
    assert s["min"] is None and s["mean"] is None  # plain text has no numeric statistics
    assert s["mostCommonValues"] == [{"value": "x", "count": 2}, {"value": "y", "count": 1}]


def test_dates_and_timestamps_are_iso(small: dict[str, Any]) -> None:
    d, ts = column(small, "d"), column(small, "ts")
    assert (d["inferredType"], d["min"], d["max"]) == ("date", "2023-05-01", "2024-01-01")
    assert d["mean"] is None
    assert d["mostCommonValues"][0] == {"value": "2024-01-01", "count": 2}
    assert (ts["inferredType"], ts["min"], ts["max"]) == ("timestamp", "2023-01-01T00:00:00", "2024-01-01T08:30:00")


def test_boolean_column(small: dict[str, Any]) -> None:
    b = column(small, "b")
    assert (b["inferredType"], b["missingValuesCount"], b["distinctValuesCount"]) == ("boolean", 1, 2)
    assert b["mostCommonValues"] == [{"value": True, "count": 3}, {"value": False, "count": 1}]
    assert b["min"] is None


def test_all_null_columns(small: dict[str, Any]) -> None:
    for name in ("nothing", "empty_text"):
        c = column(small, name)
        assert (c["valuesCount"], c["missingValuesCount"], c["missingValuesPercentage"]) == (0, 5, 100.0)
        assert (c["distinctValuesCount"], c["mostCommonValues"], c["min"]) == (0, [], None)
    assert column(small, "nothing")["inferredType"] == "null"
    assert column(small, "empty_text")["inferredType"] == "string"  # nothing to infer from


def test_result_is_plain_json(small: dict[str, Any]) -> None:
    assert json.loads(json.dumps(small, allow_nan=False)) == small


@pytest.mark.parametrize(
    ("values", "inferred", "low", "high"),
    [
        (["1", " 22 ", "-3", None, ""], "integer", -3, 22),
        (["1.5", "2", "1e3", ".5"], "double", 0.5, 1000.0),
        (["true", "FALSE", " True "], "boolean", None, None),
        (["2024-03-01", "2023-12-31", "2024-01-15"], "date", "2023-12-31", "2024-03-01"),
        (["2024-03-01T10:00:00", "2024-03-01 09:00", "2023-01-01T00:00:00Z"], "timestamp", "2023-01-01T00:00:00Z", "2024-03-01T10:00:00"),
        (["1", "2", "three"], "string", None, None),
        (["2024-13-45"], "date", "2024-13-45", "2024-13-45"),  # the shape, not the calendar, decides
    ],
)
def test_text_type_inference(values: list[str | None], inferred: str, low: Any, high: Any) -> None:
    c = profile_frame(pl.DataFrame({"v": pl.Series(values, dtype=pl.String)}))["columns"][0]
    assert c["type"] == "String"
    assert (c["inferredType"], c["min"], c["max"]) == (inferred, low, high)


def test_numeric_looking_text_gets_numeric_statistics() -> None:
    c = profile_frame(pl.DataFrame({"v": ["10", "20", "30", "40"]}))["columns"][0]
    assert (c["min"], c["max"], c["mean"], c["median"]) == (10, 40, 25.0, 25.0)
    assert c["standardDeviation"] == pytest.approx(12.909944, rel=1e-6)
    assert c["stringLength"] == {"min": 2, "mean": 2.0, "max": 2}


def test_top_n_and_tie_order() -> None:
    frame = pl.DataFrame({"v": ["b", "a", "c", "a", "b", "d"]})
    c = profile_frame(frame, top_n=2)["columns"][0]
    assert c["mostCommonValues"] == [{"value": "a", "count": 2}, {"value": "b", "count": 2}]


def test_duplicate_rows() -> None:
    frame = pl.DataFrame({"a": [1, 1, 1, 2, None, None], "b": ["x", "x", "x", "y", None, None]})
    profile = profile_frame(frame)
    assert (profile["duplicateRowsCount"], profile["duplicateRowsPercentage"]) == (3, 50.0)


def test_empty_frames() -> None:
    empty = profile_frame(pl.DataFrame({"a": pl.Series([], dtype=pl.Int64), "s": pl.Series([], dtype=pl.String)}))
    assert (empty["rowsCount"], empty["columnsCount"], empty["duplicateRowsCount"]) == (0, 2, 0)
    a = column(empty, "a")
    assert (a["valuesCount"], a["missingValuesPercentage"], a["mean"], a["mostCommonValues"]) == (0, 0.0, None, [])
    assert profile_frame(pl.DataFrame()) == {
        "rowsCount": 0, "sample": {"mode": "CUSTOM_ROWS", "size": 20_000, "rowsProfiled": 0, "totalRows": 0},
        "columnsCount": 0, "duplicateRowsCount": 0, "duplicateRowsPercentage": 0.0, "columns": [],
    }


def test_categorical_and_nested_columns() -> None:
    frame = pl.DataFrame(
        {"c": pl.Series(["p", "q", "p", None], dtype=pl.Categorical), "l": [[1], None, [2, 3], [1]]}
    )
    profile = profile_frame(frame)
    c, nested = column(profile, "c"), column(profile, "l")
    assert (c["inferredType"], c["distinctValuesCount"], c["mostCommonValues"][0]) == ("string", 2, {"value": "p", "count": 2})
    assert (nested["inferredType"], nested["missingValuesCount"], nested["distinctValuesCount"]) == ("complex", 1, None)


def test_missing_mask_matches_databrew_definition() -> None:
    frame = pl.DataFrame({"s": ["", " ", None, "a"], "f": [float("nan"), 0.0, None, 1.0]})
    masks = frame.select(missing_mask("s", pl.String()), missing_mask("f", pl.Float64()))
    assert masks["s"].to_list() == [True, False, True, False]  # whitespace is a value
    assert masks["f"].to_list() == [True, False, True, False]


def test_million_rows_full_dataset_one_column_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = 1_000_000
    frame = (
        pl.LazyFrame({"i": pl.int_range(0, rows, eager=True)})
        .with_columns(
            (pl.col("i") % 100).alias("bucket"),
            pl.when(pl.col("i") % 10 == 0).then(None).otherwise((pl.col("i") % 7).cast(pl.String)).alias("text"),
            (pl.date(2020, 1, 1) + pl.duration(days=pl.col("i") % 366)).alias("day"),
        )
        .collect()
    )
    projected: list[str] = []
    original = pl.LazyFrame.collect

    def recording(self: pl.LazyFrame, *args: Any, **kwargs: Any) -> Any:
        projected.append(self.explain())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", recording)
    profile = profile_frame(frame.lazy(), sample=JobSample(FULL_DATASET, None))
    # Each column's statistics come from two queries that read that column alone (its value counts,
    # then the rest), so a FULL_DATASET profile holds one column at a time, never the whole frame.
    statistics = projected[1:9]  # after the row count (0 columns read), before the duplicate check
    assert all("1/4 COLUMNS" in plan for plan in statistics)
    names = ("i", "bucket", "text", "day")
    assert [name for plan in statistics for name in names if f'PROJECT["{name}"]' in plan] == [
        name for name in names for _ in range(2)
    ]
    assert "0/4 COLUMNS" in projected[0]
    assert profile["rowsCount"] == rows and profile["duplicateRowsCount"] == 0
    assert profile["sample"] == {"mode": FULL_DATASET, "size": None, "rowsProfiled": rows, "totalRows": rows}
    i, bucket, text, day = (column(profile, n) for n in ("i", "bucket", "text", "day"))
    assert (i["min"], i["max"], i["mean"], i["distinctValuesCount"]) == (0, rows - 1, (rows - 1) / 2, rows)
    assert (bucket["distinctValuesCount"], bucket["mostCommonValues"][0]) == (100, {"value": 0, "count": 10_000})
    assert (text["inferredType"], text["missingValuesCount"], text["min"], text["max"]) == ("integer", 100_000, 0, 6)
    assert (day["min"], day["max"]) == ("2020-01-01", "2020-12-31")


def test_default_sample_is_databrews_first_20000_rows(tmp_path: Any) -> None:
    rows = 50_000
    path = tmp_path / "wide.parquet"
    pl.DataFrame({"i": pl.int_range(0, rows, eager=True), "s": ["a", "b"] * (rows // 2)}).write_parquet(path)
    profile = profile_frame(pl.scan_parquet(path))
    assert profile["sample"] == {"mode": "CUSTOM_ROWS", "size": 20_000, "rowsProfiled": 20_000, "totalRows": rows}
    i = column(profile, "i")
    assert (profile["rowsCount"], i["valuesCount"], i["min"], i["max"]) == (20_000, 20_000, 0, 19_999)
    assert column(profile, "s")["mostCommonValues"] == [{"value": "a", "count": 10_000}, {"value": "b", "count": 10_000}]


def test_custom_rows_size_and_duplicates_within_the_sample() -> None:
    frame = pl.DataFrame({"v": [1, 1, 2, 3, 3, 3]})
    profile = profile_frame(frame, sample=JobSample.from_document({"Mode": "CUSTOM_ROWS", "Size": 3}))
    assert (profile["rowsCount"], profile["duplicateRowsCount"]) == (3, 1)  # rows 1, 1, 2
    assert profile["sample"] == {"mode": "CUSTOM_ROWS", "size": 3, "rowsProfiled": 3, "totalRows": 6}
    assert column(profile, "v")["max"] == 2
    larger = profile_frame(frame, sample=JobSample(size=100))  # a Size past the end profiles every row
    assert (larger["rowsCount"], larger["duplicateRowsCount"], larger["sample"]["totalRows"]) == (6, 3, 6)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (None, JobSample("CUSTOM_ROWS", 20_000)),
        ({}, JobSample("CUSTOM_ROWS", 20_000)),
        ({"Mode": "CUSTOM_ROWS"}, JobSample("CUSTOM_ROWS", 20_000)),
        ({"Mode": "FULL_DATASET"}, JobSample("FULL_DATASET", None)),
        ({"Mode": "FULL_DATASET", "Size": 5}, JobSample("FULL_DATASET", None)),  # Size only counts for CUSTOM_ROWS
        ({"Size": 7}, JobSample("CUSTOM_ROWS", 7)),
    ],
)
def test_job_sample_documents_and_defaults(document: dict[str, Any] | None, expected: JobSample) -> None:
    assert JobSample.from_document(document) == expected


@pytest.mark.parametrize(
    ("document", "field"),
    [({"Mode": "RANDOM"}, "JobSample.Mode"), ({"Mode": "CUSTOM_ROWS", "Size": 0}, "JobSample.Size"),
     ({"Size": "20"}, "JobSample.Size"), ({"Size": 2**63}, "JobSample.Size"), ({"Rows": 5}, "JobSample")],
)
def test_bad_job_sample_names_the_field(document: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        JobSample.from_document(document)


def test_render_profile_prints_columns_and_top_values(small: dict[str, Any]) -> None:
    console = Console(record=True, width=200)
    render_profile(small, console)
    text = console.export_text()
    assert "5 rows × 8 columns" in text
    assert "JobSample CUSTOM_ROWS: the first 5 rows of 5" in text
    assert "Column statistics" in text and "Most common values" in text
    assert "1 (20.0%)" in text  # n's missing count and percentage
    assert "'x' (2)" in text and "2023-05-01" in text


def test_a_column_named_count_keeps_its_value_counts() -> None:
    profile = profile_frame(pl.DataFrame({"count": [3, 3, 4], "v": ["a", "b", "b"]}))
    assert column(profile, "count")["mostCommonValues"] == [{"value": 3, "count": 2}, {"value": 4, "count": 1}]
    assert (column(profile, "count")["distinctValuesCount"], column(profile, "count")["uniqueValuesCount"]) == (2, 1)
