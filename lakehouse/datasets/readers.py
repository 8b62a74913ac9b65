"""Parse a checked export into string columns, keeping every unparseable line with its reason.

CSV goes through DuckDB's reader (quoting, BOM, CRLF, parallel, streaming to Parquet)
with `store_rejects`, so a line with the wrong number of fields is kept, not lost.
Values stay strings here: typing and validation are the prepare stage's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from lakehouse.datasets.direct_csv import DirectCsv
from lakehouse.datasets.source_check import SourceLayout, check_json_records, load_json
from lakehouse.errors import SourceError
from lakehouse.datasets.spec import DatasetSpec

# Columns of every rejected-rows table. Step 0 is reading the file; recipe steps count from 1.
REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source_line": pl.Int64(),
    "step": pl.Int32(),
    "operation": pl.String(),
    "reason": pl.String(),
    "raw_record": pl.String(),
}
PARSE_STEP = 0
PARSE_OPERATION = "PARSE"
# DuckDB's working memory while parsing a CSV export into Parquet.
PARSE_MEMORY_LIMIT = "1GB"
# Exports up to this size may be read directly (direct_csv.py). Polars' scan of a Python source
# reads ahead of the plan, so memory grows with the file: +0.55 GB for an 872 MB export (10M
# rows), +3 GB at 50M rows. Larger exports go through the bounded Parquet parse.
DIRECT_READ_MAX_BYTES = 1 << 30

_PARSE_REASONS = {
    "TOO MANY COLUMNS": "too many fields",
    "MISSING COLUMNS": "too few fields",
    "INVALID UNICODE": "invalid UTF-8",
    "UNQUOTED VALUE": "unquoted value after a quote",
    "LINE SIZE OVER MAXIMUM": "line too long",
}


@dataclass(frozen=True)
class ParsedSource:
    """Rows as strings (Parquet at `rows_path`, or read `direct`ly from a clean CSV export) and
    the lines that could not be parsed."""

    rows_path: Path | None  # columns: the export's header labels, all strings, in file order
    parse_rejects: pl.DataFrame  # REJECT_SCHEMA
    parsed_rows: int
    first_data_line: int  # line (CSV) or record number (JSON) of the first data row
    direct: DirectCsv | None = None

    @property
    def raw_rows(self) -> int:
        return self.parsed_rows + self.parse_rejects.height

    def scan(self) -> pl.LazyFrame:
        if self.direct is not None:
            return self.direct.scan()
        assert self.rows_path is not None
        return pl.scan_parquet(self.rows_path)


def parse_source(layout: SourceLayout, spec: DatasetSpec, workdir: Path, *, direct: bool = True) -> ParsedSource:
    """Parse the source named by `layout` into `workdir/parsed.parquet`; a clean CSV export is
    read directly instead (`direct`), with no Parquet copy, unless `direct` is False."""
    rows_path = workdir / "parsed.parquet"
    if layout.format == "json":
        return _parse_json(layout, spec, rows_path)
    if direct and (clean := _clean_export(layout, spec)) is not None:
        return clean
    return _parse_csv(layout, spec, rows_path)


def _clean_export(layout: SourceLayout, spec: DatasetSpec) -> ParsedSource | None:
    """A direct read of the export if DuckDB rejects none of its lines; else None."""
    if layout.path.stat().st_size > DIRECT_READ_MAX_BYTES:
        return None
    connection = duckdb.connect(config={"memory_limit": PARSE_MEMORY_LIMIT})
    try:
        # fetchall, not fetchone: the rejects table is written when the scan has finished.
        records = connection.sql(f"SELECT count(*) FROM {_read_csv(layout, spec)}").fetchall()[0]
        rejected = connection.sql("SELECT count(*) FROM parse_rejects").fetchall()[0]
    except duckdb.InvalidInputException:
        return None  # line endings that change within the file: the thorough parse handles them
    finally:
        connection.close()
    if rejected[0]:
        return None  # the Parquet parse reads it again, rejects included: 1.8 s more at 10M, dirty files only
    direct = DirectCsv(layout, spec.labels, expected_rows=records[0])
    return ParsedSource(None, pl.DataFrame(schema=REJECT_SCHEMA), records[0], first_data_line=2, direct=direct)


def _read_csv(layout: SourceLayout, spec: DatasetSpec, path: Path | None = None) -> str:
    """DuckDB's read_csv of the export (or of `path`, a copy of it), every rejected line kept."""
    columns = ", ".join(f"{_sql_string(label)}: 'VARCHAR'" for label in spec.labels)
    separator = "';'" if layout.separator == ";" else "','"
    # Paths go in as escaped SQL string literals: COPY takes no parameters.
    return f"""read_csv({_sql_string(str(path or layout.path))}, delim={separator}, quote='"', escape='"',
                header=true, auto_detect=false, columns={{{columns}}}, store_rejects=true,
                rejects_table='parse_rejects', rejects_scan='parse_scans', max_line_size=1048576)"""


def _parse_csv(layout: SourceLayout, spec: DatasetSpec, rows_path: Path) -> ParsedSource:
    spill = rows_path.parent / "duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    # Bounded: without a limit DuckDB's memory grows with the file (2.0 GB peak at 50M rows,
    # 650 MB with it, no slower); past the limit it spills to the work folder.
    connection = duckdb.connect(config={"memory_limit": PARSE_MEMORY_LIMIT, "temp_directory": str(spill)})
    try:
        # COPY streams the CSV scan straight into the Parquet writer on DuckDB's threads; a
        # prepared `connection.sql(..., params=)` would materialise every row first (1.7 GB at 10M).
        # COPY takes no parameters, so both paths go in as escaped SQL string literals.
        # preserve_insertion_order stays on (the default): source lines are reconstructed
        # from the row order.
        def copy_rows(source: Path) -> None:
            connection.execute(f"""COPY (SELECT * FROM {_read_csv(layout, spec, source)})
                TO {_sql_string(str(rows_path))} (FORMAT parquet)""")

        try:
            copy_rows(layout.path)
        except duckdb.InvalidInputException:
            # DuckDB's reader gives up on line endings that change within a file (CRLF, then
            # LF, or a lone CR). Read a copy whose every line ends in LF; each line keeps its number.
            try:
                copy_rows(_with_lf_line_ends(layout.path, rows_path.with_name("line-ends.csv")))
            except duckdb.InvalidInputException as error:
                reason = str(error).splitlines()[0].removeprefix("Invalid Input Error: ").rstrip(".")
                raise SourceError(f"{layout.path}: cannot be read as a CSV export ({reason})") from None
        rejects = connection.sql(
            """SELECT line::BIGINT AS source_line, any_value(error_type)::VARCHAR AS error_type,
                      any_value(csv_line) AS raw_record, any_value(error_message) AS message
               FROM parse_rejects GROUP BY line ORDER BY line"""
        ).pl()
    finally:
        connection.close()
    parsed_rows = pl.scan_parquet(rows_path).select(pl.len()).collect().item()
    parse_rejects = rejects.select(
        pl.col("source_line"),
        pl.lit(PARSE_STEP).alias("step"),
        pl.lit(PARSE_OPERATION).alias("operation"),
        pl.format(
            "{} ({})",
            pl.col("error_type").replace_strict(_PARSE_REASONS, default=pl.col("error_type").str.to_lowercase()),
            pl.col("message"),
        ).alias("reason"),
        pl.col("raw_record").str.strip_chars("\r\n"),
    ).cast(REJECT_SCHEMA)  # type: ignore[arg-type]
    opened = rejects.filter(pl.col("error_type") == "UNQUOTED VALUE")["source_line"]
    if opened.len():
        _check_nothing_swallowed(layout.path, rows_path, parsed_rows + rejects.height, int(opened.min()))
    return ParsedSource(rows_path, parse_rejects, parsed_rows, first_data_line=2)


def _check_nothing_swallowed(path: Path, rows_path: Path, records: int, quote_line: int) -> None:
    """DuckDB reads past a quote that is never closed: the lines after it vanish without a
    reject. Count the file's lines independently; if records (and the line breaks quoted inside
    them) do not cover them, refuse the file rather than lose rows."""
    physical = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number > 1 and line.strip(b" \t\r\n\x00"):
                physical += 1
    columns = pl.scan_parquet(rows_path).collect_schema().names()
    quoted_breaks = pl.scan_parquet(rows_path).select(
        pl.sum_horizontal(pl.col(name).str.count_matches("\n").sum() for name in columns)
    ).collect().item() if columns else 0
    lost = physical - records - int(quoted_breaks or 0)
    if lost > 0:
        raise SourceError(f"{path}: line {quote_line}: a quote opened there is never closed, so {lost} later "
                          f"line{'s' if lost != 1 else ''} cannot be read; close the quote and ingest again")


def _with_lf_line_ends(source: Path, target: Path) -> Path:
    """A copy of `source` with CRLF and lone CR line ends as LF, streamed in 8 MiB chunks."""
    with source.open("rb") as reader, target.open("wb") as writer:
        pending = b""
        while chunk := reader.read(8 << 20):
            chunk = pending + chunk
            pending = b"\r" if chunk.endswith(b"\r") else b""  # its LF may start the next chunk
            chunk = chunk[:-1] if pending else chunk
            writer.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        writer.write(pending.replace(b"\r", b"\n"))
    return target


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _parse_json(layout: SourceLayout, spec: DatasetSpec, rows_path: Path) -> ParsedSource:
    records = check_json_records(layout.path, load_json(layout.path), spec)
    columns: dict[str, list[str | None]] = {label: [] for label in spec.labels}
    rejects: list[dict[str, object]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            rejects.append({"source_line": number, "step": PARSE_STEP, "operation": PARSE_OPERATION,
                            "reason": "record is not an object", "raw_record": str(record)[:1000]})
            continue
        for field in spec.fields:
            value = record.get(field.api_id)
            columns[field.label].append(None if value is None else str(value))
    pl.DataFrame(columns, schema={label: pl.String for label in spec.labels}).write_parquet(rows_path)
    return ParsedSource(
        rows_path,
        pl.DataFrame(rejects, schema=REJECT_SCHEMA),
        parsed_rows=len(records) - len(rejects),
        first_data_line=1,
    )
