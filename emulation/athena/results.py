"""Result files as Athena writes them, and GetQueryResults pages read back from them.

`<id>.csv`: a header row, then one row per result row; every value is double-quoted
(quotes doubled), NULL is an empty unquoted field, lines end with `\\n` — so an empty
string (`""`) and NULL (nothing) stay distinct. `<id>.csv.metadata`: Athena writes a
binary (protobuf) file; this one is JSON holding the same ResultSetMetadata.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from emulation.athena.exceptions import InvalidRequestException
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.query_engine import ResultSet

# Type → (Precision, Scale) as Athena reports them in ColumnInfo.
PRECISION = {
    "varchar": 2147483647, "char": 2147483647, "varbinary": 2147483647, "tinyint": 3, "smallint": 5,
    "integer": 10, "bigint": 19, "real": 7, "double": 17, "boolean": 0, "date": 0, "timestamp": 3,
    "timestamp with time zone": 3, "time": 3, "array": 0, "map": 0, "row": 0, "json": 0,
}
_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")
_FIELD = re.compile(r'"((?:[^"]|"")*)"|([^,\n]*)')


def column_info(name: str, athena_type: str) -> dict[str, Any]:
    """One `ResultSetMetadata.ColumnInfo` entry."""
    kind, precision, scale = athena_type.lower(), 0, 0
    decimal = _DECIMAL.match(kind)
    if decimal:
        kind, precision, scale = "decimal", int(decimal.group(1)), int(decimal.group(2))
    elif kind.endswith("[]"):
        kind = "array"
    elif kind.startswith("map("):
        kind = "map"
    elif kind.startswith(("struct(", "row(")):
        kind = "row"
    else:
        precision = PRECISION.get(kind, 0)
    return {
        "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name, "Type": kind,
        "Precision": precision, "Scale": scale, "Nullable": "UNKNOWN", "CaseSensitive": kind in ("varchar", "char"),
    }


def athena_text(value: Any) -> str | None:
    """A value as Athena prints it in results (None stays NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return ("-Infinity" if value < 0 else "Infinity") if math.isinf(value) else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, bytes):
        return " ".join(f"{byte:02x}" for byte in value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(athena_text(item) or "null" for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={athena_text(item) or 'null'}" for key, item in value.items()) + "}"
    return str(value)


def _quoted(text: str | None) -> str:
    return "" if text is None else '"' + text.replace('"', '""') + '"'


def to_csv(result: ResultSet) -> bytes:
    lines = [",".join(_quoted(name) for name in result.columns)]
    lines += [",".join(_quoted(athena_text(value)) for value in row) for row in result.rows]
    return ("\n".join(lines) + "\n").encode()


def parse_csv(text: str) -> list[list[str | None]]:
    """Athena's CSV back into rows; an unquoted empty field is NULL."""
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    position, end = 0, len(text)
    while position < end:
        match = _FIELD.match(text, position)
        assert match is not None  # the pattern matches the empty string
        quoted, bare = match.group(1), match.group(2)
        row.append(quoted.replace('""', '"') if quoted is not None else (bare or None))
        position = match.end()
        separator = text[position] if position < end else "\n"
        position += 1
        if separator == "\n":
            rows.append(row)
            row = []
    return rows


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise InvalidRequestException(f"OutputLocation must be an s3:// URI (got {uri!r})")
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def write_results(store: ObjectStore, output_location: str, result: ResultSet) -> None:
    """`<id>.csv` and `<id>.csv.metadata` at the execution's OutputLocation."""
    bucket, key = split_s3_uri(output_location)
    metadata = {"ResultSetMetadata": {"ColumnInfo": [column_info(n, t) for n, t in zip(result.columns, result.types,
                                                                                        strict=True)]},
                "RowCount": len(result.rows)}
    store.put_object(bucket, key, to_csv(result))
    store.put_object(bucket, f"{key}.metadata", json.dumps(metadata, indent=2).encode())


def write_manifest(store: ObjectStore, output_location: str, files: list[str]) -> str:
    """`<id>-manifest.csv` beside the results: one written data file URI a line, as Athena writes
    for CTAS, INSERT INTO and UNLOAD (awswrangler reads a CTAS's data through it)."""
    bucket, key = split_s3_uri(output_location)
    manifest = f"{key.removesuffix('.csv')}-manifest.csv"
    store.put_object(bucket, manifest, "".join(f"{uri}\n" for uri in files).encode())
    return f"s3://{bucket}/{manifest}"


def read_results(store: ObjectStore, output_location: str) -> tuple[list[dict[str, Any]], list[list[str | None]]]:
    """ColumnInfo and every row of the result file, the header row first."""
    bucket, key = split_s3_uri(output_location)
    metadata = json.loads(store.get_object(bucket, f"{key}.metadata"))
    rows = parse_csv(store.get_object(bucket, key).decode())
    return metadata["ResultSetMetadata"]["ColumnInfo"], rows


def page_token(query_execution_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([query_execution_id, offset]).encode()).decode()


def page_offset(query_execution_id: str, token: str | None) -> int:
    """The row a NextToken points at; a token from another execution is refused."""
    if not token:
        return 0
    try:
        owner, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidRequestException("NextToken is not valid") from None
    if owner != query_execution_id or not isinstance(offset, int) or offset < 0:
        raise InvalidRequestException("NextToken does not belong to this query execution")
    return offset


def result_rows(rows: list[list[str | None]]) -> list[dict[str, Any]]:
    """Rows in GetQueryResults' shape: `{"Data": [{"VarCharValue": …}, …]}`; NULL is `{}`."""
    return [{"Data": [{} if value is None else {"VarCharValue": value} for value in row]} for row in rows]
