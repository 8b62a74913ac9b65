"""Athena (Trino) SQL → DuckDB SQL with sqlglot, and the tables a statement reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from lakehouse.errors import QueryError
from lakehouse.sql.arithmetic import fix_division
from lakehouse.sql.functions import check_functions, record_names, rewrite_functions

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
    except TokenError as exc:
        # A literal the tokenizer cannot close, e.g. 'a\'b': as in Athena, a backslash does not
        # escape a quote in a query, so the string ends at the first quote after it.
        raise QueryError(f"SYNTAX_ERROR: {str(exc).splitlines()[0]} (a string literal is not closed; "
                         "quotes inside one are doubled: 'it''s')") from None
    if len(statements) != 1:
        raise QueryError(f"SYNTAX_ERROR: expected one statement, got {len(statements)}")
    record_names(statements[0], sql)
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


# {database: {table: {column: Athena/Glue type}}}, tables named as qualify_tables names them.
Schema = Mapping[str, Mapping[str, Mapping[str, str]]]


def to_duckdb(tree: exp.Expression, schema: Schema | None = None) -> str:
    """DuckDB SQL that answers as Athena would: functions checked and rewritten, divisions exact.

    Without `schema` only literals, casts and function results are typed, so a division
    of two integer columns stays DuckDB's float division until the schema is passed.
    """
    check_functions(tree)
    tree = tree.copy()
    name_result_columns(tree)
    _number_parameters(tree)
    _annotate(tree, schema)
    fix_division(tree)
    tree = rewrite_functions(tree)
    try:
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise QueryError(f"NOT_SUPPORTED: {str(exc).splitlines()[0]}") from None


def name_result_columns(tree: exp.Expression) -> None:
    """Athena names an unnamed result column `_col<position>` (`SELECT year, count(*)` → year, _col1),
    where DuckDB would print the expression (`count_star()`)."""
    select = tree
    while isinstance(select, exp.SetOperation | exp.Subquery):
        select = select.this  # a UNION takes its names from its first SELECT
    if not isinstance(select, exp.Select):
        return
    for position, projection in enumerate(list(select.expressions)):
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and projection.is_star):
            return  # later positions depend on what the star expands to
        if not isinstance(projection, exp.Alias | exp.Column):
            projection.replace(exp.alias_(projection.copy(), f"_col{position}", quoted=True))


def _number_parameters(tree: exp.Expression) -> None:
    """`?` → `$1`, `$2` … in the order DuckDB would have bound them.

    Rewrites may repeat an argument (substr's guard, to_iso8601's type test); a
    repeated `?` would take the next value, a repeated `$n` keeps its own.
    """
    placeholders = list(tree.find_all(exp.Placeholder))
    if not placeholders:
        return
    for i, placeholder in enumerate(placeholders):
        placeholder.set("this", f"lakehouse_parameter_{i}")
    generated = tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.IGNORE)
    order = [int(i) for i in re.findall(r"lakehouse_parameter_(\d+)", generated)]
    for position, i in enumerate(order, start=1):
        placeholders[i].set("this", str(position))


def _annotate(tree: exp.Expression, schema: Schema | None) -> None:
    """Set `.type` on the nodes of `tree`, typing columns through the catalog schema.

    Columns can only be typed once qualified, and qualifying rewrites the query (stars,
    aliases), so the work happens on a copy whose types are carried back node by node.
    """
    work = tree.copy()
    pairs = list(zip(work.walk(), tree.walk()))  # holds the copy's nodes, so ids stay unique
    originals = {id(copy): original for copy, original in pairs}
    try:
        work = qualify(work, dialect="athena", schema=dict(schema or {}), validate_qualify_columns=False,
                       quote_identifiers=False, identify=False)
    except Exception:  # noqa: BLE001 - typing is best effort: literals and casts still get types
        pass
    try:
        annotate_types(work, schema=dict(schema or {}), dialect="athena")
    except Exception:  # noqa: BLE001 - an untyped tree translates as sqlglot would
        return
    for node in work.walk():
        original = originals.get(id(node))
        if original is not None and node.type is not None:
            original.type = node.type

