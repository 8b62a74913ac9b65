"""Helpers for end-to-end tests: the CLI in process, and snapshots of the zones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e_support import CliRunner, Outcome

from lakehouse.cli import main
from lakehouse.datasets.sample import SampleReport, write_sample

END_MONTH = "2024-12"


@pytest.fixture
def lakehouse(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run `lakehouse ARGS…` in this process and return its exit code and output."""
    monkeypatch.setenv("COLUMNS", "200")  # keep rich tables unwrapped for assertions

    def run(*arguments: str) -> Outcome:
        capsys.readouterr()
        try:
            main(list(arguments))
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> SampleReport:
    path = tmp_path_factory.mktemp("sources") / "inquiry-volume.csv"
    return write_sample(path, rows=20_000, seed=7, end_month=END_MONTH)


@pytest.fixture(scope="session")
def dirty_export(tmp_path_factory: pytest.TempPathFactory) -> SampleReport:
    path = tmp_path_factory.mktemp("sources") / "inquiry-volume-dirty.csv"
    return write_sample(path, rows=20_000, seed=11, dirty=True, end_month=END_MONTH)


@pytest.fixture
def local_home(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "home"


