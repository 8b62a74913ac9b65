"""A full disk fails cleanly: one line naming the problem, exit 1, and nothing half-written
left published (the doctor finds the home consistent, or only leftovers it can repair)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import reliability_figures


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs (root only: CI runs as root)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def _lakehouse(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lakehouse", *arguments], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COLUMNS": "200"})


@pytest.mark.parametrize("rows", ["60000", "45000", "42000"])  # full at ingest, prepare, transform
def test_a_full_disk_fails_with_one_line_and_leaves_a_consistent_home(small_disk: Path, rows: str) -> None:
    home = small_disk / "home"
    result = _lakehouse("run", "--home", str(home), "--rows", rows)
    assert result.returncode == 1, result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors and errors[0].startswith("Error: no space left on the device"), result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(_lakehouse("doctor", "--home", str(home), "--json").stdout)
    assert all(f["remedy"] == "lakehouse doctor --repair" for f in report["findings"]), report
    reliability_figures.add("disk-full", trials=1, faults_injected=1)
