"""Table versions (Glue's VersionId and optimistic lock), databases, and partition operations."""

from __future__ import annotations

import pytest
from glue_support import DATABASE, inquiry_volume_input, partition, year_month_input

from emulation.glue import models
from emulation.glue.models import ObjectStoreCatalog
from emulation.glue.versions import VersionedDocument
from lakehouse.errors import (
    AlreadyExistsException, ConcurrentModificationException, EntityNotFoundException, InvalidInputException,
    PreconditionFailed,
)

TABLE = "inquiry_volume"


def test_versions_newest_first_in_glue_shape(catalog: ObjectStoreCatalog) -> None:
    catalog.create_table(DATABASE, inquiry_volume_input())
    catalog.update_table(DATABASE, {**inquiry_volume_input(), "Description": "second"})
    catalog.update_table(DATABASE, {**inquiry_volume_input(), "Description": "third"}, version_id="2")
    versions = catalog.get_table_versions(DATABASE, TABLE)
    assert [v["VersionId"] for v in versions] == ["3", "2", "1"]
    assert all(set(v) == {"Table", "VersionId"} and v["Table"]["VersionId"] == v["VersionId"] for v in versions)
    assert [v["Table"]["Description"] for v in versions[:2]] == ["third", "second"]
    assert len({v["Table"]["CreateTime"] for v in versions}) == 1  # CreateTime is the table's, not the version's
    assert catalog.get_table(DATABASE, TABLE) == versions[0]["Table"]
    assert catalog.get_table_version(DATABASE, TABLE, "2") == versions[1]
    assert catalog.get_table_version(DATABASE, TABLE) == versions[0]


def test_stale_version_id_is_a_concurrent_modification(catalog: ObjectStoreCatalog) -> None:
    catalog.create_table(DATABASE, inquiry_volume_input())
    seen = catalog.get_table(DATABASE, TABLE)["VersionId"]
    catalog.update_table(DATABASE, {**inquiry_volume_input(), "Description": "someone else"}, version_id=seen)
    with pytest.raises(ConcurrentModificationException, match=r"version 1 is not the latest \(2\)") as caught:
        catalog.update_table(DATABASE, {**inquiry_volume_input(), "Description": "mine"}, version_id=seen)
    assert "\n" not in str(caught.value)
    assert catalog.get_table(DATABASE, TABLE)["Description"] == "someone else"
    assert [v["VersionId"] for v in catalog.get_table_versions(DATABASE, TABLE)] == ["2", "1"]


def test_update_errors(catalog: ObjectStoreCatalog) -> None:
    with pytest.raises(EntityNotFoundException, match="table vancouver_311.inquiry_volume not found"):
        catalog.update_table(DATABASE, inquiry_volume_input(), version_id="1")
    with pytest.raises(EntityNotFoundException, match="database nope not found"):
        catalog.update_table("nope", inquiry_volume_input())
    catalog.create_table(DATABASE, inquiry_volume_input())
    with pytest.raises(InvalidInputException, match="VersionId"):
        catalog.update_table(DATABASE, inquiry_volume_input(), version_id="latest")
    with pytest.raises(InvalidInputException, match="not a valid Glue name"):
        catalog.create_table(DATABASE, {**inquiry_volume_input(), "Name": "../escape"})


def test_a_table_passed_back_as_input_gets_a_fresh_version(catalog: ObjectStoreCatalog) -> None:
    catalog.create_table(DATABASE, inquiry_volume_input())
    table = catalog.get_table(DATABASE, TABLE)
    catalog.update_table(DATABASE, {**table, "Description": "edited"}, version_id=table["VersionId"])
    updated = catalog.get_table(DATABASE, TABLE)
    assert updated["VersionId"] == "2" and updated["UpdateTime"] >= table["UpdateTime"]


def test_table_version_errors_and_delete_table_version(catalog: ObjectStoreCatalog) -> None:
    catalog.create_table(DATABASE, inquiry_volume_input())
    catalog.update_table(DATABASE, inquiry_volume_input())
    with pytest.raises(EntityNotFoundException, match="version 7"):
        catalog.get_table_version(DATABASE, TABLE, "7")
    with pytest.raises(InvalidInputException, match="current version"):
        catalog.delete_table_version(DATABASE, TABLE, "2")
    catalog.delete_table_version(DATABASE, TABLE, "1")
    assert [v["VersionId"] for v in catalog.get_table_versions(DATABASE, TABLE)] == ["2"]
    with pytest.raises(EntityNotFoundException):
        catalog.get_table_version(DATABASE, TABLE, "1")
    catalog.update_table(DATABASE, inquiry_volume_input())  # a deleted number is never reused
    assert [v["VersionId"] for v in catalog.get_table_versions(DATABASE, TABLE)] == ["3", "2"]


def test_old_versions_are_pruned_beyond_the_limit(catalog: ObjectStoreCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "TABLE_VERSIONS_KEPT", 5)
    catalog.create_table(DATABASE, inquiry_volume_input())
    for n in range(2, 31):
        catalog.update_table(DATABASE, {**inquiry_volume_input(), "Description": f"v{n}"})
    numbers = [int(v["VersionId"]) for v in catalog.get_table_versions(DATABASE, TABLE)]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == 30
    assert 5 <= len(numbers) < 5 + 10  # pruned every tenth version, down to the newest 5
    with pytest.raises(AlreadyExistsException):  # version 1 is gone, the table is not
        catalog.create_table(DATABASE, inquiry_volume_input())


def test_a_write_below_the_pruning_floor_is_undone(catalog: ObjectStoreCatalog) -> None:
    versions = VersionedDocument(catalog.store, catalog.bucket, "docs/d/", keep=3)
    for n in range(1, 21):
        assert versions.create(n, {"n": n})
    assert versions.numbers()[0] > 1
    # A writer that read version 1 long ago and only now creates version 2 (pruned since):
    assert versions.create(2, {"stale": True}) is False
    assert 2 not in versions.numbers() and versions.latest() == (20, {"n": 20})


def test_create_recognises_its_own_retried_write(
    catalog: ObjectStoreCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first attempt of a conditional put lands, its response is lost, the retry gets 412.
    store = catalog.store
    put = store.put_object

    def lost_response(bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> object:
        put(bucket, key, body, if_none_match=if_none_match)
        if if_none_match:
            raise PreconditionFailed("PreconditionFailed: retried request")
        return None

    versions = VersionedDocument(store, catalog.bucket, "docs/e/", keep=10)
    monkeypatch.setattr(store, "put_object", lost_response)
    assert versions.create(1, {"mine": 1}) is True
    monkeypatch.undo()
    assert versions.create(1, {"mine": 1}) is False  # the same document from another writer lost
    assert versions.latest() == (1, {"mine": 1})


def test_delete_table_removes_versions_and_partitions(catalog: ObjectStoreCatalog) -> None:
    table = year_month_input()
    catalog.create_table(DATABASE, table)
    catalog.update_table(DATABASE, table)
    catalog.batch_create_partition(DATABASE, "events", [partition(table, "2024", "01")])
    catalog.delete_table(DATABASE, "events")
    with pytest.raises(EntityNotFoundException):
        catalog.get_table_versions(DATABASE, "events")
    assert list(catalog.store.list_objects_v2(catalog.bucket, f"databases/{DATABASE}/partitions/")) == []
    catalog.create_table(DATABASE, table)
    assert catalog.get_table(DATABASE, "events")["VersionId"] == "1"
    assert catalog.get_partitions(DATABASE, "events") == []


def test_databases(catalog: ObjectStoreCatalog) -> None:
    with pytest.raises(AlreadyExistsException, match="database vancouver_311 already exists"):
        catalog.create_database({"Name": DATABASE})
    catalog.create_database({"Name": "other", "Description": "d"})
    assert [d["Name"] for d in catalog.get_databases()] == ["other", DATABASE]
    assert set(catalog.get_database("other")) == {"Name", "Description", "CreateTime", "CatalogId"}
    catalog.create_table("other", year_month_input())
    catalog.delete_database("other")
    assert [d["Name"] for d in catalog.get_databases()] == [DATABASE]
    with pytest.raises(EntityNotFoundException, match="database other not found"):
        catalog.get_table("other", "events")
    catalog.create_database({"Name": "other"})
    assert catalog.get_tables("other") == []


def test_partition_operations(catalog: ObjectStoreCatalog) -> None:
    table = year_month_input()
    catalog.create_table(DATABASE, table)
    catalog.create_partition(DATABASE, "events", partition(table, "2024", "01"))
    with pytest.raises(AlreadyExistsException, match=r"\['2024', '01'\]"):
        catalog.create_partition(DATABASE, "events", partition(table, "2024", "01"))
    got = catalog.get_partition(DATABASE, "events", ["2024", "01"])
    assert got["StorageDescriptor"]["Location"] == "s3://curated/events/year=2024/month=01/"
    assert (got["DatabaseName"], got["TableName"]) == (DATABASE, "events")

    catalog.update_partition(DATABASE, "events", ["2024", "01"], partition(table, "2024", "02"))
    moved = catalog.get_partition(DATABASE, "events", ["2024", "02"])
    assert moved["CreationTime"] == got["CreationTime"]
    with pytest.raises(EntityNotFoundException, match="partition"):
        catalog.get_partition(DATABASE, "events", ["2024", "01"])
    with pytest.raises(EntityNotFoundException):
        catalog.update_partition(DATABASE, "events", ["2024", "01"], partition(table, "2024", "03"))

    catalog.batch_create_partition(DATABASE, "events", [partition(table, "2023", m) for m in ("01", "02")])
    result = catalog.batch_delete_partition(DATABASE, "events", [{"Values": ["2023", "01"]}, ["1999", "12"]])
    assert result == {"Errors": [{"PartitionValues": ["1999", "12"], "ErrorDetail": {
        "ErrorCode": "EntityNotFoundException", "ErrorMessage": "Partition not found"}}]}
    catalog.delete_partition(DATABASE, "events", ["2023", "02"])
    with pytest.raises(EntityNotFoundException):
        catalog.delete_partition(DATABASE, "events", ["2023", "02"])
    assert [p["Values"] for p in catalog.get_partitions(DATABASE, "events")] == [["2024", "02"]]


def test_partition_values_must_match_the_keys(catalog: ObjectStoreCatalog) -> None:
    table = year_month_input()
    catalog.create_table(DATABASE, table)
    for values in (["2024"], ["2024", "01", "x"], [2024, "01"]):
        with pytest.raises(InvalidInputException, match="one per partition key"):
            catalog.batch_create_partition(DATABASE, "events", [{**partition(table, "2024", "01"), "Values": values}])
    with pytest.raises(EntityNotFoundException, match="table vancouver_311.missing not found"):
        catalog.batch_create_partition(DATABASE, "missing", [partition(table, "2024", "01")])


def test_re_registering_identical_partitions_writes_no_version(catalog: ObjectStoreCatalog) -> None:
    table = year_month_input()
    catalog.create_table(DATABASE, table)
    batch = [partition(table, "2024", m) for m in ("01", "02")]
    catalog.batch_create_partition(DATABASE, "events", batch)
    first = catalog.get_partitions(DATABASE, "events")
    catalog.batch_create_partition(DATABASE, "events", batch)
    assert catalog.partition_versions(DATABASE, "events").numbers() == [1]
    changed = {**batch[0], "Parameters": {"rows": "10"}}
    catalog.batch_create_partition(DATABASE, "events", [changed])
    after = catalog.get_partitions(DATABASE, "events")
    assert after[0]["Parameters"] == {"rows": "10"} and after[0]["CreationTime"] == first[0]["CreationTime"]
    assert catalog.partition_versions(DATABASE, "events").numbers() == [1, 2]
