"""The catalog side of a crawl: Glue documents for crawled tables, schema diffs, and the writes.

Every incompatible change is found before the first write, so a crawl that fails on
one leaves the catalog as it was. Only table versions that change something are written.
A new table is published with all its partitions, and an existing table's partition changes
are made, in one catalog write where the catalog can (lakehouse/catalog/publish.py): a crawl
killed part way leaves each table as it was or as the crawl left it, not some partitions in.
A table whose schema changes too is two writes, its new version first (docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulation.glue.crawler_schema import Columns, FileSchema, readable_as
from lakehouse.catalog.glue_shapes import PARQUET_INPUT, PARQUET_OUTPUT, PARQUET_SERDE
from lakehouse.catalog.glue_shapes import table_input_of
from lakehouse.catalog.publish import change_partitions, create_table_with_partitions
from lakehouse.errors import TerminalError
from lakehouse.ports.catalog import DataCatalog, GlueDocument

if TYPE_CHECKING:
    from emulation.glue.crawler import CrawlPolicy

TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
DEPRECATED = "DEPRECATED_BY_CRAWLER"


class CrawlerSchemaError(TerminalError):
    """An existing table's schema changed in a way the crawler's policy does not allow."""


@dataclass(frozen=True)
class Partition:
    values: list[str]
    location: str
    columns: Columns  # what its own files hold
    object_count: int
    size: int
    record_count: int | None


@dataclass
class CrawledTable:
    name: str
    location: str
    schema: FileSchema  # the files' format and their merged columns
    partition_keys: list[str]
    partitions: list[Partition]


@dataclass(frozen=True)
class SchemaChange:
    table: str
    kind: str  # new_column | type_changed | column_removed | partition_keys_changed | format_changed
    column: str
    old: str = ""
    new: str = ""
    applied: bool = False

    def describe(self) -> str:
        return {"new_column": f"column {self.column} added ({self.new})",
                "type_changed": f"column {self.column} changed type {self.old} -> {self.new}",
                "column_removed": f"column {self.column} ({self.old}) is no longer in the files",
                "partition_keys_changed": f"partition keys changed ({self.old} -> {self.new})",
                "format_changed": f"format changed ({self.old} -> {self.new})"}[self.kind]

    def __str__(self) -> str:
        return f"table {self.table}: {self.describe()}" + ("" if self.applied else " [not applied]")


@dataclass
class CrawlResult:
    """What one crawl did; partitions are listed by their values, per table."""

    crawler_name: str
    database_name: str
    tables_created: list[str] = field(default_factory=list)
    tables_updated: list[str] = field(default_factory=list)
    tables_unchanged: list[str] = field(default_factory=list)
    tables_deprecated: list[str] = field(default_factory=list)  # files gone: marked DEPRECATED_BY_CRAWLER
    tables_missing: list[str] = field(default_factory=list)  # files gone, table kept as it was
    partitions_added: dict[str, list[list[str]]] = field(default_factory=dict)
    partitions_updated: dict[str, list[list[str]]] = field(default_factory=dict)
    partitions_removed: dict[str, list[list[str]]] = field(default_factory=dict)
    partitions_missing: dict[str, list[list[str]]] = field(default_factory=dict)  # folder gone, kept
    schema_changes: list[SchemaChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    runtime_seconds: float = 0.0

    def get_crawler_metrics(self) -> dict[str, Any]:
        """Glue's CrawlerMetrics for this run."""
        return {"CrawlerName": self.crawler_name, "LastRuntimeSeconds": round(self.runtime_seconds, 3),
                "TablesCreated": len(self.tables_created), "TablesUpdated": len(self.tables_updated),
                "TablesDeleted": len(self.tables_deprecated), "StillEstimating": False, "TimeLeftSeconds": 0.0}


@dataclass
class _Plan:
    table: CrawledTable
    current: GlueDocument | None
    document: GlueDocument | None  # what to create or update; None leaves the table alone
    changes: list[SchemaChange]


class CatalogSync:
    def __init__(self, catalog: DataCatalog, crawler: str, policy: CrawlPolicy, result: CrawlResult) -> None:
        self.catalog, self.crawler, self.policy, self.result = catalog, crawler, policy, result
        self.database = result.database_name

    def run(self, tables: list[CrawledTable], target_locations: list[str]) -> None:
        existing = {doc["Name"]: doc for doc in self.catalog.get_tables(self.database)}
        self._name_tables(tables, existing)
        plans = [self._plan(table, existing.get(table.name)) for table in tables]
        if self.policy.mode == "merge":
            blocked = [c for plan in plans for c in plan.changes if not c.applied]
            if blocked:
                more = f" (and {len(blocked) - 1} more change(s))" if len(blocked) > 1 else ""
                raise CrawlerSchemaError(
                    f"CrawlerSchemaError: crawler {self.crawler}: table {self.database}.{blocked[0].table} "
                    f"{blocked[0].describe()}{more}; "
                    "SchemaChangePolicy UpdateBehavior UPDATE_IN_DATABASE applies it, LOG only reports it")
        for plan in plans:
            self._apply(plan)
        crawled = {table.name for table in tables}
        for doc in existing.values():
            owned = doc.get("Parameters", {}).get("UPDATED_BY_CRAWLER") == self.crawler
            if owned and doc["Name"] not in crawled and _location(doc).startswith(tuple(target_locations)):
                self._gone(doc)

    def _name_tables(self, tables: list[CrawledTable], existing: dict[str, GlueDocument]) -> None:
        used: set[str] = set()
        for table in tables:
            doc = existing.get(table.name)
            if table.name in used or (doc is not None and _location(doc).rstrip("/") != table.location.rstrip("/")):
                # Glue adds a hash of the location when a table name is taken elsewhere.
                digest = hashlib.sha1(table.location.encode(), usedforsecurity=False).hexdigest()[:8]
                self.result.warnings.append(
                    f"table name {table.name} is taken; {table.location} is {table.name}_{digest}")
                table.name = f"{table.name}_{digest}"
            used.add(table.name)

    def _plan(self, table: CrawledTable, current: GlueDocument | None) -> _Plan:
        desired = table_input(table, self.crawler)
        if current is None:
            return _Plan(table, None, desired, [])
        mode = self.policy.mode
        changes = diff(table.name, current, desired, table.schema.classification, strict=mode == "replace")
        deprecated = DEPRECATED in current.get("Parameters", {})
        if mode == "log":
            return _Plan(table, current, None, changes)
        if mode == "replace":
            document = {**desired, **({"Description": current["Description"]} if "Description" in current else {})}
            applied = [replace(c, applied=True) for c in changes]
            return _Plan(table, current, document if changes or deprecated else None, applied)
        added = [replace(c, applied=True) for c in changes if c.kind == "new_column"]
        if not added and not deprecated:
            return _Plan(table, current, None, changes)
        document = table_input_of(current)
        descriptor = {**document["StorageDescriptor"]}
        descriptor["Columns"] = [*descriptor.get("Columns", []), *({"Name": c.column, "Type": c.new} for c in added)]
        parameters = {k: v for k, v in document.get("Parameters", {}).items() if k != DEPRECATED}
        document |= {"StorageDescriptor": descriptor, "Parameters": parameters}
        return _Plan(table, current, document, added + [c for c in changes if c.kind != "new_column"])

    def _apply(self, plan: _Plan) -> None:
        name, result = plan.table.name, self.result
        result.schema_changes += plan.changes
        table_doc = plan.document or plan.current or {}
        add, update, remove = self._partition_changes(plan, table_doc)
        if plan.current is None:
            # A new table with all its partitions: one change for readers where the catalog can (publish.py).
            errors = create_table_with_partitions(self.catalog, self.database, plan.document or {}, add + update)
            result.tables_created.append(name)
        else:
            if plan.document is not None:
                self._update_table(plan.document, plan.current.get("VersionId"))
                result.tables_updated.append(name)
            else:
                result.tables_unchanged.append(name)
            errors = change_partitions(self.catalog, self.database, name, add + update, remove)
        for error in errors:
            result.warnings.append(f"table {name}: partition {error.get('PartitionValues')} not written: "
                                   f"{error.get('ErrorDetail', {}).get('ErrorMessage', error)}")
        if remove:
            result.partitions_removed[name] = remove
        for listing, listed in ((result.partitions_added, add), (result.partitions_updated, update)):
            if listed:
                listing[name] = [p["Values"] for p in listed]

    def _partition_changes(
        self, plan: _Plan, table_doc: GlueDocument
    ) -> tuple[list[GlueDocument], list[GlueDocument], list[list[str]]]:
        """(partitions to add, to update, values to remove) to bring the table's set to the folders."""
        table, name = plan.table, plan.table.name
        keys_now = [k["Name"] for k in table_doc.get("PartitionKeys", [])]
        if keys_now != table.partition_keys:
            if table.partitions:  # only under LOG: the table kept keys the folders no longer have
                self.result.warnings.append(f"table {name}: partitions not registered, the table's keys "
                                            f"{keys_now} differ from the folders' {table.partition_keys}")
            return [], [], []
        have = {tuple(p["Values"]): p for p in self.catalog.get_partitions(self.database, name)} if plan.current else {}
        remove: list[list[str]] = []
        if plan.current is not None and [k["Name"] for k in plan.current.get("PartitionKeys", [])] != keys_now:
            remove, have = [list(v) for v in have], {}  # new keys: the old partitions mean something else
        add, update = [], []
        for part in table.partitions:
            want = partition_input(part, table_doc, table.schema, self.crawler, self.policy.inherit_from_table)
            old = have.get(tuple(part.values))
            if old is None:
                add.append(want)
            elif self.policy.mode != "log" and _partition_state(old) != _partition_state(want):
                update.append(want)
        found = {tuple(p.values) for p in table.partitions}
        gone = [list(values) for values in have if values not in found]
        if self.policy.delete_behavior == "DELETE_FROM_DATABASE":
            remove += gone
        elif gone:
            self.result.partitions_missing[name] = gone
        return add, update, remove

    def _gone(self, doc: GlueDocument) -> None:
        """A table this crawler made whose files are all gone."""
        name, behavior = doc["Name"], self.policy.delete_behavior
        if behavior == "LOG" or DEPRECATED in doc.get("Parameters", {}):
            self.result.tables_missing.append(name)
            return
        if behavior == "DELETE_FROM_DATABASE":
            # The crawler writes through table updates only; dropping the table is left to DeleteTable.
            values = [p["Values"] for p in self.catalog.get_partitions(self.database, name)]
            change_partitions(self.catalog, self.database, name, [], values)
            if values:
                self.result.partitions_removed[name] = values
            self.result.warnings.append(f"table {name}: its files are gone; partitions removed and the table "
                                        "marked deprecated (drop it with DeleteTable)")
        document = table_input_of(doc)
        document["Parameters"] = {**doc.get("Parameters", {}), DEPRECATED: str(int(datetime.now(UTC).timestamp()))}
        self._update_table(document, doc.get("VersionId"))
        self.result.tables_deprecated.append(name)

    def _update_table(self, document: GlueDocument, version_id: str | None) -> None:
        # Passing the VersionId read makes a concurrent change fail loudly instead of being overwritten.
        self.catalog.update_table(self.database, document, version_id=version_id)


# -- Glue documents ------------------------------------------------------------------------

def crawler_parameters(fmt: FileSchema, crawler: str) -> dict[str, str]:
    """The table properties Glue's crawler sets (the stable ones; sizes go on partitions)."""
    params = {"CrawlerSchemaDeserializerVersion": "1.0", "CrawlerSchemaSerializerVersion": "1.0",
              "UPDATED_BY_CRAWLER": crawler, "classification": fmt.classification,
              "compressionType": "none", "typeOfData": "file"}
    if fmt.csv is not None:
        params |= {"areColumnsQuoted": str(fmt.csv.quoted).lower(), "columnsOrdered": "true",
                   "delimiter": fmt.csv.delimiter}
        if fmt.csv.header:
            params["skip.header.line.count"] = "1"
    return params


def descriptor(fmt: FileSchema, columns: Columns, location: str, params: dict[str, str]) -> GlueDocument:
    if fmt.csv is None:
        formats = (PARQUET_INPUT, PARQUET_OUTPUT, {"SerializationLibrary": PARQUET_SERDE,
                                                    "Parameters": {"serialization.format": "1"}})
    elif fmt.csv.quoted:
        formats = (TEXT_INPUT, TEXT_OUTPUT, {"SerializationLibrary": OPEN_CSV_SERDE, "Parameters": {
            "separatorChar": fmt.csv.delimiter, "quoteChar": '"', "escapeChar": "\\"}})
    else:
        formats = (TEXT_INPUT, TEXT_OUTPUT, {"SerializationLibrary": LAZY_SIMPLE_SERDE,
                                             "Parameters": {"field.delim": fmt.csv.delimiter}})
    return {"Columns": [{"Name": n, "Type": t} for n, t in columns], "Location": location,
            "InputFormat": formats[0], "OutputFormat": formats[1], "SerdeInfo": formats[2],
            "Compressed": False, "NumberOfBuckets": -1, "BucketColumns": [], "SortColumns": [],
            "Parameters": dict(params), "StoredAsSubDirectories": False}


def table_input(table: CrawledTable, crawler: str) -> GlueDocument:
    params = crawler_parameters(table.schema, crawler)
    return {"Name": table.name, "TableType": "EXTERNAL_TABLE", "Retention": 0, "Parameters": params,
            "PartitionKeys": [{"Name": key, "Type": "string"} for key in table.partition_keys],
            "StorageDescriptor": descriptor(table.schema, table.schema.columns, table.location, params)}


def partition_input(part: Partition, table_doc: GlueDocument, fmt: FileSchema, crawler: str,
                    inherit: bool) -> GlueDocument:
    """A partition typed like its table: all its columns (InheritFromTable) or those its files hold."""
    table_columns = tuple((c["Name"], c["Type"]) for c in table_doc["StorageDescriptor"]["Columns"])
    own = {name for name, _ in part.columns}
    columns = table_columns if inherit else tuple(c for c in table_columns if c[0] in own)
    params = crawler_parameters(fmt, crawler) | {"objectCount": str(part.object_count), "sizeKey": str(part.size)}
    if part.record_count is not None:
        params["recordCount"] = str(part.record_count)
    return {"Values": list(part.values), "Parameters": params,
            "StorageDescriptor": descriptor(fmt, columns, part.location, params)}


def diff(table: str, current: GlueDocument, desired: GlueDocument, classification: str,
         *, strict: bool) -> list[SchemaChange]:
    """How the crawled schema differs from the catalog's; `strict` reports types Athena could still read."""
    old = {c["Name"]: c["Type"] for c in current.get("StorageDescriptor", {}).get("Columns", [])}
    new = {c["Name"]: c["Type"] for c in desired["StorageDescriptor"]["Columns"]}
    changes = [SchemaChange(table, "new_column", n, new=t) for n, t in new.items() if n not in old]
    changes += [SchemaChange(table, "type_changed", n, old[n], t) for n, t in new.items()
                if n in old and old[n] != t and (strict or not readable_as(old[n], t, classification))]
    changes += [SchemaChange(table, "column_removed", n, old=t) for n, t in old.items() if n not in new]
    old_keys = ",".join(k["Name"] for k in current.get("PartitionKeys", []))
    new_keys = ",".join(k["Name"] for k in desired["PartitionKeys"])
    if old_keys != new_keys:
        changes.append(SchemaChange(table, "partition_keys_changed", "", old_keys or "none", new_keys or "none"))
    if _format(current) != _format(desired):
        changes.append(SchemaChange(table, "format_changed", "", *(json.dumps(_format(d)) for d in (current, desired))))
    return changes


def _format(doc: GlueDocument) -> tuple[Any, ...]:
    params, serde = doc.get("Parameters", {}), doc.get("StorageDescriptor", {}).get("SerdeInfo", {})
    return (params.get("classification"), serde.get("SerializationLibrary"), serde.get("Parameters", {}),
            params.get("skip.header.line.count"))


def _partition_state(doc: GlueDocument) -> tuple[Any, ...]:
    sd = doc.get("StorageDescriptor", {})
    columns = [(c["Name"], c["Type"]) for c in sd.get("Columns", [])]
    return sd.get("Location"), columns, sd.get("InputFormat"), sd.get("SerdeInfo"), doc.get("Parameters", {})


def _location(doc: GlueDocument) -> str:
    return str(doc.get("StorageDescriptor", {}).get("Location", ""))
