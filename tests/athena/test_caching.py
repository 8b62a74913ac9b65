"""What the engine keeps between queries never serves a stale answer, and deferred writes keep their order."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
import pytest
from athena_support import AthenaHome

from emulation.athena.caching import FileListings
from emulation.athena.engine import DuckDBQueryEngine
from emulation.athena.write_behind import WriteBehindStore
from emulation.s3.store import FileObjectStore
from lakehouse.catalog.glue_shapes import partition_input
from lakehouse.errors import NoSuchKey, QueryError


def _age(folder: Path, seconds: float = 5.0) -> None:
    """Set every folder's mtime back, as if the last change was a while ago (the listing cache's rule)."""
    past = time.time() - seconds
    for path in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        os.utime(path, (past, past))


def test_a_file_added_to_a_cached_location_is_listed(tmp_path: Path) -> None:
    store = FileObjectStore(tmp_path)
    store.create_bucket("curated")
    store.put_object("curated", "t/year=2024/a.parquet", b"1234")
    listings = FileListings(store)
    folder = tmp_path / "curated" / "t"
    _age(folder)
    first = listings.parquet_files("curated", "t/")
    assert list(first or {}) == [store.uri("curated", "t/year=2024/a.parquet")]
    assert listings.parquet_files("curated", "t/") is first  # unchanged folders: the cached listing
    store.put_object("curated", "t/year=2024/b.parquet", b"56")
    assert sorted((listings.parquet_files("curated", "t/") or {}).values()) == [2, 4]  # changed just now: listed
    store.put_object("curated", "t/year=2025/c.parquet", b"7")
    _age(folder)
    assert len(listings.parquet_files("curated", "t/") or {}) == 3  # a new folder changes the fingerprint
    assert listings.parquet_files("nobucket", "t/") is None


def test_repeated_query_follows_new_files_and_new_schemas(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    sql = "SELECT count(*) FROM events WHERE year = 2025"
    assert engine.run_query(sql).rows == [(0,)]
    source = athena_home.path / "curated" / "vancouver_311" / "events" / "year=2024" / "part-00000.parquet"
    target = source.parent.parent / "year=2025" / "part-00000.parquet"
    target.parent.mkdir()
    target.write_bytes(source.read_bytes())
    assert engine.run_query(sql).rows == [(0,)]  # files of a partition nobody added: not the table's (Athena)
    events = engine.catalog.get_table("vancouver_311", "events")
    engine.catalog.create_partition("vancouver_311", "events", partition_input(events, ["2025"]))
    assert engine.run_query(sql).rows == [(400,)]
    # A new column type in the catalog: the cached translation of the same text is not reused.
    table = engine.catalog.get_table("vancouver_311", "events")
    columns = [dict(c, Type="int") if c["Name"] == "id" else c for c in table["StorageDescriptor"]["Columns"]]
    engine.catalog.update_table("vancouver_311", {
        k: v for k, v in {**table, "StorageDescriptor": {**table["StorageDescriptor"], "Columns": columns}}.items()
        if k in ("Name", "Description", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")})
    typed = engine.run_query("SELECT id / 3 FROM events WHERE year = 2022 ORDER BY id LIMIT 2")
    assert typed.rows == [(0,), (0,)] and typed.types == ["integer"]


def test_a_cached_query_text_is_still_guarded_when_it_differs(engine: DuckDBQueryEngine) -> None:
    engine.run_query("SELECT count(*) FROM events")
    with pytest.raises(QueryError, match="ACCESS_DENIED"):
        engine.run_query("SELECT count(*) FROM read_csv('/etc/passwd')")


def test_deferred_writes_are_read_back_and_stored_in_order(tmp_path: Path) -> None:
    store = FileObjectStore(tmp_path)
    store.create_bucket("results")
    order: list[str] = []
    release = threading.Event()
    original = store.put_object

    def slow_put(bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> object:
        release.wait(5)
        order.append(key)
        return original(bucket, key, body, if_none_match=if_none_match)

    store.put_object = slow_put  # type: ignore[method-assign]
    deferred = WriteBehindStore(store)
    deferred.put_object("results", "q.csv", b"rows")
    deferred.put_object("results", "q.json", b"SUCCEEDED")
    assert deferred.get_object("results", "q.json") == b"SUCCEEDED"  # this process reads its pending writes
    assert deferred.head_object("results", "q.csv").size == 4
    with pytest.raises(NoSuchKey):
        store.get_object("results", "q.csv")  # not on the store yet
    release.set()
    deferred.flush()
    assert order == ["q.csv", "q.json"]  # results before the record that points at them
    assert store.get_object("results", "q.json") == b"SUCCEEDED"


def test_deferred_write_errors_surface_on_flush(tmp_path: Path) -> None:
    store = FileObjectStore(tmp_path)
    deferred = WriteBehindStore(store)
    deferred.put_object("nobucket", "x.json", b"{}")  # the bucket does not exist: the write fails later
    with pytest.raises(Exception, match="nobucket"):
        deferred.flush()


def test_api_with_deferred_writes_answers_as_without(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    engine.defer_writes()
    qid = engine.start_query_execution("SELECT year, count(*) FROM events GROUP BY year ORDER BY year")
    assert engine.get_query_execution(qid)["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    rows = engine.get_query_results(qid)["ResultSet"]["Rows"]
    assert [[d["VarCharValue"] for d in row["Data"]] for row in rows] == [
        ["year", "_col1"], ["2022", "1200"], ["2023", "1200"], ["2024", "1200"]]
    engine.flush_writes()
    assert (athena_home.path / "athena-results" / f"{qid}.csv").is_file()
    assert engine.list_query_executions()["QueryExecutionIds"][0] == qid


def test_profiling_keeps_what_scanned_bytes_need(engine: DuckDBQueryEngine) -> None:
    with pytest.raises(duckdb.InvalidInputException, match="locked"):
        engine.connection.execute("SET custom_profiling_settings = '{}'")
