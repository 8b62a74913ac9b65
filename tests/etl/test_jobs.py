"""Glue-style ETL jobs: argument precedence, bookmarks, natural-key upserts, full refresh,
snapshots, time travel and retention — through the CLI on a temporary home."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from cli_support import CliRunner, platform_for

from emulation.glue.jobs import GlueJobs, resolve_arguments
from emulation.s3.store import FileObjectStore

HEADER = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
FIRST = [
    "ENG - Sanitation Services;Missed Pickup;2023-01;Phone;10;1",
    "ENG - Sanitation Services;Missed Pickup;2023-02;Phone;20;2",
    "FSC - Property Tax;Balance Inquiry;2023-01;Chat;5;3",
    "FSC - Property Tax;Balance Inquiry;2024-01;Chat;7;4",
]
# A month later: BI_IDs renumbered, one count revised, one new month, one row gone upstream.
SECOND = [
    "ENG - Sanitation Services;Missed Pickup;2023-01;Phone;10;101",
    "ENG - Sanitation Services;Missed Pickup;2023-02;Phone;25;102",
    "FSC - Property Tax;Balance Inquiry;2024-01;Chat;7;103",
    "FSC - Property Tax;Balance Inquiry;2024-02;Chat;9;104",
]
TOTALS = "SELECT year, sum(inquiries) AS n, count(*) AS rows FROM inquiry_volume GROUP BY year ORDER BY year"


def export(tmp_path: Path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode())
    return str(path)


def query(lakehouse: CliRunner, home: str, sql: str) -> list[dict[str, str]]:
    outcome = lakehouse("query", "--home", home, "--format", "csv", sql)
    assert outcome.code == 0, outcome.stderr
    return list(csv.DictReader(io.StringIO(outcome.stdout)))


def test_argument_precedence_default_run_nonoverridable(tmp_path: Path) -> None:
    job = {"Name": "j", "DefaultArguments": {"--a": "default", "--b": "default", "--c": "default"},
           "NonOverridableArguments": {"--c": "fixed"}}
    assert resolve_arguments(job, {"--b": "run", "--c": "run"}) == {"--a": "default", "--b": "run", "--c": "fixed"}
    seen: list[dict[str, str]] = []

    def executor(job: dict[str, Any], arguments: dict[str, str], bookmark: dict[str, Any], log: Any) -> tuple[dict, dict]:
        seen.append(arguments)
        return {}, {"Processed": {}}

    service = GlueJobs(FileObjectStore(tmp_path), "catalog", executor)
    service.create_job(job)
    run_id = service.start_job_run("j", {"--c": "run", "--d": "run"})
    assert seen == [{"--a": "default", "--b": "default", "--c": "fixed", "--d": "run"}]
    assert service.get_job_run("j", run_id)["Arguments"] == seen[0]


def test_bookmark_skips_processed_sources_and_upserts_new_ones(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert lakehouse("run", "--home", home, "--source", export(tmp_path, "first.csv", FIRST), "--years", "2023", "2024").code == 0
    assert query(lakehouse, home, TOTALS) == [{"year": "2023", "n": "35", "rows": "3"}, {"year": "2024", "n": "7", "rows": "1"}]

    again = lakehouse("transform", "--home", home)
    assert "no new landing sources" in again.stdout

    assert lakehouse("ingest", "--home", home, "--source", export(tmp_path, "second.csv", SECOND)).code == 0
    assert lakehouse("prepare", "--home", home).code == 0
    upserted = lakehouse("transform", "--home", home)
    assert upserted.code == 0 and "1 new sources" in upserted.stdout
    # Upsert by (department, type, channel, month): revised 2023-02 count, new 2024-02, the
    # 2023-01 Chat row that vanished upstream stays; renumbered BI_IDs duplicate nothing.
    assert query(lakehouse, home, TOTALS) == [{"year": "2023", "n": "40", "rows": "3"}, {"year": "2024", "n": "16", "rows": "2"}]

    runs = lakehouse("job", "runs", "3-1-1-inquiry-volume-curate", "--home", home).stdout
    assert runs.count("SUCCEEDED") == 3


def test_full_refresh_gives_what_incremental_runs_give(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    for name, lines in (("first.csv", FIRST), ("second.csv", SECOND)):
        assert lakehouse("run", "--home", home, "--source", export(tmp_path, name, lines), "--years", "2023", "2024").code == 0
    incremental = query(lakehouse, home, "SELECT * FROM inquiry_volume ORDER BY 1, 2, 3, 4, 5")
    refreshed = lakehouse("job", "run", "3-1-1-inquiry-volume-curate", "--full-refresh", "--home", home)
    assert refreshed.code == 0 and "2 new sources" in refreshed.stdout
    assert query(lakehouse, home, "SELECT * FROM inquiry_volume ORDER BY 1, 2, 3, 4, 5") == incremental


def test_time_travel_reads_an_earlier_snapshot(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    for name, lines in (("first.csv", FIRST), ("second.csv", SECOND)):
        assert lakehouse("run", "--home", home, "--source", export(tmp_path, name, lines), "--years", "2023", "2024").code == 0
    then = query(lakehouse, home, "SELECT sum(inquiries) AS n FROM inquiry_volume FOR VERSION AS OF 1")
    now = query(lakehouse, home, "SELECT sum(i.inquiries) AS n FROM inquiry_volume i")
    assert (then, now) == ([{"n": "42"}], [{"n": "56"}])
    versions = lakehouse("catalog", "versions", "inquiry_volume", "--home", home).stdout
    assert "/snapshots/" in versions
    import json

    old = json.loads(lakehouse("catalog", "show", "inquiry_volume", "--version", "1", "--json", "--home", home).stdout)
    new = json.loads(lakehouse("catalog", "show", "inquiry_volume", "--json", "--home", home).stdout)
    assert old["StorageDescriptor"]["Location"] != new["StorageDescriptor"]["Location"]
    assert old["StorageDescriptor"]["Location"] in versions


def test_old_snapshots_are_pruned_and_say_so(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "home"
    exports = [FIRST, SECOND, [line.replace(";7;", ";8;") for line in SECOND]]
    for index, lines in enumerate(exports):
        path = export(tmp_path, f"e{index}.csv", lines)
        assert lakehouse("ingest", "--home", str(home), "--source", path).code == 0
        assert lakehouse("prepare", "--home", str(home)).code == 0
        ran = lakehouse("job", "run", "3-1-1-inquiry-volume-curate", "--arg", "snapshots-to-keep=2", "--home", str(home))
        assert ran.code == 0, ran.stderr
    store = platform_for(home).store
    folders = {info.key.split("/")[3] for info in store.list_objects_v2("curated", "vancouver_311/inquiry_volume/snapshots/")}
    assert len(folders) == 2
    expired = lakehouse("query", "--home", str(home), "SELECT count(*) FROM inquiry_volume FOR VERSION AS OF 1")
    assert expired.code == 1 and "SNAPSHOT_EXPIRED" in expired.stderr
    assert query(lakehouse, str(home), "SELECT sum(inquiries) AS n FROM inquiry_volume FOR VERSION AS OF 2") == [{"n": "56"}]
