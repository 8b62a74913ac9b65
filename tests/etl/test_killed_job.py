"""A curate job killed with SIGKILL at any point: readers see the previous snapshot or the
new one, never a mix, and a re-run converges to what an uninterrupted run produces."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli_support import CliRunner, platform_for

from lakehouse.datasets.sample import write_sample
from lakehouse.etl.snapshots import SNAPSHOT_PARAMETER

CHECKS = {
    "inquiry_volume": "SELECT count(*) AS n, sum(inquiries) AS s FROM inquiry_volume",
    "department_yearly": "SELECT count(*) AS n, sum(inquiries) AS s FROM department_yearly",
    "monthly_volume": "SELECT count(*) AS n, sum(inquiries) AS s FROM monthly_volume",
}


def state(lakehouse: CliRunner, home: Path) -> dict[str, str]:
    result = {}
    for table, sql in CHECKS.items():
        outcome = lakehouse("query", "--home", str(home), "--format", "csv", sql)
        assert outcome.code == 0, outcome.stderr
        result[table] = outcome.stdout
    return result


def transform_process(home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "lakehouse", "transform", "--home", str(home)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def snapshot_folders(home: Path) -> set[str]:
    root = home / "curated" / "vancouver_311" / "inquiry_volume" / "snapshots"
    return {folder.name for folder in root.iterdir()} if root.exists() else set()


def referenced_snapshots(home: Path) -> set[str]:
    catalog = platform_for(home).catalog
    return {v["Table"]["Parameters"][SNAPSHOT_PARAMETER] for v in catalog.get_table_versions("vancouver_311", "inquiry_volume")}


def test_sigkill_during_transform_never_exposes_a_mix(lakehouse: CliRunner, tmp_path: Path) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_sample(first, rows=60_000, seed=1, end_month="2024-12")
    write_sample(second, rows=120_000, seed=2, end_month="2024-12")
    prepared = tmp_path / "prepared"
    assert lakehouse("run", "--home", str(prepared), "--source", str(first)).code == 0
    before = state(lakehouse, prepared)
    assert lakehouse("ingest", "--home", str(prepared), "--source", str(second)).code == 0
    assert lakehouse("prepare", "--home", str(prepared)).code == 0

    reference = tmp_path / "reference"
    shutil.copytree(prepared, reference)
    started = time.monotonic()
    assert transform_process(reference).wait(timeout=120) == 0
    duration = time.monotonic() - started
    after = state(lakehouse, reference)
    assert after != before

    killed_mid_write = 0
    # One kill the moment the new snapshot's folder appears (surely mid-write), then kills
    # at fractions of a measured uninterrupted run (anywhere, publishing included).
    for trial, fraction in enumerate((None, 0.55, 0.65, 0.75, 0.85, 0.92, 0.97)):
        home = tmp_path / f"trial{trial}"
        shutil.copytree(prepared, home)
        existing = snapshot_folders(home)
        process = transform_process(home)
        if fraction is None:
            deadline = time.monotonic() + 120
            while snapshot_folders(home) == existing and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
        else:
            time.sleep(duration * fraction)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        seen = state(lakehouse, home)
        # Each table is the previous or the new snapshot, never a mix of the two.
        for table in CHECKS:
            assert seen[table] in (before[table], after[table]), (trial, table)
        if snapshot_folders(home) - referenced_snapshots(home):
            killed_mid_write += 1  # a snapshot was being written but not yet published
        rerun = lakehouse("transform", "--home", str(home))
        assert rerun.code == 0, rerun.stderr
        assert state(lakehouse, home) == after, trial
        assert snapshot_folders(home) <= referenced_snapshots(home)  # leftovers of the killed run were pruned
    assert killed_mid_write >= 1, "no trial interrupted a write: the kill timings missed the job"
