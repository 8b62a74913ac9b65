"""Athena DDL on the Glue catalog: databases, external tables and views.

sqlglot parses these statements but its DuckDB output would drop what matters (EXTERNAL,
PARTITIONED BY, STORED AS, LOCATION, TBLPROPERTIES), so the parsed tree is read here and
turned into Glue documents shaped as Athena leaves them. Dropping a table never touches data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from emulation.athena.statements_common import (
    command_text, empty_result, find_table, is_view, new_name, qualified, require_database, require_named_columns,
    user_location,
)
from emulation.athena.statements_glue import (
    DEFAULT_TEXT_DELIMITER, FORMATS, PARQUET_INPUT, TEXT_INPUT, glue_type_from_athena, glue_type_of, literal_text,
    serde_format, table_document,
)
from emulation.athena.statements_read import VIEW_EXPANDED_TEXT, encode_view, view_dependencies
from lakehouse.errors import AlreadyExistsException, EntityNotFoundException, QueryError
from lakehouse.ports.catalog import GlueDocument
from lakehouse.ports.query_engine import ResultSet

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

# ROW FORMAT DELIMITED clauses -> LazySimpleSerDe parameters
_DELIMITED = {"fields": "field.delim", "escaped": "escape.delim", "collection_items": "collection.delim",
              "map_keys": "mapkey.delim", "lines": "line.delim", "null": "serialization.null.format"}
_DBPROPERTIES = re.compile(r"(?is)^\s*(.*?)\s+WITH\s+DBPROPERTIES\s*(\(.*\))\s*$")


# -- databases -------------------------------------------------------------------------------

def create_database(engine: DuckDBQueryEngine, tree: exp.Create, dbproperties: dict[str, str] | None = None) -> ResultSet:
    name = new_name((tree.this.name or tree.this.db).lower(), "database")  # SCHEMA x parses x as a db part
    document: GlueDocument = {"Name": name, "Parameters": dict(dbproperties or {})}
    for node in tree.args["properties"].expressions if tree.args.get("properties") else []:
        if isinstance(node, exp.SchemaCommentProperty):
            document["Description"] = literal_text(node.this, "COMMENT")
        elif isinstance(node, exp.LocationProperty):
            document["LocationUri"] = user_location(engine, literal_text(node.this, "LOCATION")).uri
        else:
            raise QueryError(f"NOT_SUPPORTED: database property {node.sql('hive')}")
    try:
        engine.catalog.create_database(document)
    except AlreadyExistsException:
        if not tree.args.get("exists"):
            raise QueryError(f"AlreadyExistsException: Database {name} already exists") from None
    return empty_result()


def create_database_command(engine: DuckDBQueryEngine, tree: exp.Command) -> ResultSet | None:
    """`CREATE DATABASE … WITH DBPROPERTIES (…)`, which sqlglot leaves as a Command."""
    match = _DBPROPERTIES.match(command_text(tree))
    if not match or not re.match(r"(?i)\s*(DATABASE|SCHEMA)\b", match.group(1)):
        return None
    try:
        head = sqlglot.parse_one(f"CREATE {match.group(1)}", read="athena")
        probe = sqlglot.parse_one(f"CREATE EXTERNAL TABLE _p (c int) TBLPROPERTIES {match.group(2)}", read="athena")
    except ParseError as exc:
        raise QueryError(f"SYNTAX_ERROR: {str(exc).splitlines()[0]}") from None
    pairs = {literal_text(p.this, "property"): literal_text(p.args.get("value"), "property")
             for p in probe.find_all(exp.Property) if type(p) is exp.Property}
    return create_database(engine, head, pairs) if isinstance(head, exp.Create) else None


def drop_database(engine: DuckDBQueryEngine, tree: exp.Drop) -> ResultSet:
    node = tree.args["tables"][0] if tree.args.get("tables") else tree.this
    name = (node.name or node.db).lower()
    try:
        tables = engine.catalog.get_tables(name)
    except EntityNotFoundException:
        if tree.args.get("exists"):
            return empty_result()
        raise QueryError(f"SCHEMA_NOT_FOUND: Schema '{name}' does not exist") from None
    if tables and not tree.args.get("cascade"):
        raise QueryError(f"InvalidOperationException: Database {name} is not empty. One or more tables exist.")
    engine.catalog.delete_database(name)  # tables' data stays where it is, as in Athena
    return empty_result()


# -- external tables ---------------------------------------------------------------------------

def create_external_table(engine: DuckDBQueryEngine, tree: exp.Create, default_database: str) -> ResultSet:
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        raise QueryError("SYNTAX_ERROR: CREATE EXTERNAL TABLE needs a column list: (name type, …)")
    database, name = qualified(schema.this, default_database)
    properties = tree.args["properties"].expressions if tree.args.get("properties") else []
    if not any(isinstance(p, exp.ExternalProperty) for p in properties):
        raise QueryError("NOT_SUPPORTED: only EXTERNAL tables are supported: CREATE EXTERNAL TABLE … LOCATION 's3://…'")
    new_name(name, "table")
    if find_table(engine, database, name) is not None:
        if tree.args.get("exists"):
            return empty_result()
        raise QueryError("AlreadyExistsException: Table already exists")
    columns = [_column(c) for c in schema.expressions]
    keys: list[GlueDocument] = []
    file_format, serde, serde_params, delimited = "TEXTFILE", None, {}, {}
    table_params: dict[str, str] = {}
    location = None
    for node in properties:
        if isinstance(node, exp.PartitionedByProperty):
            keys = [_column(c) for c in node.this.expressions]
        elif isinstance(node, exp.FileFormatProperty):
            file_format = _stored_as(node)
        elif isinstance(node, exp.RowFormatDelimitedProperty):
            delimited = {_DELIMITED[k]: literal_text(v, k) for k, v in node.args.items() if k in _DELIMITED and v}
        elif isinstance(node, exp.RowFormatSerdeProperty):
            serde = literal_text(node.this, "SERDE")
            serde_params |= _pairs(node.args.get("serde_properties"))
        elif isinstance(node, exp.SerdeProperties):
            serde_params |= _pairs(node)
        elif isinstance(node, exp.LocationProperty):
            location = user_location(engine, literal_text(node.this, "LOCATION"))
        elif isinstance(node, exp.SchemaCommentProperty):
            table_params["comment"] = literal_text(node.this, "COMMENT")
        elif isinstance(node, exp.Property) and isinstance(node.this, exp.Literal):
            table_params[literal_text(node.this, "property")] = literal_text(node.args.get("value"), "property")
        elif not isinstance(node, exp.ExternalProperty):
            raise QueryError(f"NOT_SUPPORTED: {node.sql('hive')}")
    if location is None:
        raise QueryError("SYNTAX_ERROR: CREATE EXTERNAL TABLE needs LOCATION 's3://bucket/prefix/'")
    names = [c["Name"] for c in columns + keys]
    if len(set(names)) != len(names):
        raise QueryError(f"SYNTAX_ERROR: Column names must be unique (columns and partition keys): {', '.join(names)}")
    fmt = FORMATS[serde_format(serde) if serde else file_format]
    if fmt.name == "TEXTFILE" and serde is None:
        delimiter = delimited.get("field.delim", DEFAULT_TEXT_DELIMITER)
        serde_params = {**delimited, "field.delim": delimiter, "serialization.format": delimiter, **serde_params}
    elif fmt.name == "PARQUET":
        serde_params = {"serialization.format": "1", **serde_params}
    document = table_document(name, columns, keys, location.uri, fmt, serde, serde_params,
                              {"classification": fmt.classification, **table_params})
    try:
        engine.catalog.create_table(database, document)
    except AlreadyExistsException:
        raise QueryError("AlreadyExistsException: Table already exists") from None
    return empty_result()


def drop_table(engine: DuckDBQueryEngine, tree: exp.Drop, default_database: str) -> ResultSet:
    for node in tree.args.get("tables") or [tree.this]:
        database, name = qualified(node, default_database)
        table = find_table(engine, database, name)
        if table is None:
            if tree.args.get("exists"):
                continue
            raise QueryError(f"TABLE_NOT_FOUND: Table 'awsdatacatalog.{database}.{name}' does not exist")
        if is_view(table):
            raise QueryError(f"SYNTAX_ERROR: '{database}.{name}' is a view, not a table: use DROP VIEW")
        engine.catalog.delete_table(database, name)  # catalog only: an external table's files stay
    return empty_result()


def _column(node: exp.Expression) -> GlueDocument:
    if not isinstance(node, exp.ColumnDef) or not isinstance(node.args.get("kind"), exp.DataType):
        raise QueryError(f"SYNTAX_ERROR: expected 'name type', got {node.sql('hive')}")
    column: GlueDocument = {"Name": node.name.lower(), "Type": glue_type_of(node.args["kind"])}
    for constraint in node.args.get("constraints") or []:
        if isinstance(constraint.kind, exp.CommentColumnConstraint):
            column["Comment"] = literal_text(constraint.kind.this, "COMMENT")
    return column


def _stored_as(node: exp.FileFormatProperty) -> str:
    if isinstance(node.this, exp.InputOutputFormat):
        given = literal_text(node.this.args.get("input_format"), "INPUTFORMAT")
        known = {PARQUET_INPUT: "PARQUET", TEXT_INPUT: "TEXTFILE"}
        if given not in known:
            raise QueryError(f"NOT_SUPPORTED: INPUTFORMAT '{given}'")
        return known[given]
    stored = node.name.upper()
    if stored not in ("PARQUET", "TEXTFILE"):
        raise QueryError(f"NOT_SUPPORTED: STORED AS {stored} (supported here: PARQUET, TEXTFILE, JSON SerDes)")
    return stored


def _pairs(node: exp.Expression | None) -> dict[str, str]:
    return {literal_text(p.this, "property"): literal_text(p.args.get("value"), "property")
            for p in (node.expressions if node else [])}


# -- views -------------------------------------------------------------------------------------

def create_view(engine: DuckDBQueryEngine, tree: exp.Create, parameters: Sequence[Any], default_database: str) -> ResultSet:
    database, name = qualified(tree.this, default_database)
    new_name(name, "view")
    require_database(engine, database)
    query = tree.expression.unnest() if isinstance(tree.expression, exp.Subquery) else tree.expression
    if not isinstance(query, exp.Query):
        raise QueryError("SYNTAX_ERROR: CREATE VIEW needs a query")
    require_named_columns(query)
    if parameters or query.find(exp.Placeholder):
        raise QueryError("NOT_SUPPORTED: a view cannot take execution parameters")
    existing = find_table(engine, database, name)
    if existing is not None and not is_view(existing):
        raise QueryError(f"AlreadyExistsException: Table already exists: '{database}.{name}' is a table, not a view")
    if existing is not None and not tree.args.get("replace"):
        raise QueryError("AlreadyExistsException: View already exists")
    if (database, name) in view_dependencies(engine, query, default_database):
        raise QueryError(f"VIEW_IS_RECURSIVE: View 'awsdatacatalog.{database}.{name}' is recursive")
    # Analysed like Athena does before storing it: the columns and their types come from the query.
    probe = engine.select(exp.select("*").from_(query.copy().subquery("_view")).limit(0), [], default_database)
    columns = list(zip(probe.columns, probe.types))
    document: GlueDocument = {
        "Name": name, "TableType": "VIRTUAL_VIEW", "Retention": 0, "PartitionKeys": [],
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        # Unqualified tables resolve in the database the view was created from.
        "ViewOriginalText": encode_view(query.sql(dialect="athena"), default_database, columns),
        "ViewExpandedText": VIEW_EXPANDED_TEXT,
        "StorageDescriptor": {
            "Columns": [{"Name": c, "Type": _view_type(c, t)} for c, t in columns], "Location": "",
            "SerdeInfo": {}, "Compressed": False, "NumberOfBuckets": 0, "BucketColumns": [], "SortColumns": [],
            "Parameters": {}, "StoredAsSubDirectories": False,
        },
    }
    if existing is None:
        try:
            engine.catalog.create_table(database, document)
        except AlreadyExistsException:
            raise QueryError("AlreadyExistsException: View already exists") from None
    else:
        engine.catalog.update_table(database, document, version_id=existing.get("VersionId"))
    return empty_result()


def drop_view(engine: DuckDBQueryEngine, tree: exp.Drop, default_database: str) -> ResultSet:
    for node in tree.args.get("tables") or [tree.this]:
        database, name = qualified(node, default_database)
        view = find_table(engine, database, name)
        if view is None:
            if tree.args.get("exists"):
                continue
            raise QueryError(f"TABLE_NOT_FOUND: View 'awsdatacatalog.{database}.{name}' does not exist")
        if not is_view(view):
            raise QueryError(f"SYNTAX_ERROR: '{database}.{name}' is a table, not a view: use DROP TABLE")
        engine.catalog.delete_table(database, name)
    return empty_result()


def _view_type(column: str, athena_type: str) -> str:
    try:
        return glue_type_from_athena(column, athena_type)
    except QueryError:
        return athena_type  # kept as Athena names it; the view's SQL is what is read

