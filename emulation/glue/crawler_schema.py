"""What a crawler learns from one file (format and schema, in Glue types), and how schemas combine.

Parquet schemas come from the file footer only. CSV is sniffed the way Glue's built-in
classifier does it: the first 1 MB or 1,000 records, delimiter among `,` `\\t` `|` `;`,
and a header only when the first row is all text and the data below it is not.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

Columns = tuple[tuple[str, str], ...]  # (name, Glue type) in table order

SAMPLE_BYTES = 1 << 20  # Glue reads a CSV file's first 1 MB or 1,000 records
SAMPLE_ROWS = 1000
CSV_DELIMITERS = (",", "\t", "|", ";")  # preference order on a tie
_MIN_CONSISTENCY = 0.9  # share of sampled rows that must have the modal field count
_MAX_HEADER_CHARS = 150  # Glue: a header cell is shorter than this
SIMILARITY = 0.7  # Glue merges folders into partitions when schemas are ~70% alike
_INTEGERS = ("tinyint", "smallint", "int", "bigint")
_FLOATS = ("float", "double")


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    header: bool
    quoted: bool  # quoted fields need OpenCSVSerde, as Glue chooses


@dataclass(frozen=True)
class FileSchema:
    classification: str  # "parquet" | "csv"
    columns: Columns
    csv: CsvFormat | None = None
    record_count: int | None = None  # Parquet footers carry it; CSV is not counted

    @property
    def format_key(self) -> tuple[object, ...]:
        """Files can share a table only when this matches (same reader settings)."""
        return (self.classification, self.csv and (self.csv.delimiter, self.csv.header))


# -- Parquet -------------------------------------------------------------------

def parquet_schema(path: Path) -> FileSchema:
    """Read the footer only: the schema and the row count."""
    footer = pq.ParquetFile(path)
    columns = tuple((field.name.lower(), glue_type(field.type)) for field in footer.schema_arrow)
    return FileSchema("parquet", _dedupe(columns), record_count=footer.metadata.num_rows)


def glue_type(arrow: pa.DataType) -> str:
    """The Hive/Glue type Athena reads an Arrow type as."""
    t = pa.types
    if t.is_dictionary(arrow):
        return glue_type(arrow.value_type)
    simple = [(t.is_boolean, "boolean"), (t.is_int8, "tinyint"), (t.is_int16, "smallint"),
              (t.is_int32, "int"), (t.is_int64, "bigint"), (t.is_uint8, "smallint"),
              (t.is_uint16, "int"), (t.is_uint32, "bigint"), (t.is_uint64, "bigint"),
              (t.is_float16, "float"), (t.is_float32, "float"), (t.is_float64, "double"),
              (t.is_date, "date"), (t.is_timestamp, "timestamp"), (t.is_duration, "bigint")]
    for test, name in simple:
        if test(arrow):
            return name
    if t.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if t.is_binary(arrow) or t.is_large_binary(arrow) or t.is_fixed_size_binary(arrow):
        return "binary"
    if t.is_list(arrow) or t.is_large_list(arrow) or t.is_fixed_size_list(arrow) or _is_list_view(arrow):
        return f"array<{glue_type(arrow.value_type)}>"
    if t.is_map(arrow):
        return f"map<{glue_type(arrow.key_type)},{glue_type(arrow.item_type)}>"
    if t.is_struct(arrow):
        fields = ",".join(f"{arrow.field(i).name.lower()}:{glue_type(arrow.field(i).type)}"
                          for i in range(arrow.num_fields))
        return f"struct<{fields}>"
    return "string"  # strings, string views, nulls, times: Athena reads them as text at best


def _is_list_view(arrow: pa.DataType) -> bool:
    check = getattr(pa.types, "is_list_view", None)
    return bool(check and (check(arrow) or pa.types.is_large_list_view(arrow)))


# -- CSV -------------------------------------------------------------------------

def csv_schema(sample: bytes, truncated: bool) -> FileSchema | None:
    """Sniff delimiter, header and column types; None when the text is not delimited data."""
    text = sample.decode("utf-8-sig", errors="replace")  # utf-8-sig drops a BOM
    if truncated and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # the last line may be cut mid-record
    best: tuple[float, int, str, list[list[str]]] | None = None
    for delimiter in CSV_DELIMITERS:
        rows = [r for r in islice(csv.reader(io.StringIO(text), delimiter=delimiter), SAMPLE_ROWS + 1) if r]
        if not rows:
            continue
        width, count = Counter(len(r) for r in rows).most_common(1)[0]
        score = (count / len(rows), width)
        if width >= 2 and score[0] >= _MIN_CONSISTENCY and (best is None or score > best[:2]):
            best = (score[0], width, delimiter, [r for r in rows if len(r) == width])
    if best is None:
        return None  # one column or ragged rows: Glue does not classify it as CSV either
    _, width, delimiter, rows = best
    data_types = [infer_type([r[i] for r in rows[1:]]) for i in range(width)]
    first = rows[0]
    header = (len(rows) > 1 and any(kind != "string" for kind in data_types)
              and all(_is_header_cell(cell) for cell in first[:-1]) and _is_header_cell(first[-1], last=True))
    if header:
        names = [column_name(cell) or f"col{i}" for i, cell in enumerate(first)]
        types = data_types
    else:
        names = [f"col{i}" for i in range(width)]
        types = [infer_type([r[i] for r in rows]) for i in range(width)]
    quoted = re.search(rf'(^|{re.escape(delimiter)})\s*"', text, re.MULTILINE) is not None
    columns = _dedupe(tuple(zip(names, types, strict=True)))
    return FileSchema("csv", columns, csv=CsvFormat(delimiter, header, quoted))


def _is_header_cell(cell: str, *, last: bool = False) -> bool:
    # The last cell may be empty (a trailing delimiter), as Glue allows.
    if cell.strip() == "":
        return last
    return len(cell) < _MAX_HEADER_CHARS and infer_type([cell]) == "string"


_PATTERNS = [
    ("bigint", r"^[+-]?\d{1,18}$"),
    ("double", r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"),
    ("date", r"^\d{4}-\d{2}-\d{2}$"),
    # Only Hive's text timestamp form: LazySimpleSerDe reads nothing else as a timestamp.
    ("timestamp", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$"),
]


def infer_type(values: list[str]) -> str:
    """The narrowest of boolean, bigint, double, date, timestamp, string every value fits."""
    series = pl.Series(values, dtype=pl.String).str.strip_chars()
    series = series.filter(series.is_not_null() & (series != ""))
    if series.len() == 0:
        return "string"
    if series.str.to_lowercase().is_in(["true", "false"]).all():
        return "boolean"
    for kind, pattern in _PATTERNS:
        if series.str.contains(pattern).all() and _parses(series, kind):
            return kind
    return "string"


def _parses(series: pl.Series, kind: str) -> bool:
    if kind == "date":
        return bool(series.str.to_date("%Y-%m-%d", strict=False).is_not_null().all())
    if kind == "timestamp":
        return bool(series.str.to_datetime(strict=False).is_not_null().all())
    return True


def column_name(raw: str) -> str:
    """Glue's column names: lower case, and for CSV only letters, digits and '_'."""
    return re.sub(r"[^a-z0-9_]+", "_", raw.strip().lower()).strip("_")


def _dedupe(columns: Columns) -> Columns:
    seen: Counter[str] = Counter()
    out = []
    for name, kind in columns:
        seen[name] += 1
        out.append((name if seen[name] == 1 else f"{name}_{seen[name]}", kind))
    return tuple(out)


# -- combining and comparing -------------------------------------------------------

def widen(a: str, b: str) -> str | None:
    """The type both a and b fit in, or None when there is none."""
    if a == b:
        return a
    if a in _INTEGERS and b in _INTEGERS:
        return max(a, b, key=_INTEGERS.index)
    if {a, b} <= set(_INTEGERS + _FLOATS):
        return "double"
    return None


def merge(schemas: list[Columns], classification: str) -> tuple[Columns, list[str]]:
    """The union of columns in order of first appearance, each in a type all files fit."""
    merged: dict[str, str] = {}
    conflicts: list[str] = []
    for columns in schemas:
        for name, kind in columns:
            if name not in merged:
                merged[name] = kind
                continue
            wider = widen(merged[name], kind)
            if wider is None:
                # CSV is text, so string always reads; Parquet keeps the first type seen.
                conflicts.append(f"column {name} is {merged[name]} in some files and {kind} in others")
                wider = "string" if classification == "csv" else merged[name]
            merged[name] = wider
    return tuple(merged.items()), conflicts


def similar(a: Columns, b: Columns) -> bool:
    """Glue's rule of thumb: schemas ~70% alike (shared column names) belong to one table."""
    names_a, names_b = {n for n, _ in a}, {n for n, _ in b}
    union = names_a | names_b
    return not union or len(names_a & names_b) / len(union) >= SIMILARITY


def readable_as(existing: str, inferred: str, classification: str) -> bool:
    """Whether a catalog column of type `existing` still reads data now inferred as `inferred`."""
    if existing == inferred or (existing, inferred) == ("double", "float"):
        return True
    if existing in _INTEGERS and inferred in _INTEGERS:
        return _INTEGERS.index(existing) >= _INTEGERS.index(inferred)
    # CSV is text: a string column reads anything, a double column reads integers.
    return classification == "csv" and (existing == "string" or (existing == "double" and inferred in _INTEGERS))
