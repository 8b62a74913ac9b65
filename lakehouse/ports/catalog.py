"""The data catalog port: the Glue Data Catalog's role.

Documents are the Glue API's JSON shapes (DatabaseInput, TableInput, PartitionInput,
and Table/Partition as Glue returns them); method names are Glue operation names.
"""

from __future__ import annotations

import abc
from typing import Any

GlueDocument = dict[str, Any]


class DataCatalog(abc.ABC):
    """Databases, tables, table versions and partitions, durable across processes."""

    # databases
    @abc.abstractmethod
    def create_database(self, database_input: GlueDocument) -> None:
        """Create a database; AlreadyExistsException when it exists."""

    @abc.abstractmethod
    def get_database(self, name: str) -> GlueDocument:
        """A database; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def get_databases(self) -> list[GlueDocument]:
        """Every database, by name."""

    @abc.abstractmethod
    def delete_database(self, name: str) -> None:
        """Remove a database with its tables and partitions; EntityNotFoundException when missing."""

    # tables
    @abc.abstractmethod
    def create_table(self, database_name: str, table_input: GlueDocument) -> None:
        """Create a table at VersionId "1"; AlreadyExistsException when it exists."""

    @abc.abstractmethod
    def update_table(self, database_name: str, table_input: GlueDocument, version_id: str | None = None) -> None:
        """Store a new table version; with version_id, ConcurrentModificationException unless it is the latest."""

    @abc.abstractmethod
    def get_table(self, database_name: str, name: str) -> GlueDocument:
        """The latest version of a table as Glue returns it; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def get_tables(self, database_name: str) -> list[GlueDocument]:
        """Every table of a database (latest versions), by name."""

    @abc.abstractmethod
    def delete_table(self, database_name: str, name: str) -> None:
        """Remove a table, its versions and its partitions; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def get_table_versions(self, database_name: str, table_name: str) -> list[GlueDocument]:
        """A table's kept versions, newest first, each {"Table": …, "VersionId": "N"}."""

    @abc.abstractmethod
    def get_table_version(self, database_name: str, table_name: str, version_id: str | None = None) -> GlueDocument:
        """One version (the latest without version_id) as {"Table": …, "VersionId": "N"}."""

    @abc.abstractmethod
    def delete_table_version(self, database_name: str, table_name: str, version_id: str) -> None:
        """Remove an earlier version; the current version cannot be removed (InvalidInputException)."""

    # partitions
    @abc.abstractmethod
    def create_partition(self, database_name: str, table_name: str, partition_input: GlueDocument) -> None:
        """Add one partition; AlreadyExistsException when its values exist."""

    @abc.abstractmethod
    def batch_create_partition(
        self, database_name: str, table_name: str, partition_input_list: list[GlueDocument]
    ) -> GlueDocument:
        """Add partitions, replacing existing values; returns {"Errors": [...]}."""

    @abc.abstractmethod
    def get_partition(self, database_name: str, table_name: str, partition_values: list[str]) -> GlueDocument:
        """One partition by its values; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def get_partitions(
        self, database_name: str, table_name: str, expression: str | None = None
    ) -> list[GlueDocument]:
        """A table's partitions ordered by values, filtered by a Glue partition expression when given."""

    @abc.abstractmethod
    def update_partition(
        self, database_name: str, table_name: str, partition_value_list: list[str], partition_input: GlueDocument
    ) -> None:
        """Replace one partition (its values may change); EntityNotFoundException when missing."""

    @abc.abstractmethod
    def delete_partition(self, database_name: str, table_name: str, partition_values: list[str]) -> None:
        """Remove one partition; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def batch_delete_partition(
        self, database_name: str, table_name: str, partitions_to_delete: list[list[str]] | list[GlueDocument]
    ) -> GlueDocument:
        """Remove partitions given as values lists or {"Values": [...]}; returns {"Errors": [...]} for missing ones."""
