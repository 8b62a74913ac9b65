"""Athena statements other than queries: DDL on the Glue catalog, CTAS / INSERT INTO / UNLOAD, SHOW, EXPLAIN.

`handle_statement` is the engine's entry point: None for a plain query (the engine runs
it as before) or for a statement nothing here handles (the engine refuses it); otherwise
the statement's result as Athena shapes it. Statement families live in their own modules:
statements_ddl (databases, tables, views), statements_partitions (MSCK, ALTER TABLE),
statements_write (CTAS, INSERT INTO, UNLOAD), statements_show (SHOW, DESCRIBE, EXPLAIN) and
statements_read (how the engine reads views and text / JSON tables).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from emulation.athena import statements_ddl as ddl
from emulation.athena import statements_partitions as partitions
from emulation.athena import statements_show as show
from emulation.athena import statements_write as write
from emulation.athena.statements_read import relation_sql
from lakehouse.errors import QueryError
from lakehouse.ports.query_engine import ResultSet

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

Handler = Callable[["DuckDBQueryEngine", Any, Sequence[Any], str], "ResultSet | None"]
__all__ = ["handle_statement", "relation_sql"]


def handle_statement(
    engine: DuckDBQueryEngine, tree: exp.Expression, parameters: Sequence[Any], default_database: str
) -> ResultSet | None:
    """Run a non-query statement; None for queries and for statements not handled here."""
    if isinstance(tree, exp.Query | exp.Values):
        return None
    handler, takes_parameters = _handler(tree)
    if handler is None:
        return None
    if parameters and not takes_parameters:
        raise QueryError("NOT_SUPPORTED: execution parameters apply only to SELECT, CREATE TABLE AS, INSERT INTO, "
                         "UNLOAD and EXPLAIN")
    return handler(engine, tree, parameters, default_database)


def _handler(tree: exp.Expression) -> tuple[Handler | None, bool]:
    """The function for a statement, and whether it takes execution parameters."""
    kind = str(tree.args.get("kind") or "").upper()
    if isinstance(tree, exp.Create):
        if kind in ("DATABASE", "SCHEMA"):
            return (lambda e, t, p, d: ddl.create_database(e, t)), False
        if kind == "TABLE":
            return (write.create_table_as, True) if tree.expression is not None else (_external, False)
        if kind == "VIEW":
            return ddl.create_view, False
    if isinstance(tree, exp.Drop):
        if kind in ("DATABASE", "SCHEMA"):
            return (lambda e, t, p, d: ddl.drop_database(e, t)), False
        if kind == "TABLE":
            return _without_parameters(ddl.drop_table), False
        if kind == "VIEW":
            return _without_parameters(ddl.drop_view), False
    if isinstance(tree, exp.Insert):
        return write.insert_into, True
    if isinstance(tree, exp.Alter) and kind == "TABLE":
        return _without_parameters(partitions.alter_table), False
    if isinstance(tree, exp.Describe):
        return _without_parameters(show.describe), False
    if isinstance(tree, exp.Command):
        return _command(str(tree.this).upper().split()[0] if tree.this else "")
    return None, False


def _command(verb: str) -> tuple[Handler | None, bool]:
    """Statements sqlglot keeps as a Command (raw text after the first keyword)."""
    handlers: dict[str, tuple[Handler, bool]] = {
        "SHOW": (_without_parameters(show.show), False),
        "MSCK": (_without_parameters(partitions.msck_repair), False),
        "ALTER": (_without_parameters(partitions.alter_table_command), False),
        "CREATE": ((lambda e, t, p, d: ddl.create_database_command(e, t)), False),
        "UNLOAD": (write.unload, True),
        "EXPLAIN": (show.explain, True),
    }
    return handlers.get(verb, (None, False))


def _external(engine: DuckDBQueryEngine, tree: exp.Create, parameters: Sequence[Any], db: str) -> ResultSet:
    return ddl.create_external_table(engine, tree, db)


def _without_parameters(function: Callable[[DuckDBQueryEngine, Any, str], ResultSet | None]) -> Handler:
    return lambda engine, tree, parameters, db: function(engine, tree, db)
