"""Curated tables as immutable snapshots, published by one catalog commit.

A job writes each table into a fresh folder `<database>/<table>/snapshots/<id>/`, then
points the catalog table at it (a new table version). Readers resolve a table through
the catalog, so they see the previous snapshot or the new one, never half of either. A
killed job leaves only an unreferenced folder, removed by the next run's pruning; the
last N snapshots stay readable through the table's versions.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl

from lakehouse.catalog.glue_shapes import partition_input, table_input
from lakehouse.errors import EntityNotFoundException
from lakehouse.etl.jobspec import TableLayout
from lakehouse.glue_types import POLARS_TYPES
from lakehouse.ports.catalog import DataCatalog, GlueDocument
from lakehouse.zones import Zones

SNAPSHOT_PARAMETER = "lakehouse.snapshot_id"
RUN_PARAMETER = "lakehouse.job_run_id"


@dataclass(frozen=True)
class WrittenTable:
    name: str
    prefix: str  # key prefix of the snapshot folder in the curated bucket
    rows: int
    files: int
    partitions: list[list[str]]


def new_snapshot_id() -> str:
    """Sortable by time, unique across concurrent writers."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def table_root(database: str, table: str) -> str:
    return f"{database}/{table}/"


def snapshot_prefix(database: str, table: str, snapshot_id: str) -> str:
    return f"{table_root(database, table)}snapshots/{snapshot_id}/"


def typed(layout: TableLayout, frame: pl.LazyFrame) -> pl.LazyFrame:
    """The table's columns in the catalog's types, rows in a stable order (same data, same bytes)."""
    columns = layout.table.all_columns
    return frame.select([pl.col(c.name).cast(POLARS_TYPES[c.glue_type]) for c in columns]).sort(
        [c.name for c in columns], nulls_last=True
    )


def write_snapshot(zones: Zones, layout: TableLayout, frame: pl.DataFrame, prefix: str) -> WrittenTable:
    """Write the table's files under `prefix`, one folder per partition."""
    keys = [c.name for c in layout.partition_keys]
    parts: dict[str, pl.DataFrame] = {}
    partitions: list[list[str]] = []
    if keys:
        for values, part in frame.partition_by(keys, as_dict=True, maintain_order=True).items():
            strings = [str(value) for value in values]
            partitions.append(strings)
            folder = "/".join(f"{key}={value}" for key, value in zip(keys, strings, strict=True))
            parts[f"{prefix}{folder}/part-00000.parquet"] = part.drop(keys)
    else:
        parts[f"{prefix}part-00000.parquet"] = frame
    bucket = zones.bucket("curated")
    for key, part in parts.items():
        # Encoded in memory (one partition at a time) and put whole: no scratch file to copy,
        # and the store still writes atomically (temp file + rename on folders, one PUT on S3).
        buffer = io.BytesIO()
        part.write_parquet(buffer, compression="zstd", statistics=True)
        zones.store.put_object(bucket, key, buffer.getvalue())
    return WrittenTable(layout.table.name, prefix, frame.height, len(parts), sorted(partitions))


def commit_snapshot(
    zones: Zones, catalog: DataCatalog, database: str, layout: TableLayout, written: WrittenTable, run_id: str
) -> None:
    """Point the catalog table at the written snapshot: the one step that publishes it."""
    snapshot_id = written.prefix.rstrip("/").rsplit("/", 1)[-1]
    document = table_input(
        layout.table.name, layout.table.description, layout.data_columns, layout.partition_keys,
        zones.s3_uri("curated", written.prefix), {SNAPSHOT_PARAMETER: snapshot_id, RUN_PARAMETER: run_id},
    )
    try:
        current = catalog.get_table(database, layout.table.name)
    except EntityNotFoundException:
        catalog.create_table(database, document)
    else:
        catalog.update_table(database, document, version_id=current.get("VersionId"))
    table = catalog.get_table(database, layout.table.name)
    stale = [p["Values"] for p in catalog.get_partitions(database, layout.table.name)]
    if stale:
        catalog.batch_delete_partition(database, layout.table.name, stale)
    if written.partitions:
        catalog.batch_create_partition(
            database, layout.table.name, [partition_input(table, values) for values in written.partitions]
        )


def current_files(zones: Zones, catalog: DataCatalog, database: str, table: str) -> list[str] | None:
    """Keys of the current snapshot's Parquet files, or None when the table does not exist."""
    try:
        document = catalog.get_table(database, table)
    except EntityNotFoundException:
        return None
    location = urlsplit(document["StorageDescriptor"]["Location"])
    prefix = location.path.lstrip("/")
    return [i.key for i in zones.store.list_objects_v2(location.netloc, prefix) if i.key.endswith(".parquet")]


def read_current(zones: Zones, catalog: DataCatalog, database: str, layout: TableLayout, workdir: Path) -> pl.DataFrame | None:
    """The table's current snapshot as one frame (partition columns restored from folders)."""
    keys = current_files(zones, catalog, database, layout.table.name)
    if keys is None:
        return None
    columns = layout.table.all_columns
    if not keys:
        return pl.DataFrame(schema={c.name: POLARS_TYPES[c.glue_type] for c in columns})
    local = [zones.local_file("curated", key, workdir) for key in keys]
    hive_types = {c.name: POLARS_TYPES[c.glue_type] for c in layout.partition_keys}
    frames = []
    for key, path in zip(keys, local, strict=True):
        frame = pl.read_parquet(path)
        for segment in key.split("/"):
            name, _, value = segment.partition("=")
            if name in hive_types:
                frame = frame.with_columns(pl.lit(value).cast(hive_types[name]).alias(name))
        frames.append(frame)
    return typed(layout, pl.concat(frames, how="diagonal_relaxed").lazy()).collect()


def prune_snapshots(zones: Zones, catalog: DataCatalog, database: str, table: str, keep: int) -> list[str]:
    """Remove snapshot folders beyond the newest `keep` and any no table version points at."""
    bucket = zones.bucket("curated")
    root = f"{table_root(database, table)}snapshots/"
    zones.store.abort_incomplete_uploads(bucket, root)  # half-written files of a killed run
    folders = sorted({info.key[len(root):].split("/", 1)[0] for info in zones.store.list_objects_v2(bucket, root)})
    referenced = {_snapshot_of(version) for version in _table_versions(catalog, database, table)[:keep]}
    doomed = [folder for folder in folders if folder not in referenced]
    for folder in doomed:
        zones.store.delete_prefix(bucket, f"{root}{folder}/")
    return doomed


def _table_versions(catalog: DataCatalog, database: str, table: str) -> list[GlueDocument]:
    """Table versions, newest first."""
    return [version["Table"] for version in catalog.get_table_versions(database, table)]


def _snapshot_of(table: GlueDocument) -> str:
    return str(table.get("Parameters", {}).get(SNAPSHOT_PARAMETER, ""))
