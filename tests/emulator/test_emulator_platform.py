"""The production path: with backend `aws` and AWS_ENDPOINT_URL at the emulator, `lakehouse run`
goes through boto3 for every role (S3, DataBrew, Glue jobs, the Glue catalog, Athena) and
gives the same curated data and answers as the embedded default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import CliRunner, platform_for
from emulator_support import RunningEmulator, emulator_process

from lakehouse.datasets.sample import SampleReport

_RUN_IDS = re.compile(r"\b(jr_|db_)?\d{8}T\d{6}\S*")
CURATED = ["inquiry_volume", "department_monthly", "monthly_volume", "channel_monthly", "yearly_volume",
           "department_yearly", "department_year_over_year"]


PREFIX = "city-"


@pytest.fixture(scope="module")
def running_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """An emulator serving a platform whose buckets carry a prefix, as a city's would."""
    with emulator_process("--in-memory", "--bucket-prefix", PREFIX, cwd=tmp_path_factory.mktemp("emulator")) as emulator:
        yield emulator


@pytest.fixture
def aws_environment(running_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", running_emulator.url)
    monkeypatch.setenv("LAKEHOUSE_BACKEND", "aws")
    monkeypatch.setenv("LAKEHOUSE_BUCKET_PREFIX", PREFIX)


def _table(home: Path, table: str, **flags: str) -> list[tuple[object, ...]]:
    engine = platform_for(home, **flags).engine
    result = engine.run_query(f"SELECT * FROM {table}")
    return sorted(result.rows, key=repr)


def test_lakehouse_run_through_boto3_equals_the_embedded_run(
    aws_environment: None, lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, running_emulator: RunningEmulator,
) -> None:
    through_aws = lakehouse("run", "--home", str(tmp_path / "aws"), "--source", str(sample_export.path),
                            "--years", "2023", "2024")
    assert through_aws.code == 0, through_aws.stderr
    # Every role went through the endpoint: the emulator now holds the runs and the tables.
    glue, databrew = running_emulator.client("glue"), running_emulator.client("databrew")
    assert [run["JobRunState"] for run in glue.get_job_runs(JobName="3-1-1-inquiry-volume-curate")["JobRuns"]] \
        == ["SUCCEEDED"]
    assert databrew.list_job_runs(Name="3-1-1-inquiry-volume-prepare")["JobRuns"][0]["State"] == "SUCCEEDED"
    assert {t["Name"] for t in glue.get_tables(DatabaseName="vancouver_311")["TableList"]} >= set(CURATED)
    aws_tables = {table: _table(tmp_path / "aws", table) for table in CURATED}

    monkeypatch.delenv("LAKEHOUSE_BACKEND")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    embedded = lakehouse("run", "--home", str(tmp_path / "local"), "--source", str(sample_export.path),
                         "--years", "2023", "2024")
    assert embedded.code == 0, embedded.stderr
    for table in CURATED:
        assert aws_tables[table] == _table(tmp_path / "local", table), table
    # What is printed is the same, line for line, but for timings and run ids (and the number of
    # new landing sources, which Glue's job runs do not report).
    assert _comparable(through_aws.stdout) == _comparable(embedded.stdout)


def _comparable(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if line.startswith("done in") or "s (source" in line or "analyse" in line:
            continue
        if "job run jr_" in line:
            line = line.split("(job run")[0]
        lines.append(_RUN_IDS.sub("<id>", " ".join(line.split())))
    return lines
