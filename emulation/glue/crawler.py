"""AWS Glue crawlers on our object store: infer tables from files and keep the catalog in step.

A definition is Glue's CreateCrawler request (Name, DatabaseName, Targets.S3Targets with
Path and Exclusions, SchemaChangePolicy, Configuration, TablePrefix); `start_crawler`
runs it synchronously and returns what it did.

Grouping follows Glue: a folder whose files (possibly under sub-folders of equal depth)
share a format is one table named after the folder; `k=v` sub-folders are partition
keys `k` (typed string, as Glue types them), other sub-folders become partition_0,
partition_1… when their schemas are ~70% alike, and separate tables when not.

Schema changes on an existing table (the default is stricter than Glue's, on purpose):
- no UpdateBehavior, or Configuration Tables.AddOrUpdateBehavior = MergeNewColumns:
  new columns are appended (a new table version); a changed type, a removed column,
  changed partition keys or a changed format raise CrawlerSchemaError, before any write;
- UpdateBehavior UPDATE_IN_DATABASE without MergeNewColumns: the inferred schema replaces it;
- UpdateBehavior LOG: existing tables stay as they are; changes are only reported.
New tables and partitions are added whatever the policy, as in Glue. DeleteBehavior
(default DEPRECATE_IN_DATABASE, as in Glue) governs partitions and tables whose files are gone.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa

from emulation.glue.crawler_catalog import (
    CatalogSync,
    CrawledTable,
    CrawlerSchemaError,
    CrawlResult,
    Partition,
    SchemaChange,
)
from emulation.glue.crawler_schema import (
    SAMPLE_BYTES,
    FileSchema,
    column_name,
    csv_schema,
    merge,
    parquet_schema,
    similar,
)
from lakehouse.errors import EntityNotFoundException, InvalidInputException
from lakehouse.keys import validate_bucket_name, validate_prefix
from lakehouse.ports.catalog import DataCatalog, GlueDocument
from lakehouse.ports.object_store import ObjectStore

__all__ = ["CrawlPolicy", "CrawlResult", "Crawler", "CrawlerSchemaError", "InvalidInputException", "SchemaChange"]

_UPDATE_BEHAVIORS = ("LOG", "UPDATE_IN_DATABASE")
_DELETE_BEHAVIORS = ("LOG", "DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE")
_HIVE_FOLDER = re.compile(r"([^=]+)=(.*)")
_PARQUET_SUFFIXES = (".parquet", ".parq")
_TEXT_SUFFIXES = (".csv", ".tsv", ".psv", ".txt", ".dat")


@dataclass(frozen=True)
class CrawlPolicy:
    """SchemaChangePolicy and Configuration, reduced to what the crawl does."""

    mode: str  # "merge" (the default), "replace" or "log"
    delete_behavior: str
    inherit_from_table: bool  # partitions list all the table's columns (Partitions: InheritFromTable)

    @classmethod
    def from_definition(cls, definition: GlueDocument) -> CrawlPolicy:
        policy = definition.get("SchemaChangePolicy") or {}
        update, delete = policy.get("UpdateBehavior"), policy.get("DeleteBehavior", "DEPRECATE_IN_DATABASE")
        if update is not None and update not in _UPDATE_BEHAVIORS:
            raise InvalidInputException(f"InvalidInputException: UpdateBehavior {update!r} is not one of "
                                        f"{', '.join(_UPDATE_BEHAVIORS)}")
        if delete not in _DELETE_BEHAVIORS:
            raise InvalidInputException(f"InvalidInputException: DeleteBehavior {delete!r} is not one of "
                                        f"{', '.join(_DELETE_BEHAVIORS)}")
        raw = definition.get("Configuration") or "{}"
        try:
            output = (json.loads(raw) if isinstance(raw, str) else raw).get("CrawlerOutput", {})
        except (json.JSONDecodeError, AttributeError) as err:
            raise InvalidInputException(
                f"InvalidInputException: crawler Configuration is not a JSON object: {err}") from err
        merge_new = output.get("Tables", {}).get("AddOrUpdateBehavior") == "MergeNewColumns"
        inherit = output.get("Partitions", {}).get("AddOrUpdateBehavior") == "InheritFromTable"
        mode = "log" if update == "LOG" else "replace" if update == "UPDATE_IN_DATABASE" and not merge_new else "merge"
        return cls(mode, delete, inherit)


@dataclass(frozen=True)
class _File:
    key: str
    folders: tuple[str, ...]  # relative to the include path
    size: int
    schema: FileSchema


class Crawler:
    def __init__(self, store: ObjectStore, catalog: DataCatalog) -> None:
        self.store = store
        self.catalog = catalog

    def start_crawler(self, definition: GlueDocument) -> CrawlResult:
        """Crawl every S3 target, then write tables and partitions per the definition's policy."""
        started = time.monotonic()
        name, database = _required(definition, "Name"), _required(definition, "DatabaseName")
        policy = CrawlPolicy.from_definition(definition)
        result = CrawlResult(name, database)
        targets = [_target(t) for t in (definition.get("Targets") or {}).get("S3Targets") or []]
        if not targets:
            raise InvalidInputException(f"InvalidInputException: crawler {name} has no Targets.S3Targets")
        tables: list[CrawledTable] = []
        table_prefix = str(definition.get("TablePrefix") or "")
        for bucket, prefix, exclusions in targets:
            files = self._discover(bucket, prefix, exclusions, result.warnings)
            for root, members in _group(files, (), result.warnings):
                tables.append(_table(bucket, prefix, root, members, table_prefix, result.warnings))
        if not tables:
            result.warnings.append(f"no Parquet or CSV files under {', '.join(f's3://{b}/{p}' for b, p, _ in targets)}")
        self._ensure_database(database)
        locations = [f"s3://{b}/{p}" for b, p, _ in targets]
        CatalogSync(self.catalog, name, policy, result).run(tables, locations)
        result.runtime_seconds = time.monotonic() - started
        return result

    def _ensure_database(self, database: str) -> None:
        # Glue's crawler creates its output database when it is missing.
        try:
            self.catalog.get_database(database)
        except EntityNotFoundException:
            self.catalog.create_database({"Name": database})

    # -- reading the files -----------------------------------------------------------
    def _discover(self, bucket: str, prefix: str, exclusions: list[str], warnings: list[str]) -> list[_File]:
        excluded = [_glob(pattern) for pattern in exclusions]
        files = []
        for info in self.store.list_objects_v2(bucket, prefix):
            relative = info.key[len(prefix):]
            parts = relative.split("/")
            # Hidden and bookkeeping objects (_SUCCESS, _temporary/, .crc, folder markers) are no data.
            if relative.endswith("/") or relative.endswith("_$folder$") or any(p[:1] in ("_", ".") for p in parts):
                continue
            if any(rx.fullmatch(relative) for rx in excluded):
                continue
            where = f"s3://{bucket}/{info.key}"
            if info.size == 0:
                warnings.append(f"{where}: empty object skipped")
                continue
            try:
                found = self._read_schema(bucket, info.key, info.size)
            except (pa.ArrowException, OSError) as err:
                warnings.append(f"{where}: unreadable ({err}); skipped")
                continue
            if found is None:
                warnings.append(f"{where}: not Parquet or CSV (classification UNKNOWN); skipped")
                continue
            files.append(_File(info.key, tuple(parts[:-1]), info.size, found))
        return files

    def _read_schema(self, bucket: str, key: str, size: int) -> FileSchema | None:
        name = key.rsplit("/", 1)[-1].lower()
        if name.endswith(_PARQUET_SUFFIXES):
            return self._parquet(bucket, key)
        if not name.endswith(_TEXT_SUFFIXES) and "." in name:
            return None  # JSON, Avro, ORC, compressed files…: formats this crawler does not classify
        head = self._head(bucket, key)
        if head[:4] == b"PAR1":
            return self._parquet(bucket, key)
        return csv_schema(head, truncated=size > len(head))

    def _parquet(self, bucket: str, key: str) -> FileSchema:
        if self.store.LOCAL_PATHS:
            return parquet_schema(self.store.local_path(bucket, key))
        # The port has no range reads: a remote file is fetched whole to read its footer.
        with tempfile.TemporaryDirectory(prefix="crawler-") as folder:
            path = Path(folder, "object.parquet")
            self.store.download_file(bucket, key, path)
            return parquet_schema(path)

    def _head(self, bucket: str, key: str) -> bytes:
        if self.store.LOCAL_PATHS:
            with self.store.local_path(bucket, key).open("rb") as handle:
                return handle.read(SAMPLE_BYTES)
        return self.store.get_object(bucket, key)[: SAMPLE_BYTES]


# -- grouping files into tables ---------------------------------------------------------

def _group(files: list[_File], root: tuple[str, ...], warnings: list[str]) -> list[tuple[tuple[str, ...], list[_File]]]:
    """Split files into (table root folder, files) pairs, descending until each is one table."""
    if not files:
        return []
    children_names = {f.folders[len(root)] for f in files if len(f.folders) > len(root)}
    if len(children_names) == 1 and all(len(f.folders) > len(root) for f in files):
        only = children_names.pop()
        if not _HIVE_FOLDER.fullmatch(only):
            return _group(files, (*root, only), warnings)  # a folder holding one folder is not a table
    if _one_table(files, len(root)):
        return [(root, files)]
    groups = []
    direct = [f for f in files if len(f.folders) == len(root)]
    if direct:
        warnings.append(f"files directly in /{'/'.join(root)} differ from its sub-folders: they form a table "
                        "whose location also covers the sub-folders' tables")
        groups.append((root, direct))
    children: dict[str, list[_File]] = {}
    for f in files:
        if len(f.folders) > len(root):
            children.setdefault(f.folders[len(root)], []).append(f)
    for child in sorted(children):
        groups += _group(children[child], (*root, child), warnings)
    return groups


def _one_table(files: list[_File], depth: int) -> bool:
    depths = {len(f.folders) for f in files}
    if depths == {depth}:
        return True  # files in one folder: one table (a minority format is dropped in _table)
    if len(depths) > 1 or len({f.schema.format_key for f in files}) > 1:
        return False
    levels = range(depth, depths.pop())
    if all(_hive_key(files, level) for level in levels):
        return True  # k=v folders say outright that they are partitions
    distinct = list({f.schema.columns for f in files})
    return all(similar(a, b) for a, b in combinations(distinct, 2))


def _hive_key(files: list[_File], level: int) -> str | None:
    """The key when every folder at this level is `key=value` with the same key."""
    keys = {m.group(1) if (m := _HIVE_FOLDER.fullmatch(f.folders[level])) else None for f in files}
    key = keys.pop() if len(keys) == 1 else None
    return column_name(key) if key else None


def _table(bucket: str, prefix: str, root: tuple[str, ...], files: list[_File], table_prefix: str,
           warnings: list[str]) -> CrawledTable:
    location = f"s3://{bucket}/{prefix}" + "".join(f"{part}/" for part in root)
    formats = Counter(f.schema.format_key for f in files)
    if len(formats) > 1:
        keep = formats.most_common(1)[0][0]
        skipped = sum(f.schema.format_key != keep for f in files)
        warnings.append(f"{location}: {skipped} file(s) in another format than the rest skipped")
        files = [f for f in files if f.schema.format_key == keep]
    depth = len(root)
    keys = [_hive_key(files, depth + i) or f"partition_{i}" for i in range(len(files[0].folders) - depth)]
    hive = [_hive_key(files, depth + i) is not None for i in range(len(keys))]
    by_values: dict[tuple[str, ...], list[_File]] = {}
    for f in files:
        folders = f.folders[depth:]
        values = tuple(unquote(d.split("=", 1)[1]) if h else d for d, h in zip(folders, hive, strict=True))
        by_values.setdefault(values, []).append(f)
    first = files[0].schema
    if first.csv is not None:  # one quoted file makes the whole table need OpenCSVSerde
        first = replace(first, csv=replace(first.csv, quoted=any(f.schema.csv and f.schema.csv.quoted for f in files)))
    columns, conflicts = merge([f.schema.columns for f in files], first.classification)
    warnings += [f"{location}: {conflict}" for conflict in conflicts]
    # Writers such as Polars keep partition columns in the files too; Athena rejects a column
    # that is also a partition key, and reads the value from the folder anyway.
    columns = tuple(c for c in columns if c[0] not in keys)
    partitions = [
        Partition(list(values), location + "".join(f"{d}/" for d in members[0].folders[depth:]),
                  merge([f.schema.columns for f in members], first.classification)[0],
                  len(members), sum(f.size for f in members), _records(members))
        for values, members in sorted(by_values.items()) if keys
    ]
    folder = root[-1] if root else prefix.rstrip("/").rsplit("/", 1)[-1] or bucket
    name = table_prefix + (column_name(folder) or "table")
    return CrawledTable(name, location, FileSchema(first.classification, columns, first.csv), keys, partitions)


def _records(files: list[_File]) -> int | None:
    counts = [f.schema.record_count for f in files]
    return None if None in counts else sum(c for c in counts if c is not None)


# -- the definition ---------------------------------------------------------------------

def _required(definition: GlueDocument, key: str) -> str:
    value = definition.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidInputException(f"InvalidInputException: crawler definition needs {key}")
    return value


def _target(target: GlueDocument) -> tuple[str, str, list[str]]:
    """(bucket, prefix ending in '/' or empty, exclusion globs) of an S3Target."""
    path = str(target.get("Path", ""))
    if not path.startswith("s3://"):
        raise InvalidInputException(f"InvalidInputException: S3Target Path {path!r} is not an s3:// URI")
    bucket, _, prefix = path.removeprefix("s3://").partition("/")
    prefix = prefix if prefix == "" or prefix.endswith("/") else prefix + "/"
    validate_bucket_name(bucket)
    validate_prefix(prefix)
    return bucket, prefix, list(target.get("Exclusions") or [])


def _glob(pattern: str) -> re.Pattern[str]:
    """Glue's exclude globs, relative to the include path: `**` crosses folders, `*` does not."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] in "*?":
            out, i = out + ("[^/]*" if pattern[i] == "*" else "[^/]"), i + 1
        elif pattern[i] == "{" and "}" in pattern[i:]:
            end = pattern.index("}", i)
            out, i = out + "(" + "|".join(map(re.escape, pattern[i + 1:end].split(","))) + ")", end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)

