"""Glue's partition operations over a versioned partition set (one document per table).

Every change reads the latest set, applies itself and creates the next version
exclusively; a writer that loses the race re-reads and re-applies (versions.py), so
two processes adding partitions to one table at once both keep theirs.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from emulation.glue.expressions import PartitionFilter
from emulation.glue.fields import CATALOG_ID, checked_name, from_input, now
from emulation.glue.versions import VersionedDocument
from lakehouse.errors import AlreadyExistsException, EntityNotFoundException, InvalidInputException
from lakehouse.ports.catalog import DataCatalog, GlueDocument
from lakehouse.ports.object_store import ObjectStore

PARTITION_VERSIONS_KEPT = 10
Values = tuple[str, ...]
PartitionSet = dict[Values, GlueDocument]
R = TypeVar("R")


class PartitionOperations(DataCatalog, abc.ABC):
    store: ObjectStore
    bucket: str
    _latest: dict[str, int]

    @abc.abstractmethod
    def ensure_bucket(self) -> None:
        """Create the catalog's bucket before its first write."""

    def partition_versions(self, database_name: str, table_name: str) -> VersionedDocument:
        prefix = f"databases/{checked_name(database_name, 'database')}/partitions/{checked_name(table_name, 'table')}/"
        return VersionedDocument(self.store, self.bucket, prefix, PARTITION_VERSIONS_KEPT, self._latest)

    # reading --------------------------------------------------------------------------
    def get_partitions(
        self, database_name: str, table_name: str, expression: str | None = None
    ) -> list[GlueDocument]:
        table = self.get_table(database_name, table_name)
        # Glue treats a blank expression as no filter.
        blank = expression is None or not expression.strip()
        keep = None if blank else PartitionFilter(str(expression), table.get("PartitionKeys", []))
        _, partitions = self.partition_versions(database_name, table_name).latest()
        return [p for p in partitions or [] if keep is None or keep(p["Values"])]

    def get_partition(self, database_name: str, table_name: str, partition_values: list[str]) -> GlueDocument:
        self.get_table(database_name, table_name)
        _, partitions = self.partition_versions(database_name, table_name).latest()
        for partition in partitions or []:
            if partition["Values"] == list(partition_values):
                return dict(partition)
        raise _not_found(database_name, table_name, partition_values)

    # writing --------------------------------------------------------------------------
    def create_partition(self, database_name: str, table_name: str, partition_input: GlueDocument) -> None:
        count = self._key_count(database_name, table_name)
        document = self._document(database_name, table_name, partition_input, count)

        def apply(partitions: PartitionSet) -> tuple[bool, None]:
            if tuple(document["Values"]) in partitions:
                raise _exists(database_name, table_name, document["Values"])
            partitions[tuple(document["Values"])] = document
            return True, None

        self._change(database_name, table_name, apply)

    def batch_create_partition(
        self, database_name: str, table_name: str, partition_input_list: list[GlueDocument]
    ) -> GlueDocument:
        """Unlike Glue, which reports existing partitions as errors, existing values are replaced
        (keeping their CreationTime): re-registering a table's folders is then one call."""
        count = self._key_count(database_name, table_name)
        documents = [self._document(database_name, table_name, p, count) for p in partition_input_list]

        def apply(partitions: PartitionSet) -> tuple[bool, GlueDocument]:
            return _put_all(partitions, documents), {"Errors": []}

        return self._change(database_name, table_name, apply)

    def change_partitions(
        self, database_name: str, table_name: str, partition_input_list: list[GlueDocument],
        partitions_to_delete: list[list[str]],
    ) -> None:
        """BatchDeletePartition then BatchCreatePartition (existing values replaced) as one write, so
        readers see the partition set before or after, never between (not a Glue operation:
        lakehouse/catalog/publish.py falls back to the two, in batches, elsewhere)."""
        count = self._key_count(database_name, table_name)
        documents = [self._document(database_name, table_name, p, count) for p in partition_input_list]
        removed = [tuple(values) for values in partitions_to_delete]

        def apply(partitions: PartitionSet) -> tuple[bool, None]:
            changed = False
            for values in removed:
                changed = partitions.pop(values, None) is not None or changed
            return _put_all(partitions, documents) or changed, None

        self._change(database_name, table_name, apply)

    def update_partition(
        self, database_name: str, table_name: str, partition_value_list: list[str], partition_input: GlueDocument
    ) -> None:
        count = self._key_count(database_name, table_name)
        document = self._document(
            database_name, table_name, {"Values": list(partition_value_list), **partition_input}, count
        )

        def apply(partitions: PartitionSet) -> tuple[bool, None]:
            old = partitions.pop(tuple(partition_value_list), None)
            if old is None:
                raise _not_found(database_name, table_name, partition_value_list)
            if tuple(document["Values"]) in partitions:
                raise _exists(database_name, table_name, document["Values"])
            partitions[tuple(document["Values"])] = {**document, "CreationTime": old["CreationTime"]}
            return True, None

        self._change(database_name, table_name, apply)

    def delete_partition(self, database_name: str, table_name: str, partition_values: list[str]) -> None:
        def apply(partitions: PartitionSet) -> tuple[bool, None]:
            if partitions.pop(tuple(partition_values), None) is None:
                raise _not_found(database_name, table_name, partition_values)
            return True, None

        self.get_table(database_name, table_name)
        self._change(database_name, table_name, apply)

    def batch_delete_partition(
        self, database_name: str, table_name: str, partitions_to_delete: list[list[str]] | list[GlueDocument]
    ) -> GlueDocument:
        """Values lists, or Glue's [{"Values": [...]}]; missing partitions are reported in Errors."""
        wanted = [tuple(p["Values"] if isinstance(p, dict) else p) for p in partitions_to_delete]

        def apply(partitions: PartitionSet) -> tuple[bool, GlueDocument]:
            missing = [values for values in wanted if partitions.pop(values, None) is None]
            errors = [{"PartitionValues": list(values), "ErrorDetail": {
                "ErrorCode": "EntityNotFoundException", "ErrorMessage": "Partition not found"}} for values in missing]
            return len(missing) < len(wanted), {"Errors": errors}

        self.get_table(database_name, table_name)
        return self._change(database_name, table_name, apply)

    # helpers --------------------------------------------------------------------------
    def _change(self, database_name: str, table_name: str, apply: Callable[[PartitionSet], tuple[bool, R]]) -> R:
        """Apply to the latest partition set and store the result as the next version."""
        outcome: list[R] = []

        def change(_: int, current: Any) -> list[GlueDocument] | None:
            partitions = {tuple(p["Values"]): p for p in current or []}
            changed, result = apply(partitions)
            outcome[:] = [result]  # each attempt starts afresh
            return [partitions[values] for values in sorted(partitions)] if changed else None

        self.ensure_bucket()
        versions = self.partition_versions(database_name, table_name)
        versions.write_next(change, f"partitions of {database_name}.{table_name}")
        return outcome[0]

    def _key_count(self, database_name: str, table_name: str) -> int:
        return len(self.get_table(database_name, table_name).get("PartitionKeys", []))

    @staticmethod
    def _document(database_name: str, table_name: str, partition_input: GlueDocument, key_count: int) -> GlueDocument:
        values = partition_input.get("Values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or len(values) != key_count:
            raise InvalidInputException(
                f"InvalidInputException: partition Values {values!r} of {database_name}.{table_name} must be "
                f"{key_count} strings, one per partition key"
            )
        return {**from_input(partition_input), "Values": list(values), "DatabaseName": database_name,
                "TableName": table_name, "CreationTime": now(), "CatalogId": CATALOG_ID}


def _exists(database_name: str, table_name: str, values: list[str]) -> AlreadyExistsException:
    return AlreadyExistsException(
        f"AlreadyExistsException: partition {values} of {database_name}.{table_name} already exists"
    )


def _not_found(database_name: str, table_name: str, values: Iterable[str]) -> EntityNotFoundException:
    return EntityNotFoundException(
        f"EntityNotFoundException: partition {list(values)} of {database_name}.{table_name} not found"
    )


def _put_all(partitions: PartitionSet, documents: list[GlueDocument]) -> bool:
    """Add or replace each partition (a replaced one keeps its CreationTime); whether any changed."""
    changed = False
    for document in documents:
        values = tuple(document["Values"])
        old = partitions.get(values)
        new = {**document, "CreationTime": old["CreationTime"]} if old else document
        if new != old:
            partitions[values], changed = new, True
    return changed
