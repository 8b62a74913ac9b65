"""Athena (Trino) SQL → DuckDB SQL with sqlglot, and the tables a statement reads."""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from lakehouse.errors import QueryError

READ_ONLY_STATEMENTS = (exp.Query,)  # SELECT, WITH … SELECT, UNION …


@dataclass(frozen=True)
class TableReference:
    database: str
    name: str


def parse_athena(sql: str) -> exp.Expression:
    """Parse exactly one Athena statement, with Athena-like error messages."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="athena") if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f"line {first.get('line')}:{first.get('col')}: " if first else ""
        raise QueryError(f"SYNTAX_ERROR: {where}{first.get('description', str(exc)).splitlines()[0]}") from None
    if len(statements) != 1:
        raise QueryError(f"SYNTAX_ERROR: expected one statement, got {len(statements)}")
    return statements[0]


def require_query(tree: exp.Expression) -> None:
    """Only statements that read data; DDL arrives with the Athena engine proper."""
    if not isinstance(tree, READ_ONLY_STATEMENTS):
        kind = tree.key.upper()
        raise QueryError(f"NOT_SUPPORTED: {kind} statements are not supported here; only SELECT queries")


def referenced_tables(tree: exp.Expression, default_database: str) -> list[TableReference]:
    """Catalog tables the statement reads (CTE names excluded), each once."""
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    found: dict[TableReference, None] = {}
    for table in tree.find_all(exp.Table):
        if not table.name or (not table.db and table.name.lower() in cte_names):
            continue
        if table.catalog and table.catalog.lower() != "awsdatacatalog":
            raise QueryError(f"CATALOG_NOT_FOUND: catalog '{table.catalog}' does not exist")
        found[TableReference((table.db or default_database).lower(), table.name.lower())] = None
    return list(found)


def qualify_tables(tree: exp.Expression, default_database: str) -> exp.Expression:
    """Give every catalog table its database and drop the awsdatacatalog prefix."""
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}

    def qualify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.name and not (not node.db and node.name.lower() in cte_names):
            node.set("catalog", None)
            node.set("db", exp.to_identifier((node.db or default_database).lower(), quoted=True))
            node.set("this", exp.to_identifier(node.name.lower(), quoted=True))
        return node

    return tree.copy().transform(qualify)


def to_duckdb(tree: exp.Expression) -> str:
    return tree.sql(dialect="duckdb")
