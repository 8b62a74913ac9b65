"""Athena's API on the DuckDB engine: state machine, statistics, idempotency, result files, paging,
stop, workgroups, named queries and history."""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import duckdb
import pytest
from athena_support import YEARS, AthenaHome
from cli_support import platform_for

from emulation.athena.engine import DuckDBQueryEngine
from emulation.athena.exceptions import InvalidRequestException
from emulation.athena.executions import IllegalTransition, QueryExecution, QueryState
from emulation.athena.scanned import TableFiles, data_scanned
from emulation.athena.workgroups import saved_query_id
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.catalog.glue_shapes import partition_input
from lakehouse.sql.saved import saved_queries


def execution(engine: DuckDBQueryEngine, sql: str, **options: Any) -> dict[str, Any]:
    return engine.get_query_execution(engine.start_query_execution(sql, **options))["QueryExecution"]


def result_file(home: AthenaHome, query_execution_id: str, suffix: str = ".csv") -> str:
    return (home.path / "athena-results" / f"{query_execution_id}{suffix}").read_text()


def test_states_statistics_and_shape(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    seen: list[tuple[str, QueryState]] = []
    engine.execution_listeners.append(lambda qid, state: seen.append((qid, state)))
    done = execution(engine, "SELECT count(*) AS n FROM events WHERE year = 2023")
    qid = done["QueryExecutionId"]
    assert seen == [(qid, QueryState.QUEUED), (qid, QueryState.RUNNING), (qid, QueryState.SUCCEEDED)]
    status, statistics = done["Status"], done["Statistics"]
    assert status["State"] == "SUCCEEDED" and "StateChangeReason" not in status
    assert datetime.fromisoformat(status["SubmissionDateTime"]) <= datetime.fromisoformat(status["CompletionDateTime"])
    assert statistics["TotalExecutionTimeInMillis"] >= statistics["EngineExecutionTimeInMillis"] >= 0
    parts = statistics["QueryQueueTimeInMillis"] + statistics["EngineExecutionTimeInMillis"]
    assert abs(parts + statistics["ServiceProcessingTimeInMillis"] - statistics["TotalExecutionTimeInMillis"]) <= 2
    assert statistics["DataScannedInBytes"] == athena_home.year_bytes[2023]
    assert done["ResultConfiguration"]["OutputLocation"] == f"s3://athena-results/{qid}.csv"
    assert done["QueryExecutionContext"] == {"Database": "vancouver_311", "Catalog": "awsdatacatalog"}
    assert (done["StatementType"], done["SubstatementType"], done["WorkGroup"]) == ("DML", "SELECT", "primary")


def test_state_machine_refuses_missing_edges() -> None:
    run = QueryExecution("q", "SELECT 1", "primary", "db", "s3://b/q.csv")
    with pytest.raises(IllegalTransition):
        run.transition(QueryState.SUCCEEDED)  # QUEUED cannot succeed without running
    run.transition(QueryState.RUNNING)
    run.transition(QueryState.SUCCEEDED)
    for target in QueryState:
        with pytest.raises(IllegalTransition):
            run.transition(target)  # terminal: nothing leaves SUCCEEDED


@pytest.mark.parametrize(
    ("sql", "scanned"),
    [
        ("SELECT count(*) FROM events WHERE year = 2024", lambda h: h.year_bytes[2024]),  # files listed by name
        ("SELECT sum(amount) FROM events WHERE year >= 2023", lambda h: h.year_bytes[2023] + h.year_bytes[2024]),
        ("SELECT max(day) FROM events", lambda h: h.total_bytes),  # every partition
        ("SELECT 1 AS one", lambda h: 0),
    ],
)
def test_data_scanned_is_the_files_read_after_pruning(engine: DuckDBQueryEngine, athena_home: AthenaHome,
                                                      sql: str, scanned: Any) -> None:
    assert execution(engine, sql)["Statistics"]["DataScannedInBytes"] == scanned(athena_home)


def test_failed_query_keeps_its_reason_and_writes_nothing(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    failed = execution(engine, "SELECT * FROM no_such_table")
    assert failed["Status"]["State"] == "FAILED"
    assert failed["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND: Table 'awsdatacatalog.vancouver_311")
    assert failed["Status"]["AthenaError"]["ErrorCategory"] == 2 and "CompletionDateTime" in failed["Status"]
    assert not (athena_home.path / "athena-results" / f"{failed['QueryExecutionId']}.csv").exists()
    with pytest.raises(InvalidRequestException, match="Final query state: FAILED"):
        engine.get_query_results(failed["QueryExecutionId"])


def test_client_request_token_is_idempotent(engine: DuckDBQueryEngine) -> None:
    token = uuid.uuid4().hex
    first = engine.start_query_execution("SELECT 1", client_request_token=token)
    assert engine.start_query_execution("SELECT 1", client_request_token=token) == first
    assert engine.list_query_executions()["QueryExecutionIds"] == [first]  # ran once
    with pytest.raises(InvalidRequestException, match="Idempotent parameters do not match"):
        engine.start_query_execution("SELECT 2", client_request_token=token)
    with pytest.raises(InvalidRequestException, match="32 to 128"):
        engine.start_query_execution("SELECT 1", client_request_token="short")
    assert engine.start_query_execution("SELECT 1", client_request_token=uuid.uuid4().hex) != first


def test_result_files_are_athena_csv_and_metadata(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    qid = execution(engine, "SELECT id, name, amount, day, year, id % 2 = 0 AS even, CAST(NULL AS varchar) AS nothing, "
                            "'' AS empty, 'say \"hi\", twice' AS quoted, CAST(1.50 AS decimal(5, 2)) AS price "
                            "FROM events WHERE year = 2024 ORDER BY id LIMIT 2")["QueryExecutionId"]
    text = result_file(athena_home, qid)
    lines = text.splitlines()
    assert lines[0] == '"id","name","amount","day","year","even","nothing","empty","quoted","price"'
    assert lines[1] == '"0","event 0","0.0","2024-01-01","2024","true",,"","say ""hi"", twice","1.50"'
    assert text.endswith("\n") and len(lines) == 3
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[2][:6] == ["1", "event 1", "0.5", "2024-01-02", "2024", "false"]
    metadata = json.loads(result_file(athena_home, qid, ".csv.metadata"))
    columns = metadata["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in columns] == [
        ("id", "bigint"), ("name", "varchar"), ("amount", "double"), ("day", "date"), ("year", "integer"),
        ("even", "boolean"), ("nothing", "varchar"), ("empty", "varchar"), ("quoted", "varchar"), ("price", "decimal")]
    assert (columns[-1]["Precision"], columns[-1]["Scale"]) == (5, 2) and metadata["RowCount"] == 2
    page = engine.get_query_results(qid)
    assert page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"] == columns
    assert page["ResultSet"]["Rows"][1]["Data"][6:8] == [{}, {"VarCharValue": ""}]  # NULL vs empty string


def test_results_page_by_1000_with_the_header_first(engine: DuckDBQueryEngine) -> None:
    qid = engine.start_query_execution("SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x) ORDER BY x")
    pages, token = [], None
    while True:
        page = engine.get_query_results(qid, token) if token else engine.get_query_results(qid)
        pages.append([row["Data"][0].get("VarCharValue") for row in page["ResultSet"]["Rows"]])
        token = page.get("NextToken")
        if token is None:
            break
    assert [len(p) for p in pages] == [1000, 1000, 501]
    assert pages[0][0] == "x" and "x" not in pages[1] + pages[2]
    assert [int(v) for v in pages[0][1:] + pages[1] + pages[2]] == list(range(1, 2501))
    other = engine.start_query_execution("SELECT 1")
    with pytest.raises(InvalidRequestException, match="does not belong"):
        engine.get_query_results(other, engine.get_query_results(qid, max_results=10)["NextToken"])
    for bad in (0, 1001):
        with pytest.raises(InvalidRequestException, match="MaxResults"):
            engine.get_query_results(qid, max_results=bad)


def test_stop_on_a_finished_query_changes_nothing(engine: DuckDBQueryEngine) -> None:
    before = execution(engine, "SELECT 1")
    assert engine.stop_query_execution(before["QueryExecutionId"]) == {}
    assert engine.get_query_execution(before["QueryExecutionId"])["QueryExecution"] == before
    with pytest.raises(InvalidRequestException, match="was not found"):
        engine.stop_query_execution(str(uuid.uuid4()))


def test_stop_a_queued_query(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    queue: list[Any] = []
    engine.query_executor = queue.append  # an executor that has not got round to it yet
    qid = engine.start_query_execution("SELECT 1")
    assert engine.get_query_execution(qid)["QueryExecution"]["Status"]["State"] == "QUEUED"
    engine.stop_query_execution(qid)
    queue.pop()()  # the executor runs it late: the cancellation stands
    status = engine.get_query_execution(qid)["QueryExecution"]["Status"]
    assert (status["State"], status["StateChangeReason"]) == ("CANCELLED", "Query cancelled by user")
    assert not (athena_home.path / "athena-results" / f"{qid}.csv").exists()


def test_stop_a_running_query_in_a_background_executor(engine: DuckDBQueryEngine) -> None:
    running = threading.Event()
    engine.execution_listeners.append(lambda qid, state: state == QueryState.RUNNING and running.set())
    with ThreadPoolExecutor(max_workers=1) as pool:
        engine.query_executor = pool.submit
        qid = engine.start_query_execution(
            "SELECT count(*) FROM UNNEST(sequence(1, 100000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 100000)) AS b(y) "
            "CROSS JOIN UNNEST(sequence(1, 1000)) AS c(z)")
        assert running.wait(30)
        engine.stop_query_execution(qid)
    status = engine.get_query_execution(qid)["QueryExecution"]["Status"]
    assert status["State"] == "CANCELLED"
    engine.query_executor = lambda job: job()
    assert execution(engine, "SELECT 2 AS two")["Status"]["State"] == "SUCCEEDED"  # the connection still works


def test_workgroups_and_their_output_locations(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    engine.store.create_bucket("team-results")
    assert [g["Name"] for g in engine.list_work_groups()["WorkGroups"]] == ["primary"]
    engine.create_work_group("analysts", {"ResultConfiguration": {"OutputLocation": "s3://team-results/analysts"}},
                             "the analysts")
    engine.create_work_group("free", {"EnforceWorkGroupConfiguration": False}, "no location of its own")
    group = engine.get_work_group("analysts")["WorkGroup"]
    assert group["State"] == "ENABLED" and group["Configuration"]["EnforceWorkGroupConfiguration"] is True
    assert [g["Name"] for g in engine.list_work_groups()["WorkGroups"]] == ["analysts", "free", "primary"]
    with pytest.raises(InvalidRequestException, match="already created"):
        engine.create_work_group("analysts")
    with pytest.raises(InvalidRequestException, match="is not found"):
        engine.start_query_execution("SELECT 1", work_group="nope")
    elsewhere = {"OutputLocation": "s3://team-results/mine/"}
    enforced = execution(engine, "SELECT 1", work_group="analysts", result_configuration=elsewhere)
    assert enforced["ResultConfiguration"]["OutputLocation"].startswith("s3://team-results/analysts/")
    assert (athena_home.path / "team-results" / "analysts" / f"{enforced['QueryExecutionId']}.csv").is_file()
    with pytest.raises(InvalidRequestException, match="No output location provided"):
        engine.start_query_execution("SELECT 1", work_group="free")
    client = execution(engine, "SELECT 1", work_group="free", result_configuration=elsewhere)
    assert client["ResultConfiguration"]["OutputLocation"].startswith("s3://team-results/mine/")
    missing = execution(engine, "SELECT 1", result_configuration={"OutputLocation": "s3://no-such-bucket/"})
    assert missing["Status"]["StateChangeReason"].startswith("INVALID_OUTPUT_LOCATION")
    assert engine.list_query_executions("analysts")["QueryExecutionIds"] == [enforced["QueryExecutionId"]]
    assert enforced["QueryExecutionId"] not in engine.list_query_executions()["QueryExecutionIds"]


def test_named_queries_include_the_saved_queries(engine: DuckDBQueryEngine) -> None:
    listed = engine.list_named_queries()["NamedQueryIds"]
    saved = saved_queries()
    assert listed == [saved_query_id(name) for name in saved]
    top = engine.get_named_query(saved_query_id("top_departments"))["NamedQuery"]
    assert (top["Name"], top["QueryString"], top["WorkGroup"]) == ("top_departments", saved["top_departments"].sql,
                                                                   "primary")
    token = uuid.uuid4().hex
    created = engine.create_named_query("events by year", "SELECT year, count(*) FROM events GROUP BY year",
                                        "vancouver_311", "counts", client_request_token=token)
    assert engine.create_named_query("events by year", "SELECT year, count(*) FROM events GROUP BY year",
                                     "vancouver_311", "counts", client_request_token=token) == created
    assert engine.list_named_queries()["NamedQueryIds"][-1] == created
    engine.create_work_group("other")
    engine.create_named_query("elsewhere", "SELECT 1", "vancouver_311", work_group="other")
    assert len(engine.list_named_queries("other")["NamedQueryIds"]) == 1
    unknown = str(uuid.uuid4())
    batch = engine.batch_get_named_query([created, unknown])
    assert [q["Name"] for q in batch["NamedQueries"]] == ["events by year"]
    assert batch["UnprocessedNamedQueryIds"][0]["NamedQueryId"] == unknown
    named = engine.get_named_query(created)["NamedQuery"]
    assert execution(engine, named["QueryString"])["Status"]["State"] == "SUCCEEDED"


def test_history_is_newest_first_and_survives_the_process(engine: DuckDBQueryEngine, athena_home: AthenaHome) -> None:
    ids = [engine.start_query_execution(f"SELECT {n} AS n") for n in range(3)]
    assert engine.list_query_executions()["QueryExecutionIds"] == ids[::-1]
    first_page = engine.list_query_executions(max_results=2)
    assert first_page["QueryExecutionIds"] == ids[:0:-1]
    assert engine.list_query_executions(next_token=first_page["NextToken"])["QueryExecutionIds"] == [ids[0]]
    later = platform_for(athena_home.path).engine  # another process, the same home
    assert later.list_query_executions()["QueryExecutionIds"] == ids[::-1]
    assert later.get_query_results(ids[1])["ResultSet"]["Rows"][1]["Data"] == [{"VarCharValue": "1"}]
    unknown = str(uuid.uuid4())
    batch = later.batch_get_query_execution([ids[0], unknown])
    assert [q["Query"] for q in batch["QueryExecutions"]] == ["SELECT 0 AS n"]
    assert batch["UnprocessedQueryExecutionIds"][0]["QueryExecutionId"] == unknown
    with pytest.raises(InvalidRequestException, match="1 to 50"):
        later.batch_get_query_execution([unknown] * 51)


def test_execution_parameters_are_literals_bound_in_order(engine: DuckDBQueryEngine) -> None:
    bound = execution(engine, "SELECT count(*) AS n FROM events WHERE year = ? AND name LIKE ? AND day >= ?",
                      execution_parameters=["2023", "'event 1%'", "DATE '2023-01-01'"])
    assert bound["ExecutionParameters"] == ["2023", "'event 1%'", "DATE '2023-01-01'"]
    rows = engine.get_query_results(bound["QueryExecutionId"])["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == "311"  # ids 1, 10-19, 100-199 and 1000-1199 of 0-1199
    wrong_count = execution(engine, "SELECT ? AS a", execution_parameters=["1", "2"])
    assert wrong_count["Status"]["StateChangeReason"].startswith("INVALID_PARAMETER_USAGE")
    not_literal = execution(engine, "SELECT ? AS a", execution_parameters=["1 + 1"])
    assert "is not a literal" in not_literal["Status"]["StateChangeReason"]


def test_explain_is_a_utility_statement(engine: DuckDBQueryEngine) -> None:
    explained = execution(engine, "EXPLAIN SELECT count(*) FROM events WHERE year = 2024")
    assert explained["Status"]["State"] == "SUCCEEDED", explained["Status"]
    assert (explained["StatementType"], explained["SubstatementType"]) == ("UTILITY", "EXPLAIN")
    rows = engine.get_query_results(explained["QueryExecutionId"])["ResultSet"]["Rows"]
    assert rows[0]["Data"] == [{"VarCharValue": "Query Plan"}] and len(rows) > 2


@pytest.mark.s3
def test_api_on_an_s3_endpoint(moto_endpoint: str, unique_bucket: str, athena_home: AthenaHome) -> None:
    from lakehouse.config import load_settings
    from lakehouse.platform import Platform

    prefix = unique_bucket[:20] + "-"
    platform = Platform(load_settings({"backend": "emulator", "endpoint_url": moto_endpoint, "bucket_prefix": prefix,
                                       "home": str(athena_home.path / "unused")}, environ={}))
    local = FileObjectStore(athena_home.path)
    platform.store.create_bucket(f"{prefix}curated")
    for info in local.list_objects_v2("curated"):
        platform.store.upload_file(local.local_path("curated", info.key), f"{prefix}curated", info.key)
    table = ObjectStoreCatalog(local, "catalog").get_table("vancouver_311", "events")
    table["StorageDescriptor"]["Location"] = f"s3://{prefix}curated/vancouver_311/events/"
    platform.catalog.create_database({"Name": "vancouver_311"})
    platform.catalog.create_table("vancouver_311", {k: v for k, v in table.items() if k in (
        "Name", "Description", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")})
    events = platform.catalog.get_table("vancouver_311", "events")
    platform.catalog.batch_create_partition("vancouver_311", "events",
                                            [partition_input(events, [str(year)]) for year in YEARS])
    engine = platform.engine
    done = execution(engine, "SELECT count(*) AS n FROM events WHERE year >= 2023")
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    assert done["Statistics"]["DataScannedInBytes"] == athena_home.year_bytes[2023] + athena_home.year_bytes[2024]
    assert done["ResultConfiguration"]["OutputLocation"].startswith(f"s3://{prefix}athena-results/")
    assert engine.get_query_results(done["QueryExecutionId"])["ResultSet"]["Rows"][1]["Data"] == [
        {"VarCharValue": "2400"}]
    refused = execution(engine, f"SELECT * FROM read_parquet('s3://{prefix}curated/vancouver_311/events/*/*')")
    assert refused["Status"]["StateChangeReason"].startswith("ACCESS_DENIED: table function read_parquet()")
    with pytest.raises(duckdb.PermissionException):
        engine.connection.execute(f"SELECT * FROM read_parquet('{moto_endpoint}/{prefix}curated/x.parquet')")


def test_data_scanned_reapplies_the_partition_filter_when_the_profile_cuts_the_file_list() -> None:
    root = "/lake/curated/t"
    files = {f"{root}/year={year}/part-{n}.parquet": year * 10 + n for year in (2022, 2023, 2024) for n in range(3)}
    table = TableFiles(root, files, {"year": "int"})
    listed = ", ".join(list(files)[3:8]) + ", ..."
    scan = {"operator_type": "TABLE_SCAN", "extra_info": {
        "Function": "READ_PARQUET", "File Filters": "(year >= 2023)", "Total Files Read": "6", "Filename(s)": listed}}
    profile = json.dumps({"children": [{"operator_type": "PROJECTION", "extra_info": {}, "children": [scan]}]})
    assert data_scanned(profile, [table]) == sum(size for name, size in files.items() if "2022" not in name)
    assert data_scanned(None, [table]) == sum(files.values())  # no profile: every file of the table
