"""The data catalog port: the Glue Data Catalog's role.

Documents are the Glue API's JSON shapes (DatabaseInput, TableInput, PartitionInput,
and Table/Partition as Glue returns them); method names are Glue operation names.
"""

from __future__ import annotations

import abc
from typing import Any

GlueDocument = dict[str, Any]


class DataCatalog(abc.ABC):
    """Databases, tables and partitions, durable across processes."""

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
    def create_table(self, database_name: str, table_input: GlueDocument) -> None:
        """Create a table; AlreadyExistsException when it exists."""

    @abc.abstractmethod
    def update_table(self, database_name: str, table_input: GlueDocument) -> None:
        """Replace a table's definition; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def get_table(self, database_name: str, name: str) -> GlueDocument:
        """A table as Glue returns it; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def get_tables(self, database_name: str) -> list[GlueDocument]:
        """Every table of a database, by name."""

    @abc.abstractmethod
    def delete_table(self, database_name: str, name: str) -> None:
        """Remove a table and its partitions; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def batch_create_partition(
        self, database_name: str, table_name: str, partition_input_list: list[GlueDocument]
    ) -> None:
        """Add partitions; existing values are replaced."""

    @abc.abstractmethod
    def batch_delete_partition(
        self, database_name: str, table_name: str, partitions_to_delete: list[list[str]]
    ) -> None:
        """Remove partitions by their values."""

    @abc.abstractmethod
    def get_partitions(self, database_name: str, table_name: str) -> list[GlueDocument]:
        """Every partition of a table, ordered by values."""
