"""Partitions of catalog tables: MSCK REPAIR TABLE and ALTER TABLE … ADD / DROP PARTITION.

Partition values are strings in Glue whatever the key's type; a partition's folder is the
table's location plus `key=value/` segments, escaped as Hive escapes them. Dropping a
partition removes only its catalog entry; its files stay, as in Athena.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from emulation.athena.statements_common import (
    Words, command_text, get_table, hive_folder, hive_unescape, is_view, location_of, platform_buckets, qualified,
    empty_result, text_result, user_location,
)
from emulation.athena.statements_glue import literal_text, partition_document, partition_keys
from lakehouse.errors import QueryError
from lakehouse.ports.catalog import GlueDocument
from lakehouse.ports.query_engine import ResultSet

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

Spec = dict[str, str]  # partition key -> value, as written in the statement
_CREATE_BATCH, _DELETE_BATCH = 100, 25  # Glue's limits per batch call


def msck_repair(engine: DuckDBQueryEngine, tree: exp.Command, default_database: str) -> ResultSet:
    """Add a partition for every `k=v/…` folder under the table's location that the catalog lacks."""
    words = Words(command_text(tree))
    words.accept("REPAIR")  # sqlglot keeps it in the command's name or in its text
    words.expect("TABLE")
    database, name = qualified(words.name(), default_database)
    words.end()
    table = _partitioned_table(engine, database, name, required=False)
    keys = partition_keys(table)
    if not keys:
        return empty_result()
    location = location_of(_root(table), platform_buckets(engine))
    existing = {tuple(p["Values"]) for p in engine.catalog.get_partitions(database, name)}
    found: dict[tuple[str, ...], str] = {}
    listing = engine.store.list_objects_v2(location.bucket, location.prefix) if engine.store.head_bucket(
        location.bucket) else iter(())
    for info in listing:
        folders = info.key[len(location.prefix):].split("/")[:-1][:len(keys)]
        pairs = [folder.split("=", 1) for folder in folders]
        if len(pairs) == len(keys) and all(len(p) == 2 and p[0].lower() == k for p, k in zip(pairs, keys)):
            found.setdefault(tuple(hive_unescape(value) for _, value in pairs), "/".join(folders))
    missing = sorted(values for values in found if values not in existing)
    _create(engine, database, name,
            [partition_document(table, list(values), f"{location.uri}{found[values]}/") for values in missing])
    names = [f"{name}:{found[v]}" for v in missing]
    lines = ["\t".join(["Partitions not in metastore:", *names])] if missing else []
    return text_result("result", lines + [f"Repair: Added partition to metastore {n}" for n in names])


def alter_table(engine: DuckDBQueryEngine, tree: exp.Alter, default_database: str) -> ResultSet:
    database, name = qualified(tree.this, default_database)
    actions = tree.args.get("actions") or []
    if actions and all(isinstance(a, exp.AddPartition) for a in actions):
        specs = [(_spec(a.this.expressions), _location(a.args.get("location"))) for a in actions]
        return add_partitions(engine, database, name, specs, any(a.args.get("exists") for a in actions))
    if actions and all(isinstance(a, exp.DropPartition) for a in actions):
        specs = [_spec(p.expressions) for a in actions for p in a.expressions]
        return drop_partitions(engine, database, name, specs, any(a.args.get("exists") for a in actions))
    raise QueryError("NOT_SUPPORTED: ALTER TABLE supports ADD PARTITION and DROP PARTITION here")


def alter_table_command(engine: DuckDBQueryEngine, tree: exp.Command, default_database: str) -> ResultSet | None:
    """`ALTER TABLE t ADD PARTITION (…) PARTITION (…)`: several at once, which sqlglot leaves as a Command."""
    words = Words(command_text(tree))
    if not words.accept("TABLE"):
        return None
    database, name = qualified(words.name(), default_database)
    if not words.accept("ADD"):
        return None
    if_not_exists = words.accept("IF", "NOT", "EXISTS")
    specs: list[tuple[Spec, str | None]] = []
    while words.accept("PARTITION"):
        spec = _word_spec(words)
        specs.append((spec, words.string() if words.accept("LOCATION") else None))
    words.end()
    if not specs:
        raise QueryError("SYNTAX_ERROR: ALTER TABLE … ADD needs PARTITION (key = 'value', …)")
    return add_partitions(engine, database, name, specs, if_not_exists)


def add_partitions(
    engine: DuckDBQueryEngine, database: str, name: str, specs: list[tuple[Spec, str | None]], if_not_exists: bool
) -> ResultSet:
    table = _partitioned_table(engine, database, name)
    keys = partition_keys(table)
    taken = {tuple(p["Values"]) for p in engine.catalog.get_partitions(database, name)}
    documents = []
    for spec, location in specs:
        values = _values(spec, keys, f"{database}.{name}", complete=True)
        if values in taken:
            if if_not_exists:
                continue
            raise QueryError(f"AlreadyExistsException: Partition already exists: {_show(spec)}")
        taken.add(values)
        uri = user_location(engine, location).uri if location else _root(table) + hive_folder(keys, list(values))
        documents.append(partition_document(table, list(values), uri))
    _create(engine, database, name, documents)
    return empty_result()


def drop_partitions(engine: DuckDBQueryEngine, database: str, name: str, specs: list[Spec], if_exists: bool) -> ResultSet:
    """Drop every partition matching each spec (a spec may name only some keys, as in Hive)."""
    table = _partitioned_table(engine, database, name)
    keys = partition_keys(table)
    partitions = engine.catalog.get_partitions(database, name)
    doomed: dict[tuple[str, ...], None] = {}
    for spec in specs:
        _values(spec, keys, f"{database}.{name}", complete=False)
        matches = [p for p in partitions if all(p["Values"][keys.index(k)] == v for k, v in spec.items())]
        if not matches and not if_exists:
            raise QueryError(f"EntityNotFoundException: Partition not found {_show(spec)}")
        doomed.update((tuple(p["Values"]), None) for p in matches)
    values = [list(v) for v in doomed]
    for start in range(0, len(values), _DELETE_BATCH):
        engine.catalog.batch_delete_partition(database, name, values[start:start + _DELETE_BATCH])
    return empty_result()


def _partitioned_table(engine: DuckDBQueryEngine, database: str, name: str, required: bool = True) -> GlueDocument:
    table = get_table(engine, database, name)
    if is_view(table):
        raise QueryError(f"NOT_SUPPORTED: '{database}.{name}' is a view; views have no partitions")
    if required and not partition_keys(table):
        raise QueryError(f"SYNTAX_ERROR: Table {database}.{name} is not partitioned")
    return table


def _root(table: GlueDocument) -> str:
    location = str(table["StorageDescriptor"].get("Location", ""))
    return location if location.endswith("/") else location + "/"


def _create(engine: DuckDBQueryEngine, database: str, name: str, documents: list[GlueDocument]) -> None:
    for start in range(0, len(documents), _CREATE_BATCH):
        errors = engine.catalog.batch_create_partition(database, name, documents[start:start + _CREATE_BATCH])
        if errors.get("Errors"):
            raise QueryError(f"HIVE_METASTORE_ERROR: could not add partitions to {database}.{name}: "
                             f"{errors['Errors'][0]}")


def _spec(conditions: list[exp.Expression]) -> Spec:
    spec: Spec = {}
    for condition in conditions:
        if not isinstance(condition, exp.EQ) or not isinstance(condition.this, exp.Column):
            raise QueryError(f"NOT_SUPPORTED: partition spec {condition.sql('hive')} (use key = 'value')")
        spec[condition.this.name.lower()] = literal_text(condition.expression, "partition value")
    return spec


def _word_spec(words: Words) -> Spec:
    words.expect("(")
    spec: Spec = {}
    while True:
        key = words.identifier().lower()
        words.expect("=")
        value = words.string(numbers=True)
        if value is None:
            raise QueryError(f"SYNTAX_ERROR: partition value for '{key}' must be a literal")
        spec[key] = value
        if words.accept(")"):
            return spec
        words.expect(",")


def _location(node: exp.Expression | None) -> str | None:
    return literal_text(node.this, "LOCATION") if isinstance(node, exp.LocationProperty) else None


def _values(spec: Spec, keys: list[str], table: str, complete: bool) -> tuple[str, ...]:
    unknown = [k for k in spec if k not in keys]
    if unknown:
        raise QueryError(f"SYNTAX_ERROR: '{unknown[0]}' is not a partition key of {table} (keys: {', '.join(keys)})")
    if complete and len(spec) != len(keys):
        raise QueryError(f"SYNTAX_ERROR: a partition of {table} needs a value for every key ({', '.join(keys)})")
    return tuple(spec.get(k, "") for k in keys)


def _show(spec: Spec) -> str:
    return "(" + ", ".join(f"{k} = '{v}'" for k, v in spec.items()) + ")"
