"""Glue jobs through boto3 (AWS, or the lakehouse emulator): the ETL job port.

start_job_run waits for the run to finish, as the port promises; a run that does not
succeed raises with Glue's state and message."""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import ClientError

from cloud.aws import aws_client, aws_errors, error_code
from lakehouse.config import Settings
from lakehouse.errors import EntityNotFoundException, LakehouseError
from lakehouse.etl.glue_job_document import from_glue, to_glue
from lakehouse.ports.job_service import GlueDocument, JobService

_FINISHED = {"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"}
_FIRST_POLL, _LONGEST_POLL = 0.05, 10.0
SCRIPT_KEY = "glue/scripts/lakehouse_curate.py"


class GlueJobService(JobService):
    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.glue = client or aws_client(settings, "glue")
        self.script_location = f"s3://{settings.bucket('catalog')}/{SCRIPT_KEY}"

    def create_job(self, job: GlueDocument) -> None:
        glue = to_glue(job, self.script_location)
        with aws_errors("glue CreateJob"):
            try:
                self.glue.create_job(**glue)
            except ClientError as error:
                if error_code(error) != "AlreadyExistsException":
                    raise
                update = {key: value for key, value in glue.items() if key not in ("Name", "Tags")}
                self.glue.update_job(JobName=glue["Name"], JobUpdate=update)

    def get_job(self, job_name: str) -> GlueDocument:
        with aws_errors("glue GetJob"):
            return from_glue(self.glue.get_job(JobName=job_name)["Job"])

    def get_jobs(self) -> list[GlueDocument]:
        jobs: list[GlueDocument] = []
        with aws_errors("glue GetJobs"):
            for page in self.glue.get_paginator("get_jobs").paginate():
                jobs += [from_glue(job) for job in page["Jobs"]]
        return sorted(jobs, key=lambda job: job["Name"])

    def start_job_run(self, job_name: str, arguments: dict[str, str] | None = None) -> str:
        with aws_errors("glue StartJobRun"):
            run_id = self.glue.start_job_run(JobName=job_name, Arguments=arguments or {})["JobRunId"]
        run = self._wait(job_name, run_id)
        if run["JobRunState"] != "SUCCEEDED":
            raise LakehouseError(f"Glue job {job_name} run {run_id} {run['JobRunState']}: "
                                 f"{run.get('ErrorMessage', 'no message')}")
        return run_id

    def _wait(self, job_name: str, run_id: str) -> GlueDocument:
        pause = _FIRST_POLL
        while True:
            run = self.get_job_run(job_name, run_id)
            if run["JobRunState"] in _FINISHED:
                return run
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_POLL)

    def get_job_run(self, job_name: str, run_id: str) -> GlueDocument:
        with aws_errors("glue GetJobRun"):
            return self.glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]

    def get_job_runs(self, job_name: str) -> list[GlueDocument]:
        runs: list[GlueDocument] = []
        with aws_errors("glue GetJobRuns"):
            for page in self.glue.get_paginator("get_job_runs").paginate(JobName=job_name):
                runs += page["JobRuns"]
        return sorted(runs, key=lambda run: run["StartedOn"], reverse=True)

    def get_job_bookmark(self, job_name: str) -> GlueDocument:
        try:
            with aws_errors("glue GetJobBookmark"):
                entry = self.glue.get_job_bookmark(JobName=job_name)["JobBookmarkEntry"]
        except EntityNotFoundException:
            return {}
        text = entry.get("JobBookmark")
        return json.loads(text) if text else {}

    def reset_job_bookmark(self, job_name: str) -> None:
        with aws_errors("glue ResetJobBookmark"):
            self.glue.reset_job_bookmark(JobName=job_name)

