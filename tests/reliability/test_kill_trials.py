"""SIGKILL at seeded random points of every stage: ingest, prepare, transform, a catalog update
(a crawl) and query result writing (a SELECT's result files, a CREATE TABLE AS's data).

After each kill: every table reads as the state before the command or the state an
uninterrupted command leaves, never a mix; the raw pointer and the landing manifest are
one or the other too; no execution record claims a result that is not complete; the doctor
finds nothing `--repair` cannot repair, and after the repair it finds nothing and no
unfinished write is left. Then the command is run again, with the stages after it, and the
lakehouse must be exactly what an uninterrupted run produced (tables' contents, landing counts).

Kills land on the work, not on Python's start-up: the command runs in a child that imports
the CLI, says "ready", then runs `main(args)`; the kill comes at a seeded point of the
command's measured uninterrupted duration. LAKEHOUSE_KILL_TRIALS sets the trials per stage
(soak.py raises it), LAKEHOUSE_KILL_ROWS the sample's size, LAKEHOUSE_SOAK_SEED the kill points.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import reliability_figures
from cli_support import CliRunner, platform_for

from emulation.s3.store import TEMP_PREFIX
from lakehouse.datasets.registry import dataset
from lakehouse.datasets.sample import write_sample
from lakehouse.ingest import CURRENT
from lakehouse.landing import landing_manifest

TRIALS = int(os.environ.get("LAKEHOUSE_KILL_TRIALS", "4"))
ROWS = int(os.environ.get("LAKEHOUSE_KILL_ROWS", "5000"))
SEED = os.environ.get("LAKEHOUSE_SOAK_SEED", "0")  # soak.py draws other kill points each round
SPEC = dataset("3-1-1-inquiry-volume")
CRAWLED = "crawled"
CTAS = ("CREATE TABLE vancouver_311.kill_copy WITH (format = 'PARQUET', partitioned_by = ARRAY['year']) "
        "AS SELECT department, inquiry_type, channel, inquiries, year FROM inquiry_volume")
SELECT = "SELECT * FROM inquiry_volume ORDER BY month_start, department, inquiry_type, channel"
# The engines the commands import lazily are imported before "ready" too.
_CHILD = ("import sys\nfrom lakehouse.cli import main\n"
          "import lakehouse.pipeline, emulation.athena.engine, emulation.glue.crawler, polars, duckdb\n"
          "print('ready', flush=True)\nmain(sys.argv[1:])\n")

Command = list[str]  # lakehouse arguments; "{home}" and "{second}" are filled in


@dataclass(frozen=True)
class Stage:
    name: str
    setup: list[Command]  # after a first full run: brings the home to where the stage starts
    killed: list[Command]  # the command killed, one per trial (cycled)
    then: list[Command] = field(default_factory=list)  # the stages after it, for the re-run


STAGES = [
    Stage("ingest", [], [["ingest", "--source", "{second}"]], [["prepare"], ["transform"]]),
    Stage("prepare", [["ingest", "--source", "{second}"]], [["prepare"]], [["transform"]]),
    Stage("transform", [["ingest", "--source", "{second}"], ["prepare"]], [["transform"]]),
    Stage("catalog-update", [], [["crawl", "curated/vancouver_311/", "--database", CRAWLED]]),
    Stage("query-results", [], [["query", "--format", "csv", SELECT], ["query", CTAS]]),
]


def _filled(command: Command, home: Path, second: Path) -> list[str]:
    return [part.replace("{second}", str(second)) for part in command] + ["--home", str(home)]


# -- what a reader sees ----------------------------------------------------------------

def lakehouse_state(home: Path, **flags: str) -> dict[str, str]:
    """A digest per table of every database (its rows, sorted), the raw pointer, the landing manifest
    (flags: the backend's settings, e.g. backend="emulator", endpoint_url=…)."""
    platform = platform_for(home, **flags)
    state: dict[str, str] = {}
    for database in ("vancouver_311", CRAWLED):
        try:
            tables = platform.catalog.get_tables(database)
        except Exception:  # noqa: BLE001 - a database not created (yet)
            continue
        for table in tables:
            rows = platform.engine.run_query(f'SELECT * FROM "{database}"."{table["Name"]}"').rows
            state[f"{database}.{table['Name']}"] = _digest(sorted(map(repr, rows)))
    current = platform.zones.find_json("raw", f"{SPEC.portal_id}/{CURRENT}")
    state["raw pointer"] = str(current and current.get("key"))
    manifest = landing_manifest(platform.zones, SPEC)
    state["landing counts"] = str(manifest and (manifest.raw_rows, manifest.landing_rows, manifest.rejected_rows))
    return state


def assert_no_mix(seen: dict[str, str], before: dict[str, str], after: dict[str, str], trial: int) -> None:
    """Each table (and the raw pointer, the landing counts) is as before or as after, never a mix:
    a crawled table is absent or has every partition (a crawl publishes a table with all its
    partitions in one catalog write), a CREATE TABLE AS's table likewise."""
    for name in set(seen) | set(before) | set(after):
        assert seen.get(name) in (before.get(name), after.get(name)), (trial, name, "a mix")


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def check_query_results(home: Path, settled: bool = False) -> int:
    """No execution record claims success without its complete result files, and no result
    file has metadata that does not match it (settled: and none is left QUEUED or RUNNING);
    the number of records seen."""
    engine = platform_for(home).engine
    ids = engine.list_query_executions(max_results=50)["QueryExecutionIds"]
    for query_execution_id in ids:
        execution = engine.get_query_execution(query_execution_id)["QueryExecution"]
        assert not settled or execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"), execution
        if execution["Status"]["State"] == "SUCCEEDED":
            engine.get_query_results(query_execution_id, max_results=1)  # raises when the files are not there
    results = home / "athena-results"
    for metadata in results.glob("*.csv.metadata") if results.exists() else []:
        data = metadata.with_name(metadata.name.removesuffix(".metadata"))
        assert data.exists(), f"{metadata.name} describes a result file that is not there"
        lines = data.read_bytes().count(b"\n")
        row_count = json.loads(metadata.read_text())["RowCount"]
        assert lines >= row_count + 1, f"{data.name}: {lines} lines, its metadata says {row_count} rows"
    return len(ids)


def leftovers(home: Path) -> list[Path]:
    return [path for path in home.rglob(f"{TEMP_PREFIX}*")]


# -- running and killing ---------------------------------------------------------------

def _start(arguments: list[str]) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", _CHILD, *arguments], text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"})
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def timed_run(arguments: list[str]) -> float:
    """Seconds the command works (after its imports), uninterrupted."""
    child = _start(arguments)
    started = time.monotonic()
    assert child.stdout is not None
    child.stdout.read()
    assert child.wait(timeout=300) == 0, arguments
    return time.monotonic() - started


def kill_at(arguments: list[str], seconds: float) -> bool:
    """Run the command and SIGKILL it `seconds` into its work; whether it was still running."""
    child = _start(arguments)
    time.sleep(seconds)
    alive = child.poll() is None
    if alive:
        os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert child.stdout is not None
    child.stdout.close()
    return alive


def doctor(lakehouse: CliRunner, home: Path, *flags: str) -> list[dict[str, object]]:
    outcome = lakehouse("doctor", "--home", str(home), "--json", *flags)
    return json.loads(outcome.stdout)["findings"]


@pytest.mark.parametrize("stage", STAGES, ids=[stage.name for stage in STAGES])
def test_sigkill_at_random_points_never_exposes_a_mix_and_a_rerun_converges(
    stage: Stage, lakehouse: CliRunner, tmp_path: Path,
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_sample(first, rows=ROWS, seed=1, end_month="2024-12")
    write_sample(second, rows=ROWS * 3 // 2, seed=2, end_month="2024-12")
    start = tmp_path / "start"
    assert lakehouse("run", "--home", str(start), "--source", str(first)).code == 0
    for command in stage.setup:
        outcome = lakehouse(*_filled(command, start, second))
        assert outcome.code == 0, outcome.stderr
    before = lakehouse_state(start)

    # Uninterrupted: the state right after each killed command, and at the end of the stages.
    after: list[dict[str, str]] = []
    durations: list[float] = []
    finals: list[dict[str, str]] = []
    for index, command in enumerate(stage.killed):
        reference = tmp_path / f"reference{index}"
        shutil.copytree(start, reference)
        durations.append(timed_run(_filled(command, reference, second)))
        after.append(lakehouse_state(reference))
        for following in stage.then:
            assert lakehouse(*_filled(following, reference, second)).code == 0
        finals.append(lakehouse_state(reference))
    assert any(a != before for a in after), "the stage changes nothing: the trial would prove nothing"

    kills = mid_write = 0
    seeded = random.Random(f"kill-{stage.name}-{SEED}")
    for trial in range(TRIALS):
        index = trial % len(stage.killed)
        command = stage.killed[index]
        home = tmp_path / f"trial{trial}"
        shutil.copytree(start, home)
        arguments = _filled(command, home, second)
        # Spread over the whole work, the first moments and the publishing end included.
        kills += kill_at(arguments, seeded.uniform(0.0, 1.0) * durations[index])
        assert_no_mix(lakehouse_state(home), before, after[index], trial)
        check_query_results(home)

        findings = doctor(lakehouse, home)
        assert all(f["remedy"] == "lakehouse doctor --repair" for f in findings), (trial, findings)
        mid_write += bool(findings or leftovers(home))
        doctor(lakehouse, home, "--repair")
        assert doctor(lakehouse, home) == [], trial
        assert leftovers(home) == [], trial
        check_query_results(home, settled=True)  # an interrupted query is marked FAILED, not QUEUED for ever

        for rerun in [command, *stage.then]:
            outcome = lakehouse(*_filled(rerun, home, second))
            if outcome.code != 0 and "AlreadyExistsException" in outcome.stderr:
                continue  # the killed CREATE TABLE AS had created its table (whole, checked above)
            assert outcome.code == 0, (trial, rerun, outcome.stderr)
        assert lakehouse_state(home) == finals[index], trial
        check_query_results(home)
        shutil.rmtree(home)

    reliability_figures.add(f"kill:{stage.name}", trials=TRIALS, kills=kills, kills_mid_write=mid_write, rows_lost=0)
    assert kills >= TRIALS // 2, f"only {kills} of {TRIALS} kills found the command still running"
