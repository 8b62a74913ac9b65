"""A malformed source: one line `Error: …`, exit 1, and every zone as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import CliRunner, platform_for, zone_snapshot

from lakehouse.datasets.sample import SampleReport


def _make(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"bad-{kind}.csv"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "wrong_header":
        path.write_bytes(b"\xef\xbb\xbfDate;CallsOffered;CallsHandled\r\n2024-09-30;478;477\r\n")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 64)
    elif kind == "directory":
        path.mkdir()
    elif kind == "missing":
        pass
    elif kind == "invalid_json":
        path = tmp_path / "bad.json"
        path.write_text('[{"department": "A",')
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("empty", "file is empty"),
        ("wrong_header", "does not match 3-1-1-inquiry-volume"),
        ("binary", "binary data"),
        ("directory", "is a directory"),
        ("missing", "no such file"),
        ("invalid_json", "invalid JSON"),
    ],
)
@pytest.mark.parametrize("command", ["run", "ingest"])
def test_malformed_source_leaves_zones_as_they_were(
    lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path, kind: str, message: str, command: str
) -> None:
    home = tmp_path / "home"
    assert lakehouse("run", "--home", str(home), "--source", str(sample_export.path)).code == 0
    before = zone_snapshot(platform_for(home))
    bad = _make(tmp_path, kind)
    outcome = lakehouse(command, "--home", str(home), "--source", str(bad))
    assert outcome.code == 1
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and outcome.stderr.strip().endswith(errors[0]), outcome.stderr
    assert message in errors[0] and str(bad) in errors[0]
    assert "Traceback" not in outcome.stderr + outcome.stdout
    assert zone_snapshot(platform_for(home)) == before


def test_debug_flag_shows_the_traceback(lakehouse: CliRunner, tmp_path: Path) -> None:
    empty = _make(tmp_path, "empty")
    with pytest.raises(Exception, match="file is empty"):
        lakehouse("ingest", "--home", str(tmp_path / "home"), "--source", str(empty), "--debug")


def test_stage_out_of_order_says_what_to_run(lakehouse: CliRunner, tmp_path: Path) -> None:
    outcome = lakehouse("prepare", "--home", str(tmp_path / "home"))
    assert outcome.code == 1
    assert outcome.stderr.strip() == "Error: nothing ingested yet for 3-1-1-inquiry-volume: run `lakehouse ingest` first"
