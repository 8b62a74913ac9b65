"""Glue jobs: definitions, runs with Glue's states and argument precedence, and bookmarks,
kept as JSON documents in the catalog bucket; a run executes through a JobExecutor."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

from emulation.documents import JsonDocuments
from lakehouse.errors import EntityNotFoundException
from lakehouse.ports.job_service import GlueDocument, JobExecutor, JobService
from lakehouse.ports.object_store import ObjectStore

PREFIX = "glue/jobs"
BOOKMARK_OPTION = "--job-bookmark-option"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def resolve_arguments(job: GlueDocument, run_arguments: dict[str, str] | None) -> dict[str, str]:
    """Glue's precedence: DefaultArguments < run Arguments < NonOverridableArguments."""
    return {**job.get("DefaultArguments", {}), **(run_arguments or {}), **job.get("NonOverridableArguments", {})}


class GlueJobs(JobService):
    def __init__(self, store: ObjectStore, bucket: str, executor: JobExecutor) -> None:
        self.documents = JsonDocuments(store, bucket)
        self.executor = executor

    def create_job(self, job: GlueDocument) -> None:
        existing = self.documents.find(f"{PREFIX}/{job['Name']}/job.json")
        now = _now()
        self.documents.write(f"{PREFIX}/{job['Name']}/job.json", {
            **job, "CreatedOn": existing["CreatedOn"] if existing else now, "LastModifiedOn": now,
        })

    def get_job(self, job_name: str) -> GlueDocument:
        job = self.documents.find(f"{PREFIX}/{job_name}/job.json")
        if job is None:
            raise EntityNotFoundException(f"EntityNotFoundException: job {job_name} not found")
        return job

    def get_jobs(self) -> list[GlueDocument]:
        keys = [key for key in self.documents.keys(f"{PREFIX}/") if key.endswith("/job.json")]
        return [self.documents.find(key) for key in keys]

    def start_job_run(self, job_name: str, arguments: dict[str, str] | None = None) -> str:
        job = self.get_job(job_name)
        resolved = resolve_arguments(job, arguments)
        run_id = "jr_" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + secrets.token_hex(6)
        run: GlueDocument = {
            "Id": run_id, "JobName": job_name, "Attempt": 0, "JobRunState": "RUNNING", "Arguments": resolved,
            "StartedOn": _now(), "Log": [],
        }
        previous = self.get_job_runs(job_name)
        if previous:
            run["PreviousRunId"] = previous[0]["Id"]
        key = f"{PREFIX}/{job_name}/runs/{run_id}.json"
        self.documents.write(key, run)
        started = time.monotonic()
        try:
            outputs, bookmark = self.executor(
                {**job, "JobRunId": run_id}, resolved, self.get_job_bookmark(job_name),
                lambda line: run["Log"].append(f"{_now()} {line}"),
            )
            run["Outputs"] = outputs
            # Glue: "pause" processes new input but leaves the bookmark where it was.
            if resolved.get(BOOKMARK_OPTION, "job-bookmark-enable") != "job-bookmark-pause":
                self.documents.write(f"{PREFIX}/{job_name}/bookmark.json", {**bookmark, "JobName": job_name, "RunId": run_id})
            run["JobRunState"] = "SUCCEEDED"
        except BaseException as error:
            run.update(JobRunState="FAILED", ErrorMessage=str(error).splitlines()[0] if str(error) else type(error).__name__)
            raise
        finally:
            run["CompletedOn"] = _now()
            run["ExecutionTime"] = round(time.monotonic() - started)
            self.documents.write(key, run)
        return run_id

    def get_job_run(self, job_name: str, run_id: str) -> GlueDocument:
        run = self.documents.find(f"{PREFIX}/{job_name}/runs/{run_id}.json")
        if run is None:
            raise EntityNotFoundException(f"EntityNotFoundException: run {run_id} of job {job_name} not found")
        return run

    def get_job_runs(self, job_name: str) -> list[GlueDocument]:
        keys = self.documents.keys(f"{PREFIX}/{job_name}/runs/")
        return [self.documents.find(key) for key in reversed(keys)]

    def get_job_bookmark(self, job_name: str) -> GlueDocument:
        return self.documents.find(f"{PREFIX}/{job_name}/bookmark.json") or {"JobName": job_name, "Processed": {}}

    def reset_job_bookmark(self, job_name: str) -> None:
        self.documents.delete(f"{PREFIX}/{job_name}/bookmark.json")
