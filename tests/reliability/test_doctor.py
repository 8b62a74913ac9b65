"""`lakehouse doctor` finds what a crash or a hand edit broke, names it, and repairs what it can."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import reliability_figures
from cli_support import CliRunner, platform_for

from emulation.s3.store import TEMP_PREFIX
from lakehouse.runlog import RunRecord, save_run


@pytest.fixture
def home(lakehouse: CliRunner, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    assert lakehouse("run", "--home", str(home), "--rows", "3000").code == 0
    return home


def _findings(lakehouse: CliRunner, home: Path, *flags: str) -> tuple[int, list[dict[str, object]]]:
    outcome = lakehouse("doctor", "--home", str(home), "--json", *flags)
    return outcome.code, json.loads(outcome.stdout)["findings"]


def test_a_healthy_lakehouse_has_no_findings(lakehouse: CliRunner, home: Path) -> None:
    outcome = lakehouse("doctor", "--home", str(home))
    assert outcome.code == 0, outcome.stdout
    assert "no problems found" in outcome.stdout and "raw objects" in outcome.stdout


def test_damaged_sources_are_named_with_what_to_rerun(lakehouse: CliRunner, home: Path) -> None:
    raw = next((home / "raw").rglob("*.csv"))
    raw.write_bytes(raw.read_bytes().replace(b"2023", b"2032", 1))
    landing = next(path for path in (home / "landing").rglob("*.parquet") if path.name != "rejected.parquet")
    landing.unlink()
    code, findings = _findings(lakehouse, home)
    assert code == 1
    problems = {(f["zone"], f["problem"].split(":")[0]) for f in findings}
    assert ("raw", "content changed") in problems
    assert ("landing", "landing rows file missing") in problems
    raw_finding = next(f for f in findings if f["zone"] == "raw")
    assert str(raw.relative_to(home / "raw")) in str(raw_finding["where"])
    assert str(raw_finding["remedy"]).startswith("re-ingest")
    # --repair cannot invent data: these stay, and the exit code says so.
    assert _findings(lakehouse, home, "--repair")[0] == 1
    reliability_figures.add("doctor", trials=1, faults_injected=2)


def test_crash_leftovers_are_repaired(lakehouse: CliRunner, home: Path) -> None:
    snapshots = next((home / "curated").rglob("snapshots"))
    orphan = snapshots / "20000101T000000000000Z-dead00"
    (orphan / "year=2024").mkdir(parents=True)
    (orphan / "year=2024" / "part-00000.parquet").write_bytes(b"PAR1")
    half = next(snapshots.iterdir()) / f"{TEMP_PREFIX}part-00001.parquet"
    half.write_bytes(b"PA")
    platform = platform_for(home)
    save_run(platform.zones, RunRecord("transform"))  # a command killed while RUNNING

    code, findings = _findings(lakehouse, home)
    assert code == 1
    kinds = sorted(str(f["problem"]) for f in findings)
    assert kinds == ["`lakehouse transform` was interrupted", "snapshot folder no table version references",
                     "write left unfinished by a stopped process"]

    code, repaired = _findings(lakehouse, home, "--repair")
    assert code == 0 and all(f["repaired"] for f in repaired) and len(repaired) == 3
    assert not orphan.exists() and not half.exists()
    assert _findings(lakehouse, home) == (0, [])
    assert lakehouse("query", "--home", str(home), "SELECT count(*) FROM inquiry_volume").code == 0
    reliability_figures.add("doctor", trials=1, faults_injected=3)



def test_a_query_its_killed_process_left_queued_is_marked_failed(lakehouse: CliRunner, home: Path) -> None:
    import socket
    import subprocess
    import sys

    engine = platform_for(home).engine
    finished = engine.start_query_execution("SELECT 1 AS one")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # a process that has exited
    zones = platform_for(home).zones
    record = zones.get_json("catalog", f"athena/query-executions/{finished}.json")
    stuck = dict(record, query_execution_id="0" * 8 + finished[8:], state="QUEUED", completed=None,
                 owner=f"{socket.gethostname()}:{gone}")
    zones.put_json("catalog", f"athena/query-executions/{stuck['query_execution_id']}.json", stuck)
    live = dict(stuck, query_execution_id="1" * 8 + finished[8:], owner=f"{socket.gethostname()}:{os.getpid()}")
    zones.put_json("catalog", f"athena/query-executions/{live['query_execution_id']}.json", live)

    code, findings = _findings(lakehouse, home)
    assert code == 1 and [f["problem"] for f in findings] == [f"query {stuck['query_execution_id']} was interrupted"]
    assert _findings(lakehouse, home, "--repair")[0] == 0
    state = engine.history.load(stuck["query_execution_id"])
    assert state.state == "FAILED" and "interrupted" in str(state.state_change_reason)
    assert engine.history.load(live["query_execution_id"]).state == "QUEUED"  # its process runs: left alone
    reliability_figures.add("doctor", trials=1, faults_injected=1)
