"""What Athena's statements share: names, S3 locations, Glue types, storage formats, results.

Every location and name taken from user SQL is checked here before it reaches the catalog
or becomes an object key: locations must be s3:// URIs inside one of the platform's data
buckets, with a key prefix that `lakehouse.keys` accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from lakehouse.errors import EntityNotFoundException, InvalidObjectKey, QueryError
from lakehouse.keys import validate_bucket_name, validate_key, validate_prefix
from lakehouse.ports.catalog import GlueDocument
from lakehouse.ports.query_engine import ResultSet
from lakehouse.zones import DATA_ZONES

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

HIVE_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # the folder Hive gives a NULL partition value
_NAME = re.compile(r"[a-z0-9_]{1,255}")  # Athena: lowercase letters, digits and underscore
# Characters Hive percent-escapes in partition folder names (FileUtils.escapePathName).
_HIVE_ESCAPED = set('"#%\'*/:=?\\\x7f{[]^') | {chr(c) for c in range(1, 32)}


def empty_result() -> ResultSet:
    """What Athena returns for DDL: no columns, no rows."""
    return ResultSet(columns=[], types=[], rows=[])


def text_result(column: str, values: list[str]) -> ResultSet:
    return ResultSet(columns=[column], types=["varchar"], rows=[(value,) for value in values])


# -- names ---------------------------------------------------------------------------

def qualified(table: exp.Table, default_database: str) -> tuple[str, str]:
    """(database, name) of a table reference, lower-cased as Glue keeps them."""
    if table.catalog and table.catalog.lower() != "awsdatacatalog":
        raise QueryError(f"CATALOG_NOT_FOUND: catalog '{table.catalog}' does not exist")
    if not table.name:
        raise QueryError("SYNTAX_ERROR: a table name is required")
    return (table.db or default_database).lower(), table.name.lower()


def new_name(name: str, what: str) -> str:
    """A database, table or column name being created: Athena's character rules."""
    if not _NAME.fullmatch(name):
        raise QueryError(
            f"SYNTAX_ERROR: {what} name '{name}' is not valid: use lowercase letters, digits and underscores"
        )
    return name


def require_named_columns(query: exp.Expression) -> None:
    """CTAS and views need a name for every column; Athena does not invent one (`_col0`) there."""
    selects = query.selects if isinstance(query, exp.Select) else []
    for position, column in enumerate(selects, start=1):
        if not isinstance(column, exp.Alias | exp.Column | exp.Star):
            raise QueryError(f"SYNTAX_ERROR: Column name not specified at position {position}")


def require_database(engine: DuckDBQueryEngine, database: str) -> None:
    try:
        engine.catalog.get_database(database)
    except EntityNotFoundException:
        raise QueryError(f"SCHEMA_NOT_FOUND: Schema '{database}' does not exist") from None


def find_table(engine: DuckDBQueryEngine, database: str, name: str) -> GlueDocument | None:
    require_database(engine, database)
    try:
        return engine.catalog.get_table(database, name)
    except EntityNotFoundException:
        return None


def get_table(engine: DuckDBQueryEngine, database: str, name: str) -> GlueDocument:
    table = find_table(engine, database, name)
    if table is None:
        raise QueryError(f"TABLE_NOT_FOUND: Table 'awsdatacatalog.{database}.{name}' does not exist")
    return table


def is_view(table: GlueDocument) -> bool:
    return table.get("TableType") == "VIRTUAL_VIEW"


def athena_pattern(pattern: str | None) -> re.Pattern[str] | None:
    """SHOW … LIKE patterns: only `*` (any characters) and `|` (alternatives), case-insensitive."""
    if pattern is None:
        return None
    alternatives = ["".join(".*" if ch == "*" else re.escape(ch) for ch in part) for part in pattern.split("|")]
    return re.compile("|".join(f"(?:{alt})" for alt in alternatives), re.IGNORECASE)


# -- command text (statements sqlglot keeps as a Command) ----------------------------

class Words:
    """A cursor over the tokens of a statement sqlglot could not parse (SHOW, MSCK, UNLOAD …)."""

    def __init__(self, text: str, dialect: str = "hive") -> None:
        self.text = text
        try:
            self.tokens: list[Token] = [t for t in sqlglot.tokenize(text, read=dialect)
                                        if t.token_type != TokenType.SEMICOLON]
        except (ParseError, TokenError) as exc:
            raise QueryError(f"SYNTAX_ERROR: {str(exc).splitlines()[0]}") from None
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i].text.upper() if self.i < len(self.tokens) else ""

    def accept(self, *words: str) -> bool:
        """Consume the words if they come next (all of them), else nothing."""
        ahead = [t.text.upper() for t in self.tokens[self.i:self.i + len(words)]]
        if ahead == list(words):
            self.i += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise QueryError(f"SYNTAX_ERROR: expected {' '.join(words)} at '{self.rest()[:40]}'")

    def name(self) -> exp.Table:
        """A dotted name, quoted or not, as a Table node."""
        parts = [self.identifier()]
        while self.accept("."):
            parts.append(self.identifier())
        if len(parts) > 3:
            raise QueryError(f"SYNTAX_ERROR: '{'.'.join(parts)}' is not a table name")
        padded = [None] * (3 - len(parts)) + parts
        return exp.table_(padded[2], db=padded[1], catalog=padded[0])

    def identifier(self) -> str:
        token = self.tokens[self.i] if self.i < len(self.tokens) else None
        if token is None or token.token_type in (TokenType.STRING, TokenType.L_PAREN,
                                                 TokenType.R_PAREN, TokenType.COMMA):
            raise QueryError(f"SYNTAX_ERROR: expected a name at '{self.rest()[:40]}'")
        self.i += 1
        return token.text

    def string(self, numbers: bool = False) -> str | None:
        """A string literal's text (or a number's, with numbers=True); None when neither comes next."""
        kinds = (TokenType.STRING, TokenType.NUMBER) if numbers else (TokenType.STRING,)
        if self.i < len(self.tokens) and self.tokens[self.i].token_type in kinds:
            self.i += 1
            return self.tokens[self.i - 1].text
        return None

    def rest(self) -> str:
        return self.text[self.tokens[self.i].start:] if self.i < len(self.tokens) else ""

    def end(self) -> None:
        if self.i < len(self.tokens):
            raise QueryError(f"SYNTAX_ERROR: unexpected '{self.rest()[:40]}'")


def command_text(tree: exp.Command) -> str:
    expression = tree.args.get("expression")
    return str(expression.this if isinstance(expression, exp.Literal) else expression or "")


# -- locations -------------------------------------------------------------------------

@dataclass(frozen=True)
class Location:
    bucket: str
    prefix: str  # "" (the bucket) or a validated key prefix ending in "/"

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, relative: str) -> str:
        """An object key under this location, validated before any I/O."""
        try:
            return validate_key(self.prefix + relative)
        except InvalidObjectKey as exc:
            raise QueryError(f"INVALID_LOCATION: {exc}") from None


class AllBucketsBut(tuple[str, ...]):
    """Every bucket except the listed ones (which it iterates as, for messages)."""

    def __contains__(self, bucket: object) -> bool:
        return bucket not in tuple(iter(self))


def platform_buckets(engine: DuckDBQueryEngine) -> tuple[str, ...]:
    """The buckets user SQL may point at: the data zones, never the catalog's own bucket.

    Behind the emulator endpoint clients bring their own buckets (awswrangler's CTAS writes
    to the caller's), so there it is any bucket but the catalog's.
    """
    if getattr(engine, "clients_own_buckets", False):
        return AllBucketsBut((engine.settings.bucket("catalog"),))
    return tuple(engine.settings.bucket(zone) for zone in DATA_ZONES)


def location_of(uri: str, buckets: tuple[str, ...]) -> Location:
    """An s3:// URI from user SQL (LOCATION, external_location, TO …), checked."""
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc:
        raise QueryError(f"INVALID_LOCATION: '{uri}' is not an s3://bucket/prefix/ location")
    try:
        bucket = validate_bucket_name(parts.netloc)
        prefix = parts.path.lstrip("/")
        prefix = validate_prefix(prefix if not prefix or prefix.endswith("/") else prefix + "/")
    except InvalidObjectKey as exc:
        raise QueryError(f"INVALID_LOCATION: {exc}") from None
    if bucket not in buckets and isinstance(buckets, AllBucketsBut):
        raise QueryError(f"INVALID_LOCATION: bucket '{bucket}' holds the catalog's own state")
    if bucket not in buckets:
        raise QueryError(
            f"INVALID_LOCATION: bucket '{bucket}' is not one of the platform's buckets ({', '.join(buckets)})"
        )
    return Location(bucket, prefix)


def refuse_escaped_locations(sql: str) -> None:
    """A location literal written with a backslash is refused before it is decoded. Athena's DDL
    is Hive's, where a backslash starts an escape: sqlglot decodes 's3://b/a\\tb/' to a tab, and
    'a\\qb' to 'aqb', and a tab was dropped on the way to the catalog, so the table silently
    pointed somewhere else. Locations here never hold a backslash (lakehouse/keys.py)."""
    try:
        tokens = sqlglot.tokenize(sql, read="trino")  # Trino's literals: backslashes kept as written
    except (ParseError, TokenError):
        return  # the statement's own parse reports it
    for token in tokens:
        if token.token_type == TokenType.STRING and "\\" in token.text and token.text.lower().startswith("s3://"):
            raise QueryError(f"INVALID_LOCATION: {token.text!r} holds a backslash, which Athena's DDL reads as an "
                             "escape; S3 locations here never contain one")


def user_location(engine: DuckDBQueryEngine, uri: str) -> Location:
    return location_of(uri, platform_buckets(engine))


def has_objects(engine: DuckDBQueryEngine, location: Location) -> bool:
    if not engine.store.head_bucket(location.bucket):
        return False
    return next(iter(engine.store.list_objects_v2(location.bucket, location.prefix)), None) is not None


def require_empty(engine: DuckDBQueryEngine, location: Location, table: str) -> None:
    """Athena never writes CTAS/UNLOAD output over existing data."""
    if has_objects(engine, location):
        raise QueryError(
            f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{table}' already exists: {location.uri}. "
            "You may need to manually clean the data at this location before retrying. "
            "Athena will not delete data in your account."
        )


def hive_folder(keys: list[str], values: list[str | None]) -> str:
    """`k1=v1/k2=v2/` with Hive's escaping; a NULL value gets Hive's default-partition name."""
    def escape(value: str) -> str:
        return "".join(f"%{ord(ch):02X}" if ch in _HIVE_ESCAPED else ch for ch in value)

    parts = [f"{key}={HIVE_DEFAULT_PARTITION if value is None else escape(value)}" for key, value in zip(keys, values)]
    return "".join(f"{part}/" for part in parts)


def hive_unescape(value: str) -> str:
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)
