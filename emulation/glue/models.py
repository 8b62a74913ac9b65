"""A Glue Data Catalog stored as one JSON document per database and per table.

Living in the object store (not a local file) means every backend that has an S3
endpoint has a durable catalog too. Documents keep Glue's own shapes and names.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from lakehouse.errors import AlreadyExistsException, EntityNotFoundException, NoSuchKey
from lakehouse.ports.catalog import DataCatalog, GlueDocument
from lakehouse.ports.object_store import ObjectStore

CATALOG_ID = "000000000000"  # the account id moto and LocalStack use


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ObjectStoreCatalog(DataCatalog):
    def __init__(self, store: ObjectStore, bucket: str) -> None:
        self.store = store
        self.bucket = bucket

    # documents ------------------------------------------------------------------
    def _read(self, key: str) -> Any:
        return json.loads(self.store.get_object(self.bucket, key))

    def _write(self, key: str, document: Any) -> None:
        self.store.create_bucket(self.bucket)
        self.store.put_object(self.bucket, key, json.dumps(document, indent=2, sort_keys=True).encode())

    def _find(self, key: str) -> Any | None:
        if not self.store.head_bucket(self.bucket):
            return None
        try:
            return self._read(key)
        except NoSuchKey:
            return None

    @staticmethod
    def _database_key(name: str) -> str:
        return f"databases/{name}/database.json"

    @staticmethod
    def _table_key(database: str, table: str) -> str:
        return f"databases/{database}/tables/{table}.json"

    @staticmethod
    def _partitions_key(database: str, table: str) -> str:
        return f"databases/{database}/partitions/{table}.json"

    # databases ------------------------------------------------------------------
    def create_database(self, database_input: GlueDocument) -> None:
        name = database_input["Name"]
        if self._find(self._database_key(name)) is not None:
            raise AlreadyExistsException(f"AlreadyExistsException: database {name} already exists")
        document = {**copy.deepcopy(database_input), "CreateTime": _now(), "CatalogId": CATALOG_ID}
        self._write(self._database_key(name), document)

    def get_database(self, name: str) -> GlueDocument:
        document = self._find(self._database_key(name))
        if document is None:
            raise EntityNotFoundException(f"EntityNotFoundException: database {name} not found")
        return document

    def get_databases(self) -> list[GlueDocument]:
        if not self.store.head_bucket(self.bucket):
            return []
        keys = [i.key for i in self.store.list_objects_v2(self.bucket, "databases/") if i.key.endswith("/database.json")]
        return [self._read(key) for key in keys]

    # tables ---------------------------------------------------------------------
    def create_table(self, database_name: str, table_input: GlueDocument) -> None:
        self.get_database(database_name)
        name = table_input["Name"]
        if self._find(self._table_key(database_name, name)) is not None:
            raise AlreadyExistsException(f"AlreadyExistsException: table {database_name}.{name} already exists")
        now = _now()
        document = {**copy.deepcopy(table_input), "DatabaseName": database_name, "CreateTime": now,
                    "UpdateTime": now, "VersionId": "1", "CatalogId": CATALOG_ID}
        self._write(self._table_key(database_name, name), document)

    def update_table(self, database_name: str, table_input: GlueDocument) -> None:
        current = self.get_table(database_name, table_input["Name"])
        document = {**copy.deepcopy(table_input), "DatabaseName": database_name,
                    "CreateTime": current["CreateTime"], "UpdateTime": _now(),
                    "VersionId": str(int(current.get("VersionId", "1")) + 1), "CatalogId": CATALOG_ID}
        self._write(self._table_key(database_name, table_input["Name"]), document)

    def get_table(self, database_name: str, name: str) -> GlueDocument:
        self.get_database(database_name)
        document = self._find(self._table_key(database_name, name))
        if document is None:
            raise EntityNotFoundException(f"EntityNotFoundException: table {database_name}.{name} not found")
        return document

    def get_tables(self, database_name: str) -> list[GlueDocument]:
        self.get_database(database_name)
        prefix = f"databases/{database_name}/tables/"
        return [self._read(info.key) for info in self.store.list_objects_v2(self.bucket, prefix)]

    def delete_table(self, database_name: str, name: str) -> None:
        self.get_table(database_name, name)
        self.store.delete_object(self.bucket, self._partitions_key(database_name, name))
        self.store.delete_object(self.bucket, self._table_key(database_name, name))

    # partitions -----------------------------------------------------------------
    def batch_create_partition(
        self, database_name: str, table_name: str, partition_input_list: list[GlueDocument]
    ) -> None:
        self.get_table(database_name, table_name)
        partitions = {tuple(p["Values"]): p for p in self.get_partitions(database_name, table_name)}
        now = _now()
        for partition_input in partition_input_list:
            partitions[tuple(partition_input["Values"])] = {
                **copy.deepcopy(partition_input), "DatabaseName": database_name,
                "TableName": table_name, "CreationTime": now, "CatalogId": CATALOG_ID,
            }
        self._write_partitions(database_name, table_name, partitions)

    def batch_delete_partition(
        self, database_name: str, table_name: str, partitions_to_delete: list[list[str]]
    ) -> None:
        partitions = {tuple(p["Values"]): p for p in self.get_partitions(database_name, table_name)}
        for values in partitions_to_delete:
            partitions.pop(tuple(values), None)
        self._write_partitions(database_name, table_name, partitions)

    def get_partitions(self, database_name: str, table_name: str) -> list[GlueDocument]:
        self.get_table(database_name, table_name)
        return self._find(self._partitions_key(database_name, table_name)) or []

    def _write_partitions(self, database: str, table: str, partitions: dict[tuple[str, ...], GlueDocument]) -> None:
        ordered = [partitions[values] for values in sorted(partitions)]
        self._write(self._partitions_key(database, table), ordered)
