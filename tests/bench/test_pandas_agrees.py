"""The pandas pipeline computes what the lakehouse does, so timing the two against each other is fair."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas", reason="the pandas system needs the bench extra: pip install -e '.[bench]'")

from lakehouse import pipeline  # noqa: E402
from lakehouse.bench import pandas_pipeline  # noqa: E402
from lakehouse.bench.compare import differences  # noqa: E402
from lakehouse.config import load_settings  # noqa: E402
from lakehouse.datasets.registry import dataset  # noqa: E402
from lakehouse.datasets.sample import write_sample  # noqa: E402
from lakehouse.platform import Platform  # noqa: E402

ROWS = 20_000
TABLES = ("inquiry_volume", "department_monthly", "monthly_volume", "channel_monthly", "yearly_volume",
          "department_yearly", "department_year_over_year")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Platform, pipeline.RunReport, dict, dict, object]:
    folder = tmp_path_factory.mktemp("agree")
    sample = write_sample(folder / "export.csv", rows=ROWS, seed=5, dirty=True, end_month="2024-12").path
    platform = Platform(load_settings({"home": str(folder / "home")}, environ={}))
    report = pipeline.run(platform, dataset("3-1-1-inquiry-volume"), source=str(sample))
    cleaned = pandas_pipeline.clean(sample)
    tables = pandas_pipeline.curate(cleaned.landing)
    return platform, report, tables, pandas_pipeline.answers(tables), cleaned


def test_same_landing_and_rejected_counts(both: tuple) -> None:
    _, report, _, _, cleaned = both
    assert report.landing.rejected_rows > 0  # the sample is dirty: the comparison covers the rejections
    assert (len(cleaned.landing), len(cleaned.rejected)) == (report.landing.landing_rows, report.landing.rejected_rows)


@pytest.mark.parametrize("table", TABLES)
def test_same_curated_tables(both: tuple, table: str) -> None:
    platform, _, tables, _, _ = both
    lakehouse = platform.engine.run_query(f"SELECT * FROM {table}")  # noqa: S608 - names from the list above
    frame = tables[table][lakehouse.columns]
    mine = sorted((_canonical(row) for row in lakehouse.rows), key=_order)
    theirs = sorted((_canonical(row) for row in frame.astype(object).itertuples(index=False, name=None)), key=_order)
    assert len(mine) == len(theirs) > 0
    assert mine == theirs


def test_same_answers_to_the_saved_queries(both: tuple) -> None:
    _, report, _, answers, _ = both
    lakehouse = {a.query.name: {"columns": a.result.columns, "rows": [list(r) for r in a.result.rows]}
                 for a in report.answers}
    assert set(lakehouse) == {"monthly_trend", "top_departments", "volume_by_year", "year_comparison"}
    assert differences(lakehouse, answers) == []
    # The check can fail: one changed figure is a difference.
    changed = {**answers, "top_departments": {**answers["top_departments"], "rows": [
        [row[0], row[1], row[2] + 1, row[3]] for row in answers["top_departments"]["rows"]]}}
    assert differences(lakehouse, changed) == [
        f"top_departments: row 1 {changed['top_departments']['rows'][0]} != {lakehouse['top_departments']['rows'][0]}"]


def _order(row: tuple) -> tuple:
    return tuple((value is None, str(value)) for value in row)


def _canonical(row: tuple) -> tuple:
    """Values in one representation: dates as ISO text, missing as None, floats to 9 significant digits."""
    values = []
    for value in row:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            values.append(None)
        elif hasattr(value, "isoformat"):
            values.append(value.isoformat()[:10])
        elif isinstance(value, float):
            values.append(float(f"{value:.9g}"))
        elif isinstance(value, bool):
            values.append(value)
        elif isinstance(value, int):
            values.append(int(value))
        else:
            values.append(str(value))
    return tuple(values)
