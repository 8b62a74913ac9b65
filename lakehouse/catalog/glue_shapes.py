"""Glue TableInput / PartitionInput documents for Parquet tables, as Glue stores them."""

from __future__ import annotations

from lakehouse.etl.tables import CuratedTable
from lakehouse.ports.catalog import GlueDocument

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


def storage_descriptor(columns: list[GlueDocument], location: str) -> GlueDocument:
    return {
        "Columns": columns,
        "Location": location,
        "InputFormat": PARQUET_INPUT,
        "OutputFormat": PARQUET_OUTPUT,
        "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
        "Compressed": True,
        "StoredAsSubDirectories": False,
    }


def table_input(table: CuratedTable, location: str) -> GlueDocument:
    """A Parquet EXTERNAL_TABLE at `location` (an s3:// URI ending in /)."""
    return {
        "Name": table.name,
        "Description": table.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE", "parquet.compression": "ZSTD"},
        "PartitionKeys": [{"Name": c.name, "Type": c.glue_type, "Comment": c.comment} for c in table.partition_keys],
        "StorageDescriptor": storage_descriptor(
            [{"Name": c.name, "Type": c.glue_type, "Comment": c.comment} for c in table.columns], location
        ),
    }


def partition_input(table_document: GlueDocument, values: list[str]) -> GlueDocument:
    """A partition of a registered table: its values and its Hive-style folder."""
    descriptor = table_document["StorageDescriptor"]
    keys = [key["Name"] for key in table_document.get("PartitionKeys", [])]
    folder = "/".join(f"{key}={value}" for key, value in zip(keys, values, strict=True))
    return {
        "Values": values,
        "StorageDescriptor": storage_descriptor(descriptor["Columns"], f"{descriptor['Location']}{folder}/"),
        "Parameters": {},
    }
