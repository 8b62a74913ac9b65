"""The Glue crawler emulation: tables and partitions inferred from files, kept in step on re-crawls."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest

from cloud.s3.store import S3ObjectStore
from emulation.glue.crawler import Crawler, CrawlerSchemaError, CrawlResult, InvalidInputException
from emulation.glue.crawler_schema import csv_schema, glue_type, infer_type
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.errors import EntityNotFoundException, TerminalError
from lakehouse.ports.object_store import ObjectStore

# The real City of Vancouver export (semicolons, a UTF-8 BOM, CRLF line ends).
BUNDLED = Path(__file__).parents[2] / "lakehouse" / "datasets" / "bundled"
FIXTURE_CSV = BUNDLED / "contact-centre-metrics_export-2024-09.csv"
DB = "crawled"


@dataclass
class Lake:
    store: ObjectStore
    bucket: str
    catalog: ObjectStoreCatalog

    def put(self, key: str, body: bytes) -> None:
        self.store.put_object(self.bucket, key, body)

    def put_parquet(self, key: str, frame: pl.DataFrame) -> None:
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        self.put(key, buffer.getvalue())

    def crawl(self, path: str = "sales/", **definition: Any) -> CrawlResult:
        document = {"Name": "test-crawler", "DatabaseName": DB,
                    "Targets": {"S3Targets": [{"Path": f"s3://{self.bucket}/{path}"}]}, **definition}
        return Crawler(self.store, self.catalog).start_crawler(document)

    def table(self, name: str) -> dict[str, Any]:
        return self.catalog.get_table(DB, name)

    def columns(self, name: str) -> list[tuple[str, str]]:
        return [(c["Name"], c["Type"]) for c in self.table(name)["StorageDescriptor"]["Columns"]]

    def partitions(self, name: str) -> dict[tuple[str, ...], dict[str, Any]]:
        return {tuple(p["Values"]): p for p in self.catalog.get_partitions(DB, name)}


def _lake(store: ObjectStore, bucket: str) -> Lake:
    store.create_bucket(bucket)
    return Lake(store, bucket, ObjectStoreCatalog(store, f"{bucket}-catalog"))


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.s3)])
def lake(request: pytest.FixtureRequest, tmp_path: Path, unique_bucket: str) -> Lake:
    """The same lake on local folders and on moto's S3."""
    if request.param == "file":
        return _lake(FileObjectStore(tmp_path / "store"), unique_bucket)
    return _lake(S3ObjectStore(endpoint_url=request.getfixturevalue("moto_endpoint")), unique_bucket)


@pytest.fixture
def local(tmp_path: Path, unique_bucket: str) -> Lake:
    return _lake(FileObjectStore(tmp_path / "store"), unique_bucket)


def sales(year: int, month: int, **extra: list[Any]) -> pl.DataFrame:
    return pl.DataFrame({
        "id": pl.Series([1, 2], dtype=pl.Int64), "amount": [1.5, 2.5], "department": ["Parks", "Water"],
        "day": [date(year, month, 1), date(year, month, 2)], "year": [year, year], **extra,
    })


def seed_sales(lake: Lake, folder: str = "sales/") -> None:
    for year, month in ((2023, 12), (2024, 1), (2024, 2)):
        lake.put_parquet(f"{folder}year={year}/month={month:02d}/part-0.parquet", sales(year, month))
    lake.put(f"{folder}_SUCCESS", b"")  # Spark's marker files are not data


# -- Parquet ---------------------------------------------------------------------------

def test_parquet_hive_partitions_become_one_table_with_string_keys(lake: Lake) -> None:
    seed_sales(lake)
    result = lake.crawl()
    assert result.tables_created == ["sales"] and result.warnings == []
    table = lake.table("sales")
    # The files' own `year` column is dropped: it is a partition key, read from the folder.
    assert lake.columns("sales") == [("id", "bigint"), ("amount", "double"), ("department", "string"), ("day", "date")]
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [("year", "string"), ("month", "string")]
    assert table["StorageDescriptor"]["Location"] == f"s3://{lake.bucket}/sales/"
    assert table["Parameters"]["classification"] == "parquet"
    assert table["Parameters"]["UPDATED_BY_CRAWLER"] == "test-crawler"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    partitions = lake.partitions("sales")
    assert list(partitions) == [("2023", "12"), ("2024", "01"), ("2024", "02")]
    first = partitions[("2024", "01")]
    assert first["StorageDescriptor"]["Location"] == f"s3://{lake.bucket}/sales/year=2024/month=01/"
    assert first["Parameters"]["recordCount"] == "2" and first["Parameters"]["objectCount"] == "1"
    assert result.partitions_added == {"sales": [["2023", "12"], ["2024", "01"], ["2024", "02"]]}


def test_recrawl_of_unchanged_data_writes_no_new_version(lake: Lake) -> None:
    seed_sales(lake)
    lake.crawl()
    result = lake.crawl()
    assert result.tables_unchanged == ["sales"] and not result.tables_updated
    assert result.partitions_added == {} and result.partitions_updated == {} and result.schema_changes == []
    assert lake.table("sales")["VersionId"] == "1"


def test_new_partition_is_added_without_a_table_version(local: Lake) -> None:
    seed_sales(local)
    local.crawl()
    local.put_parquet("sales/year=2024/month=03/part-0.parquet", sales(2024, 3))
    result = local.crawl()
    assert result.partitions_added == {"sales": [["2024", "03"]]}
    assert local.table("sales")["VersionId"] == "1"


def test_new_column_appends_it_as_a_new_table_version(lake: Lake) -> None:
    seed_sales(lake)
    lake.crawl()
    lake.put_parquet("sales/year=2024/month=03/part-0.parquet", sales(2024, 3, channel=["Phone", "Web"]))
    result = lake.crawl()
    assert result.tables_updated == ["sales"]
    assert lake.table("sales")["VersionId"] == "2"
    assert lake.columns("sales")[-1] == ("channel", "string")
    assert [str(c) for c in result.schema_changes] == ["table sales: column channel added (string)"]
    partitions = lake.partitions("sales")
    # Each partition lists the columns its files hold, typed like the table.
    assert ("channel", "string") in _columns(partitions[("2024", "03")])
    assert "channel" not in dict(_columns(partitions[("2024", "01")]))


def _columns(partition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["Name"], c["Type"]) for c in partition["StorageDescriptor"]["Columns"]]


def _retype_ids(lake: Lake) -> None:
    for year, month in ((2023, 12), (2024, 1), (2024, 2)):
        frame = sales(year, month).with_columns(pl.col("id").cast(pl.String))
        lake.put_parquet(f"sales/year={year}/month={month:02d}/part-0.parquet", frame)


def test_type_change_is_an_error_by_default_and_nothing_is_written(local: Lake) -> None:
    seed_sales(local)
    local.crawl()
    _retype_ids(local)
    local.put_parquet("sales/year=2024/month=03/part-0.parquet",
                      sales(2024, 3).with_columns(pl.col("id").cast(pl.String)))
    with pytest.raises(CrawlerSchemaError, match=r"table crawled.sales column id changed type bigint -> string") as err:
        local.crawl()
    assert isinstance(err.value, TerminalError) and "\n" not in str(err.value)
    assert local.table("sales")["VersionId"] == "1" and dict(local.columns("sales"))["id"] == "bigint"
    assert ("2024", "03") not in local.partitions("sales")  # checked before any write


def test_type_change_is_applied_under_update_in_database(local: Lake) -> None:
    seed_sales(local)
    local.crawl()
    _retype_ids(local)
    result = local.crawl(SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE"})
    assert local.table("sales")["VersionId"] == "2" and dict(local.columns("sales"))["id"] == "string"
    assert [(c.kind, c.applied) for c in result.schema_changes] == [("type_changed", True)]
    assert dict(_columns(local.partitions("sales")[("2024", "01")]))["id"] == "string"


def test_type_change_is_only_reported_under_log(local: Lake) -> None:
    seed_sales(local)
    local.crawl()
    _retype_ids(local)
    local.put_parquet("sales/year=2024/month=03/part-0.parquet", sales(2024, 3))
    result = local.crawl(SchemaChangePolicy={"UpdateBehavior": "LOG"})
    assert result.tables_unchanged == ["sales"]
    assert local.table("sales")["VersionId"] == "1" and dict(local.columns("sales"))["id"] == "bigint"
    assert [(c.kind, c.column, c.applied) for c in result.schema_changes] == [("type_changed", "id", False)]
    assert ("2024", "03") in local.partitions("sales")  # new partitions are added whatever the policy


def test_merge_new_columns_configuration_still_refuses_a_removed_column(local: Lake) -> None:
    seed_sales(local)
    local.crawl()
    for year, month in ((2023, 12), (2024, 1), (2024, 2)):
        local.put_parquet(f"sales/year={year}/month={month:02d}/part-0.parquet", sales(year, month).drop("amount"))
    tables = {"Tables": {"AddOrUpdateBehavior": "MergeNewColumns"}}
    configuration = json.dumps({"Version": 1.0, "CrawlerOutput": tables})
    with pytest.raises(CrawlerSchemaError, match="column amount"):
        local.crawl(Configuration=configuration, SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE"})


def test_inherit_from_table_gives_every_partition_the_table_columns(local: Lake) -> None:
    seed_sales(local)
    local.put_parquet("sales/year=2024/month=03/part-0.parquet", sales(2024, 3, channel=["Phone", "Web"]))
    configuration = {"Version": 1.0, "CrawlerOutput": {"Partitions": {"AddOrUpdateBehavior": "InheritFromTable"}}}
    local.crawl(Configuration=json.dumps(configuration))
    assert _columns(local.partitions("sales")[("2023", "12")]) == local.columns("sales")


@pytest.mark.parametrize(("behavior", "kept"), [("DELETE_FROM_DATABASE", False), ("LOG", True),
                                                ("DEPRECATE_IN_DATABASE", True)])
def test_removed_partition_folder_follows_delete_behavior(lake: Lake, behavior: str, kept: bool) -> None:
    seed_sales(lake)
    lake.crawl()
    lake.store.delete_prefix(lake.bucket, "sales/year=2023/")
    result = lake.crawl(SchemaChangePolicy={"DeleteBehavior": behavior})
    assert (("2023", "12") in lake.partitions("sales")) is kept
    gone = {"sales": [["2023", "12"]]}
    assert (result.partitions_missing, result.partitions_removed) == ((gone, {}) if kept else ({}, gone))


def test_table_whose_files_are_gone_is_deprecated(local: Lake) -> None:
    seed_sales(local, "zone/sales/")
    local.put_parquet("zone/returns/part-0.parquet", pl.DataFrame({"ticket": ["a"], "reason": ["b"]}))
    assert sorted(local.crawl("zone/").tables_created) == ["returns", "sales"]
    local.store.delete_prefix(local.bucket, "zone/returns/")
    result = local.crawl("zone/")
    assert result.tables_deprecated == ["returns"] and result.tables_unchanged == ["sales"]
    assert "DEPRECATED_BY_CRAWLER" in local.table("returns")["Parameters"]
    assert local.crawl("zone/").tables_missing == ["returns"]  # deprecated once


def test_table_registered_by_the_pipeline_keeps_its_int_partition_key(local: Lake) -> None:
    seed_sales(local)
    local.crawl()
    registered = {k: v for k, v in local.table("sales").items()
                  if k in ("Name", "TableType", "Parameters", "StorageDescriptor", "PartitionKeys")}
    registered["PartitionKeys"] = [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "string"}]
    registered["Parameters"] = {"classification": "parquet", "EXTERNAL": "TRUE"}
    local.catalog.update_table(DB, registered)
    result = local.crawl()
    # Keys are compared by name: the catalog's declared types stay.
    assert result.tables_unchanged == ["sales"] and result.schema_changes == []
    assert local.table("sales")["PartitionKeys"][0] == {"Name": "year", "Type": "int"}


def test_name_taken_by_a_table_elsewhere_gets_a_location_hash(local: Lake) -> None:
    seed_sales(local)
    local.catalog.create_database({"Name": DB})
    elsewhere = {"Columns": [], "Location": "s3://other/sales/"}
    local.catalog.create_table(DB, {"Name": "sales", "StorageDescriptor": elsewhere})
    result = local.crawl()
    (name,) = result.tables_created
    assert name.startswith("sales_") and len(name) == len("sales_") + 8
    assert "is taken" in result.warnings[0]
    assert local.table("sales")["StorageDescriptor"]["Location"] == "s3://other/sales/"
    assert local.crawl().tables_unchanged == [name]  # the same name on the next crawl


# -- grouping --------------------------------------------------------------------------

def test_sub_folders_with_different_schemas_become_separate_tables(lake: Lake) -> None:
    lake.put_parquet("zone/calls/2024/part-0.parquet", pl.DataFrame({"call_id": [1], "seconds": [30]}))
    lake.put_parquet("zone/calls/2025/part-0.parquet", pl.DataFrame({"call_id": [2], "seconds": [40]}))
    lake.put_parquet("zone/cases/part-0.parquet", pl.DataFrame({"case": ["x"], "opened": [date(2024, 1, 1)],
                                                                "status": ["open"]}))
    result = lake.crawl("zone/")
    assert sorted(result.tables_created) == ["calls", "cases"]
    calls, cases = lake.table("calls"), lake.table("cases")
    assert calls["StorageDescriptor"]["Location"] == f"s3://{lake.bucket}/zone/calls/"
    # Unnamed folders of one schema are partitions named partition_0, partition_1, …
    assert [k["Name"] for k in calls["PartitionKeys"]] == ["partition_0"]
    assert list(lake.partitions("calls")) == [("2024",), ("2025",)]
    assert cases["PartitionKeys"] == [] and lake.columns("cases")[1] == ("opened", "date")


def test_similar_unnamed_folders_are_partitions_of_the_target_table(local: Lake) -> None:
    for region in ("east", "west"):
        local.put_parquet(f"calls/{region}/part-0.parquet", pl.DataFrame({"call_id": [1], "seconds": [30]}))
    local.crawl("calls/", TablePrefix="raw_")
    assert [k["Name"] for k in local.table("raw_calls")["PartitionKeys"]] == ["partition_0"]
    assert list(local.partitions("raw_calls")) == [("east",), ("west",)]


def test_exclusions_and_unknown_formats_are_skipped(local: Lake) -> None:
    seed_sales(local)
    local.put("sales/year=2024/month=01/notes.json", b'{"a": 1}')
    local.put("sales/year=2024/month=01/extra.parquet", b"not parquet")
    targets = {"S3Targets": [{"Path": f"s3://{local.bucket}/sales", "Exclusions": ["**/extra.parquet"]}]}
    result = local.crawl(Targets=targets)
    assert result.tables_created == ["sales"]
    assert len(result.warnings) == 1 and "notes.json" in result.warnings[0]


def test_empty_prefix_gives_an_empty_result(local: Lake) -> None:
    result = local.crawl("nothing-here/")
    assert result.tables_created == [] and result.partitions_added == {}
    assert "no Parquet or CSV files" in result.warnings[0]
    assert local.catalog.get_tables(DB) == []
    assert result.get_crawler_metrics()["TablesCreated"] == 0


@pytest.mark.parametrize("definition", [
    {"Targets": {"S3Targets": []}},
    {"Targets": {"S3Targets": [{"Path": "/local/folder"}]}},
    {"SchemaChangePolicy": {"UpdateBehavior": "MERGE"}},
    {"Configuration": "{not json"},
])
def test_malformed_definitions_are_refused(local: Lake, definition: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputException):
        local.crawl(**definition)
    with pytest.raises(EntityNotFoundException):
        local.catalog.get_database(DB)


# -- CSV -------------------------------------------------------------------------------

def test_semicolon_csv_with_bom_gets_typed_columns(lake: Lake) -> None:
    lake.store.upload_file(FIXTURE_CSV, lake.bucket, "raw/contact_centre/export-2024-09.csv")
    result = lake.crawl("raw/contact_centre/")
    assert result.tables_created == ["contact_centre"]
    assert lake.columns("contact_centre") == [
        ("date", "date"), ("callsoffered", "bigint"), ("callshandled", "bigint"), ("callsabandoned", "bigint"),
        ("averagespeedofanswer", "double"), ("servicelevel", "double"), ("bi_id", "bigint"),
    ]
    table = lake.table("contact_centre")
    assert table["Parameters"]["classification"] == "csv"
    assert table["Parameters"]["skip.header.line.count"] == "1"
    serde = table["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"].endswith("LazySimpleSerDe") and serde["Parameters"] == {"field.delim": ";"}
    assert lake.crawl("raw/contact_centre/").tables_unchanged == ["contact_centre"]


def test_csv_delimiters_header_and_types() -> None:
    sniffed = csv_schema(b"id|name|active|seen\n1|a|true|2024-01-02 03:04:05\n2|b|false|\n", truncated=False)
    assert sniffed is not None and sniffed.csv is not None
    assert (sniffed.csv.delimiter, sniffed.csv.header, sniffed.csv.quoted) == ("|", True, False)
    assert sniffed.columns == (("id", "bigint"), ("name", "string"), ("active", "boolean"), ("seen", "timestamp"))
    # All text: Glue cannot tell a header from data, so the first row is data.
    plain = csv_schema(b"a\tb\nc\td\n", truncated=False)
    assert plain is not None and plain.csv is not None and not plain.csv.header
    assert plain.columns == (("col0", "string"), ("col1", "string"))
    quoted = csv_schema(b'name,note\n"Smith, J",1\n"Lee",2\n', truncated=False)
    assert quoted is not None and quoted.csv is not None and quoted.csv.quoted
    assert csv_schema(b"just one column\nof text\n", truncated=False) is None


def test_quoted_csv_uses_open_csv_serde(local: Lake) -> None:
    local.put("people/p.csv", b'Full Name,Age\n"Smith, J",41\n"Lee, K",37\n')
    local.crawl("people/")
    serde = local.table("people")["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"].endswith("OpenCSVSerde") and serde["Parameters"]["separatorChar"] == ","
    assert local.columns("people") == [("full_name", "string"), ("age", "bigint")]


def test_csv_partitions_with_and_without_quotes_are_one_table(local: Lake) -> None:
    local.put("calls/year=2023/a.csv", b"agent,calls\nAnn,3\nBo,4\n")
    local.put("calls/year=2024/b.csv", b'agent,calls\n"Lee, K",5\n')
    result = local.crawl("calls/")
    assert result.tables_created == ["calls"] and list(local.partitions("calls")) == [("2023",), ("2024",)]
    assert local.table("calls")["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("OpenCSVSerde")
    assert local.columns("calls") == [("agent", "string"), ("calls", "bigint")]


def test_value_types_and_arrow_types() -> None:
    assert infer_type(["1", "-2", ""]) == "bigint"
    assert infer_type(["1", "2.5e3"]) == "double"
    assert infer_type(["2024-02-30"]) == "string"  # not a real date
    assert infer_type(["2024-02-03T10:00:00"]) == "string"  # LazySimpleSerDe reads only 'yyyy-MM-dd HH:mm:ss'
    assert glue_type(pa.decimal128(12, 2)) == "decimal(12,2)"
    assert glue_type(pa.list_(pa.int32())) == "array<int>"
    assert glue_type(pa.struct([("A", pa.string()), ("b", pa.float32())])) == "struct<a:string,b:float>"
    assert glue_type(pa.dictionary(pa.int8(), pa.large_string())) == "string"
    assert glue_type(pa.timestamp("us", tz="UTC")) == "timestamp"
