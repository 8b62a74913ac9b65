"""The Glue Data Catalog through boto3 (AWS, or the lakehouse emulator)."""

from __future__ import annotations

from typing import Any

from cloud.aws import aws_client, aws_errors
from lakehouse.config import Settings
from lakehouse.ports.catalog import DataCatalog, GlueDocument

_CREATE_BATCH = 100  # BatchCreatePartition takes at most 100 partitions
_DELETE_BATCH = 25  # BatchDeletePartition takes at most 25


class GlueCatalog(DataCatalog):
    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.glue = client or aws_client(settings, "glue")

    def _pages(self, operation: str, key: str, **arguments: Any) -> list[GlueDocument]:
        items: list[GlueDocument] = []
        with aws_errors(f"glue {operation}"):
            for page in self.glue.get_paginator(operation).paginate(**arguments):
                items += page[key]
        return items

    # databases
    def create_database(self, database_input: GlueDocument) -> None:
        with aws_errors("glue CreateDatabase"):
            self.glue.create_database(DatabaseInput=database_input)

    def get_database(self, name: str) -> GlueDocument:
        with aws_errors("glue GetDatabase"):
            return self.glue.get_database(Name=name)["Database"]

    def get_databases(self) -> list[GlueDocument]:
        return self._pages("get_databases", "DatabaseList")

    def delete_database(self, name: str) -> None:
        with aws_errors("glue DeleteDatabase"):
            self.glue.delete_database(Name=name)

    # tables
    def create_table(self, database_name: str, table_input: GlueDocument) -> None:
        with aws_errors("glue CreateTable"):
            self.glue.create_table(DatabaseName=database_name, TableInput=table_input)

    def update_table(self, database_name: str, table_input: GlueDocument, version_id: str | None = None) -> None:
        extra = {"VersionId": version_id} if version_id is not None else {}
        with aws_errors("glue UpdateTable"):
            self.glue.update_table(DatabaseName=database_name, TableInput=table_input, **extra)

    def get_table(self, database_name: str, name: str) -> GlueDocument:
        with aws_errors("glue GetTable"):
            return self.glue.get_table(DatabaseName=database_name, Name=name)["Table"]

    def get_tables(self, database_name: str) -> list[GlueDocument]:
        return self._pages("get_tables", "TableList", DatabaseName=database_name)

    def delete_table(self, database_name: str, name: str) -> None:
        with aws_errors("glue DeleteTable"):
            self.glue.delete_table(DatabaseName=database_name, Name=name)

    def get_table_versions(self, database_name: str, table_name: str) -> list[GlueDocument]:
        return self._pages("get_table_versions", "TableVersions", DatabaseName=database_name, TableName=table_name)

    def get_table_version(self, database_name: str, table_name: str, version_id: str | None = None) -> GlueDocument:
        extra = {"VersionId": version_id} if version_id is not None else {}
        with aws_errors("glue GetTableVersion"):
            return self.glue.get_table_version(DatabaseName=database_name, TableName=table_name, **extra)["TableVersion"]

    def delete_table_version(self, database_name: str, table_name: str, version_id: str) -> None:
        with aws_errors("glue DeleteTableVersion"):
            self.glue.delete_table_version(DatabaseName=database_name, TableName=table_name, VersionId=version_id)

    # partitions
    def create_partition(self, database_name: str, table_name: str, partition_input: GlueDocument) -> None:
        with aws_errors("glue CreatePartition"):
            self.glue.create_partition(DatabaseName=database_name, TableName=table_name,
                                       PartitionInput=partition_input)

    def batch_create_partition(
        self, database_name: str, table_name: str, partition_input_list: list[GlueDocument]
    ) -> GlueDocument:
        errors: list[GlueDocument] = []
        with aws_errors("glue BatchCreatePartition"):
            for start in range(0, len(partition_input_list), _CREATE_BATCH):
                answer = self.glue.batch_create_partition(
                    DatabaseName=database_name, TableName=table_name,
                    PartitionInputList=partition_input_list[start:start + _CREATE_BATCH])
                errors += answer.get("Errors", [])
        return {"Errors": errors}

    def get_partition(self, database_name: str, table_name: str, partition_values: list[str]) -> GlueDocument:
        with aws_errors("glue GetPartition"):
            return self.glue.get_partition(DatabaseName=database_name, TableName=table_name,
                                           PartitionValues=partition_values)["Partition"]

    def get_partitions(
        self, database_name: str, table_name: str, expression: str | None = None
    ) -> list[GlueDocument]:
        extra = {"Expression": expression} if expression else {}
        partitions = self._pages("get_partitions", "Partitions", DatabaseName=database_name, TableName=table_name,
                                 **extra)
        return sorted(partitions, key=lambda partition: partition["Values"])

    def update_partition(
        self, database_name: str, table_name: str, partition_value_list: list[str], partition_input: GlueDocument
    ) -> None:
        with aws_errors("glue UpdatePartition"):
            self.glue.update_partition(DatabaseName=database_name, TableName=table_name,
                                       PartitionValueList=partition_value_list, PartitionInput=partition_input)

    def delete_partition(self, database_name: str, table_name: str, partition_values: list[str]) -> None:
        with aws_errors("glue DeletePartition"):
            self.glue.delete_partition(DatabaseName=database_name, TableName=table_name,
                                       PartitionValues=partition_values)

    def batch_delete_partition(
        self, database_name: str, table_name: str, partitions_to_delete: list[list[str]] | list[GlueDocument]
    ) -> GlueDocument:
        entries = [p if isinstance(p, dict) else {"Values": list(p)} for p in partitions_to_delete]
        errors: list[GlueDocument] = []
        with aws_errors("glue BatchDeletePartition"):
            for start in range(0, len(entries), _DELETE_BATCH):
                answer = self.glue.batch_delete_partition(DatabaseName=database_name, TableName=table_name,
                                                          PartitionsToDelete=entries[start:start + _DELETE_BATCH])
                errors += answer.get("Errors", [])
        return {"Errors": errors}
