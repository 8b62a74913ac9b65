"""DataScannedInBytes: the bytes of the Parquet files DuckDB read, after partition pruning.

DuckDB's profiler (detailed mode) reports for each Parquet scan the files it read
(`Filename(s)`, cut to five names then `...`), how many (`Total Files Read`) and the
partition filter it pruned with (`File Filters`). Listed files are summed exactly; for a
cut list the filter is re-applied to the table's partition values (from the Hive paths)
on a scratch connection with external access off. The sizes come from the object store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
from sqlglot import exp

_PARTITION = re.compile(r"([^/=]+)=([^/]*)/")


@dataclass(frozen=True)
class TableFiles:
    """A catalog table's Parquet files as DuckDB names them, with their sizes."""

    root: str  # the table's location as DuckDB reads it, without a trailing '/'
    files: dict[str, int]
    partition_types: dict[str, str] = field(default_factory=dict)  # Glue types of the partition keys

    @property
    def size(self) -> int:
        return sum(self.files.values())


def data_scanned(profile: str | None, tables: list[TableFiles]) -> int:
    """Bytes read by the profiled statement; every file of every table when there is no profile."""
    if profile is None:
        return sum(table.size for table in tables)
    total = 0
    for scan in _parquet_scans(json.loads(profile)):
        names = [name.strip() for name in scan.get("Filename(s)", "").split(", ") if name.strip()]
        table = next((t for t in tables if names and names[0].startswith(t.root + "/")), None)
        if table is not None:
            total += _scan_bytes(scan, names, table)
    return total


def _parquet_scans(node: dict[str, Any]) -> Iterator[dict[str, str]]:
    info = node.get("extra_info") or {}
    if node.get("operator_type") == "TABLE_SCAN" and str(info.get("Function", "")).upper() == "READ_PARQUET":
        yield {key: str(value) for key, value in info.items()}
    for child in node.get("children", []):
        yield from _parquet_scans(child)


def _scan_bytes(scan: dict[str, str], names: list[str], table: TableFiles) -> int:
    truncated = names[-1] == "..."
    listed = [name for name in names if name in table.files]
    if not truncated and len(listed) == len(names):
        return sum(table.files[name] for name in listed)
    read = int(scan.get("Total Files Read") or len(table.files))
    if read >= len(table.files):
        return table.size
    if "File Filters" in scan:
        matched = _matching(table, scan["File Filters"])
        if matched is not None and len(matched) == read:
            return sum(table.files[name] for name in matched)
    return round(table.size * read / max(1, len(table.files)))  # same share of the table's bytes


def _matching(table: TableFiles, file_filter: str) -> list[str] | None:
    """The files whose Hive partition values pass DuckDB's own pruning filter."""
    keys = list(table.partition_types)
    if not keys:
        return None
    rows = []
    for name in table.files:
        values = dict(_PARTITION.findall(name[len(table.root) + 1:]))
        cells = [exp.Literal.string(name).sql("duckdb")] + [
            f"TRY_CAST({exp.Literal.string(values.get(key, '')).sql('duckdb')} AS {table.partition_types[key]})"
            for key in keys
        ]
        rows.append(f"({', '.join(cells)})")
    columns = ", ".join(exp.to_identifier(k, quoted=True).sql("duckdb") for k in ["__file", *keys])
    sql = f"SELECT __file FROM (VALUES {', '.join(rows)}) AS files({columns}) WHERE {file_filter}"
    scratch = duckdb.connect(":memory:", config={"enable_external_access": False})
    try:
        return [row[0] for row in scratch.execute(sql).fetchall()]
    except duckdb.Error:
        return None
    finally:
        scratch.close()
