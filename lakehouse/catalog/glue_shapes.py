"""Glue TableInput / PartitionInput documents for Parquet tables, as Glue stores them."""

from __future__ import annotations

from collections.abc import Sequence

from lakehouse.etl.tables import Column
from lakehouse.ports.catalog import GlueDocument

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


# The fields of Glue's TableInput: what create_table / update_table accept.
TABLE_INPUT_FIELDS = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention",
                      "StorageDescriptor", "PartitionKeys", "ViewOriginalText", "ViewExpandedText",
                      "TableType", "Parameters", "TargetTable")


def table_input_of(table: GlueDocument) -> GlueDocument:
    """A table as Glue returns it, reduced to a TableInput that create_table accepts again."""
    return {key: value for key, value in table.items() if key in TABLE_INPUT_FIELDS}


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


def _columns(columns: Sequence[Column]) -> list[GlueDocument]:
    return [{"Name": c.name, "Type": c.glue_type, "Comment": c.comment} for c in columns]


def table_input(
    name: str, description: str, columns: Sequence[Column], partition_keys: Sequence[Column], location: str,
    parameters: dict[str, str] | None = None,
) -> GlueDocument:
    """A Parquet EXTERNAL_TABLE at `location` (an s3:// URI ending in /)."""
    return {
        "Name": name,
        "Description": description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE", "parquet.compression": "ZSTD",
                       **(parameters or {})},
        "PartitionKeys": _columns(partition_keys),
        "StorageDescriptor": storage_descriptor(_columns(columns), location),
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
