"""Athena through boto3 (AWS, or the lakehouse emulator): the query engine port.

`run_query` is the whole round trip a caller wants (start, poll with backoff, page through
the results, typed values); the Athena operations pass straight through."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from cloud.aws import aws_client, aws_errors, without_metadata
from lakehouse.config import Settings
from lakehouse.errors import QueryError
from lakehouse.ports.query_engine import QueryEngine, ResultSet
from lakehouse.zones import RESULTS_ZONE

_FIRST_POLL, _LONGEST_POLL = 0.005, 1.0
_FINISHED = {"SUCCEEDED", "FAILED", "CANCELLED"}
_READERS: dict[str, Callable[[str], Any]] = {
    "tinyint": int, "smallint": int, "integer": int, "int": int, "bigint": int,
    "double": float, "float": float, "real": float, "decimal": Decimal,
    "boolean": lambda text: text == "true", "date": dt.date.fromisoformat,
    "timestamp": dt.datetime.fromisoformat,
}


def athena_literal(value: object) -> str:
    """A bound value as the SQL literal Athena's ExecutionParameters take."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise QueryError(f"cannot bind a {type(value).__name__} as an Athena parameter")


def typed(text: str | None, athena_type: str) -> Any:
    if text is None:
        return None
    reader = _READERS.get(athena_type.split("(")[0].strip().lower())
    return reader(text) if reader is not None else text


class AthenaQueryEngine(QueryEngine):
    def __init__(self, settings: Settings, client: Any = None, timeout_seconds: float = 1800) -> None:
        self.settings = settings
        self.athena = client or aws_client(settings, "athena")
        self.timeout_seconds = timeout_seconds

    def run_query(self, sql: str, parameters: Sequence[Any] = (), database: str | None = None) -> ResultSet:
        query_id = self.start_query_execution(
            sql, {"Database": database or self.settings.database},
            {"OutputLocation": f"s3://{self.settings.bucket(RESULTS_ZONE)}/"},
            execution_parameters=[athena_literal(value) for value in parameters] or None,
        )
        status = self._wait(query_id)
        if status["State"] != "SUCCEEDED":
            raise QueryError(f"{status['State']}: {status.get('StateChangeReason', 'no reason given')}")
        return self._results(query_id)

    def _wait(self, query_id: str) -> dict[str, Any]:
        pause, deadline = _FIRST_POLL, time.monotonic() + self.timeout_seconds
        while True:
            status = self.get_query_execution(query_id)["QueryExecution"]["Status"]
            if status["State"] in _FINISHED:
                return status
            if time.monotonic() > deadline:
                self.stop_query_execution(query_id)
                raise QueryError(f"query {query_id} did not finish within {self.timeout_seconds:.0f} s (stopped)")
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_POLL)

    def _results(self, query_id: str) -> ResultSet:
        columns: list[str] = []
        types: list[str] = []
        rows: list[tuple[Any, ...]] = []
        with aws_errors("athena GetQueryResults"):
            for number, page in enumerate(self.athena.get_paginator("get_query_results").paginate(
                    QueryExecutionId=query_id)):
                records = page["ResultSet"]["Rows"]
                if number == 0:
                    info = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
                    columns, types = [c["Name"] for c in info], [c["Type"] for c in info]
                    records = records[1:]  # the header row
                rows += [tuple(typed(cell.get("VarCharValue"), kind) for cell, kind in zip(r["Data"], types,
                                                                                             strict=True))
                         for r in records]
        return ResultSet(columns, types, rows)

    # Athena's operations, as they are ---------------------------------------------------
    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        with aws_errors(f"athena {operation}"):
            return without_metadata(getattr(self.athena, operation)(**{k: v for k, v in arguments.items()
                                                                        if v is not None}))

    def start_query_execution(self, query_string: str, query_execution_context: dict[str, str] | None = None,
                              result_configuration: dict[str, Any] | None = None, work_group: str = "primary",
                              client_request_token: str | None = None,
                              execution_parameters: list[str] | None = None) -> str:
        return self._call("start_query_execution", QueryString=query_string,
                          QueryExecutionContext=query_execution_context, ResultConfiguration=result_configuration,
                          WorkGroup=work_group, ClientRequestToken=client_request_token,
                          ExecutionParameters=execution_parameters)["QueryExecutionId"]

    def get_query_execution(self, query_execution_id: str) -> dict[str, Any]:
        return self._call("get_query_execution", QueryExecutionId=query_execution_id)

    def get_query_results(self, query_execution_id: str, next_token: str | None = None,
                          max_results: int = 1000) -> dict[str, Any]:
        return self._call("get_query_results", QueryExecutionId=query_execution_id, NextToken=next_token,
                          MaxResults=max_results)

    def stop_query_execution(self, query_execution_id: str) -> dict[str, Any]:
        return self._call("stop_query_execution", QueryExecutionId=query_execution_id)

    def list_query_executions(self, work_group: str | None = None, next_token: str | None = None,
                              max_results: int = 50) -> dict[str, Any]:
        return self._call("list_query_executions", WorkGroup=work_group, NextToken=next_token,
                          MaxResults=max_results)

    def batch_get_query_execution(self, query_execution_ids: list[str]) -> dict[str, Any]:
        return self._call("batch_get_query_execution", QueryExecutionIds=query_execution_ids)

    def create_work_group(self, name: str, configuration: dict[str, Any] | None = None,
                          description: str = "", tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        return self._call("create_work_group", Name=name, Configuration=configuration, Description=description,
                          Tags=tags)

    def get_work_group(self, work_group: str) -> dict[str, Any]:
        return self._call("get_work_group", WorkGroup=work_group)

    def list_work_groups(self) -> dict[str, Any]:
        return self._call("list_work_groups")

    def create_named_query(self, name: str, query_string: str, database: str, description: str = "",
                           client_request_token: str | None = None, work_group: str = "primary") -> str:
        return self._call("create_named_query", Name=name, QueryString=query_string, Database=database,
                          Description=description or None, ClientRequestToken=client_request_token,
                          WorkGroup=work_group)["NamedQueryId"]

    def get_named_query(self, named_query_id: str) -> dict[str, Any]:
        return self._call("get_named_query", NamedQueryId=named_query_id)

    def list_named_queries(self, work_group: str | None = None, next_token: str | None = None,
                           max_results: int = 50) -> dict[str, Any]:
        return self._call("list_named_queries", WorkGroup=work_group, NextToken=next_token, MaxResults=max_results)

    def batch_get_named_query(self, named_query_ids: list[str]) -> dict[str, Any]:
        return self._call("batch_get_named_query", NamedQueryIds=named_query_ids)
