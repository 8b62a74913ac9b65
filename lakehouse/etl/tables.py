"""How a curated model is described: tables with their Glue schema and how to build them.

A dataset's model has one base table, built from landing rows and upserted by its
natural key across runs, and aggregates rebuilt from the whole base table each run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Column:
    name: str
    glue_type: str  # Athena/Glue type name: string, bigint, int, double, date, boolean
    comment: str = ""


@dataclass(frozen=True)
class CuratedTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    partition_keys: tuple[Column, ...]
    # Builds the table (data columns and partition keys): the base table from landing
    # rows, an aggregate from the base table.
    build: Callable[[pl.LazyFrame], pl.LazyFrame]

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + self.partition_keys


@dataclass(frozen=True)
class CuratedModel:
    dataset: str  # the portal id of the dataset whose landing rows feed the model
    base: CuratedTable
    natural_key: tuple[str, ...]  # one base row per key: later sources replace earlier ones
    aggregates: tuple[CuratedTable, ...] = ()
    # Measures the base table sums over the natural key, and the only landing columns it
    # reads besides the key. When set, each source's landing rows are first summed by key
    # in DuckDB (lakehouse/etl/fold.py), so `base.build` must give the same rows from
    # pre-summed input; a model that does anything else leaves this empty.
    summed: tuple[str, ...] = ()

    @property
    def tables(self) -> tuple[CuratedTable, ...]:
        return (self.base, *self.aggregates)
