"""Athena's API semantics over the DuckDB engine: a mixin DuckDBQueryEngine inherits.

An execution is recorded QUEUED, handed to `query_executor` (by default it runs at once,
so start_query_execution returns after QUEUED → RUNNING → SUCCEEDED | FAILED; a thread
pool's `submit` makes it asynchronous), and refused or failed queries end FAILED with
Athena's StateChangeReason and AthenaError rather than raising. Results land at the
OutputLocation as `<id>.csv` + `<id>.csv.metadata`; GetQueryResults pages through them.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import duckdb
from sqlglot import exp

from emulation.athena.claims import OutputClaim
from emulation.athena.exceptions import InvalidRequestException
from emulation.athena.executions import (
    TERMINAL, ExecutionHistory, IdempotencyTokens, QueryExecution, QueryState, failure, fingerprint, process_owner,
    rows_written,
)
from emulation.athena.guard import check_query, check_sql
from emulation.athena.preparation import Explain, bind_parameters, split_explain, statement_types
from emulation.athena.results import (
    page_offset, page_token, read_results, result_rows, split_s3_uri, write_manifest, write_results,
)
from emulation.athena.scanned import TableFiles, data_scanned
from emulation.athena.write_behind import WriteBehindStore
from emulation.athena.workgroups import PRIMARY, WorkGroupsMixin, check_batch, page_of, output_prefix
from emulation.documents import JsonDocuments
from lakehouse.errors import LakehouseError, QueryError
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.query_engine import ResultSet
from lakehouse.sql.translate import parse_athena, require_query
from lakehouse.zones import RESULTS_ZONE

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from emulation.athena.caching import FileListings
    from lakehouse.config import Settings
    from lakehouse.ports.catalog import DataCatalog, GlueDocument
    from lakehouse.sql.translate import TableReference

Executor = Callable[[Callable[[], None]], object]
Listener = Callable[[str, QueryState], None]


def run_now(job: Callable[[], None]) -> None:
    job()


class AthenaApi(WorkGroupsMixin):
    """StartQueryExecution and friends; the engine supplies run_query, execute and the catalog."""

    catalog: DataCatalog
    store: ObjectStore
    settings: Settings

    if TYPE_CHECKING:
        @property
        def connection(self) -> duckdb.DuckDBPyConnection: ...
        def run_query(self, sql: str, parameters: Sequence[Any] = (), database: str | None = None) -> ResultSet: ...
        def execute(self, duckdb_sql: str, parameters: Sequence[Any] = ()) -> ResultSet: ...
        def _create_view(self, reference: TableReference) -> GlueDocument: ...
        def translate(self, tree: exp.Expression, default_database: str) -> str: ...
        def guarded(self, sql: str) -> exp.Expression: ...
        def query_scope(self, reading: bool = True) -> AbstractContextManager[None]: ...
        def references(self, tree: exp.Expression, default_database: str) -> list[TableReference]: ...
        listings: FileListings
        def _table(self, reference: TableReference) -> GlueDocument: ...

    def __init__(self, executor: Executor = run_now) -> None:
        # Where the API writes its own files (records, history, results): the store, or a
        # write-behind in front of it once defer_writes() is called.
        self.api_store: ObjectStore = self.store
        self.athena_documents = JsonDocuments(self.store, self.settings.bucket("catalog"))
        self.history = ExecutionHistory(self.athena_documents)
        self.query_executor = executor
        self.execution_listeners: list[Listener] = []  # told of every state an execution enters
        self._records = threading.RLock()  # execution records and the live set
        self._engine_turn = threading.Lock()  # one DuckDB connection: executions take turns
        self._live: dict[str, QueryExecution] = {}
        self._running: dict[str, threading.Event] = {}  # set once the runner has left DuckDB
        self._interrupts = threading.Lock()  # an interrupt never lands on the next execution
        self.files_written: list[str] = []  # data files of the statement in its turn (CTAS, INSERT, UNLOAD)
        self._turn = threading.local()  # .execution: the execution this thread is running, if any

    # Capability: the API's own writes can be deferred to a background writer (write_behind.py).
    SUPPORTS_DEFERRED_WRITES = True

    def defer_writes(self) -> None:
        """Write execution records and result files in the background, in order (see write_behind.py)."""
        if not isinstance(self.api_store, WriteBehindStore):
            self.api_store = WriteBehindStore(self.store)
            self.athena_documents.store = self.api_store

    def flush_writes(self) -> None:
        """Wait until every deferred write is on the store."""
        if isinstance(self.api_store, WriteBehindStore):
            self.api_store.flush()

    # -- executions ------------------------------------------------------------------

    def start_query_execution(self, query_string: str, query_execution_context: dict[str, str] | None = None,
                              result_configuration: dict[str, Any] | None = None, work_group: str = PRIMARY,
                              client_request_token: str | None = None,
                              execution_parameters: list[str] | None = None) -> str:
        group = self.get_work_group(work_group or PRIMARY)["WorkGroup"]
        if group["State"] != "ENABLED":
            raise InvalidRequestException(f"WorkGroup {group['Name']} is disabled")
        if not query_string or not query_string.strip() or len(query_string) > 262_144:
            raise InvalidRequestException("QueryString must be 1 to 262,144 characters")
        database = ((query_execution_context or {}).get("Database") or self.settings.database).lower()
        location = output_prefix(group["Configuration"], result_configuration)
        parameters = [str(value) for value in execution_parameters] if execution_parameters else None
        request = fingerprint(query_string, database, location, group["Name"], parameters)
        tokens = IdempotencyTokens(self.athena_documents, "query-executions")
        with self._records:
            if client_request_token is not None:
                known = tokens.find(client_request_token, request)
                if known is not None:
                    return known
            query_execution_id = str(uuid.uuid4())
            execution = QueryExecution(query_execution_id, query_string, group["Name"], database,
                                       f"{location}{query_execution_id}.csv", parameters, owner=process_owner())
            self.history.record(execution)
            if client_request_token is not None:
                tokens.remember(client_request_token, request, query_execution_id)
            self._live[query_execution_id] = execution
        self._notify(execution)
        self.query_executor(lambda: self._run(execution))
        return query_execution_id

    def get_query_execution(self, query_execution_id: str) -> dict[str, Any]:
        with self._records:  # a consistent view of an execution its runner is moving on
            return {"QueryExecution": self._execution(query_execution_id).to_athena()}

    def batch_get_query_execution(self, query_execution_ids: list[str]) -> dict[str, Any]:
        check_batch(query_execution_ids, "QueryExecutionIds")
        found, missing = [], []
        for query_execution_id in query_execution_ids:
            try:
                with self._records:
                    found.append(self._execution(query_execution_id).to_athena())
            except InvalidRequestException as error:
                missing.append({"QueryExecutionId": query_execution_id, "ErrorCode": error.athena_error_code,
                                "ErrorMessage": str(error)})
        return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing}

    def list_query_executions(self, work_group: str | None = None, next_token: str | None = None,
                              max_results: int = 50) -> dict[str, Any]:
        group = work_group or PRIMARY
        self.get_work_group(group)
        ids, token = page_of(self.history.ids(group), next_token, max_results)
        return {"QueryExecutionIds": ids, **({"NextToken": token} if token else {})}

    def stop_query_execution(self, query_execution_id: str) -> dict[str, Any]:
        with self._records:
            execution = self._execution(query_execution_id)
            if execution.state in TERMINAL:
                return {}  # Athena: stopping a finished query succeeds and changes nothing
            running = execution.state == QueryState.RUNNING
            execution.transition(QueryState.CANCELLED, "Query cancelled by user")
            self.history.save(execution)
            self._live.pop(query_execution_id, None)
            done = self._running.get(query_execution_id)
        if running and done is not None:
            threading.Thread(target=self._interrupt_until, args=(done,), daemon=True).start()
        self._notify(execution)
        return {}

    def get_query_results(self, query_execution_id: str, next_token: str | None = None,
                          max_results: int = 1000) -> dict[str, Any]:
        if not 1 <= max_results <= 1000:
            raise InvalidRequestException("MaxResults must be between 1 and 1000")
        execution = self._execution(query_execution_id)
        if execution.state in (QueryState.QUEUED, QueryState.RUNNING):
            raise InvalidRequestException(f"Query has not yet finished. Current state: {execution.state}")
        if execution.state != QueryState.SUCCEEDED:
            raise InvalidRequestException(f"Query did not finish successfully. Final query state: {execution.state}")
        offset = page_offset(query_execution_id, next_token)
        columns, rows = read_results(self.api_store, execution.output_location)
        if execution.statement_type == "DDL":
            rows = rows[1:]  # Athena's DDL results carry no header row
        response: dict[str, Any] = {
            "UpdateCount": execution.update_count,
            "ResultSet": {"Rows": result_rows(rows[offset:offset + max_results]),
                          "ResultSetMetadata": {"ColumnInfo": columns}},
        }
        if offset + max_results < len(rows):
            response["NextToken"] = page_token(query_execution_id, offset + max_results)
        return response

    # -- running ---------------------------------------------------------------------

    def _execution(self, query_execution_id: str) -> QueryExecution:
        with self._records:
            return self._live.get(query_execution_id) or self.history.load(query_execution_id)

    def _notify(self, execution: QueryExecution) -> None:
        for listener in list(self.execution_listeners):
            listener(execution.query_execution_id, execution.state)

    def _advance(self, execution: QueryExecution, target: QueryState, reason: str | None = None,
                 athena_error: dict[str, Any] | None = None) -> bool:
        """Move along the state machine unless the execution already ended (stopped meanwhile)."""
        with self._records:
            if execution.state in TERMINAL:
                return False
            execution.transition(target, reason, athena_error)
            if target != QueryState.RUNNING or not isinstance(self.api_store, WriteBehindStore):
                # Deferred writes reach other readers after the run anyway: RUNNING is kept in memory.
                self.history.save(execution)
            if target in TERMINAL:
                self._live.pop(execution.query_execution_id, None)
        self._notify(execution)
        return True

    def _run(self, execution: QueryExecution) -> None:
        with self._engine_turn:
            done = threading.Event()
            with self._records:
                self._running[execution.query_execution_id] = done
            try:
                self._run_turn(execution)
            finally:
                with self._interrupts:
                    done.set()
                with self._records:
                    self._running.pop(execution.query_execution_id, None)

    def _run_turn(self, execution: QueryExecution) -> None:
        if not self._advance(execution, QueryState.RUNNING):
            return  # stopped while queued
        self._turn.execution = execution
        try:
            self._check_output_bucket(execution.output_location)
            self.files_written = []
            result, scanned = self._execute(execution)
            execution.finish_engine(scanned)
            write_results(self.api_store, execution.output_location, result)
            if self.files_written:
                execution.data_manifest_location = write_manifest(self.api_store, execution.output_location,
                                                                  self.files_written)
        except Exception as error:  # noqa: BLE001 - Athena reports every failure on the execution
            self._advance(execution, QueryState.FAILED, *failure(error))
            return
        finally:
            self._turn.execution = None
        self._advance(execution, QueryState.SUCCEEDED)

    def claim_output(self, claim: OutputClaim) -> None:
        """Save on the running execution's record, durably and before its first data file, the
        files a writing statement is about to write (claims.py: how `lakehouse doctor` uses it).
        A statement run outside an execution (run_query called directly) has no record to claim on."""
        execution: QueryExecution | None = getattr(self._turn, "execution", None)
        if execution is None:
            return
        with self._records:
            execution.claim = claim.to_document()
            self.flush_writes()  # an older deferred save of this record must not land after this one
            ExecutionHistory(JsonDocuments(self.store, self.settings.bucket("catalog"))).save(execution)

    def _interrupt_until(self, done: threading.Event) -> None:
        """Interrupt DuckDB until the stopped execution's runner is out: an interrupt sent before
        its statement started would be lost, so keep sending."""
        while True:
            with self._interrupts:
                if done.is_set():
                    return
                # Never self.connection: creating it here would race the runner's first use.
                connection = getattr(self, "_connection", None)
                if connection is not None:
                    connection.interrupt()
            done.wait(0.05)

    def _check_output_bucket(self, output_location: str) -> None:
        bucket, _ = split_s3_uri(output_location)
        if bucket == self.settings.bucket(RESULTS_ZONE):
            self.api_store.create_bucket(bucket)
        elif not self.api_store.head_bucket(bucket):
            raise QueryError(f"INVALID_OUTPUT_LOCATION: Unable to verify/create output bucket {bucket}")

    def _execute(self, execution: QueryExecution) -> tuple[ResultSet, int]:
        """Guard, parse, bind and run one statement; the result and the bytes it scanned."""
        explain = split_explain(execution.query)
        if explain is None:
            tree = self.guarded(execution.query)
        else:
            check_sql(execution.query)
            tree = parse_athena(explain.statement)
            check_query(tree)
        execution.statement_type, execution.substatement_type = statement_types(tree, explain is not None)
        values = bind_parameters(execution.execution_parameters, tree)
        with self.query_scope(isinstance(tree, exp.Query)):
            tables = self._table_files(tree, execution.database)
            result = self._run_statement(execution, explain, tree, values)
        if execution.substatement_type in ("CREATE_TABLE_AS_SELECT", "INSERT", "UNLOAD"):
            execution.update_count = rows_written(result)
        return result, data_scanned(self._last_profile(), tables)

    def _run_statement(self, execution: QueryExecution, explain: Explain | None, tree: exp.Expression,
                       values: list[Any]) -> ResultSet:
        try:
            return self.run_query(execution.query, values, execution.database)
        except QueryError as error:
            if explain is None or not str(error).startswith("NOT_SUPPORTED: COMMAND"):
                raise
            return self._explain(tree, values, execution.database, explain)  # an engine without EXPLAIN

    def _explain(self, tree: exp.Expression, values: list[Any], database: str, explain: Explain) -> ResultSet:
        require_query(tree)
        duckdb_sql = self.translate(tree, database)
        plan = self.execute(f"EXPLAIN {'ANALYZE ' if explain.analyze else ''}{duckdb_sql}", values)
        lines = [f"-- DuckDB SQL: {duckdb_sql}"] + [line for row in plan.rows for line in str(row[-1]).splitlines()]
        return ResultSet(["Query Plan"], ["varchar"], [(line,) for line in lines])

    def _table_files(self, tree: exp.Expression, database: str) -> list[TableFiles]:
        """The Parquet files each catalog table of the statement resolves to, as DuckDB names them."""
        tables = []
        for reference in self.references(tree, database):
            try:
                table = self._table(reference)
            except LakehouseError:
                continue  # the engine reports it
            location = urlsplit(table.get("StorageDescriptor", {}).get("Location") or "")
            bucket, prefix = location.netloc, location.path.lstrip("/")
            if not bucket:
                continue  # a view: no location of its own
            files = self.listings.parquet_files(bucket, prefix)
            if files is None:
                continue  # the table's bucket is gone
            types = {key["Name"]: key["Type"] for key in table.get("PartitionKeys", [])}
            tables.append(TableFiles(self.listings.root(bucket, prefix).rstrip("/"), files, types))
        return tables

    def _last_profile(self) -> str | None:
        """The profile of the statement just run (None if profiling is off on this connection)."""
        try:
            profile = self.connection.get_profiling_information(format="json")
        except duckdb.Error:
            return None
        return None if json.loads(profile).get("result") == "disabled" else profile
