"""Glue's JSON 1.1 operations (`X-Amz-Target: AWSGlue.<Operation>`) over the platform's
catalog, crawler and job service. Request and response members are Glue's own."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from emulation.documents import JsonDocuments
from emulation.glue.jobs import PREFIX as JOBS_PREFIX
from emulation.endpoint.protocol import AwsServiceError, Body, Handler, paged, required
from lakehouse.errors import EntityNotFoundException
from lakehouse.etl.glue_job_document import from_glue

if TYPE_CHECKING:
    from lakehouse.platform import Platform

CRAWLERS = "glue/crawlers"


class GlueApi:
    """One method per Glue operation; `operations` maps the wire names to them."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.crawlers = JsonDocuments(platform.store, platform.settings.bucket("catalog"))
        self.operations: dict[str, Handler] = {
            "CreateDatabase": self.create_database, "GetDatabase": self.get_database,
            "GetDatabases": self.get_databases, "DeleteDatabase": self.delete_database,
            "CreateTable": self.create_table, "UpdateTable": self.update_table, "GetTable": self.get_table,
            "GetTables": self.get_tables, "DeleteTable": self.delete_table, "BatchDeleteTable": self.batch_delete_table,
            "GetTableVersions": self.get_table_versions, "GetTableVersion": self.get_table_version,
            "DeleteTableVersion": self.delete_table_version,
            "CreatePartition": self.create_partition, "BatchCreatePartition": self.batch_create_partition,
            "GetPartition": self.get_partition, "GetPartitions": self.get_partitions,
            "BatchGetPartition": self.batch_get_partition, "UpdatePartition": self.update_partition,
            "DeletePartition": self.delete_partition, "BatchDeletePartition": self.batch_delete_partition,
            "CreateJob": self.create_job, "UpdateJob": self.update_job, "GetJob": self.get_job,
            "GetJobs": self.get_jobs, "StartJobRun": self.start_job_run, "GetJobRun": self.get_job_run,
            "GetJobRuns": self.get_job_runs, "GetJobBookmark": self.get_job_bookmark,
            "ResetJobBookmark": self.reset_job_bookmark, "DeleteJob": self.delete_job,
            "CreateCrawler": self.create_crawler, "GetCrawler": self.get_crawler, "GetCrawlers": self.get_crawlers,
            "StartCrawler": self.start_crawler, "DeleteCrawler": self.delete_crawler,
        }

    # databases ------------------------------------------------------------------
    def create_database(self, body: Body) -> Body:
        self.platform.catalog.create_database(required(body, "DatabaseInput"))
        return {}

    def get_database(self, body: Body) -> Body:
        return {"Database": self.platform.catalog.get_database(required(body, "Name"))}

    def get_databases(self, body: Body) -> Body:
        return paged(self.platform.catalog.get_databases(), body, "DatabaseList")

    def delete_database(self, body: Body) -> Body:
        self.platform.catalog.delete_database(required(body, "Name"))
        return {}

    # tables ---------------------------------------------------------------------
    def create_table(self, body: Body) -> Body:
        self.platform.catalog.create_table(required(body, "DatabaseName"), required(body, "TableInput"))
        return {}

    def update_table(self, body: Body) -> Body:
        self.platform.catalog.update_table(required(body, "DatabaseName"), required(body, "TableInput"),
                                           body.get("VersionId"))
        return {}

    def get_table(self, body: Body) -> Body:
        return {"Table": self.platform.catalog.get_table(required(body, "DatabaseName"), required(body, "Name"))}

    def get_tables(self, body: Body) -> Body:
        tables = self.platform.catalog.get_tables(required(body, "DatabaseName"))
        expression = body.get("Expression")
        if expression:
            tables = [table for table in tables if _glue_name_pattern_matches(expression, table["Name"])]
        return paged(tables, body, "TableList")

    def delete_table(self, body: Body) -> Body:
        self.platform.catalog.delete_table(required(body, "DatabaseName"), required(body, "Name"))
        return {}

    def batch_delete_table(self, body: Body) -> Body:
        errors = []
        for name in required(body, "TablesToDelete"):
            try:
                self.platform.catalog.delete_table(required(body, "DatabaseName"), name)
            except EntityNotFoundException as error:
                errors.append({"TableName": name, "ErrorDetail": _detail(error)})
        return {"Errors": errors}

    def get_table_versions(self, body: Body) -> Body:
        versions = self.platform.catalog.get_table_versions(required(body, "DatabaseName"), required(body, "TableName"))
        return paged(versions, body, "TableVersions")

    def get_table_version(self, body: Body) -> Body:
        version = self.platform.catalog.get_table_version(
            required(body, "DatabaseName"), required(body, "TableName"), body.get("VersionId"))
        return {"TableVersion": version}

    def delete_table_version(self, body: Body) -> Body:
        self.platform.catalog.delete_table_version(
            required(body, "DatabaseName"), required(body, "TableName"), required(body, "VersionId"))
        return {}

    # partitions -----------------------------------------------------------------
    def _table(self, body: Body) -> tuple[str, str]:
        return required(body, "DatabaseName"), required(body, "TableName")

    def create_partition(self, body: Body) -> Body:
        self.platform.catalog.create_partition(*self._table(body), required(body, "PartitionInput"))
        return {}

    def batch_create_partition(self, body: Body) -> Body:
        return self.platform.catalog.batch_create_partition(*self._table(body), required(body, "PartitionInputList"))

    def get_partition(self, body: Body) -> Body:
        return {"Partition": self.platform.catalog.get_partition(*self._table(body), required(body, "PartitionValues"))}

    def get_partitions(self, body: Body) -> Body:
        partitions = self.platform.catalog.get_partitions(*self._table(body), body.get("Expression"))
        return paged(partitions, body, "Partitions", default_page=1000)

    def batch_get_partition(self, body: Body) -> Body:
        found, missing = [], []
        for entry in required(body, "PartitionsToGet"):
            try:
                found.append(self.platform.catalog.get_partition(*self._table(body), entry["Values"]))
            except EntityNotFoundException:
                missing.append(entry)
        return {"Partitions": found, "UnprocessedKeys": missing}

    def update_partition(self, body: Body) -> Body:
        self.platform.catalog.update_partition(*self._table(body), required(body, "PartitionValueList"),
                                               required(body, "PartitionInput"))
        return {}

    def delete_partition(self, body: Body) -> Body:
        self.platform.catalog.delete_partition(*self._table(body), required(body, "PartitionValues"))
        return {}

    def batch_delete_partition(self, body: Body) -> Body:
        return self.platform.catalog.batch_delete_partition(*self._table(body), required(body, "PartitionsToDelete"))

    # jobs -----------------------------------------------------------------------
    def create_job(self, body: Body) -> Body:
        name = required(body, "Name")
        try:
            self.platform.jobs.get_job(name)
        except EntityNotFoundException:
            self.platform.jobs.create_job(from_glue(body))
            return {"Name": name}
        raise AwsServiceError("AlreadyExistsException", f"job {name} already exists")

    def update_job(self, body: Body) -> Body:
        name = required(body, "JobName")
        self.platform.jobs.get_job(name)
        self.platform.jobs.create_job(from_glue({**required(body, "JobUpdate"), "Name": name}))
        return {"JobName": name}

    def get_job(self, body: Body) -> Body:
        return {"Job": _public(self.platform.jobs.get_job(required(body, "JobName")))}

    def get_jobs(self, body: Body) -> Body:
        return paged([_public(job) for job in self.platform.jobs.get_jobs()], body, "Jobs")

    def start_job_run(self, body: Body) -> Body:
        name = required(body, "JobName")
        try:
            run_id = self.platform.jobs.start_job_run(name, body.get("Arguments"))
        except EntityNotFoundException:
            raise
        except Exception:  # noqa: BLE001 - the run is recorded FAILED with its reason, as Glue does
            run_id = self.platform.jobs.get_job_runs(name)[0]["Id"]
        return {"JobRunId": run_id}

    def get_job_run(self, body: Body) -> Body:
        run = self.platform.jobs.get_job_run(required(body, "JobName"), required(body, "RunId"))
        return {"JobRun": _public(run)}

    def get_job_runs(self, body: Body) -> Body:
        runs = self.platform.jobs.get_job_runs(required(body, "JobName"))
        return paged([_public(run) for run in runs], body, "JobRuns")

    def get_job_bookmark(self, body: Body) -> Body:
        name = required(body, "JobName")
        bookmark = self.platform.jobs.get_job_bookmark(name)
        return {"JobBookmarkEntry": {"JobName": name, "RunId": bookmark.get("RunId", ""),
                                     "JobBookmark": _json_text(bookmark)}}

    def reset_job_bookmark(self, body: Body) -> Body:
        name = required(body, "JobName")
        self.platform.jobs.reset_job_bookmark(name)
        return {"JobBookmarkEntry": {"JobName": name}}

    def delete_job(self, body: Body) -> Body:
        """The job with its runs and bookmark; Glue answers the same when there is no such job."""
        name = required(body, "JobName")
        for key in self.crawlers.keys(f"{JOBS_PREFIX}/{name}/"):
            self.crawlers.delete(key)
        return {"JobName": name}

    # crawlers -------------------------------------------------------------------
    def _crawler_key(self, name: str) -> str:
        return f"{CRAWLERS}/{name}.json"

    def create_crawler(self, body: Body) -> Body:
        name = required(body, "Name")
        if self.crawlers.find(self._crawler_key(name)) is not None:
            raise AwsServiceError("AlreadyExistsException", f"crawler {name} already exists")
        required(body, "Targets")
        now = datetime.now(UTC).timestamp()
        self.crawlers.write(self._crawler_key(name), {**body, "State": "READY", "CreationTime": now,
                                                      "LastUpdated": now, "Version": 1})
        return {}

    def get_crawler(self, body: Body) -> Body:
        return {"Crawler": self._crawler(required(body, "Name"))}

    def get_crawlers(self, body: Body) -> Body:
        crawlers = [self.crawlers.find(key) for key in self.crawlers.keys(f"{CRAWLERS}/")]
        return paged(crawlers, body, "Crawlers")

    def delete_crawler(self, body: Body) -> Body:
        name = required(body, "Name")
        self._crawler(name)
        self.crawlers.delete(self._crawler_key(name))
        return {}

    def start_crawler(self, body: Body) -> Body:
        from emulation.glue.crawler import Crawler

        definition = self._crawler(required(body, "Name"))
        started = datetime.now(UTC).timestamp()
        # The crawl runs within the call: when StartCrawler answers, GetCrawler already shows
        # the finished crawl (State READY, LastCrawl), which is what pollers wait for.
        try:
            result = Crawler(self.platform.store, self.platform.catalog).start_crawler(definition)
            last = {"Status": "SUCCEEDED", "StartTime": started,
                    "MessagePrefix": f"created {len(result.tables_created)}, updated {len(result.tables_updated)}"}
        except Exception as error:  # noqa: BLE001 - a failed crawl is recorded, as Glue does
            last = {"Status": "FAILED", "StartTime": started, "ErrorMessage": _detail(error)["ErrorMessage"]}
        self.crawlers.write(self._crawler_key(definition["Name"]), {**definition, "LastCrawl": last})
        return {}

    def _crawler(self, name: str) -> Body:
        definition = self.crawlers.find(self._crawler_key(name))
        if definition is None:
            raise AwsServiceError("EntityNotFoundException", f"crawler {name} not found")
        return definition


def _glue_name_pattern_matches(expression: str, name: str) -> bool:
    """GetTables' Expression: a regular expression on the table name (Glue documents `*` as any)."""
    pattern = expression if any(c in expression for c in "[]().+^$|\\") else expression.replace("*", ".*")
    try:
        return re.fullmatch(pattern, name) is not None
    except re.error:
        raise AwsServiceError("InvalidInputException", f"Expression {expression!r} is not a valid pattern") from None


def _detail(error: BaseException) -> Body:
    return {"ErrorCode": type(error).__name__, "ErrorMessage": str(error).splitlines()[0] if str(error) else ""}


def _public(document: Body) -> Body:
    """A job or run without the emulator's own members (the run log is read with `lakehouse job runs --log`)."""
    return {key: value for key, value in document.items() if key != "Log"}


def _json_text(document: Body) -> str:
    return json.dumps(document, sort_keys=True)
