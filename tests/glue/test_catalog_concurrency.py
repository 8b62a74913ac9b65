"""Concurrent writers never lose an update: threads in one process and separate processes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from glue_support import DATABASE, partition, year_month_input

from emulation.glue.models import ObjectStoreCatalog
from emulation.s3 import FileObjectStore
from lakehouse.ports.object_store import ObjectStore

WORKER = Path(__file__).with_name("catalog_worker.py")


def run_together(count: int, work: Callable[[int], None]) -> None:
    start = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_threads_blind_updates_all_become_versions(catalog: ObjectStoreCatalog) -> None:
    table = year_month_input()
    catalog.create_table(DATABASE, table)

    def update(n: int) -> None:
        for i in range(10):
            catalog.update_table(DATABASE, {**table, "Description": f"writer {n} update {i}"})

    run_together(4, update)
    versions = catalog.get_table_versions(DATABASE, "events")
    assert [v["VersionId"] for v in versions] == [str(n) for n in range(41, 0, -1)]


def test_threads_partition_writers_keep_every_partition(catalog: ObjectStoreCatalog) -> None:
    table = year_month_input()
    catalog.create_table(DATABASE, table)

    def add(n: int) -> None:
        for month in range(12):
            catalog.batch_create_partition(DATABASE, "events", [partition(table, str(2020 + n), f"{month:02d}")])

    run_together(4, add)
    found = {tuple(p["Values"]) for p in catalog.get_partitions(DATABASE, "events")}
    assert found == {(str(2020 + n), f"{m:02d}") for n in range(4) for m in range(12)}


def _settings(store: ObjectStore, catalog: ObjectStoreCatalog, tmp_path: Path, worker: int, count: int) -> str:
    where = {"store": "file", "root": str(store.root)} if isinstance(store, FileObjectStore) else \
        {"store": "s3", "endpoint": store.client.meta.endpoint_url}  # type: ignore[attr-defined]
    return json.dumps({
        **where, "bucket": catalog.bucket, "database": DATABASE, "table": "events", "worker": worker,
        "count": count, "ready": str(tmp_path / f"ready-{worker}"), "go": str(tmp_path / "go"),
    })


# moto answers every request from threads of the test process, ~10 ms each: two writers there.
@pytest.mark.parametrize(
    ("kind", "processes"), [("file", 2), ("file", 4), pytest.param("s3", 2, marks=pytest.mark.s3)]
)
def test_processes_adding_partitions_and_counting_lose_nothing(
    request: pytest.FixtureRequest, tmp_path: Path, unique_bucket: str, kind: str, processes: int
) -> None:
    count = 50
    store: ObjectStore = FileObjectStore(tmp_path / "lake") if kind == "file" else request.getfixturevalue("s3_store")
    catalog = ObjectStoreCatalog(store, unique_bucket)
    catalog.create_database({"Name": DATABASE})
    catalog.create_table(DATABASE, year_month_input())
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), _settings(store, catalog, tmp_path, n, count)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(processes)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in range(processes)):
        assert all(w.poll() is None for w in workers), [w.communicate() for w in workers]
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    (tmp_path / "go").touch()  # every worker is ready: they start within milliseconds of each other
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0] * processes, [err for _, err in outputs]
    conflicts = sum(json.loads(out)["conflicts"] for out, _ in outputs)

    found = {tuple(p["Values"]) for p in catalog.get_partitions(DATABASE, "events")}
    assert found == {(str(2000 + w), f"{n:02d}") for w in range(processes) for n in range(count)}
    table = catalog.get_table(DATABASE, "events")
    total = processes * count
    assert table["Parameters"]["counter"] == str(total), f"lost updates ({conflicts} conflicts retried)"
    assert table["VersionId"] == str(1 + total)  # one version per increment, none lost, none extra
    newest = [int(v["VersionId"]) for v in catalog.get_table_versions(DATABASE, "events")]
    assert newest[0] == 1 + total and newest == list(range(newest[0], newest[0] - len(newest), -1))
