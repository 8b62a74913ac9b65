"""PyAthena and awswrangler, unchanged, pointed at the emulator with AWS_ENDPOINT_URL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from emulator_support import RunningEmulator


@pytest.fixture
def endpoint_environment(running_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """What a user exports: the endpoint and dummy credentials, nothing else."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", running_emulator.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"clients-{uuid.uuid4().hex[:8]}"
    running_emulator.client("s3").create_bucket(Bucket=bucket)
    yield bucket


def test_awswrangler_writes_a_dataset_and_reads_it_back_through_athena(endpoint_environment: str) -> None:
    import awswrangler as wr
    import pandas as pd

    bucket, database = endpoint_environment, f"wr_{uuid.uuid4().hex[:8]}"
    wr.catalog.create_database(database)
    frame = pd.DataFrame({"department": ["Parks", "Streets", "Parks", "Water"], "inquiries": [3, 5, 4, 1],
                          "year": [2023, 2023, 2024, 2024]})
    wr.s3.to_parquet(frame, path=f"s3://{bucket}/volume/", dataset=True, database=database, table="volume",
                     partition_cols=["year"])
    assert sorted(wr.catalog.get_partitions(database=database, table="volume").values()) == [["2023"], ["2024"]]
    sql = "SELECT department, sum(inquiries) AS total FROM volume GROUP BY department ORDER BY department"
    expected = {"department": ["Parks", "Streets", "Water"], "total": [7, 5, 1]}
    # The default (CTAS: Parquet files listed in the execution's manifest) and the plain CSV result.
    for ctas_approach in (True, False):
        answer = wr.athena.read_sql_query(sql, database=database, s3_output=f"s3://{bucket}/results/",
                                          ctas_approach=ctas_approach)
        assert answer.to_dict(orient="list") == expected, f"ctas_approach={ctas_approach}"


def test_pyathena_runs_a_parameterised_query(endpoint_environment: str, running_emulator: RunningEmulator) -> None:
    from pyathena import connect

    bucket, database = endpoint_environment, f"pa_{uuid.uuid4().hex[:8]}"
    s3, glue = running_emulator.client("s3"), running_emulator.client("glue")
    s3.put_object(Bucket=bucket, Key="channels/part-0.csv", Body=b"channel,calls\nphone,12\nweb,7\nchat,3\n")
    glue.create_database(DatabaseInput={"Name": database})
    glue.create_table(DatabaseName=database, TableInput={
        "Name": "channels", "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
        "StorageDescriptor": {"Columns": [{"Name": "channel", "Type": "string"}, {"Name": "calls", "Type": "bigint"}],
                              "Location": f"s3://{bucket}/channels/",
                              "SerdeInfo": {"SerializationLibrary":
                                                "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                                            "Parameters": {"field.delim": ","}}},
    })
    cursor = connect(s3_staging_dir=f"s3://{bucket}/pyathena/", region_name="us-east-1",
                     schema_name=database).cursor()
    cursor.execute("SELECT channel, calls FROM channels WHERE calls > %(least)d ORDER BY calls DESC", {"least": 5})
    assert cursor.fetchall() == [("phone", 12), ("web", 7)]
    assert [(column[0], column[1]) for column in cursor.description] == [("channel", "varchar"), ("calls", "bigint")]
