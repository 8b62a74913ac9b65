"""Lockdown: Athena SQL may read catalog tables, never the host.

DuckDB can read any file or URL (`read_csv('/etc/passwd')`, `FROM 'x.parquet'`), write
files (`COPY`, `EXPORT DATABASE`), attach databases, load extensions and change its own
settings. Athena can do none of that, so two layers stand between a query and DuckDB:

1. `check_sql` (tokens) and `check_query` (parsed tree) refuse DuckDB-only statements,
   table functions other than UNNEST, file-reading functions anywhere, and file paths
   used as table names, with a one-line `QueryError` naming what was refused.
2. `lock_down` confines the connection itself: external access off except the object
   store (`allowed_directories`), profiling on (the API reads DataScannedInBytes from
   it), then `lock_configuration` so no later statement can undo any of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
from sqlglot import exp, tokenize
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from lakehouse.config import Settings
from lakehouse.errors import QueryError
from lakehouse.ports.object_store import ObjectStore

# Statements DuckDB has and Athena does not; each reaches files, extensions or settings.
DUCKDB_STATEMENTS = frozenset({
    "ATTACH", "DETACH", "INSTALL", "FORCE", "LOAD", "SET", "RESET", "PRAGMA", "CALL", "COPY", "EXPORT", "IMPORT",
    "CHECKPOINT", "SUMMARIZE", "USE", "BEGIN", "COMMIT", "ROLLBACK", "ABORT", "UPDATE EXTENSIONS",
})
CREATE_KINDS = frozenset({"TABLE", "VIEW", "DATABASE", "SCHEMA"})  # Athena's; not SECRET, MACRO, FUNCTION…
# Athena statements sqlglot keeps as raw commands; the ones with a query inside are checked too.
ATHENA_COMMANDS = frozenset({"MSCK", "SHOW", "EXPLAIN", "UNLOAD", "PREPARE", "EXECUTE", "DEALLOCATE",
                             "DESCRIBE", "DESC", "ALTER", "VACUUM", "OPTIMIZE", "CREATE", "DROP"})
_KIND_MODIFIERS = frozenset({"OR", "REPLACE", "PERSISTENT", "TEMP", "TEMPORARY", "EXTERNAL", "IF", "NOT", "EXISTS"})
ALLOWED_ROOTS = (exp.Query, exp.Values, exp.Create, exp.Drop, exp.Insert, exp.Describe, exp.Alter,
                 exp.Delete, exp.Update, exp.Merge, exp.Show, exp.Command)
# DuckDB functions that read files or URLs, run SQL text, or reveal settings and secrets.
DENIED_FUNCTIONS = frozenset({
    "glob", "sniff_csv", "query", "query_table", "getenv", "current_setting", "which_secret",
    "load_aws_credentials", "sql_auto_complete", "json_execute_serialized_sql", "checkpoint", "force_checkpoint",
    "st_read", "st_read_meta", "getvariable",
})
DENIED_PREFIXES = ("read_", "parquet_", "iceberg_", "delta_", "duckdb_", "pragma_", "sqlite_", "postgres_",
                   "mysql_", "ducklake_", "arrow_", "pandas_", "python_")
DENIED_SUFFIXES = ("_scan", "_attach")
TABLE_FUNCTIONS = (exp.Unnest, exp.Explode)  # Athena's only table-valued function is UNNEST
_PATH_CHARACTERS = re.compile(r"[/\\.:*?~]")
_NOT_A_CALL_AFTER = {TokenType.INTO, TokenType.TABLE, TokenType.EXISTS, TokenType.DOT}
_WHY = "only Athena SQL over catalog tables runs here"


def refuse(what: str) -> QueryError:
    return QueryError(f"ACCESS_DENIED: {what} is refused: {_WHY}")


def denied_function(name: str) -> bool:
    name = name.lower()
    return name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES) or name.endswith(DENIED_SUFFIXES)


def check_sql(sql: str) -> None:
    """Token-level refusals, for DuckDB syntax sqlglot cannot parse (`ATTACH`, `glob('*')`)."""
    try:
        # Athena's tokenizer opens with an empty HIVE_TOKEN_STREAM marker: skip it, and semicolons.
        tokens = [t for t in tokenize(sql, read="athena") if t.text and t.token_type != TokenType.SEMICOLON]
    except TokenError:
        return  # the parser reports it as a syntax error
    if not tokens:
        return
    first = tokens[0].text.upper().split()[0]
    if first in DUCKDB_STATEMENTS or (first == "UPDATE" and len(tokens) > 1 and tokens[1].text.upper() == "EXTENSIONS"):
        raise refuse(f"{first} (a DuckDB statement)")
    if first == "CREATE":
        kind = _kind([t.text for t in tokens[1:]])
        if kind in ("SECRET", "MACRO", "FUNCTION", "SEQUENCE", "TYPE", "INDEX"):
            raise refuse(f"CREATE {kind}")
    for previous, token, following in zip([None, *tokens], tokens, [*tokens[1:], None]):
        _check_token(previous, token, following)


def _kind(words: list[str]) -> str:
    """What a CREATE / DROP makes: the first word after OR REPLACE, EXTERNAL, IF NOT EXISTS…"""
    return next((w.upper() for w in words if w.upper() not in _KIND_MODIFIERS), "")


def _check_token(previous: Token | None, token: Token, following: Token | None) -> None:
    # FROM 'file.csv' is left to check_query (a quoted name with path characters): a string
    # after FROM is also Athena's trim(BOTH 'x' FROM 'xyx').
    if token.token_type == TokenType.STRING:
        return
    if following is None or following.token_type != TokenType.L_PAREN or token.token_type == TokenType.NUMBER:
        return
    if previous is not None and previous.token_type in _NOT_A_CALL_AFTER:
        return  # INSERT INTO name (columns), CREATE TABLE name (columns)
    if denied_function(token.text):
        table = previous is not None and previous.token_type in (TokenType.FROM, TokenType.JOIN, TokenType.LATERAL)
        raise refuse(f"{'table function' if table else 'function'} {token.text.lower()}()")


def check_query(tree: exp.Expression) -> None:
    """Refuse a parsed statement that could reach anything but the catalog's tables."""
    if not isinstance(tree, ALLOWED_ROOTS):
        keyword = tree.sql(dialect="athena").split(" ", 1)[0].upper() or tree.key.upper()
        raise refuse(f"{keyword} (not an Athena statement)")
    if isinstance(tree, exp.Command):
        _check_command(tree)
        return
    if isinstance(tree, exp.Create | exp.Drop):
        kind = str(tree.args.get("kind") or "").upper()
        if kind not in CREATE_KINDS:
            raise refuse(f"{tree.key.upper()} {kind}")
    for node in tree.walk():
        if isinstance(node, exp.Table):
            _check_table(node)
        elif isinstance(node, exp.Lateral) and isinstance(node.this, exp.Func) and not isinstance(
                node.this, TABLE_FUNCTIONS):  # LATERAL (subquery) and LATERAL UNNEST are Athena's
            raise refuse(f"table function {_function_name(node.this)}()")
        elif isinstance(node, exp.Func) and denied_function(_function_name(node)):
            raise refuse(f"function {_function_name(node)}()")


def _check_table(table: exp.Table) -> None:
    # `CREATE SCHEMA x` / `DROP SCHEMA x` name a database only: a table without a table part.
    schema_only = table.this is None and table.args.get("db") is not None
    if not schema_only and not isinstance(table.this, exp.Identifier):
        raise refuse(f"table function {_function_name(table.this)}()")
    for part in (table.catalog, table.db, table.name):
        if part and _PATH_CHARACTERS.search(part):
            raise refuse(f"reading {part!r} (a file path, not a catalog table)")


def _function_name(node: exp.Expression | None) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return node.key.lower() if node is not None else "?"


def _check_command(command: exp.Command) -> None:
    keyword = (str(command.this).upper().split() or [""])[0]  # sqlglot keeps 'MSCK REPAIR' as one word
    if keyword not in ATHENA_COMMANDS:
        raise refuse(f"{keyword} (a DuckDB statement)")
    expression = command.expression
    text = expression.name if isinstance(expression, exp.Literal) else str(expression or "")
    if keyword in ("CREATE", "DROP") and _kind(text.split()) not in CREATE_KINDS:
        raise refuse(f"{keyword} {_kind(text.split())}")
    embedded = _embedded_statement(keyword, text)
    if embedded:
        from lakehouse.sql.translate import parse_athena  # late: translate imports nothing from here

        check_sql(embedded)
        check_query(parse_athena(embedded))


def _embedded_statement(keyword: str, text: str) -> str:
    """The query inside EXPLAIN …, PREPARE name FROM …, UNLOAD (…) TO …."""
    if keyword == "EXPLAIN":
        return re.sub(r"^\s*(ANALYZE\b|\([^)]*\))?\s*(VERBOSE\b)?", "", text, flags=re.I)
    if keyword == "PREPARE":
        return re.sub(r"^\s*\S+\s+FROM\s+", "", text, flags=re.I)
    if keyword == "UNLOAD":
        depth = 0
        for index, character in enumerate(text):
            depth += {"(": 1, ")": -1}.get(character, 0)
            if depth == 0 and character == ")":
                return text[text.index("(") + 1:index]
    return ""


def allowed_directories(store: ObjectStore, settings: Settings) -> list[str]:
    """Where DuckDB may read and write: the object store (all of it, as Athena reaches any bucket
    its role may), never the rest of the host or a URL."""
    if store.LOCAL_PATHS:
        return [str(Path(store.uri(settings.bucket("catalog"))).parent.resolve()) + "/"]
    return ["s3://"]


def lock_down(connection: duckdb.DuckDBPyConnection, store: ObjectStore, settings: Settings) -> None:
    """Confine the connection after the httpfs/secret setup; nothing can loosen it afterwards.

    Settings a query may depend on are fixed here too, since no statement can change them later:
    the session time zone is Athena's (UTC, whatever the host's), and EXPLAIN returns every plan
    (logical and physical) so that `EXPLAIN (TYPE LOGICAL)` can pick its own.
    """
    directories = ", ".join(exp.Literal.string(d).sql("duckdb") for d in allowed_directories(store, settings))
    for statement in (
        "SET TimeZone = 'UTC'",
        "SET explain_output = 'all'",
        f"SET allowed_directories = [{directories}]",
        "SET enable_external_access = false",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        # The API computes DataScannedInBytes from the files each scan read after pruning: the
        # operators' extra info (files read, file filters) is all it needs, and the cheapest to keep.
        "SET enable_profiling = 'no_output'",
        """SET custom_profiling_settings = '{"EXTRA_INFO": "true", "OPERATOR_TYPE": "true"}'""",
        "SET lock_configuration = true",
    ):
        connection.execute(statement)
