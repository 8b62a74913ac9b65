"""CREATE TABLE AS, INSERT INTO and UNLOAD: a query's rows written as files, then (for tables) catalogued.

The SELECT runs through the engine like any query (views, time travel and translation
included); files are written first and the catalog changes last, so a failed statement
leaves no table pointing at half-written data (and its files are removed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.tokens import TokenType

from emulation.athena.statements_common import (
    Words, command_text, find_table, get_table, is_view, location_of, new_name, platform_buckets, qualified,
    require_database, require_empty, require_named_columns, user_location,
)
from emulation.athena.statements_files import Output, Written, compression_for, remove, write_result
from emulation.athena.statements_glue import (
    DEFAULT_TEXT_DELIMITER, FORMATS, format_of, glue_type_from_athena, partition_document, partition_keys,
    property_values, sql_type, table_document,
)
from emulation.glue.crawler_catalog import OPEN_CSV_SERDE
from lakehouse.catalog.publish import change_partitions, create_table_with_partitions, require_no_errors
from lakehouse.errors import AlreadyExistsException, QueryError
from lakehouse.ports.query_engine import ResultSet
from lakehouse.sql.translate import parse_athena

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

_CTAS_PROPERTIES = {"format", "external_location", "partitioned_by", "write_compression", "parquet_compression",
                    "field_delimiter", "table_type", "is_external", "with_data"}
_UNLOAD_PROPERTIES = {"format", "compression", "field_delimiter", "partitioned_by"}
_KINDS = {"numeric": ("tinyint", "smallint", "integer", "bigint", "real", "double", "decimal"),
          "text": ("varchar", "char"), "time": ("date", "timestamp")}


def rows_result(count: int) -> ResultSet:
    """CTAS, INSERT INTO and UNLOAD answer with the number of rows they wrote."""
    return ResultSet(columns=["rows"], types=["bigint"], rows=[(count,)])


def create_table_as(engine: DuckDBQueryEngine, tree: exp.Create, parameters: Sequence[Any], db: str) -> ResultSet:
    database, name = qualified(tree.this, db)
    new_name(name, "table")
    require_database(engine, database)
    props = _checked(property_values(tree.args.get("properties")), _CTAS_PROPERTIES)
    if str(props.get("table_type", "HIVE")).upper() != "HIVE":
        raise QueryError("NOT_SUPPORTED: only Hive tables (table_type = 'HIVE') are created here, not Iceberg")
    if find_table(engine, database, name) is not None:
        if tree.args.get("exists"):
            return rows_result(0)
        raise QueryError("AlreadyExistsException: Table already exists")
    fmt = _format(props.get("format", "PARQUET"))
    uri = props.get("external_location") or f"s3://{engine.settings.bucket('curated')}/{database}/{name}/"
    location = user_location(engine, uri)
    require_empty(engine, location, f"{database}.{name}")
    query = tree.expression.unnest() if isinstance(tree.expression, exp.Subquery) else tree.expression
    if not isinstance(query, exp.Query):
        raise QueryError("SYNTAX_ERROR: CREATE TABLE AS needs a query")
    require_named_columns(query)
    if props.get("with_data") is False:
        query = exp.select("*").from_(query.subquery("_ctas")).limit(0)
    result = engine.select(query, parameters, db)
    columns = [new_name(column.lower(), "column") for column in result.columns]
    if len(set(columns)) != len(columns):
        raise QueryError(f"SYNTAX_ERROR: Column names must be unique: {', '.join(columns)}")
    keys = _partitioned_by(props.get("partitioned_by", []), columns)
    types = [glue_type_from_athena(c, t) for c, t in zip(columns, result.types)]
    compression = compression_for(fmt, props.get("write_compression") or props.get("parquet_compression"))
    delimiter = props.get("field_delimiter", DEFAULT_TEXT_DELIMITER)
    output = Output(location, fmt, compression, keys, delimiter)
    written = write_result(engine, ResultSet(columns, result.types, result.rows), output, "CREATE_TABLE_AS_SELECT",
                           f"{database}.{name}")
    glue = [{"Name": c, "Type": t} for c, t in zip(columns, types)]
    split = len(columns) - len(keys)
    serde = {"TEXTFILE": {"field.delim": delimiter, "serialization.format": delimiter},
             "PARQUET": {"serialization.format": "1"}}.get(fmt, {})
    codec = {"PARQUET": {"parquet.compression": compression}}.get(fmt, {"write.compression": compression})
    document = table_document(name, glue[:split], glue[split:], location.uri, FORMATS[fmt],
                              serde_parameters=serde, parameters=codec)
    document["StorageDescriptor"]["Compressed"] = compression != "NONE"
    partitions = [partition_document(document, list(values), uri) for values, uri in sorted(written.partitions.items())]
    try:
        # The table with its partitions, whole or not at all for readers where the catalog can:
        # its creation is the statement's commit point (claims.py).
        errors = create_table_with_partitions(engine.catalog, database, document, partitions)
    except AlreadyExistsException:
        remove(engine, written)
        raise QueryError("AlreadyExistsException: Table already exists") from None
    require_no_errors(errors, f"{database}.{name}")
    return rows_result(written.rows)


def insert_into(engine: DuckDBQueryEngine, tree: exp.Insert, parameters: Sequence[Any], db: str) -> ResultSet:
    if tree.args.get("overwrite"):
        raise QueryError("NOT_SUPPORTED: INSERT OVERWRITE is not supported by Athena; use INSERT INTO")
    target = tree.this
    named = [c.name.lower() for c in target.expressions] if isinstance(target, exp.Schema) else None
    database, name = qualified(target.this if isinstance(target, exp.Schema) else target, db)
    table = get_table(engine, database, name)
    if is_view(table):
        raise QueryError(f"NOT_SUPPORTED: Inserting into views is not supported ('{database}.{name}')")
    fmt = format_of(table)
    descriptor = table["StorageDescriptor"]
    if descriptor.get("SerdeInfo", {}).get("SerializationLibrary") == OPEN_CSV_SERDE:
        raise QueryError(f"NOT_SUPPORTED: INSERT INTO tables read with OpenCSVSerde ('{database}.{name}'): "
                         "Athena writes text tables with LazySimpleSerDe")
    columns = descriptor["Columns"] + table.get("PartitionKeys", [])
    query = tree.expression
    if not isinstance(query, exp.Query | exp.Values):
        raise QueryError("SYNTAX_ERROR: INSERT INTO needs a query or VALUES")
    probe = engine.select(exp.select("*").from_(_derived(query, 0)).limit(0), parameters, db)
    targets = named or [c["Name"] for c in columns]
    _check_insert(columns, targets, probe, f"{database}.{name}")
    aliased = _derived(query, len(targets))
    position = {column: i for i, column in enumerate(targets)}
    projection = [
        exp.Cast(this=exp.column(f"_c{position[c['Name']]}", table="_insert") if c["Name"] in position
                 else exp.Null(), to=sql_type(c["Type"])).as_(c["Name"])
        for c in columns
    ]
    result = engine.select(exp.select(*projection).from_(aliased), parameters, db)
    keys = partition_keys(table)
    buckets = platform_buckets(engine)
    existing = {tuple(p["Values"]): location_of(p["StorageDescriptor"]["Location"], buckets)
                for p in engine.catalog.get_partitions(database, name)} if keys else {}
    params = descriptor.get("SerdeInfo", {}).get("Parameters", {})
    delimiter = params.get("field.delim", params.get("separatorChar", DEFAULT_TEXT_DELIMITER))
    output = Output(location_of(descriptor["Location"], buckets), fmt, _table_compression(table, fmt), keys,
                    delimiter, existing)
    written = write_result(engine, result, output, "INSERT", f"{database}.{name}")
    _register(engine, database, name, written, known=set(existing))
    return rows_result(written.rows)


def unload(engine: DuckDBQueryEngine, tree: exp.Command, parameters: Sequence[Any], db: str) -> ResultSet:
    text = command_text(tree)
    words = Words(text, dialect="athena")
    if words.peek() != "(":
        raise QueryError("SYNTAX_ERROR: UNLOAD needs a parenthesised query: UNLOAD (SELECT …) TO 's3://…' WITH (…)")
    depth, close = 0, None
    for index, token in enumerate(words.tokens):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        if depth == 0:
            close = index
            break
    if close is None:
        raise QueryError("SYNTAX_ERROR: UNLOAD query is missing its closing parenthesis")
    query = parse_athena(text[words.tokens[0].end + 1:words.tokens[close].start])
    if not isinstance(query, exp.Query):
        raise QueryError("SYNTAX_ERROR: UNLOAD needs a SELECT query")
    words.i = close + 1
    words.expect("TO")
    target = words.string()
    if target is None:
        raise QueryError("SYNTAX_ERROR: UNLOAD needs TO 's3://bucket/prefix/'")
    props: dict[str, Any] = {}
    if words.accept("WITH"):
        props = _unload_properties(words.rest())
    else:
        words.end()
    fmt = _format(props.get("format", "PARQUET"))
    location = user_location(engine, target)
    result = engine.select(query, parameters, db)
    columns = [c.lower() for c in result.columns]
    keys = _partitioned_by(props.get("partitioned_by", []), columns)
    if not keys:
        require_empty(engine, location, "UNLOAD")
    output = Output(location, fmt, compression_for(fmt, props.get("compression")), keys,
                    props.get("field_delimiter", DEFAULT_TEXT_DELIMITER))
    return rows_result(write_result(engine, ResultSet(columns, result.types, result.rows), output, "UNLOAD").rows)


def _unload_properties(text: str) -> dict[str, Any]:
    """`WITH (…)` parsed as a CTAS property list would be: the same grammar."""
    try:
        probe = sqlglot.parse_one(f"CREATE TABLE _unload WITH {text} AS SELECT 1", read="athena")
    except ParseError as exc:
        raise QueryError(f"SYNTAX_ERROR: UNLOAD properties: {str(exc).splitlines()[0]}") from None
    if not isinstance(probe, exp.Create):
        raise QueryError(f"SYNTAX_ERROR: UNLOAD properties must be WITH (name = value, …), not {text[:40]}")
    return _checked(property_values(probe.args.get("properties")), _UNLOAD_PROPERTIES)


def _checked(props: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    for name in props:
        if name in ("bucketed_by", "bucket_count"):
            raise QueryError("NOT_SUPPORTED: bucketed tables (bucketed_by, bucket_count) are not supported here")
        if name not in allowed:
            raise QueryError(f"SYNTAX_ERROR: Catalog 'awsdatacatalog' table property '{name}' does not exist")
    if str(props.get("is_external", "true")).lower() == "false":
        raise QueryError("NOT_SUPPORTED: is_external = false creates Iceberg tables, which are not supported here")
    return props


def _format(value: str) -> str:
    fmt = str(value).upper()
    if fmt not in FORMATS:
        raise QueryError(f"NOT_SUPPORTED: format '{fmt}' (supported here: {', '.join(FORMATS)})")
    return fmt


def _partitioned_by(keys: list[str], columns: list[str]) -> list[str]:
    """Athena needs partition columns last, in the order partitioned_by lists them."""
    if keys and (columns[-len(keys):] != keys or len(keys) >= len(columns)):
        raise QueryError("HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table and "
                         f"in the same order as the table properties: [{', '.join(keys)}]")
    return keys


def _derived(query: exp.Query | exp.Values, width: int) -> exp.Expression:
    """The query as `(…) AS _insert(_c0, _c1, …)`, so its columns are reached by position."""
    columns = [exp.to_identifier(f"_c{i}") for i in range(width)]
    alias = exp.TableAlias(this=exp.to_identifier("_insert"), columns=columns or None)
    if isinstance(query, exp.Values):
        values = query.copy()
        values.set("alias", alias)
        return values
    return exp.Subquery(this=query.copy(), alias=alias)


def _check_insert(columns: list[dict[str, Any]], targets: list[str], probe: ResultSet, table: str) -> None:
    types = {c["Name"]: c["Type"] for c in columns}
    unknown = [t for t in targets if t not in types]
    if unknown:
        raise QueryError(f"COLUMN_NOT_FOUND: Insert column name does not exist in target table {table}: {unknown[0]}")
    if len(set(targets)) != len(targets):
        raise QueryError(f"SYNTAX_ERROR: Insert column names must be unique: {', '.join(targets)}")
    wanted = [sql_type(types[t]).sql("athena").lower() for t in targets]
    if len(probe.types) != len(targets) or any(
        _kind(have) not in (_kind(want), "null") for have, want in zip(probe.types, wanted)
    ):
        raise QueryError(f"TYPE_MISMATCH: Insert query has mismatched column types: Table: [{', '.join(wanted)}], "
                         f"Query: [{', '.join(probe.types)}]")


def _kind(athena_type: str) -> str:
    base = athena_type.split("(")[0].strip()
    return next((kind for kind, names in _KINDS.items() if base in names), base)


def _register(engine: DuckDBQueryEngine, database: str, name: str, written: Written, known: set[tuple[str, ...]]) -> None:
    """Catalogue the partitions a write created, in one catalog change where the catalog can."""
    table = engine.catalog.get_table(database, name)
    new = [partition_document(table, list(values), uri) for values, uri in sorted(written.partitions.items())
           if values not in known]
    require_no_errors(change_partitions(engine.catalog, database, name, new, []), f"{database}.{name}")


def _table_compression(table: dict[str, Any], fmt: str) -> str:
    """New files are compressed as the table says (its writer's property), else as Athena would."""
    requested = table.get("Parameters", {}).get("parquet.compression" if fmt == "PARQUET" else "write.compression")
    try:
        return compression_for(fmt, requested)
    except QueryError:
        return compression_for(fmt, None)
