"""Athena SQL on DuckDB: tables resolve through the catalog to their Parquet files."""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import duckdb
from sqlglot import exp

from emulation.athena.api import AthenaApi
from emulation.athena.caching import BoundedCache, FileListings
from emulation.athena.guard import check_query, check_sql, lock_down
from emulation.athena.statements import handle_statement, relation_sql
from emulation.athena.statements_common import refuse_escaped_locations
from emulation.athena.statements_glue import sql_type
from lakehouse.config import Settings
from lakehouse.errors import EntityNotFoundException, QueryError
from lakehouse.ports.catalog import DataCatalog, GlueDocument
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.query_engine import QueryEngine, ResultSet
from lakehouse.sql.translate import TableReference, parse_athena, qualify_tables, referenced_tables, require_query, to_duckdb

_DECIMAL = re.compile(r"(?i)decimal\(\s*(?P<precision>\d+)\s*,\s*(?P<scale>\d+)\s*\)")
GLUE_TO_DUCKDB = {
    "string": "VARCHAR", "varchar": "VARCHAR", "bigint": "BIGINT", "int": "INTEGER", "integer": "INTEGER",
    "smallint": "SMALLINT", "tinyint": "TINYINT", "double": "DOUBLE", "float": "FLOAT", "date": "DATE",
    "timestamp": "TIMESTAMP", "boolean": "BOOLEAN",
}
DUCKDB_TO_ATHENA = {
    "VARCHAR": "varchar", "BIGINT": "bigint", "HUGEINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint",
    "TINYINT": "tinyint", "DOUBLE": "double", "FLOAT": "real", "DATE": "date", "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
}


class DuckDBQueryEngine(AthenaApi, QueryEngine):
    def __init__(self, catalog: DataCatalog, store: ObjectStore, settings: Settings) -> None:
        self.catalog = catalog
        self.store = store
        self.settings = settings
        self._connection: duckdb.DuckDBPyConnection | None = None
        # Kept between queries (see caching.py): guarded SELECT trees by text, translations,
        # the DuckDB view bodies created, table file listings; table definitions within one query.
        self._queries: BoundedCache[exp.Expression] = BoundedCache()
        self._references: BoundedCache[tuple[exp.Expression, list[TableReference]]] = BoundedCache()
        self._translations: BoundedCache[tuple[exp.Expression, str]] = BoundedCache()
        self._view_bodies: dict[tuple[str, str], str] = {}
        self.listings = FileListings(store)
        self._scope = threading.local()  # .tables: the current query's table definitions, per thread
        AthenaApi.__init__(self)  # executions, workgroups, named queries

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            self._connection = duckdb.connect(":memory:")
            if not self.store.LOCAL_PATHS:
                # Imported here: boto3 and httpfs serve S3-backed stores only, and importing
                # boto3 costs more than a local store's whole query (~0.15 s).
                from emulation.athena.duckdb_s3 import configure_s3

                configure_s3(self._connection, self.settings)
            lock_down(self._connection, self.store, self.settings)
        return self._connection

    def run_query(self, sql: str, parameters: Sequence[Any] = (), database: str | None = None) -> ResultSet:
        default_database = (database or self.settings.database).lower()
        tree = self.guarded(sql)
        with self.query_scope(isinstance(tree, exp.Query)):
            result = handle_statement(self, tree, parameters, default_database)
            if result is not None:
                return result
            require_query(tree)  # anything still unsupported is refused here
            return self.select(tree, parameters, default_database)

    def guarded(self, sql: str) -> exp.Expression:
        """The statement parsed and past the guard. SELECT trees are kept by their text (the guard's
        verdict depends on the text alone) and shared: callers copy before changing one."""
        cached = self._queries.get(sql)
        if cached is not None:
            return cached
        check_sql(sql)
        tree = parse_athena(sql)
        check_query(tree)
        if not isinstance(tree, exp.Query):
            refuse_escaped_locations(sql)
        if isinstance(tree, exp.Query):
            self._queries.put(sql, tree)
        return tree

    @contextmanager
    def query_scope(self, reading: bool = True) -> Iterator[None]:
        """Within one query each catalog table is looked up once (the outermost scope owns the memo).
        Not for statements that change the catalog (`reading=False`): they must see their own changes."""
        if getattr(self._scope, "tables", None) is not None or not reading:
            yield
            return
        self._scope.tables = {}
        try:
            yield
        finally:
            self._scope.tables = None

    def references(self, tree: exp.Expression, default_database: str) -> list[TableReference]:
        key = (id(tree), default_database)
        cached = self._references.get(key)
        if cached is not None and cached[0] is tree:
            return cached[1]
        return self._references.put(key, (tree, referenced_tables(tree, default_database)))[1]

    def select(self, tree: exp.Expression, parameters: Sequence[Any], default_database: str) -> ResultSet:
        """Run a parsed query: catalog tables become views, the tree is translated and executed."""
        return self.execute(self.translate(tree, default_database), parameters)

    def translate(self, tree: exp.Expression, default_database: str) -> str:
        """DuckDB SQL for a query, its catalog tables made views and their column types known to
        the translation (so an integer column divided by an integer column truncates, as in Athena)."""
        schema: dict[str, dict[str, dict[str, str]]] = {}
        for reference in self.references(tree, default_database):
            table = self._create_view(reference)
            schema.setdefault(reference.database, {})[reference.view_name] = column_types(table)
        key = (id(tree), default_database, json.dumps(schema, sort_keys=True))
        cached = self._translations.get(key)
        if cached is not None and cached[0] is tree:
            return cached[1]
        return self._translations.put(key, (tree, to_duckdb(qualify_tables(tree, default_database), schema)))[1]

    def execute(self, duckdb_sql: str, parameters: Sequence[Any] = ()) -> ResultSet:
        """Run translated SQL on the engine's DuckDB connection."""
        try:
            cursor = self.connection.execute(duckdb_sql, list(parameters))
            rows = cursor.fetchall()
        except duckdb.Error as exc:
            raise QueryError(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
        description = cursor.description or []
        return ResultSet(
            columns=[column[0] for column in description],
            types=[_athena_type(str(column[1])) for column in description],
            rows=rows,
        )

    def _create_view(self, reference: TableReference) -> GlueDocument:
        """Make the catalog table a DuckDB view named as qualify_tables names it; its definition."""
        try:
            table = self._table(reference)
        except EntityNotFoundException:
            raise QueryError(
                f"TABLE_NOT_FOUND: Table 'awsdatacatalog.{reference.database}.{reference.name}' does not exist"
            ) from None
        schema = exp.to_identifier(reference.database, quoted=True).sql("duckdb")
        view = exp.to_identifier(reference.view_name, quoted=True).sql("duckdb")
        # Views and text / JSON tables are read as statements_read says; Parquet tables by _scan.
        body = relation_sql(self, reference, table) or self._scan(table)
        if self._view_bodies.get((schema, view)) != body:  # the same body: the view is already there
            self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            self.connection.execute(f"CREATE OR REPLACE VIEW {schema}.{view} AS {body}")
            self._view_bodies[(schema, view)] = body
        return table

    def _table(self, reference: TableReference) -> GlueDocument:
        """The table's definition now, or at the version / time the query travels to."""
        memo: dict[TableReference, GlueDocument] | None = getattr(self._scope, "tables", None)
        if memo is not None and reference in memo:
            return memo[reference]
        table = self._table_now(reference)
        if memo is not None:
            memo[reference] = table
        return table

    def _table_now(self, reference: TableReference) -> GlueDocument:
        if reference.as_of is None:
            return self.catalog.get_table(reference.database, reference.name)
        kind, value = reference.as_of
        versions = self.catalog.get_table_versions(reference.database, reference.name)
        if kind == "VERSION":
            chosen = [v["Table"] for v in versions if v["VersionId"] == value]
        else:
            chosen = [v["Table"] for v in versions if str(v["Table"].get("UpdateTime", ""))[:19].replace("T", " ") <= value[:19]]
        if not chosen:
            raise QueryError(f"INVALID_TABLE_VERSION: {reference.name} has no version {kind.lower()} as of {value}")
        return {**chosen[0], "_as_of": value}  # versions are newest first

    def _scan(self, table: GlueDocument) -> str:
        descriptor = table["StorageDescriptor"]
        columns = descriptor["Columns"] + table.get("PartitionKeys", [])
        projection = ", ".join(
            f"CAST({_identifier(c['Name'])} AS {_duckdb_type(c['Type'])}) AS {_identifier(c['Name'])}" for c in columns
        )
        location = urlsplit(descriptor["Location"])
        bucket, prefix = location.netloc, location.path.lstrip("/")
        has_files = bool(self.listings.parquet_files(bucket, prefix))  # None: no bucket
        if not has_files and "lakehouse.snapshot_id" in table.get("Parameters", {}) and "_as_of" in table:
            raise QueryError(
                f"SNAPSHOT_EXPIRED: {table['Name']} version {table.get('VersionId')} points at a snapshot "
                "that is no longer kept (see --snapshots-to-keep)"
            )
        if not has_files:
            nulls = ", ".join(f"NULL AS {_identifier(c['Name'])}" for c in columns)
            return f"SELECT {projection} FROM (SELECT {nulls}) WHERE false"
        root = self.listings.root(bucket, prefix).rstrip("/")
        pattern = exp.Literal.string(f"{root}/**/*.parquet").sql("duckdb")
        partition_keys = table.get("PartitionKeys", [])
        if partition_keys and "_as_of" not in table:
            # Athena reads a partitioned table's registered partitions only: files under the
            # location whose partition was never added (or was dropped) are not the table's.
            files = self._registered_files(table)
            if not files:
                nulls = ", ".join(f"NULL AS {_identifier(c['Name'])}" for c in columns)
                return f"SELECT {projection} FROM (SELECT {nulls}) WHERE false"
            pattern = "[" + ", ".join(_literal(uri) for uri in files) + "]"
        if partition_keys:
            hive_types = ", ".join(f"{_literal(k['Name'])}: {_duckdb_type(k['Type'])}" for k in partition_keys)
            options = f"hive_partitioning=true, hive_types={{{hive_types}}}"
        else:
            options = "hive_partitioning=false"
        return f"SELECT {projection} FROM read_parquet({pattern}, {options}, union_by_name=true)"


    def _registered_files(self, table: GlueDocument) -> list[str]:
        """The Parquet files under the table's registered partition locations, in order."""
        files: list[str] = []
        for partition in self.catalog.get_partitions(table["DatabaseName"], table["Name"]):
            location = urlsplit(partition["StorageDescriptor"]["Location"])
            prefix = location.path.lstrip("/")
            listed = self.listings.parquet_files(location.netloc, prefix if prefix.endswith("/") else prefix + "/")
            files += sorted(listed or {})
        return files


@lru_cache(maxsize=4096)  # pure, and called for every column of every table a query reads
def _identifier(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


@lru_cache(maxsize=4096)  # pure, and called for every column of every table a query reads
def _literal(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def column_types(table: GlueDocument) -> dict[str, str]:
    """{column: Glue type} of a table's data columns and partition keys, for the translation."""
    columns = table.get("StorageDescriptor", {}).get("Columns", []) + table.get("PartitionKeys", [])
    return {c["Name"].lower(): c["Type"] for c in columns if c.get("Type")}


@lru_cache(maxsize=4096)  # pure, and called for every column of every table a query reads
def _duckdb_type(glue_type: str) -> str:
    simple = GLUE_TO_DUCKDB.get(glue_type.lower())
    if simple is not None:
        return simple
    if re.fullmatch(r"(?i)(var)?char\(\s*\d+\s*\)", glue_type):
        return "VARCHAR"
    decimal = _DECIMAL.fullmatch(glue_type)
    if decimal is not None:
        precision, scale = int(decimal["precision"]), int(decimal["scale"])
        if not 1 <= precision <= 38 or scale > precision:
            raise QueryError(f"NOT_SUPPORTED: column type {glue_type!r} (decimal precision 1-38, scale <= precision)")
        return f"DECIMAL({precision}, {scale})"
    if glue_type.lower().startswith(("array<", "map<", "struct<")):
        return sql_type(glue_type).sql("duckdb")  # nested types: Hive spelling as DuckDB's
    raise QueryError(f"NOT_SUPPORTED: column type {glue_type!r}")


def _athena_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.lower()
    return DUCKDB_TO_ATHENA.get(duckdb_type, duckdb_type.lower())
