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
    # Time travel: ("VERSION", "3") or ("TIMESTAMP", "2024-01-01 00:00:00"), from
    # `FOR VERSION AS OF 3` / `FOR TIMESTAMP AS OF TIMESTAMP '…'`.
    as_of: tuple[str, str] | None = None

    @property
    def view_name(self) -> str:
        """The name the engine gives this table (a distinct one for each point in time)."""
        if self.as_of is None:
            return self.name
        kind, value = self.as_of
        return f"{self.name}__as_of_{kind.lower()}_{''.join(c if c.isalnum() else '_' for c in value)}"


def _as_of(table: exp.Table) -> tuple[str, str] | None:
    version = table.args.get("version")
    if version is None:
        return None
    kind = str(version.this).upper()
    value = version.expression
    if isinstance(value, exp.Cast):
        value = value.this
    if kind not in ("VERSION", "TIMESTAMP") or not isinstance(value, exp.Literal):
        raise QueryError(f"NOT_SUPPORTED: FOR {kind} AS OF needs a literal version or timestamp")
    return kind, value.this


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
        found[TableReference((table.db or default_database).lower(), table.name.lower(), _as_of(table))] = None
    return list(found)


def qualify_tables(tree: exp.Expression, default_database: str) -> exp.Expression:
    """Give every catalog table its database and drop the awsdatacatalog prefix."""
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}

    def qualify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.name and not (not node.db and node.name.lower() in cte_names):
            reference = TableReference((node.db or default_database).lower(), node.name.lower(), _as_of(node))
            if reference.as_of is not None and not node.alias:
                node.set("alias", exp.TableAlias(this=exp.to_identifier(reference.name)))  # t.col keeps working
            node.set("version", None)
            node.set("catalog", None)
            node.set("db", exp.to_identifier(reference.database, quoted=True))
            node.set("this", exp.to_identifier(reference.view_name, quoted=True))
        return node

    return tree.copy().transform(qualify)


def to_duckdb(tree: exp.Expression) -> str:
    return tree.sql(dialect="duckdb")
