"""Publishing a table with its partitions so that readers see all of it or none of it, where the
catalog can; elsewhere (Glue on AWS) as Glue's own crawler does it, in steps.

The local and emulator catalog (emulation/glue/models.py) keeps a table's partitions as one
document per change, so it can stage a new table's partitions before the table exists and
change an existing table's partition set in one write. AWS Glue has no such operation:
CreateTable comes first, then BatchCreatePartition in batches of 100 (BatchDeletePartition in
batches of 25), and a writer stopped in between leaves the table with some of its partitions;
each registered partition is whole and a re-run registers the rest (docs/reliability.md).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from lakehouse.errors import QueryError
from lakehouse.ports.catalog import DataCatalog, GlueDocument

CREATE_BATCH, DELETE_BATCH = 100, 25  # Glue's limits per BatchCreatePartition / BatchDeletePartition


@runtime_checkable
class AtomicPartitions(Protocol):
    """A catalog that publishes a table with its partitions, and a partition change, in one write."""

    def create_table_with_partitions(
        self, database_name: str, table_input: GlueDocument, partition_input_list: list[GlueDocument]
    ) -> None: ...

    def change_partitions(
        self, database_name: str, table_name: str, partition_input_list: list[GlueDocument],
        partitions_to_delete: list[list[str]],
    ) -> None: ...


def create_table_with_partitions(
    catalog: DataCatalog, database: str, table_input: GlueDocument, partitions: list[GlueDocument]
) -> list[GlueDocument]:
    """Create the table and its partitions; the errors BatchCreatePartition reported (Glue only)."""
    if isinstance(catalog, AtomicPartitions):
        catalog.create_table_with_partitions(database, table_input, partitions)
        return []
    catalog.create_table(database, table_input)
    return change_partitions(catalog, database, str(table_input["Name"]), partitions, [])


def change_partitions(
    catalog: DataCatalog, database: str, table: str, partitions: list[GlueDocument], remove: list[list[str]]
) -> list[GlueDocument]:
    """Remove partitions, then add (or replace) others; the errors BatchCreatePartition reported."""
    if isinstance(catalog, AtomicPartitions):
        if partitions or remove:
            catalog.change_partitions(database, table, partitions, remove)
        return []
    for start in range(0, len(remove), DELETE_BATCH):
        catalog.batch_delete_partition(database, table, remove[start:start + DELETE_BATCH])
    errors: list[GlueDocument] = []
    for start in range(0, len(partitions), CREATE_BATCH):
        answer = catalog.batch_create_partition(database, table, partitions[start:start + CREATE_BATCH])
        errors += (answer or {}).get("Errors", [])
    return errors


def require_no_errors(errors: list[GlueDocument], table: str) -> None:
    """Athena's answer when partitions could not be added."""
    if errors:
        raise QueryError(f"HIVE_METASTORE_ERROR: could not add partitions to {table}: {errors[0]}")
