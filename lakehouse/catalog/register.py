"""The catalog stage: record curated tables and their partitions, found on storage.

Partitions are discovered from the Hive-style folders the transform wrote (what
`MSCK REPAIR TABLE` does), so the catalog always describes what is really stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lakehouse.catalog.glue_shapes import partition_input, table_input
from lakehouse.errors import EntityNotFoundException
from lakehouse.etl.models import ALL_TABLES
from lakehouse.etl.tables import CuratedTable
from lakehouse.ports.catalog import DataCatalog
from lakehouse.zones import Zones


@dataclass(frozen=True)
class RegisteredTable:
    name: str
    location: str
    partitions: int


def table_prefix(database: str, table: CuratedTable) -> str:
    """Where a curated table's files live inside the curated bucket."""
    return f"{database}/{table.name}/"


def ensure_database(catalog: DataCatalog, database: str) -> None:
    try:
        catalog.get_database(database)
    except EntityNotFoundException:
        catalog.create_database({
            "Name": database,
            "Description": "City of Vancouver 3-1-1 inquiries (curated zone)",
        })


def register_tables(zones: Zones, catalog: DataCatalog, database: str) -> list[RegisteredTable]:
    """Create or update every curated table present in the curated zone."""
    ensure_database(catalog, database)
    registered = []
    for table in ALL_TABLES:
        prefix = table_prefix(database, table)
        keys = [i.key for i in zones.store.list_objects_v2(zones.bucket("curated"), prefix) if i.key.endswith(".parquet")]
        if not keys:
            continue
        location = zones.s3_uri("curated", prefix)
        document = table_input(table, location)
        try:
            catalog.get_table(database, table.name)
            catalog.update_table(database, document)
        except EntityNotFoundException:
            catalog.create_table(database, document)
        partitions = _partition_values(keys, prefix, table)
        _replace_partitions(catalog, database, table.name, partitions)
        registered.append(RegisteredTable(table.name, location, len(partitions)))
    return registered


def _partition_values(keys: list[str], prefix: str, table: CuratedTable) -> list[list[str]]:
    if not table.partition_keys:
        return []
    pattern = re.compile("/".join(rf"{re.escape(c.name)}=([^/]+)" for c in table.partition_keys) + "/")
    found = {match.groups() for key in keys if (match := pattern.match(key.removeprefix(prefix)))}
    return [list(values) for values in sorted(found)]


def _replace_partitions(catalog: DataCatalog, database: str, table: str, wanted: list[list[str]]) -> None:
    existing = [p["Values"] for p in catalog.get_partitions(database, table)]
    stale = [values for values in existing if values not in wanted]
    if stale:
        catalog.batch_delete_partition(database, table, stale)
    document = catalog.get_table(database, table)
    catalog.batch_create_partition(database, table, [partition_input(document, values) for values in wanted])
