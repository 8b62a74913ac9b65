"""Writing query results as data files (Parquet, Hive text, JSON lines), one folder per partition.

What CTAS, INSERT INTO and UNLOAD share. Rows come from the engine's ResultSet; files go
to the object store with put_object, so every backend (folders, S3) is written the same way.
"""

from __future__ import annotations

import gzip
import io
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from emulation.athena.claims import OutputClaim
from emulation.athena.statements_common import HIVE_DEFAULT_PARTITION, Location, hive_folder
from emulation.athena.statements_glue import DEFAULT_TEXT_DELIMITER
from lakehouse.errors import QueryError
from lakehouse.ports.query_engine import ResultSet

if TYPE_CHECKING:
    from emulation.athena.engine import DuckDBQueryEngine

MAX_PARTITIONS = 100  # Athena's limit of open partition writers per CTAS / INSERT INTO / UNLOAD
PARQUET_CODECS = {"GZIP": "gzip", "SNAPPY": "snappy", "ZSTD": "zstd", "LZ4": "lz4", "NONE": "none",
                  "UNCOMPRESSED": "none"}
TEXT_CODECS = {"GZIP": "gzip", "NONE": "none", "UNCOMPRESSED": "none"}
_ARROW = {"varchar": pa.string(), "bigint": pa.int64(), "integer": pa.int32(), "smallint": pa.int16(),
          "tinyint": pa.int8(), "double": pa.float64(), "real": pa.float32(), "boolean": pa.bool_(),
          "date": pa.date32(), "timestamp": pa.timestamp("us"), "varbinary": pa.binary()}


@dataclass(frozen=True)
class Output:
    location: Location
    fmt: str  # PARQUET | TEXTFILE | JSON
    compression: str  # GZIP | SNAPPY | ZSTD | LZ4 | NONE, checked against the format
    partitioned_by: list[str]
    delimiter: str = DEFAULT_TEXT_DELIMITER
    # Partitions that already have a folder of their own (INSERT INTO): values -> location.
    partition_locations: dict[tuple[str, ...], Location] = field(default_factory=dict)


@dataclass
class Written:
    keys: list[tuple[str, str]] = field(default_factory=list)  # (bucket, key) of every file written
    partitions: dict[tuple[str, ...], str] = field(default_factory=dict)  # values -> partition location URI
    rows: int = 0


def compression_for(fmt: str, requested: str | None) -> str:
    codec = (requested or "GZIP").upper()  # Athena compresses every format with GZIP unless told otherwise
    allowed = PARQUET_CODECS if fmt == "PARQUET" else TEXT_CODECS
    if codec not in allowed:
        raise QueryError(f"NOT_SUPPORTED: compression '{codec}' for {fmt} (supported: {', '.join(sorted(allowed))})")
    return "NONE" if allowed[codec] == "none" else codec


def partition_text(value: Any) -> str | None:
    """A partition value as Hive writes it in a folder name (NULL stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def write_result(engine: DuckDBQueryEngine, result: ResultSet, output: Output, statement: str,
                 table: str | None = None) -> Written:
    """Write the rows, partition columns (the last ones) becoming folders; undone on failure.
    Before the first file, the files about to be written are claimed on the statement's
    execution record (claims.py), so a killed statement's files can be found and removed."""
    names = list(result.columns)
    split = len(names) - len(output.partitioned_by)
    groups: dict[tuple[str | None, ...], list[tuple[Any, ...]]] = {}
    for row in result.rows:
        groups.setdefault(tuple(partition_text(v) for v in row[split:]), []).append(row[:split])
    if len(groups) > MAX_PARTITIONS:
        raise QueryError(f"HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of {MAX_PARTITIONS} open writers for "
                         f"partitions/buckets ({len(groups)} partitions)")
    stem = f"{datetime.now(UTC):%Y%m%d_%H%M%S}_{secrets.token_hex(5)}"
    planned: list[tuple[tuple[str, ...], Location, str, list[tuple[Any, ...]]]] = []
    for number, (values, rows) in enumerate(sorted(groups.items(), key=lambda g: [v or "" for v in g[0]])):
        stored = tuple(HIVE_DEFAULT_PARTITION if v is None else v for v in values)
        target = output.partition_locations.get(stored)
        if target is None:
            folder = hive_folder(output.partitioned_by, list(values))
            target = output.location if not folder else _folder(output.location, folder)
        planned.append((stored, target, target.key(f"{stem}_{number:05d}{_extension(output)}"), rows))
    new_partitions = [target.uri for stored, target, _, _ in planned
                      if output.partitioned_by and stored not in output.partition_locations]
    engine.claim_output(OutputClaim(statement, output.location.uri,
                                    [f"s3://{target.bucket}/{key}" for _, target, key, _ in planned], table,
                                    new_partitions if statement == "INSERT" else []))
    written = Written(rows=len(result.rows))
    try:
        for stored, target, key, rows in planned:
            body = _encode(output, names[:split], result.types[:split], rows)
            engine.store.create_bucket(target.bucket)
            engine.store.put_object(target.bucket, key, body)
            written.keys.append((target.bucket, key))
            if output.partitioned_by:
                written.partitions[stored] = target.uri
    except BaseException:
        remove(engine, written)
        raise
    # Athena lists a statement's data files in the execution's manifest (DataManifestLocation).
    engine.files_written.extend(f"s3://{bucket}/{key}" for bucket, key in written.keys)
    return written


def remove(engine: DuckDBQueryEngine, written: Written) -> None:
    """Best-effort cleanup of files a failed statement wrote."""
    for bucket, key in written.keys:
        engine.store.delete_object(bucket, key)


def _folder(location: Location, folder: str) -> Location:
    return Location(location.bucket, location.key(folder.rstrip("/")) + "/")


def _extension(output: Output) -> str:
    if output.fmt == "PARQUET":
        return ".parquet"  # the engine's Parquet scan reads *.parquet files
    base = ".json" if output.fmt == "JSON" else ".txt"
    return base + (".gz" if output.compression == "GZIP" else "")


def _encode(output: Output, names: list[str], types: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    if output.fmt == "PARQUET":
        return _parquet(names, types, rows, PARQUET_CODECS[output.compression])
    if output.fmt == "JSON":
        lines = [json.dumps(dict(zip(names, (_json_value(v) for v in row))), ensure_ascii=False) for row in rows]
    else:
        lines = [output.delimiter.join(_text_value(v) for v in row) for row in rows]
    body = "".join(f"{line}\n" for line in lines).encode()
    return gzip.compress(body, mtime=0) if output.compression == "GZIP" else body


def _parquet(names: list[str], types: list[str], rows: Sequence[tuple[Any, ...]], codec: str) -> bytes:
    columns = list(zip(*rows)) if rows else [()] * len(names)
    arrays = [pa.array(list(values), type=_arrow_type(name, kind)) for name, kind, values in zip(names, types, columns)]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names), buffer, compression=codec)
    return buffer.getvalue()


def _arrow_type(name: str, athena_type: str) -> pa.DataType:
    if athena_type in _ARROW:
        return _ARROW[athena_type]
    if athena_type.startswith("decimal("):
        precision, scale = (int(part) for part in athena_type[8:-1].split(","))
        return pa.decimal128(precision, scale)
    raise QueryError(f"NOT_SUPPORTED: column '{name}' has type {athena_type}, which cannot be written here")


def _text_value(value: Any) -> str:
    """LazySimpleSerDe's text: \\N for NULL, lower-case booleans, ISO dates."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)  # JSON has one number type; Athena writes decimals as numbers too
    if isinstance(value, bytes):
        return value.hex()
    return value
