"""The ETL job port: Glue jobs' role. Documents use Glue's API shapes (Job, JobRun) and
method names are Glue operation names in snake_case."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

GlueDocument = dict[str, Any]
# Runs one job: (job definition, resolved arguments, bookmark state, log sink)
# -> (run outputs, the bookmark state to keep after a successful run).
JobExecutor = Callable[[GlueDocument, dict[str, str], GlueDocument, Callable[[str], None]], tuple[GlueDocument, GlueDocument]]


class JobService(abc.ABC):
    """ETL job definitions, their runs and their bookmarks."""

    @abc.abstractmethod
    def create_job(self, job: GlueDocument) -> None:
        """Create or replace a job definition (Name, DefaultArguments, NonOverridableArguments, …)."""

    @abc.abstractmethod
    def get_job(self, job_name: str) -> GlueDocument:
        """A job definition; EntityNotFoundException when missing."""

    @abc.abstractmethod
    def get_jobs(self) -> list[GlueDocument]:
        """Every job definition, by name."""

    @abc.abstractmethod
    def start_job_run(self, job_name: str, arguments: dict[str, str] | None = None) -> str:
        """Run a job now with run arguments; returns its JobRunId. The run ends SUCCEEDED or FAILED."""

    @abc.abstractmethod
    def get_job_run(self, job_name: str, run_id: str) -> GlueDocument:
        """A run: JobRunState, Arguments, StartedOn, CompletedOn, ExecutionTime, ErrorMessage."""

    @abc.abstractmethod
    def get_job_runs(self, job_name: str) -> list[GlueDocument]:
        """A job's runs, newest first."""

    @abc.abstractmethod
    def get_job_bookmark(self, job_name: str) -> GlueDocument:
        """What the job has processed so far (empty before the first bookmarked run)."""

    @abc.abstractmethod
    def reset_job_bookmark(self, job_name: str) -> None:
        """Forget what the job has processed: its next run processes every input."""
