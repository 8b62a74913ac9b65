"""A clean CSV export read by Polars straight from the file, with no Parquet copy in between.

`readers.parse_source` uses this only when DuckDB's reader, the parser of record, found no line
to reject. Polars' reader is then asked for the same
rows: it reads the file in parallel batches that feed the recipe's plan directly. Where it
disagrees (it refuses some quoting DuckDB accepts, such as a space after a closing quote, and
invalid UTF-8, or a blank line it reads as a row where DuckDB skips it), the read records why
and stops; the caller then parses the file the thorough
way and runs again, so what lands never depends on which reader ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import mmap

import numpy as np
import polars as pl
from polars.io.plugins import register_io_source

from lakehouse.datasets.source_check import SourceLayout

# Rows per batch handed to the plan: the recipe's per-batch steps cost a fixed overhead each,
# and Polars' CSV reader alone would hand over a few thousand rows at a time.
BATCH_ROWS = 200_000
_CHUNK = 64 << 20


class DirectCsv:
    """Rows of `path` as strings, in file order; `failure` says why a read stopped short."""

    def __init__(self, layout: SourceLayout, labels: tuple[str, ...], expected_rows: int) -> None:
        self.layout = layout
        self.labels = labels
        self.expected_rows = expected_rows
        self.failure: str | None = None

    def _reader(self, *, header: bool, source: Path | bytes) -> pl.LazyFrame:
        scan = pl.scan_csv(source, separator=self.layout.separator, quote_char='"', has_header=header,
                           schema={label: pl.String() for label in self.labels})
        # DuckDB reads an empty field, quoted or not, as null; Polars keeps a quoted one as "".
        return scan.with_columns(pl.when(pl.col(label) != "").then(pl.col(label)).alias(label) for label in self.labels)

    def scan(self) -> pl.LazyFrame:
        return register_io_source(self._batches, schema={label: pl.String() for label in self.labels})

    def _batches(self, columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None,
                 _batch_size: int | None) -> Iterator[pl.DataFrame]:
        rows = 0
        try:
            for batch in self._reader(header=True, source=self.layout.path).collect_batches(chunk_size=BATCH_ROWS,
                                                                                     engine="streaming"):
                if n_rows is not None and rows + batch.height > n_rows:
                    batch = batch.head(n_rows - rows)
                rows += batch.height
                if columns is not None:
                    batch = batch.select(columns)
                yield batch if predicate is None else batch.filter(predicate)
                if n_rows is not None and rows >= n_rows:
                    return
        except pl.exceptions.PolarsError as error:
            self.failure = str(error).strip().splitlines()[0]
            return
        if rows != self.expected_rows:
            self.failure = f"Polars read {rows} rows where DuckDB read {self.expected_rows}"

    def rows_at(self, lines: pl.Series) -> pl.DataFrame:
        """The values of the records on these source lines (record n is on line n + 1)."""
        wanted = np.unique(lines.to_numpy())
        texts, line_count = _lines_at(self.layout.path, wanted)
        if line_count != self.expected_rows + 1:
            # Quoted line breaks: records are not lines. Read the records by number instead.
            return (
                self._reader(header=True, source=self.layout.path).with_row_index("source_line", offset=2)
                .filter(pl.col("source_line").is_in(pl.Series(wanted).implode()))
                .select(pl.col("source_line").cast(pl.Int64), *self.labels).collect(engine="streaming")
            )
        values = self._reader(header=False, source=b"\n".join(texts) + b"\n").collect() if texts else (
            pl.DataFrame(schema={label: pl.String() for label in self.labels}))
        return values.select(pl.Series("source_line", wanted[: values.height], dtype=pl.Int64), *self.labels)


def _lines_at(path: Path, wanted: np.ndarray) -> tuple[list[bytes], int]:
    """The text of the given 1-based lines (sorted), without their line ends, and the number of
    lines in the file. Scanned through a memory map in chunks: no copy of the file's bytes."""
    found: list[bytes] = []
    lines_before = 0  # line breaks before the current chunk
    previous_end = -1  # where the last line break seen is
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        data = np.frombuffer(mapped, dtype=np.uint8)
        for offset in range(0, data.size, _CHUNK):
            ends = np.flatnonzero(data[offset:offset + _CHUNK] == 10) + offset
            # Line lines_before + k + 1 ends at ends[k] and starts after the line break before it.
            inside = wanted[(wanted > lines_before) & (wanted <= lines_before + ends.size)] - lines_before - 1
            starts = np.concatenate(([previous_end + 1], ends[:-1] + 1))
            found += [mapped[starts[k]:ends[k]].rstrip(b"\r") for k in inside]
            if ends.size:
                previous_end = int(ends[-1])
            lines_before += ends.size
        last = mapped[previous_end + 1:]
        del data  # the map cannot close while a view of it exists
    if last:  # a last line without its line break
        lines_before += 1
        if lines_before in wanted:
            found.append(last.rstrip(b"\r"))
    return found, lines_before
