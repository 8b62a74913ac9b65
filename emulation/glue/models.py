"""A Glue Data Catalog kept in an object-store bucket, in the Glue API's own JSON shapes.

Living in the object store (not a local file) means every backend with an S3 endpoint
has a durable catalog shared by every process. Layout of the bucket:

    databases/<db>/database.json                          created exclusively
    databases/<db>/tables/<table>/<NNNNNNNNNN>.json       one object per table version
    databases/<db>/partitions/<table>/<NNNNNNNNNN>.json   the whole partition set, per change

Tables and partition sets are immutable versions written optimistically (versions.py),
so concurrent writers never lose each other's changes. The newest 100 table versions
are kept (older ones are pruned); partition sets keep 10, being history for no reader.
Timestamps are ISO-8601 strings where boto3 would hand back datetimes.
"""

from __future__ import annotations

import json
import re

from emulation.glue.fields import CATALOG_ID, checked_name, from_input, now
from emulation.glue.partitions import PartitionOperations
from emulation.glue.versions import VersionedDocument, encode
from lakehouse.errors import (
    AlreadyExistsException, EntityNotFoundException, InvalidInputException, NoSuchBucket, NoSuchKey,
    PreconditionFailed,
)
from lakehouse.ports.catalog import GlueDocument
from lakehouse.ports.object_store import ObjectStore

TABLE_VERSIONS_KEPT = 100
_DELETED = "DeletedTableVersion"  # marks a version removed by delete_table_version


class ObjectStoreCatalog(PartitionOperations):
    def __init__(self, store: ObjectStore, bucket: str) -> None:
        self.store = store
        self.bucket = bucket
        self._bucket_ready = False
        self._latest: dict[str, int] = {}  # latest version number seen per document, to probe from

    def ensure_bucket(self) -> None:
        if not self._bucket_ready:
            self.store.create_bucket(self.bucket)
            self._bucket_ready = True

    def table_versions(self, database_name: str, table_name: str) -> VersionedDocument:
        prefix = f"databases/{checked_name(database_name, 'database')}/tables/{checked_name(table_name, 'table')}/"
        return VersionedDocument(self.store, self.bucket, prefix, TABLE_VERSIONS_KEPT, self._latest)

    @staticmethod
    def _database_key(name: str) -> str:
        return f"databases/{name}/database.json"

    # databases ------------------------------------------------------------------
    def create_database(self, database_input: GlueDocument) -> None:
        name = checked_name(database_input.get("Name"), "database")
        document = {**from_input(database_input), "CreateTime": now(), "CatalogId": CATALOG_ID}
        self.ensure_bucket()
        try:
            self.store.put_object(self.bucket, self._database_key(name), encode(document), if_none_match=True)
        except PreconditionFailed:
            raise AlreadyExistsException(f"AlreadyExistsException: database {name} already exists") from None

    def get_database(self, name: str) -> GlueDocument:
        checked_name(name, "database")
        try:
            document: GlueDocument = json.loads(self.store.get_object(self.bucket, self._database_key(name)))
        except (NoSuchKey, NoSuchBucket):
            raise EntityNotFoundException(f"EntityNotFoundException: database {name} not found") from None
        return document

    def get_databases(self) -> list[GlueDocument]:
        try:
            infos = list(self.store.list_objects_v2(self.bucket, "databases/"))
        except NoSuchBucket:
            return []
        names = [info.key.split("/")[1] for info in infos if re.fullmatch(r"databases/[^/]+/database\.json", info.key)]
        found = []
        for name in names:
            try:
                found.append(self.get_database(name))
            except EntityNotFoundException:
                continue  # deleted since the listing
        return found

    def delete_database(self, name: str) -> None:
        self.get_database(name)
        # The database document first: from then on its tables are unreachable.
        self.store.delete_object(self.bucket, self._database_key(name))
        self.store.delete_prefix(self.bucket, f"databases/{name}/")

    # tables ---------------------------------------------------------------------
    def create_table(self, database_name: str, table_input: GlueDocument) -> None:
        self.create_table_with_partitions(database_name, table_input, [])

    def create_table_with_partitions(
        self, database_name: str, table_input: GlueDocument, partition_input_list: list[GlueDocument]
    ) -> None:
        """CreateTable and BatchCreatePartition as one change for readers (not a Glue operation:
        lakehouse/catalog/publish.py falls back to those two elsewhere). The partition set is
        written first, where no reader looks while the table does not exist; creating the table's
        version 1 publishes both. A writer killed in between leaves a staged partition set no
        table owns: the next creation of that table replaces it (an empty set when it has no
        partitions), and `lakehouse doctor --repair` removes it (orphaned_partition_sets)."""
        self.get_database(database_name)
        name = checked_name(table_input.get("Name"), "table")
        versions = self.table_versions(database_name, name)
        if versions.numbers():  # a listing first: after pruning, version 1 is gone though the table is not
            raise AlreadyExistsException(f"AlreadyExistsException: table {database_name}.{name} already exists")
        count = len(table_input.get("PartitionKeys") or [])
        documents = [self._document(database_name, name, p, count) for p in partition_input_list]
        staged = {tuple(d["Values"]): d for d in documents}
        self.ensure_bucket()
        partitions = self.partition_versions(database_name, name)
        if staged or partitions.numbers():
            partitions.write_next(lambda _number, _current: [staged[v] for v in sorted(staged)],
                                  f"partitions of {database_name}.{name}")
        stamp = now()
        document = {**from_input(table_input), "DatabaseName": database_name, "CreateTime": stamp,
                    "UpdateTime": stamp, "VersionId": "1", "CatalogId": CATALOG_ID}
        if not versions.create(1, document):
            raise AlreadyExistsException(f"AlreadyExistsException: table {database_name}.{name} already exists")

    def orphaned_partition_sets(self) -> list[tuple[str, str]]:
        """(database, table) of partition sets whose table does not exist: staged by a
        create_table_with_partitions that was killed before it created the table."""
        try:
            infos = list(self.store.list_objects_v2(self.bucket, "databases/"))
        except NoSuchBucket:
            return []
        tables, staged = set(), set()
        for info in infos:
            parts = info.key.split("/")
            if len(parts) == 5 and parts[2] in ("tables", "partitions"):
                (tables if parts[2] == "tables" else staged).add((parts[1], parts[3]))
        return sorted(staged - tables)

    def discard_partition_set(self, database_name: str, table_name: str) -> None:
        """Remove an orphaned partition set (never one of an existing table)."""
        if self.table_versions(database_name, table_name).numbers():
            raise InvalidInputException(f"InvalidInputException: {database_name}.{table_name} exists; "
                                        "its partitions are removed with BatchDeletePartition")
        self.partition_versions(database_name, table_name).delete_all()

    def update_table(self, database_name: str, table_input: GlueDocument, version_id: str | None = None) -> None:
        name = checked_name(table_input.get("Name"), "table")
        expected = _version_number(version_id) if version_id is not None else None

        def change(number: int, current: GlueDocument | None) -> GlueDocument:
            if current is None:
                raise self._table_missing(database_name, name)
            return {**from_input(table_input), "DatabaseName": database_name, "CreateTime": current["CreateTime"],
                    "UpdateTime": now(), "VersionId": str(number), "CatalogId": CATALOG_ID}

        self.table_versions(database_name, name).write_next(change, f"table {database_name}.{name}", expected)

    def get_table(self, database_name: str, name: str) -> GlueDocument:
        _, document = self.table_versions(database_name, name).latest()
        if document is None:
            raise self._table_missing(database_name, name)
        return document

    def get_tables(self, database_name: str) -> list[GlueDocument]:
        self.get_database(database_name)
        prefix = f"databases/{database_name}/tables/"
        rests = [info.key[len(prefix):] for info in self.store.list_objects_v2(self.bucket, prefix)]
        names = sorted({rest.split("/", 1)[0] for rest in rests if "/" in rest})  # <table>/<version>.json
        tables = []
        for name in names:
            _, document = self.table_versions(database_name, name).latest()
            if document is not None:
                tables.append(document)
        return tables

    def delete_table(self, database_name: str, name: str) -> None:
        self.get_table(database_name, name)
        self.table_versions(database_name, name).delete_all()
        self.partition_versions(database_name, name).delete_all()

    # table versions ---------------------------------------------------------------
    def get_table_versions(self, database_name: str, table_name: str) -> list[GlueDocument]:
        versions = self.table_versions(database_name, table_name)
        numbers = versions.numbers()
        if not numbers:
            raise self._table_missing(database_name, table_name)
        found = []
        for number in reversed(numbers):
            document = versions.read(number)
            if document is not None and _DELETED not in document:
                found.append({"Table": document, "VersionId": document["VersionId"]})
        return found

    def get_table_version(self, database_name: str, table_name: str, version_id: str | None = None) -> GlueDocument:
        if version_id is None:
            table = self.get_table(database_name, table_name)
            return {"Table": table, "VersionId": table["VersionId"]}
        versions = self.table_versions(database_name, table_name)
        document = versions.read(_version_number(version_id))
        if document is None or _DELETED in document:
            self.get_table(database_name, table_name)
            raise EntityNotFoundException(
                f"EntityNotFoundException: version {version_id} of table {database_name}.{table_name} not found"
            )
        return {"Table": document, "VersionId": document["VersionId"]}

    def delete_table_version(self, database_name: str, table_name: str, version_id: str) -> None:
        number = _version_number(version_id)
        self.get_table_version(database_name, table_name, version_id)
        versions = self.table_versions(database_name, table_name)
        if number == versions.latest()[0]:
            raise InvalidInputException(
                f"InvalidInputException: version {version_id} is the current version of "
                f"{database_name}.{table_name}; update the table before deleting it"
            )
        # Overwritten, not deleted: the key must stay so no writer can create it again.
        versions.overwrite(number, {_DELETED: version_id})

    def _table_missing(self, database_name: str, name: str) -> EntityNotFoundException:
        self.get_database(database_name)  # a missing database is reported as such
        return EntityNotFoundException(f"EntityNotFoundException: table {database_name}.{name} not found")


def _version_number(version_id: str) -> int:
    if not (isinstance(version_id, str) and version_id.isdigit() and int(version_id) > 0):
        raise InvalidInputException(f"InvalidInputException: VersionId {version_id!r} is not a version number")
    return int(version_id)
