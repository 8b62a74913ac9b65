"""Transform: landing → curated. Partitioned Parquet tables, written deterministically.

The same landing data always gives byte-identical curated files (rows sorted, fixed
file names), so running the pipeline twice changes nothing and duplicates nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lakehouse.catalog.register import table_prefix
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import StageError
from lakehouse.glue_types import POLARS_TYPES
from lakehouse.etl.models import model_for
from lakehouse.etl.tables import Column, CuratedTable
from lakehouse.prepare import landing_key, landing_manifest
from lakehouse.zones import Zones

@dataclass(frozen=True)
class TableOutput:
    name: str
    rows: int
    files: int


def transform(zones: Zones, spec: DatasetSpec, database: str) -> list[TableOutput]:
    """Rebuild every curated table from the landing zone."""
    if landing_manifest(zones, spec) is None:
        raise StageError(f"no landing data for {spec.portal_id}: run `lakehouse prepare` first")
    with tempfile.TemporaryDirectory(prefix="lakehouse-transform-") as scratch:
        workdir = Path(scratch)
        landing = pl.scan_parquet(zones.local_file("landing", landing_key(spec), workdir))
        model = model_for(spec.portal_id)
        base = model.base.build(landing).collect()
        outputs = [_write_table(zones, database, model.base, base, workdir, from_base=False)]
        return outputs + [_write_table(zones, database, table, base, workdir) for table in model.aggregates]


def _typed(columns: tuple[Column, ...]) -> list[pl.Expr]:
    return [pl.col(c.name).cast(POLARS_TYPES[c.glue_type]) for c in columns]


def _write_table(
    zones: Zones, database: str, table: CuratedTable, base: pl.DataFrame, workdir: Path, from_base: bool = True
) -> TableOutput:
    names = [c.name for c in table.all_columns]
    source = table.build(base.lazy()) if from_base else base.lazy()
    frame = source.select(_typed(table.all_columns)).sort(names).collect()
    prefix = table_prefix(database, table)
    files: dict[str, pl.DataFrame] = {}
    if table.partition_keys:
        keys = [c.name for c in table.partition_keys]
        for values, part in frame.partition_by(keys, as_dict=True, maintain_order=True).items():
            folder = "/".join(f"{key}={value}" for key, value in zip(keys, values, strict=True))
            files[f"{prefix}{folder}/part-00000.parquet"] = part.drop(keys)
    else:
        files[f"{prefix}part-00000.parquet"] = frame
    bucket = zones.bucket("curated")
    stale = {i.key for i in zones.store.list_objects_v2(bucket, prefix)} - set(files)
    for key, part in files.items():
        local = workdir / key.replace("/", "__")
        part.write_parquet(local, compression="zstd", statistics=True)
        zones.store.upload_file(local, bucket, key)
    zones.store.delete_objects(bucket, sorted(stale))
    return TableOutput(table.name, frame.height, len(files))
