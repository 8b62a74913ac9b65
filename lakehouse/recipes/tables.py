"""Reading and writing the tables `lakehouse recipe apply` works on, chosen by extension."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lakehouse.errors import SourceError

FORMATS = (".csv", ".parquet")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise SourceError(f"{path}: unsupported extension {suffix or '(none)'!r}; use .csv or .parquet")
    return suffix


def scan_table(path: Path) -> pl.LazyFrame:
    """A lazy scan: CSV columns stay text (as DataBrew reads CSV), separator from the header."""
    if _format(path) == ".parquet":
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        return pl.scan_parquet(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    with path.open("rb") as handle:
        header = handle.readline().decode("utf-8-sig", errors="replace")
    if not header.strip():
        raise SourceError(f"{path}: file is empty")
    separator = max((";", ",", "\t", "|"), key=header.count)
    return pl.scan_csv(path, separator=separator, infer_schema=False, encoding="utf8-lossy")


def write_table(frame: pl.LazyFrame, path: Path) -> None:
    """Stream the frame to CSV or Parquet."""
    if _format(path) == ".parquet":
        frame.sink_parquet(path)
    else:
        frame.sink_csv(path)


def count_rows(path: Path) -> int:
    scan = pl.scan_parquet(path) if _format(path) == ".parquet" else pl.scan_csv(path, infer_schema=False)
    return int(scan.select(pl.len()).collect().item())
