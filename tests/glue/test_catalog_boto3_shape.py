"""Our catalog's documents carry what boto3's Glue client returns (moto's Glue, over HTTP).

The same database, table, versions and partitions are created in moto's Glue through
boto3 and in our catalog, and the answers compared field by field. Differences that
remain on purpose: timestamps are ISO-8601 strings on our side (boto3 parses them into
datetimes); we set UpdateTime from the first version on (moto adds it from the
second); our partitions carry CatalogId as Glue's Partition structure has it (moto
leaves it out).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from glue_support import inquiry_volume_input, partition, year_month_input

from emulation.glue.models import ObjectStoreCatalog
from emulation.s3 import FileObjectStore
from lakehouse.catalog.glue_shapes import partition_input
from lakehouse.errors import InvalidInputException

pytestmark = pytest.mark.s3  # needs the moto server
TABLE_EXTRAS = {"UpdateTime"}
PARTITION_EXTRAS = {"CatalogId"}
SAME_VALUES = ("Name", "DatabaseName", "Description", "TableType", "Parameters", "PartitionKeys",
               "StorageDescriptor", "VersionId")


@pytest.fixture(scope="module")
def glue(moto_endpoint: str) -> Any:
    return boto3.client("glue", endpoint_url=moto_endpoint)


@pytest.fixture
def database(glue: Any) -> str:
    name = f"shape_{uuid.uuid4().hex[:10]}"  # moto's Glue lives as long as the session
    glue.create_database(DatabaseInput={"Name": name, "Description": "shape test"})
    return name


@pytest.fixture
def ours(tmp_path: Path, database: str) -> ObjectStoreCatalog:
    catalog = ObjectStoreCatalog(FileObjectStore(tmp_path), "catalog")
    catalog.create_database({"Name": database, "Description": "shape test"})
    return catalog


@pytest.fixture
def inquiry_volume(glue: Any, ours: ObjectStoreCatalog, database: str) -> str:
    """inquiry_volume in both catalogs: created, two partitions, then updated once."""
    table = inquiry_volume_input()  # lakehouse.catalog.glue_shapes.table_input: moto must accept it
    glue.create_table(DatabaseName=database, TableInput=table)
    ours.create_table(database, table)
    document = ours.get_table(database, "inquiry_volume")
    partitions = [partition_input(document, [year]) for year in ("2023", "2024")]
    assert glue.batch_create_partition(DatabaseName=database, TableName="inquiry_volume",
                                       PartitionInputList=partitions).get("Errors", []) == []
    assert ours.batch_create_partition(database, "inquiry_volume", partitions) == {"Errors": []}
    changed = {**table, "Parameters": {**table["Parameters"], "snapshot": "s2"}}
    glue.update_table(DatabaseName=database, TableInput=changed)
    ours.update_table(database, changed)
    return "inquiry_volume"


def assert_same_table(theirs: dict[str, Any], mine: dict[str, Any], extras: set[str]) -> None:
    assert set(theirs) <= set(mine), f"missing: {set(theirs) - set(mine)}"
    assert set(mine) - set(theirs) <= extras
    for field in SAME_VALUES:
        assert mine.get(field) == theirs.get(field), field
    assert isinstance(theirs["CreateTime"], datetime)
    datetime.fromisoformat(mine["CreateTime"])  # ISO-8601 on our side


def test_database_has_boto3_fields(glue: Any, ours: ObjectStoreCatalog, database: str) -> None:
    theirs = glue.get_database(Name=database)["Database"]
    mine = ours.get_database(database)
    assert set(mine) == set(theirs)
    assert (mine["Name"], mine["Description"]) == (theirs["Name"], theirs["Description"])


def test_get_table_has_boto3_fields(glue: Any, ours: ObjectStoreCatalog, database: str, inquiry_volume: str) -> None:
    theirs = glue.get_table(DatabaseName=database, Name=inquiry_volume)["Table"]
    mine = ours.get_table(database, inquiry_volume)
    assert_same_table(theirs, mine, set())  # after an update moto has UpdateTime too
    assert mine["VersionId"] == theirs["VersionId"] == "2"


def test_first_version_differs_only_by_update_time(glue: Any, ours: ObjectStoreCatalog, database: str) -> None:
    glue.create_table(DatabaseName=database, TableInput=year_month_input())
    ours.create_table(database, year_month_input())
    theirs = glue.get_table(DatabaseName=database, Name="events")["Table"]
    assert_same_table(theirs, ours.get_table(database, "events"), TABLE_EXTRAS)


def test_get_table_versions_have_boto3_fields(
    glue: Any, ours: ObjectStoreCatalog, database: str, inquiry_volume: str
) -> None:
    theirs = glue.get_table_versions(DatabaseName=database, TableName=inquiry_volume)["TableVersions"]
    mine = ours.get_table_versions(database, inquiry_volume)
    assert [v["VersionId"] for v in mine] == ["2", "1"]  # newest first
    theirs = sorted(theirs, key=lambda v: int(v["VersionId"]), reverse=True)  # moto lists oldest first
    assert [set(v) for v in mine] == [set(v) for v in theirs] == [{"Table", "VersionId"}] * 2
    for their, my in zip(theirs, mine, strict=True):
        assert my["VersionId"] == their["VersionId"]
        assert_same_table(their["Table"], my["Table"], TABLE_EXTRAS)
    one = glue.get_table_version(DatabaseName=database, TableName=inquiry_volume, VersionId="1")["TableVersion"]
    assert set(one) == set(ours.get_table_version(database, inquiry_volume, "1"))


def test_get_partitions_have_boto3_fields(
    glue: Any, ours: ObjectStoreCatalog, database: str, inquiry_volume: str
) -> None:
    theirs = glue.get_partitions(DatabaseName=database, TableName=inquiry_volume)["Partitions"]
    mine = ours.get_partitions(database, inquiry_volume)
    assert sorted(p["Values"] for p in theirs) == [p["Values"] for p in mine] == [["2023"], ["2024"]]
    for their, my in zip(sorted(theirs, key=lambda p: p["Values"]), mine, strict=True):
        assert set(their) <= set(my) and set(my) - set(their) <= PARTITION_EXTRAS
        for field in ("Values", "DatabaseName", "TableName", "StorageDescriptor", "Parameters"):
            assert my[field] == their[field], field
        assert isinstance(their["CreationTime"], datetime)
        datetime.fromisoformat(my["CreationTime"])
    single = glue.get_partition(DatabaseName=database, TableName=inquiry_volume, PartitionValues=["2024"])
    assert set(single["Partition"]) <= set(ours.get_partition(database, inquiry_volume, ["2024"]))


# -- expressions against moto's independent implementation --------------------------

PARTITIONS = [("999", "05"), ("2022", "01"), ("2022", "12"), ("2023", "02"), ("2024", "01"), ("2024", "11")]
AGREED = [
    "year = 2023", "year = '2023'", "year < 2022", "year > 2023", "year <> 2024", "year BETWEEN 2022 AND 2023",
    "year NOT BETWEEN 2022 AND 2023", "year IN (999, 2024)", "year NOT IN (2022, 2023)", "month IN ('01', '11')",
    "month LIKE '1%'", "month NOT LIKE '0%'", "month LIKE '_1'", "year >= 2024 AND month < '05'",
    "month = '01' OR month = '12'", "(year = 2022 OR year = 2024) AND month = '01'", "year IS NOT NULL",
]
REFUSED = ["nokey = 1", "year = ", "year LIKE '2%'", "year = 'abc'"]


@pytest.fixture
def events(glue: Any, ours: ObjectStoreCatalog, database: str) -> str:
    table = year_month_input()
    glue.create_table(DatabaseName=database, TableInput=table)
    ours.create_table(database, table)
    batch = [partition(table, *values) for values in PARTITIONS]
    glue.batch_create_partition(DatabaseName=database, TableName="events", PartitionInputList=batch)
    ours.batch_create_partition(database, "events", batch)
    return "events"


def test_expressions_select_what_moto_selects(glue: Any, ours: ObjectStoreCatalog, database: str, events: str) -> None:
    for expression in AGREED:
        theirs = glue.get_partitions(DatabaseName=database, TableName=events, Expression=expression)["Partitions"]
        mine = ours.get_partitions(database, events, expression)
        assert sorted(p["Values"] for p in mine) == sorted(p["Values"] for p in theirs), expression


def test_expressions_moto_refuses_we_refuse(glue: Any, ours: ObjectStoreCatalog, database: str, events: str) -> None:
    for expression in REFUSED:
        with pytest.raises(ClientError) as caught:
            glue.get_partitions(DatabaseName=database, TableName=events, Expression=expression)
        assert caught.value.response["Error"]["Code"] == "InvalidInputException"
        with pytest.raises(InvalidInputException):
            ours.get_partitions(database, events, expression)
