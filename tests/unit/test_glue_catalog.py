from __future__ import annotations

from pathlib import Path

import pytest

from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.catalog.glue_shapes import PARQUET_SERDE, partition_input, table_input
from lakehouse.errors import AlreadyExistsException, EntityNotFoundException
from lakehouse.etl.models import ALL_TABLES as CURATED_TABLES


@pytest.fixture
def catalog(tmp_path: Path) -> ObjectStoreCatalog:
    return ObjectStoreCatalog(FileObjectStore(tmp_path), "catalog")


def inquiry_volume_input() -> dict:
    table = next(t for t in CURATED_TABLES if t.name == "inquiry_volume")
    return table_input(table.name, table.description, table.columns, table.partition_keys,
                       "s3://curated/vancouver_311/inquiry_volume/")


def test_table_has_the_contract_columns_in_glue_shape(catalog: ObjectStoreCatalog) -> None:
    catalog.create_database({"Name": "vancouver_311"})
    catalog.create_table("vancouver_311", inquiry_volume_input())
    table = catalog.get_table("vancouver_311", "inquiry_volume")
    columns = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [
        ("department", "string"), ("department_code", "string"), ("inquiry_type", "string"),
        ("channel", "string"), ("month_start", "date"), ("inquiries", "bigint"),
    ]
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [("year", "int")]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["classification"] == "parquet"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == PARQUET_SERDE
    assert table["DatabaseName"] == "vancouver_311" and table["VersionId"] == "1"


def test_catalog_is_durable_across_instances(tmp_path: Path) -> None:
    first = ObjectStoreCatalog(FileObjectStore(tmp_path), "catalog")
    first.create_database({"Name": "vancouver_311"})
    first.create_table("vancouver_311", inquiry_volume_input())
    second = ObjectStoreCatalog(FileObjectStore(tmp_path), "catalog")
    assert [t["Name"] for t in second.get_tables("vancouver_311")] == ["inquiry_volume"]


def test_update_table_bumps_version_and_keeps_create_time(catalog: ObjectStoreCatalog) -> None:
    catalog.create_database({"Name": "db"})
    catalog.create_table("db", inquiry_volume_input())
    created = catalog.get_table("db", "inquiry_volume")
    catalog.update_table("db", {**inquiry_volume_input(), "Description": "changed"})
    updated = catalog.get_table("db", "inquiry_volume")
    assert updated["VersionId"] == "2" and updated["Description"] == "changed"
    assert updated["CreateTime"] == created["CreateTime"]


def test_partitions_replace_by_values_and_sort(catalog: ObjectStoreCatalog) -> None:
    catalog.create_database({"Name": "db"})
    catalog.create_table("db", inquiry_volume_input())
    table = catalog.get_table("db", "inquiry_volume")
    catalog.batch_create_partition("db", "inquiry_volume", [partition_input(table, ["2024"]), partition_input(table, ["2023"])])
    catalog.batch_create_partition("db", "inquiry_volume", [partition_input(table, ["2024"])])
    partitions = catalog.get_partitions("db", "inquiry_volume")
    assert [p["Values"] for p in partitions] == [["2023"], ["2024"]]
    assert partitions[1]["StorageDescriptor"]["Location"] == "s3://curated/vancouver_311/inquiry_volume/year=2024/"
    catalog.batch_delete_partition("db", "inquiry_volume", [["2023"]])
    assert [p["Values"] for p in catalog.get_partitions("db", "inquiry_volume")] == [["2024"]]


def test_errors_keep_glue_names(catalog: ObjectStoreCatalog) -> None:
    with pytest.raises(EntityNotFoundException, match="EntityNotFoundException"):
        catalog.get_database("nope")
    catalog.create_database({"Name": "db"})
    with pytest.raises(AlreadyExistsException):
        catalog.create_database({"Name": "db"})
    with pytest.raises(EntityNotFoundException):
        catalog.get_table("db", "missing")
    catalog.create_table("db", inquiry_volume_input())
    with pytest.raises(AlreadyExistsException):
        catalog.create_table("db", inquiry_volume_input())
    catalog.delete_table("db", "inquiry_volume")
    assert catalog.get_tables("db") == []
