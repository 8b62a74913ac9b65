"""Folding a landing source by its natural key in DuckDB before the model's Polars build:
same base table as building from the raw landing rows, identifiers quoted, bad models refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lakehouse.errors import ConfigError
from lakehouse.etl.fold import fold_landing
from lakehouse.etl.jobspec import TableLayout
from lakehouse.etl.models import inquiry_volume
from lakehouse.etl.snapshots import typed
from lakehouse.etl.tables import Column, CuratedModel, CuratedTable

DEPARTMENTS = ["ENG - Sanitation Services", "FSC - Property Tax", "311 Contact Centre", "Mayor's Office"]
TYPES = ["Missed Pickup", "Balance Inquiry", "Noise", "Graffiti"]
CHANNELS = ["Phone", "Chat", "Web", None]


def landing_rows(rows: int, seed: int) -> pl.DataFrame:
    """Landing rows whose natural keys repeat (and one key column is sometimes null)."""
    rng = np.random.default_rng(seed)
    months = [date(2019 + m // 12, m % 12 + 1, 1) for m in range(60)]
    return pl.DataFrame({
        "department": [DEPARTMENTS[i] for i in rng.integers(0, len(DEPARTMENTS), rows)],
        "inquiry_type": [TYPES[i] for i in rng.integers(0, len(TYPES), rows)],
        "channel": [CHANNELS[i] for i in rng.integers(0, len(CHANNELS), rows)],
        "month_start": [months[i] for i in rng.integers(0, len(months), rows)],
        "inquiries": rng.integers(1, 500, rows),
        "source_line": np.arange(2, rows + 2),
    })


def test_folded_landing_builds_the_same_inquiry_volume(tmp_path: Path) -> None:
    landing = tmp_path / "landing.parquet"
    landing_rows(20_000, seed=4).write_parquet(landing, row_group_size=3_000)  # several row groups
    model = inquiry_volume.MODEL
    layout = TableLayout(model.base, model.base.partition_keys)

    folded = fold_landing(landing, model, tmp_path).collect()
    assert folded.height < 20_000 // 4  # the keys do repeat, so folding is exercised
    assert folded["inquiries"].sum() == pl.read_parquet(landing)["inquiries"].sum()
    from_folded = typed(layout, model.base.build(folded.lazy())).collect()
    from_landing = typed(layout, model.base.build(pl.scan_parquet(landing))).collect()
    assert_frame_equal(from_folded, from_landing)
    assert from_folded.filter(pl.col("channel").is_null()).height > 0


def _model(key: str, measure: str, measure_type: str) -> CuratedModel:
    table = CuratedTable("t", "test", (Column(key, "string"), Column(measure, measure_type)), (), lambda frame: frame)
    return CuratedModel(dataset="test", base=table, natural_key=(key,), summed=(measure,))


def test_fold_quotes_identifiers_from_the_model(tmp_path: Path) -> None:
    key, measure = 'key "x"; DROP TABLE landing; --', "order"  # a quote and a reserved word
    landing = tmp_path / "landing.parquet"
    pl.DataFrame({key: ["a", "b", "a", None, None], measure: [1, 2, 3, 4, 5], "other": [0] * 5}).write_parquet(landing)
    folded = fold_landing(landing, _model(key, measure, "bigint"), tmp_path).collect().sort(key, nulls_last=True)
    assert folded.columns == [key, measure]
    assert folded.rows() == [("a", 4), ("b", 2), (None, 9)]
    assert folded.schema[measure] == pl.Int64


def test_fold_refuses_a_measure_it_cannot_sum(tmp_path: Path) -> None:
    landing = tmp_path / "landing.parquet"
    pl.DataFrame({"k": ["a"], "v": ["1"]}).write_parquet(landing)
    with pytest.raises(ConfigError, match="summed measure 'v' must be a bigint or double column of t"):
        fold_landing(landing, _model("k", "v", "string"), tmp_path)
