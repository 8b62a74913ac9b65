"""The stages in order: ingest → prepare → transform (+ catalog) → analyse.

Each stage is a function over the platform; `run` chains them and records the run.
A `Reporter` lets the CLI show progress without the pipeline knowing about terminals.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import ConfigError, StageError
from lakehouse.etl.jobspec import job_for_dataset
from lakehouse.ingest import IngestResult, ingest
from lakehouse.platform import Platform
from lakehouse.ports.query_engine import ResultSet
from lakehouse.prepare import LandingManifest, prepare
from lakehouse.runlog import recorded
from lakehouse.sql.saved import SavedQuery, saved_queries


class Reporter(Protocol):
    def stage(self, name: str) -> contextlib.AbstractContextManager[None]: ...
    def rows(self, description: str, total: int) -> contextlib.AbstractContextManager[Callable[[int], None]]: ...


class SilentReporter:
    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def rows(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        yield lambda advance: None


@dataclass(frozen=True)
class Source:
    path: Path
    origin: str  # what the raw manifest records: a path, a portal URL, or "sample"
    synthetic: bool


@dataclass(frozen=True)
class Answer:
    query: SavedQuery
    parameters: dict[str, object]
    result: ResultSet


@dataclass
class RunReport:
    source: Source
    ingested: IngestResult
    landing: LandingManifest
    job_run: dict[str, Any]  # the Glue job run that curated the landing data
    answers: list[Answer]
    seconds: dict[str, float] = field(default_factory=dict)


def fetch_source(
    platform: Platform, spec: DatasetSpec, source: str | None, workdir: Path, reporter: Reporter,
    sample_rows: int | None = None, seed: int | None = None,
) -> Source:
    """Resolve `--source`: a file path, `portal`, `sample`, or by default the synthetic sample
    (or, for a dataset without a generator, the real export shipped with the platform)."""
    if source is None and not spec.has_sample and spec.bundled_export:
        from importlib import resources

        bundled = Path(str(resources.files("lakehouse.datasets") / "bundled" / spec.bundled_export))
        return Source(bundled, f"bundled export {spec.bundled_export} (City of Vancouver open data)", synthetic=False)
    if source in (None, "sample"):
        if not spec.has_sample:
            raise ConfigError(f"no synthetic sample for {spec.portal_id}: give --source PATH or --source portal")
        from lakehouse.datasets.sample import DEFAULT_ROWS, write_sample

        rows = sample_rows or DEFAULT_ROWS
        target = workdir / f"{spec.portal_id}-sample.csv"
        with reporter.rows("generating synthetic sample", rows) as advance:
            write_sample(target, rows=rows, seed=seed if seed is not None else 311, progress=advance)
        return Source(target, "sample", synthetic=True)
    if source == "portal":
        from lakehouse.datasets.portal import PortalClient

        download = PortalClient(platform.settings.portal_url).download_export(
            spec.portal_id, workdir / f"{spec.portal_id}.csv"
        )
        return Source(download.path, download.url, synthetic=False)
    path = Path(source)
    return Source(path, str(path.resolve()), synthetic=False)


def default_years(platform: Platform) -> tuple[int, int]:
    """The last two complete years of data (or the last two years when fewer are complete)."""
    rows = platform.engine.run_query(
        "SELECT year FROM yearly_volume ORDER BY complete DESC, year DESC LIMIT 2"
    ).rows
    if len(rows) < 2:
        raise StageError("fewer than two years of data: the year comparison needs two")
    first, second = sorted(int(row[0]) for row in rows)
    return first, second


def check_years(years: tuple[int, int] | None) -> None:
    if years is not None and years[0] == years[1]:
        raise ConfigError(f"--years needs two different years (got {years[0]} twice)")


def analyse(platform: Platform, spec: DatasetSpec, years: tuple[int, int] | None = None) -> list[Answer]:
    """Run the dataset's saved queries, with their parameters chosen from the data unless given."""
    queries = [query for query in saved_queries().values() if query.dataset == spec.portal_id]
    values: dict[str, object] = {}
    if any(query.parameters for query in queries):
        year_a, year_b = years or default_years(platform)
        check_years((year_a, year_b))
        values = {"year": year_b, "year_a": year_a, "year_b": year_b}
    answers = []
    for query in queries:
        parameters = {p.name: values[p.name] for p in query.parameters}
        result = platform.engine.run_query(query.sql, query.bind(parameters))
        answers.append(Answer(query, parameters, result))
    return answers


def build_curated(
    platform: Platform, spec: DatasetSpec, full_refresh: bool = False, arguments: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run the dataset's ETL job (define it first, as deploying a Glue job does); returns the run."""
    job = job_for_dataset(spec.portal_id)
    platform.jobs.create_job(job.document)
    run_arguments = {"--database": platform.settings.database, **(arguments or {})}
    if full_refresh:
        run_arguments["--full-refresh"] = "true"
    run_id = platform.jobs.start_job_run(job.name, run_arguments)
    return platform.jobs.get_job_run(job.name, run_id)


def run(
    platform: Platform, spec: DatasetSpec, source: str | None = None, years: tuple[int, int] | None = None,
    reporter: Reporter | None = None, sample_rows: int | None = None, seed: int | None = None,
    wait_seconds: float = 0.0,
) -> RunReport:
    """Every stage, in order, on one source (waiting up to `wait_seconds` for another writer)."""
    check_years(years)  # before any work, not after it
    reporter = reporter or SilentReporter()
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lakehouse-run-") as scratch, recorded(platform.zones, "run", wait_seconds) as record:
        started = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal started
            now = time.perf_counter()
            seconds[stage], started = now - started, now

        with reporter.stage("source"):
            fetched = fetch_source(platform, spec, source, Path(scratch), reporter, sample_rows, seed)
        lap("source")
        with reporter.stage("ingest"):
            ingested = ingest(platform.zones, fetched.path, spec, fetched.origin, fetched.synthetic)
        lap("ingest")
        with reporter.stage("prepare"):
            landing = prepare(platform.zones, platform.recipes, spec)
        lap("prepare")
        with reporter.stage("transform"):
            job_run = build_curated(platform, spec)
        lap("transform")
        with reporter.stage("analyse"):
            answers = analyse(platform, spec, years)
        lap("analyse")
        record.details = {
            "source": fetched.origin, "synthetic": fetched.synthetic, "raw_rows": landing.raw_rows,
            "landing_rows": landing.landing_rows, "rejected_rows": landing.rejected_rows,
            "job_run": job_run["Id"],
        }
    return RunReport(fetched, ingested, landing, job_run, answers, seconds)
