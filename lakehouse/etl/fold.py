"""Fold a landing source by its model's natural key in DuckDB, before the model's Polars build.

A base table that sums its measures over the natural key gets the same rows from landing
rows already summed by that key (a sum of sums), so DuckDB's streaming GROUP BY makes the
one pass over millions of landing rows, in bounded memory (it spills past its limit), and
the model's Polars code sees one row per key. The SQL names only the model's columns,
quoted; the landing file is opened through DuckDB's API, never spliced into SQL text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pyarrow  # noqa: F401  DuckDB hands its result to Polars as Arrow: loaded with the module, not mid-job

from lakehouse.errors import ConfigError
from lakehouse.etl.tables import CuratedModel

# DuckDB's type of a summed measure, by the base column's Glue type (DuckDB widens
# sum(BIGINT) to HUGEINT; the catalog's type is bigint).
_SUM_TYPES = {"bigint": "BIGINT", "double": "DOUBLE"}
# DuckDB's working memory while folding; past it, the GROUP BY spills to the job's scratch.
MEMORY_LIMIT = "1GB"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fold_sql(model: CuratedModel, relation: str) -> str:
    """SELECT <natural key>, sum(<measure>) … FROM <relation> GROUP BY <natural key>."""
    types = {c.name: c.glue_type for c in model.base.all_columns}
    keys = [quote_identifier(name) for name in model.natural_key]
    sums = []
    for measure in model.summed:
        sum_type = _SUM_TYPES.get(types.get(measure, ""))
        if sum_type is None:
            raise ConfigError(f"model {model.dataset}: summed measure {measure!r} must be a bigint or double "
                              f"column of {model.base.name}")
        sums.append(f"CAST(sum({quote_identifier(measure)}) AS {sum_type}) AS {quote_identifier(measure)}")
    return (f"SELECT {', '.join(keys)}, {', '.join(sums)} FROM {quote_identifier(relation)} "
            f"GROUP BY {', '.join(keys)}")


def fold_landing(path: Path, model: CuratedModel, workdir: Path) -> pl.LazyFrame:
    """The landing file's rows summed by the model's natural key (one row per key)."""
    spill = workdir / "duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill), "preserve_insertion_order": False}
    with duckdb.connect(config=config) as connection:
        connection.read_parquet(str(path)).create_view("landing")
        folded = connection.sql(fold_sql(model, "landing")).pl()
    return folded.lazy()
