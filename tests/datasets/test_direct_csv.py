"""A clean CSV export is read by Polars straight from the file; what lands must not depend on it.

Each case prepares the same export twice: as `parse_source` chooses (direct when DuckDB rejects
no line and every record is one line) and through DuckDB's Parquet parse alone. Landing rows
and rejected rows, raw text included, must be identical.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse.datasets.inquiry_volume import INQUIRY_VOLUME
from lakehouse.datasets.readers import parse_source
from lakehouse.datasets.sample import write_sample
from lakehouse.datasets.source_check import check_source
from lakehouse.prepare import run_recipe
from lakehouse.recipes.definitions import dataset_recipe

HEADER = b"Department;Type;Year Month;Channel;Number of Records;BI_ID"
CLEAN = [
    b"A - One;Type 1;2024-01;Phone;5;1",
    b'"""ENG - Sanitation Services""";Type 2;2024-12;CHAT;7;3',
    b'"ENG - Streets; Sidewalks";Type;2024-02;E-MAIL;3;12',
    b'"";Type;2024-02;Mail;3;11',  # a quoted empty value is missing, as an unquoted one
    b"A - One;Type 1;2024-01;Phone;5;1",  # duplicate
    b"C - Three;Type;2024-03;Phone;abc;13",
    b"  B - Two  ;Type;2024-02; mail ;-7;10",
    b"B - Two;Type;2024-02;Mail;;17",
]


def _export(tmp_path: Path, lines: list[bytes], end: bytes = b"\r\n") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join([HEADER, *lines]) + end)
    return path


def _prepare(source: Path, workdir: Path, *, direct: bool) -> tuple[pl.DataFrame, pl.DataFrame, object]:
    workdir.mkdir()
    parsed = parse_source(check_source(source, INQUIRY_VOLUME), INQUIRY_VOLUME, workdir, direct=direct)
    landing, rejected = run_recipe(dataset_recipe(INQUIRY_VOLUME), parsed, INQUIRY_VOLUME, workdir)
    return pl.read_parquet(landing), rejected, parsed


def _both(source: Path, tmp_path: Path) -> object:
    landing, rejected, parsed = _prepare(source, tmp_path / "direct", direct=True)
    landing_thorough, rejected_thorough, thorough = _prepare(source, tmp_path / "thorough", direct=False)
    assert thorough.direct is None  # type: ignore[attr-defined]
    if parsed.direct is not None and parsed.direct.failure is None:  # type: ignore[attr-defined]
        # The rows themselves, value for value (a quoted empty value is null in both).
        assert parsed.scan().collect().equals(pl.read_parquet(thorough.rows_path))  # type: ignore[attr-defined]
    assert landing.equals(landing_thorough)
    assert rejected.equals(rejected_thorough)
    assert landing.height + rejected.height == thorough.raw_rows == parsed.raw_rows  # type: ignore[attr-defined]
    return parsed


def test_a_clean_export_is_read_directly_with_the_same_result(tmp_path: Path) -> None:
    parsed = _both(_export(tmp_path, CLEAN), tmp_path)
    assert parsed.direct is not None and parsed.direct.failure is None  # type: ignore[attr-defined]
    assert parsed.rows_path is None  # type: ignore[attr-defined]


def test_a_dirty_sample_is_read_directly_with_the_same_result(tmp_path: Path) -> None:
    source = tmp_path / "sample.csv"
    write_sample(source, rows=30_000, seed=7, dirty=True, end_month="2026-10")
    parsed = _both(source, tmp_path)
    assert parsed.direct is not None and parsed.direct.failure is None  # type: ignore[attr-defined]


def test_an_export_with_a_line_duckdb_rejects_is_parsed_thoroughly(tmp_path: Path) -> None:
    parsed = _both(_export(tmp_path, [*CLEAN[:2], b"short;row", *CLEAN[2:]]), tmp_path)
    assert parsed.direct is None  # type: ignore[attr-defined]


def test_a_quoted_line_break_is_read_directly_and_its_raw_text_found_by_record(tmp_path: Path) -> None:
    # The rejected record spans two lines, so its raw text cannot be read by line number.
    broken = b'"two\r\nlines";Type;2024-02;Mail;abc;20'
    parsed = _both(_export(tmp_path, [*CLEAN[:2], broken, *CLEAN[2:]]), tmp_path)
    assert parsed.direct is not None and parsed.direct.failure is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", [
    b'"A - One" ;Type 1;2024-01;Phone;5;30',  # a space after the closing quote: DuckDB reads it, Polars refuses
    b"A - One;Type \xff;2024-01;Phone;5;31",  # invalid UTF-8: DuckDB's count misses it, Polars refuses
    b"",  # a blank line: DuckDB skips it, Polars reads a row of nulls, so the counts differ
], ids=["space after quote", "invalid UTF-8", "blank line"])
def test_where_polars_refuses_a_line_duckdb_accepted_the_run_falls_back(tmp_path: Path, bad: bytes) -> None:
    # Past the head that check_source reads (it refuses invalid UTF-8 there itself).
    filler = [b"D - Four;Type;2024-05;Phone;%d;%d" % (n % 9 + 1, 100 + n) for n in range(3_000)]
    parsed = _both(_export(tmp_path, [*CLEAN[:3], *filler, bad, *CLEAN[3:]]), tmp_path)
    assert parsed.direct is not None and parsed.direct.failure  # type: ignore[attr-defined]


def test_the_last_line_may_lack_its_line_break(tmp_path: Path) -> None:
    parsed = _both(_export(tmp_path, CLEAN, end=b""), tmp_path)
    assert parsed.direct is not None and parsed.direct.failure is None  # type: ignore[attr-defined]


def test_a_large_export_is_parsed_through_parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading directly costs memory that grows with the file; above the limit the bounded parse is used.
    from lakehouse.datasets import readers

    monkeypatch.setattr(readers, "DIRECT_READ_MAX_BYTES", 100)
    parsed = _both(_export(tmp_path, CLEAN), tmp_path)
    assert parsed.direct is None  # type: ignore[attr-defined]


def test_lone_carriage_returns_make_the_direct_read_fall_back(tmp_path: Path) -> None:
    # DuckDB counts it; Polars sees one line of many fields. The fallback must come before the
    # raw text of rejected records is looked up in the file.
    path = tmp_path / "export.csv"
    path.write_bytes(b"\r".join([HEADER, *CLEAN]) + b"\r")
    parsed = _both(path, tmp_path)
    assert parsed.direct is not None and parsed.direct.failure  # type: ignore[attr-defined]
