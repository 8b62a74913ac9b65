"""SHOW …, DESCRIBE and EXPLAIN: answers read from the catalog (and DuckDB's planner), as Athena shapes them.

Column names follow Athena's (Hive's) result headers: database_name, tab_name, views,
partition, field, createtab_stmt, prpt_name/prpt_value, col_name/data_type/comment, Query Plan.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from emulation.athena.statements_common import (
    Words, athena_pattern, command_text, get_table, is_view, qualified, require_database, text_result,
)
from emulation.athena.statements_glue import partition_keys
from emulation.athena.statements_read import decode_view
from lakehouse.errors import QueryError
from lakehouse.ports.catalog import GlueDocument
from lakehouse.ports.query_engine import ResultSet
from lakehouse.sql.translate import parse_athena

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

_HIVE_ESCAPES = {"\\": "\\\\", "'": "\\'", "\t": "\\t", "\n": "\\n"}
_EXPLAIN_KEYS = {"DISTRIBUTED": "physical_plan", "LOGICAL": "logical_opt"}  # DuckDB's explain_key per TYPE
_PLAN_NAMES = {"physical_plan": "physical ", "logical_opt": "logical (optimized) ", "analyzed_plan": "profiled "}


def show(engine: DuckDBQueryEngine, tree: exp.Command, default_database: str) -> ResultSet:
    words = Words(command_text(tree))
    if words.accept("DATABASES") or words.accept("SCHEMAS"):
        pattern = athena_pattern(words.string() if words.accept("LIKE") else None)
        words.end()
        names = sorted(d["Name"] for d in engine.catalog.get_databases())
        return text_result("database_name", [n for n in names if pattern is None or pattern.fullmatch(n)])
    if words.peek() in ("TABLES", "VIEWS"):
        views_only = words.peek() == "VIEWS"
        words.i += 1
        database = words.identifier().lower() if words.accept("IN") or words.accept("FROM") else default_database
        words.accept("LIKE")  # optional before the pattern in SHOW TABLES, required in SHOW VIEWS
        pattern = athena_pattern(words.string())
        words.end()
        require_database(engine, database)
        tables = [t for t in engine.catalog.get_tables(database) if is_view(t) or not views_only]
        names = sorted(t["Name"] for t in tables if pattern is None or pattern.fullmatch(t["Name"]))
        return text_result("views" if views_only else "tab_name", names)
    if words.accept("PARTITIONS"):
        database, name = _table_name(words, default_database)
        keys = partition_keys(get_table(engine, database, name))
        if not keys:
            raise QueryError(f"SYNTAX_ERROR: Table {database}.{name} is not partitioned")
        rows = ["/".join(f"{k}={v}" for k, v in zip(keys, p["Values"]))
                for p in engine.catalog.get_partitions(database, name)]
        return text_result("partition", sorted(rows))
    if words.accept("COLUMNS"):
        if not (words.accept("IN") or words.accept("FROM")):
            raise QueryError("SYNTAX_ERROR: SHOW COLUMNS IN table_name")
        table = words.name()
        if words.accept("IN") or words.accept("FROM"):
            table.set("db", exp.to_identifier(words.identifier()))
        words.end()
        document = get_table(engine, *qualified(table, default_database))
        return text_result("field", [c["Name"] for c in _all_columns(document)])
    if words.accept("CREATE", "TABLE") or words.accept("CREATE", "VIEW"):
        wants_view = words.tokens[words.i - 1].text.upper() == "VIEW"
        database, name = _table_name(words, default_database)
        table = get_table(engine, database, name)
        if is_view(table) != wants_view:
            what = "a view: use SHOW CREATE VIEW" if is_view(table) else "a table: use SHOW CREATE TABLE"
            raise QueryError(f"SYNTAX_ERROR: '{database}.{name}' is {what}")
        if wants_view:
            sql = decode_view(table)["originalSql"]
            return ResultSet(["Create View"], ["varchar"], [(f'CREATE VIEW "{database}"."{name}" AS\n{sql}',)])
        return text_result("createtab_stmt", create_table_ddl(database, table).splitlines())
    if words.accept("TBLPROPERTIES"):
        database, name = _table_name(words, default_database, more=True)
        wanted = None
        if words.accept("("):
            wanted = words.string()
            words.expect(")")
        words.end()
        params = get_table(engine, database, name).get("Parameters", {})
        rows = [(k, v) for k, v in sorted(params.items()) if wanted is None or k == wanted]
        return ResultSet(["prpt_name", "prpt_value"], ["varchar", "varchar"], rows)
    raise QueryError(f"NOT_SUPPORTED: SHOW {words.rest()[:40]}")


def describe(engine: DuckDBQueryEngine, tree: exp.Describe, default_database: str) -> ResultSet:
    """Columns (partition keys included), then Hive's `# Partition Information` section."""
    database, name = qualified(tree.this, default_database)
    table = get_table(engine, database, name)
    keys = table.get("PartitionKeys", [])
    rows = [_column_row(c) for c in _all_columns(table)]
    if keys:
        rows += [("", "", ""), ("# Partition Information", "", ""), ("# col_name", "data_type", "comment"),
                 ("", "", "")] + [_column_row(k) for k in keys]
    style = str(tree.args.get("style") or "").upper()
    if style == "FORMATTED":
        rows += _formatted(database, table)
    elif style == "EXTENDED":
        rows += [("", "", ""), ("Detailed Table Information", json.dumps(table, default=str, sort_keys=True), "")]
    return ResultSet(["col_name", "data_type", "comment"], ["varchar"] * 3, rows)


def explain(engine: DuckDBQueryEngine, tree: exp.Command, parameters: Sequence[Any], default_database: str) -> ResultSet:
    """DuckDB's plan of the translated query, one line per row (Athena would show Trino's)."""
    words = Words(command_text(tree), dialect="athena")
    analyze = words.accept("ANALYZE")
    words.accept("VERBOSE")
    kind, fmt = "DISTRIBUTED", "TEXT"
    if not analyze and words.peek() == "(" and words.tokens[words.i + 1].text.upper() in ("TYPE", "FORMAT"):
        words.expect("(")
        while True:
            option = words.identifier().upper()
            value = words.identifier().upper()
            if option == "TYPE":
                kind = value
            elif option == "FORMAT":
                fmt = value
            else:
                raise QueryError(f"SYNTAX_ERROR: EXPLAIN option {option}")
            if words.accept(")"):
                break
            words.expect(",")
    query = parse_athena(words.rest())
    if not isinstance(query, exp.Query):
        raise QueryError(f"NOT_SUPPORTED: EXPLAIN of {query.key.upper()} statements")
    if kind not in (*_EXPLAIN_KEYS, "VALIDATE") or fmt not in ("TEXT", "JSON", "GRAPHVIZ"):
        raise QueryError(f"NOT_SUPPORTED: EXPLAIN (TYPE {kind}, FORMAT {fmt}) (supported: TYPE LOGICAL, DISTRIBUTED, "
                         "VALIDATE; FORMAT TEXT, JSON, GRAPHVIZ)")
    sql = engine.translate(query, default_database)  # as engine.select does: catalog tables become views
    if kind == "VALIDATE":
        engine.execute(f"EXPLAIN {sql}", parameters)
        return ResultSet(["Valid"], ["boolean"], [(True,)])
    statement = "EXPLAIN ANALYZE" if analyze else "EXPLAIN" + (f" (FORMAT {fmt.lower()})" if fmt != "TEXT" else "")
    result = engine.execute(f"{statement} {sql}", parameters)
    # The engine's connection has its configuration locked: explain_output decides which plans come back.
    wanted = "analyzed_plan" if analyze else _EXPLAIN_KEYS[kind]
    plans = [row for row in result.rows if row[0] == wanted] or result.rows[-1:]
    what = _PLAN_NAMES.get(str(plans[0][0]) if plans else "", "")
    lines = [f"-- DuckDB {what}plan: this emulator runs Athena SQL on DuckDB, so it is not Athena's (Trino's) plan"]
    if plans and plans[0][0] != wanted:
        lines.append(f"-- (the {kind.lower()} plan is not available from this connection; showing DuckDB's {what}plan)")
    for row in plans:
        lines += str(row[-1]).splitlines()
    return text_result("Query Plan", lines)


def create_table_ddl(database: str, table: GlueDocument) -> str:
    """SHOW CREATE TABLE's text, in the Hive form Athena prints (and accepts back)."""
    descriptor = table["StorageDescriptor"]
    serde = descriptor.get("SerdeInfo", {})
    params = {k: v for k, v in table.get("Parameters", {}).items() if k not in ("EXTERNAL", "comment")}
    lines = [f"CREATE EXTERNAL TABLE {_quoted(database)}.{_quoted(table['Name'])}("]
    lines += _column_lines(descriptor["Columns"], ")")
    if "comment" in table.get("Parameters", {}):
        lines.append(f"COMMENT {_hive_string(table['Parameters']['comment'])}")
    if table.get("PartitionKeys"):
        lines += ["PARTITIONED BY ( ", *_column_lines(table["PartitionKeys"], ")")]
    lines += ["ROW FORMAT SERDE ", f"  {_hive_string(serde.get('SerializationLibrary', ''))} "]
    if serde.get("Parameters"):
        lines += ["WITH SERDEPROPERTIES ( ", *_pair_lines(serde["Parameters"], ") ")]
    lines += ["STORED AS INPUTFORMAT ", f"  {_hive_string(descriptor.get('InputFormat', ''))} ", "OUTPUTFORMAT ",
              f"  {_hive_string(descriptor.get('OutputFormat', ''))}", "LOCATION",
              f"  {_hive_string(descriptor.get('Location', ''))}"]
    if params:
        lines += ["TBLPROPERTIES (", *_pair_lines(params, ")")]
    return "\n".join(lines)


def _table_name(words: Words, default_database: str, more: bool = False) -> tuple[str, str]:
    table = words.name()
    if not more:
        words.end()
    return qualified(table, default_database)


def _all_columns(table: GlueDocument) -> list[GlueDocument]:
    return list(table["StorageDescriptor"].get("Columns", [])) + list(table.get("PartitionKeys", []))


def _column_row(column: GlueDocument) -> tuple[str, str, str]:
    return column["Name"], column["Type"], column.get("Comment") or ""


def _formatted(database: str, table: GlueDocument) -> list[tuple[str, str, str]]:
    descriptor = table["StorageDescriptor"]
    serde = descriptor.get("SerdeInfo", {})
    rows = [("", "", ""), ("# Detailed Table Information", "", ""), ("Database:", database, ""),
            ("CreateTime:", str(table.get("CreateTime", "")), ""), ("Retention:", str(table.get("Retention", 0)), ""),
            ("Location:", descriptor.get("Location", ""), ""), ("Table Type:", table.get("TableType", ""), ""),
            ("Table Parameters:", "", "")]
    rows += [("", k, v) for k, v in sorted(table.get("Parameters", {}).items())]
    rows += [("", "", ""), ("# Storage Information", "", ""),
             ("SerDe Library:", serde.get("SerializationLibrary", ""), ""),
             ("InputFormat:", descriptor.get("InputFormat", ""), ""),
             ("OutputFormat:", descriptor.get("OutputFormat", ""), ""),
             ("Compressed:", "Yes" if descriptor.get("Compressed") else "No", ""),
             ("Num Buckets:", str(descriptor.get("NumberOfBuckets", -1)), ""),
             ("Bucket Columns:", str(descriptor.get("BucketColumns", [])), ""),
             ("Sort Columns:", str(descriptor.get("SortColumns", [])), ""), ("Storage Desc Params:", "", "")]
    return rows + [("", k, v) for k, v in sorted(serde.get("Parameters", {}).items())]


def _column_lines(columns: list[GlueDocument], close: str) -> list[str]:
    lines = []
    for i, column in enumerate(columns):
        comment = f" COMMENT {_hive_string(column['Comment'])}" if column.get("Comment") else ""
        end = close if i == len(columns) - 1 else ", "
        lines.append(f"  {_quoted(column['Name'])} {column['Type']}{comment}{end}")
    return lines


def _pair_lines(pairs: dict[str, str], close: str) -> list[str]:
    items = sorted(pairs.items())
    return [f"  {_hive_string(k)}={_hive_string(v)}{close if i == len(items) - 1 else ', '}"
            for i, (k, v) in enumerate(items)]


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _hive_string(value: str) -> str:
    """A Hive string literal: backslash escapes, other control characters in octal (`'\\001'`)."""
    return "'" + "".join(_HIVE_ESCAPES.get(ch) or (f"\\{ord(ch):03o}" if ord(ch) < 32 else ch) for ch in value) + "'"
