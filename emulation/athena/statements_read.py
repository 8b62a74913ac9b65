"""How the engine reads what its Parquet scan cannot: views (expanded SQL) and text / JSON tables.

`relation_sql` is the engine's hook: `_create_view` asks it first for the body of the DuckDB
view standing for a catalog table, and falls back to its own Parquet scan on None.
Views are stored as Athena stores them (a "Presto View" in ViewOriginalText); their SQL is
parsed, translated and resolved in the view's own database, recursively.
"""

from __future__ import annotations

import base64
import binascii
import json
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlglot import exp

from emulation.athena.statements_common import HIVE_DEFAULT_PARTITION, is_view
from emulation.athena.statements_glue import DEFAULT_TEXT_DELIMITER, format_of, sql_type
from emulation.glue.crawler_catalog import OPEN_CSV_SERDE
from lakehouse.errors import EntityNotFoundException, InvalidObjectKey, QueryError
from lakehouse.keys import validate_bucket_name, validate_prefix
from lakehouse.ports.catalog import GlueDocument
from lakehouse.sql.translate import TableReference, parse_athena, referenced_tables

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

VIEW_PREFIX = "/* Presto View: "
VIEW_SUFFIX = " */"
VIEW_EXPANDED_TEXT = "/* Presto View */"
MAX_VIEW_DEPTH = 32
# Views being expanded in this thread of control, outermost first: a repeat is a cycle.
_expanding: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("athena_views_expanding", default=())


def relation_sql(engine: DuckDBQueryEngine, reference: TableReference, table: GlueDocument) -> str | None:
    """DuckDB SQL for a view or a text / JSON table; None for Parquet tables (the engine's own scan)."""
    if is_view(table):
        return _view_sql(engine, reference, table)
    try:
        fmt = format_of(table)
    except QueryError:
        return None  # not a format read here: the engine's scan answers as it can
    return None if fmt == "PARQUET" else _text_scan(engine, table)


# -- views -------------------------------------------------------------------------------

def encode_view(sql: str, database: str, columns: list[tuple[str, str]]) -> str:
    """ViewOriginalText as Athena writes it: the view definition as base64 JSON in a comment."""
    definition = {"originalSql": sql, "catalog": "awsdatacatalog", "schema": database,
                  "columns": [{"name": name, "type": kind} for name, kind in columns]}
    payload = base64.b64encode(json.dumps(definition).encode()).decode()
    return f"{VIEW_PREFIX}{payload}{VIEW_SUFFIX}"


def decode_view(table: GlueDocument) -> dict[str, Any]:
    text = str(table.get("ViewOriginalText", ""))
    if not (text.startswith(VIEW_PREFIX) and text.endswith(VIEW_SUFFIX)):
        raise QueryError(f"NOT_SUPPORTED: view '{table.get('Name')}' is not an Athena (Presto) view")
    try:
        definition: dict[str, Any] = json.loads(base64.b64decode(text[len(VIEW_PREFIX):-len(VIEW_SUFFIX)]))
    except (binascii.Error, ValueError):
        raise QueryError(f"INVALID_VIEW: view '{table.get('Name')}' has an unreadable definition") from None
    return definition


def view_dependencies(engine: DuckDBQueryEngine, tree: exp.Expression, database: str) -> set[tuple[str, str]]:
    """Every (database, view) a query reaches through views, to refuse a recursive view."""
    found: set[tuple[str, str]] = set()
    pending = [(tree, database)]
    while pending:
        node, db = pending.pop()
        for reference in referenced_tables(node, db):
            key = (reference.database, reference.name)
            if key in found:
                continue
            try:
                table = engine.catalog.get_table(*key)
            except EntityNotFoundException:  # reported when the query runs
                continue
            if is_view(table):
                found.add(key)
                definition = decode_view(table)
                pending.append((parse_athena(definition["originalSql"]), definition.get("schema") or key[0]))
    return found


def _view_sql(engine: DuckDBQueryEngine, reference: TableReference, table: GlueDocument) -> str:
    key = (reference.database, reference.name)
    if reference.as_of is not None:
        raise QueryError(f"NOT_SUPPORTED: view '{key[0]}.{key[1]}' has no versions to travel to")
    stack = _expanding.get()
    if key in stack or len(stack) >= MAX_VIEW_DEPTH:
        raise QueryError(f"VIEW_IS_RECURSIVE: View 'awsdatacatalog.{key[0]}.{key[1]}' is recursive")
    definition = decode_view(table)
    tree = parse_athena(definition["originalSql"])
    database = str(definition.get("schema") or reference.database)
    token = _expanding.set((*stack, key))
    try:
        return engine.translate(tree, database)  # the tables (and views) the view reads, in its own database
    finally:
        _expanding.reset(token)


# -- text and JSON tables ------------------------------------------------------------------

def _text_scan(engine: DuckDBQueryEngine, table: GlueDocument) -> str:
    """Text / JSON files of the table, or of its registered partitions only (as Athena reads them)."""
    descriptor = table["StorageDescriptor"]
    columns, keys = descriptor["Columns"], table.get("PartitionKeys", [])
    types = {c["Name"]: sql_type(c["Type"]).sql("duckdb") for c in [*columns, *keys]}
    if not keys:
        parts = [(descriptor["Location"], [])]
    else:
        partitions = engine.catalog.get_partitions(table["DatabaseName"], table["Name"])
        parts = [(p["StorageDescriptor"]["Location"], p["Values"]) for p in partitions]
    selects = []
    for location, values in parts:
        files = _data_files(engine, location)
        if files:
            constants = [f"CAST({'NULL' if v == HIVE_DEFAULT_PARTITION else _literal(v)} AS {types[k['Name']]}) "
                         f"AS {_identifier(k['Name'])}" for k, v in zip(keys, values)]
            selects.append(f"SELECT {', '.join(_projection(table, types) + constants)} FROM {_source(table, files, types)}")
    if not selects:
        nulls = ", ".join(f"CAST(NULL AS {types[c['Name']]}) AS {_identifier(c['Name'])}" for c in [*columns, *keys])
        return f"SELECT {nulls} WHERE false"
    return " UNION ALL ".join(selects)


def _projection(table: GlueDocument, types: dict[str, str]) -> list[str]:
    columns = table["StorageDescriptor"]["Columns"]
    if format_of(table) == "JSON":
        return [_identifier(c["Name"]) for c in columns]
    # LazySimpleSerDe reads a value that does not parse as its column's type as NULL.
    return [f"TRY_CAST({_identifier(c['Name'])} AS {types[c['Name']]}) AS {_identifier(c['Name'])}" for c in columns]


def _source(table: GlueDocument, files: list[str], types: dict[str, str]) -> str:
    columns = table["StorageDescriptor"]["Columns"]
    listing = "[" + ", ".join(_literal(f) for f in files) + "]"
    if format_of(table) == "JSON":
        wanted = ", ".join(f"{_literal(c['Name'])}: {_literal(types[c['Name']])}" for c in columns)
        return f"read_json({listing}, format='newline_delimited', columns={{{wanted}}})"
    return f"read_csv({listing}, {_csv_options(table)}, columns={{{_all_varchar(columns)}}})"


def _csv_options(table: GlueDocument) -> str:
    serde = table["StorageDescriptor"]["SerdeInfo"]
    params = serde.get("Parameters", {})
    if serde["SerializationLibrary"] == OPEN_CSV_SERDE:
        delimiter, quote = params.get("separatorChar", ","), params.get("quoteChar", '"')
        escape, null = params.get("escapeChar", "\\"), None
    else:
        delimiter = params.get("field.delim", params.get("serialization.format", DEFAULT_TEXT_DELIMITER))
        quote, escape, null = "", params.get("escape.delim", ""), params.get("serialization.null.format", "\\N")
    skip = table.get("Parameters", {}).get("skip.header.line.count", "0")
    options = [f"delim={_literal(delimiter)}", f"quote={_literal(quote)}", f"escape={_literal(escape)}",
               "header=false", f"skip={int(skip) if skip.isdigit() else 0}", "auto_detect=false",
               "null_padding=true", "strict_mode=false"]
    if null is not None:
        options.append(f"nullstr={_literal(null)}")
    return ", ".join(options)


def _data_files(engine: DuckDBQueryEngine, location: str) -> list[str]:
    """Files under a table's location as engines address them; Hive skips `_` and `.` files."""
    parts = urlsplit(location)
    try:
        bucket, prefix = validate_bucket_name(parts.netloc), validate_prefix(parts.path.lstrip("/"))
    except InvalidObjectKey as exc:
        raise QueryError(f"INVALID_LOCATION: {exc}") from None
    if not engine.store.head_bucket(bucket):
        return []
    return [engine.store.uri(bucket, info.key) for info in engine.store.list_objects_v2(bucket, prefix)
            if info.size > 0 and not info.key.rsplit("/", 1)[-1].startswith(("_", "."))]


def _all_varchar(columns: list[GlueDocument]) -> str:
    return ", ".join(f"{_literal(c['Name'])}: 'VARCHAR'" for c in columns)


def _identifier(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def _literal(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")

