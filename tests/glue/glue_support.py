"""Glue documents shared by the catalog tests, and a fix that makes moto's S3 keep S3's guarantees."""

from __future__ import annotations

import threading
from typing import Any

from lakehouse.catalog.glue_shapes import table_input
from lakehouse.etl.models import ALL_TABLES
from lakehouse.ports.catalog import GlueDocument

DATABASE = "vancouver_311"


def inquiry_volume_input() -> GlueDocument:
    """The curated inquiry_volume table as the pipeline registers it (partitioned by year int)."""
    table = next(t for t in ALL_TABLES if t.name == "inquiry_volume")
    return table_input(table.name, table.description, table.columns, table.partition_keys,
                       "s3://curated/vancouver_311/inquiry_volume/")


def year_month_input(name: str = "events") -> GlueDocument:
    """A Parquet table partitioned by year (int) and month (string)."""
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "PartitionKeys": [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "bigint"}],
            "Location": f"s3://curated/{name}/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
    }


def partition(table: GlueDocument, *values: str) -> GlueDocument:
    folder = "/".join(f"{k['Name']}={v}" for k, v in zip(table["PartitionKeys"], values, strict=True))
    descriptor = {**table["StorageDescriptor"], "Location": f"{table['StorageDescriptor']['Location']}{folder}/"}
    return {"Values": list(values), "StorageDescriptor": descriptor, "Parameters": {}}


def serialize_moto_conditional_puts() -> None:
    """Make the in-process moto server's If-None-Match PutObject atomic, as S3's is.

    moto checks that the key is absent and then writes, without a lock, so two racing
    creates can both succeed (seen on a loaded 2-CPU machine); S3 never allows that,
    and the catalog's optimistic writes rely on it.
    """
    from moto.s3.responses import S3Response

    if getattr(S3Response.put_object, "serialized", False):
        return
    original = S3Response.put_object
    lock = threading.Lock()

    def put_object(self: S3Response) -> Any:
        if self.headers.get("If-None-Match") is None:
            return original(self)
        with lock:
            return original(self)

    put_object.serialized = True  # type: ignore[attr-defined]
    S3Response.put_object = put_object  # type: ignore[method-assign]
