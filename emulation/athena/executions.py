"""Query executions: Athena's state machine, statistics and history, kept in the catalog bucket.

QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED; QUEUED may also go straight to FAILED
or CANCELLED. A terminal state never changes again (StopQueryExecution on a finished query
leaves it as it is, as in Athena).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from emulation.athena.exceptions import InvalidRequestException
from emulation.documents import JsonDocuments
from lakehouse.errors import LakehouseError
from lakehouse.ports.query_engine import ResultSet

PREFIX = "athena"
ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}


class QueryState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


TRANSITIONS: dict[QueryState, frozenset[QueryState]] = {
    QueryState.QUEUED: frozenset({QueryState.RUNNING, QueryState.FAILED, QueryState.CANCELLED}),
    QueryState.RUNNING: frozenset({QueryState.SUCCEEDED, QueryState.FAILED, QueryState.CANCELLED}),
    QueryState.SUCCEEDED: frozenset(),
    QueryState.FAILED: frozenset(),
    QueryState.CANCELLED: frozenset(),
}
TERMINAL = frozenset(state for state, targets in TRANSITIONS.items() if not targets)


class IllegalTransition(RuntimeError):
    """A bug: the runner tried to move an execution along an edge the state machine lacks."""


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def iso_now() -> str:
    return str(_iso(time.time()))


def _millis(start: float | None, end: float | None) -> int:
    return 0 if start is None or end is None else max(0, round((end - start) * 1000))


@dataclass
class QueryExecution:
    """One execution; `to_athena` gives GetQueryExecution's `QueryExecution` shape."""

    query_execution_id: str
    query: str
    work_group: str
    database: str
    output_location: str  # the result file itself: s3://bucket/prefix/<id>.csv
    execution_parameters: list[str] | None = None
    statement_type: str = "DML"
    substatement_type: str = "SELECT"
    state: QueryState = QueryState.QUEUED
    state_change_reason: str | None = None
    athena_error: dict[str, Any] | None = None
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    engine_done: float | None = None
    completed: float | None = None
    data_scanned: int = 0
    update_count: int = 0
    data_manifest_location: str | None = None  # CTAS, INSERT INTO, UNLOAD: the files they wrote
    # host:pid of the process running it: a record left QUEUED or RUNNING by a process that is
    # gone (killed) is told apart from a live one (`lakehouse doctor` marks it FAILED).
    owner: str | None = None
    # CTAS, INSERT INTO, UNLOAD: the files the statement is about to write (see OutputClaim),
    # saved before the first one is written, so files a killed statement left are known.
    claim: dict[str, Any] | None = None

    def transition(self, target: QueryState, reason: str | None = None,
                   athena_error: dict[str, Any] | None = None) -> None:
        if target not in TRANSITIONS[self.state]:
            raise IllegalTransition(f"query {self.query_execution_id}: {self.state} → {target}")
        now = time.time()
        self.state = target
        if target == QueryState.RUNNING:
            self.started = now
        if target in TERMINAL:
            self.completed = now
            self.engine_done = self.engine_done or now
            self.state_change_reason, self.athena_error = reason, athena_error

    def finish_engine(self, data_scanned: int) -> None:
        """The engine is done; what remains (writing results) is service processing time."""
        self.engine_done, self.data_scanned = time.time(), data_scanned

    def statistics(self) -> dict[str, Any]:
        started = self.started or self.completed  # cancelled or refused while queued
        end = self.completed or time.time()
        statistics: dict[str, Any] = {
            "QueryQueueTimeInMillis": _millis(self.submitted, started or end),
            "TotalExecutionTimeInMillis": _millis(self.submitted, end),
            "DataScannedInBytes": self.data_scanned,
            "ResultReuseInformation": {"ReusedPreviousResult": False},
        }
        if self.data_manifest_location is not None:
            statistics["DataManifestLocation"] = self.data_manifest_location
        if self.started is not None:
            statistics["EngineExecutionTimeInMillis"] = _millis(self.started, self.engine_done or end)
        if self.completed is not None:
            statistics["ServiceProcessingTimeInMillis"] = _millis(self.engine_done or self.completed, self.completed)
        return statistics

    def to_athena(self) -> dict[str, Any]:
        status: dict[str, Any] = {"State": str(self.state), "SubmissionDateTime": _iso(self.submitted)}
        if self.completed is not None:
            status["CompletionDateTime"] = _iso(self.completed)
        if self.state_change_reason:
            status["StateChangeReason"] = self.state_change_reason
        if self.athena_error:
            status["AthenaError"] = self.athena_error
        shape: dict[str, Any] = {
            "QueryExecutionId": self.query_execution_id,
            "Query": self.query,
            "StatementType": self.statement_type,
            "SubstatementType": self.substatement_type,
            "ResultConfiguration": {"OutputLocation": self.output_location},
            "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
            "QueryExecutionContext": {"Database": self.database, "Catalog": "awsdatacatalog"},
            "Status": status,
            "Statistics": self.statistics(),
            "WorkGroup": self.work_group,
            "EngineVersion": dict(ENGINE_VERSION),
        }
        if self.execution_parameters:
            shape["ExecutionParameters"] = list(self.execution_parameters)
        return shape

    def to_document(self) -> dict[str, Any]:
        return {**asdict(self), "state": str(self.state)}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> QueryExecution:
        return cls(**{**document, "state": QueryState(document["state"])})


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ExecutionHistory:
    """Execution documents by id, plus a per-workgroup index whose key order is newest first."""

    _HORIZON_NS = 10**20  # inverted nanoseconds sort newest first for the next few centuries

    def __init__(self, documents: JsonDocuments) -> None:
        self.documents = documents
        self._last_ns = 0
        self._clock = threading.Lock()

    def save(self, execution: QueryExecution) -> None:
        self.documents.write(f"{PREFIX}/query-executions/{execution.query_execution_id}.json", execution.to_document())

    def record(self, execution: QueryExecution) -> None:
        """Save a new execution and index it in its workgroup's history."""
        with self._clock:  # strictly increasing, so two submissions never tie
            self._last_ns = max(time.time_ns(), self._last_ns + 1)
            inverted = self._HORIZON_NS - self._last_ns
        self.save(execution)
        key = f"{PREFIX}/history/{execution.work_group}/{inverted:020d}-{execution.query_execution_id}.json"
        self.documents.write(key, {"QueryExecutionId": execution.query_execution_id})

    def find(self, query_execution_id: str) -> QueryExecution | None:
        if not query_execution_id or "/" in query_execution_id or len(query_execution_id) > 128:
            return None
        document = self.documents.find(f"{PREFIX}/query-executions/{query_execution_id}.json")
        return None if document is None else QueryExecution.from_document(document)

    def load(self, query_execution_id: str) -> QueryExecution:
        execution = self.find(query_execution_id)
        if execution is None:
            raise InvalidRequestException(f"QueryExecution {query_execution_id} was not found")
        return execution

    def ids(self, work_group: str) -> list[str]:
        """Execution ids of a workgroup, newest first."""
        keys = self.documents.keys(f"{PREFIX}/history/{work_group}/")
        return [key.rsplit("/", 1)[1].split("-", 1)[1].removesuffix(".json") for key in keys]


class IdempotencyTokens:
    """ClientRequestToken → the id it created and a fingerprint of the request that created it."""

    def __init__(self, documents: JsonDocuments, kind: str) -> None:
        self.documents = documents
        self.kind = kind

    def _key(self, token: str) -> str:
        return f"{PREFIX}/client-request-tokens/{self.kind}/{hashlib.sha256(token.encode()).hexdigest()}.json"

    def find(self, token: str, fingerprint: str) -> str | None:
        """The id an earlier identical request created; an error when the parameters differ."""
        if not 32 <= len(token) <= 128:
            raise InvalidRequestException("ClientRequestToken must be 32 to 128 characters long")
        known = self.documents.find(self._key(token))
        if known is None:
            return None
        if known["Fingerprint"] != fingerprint:
            raise InvalidRequestException(
                "Idempotent parameters do not match: this ClientRequestToken was used with other parameters"
            )
        return str(known["Id"])

    def remember(self, token: str, fingerprint: str, created_id: str) -> None:
        self.documents.write(self._key(token), {"Fingerprint": fingerprint, "Id": created_id})


def fingerprint(*parameters: Any) -> str:
    """What must match for a repeated ClientRequestToken to mean the same request."""
    return hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()


def rows_written(result: ResultSet) -> int:
    """CTAS, INSERT INTO and UNLOAD answer with one count: Athena's UpdateCount."""
    if len(result.rows) == 1 and len(result.rows[0]) == 1 and isinstance(result.rows[0][0], int):
        return int(result.rows[0][0])
    return 0


def failure(error: Exception) -> tuple[str, dict[str, Any]]:
    """StateChangeReason and AthenaError: user errors (category 2) or internal ones (category 1)."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, LakehouseError):
        reason = first_line or type(error).__name__
        return reason, {"ErrorCategory": 2, "ErrorType": 1000, "Retryable": False, "ErrorMessage": reason}
    reason = f"INTERNAL_ERROR: {type(error).__name__}: {first_line}"
    return reason, {"ErrorCategory": 1, "ErrorType": 100, "Retryable": True, "ErrorMessage": reason}
