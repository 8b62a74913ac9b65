"""boto3's s3, glue and athena clients, unchanged, against `lakehouse emulator start`."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emulator_support import RunningEmulator

CSV = b"id,name,amount\n1,alpha,7\n2,beta,2\n3,gamma,9\n4,delta,4\n"


def _name(stem: str) -> str:
    return f"{stem}_{uuid.uuid4().hex[:8]}"


def _csv_table(glue: Any, database: str, table: str, location: str) -> None:
    glue.create_table(DatabaseName=database, TableInput={
        "Name": table, "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"},
                        {"Name": "amount", "Type": "bigint"}],
            "Location": location,
            "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                          "Parameters": {"field.delim": ","}},
        },
    })


def _athena_rows(athena: Any, sql: str, database: str, output: str) -> list[list[str | None]]:
    query_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": database},
        ResultConfiguration={"OutputLocation": output})["QueryExecutionId"]
    status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert status["State"] == "SUCCEEDED", status
    rows = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        rows += [[cell.get("VarCharValue") for cell in row["Data"]] for row in page["ResultSet"]["Rows"]]
    return rows


@pytest.fixture(scope="module")
def loaded(running_emulator: RunningEmulator) -> dict[str, str]:
    """A bucket with a CSV, and a Glue table over it."""
    bucket, database = f"data-{uuid.uuid4().hex[:8]}", _name("db")
    s3, glue = running_emulator.client("s3"), running_emulator.client("glue")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="people/part-0.csv", Body=CSV)
    glue.create_database(DatabaseInput={"Name": database, "Description": "emulator test"})
    _csv_table(glue, database, "people", f"s3://{bucket}/people/")
    return {"bucket": bucket, "database": database, "output": f"s3://{bucket}/athena-results/"}


def test_s3_round_trip_and_listing(running_emulator: RunningEmulator, loaded: dict[str, str]) -> None:
    s3 = running_emulator.client("s3")
    assert s3.get_object(Bucket=loaded["bucket"], Key="people/part-0.csv")["Body"].read() == CSV
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=loaded["bucket"], Prefix="people/")["Contents"]]
    assert keys == ["people/part-0.csv"]


def test_glue_catalog_operations_answer_in_glues_shapes(running_emulator: RunningEmulator,
                                                        loaded: dict[str, str]) -> None:
    glue = running_emulator.client("glue")
    table = glue.get_table(DatabaseName=loaded["database"], Name="people")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "name", "amount"]
    assert table["DatabaseName"] == loaded["database"]
    names = [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    assert loaded["database"] in names
    assert [t["Name"] for t in glue.get_tables(DatabaseName=loaded["database"])["TableList"]] == ["people"]


def test_glue_errors_carry_awss_codes(running_emulator: RunningEmulator, loaded: dict[str, str]) -> None:
    glue = running_emulator.client("glue")
    with pytest.raises(ClientError) as missing:
        glue.get_table(DatabaseName=loaded["database"], Name="nobody")
    assert missing.value.response["Error"]["Code"] == "EntityNotFoundException"
    with pytest.raises(ClientError) as duplicate:
        glue.create_database(DatabaseInput={"Name": loaded["database"]})
    assert duplicate.value.response["Error"]["Code"] == "AlreadyExistsException"


def test_an_unsupported_operation_is_named_in_awss_error_shape(running_emulator: RunningEmulator) -> None:
    with pytest.raises(ClientError) as glue_error:
        running_emulator.client("glue").list_schemas()
    assert glue_error.value.response["Error"]["Code"] == "UnknownOperationException"
    assert "ListSchemas" in glue_error.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as athena_error:
        running_emulator.client("athena").list_prepared_statements(WorkGroup="primary")
    assert "ListPreparedStatements" in athena_error.value.response["Error"]["Message"]


def test_athena_runs_the_query_with_athenas_semantics(running_emulator: RunningEmulator,
                                                      loaded: dict[str, str]) -> None:
    # amount / id between two bigint columns truncates in Athena (7/1, 2/2, 9/3, 4/4).
    rows = _athena_rows(running_emulator.client("athena"),
                        "SELECT name, amount / id AS ratio FROM people WHERE amount > 3 ORDER BY id",
                        loaded["database"], loaded["output"])
    assert rows == [["name", "ratio"], ["alpha", "7"], ["gamma", "3"], ["delta", "1"]]


def test_athena_writes_results_and_metadata_to_the_output_location(running_emulator: RunningEmulator,
                                                                   loaded: dict[str, str]) -> None:
    athena, s3 = running_emulator.client("athena"), running_emulator.client("s3")
    query_id = athena.start_query_execution(
        QueryString="SELECT count(*) AS n FROM people", QueryExecutionContext={"Database": loaded["database"]},
        ResultConfiguration={"OutputLocation": loaded["output"]})["QueryExecutionId"]
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    location = execution["ResultConfiguration"]["OutputLocation"]
    assert location == f"{loaded['output']}{query_id}.csv"
    body = s3.get_object(Bucket=loaded["bucket"], Key=f"athena-results/{query_id}.csv")["Body"].read()
    assert body.decode().splitlines() == ['"n"', '"4"']
    s3.head_object(Bucket=loaded["bucket"], Key=f"athena-results/{query_id}.csv.metadata")


def test_athena_reports_a_failed_query_as_failed(running_emulator: RunningEmulator, loaded: dict[str, str]) -> None:
    athena = running_emulator.client("athena")
    query_id = athena.start_query_execution(
        QueryString="SELECT * FROM no_such_table", QueryExecutionContext={"Database": loaded["database"]},
        ResultConfiguration={"OutputLocation": loaded["output"]})["QueryExecutionId"]
    status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert status["State"] == "FAILED"
    assert "no_such_table" in status["StateChangeReason"]


def test_athena_metadata_operations_read_the_glue_catalog(running_emulator: RunningEmulator,
                                                          loaded: dict[str, str]) -> None:
    athena = running_emulator.client("athena")
    metadata = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=loaded["database"],
                                         TableName="people")["TableMetadata"]
    assert [(c["Name"], c["Type"]) for c in metadata["Columns"]] == [
        ("id", "bigint"), ("name", "string"), ("amount", "bigint")]
    databases = [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
    assert loaded["database"] in databases


def test_partitions_page_through_get_partitions(running_emulator: RunningEmulator, loaded: dict[str, str]) -> None:
    glue = running_emulator.client("glue")
    database, table = loaded["database"], "events"
    glue.create_table(DatabaseName=database, TableInput={
        "Name": table, "PartitionKeys": [{"Name": "day", "Type": "int"}],
        "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "bigint"}],
                              "Location": f"s3://{loaded['bucket']}/events/"},
    })
    inputs = [{"Values": [str(day)], "StorageDescriptor": {
        "Columns": [{"Name": "x", "Type": "bigint"}], "Location": f"s3://{loaded['bucket']}/events/day={day}/"}}
        for day in range(1, 121)]
    for start in range(0, len(inputs), 100):
        assert glue.batch_create_partition(DatabaseName=database, TableName=table,
                                           PartitionInputList=inputs[start:start + 100])["Errors"] == []
    pages = list(glue.get_paginator("get_partitions").paginate(
        DatabaseName=database, TableName=table, PaginationConfig={"PageSize": 50}))
    assert [len(page["Partitions"]) for page in pages] == [50, 50, 20]
    selected = glue.get_partitions(DatabaseName=database, TableName=table, Expression="day > 115")["Partitions"]
    assert sorted(int(p["Values"][0]) for p in selected) == [116, 117, 118, 119, 120]


def test_a_crawler_created_and_started_through_boto3_creates_the_table(running_emulator: RunningEmulator,
                                                                      loaded: dict[str, str]) -> None:
    glue, s3 = running_emulator.client("glue"), running_emulator.client("s3")
    for year in (2023, 2024):
        s3.put_object(Bucket=loaded["bucket"], Key=f"crawled/visits/year={year}/part-0.csv",
                      Body=b"site,visits\nnorth,3\nsouth,5\n")
    crawler = _name("crawler")
    glue.create_crawler(Name=crawler, Role="arn:aws:iam::000000000000:role/glue", DatabaseName=loaded["database"],
                        Targets={"S3Targets": [{"Path": f"s3://{loaded['bucket']}/crawled/"}]})
    glue.start_crawler(Name=crawler)
    assert glue.get_crawler(Name=crawler)["Crawler"]["LastCrawl"]["Status"] == "SUCCEEDED"
    table = glue.get_table(DatabaseName=loaded["database"], Name="visits")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year"]
    partitions = glue.get_partitions(DatabaseName=loaded["database"], TableName="visits")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == ["2023", "2024"]


def test_health_says_where_it_listens(running_emulator: RunningEmulator) -> None:
    import json
    import urllib.request

    assert running_emulator.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{running_emulator.url}/_lakehouse/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "running" and health["persistent"] is False


def test_ctas_lists_its_data_files_in_the_manifest(running_emulator: RunningEmulator, loaded: dict[str, str]) -> None:
    athena, s3 = running_emulator.client("athena"), running_emulator.client("s3")
    target = f"s3://{loaded['bucket']}/ctas/big_amounts/"
    query_id = athena.start_query_execution(
        QueryString=f"CREATE TABLE big_amounts WITH (format = 'PARQUET', external_location = '{target}') "
                    "AS SELECT name, amount FROM people WHERE amount > 3",
        QueryExecutionContext={"Database": loaded["database"]},
        ResultConfiguration={"OutputLocation": loaded["output"]})["QueryExecutionId"]
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"{loaded['output']}{query_id}-manifest.csv"
    listed = s3.get_object(Bucket=loaded["bucket"], Key=manifest.split("/", 3)[3])["Body"].read().decode().split()
    stored = [f"s3://{loaded['bucket']}/{item['Key']}"
              for item in s3.list_objects_v2(Bucket=loaded["bucket"], Prefix="ctas/big_amounts/")["Contents"]]
    assert listed and sorted(listed) == sorted(stored)


def test_sql_cannot_write_into_the_emulators_own_state(running_emulator: RunningEmulator,
                                                       loaded: dict[str, str]) -> None:
    athena = running_emulator.client("athena")
    query_id = athena.start_query_execution(
        QueryString="CREATE TABLE hijack WITH (external_location = 's3://catalog/glue/') AS SELECT 1 AS x",
        QueryExecutionContext={"Database": loaded["database"]},
        ResultConfiguration={"OutputLocation": loaded["output"]})["QueryExecutionId"]
    status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert status["State"] == "FAILED"
    assert "catalog's own state" in status["StateChangeReason"]
