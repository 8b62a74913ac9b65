"""The query engine port: Athena's role. SQL is written in Athena's dialect."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResultSet:
    """A query's answer: column names, Athena type names, and rows."""

    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]


class QueryEngine(abc.ABC):
    """Runs Athena SQL against the tables of the data catalog."""

    @abc.abstractmethod
    def run_query(self, sql: str, parameters: Sequence[Any] = (), database: str | None = None) -> ResultSet:
        """Run one statement (`?` placeholders bound to parameters) and return its rows."""

    # Athena's API (method names are its operation names). Every operation returns Athena's
    # JSON shape; an execution runs in the background as far as callers can tell: poll
    # get_query_execution until Status.State is SUCCEEDED, FAILED or CANCELLED.

    @abc.abstractmethod
    def start_query_execution(self, query_string: str, query_execution_context: dict[str, str] | None = None,
                              result_configuration: dict[str, Any] | None = None, work_group: str = "primary",
                              client_request_token: str | None = None,
                              execution_parameters: list[str] | None = None) -> str:
        """Submit a statement (`?` bound to ExecutionParameters' literals in order); its QueryExecutionId."""

    @abc.abstractmethod
    def get_query_execution(self, query_execution_id: str) -> dict[str, Any]:
        """`{"QueryExecution": {…Status, Statistics, ResultConfiguration…}}`."""

    @abc.abstractmethod
    def get_query_results(self, query_execution_id: str, next_token: str | None = None,
                          max_results: int = 1000) -> dict[str, Any]:
        """A page (≤ 1,000 rows, the header row first on the first page) of a succeeded query's results."""

    @abc.abstractmethod
    def stop_query_execution(self, query_execution_id: str) -> dict[str, Any]:
        """Cancel a queued or running query; a finished one is left as it is."""

    @abc.abstractmethod
    def list_query_executions(self, work_group: str | None = None, next_token: str | None = None,
                              max_results: int = 50) -> dict[str, Any]:
        """`{"QueryExecutionIds": […]}` of a workgroup (default primary), newest first."""

    @abc.abstractmethod
    def batch_get_query_execution(self, query_execution_ids: list[str]) -> dict[str, Any]:
        """`{"QueryExecutions": […], "UnprocessedQueryExecutionIds": […]}` for 1 to 50 ids."""

    @abc.abstractmethod
    def create_work_group(self, name: str, configuration: dict[str, Any] | None = None,
                          description: str = "", tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Create a workgroup (its ResultConfiguration, EnforceWorkGroupConfiguration…)."""

    @abc.abstractmethod
    def get_work_group(self, work_group: str) -> dict[str, Any]:
        """`{"WorkGroup": {Name, State, Configuration, Description, CreationTime}}`."""

    @abc.abstractmethod
    def list_work_groups(self) -> dict[str, Any]:
        """`{"WorkGroups": [summaries]}`, primary included."""

    @abc.abstractmethod
    def create_named_query(self, name: str, query_string: str, database: str, description: str = "",
                           client_request_token: str | None = None, work_group: str = "primary") -> str:
        """Save a query under a name; its NamedQueryId."""

    @abc.abstractmethod
    def get_named_query(self, named_query_id: str) -> dict[str, Any]:
        """`{"NamedQuery": {Name, Description, Database, QueryString, NamedQueryId, WorkGroup}}`."""

    @abc.abstractmethod
    def list_named_queries(self, work_group: str | None = None, next_token: str | None = None,
                           max_results: int = 50) -> dict[str, Any]:
        """`{"NamedQueryIds": […]}` of a workgroup; primary holds the platform's saved queries."""

    @abc.abstractmethod
    def batch_get_named_query(self, named_query_ids: list[str]) -> dict[str, Any]:
        """`{"NamedQueries": […], "UnprocessedNamedQueryIds": […]}` for 1 to 50 ids."""
