"""Glue documents for Athena DDL: column types, storage formats (SerDes), tables, partitions, properties."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from sqlglot import exp
from sqlglot.errors import ParseError

from emulation.glue.crawler_catalog import LAZY_SIMPLE_SERDE, OPEN_CSV_SERDE, TEXT_INPUT, TEXT_OUTPUT
from lakehouse.catalog.glue_shapes import PARQUET_INPUT, PARQUET_OUTPUT, PARQUET_SERDE
from lakehouse.errors import QueryError
from lakehouse.ports.catalog import GlueDocument

HIVE_JSON_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
OPENX_JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
DEFAULT_TEXT_DELIMITER = "\x01"  # Hive's (and Athena's) field delimiter when none is given


# -- types -------------------------------------------------------------------------------

_ATHENA_TO_GLUE = {"varchar": "string", "integer": "int", "real": "float", "bigint": "bigint", "smallint": "smallint",
                   "tinyint": "tinyint", "double": "double", "boolean": "boolean", "date": "date",
                   "timestamp": "timestamp", "varbinary": "binary"}


def glue_type_of(data_type: exp.DataType) -> str:
    """A DDL column type as Glue stores it: Hive spelling, lower case, no spaces (`array<string>`)."""
    return re.sub(r"\s+", "", data_type.sql("hive").lower())


def glue_type_from_athena(column: str, athena_type: str) -> str:
    """The Glue type of a query result column (CTAS, views)."""
    if athena_type in _ATHENA_TO_GLUE:
        return _ATHENA_TO_GLUE[athena_type]
    if re.fullmatch(r"decimal\(\d+,\s*\d+\)", athena_type):
        return athena_type.replace(" ", "")
    raise QueryError(f"NOT_SUPPORTED: column '{column}' has type {athena_type}, which cannot be stored in a table here")


def sql_type(glue_type: str) -> exp.DataType:
    """A Glue type as a type node, to CAST to in Athena SQL or print for DuckDB."""
    try:
        return exp.DataType.build(glue_type, dialect="hive")
    except (ParseError, ValueError):
        raise QueryError(f"NOT_SUPPORTED: column type '{glue_type}'") from None


# -- storage formats ----------------------------------------------------------------------

@dataclass(frozen=True)
class StorageFormat:
    name: str  # PARQUET | TEXTFILE | JSON: what CTAS / UNLOAD write and the read hook reads
    classification: str
    input_format: str
    output_format: str
    serde: str


FORMATS = {
    "PARQUET": StorageFormat("PARQUET", "parquet", PARQUET_INPUT, PARQUET_OUTPUT, PARQUET_SERDE),
    "TEXTFILE": StorageFormat("TEXTFILE", "csv", TEXT_INPUT, TEXT_OUTPUT, LAZY_SIMPLE_SERDE),
    "JSON": StorageFormat("JSON", "json", TEXT_INPUT, TEXT_OUTPUT, HIVE_JSON_SERDE),
}
_SERDE_FORMATS = {PARQUET_SERDE: "PARQUET", LAZY_SIMPLE_SERDE: "TEXTFILE", OPEN_CSV_SERDE: "TEXTFILE",
                  HIVE_JSON_SERDE: "JSON", OPENX_JSON_SERDE: "JSON"}


def serde_format(serde: str) -> str:
    """PARQUET, TEXTFILE or JSON for a SerDe this emulator reads and writes."""
    if serde not in _SERDE_FORMATS:
        raise QueryError(f"NOT_SUPPORTED: tables with SerDe '{serde}' cannot be read or written here")
    return _SERDE_FORMATS[serde]


def format_of(table: GlueDocument) -> str:
    return serde_format(table.get("StorageDescriptor", {}).get("SerdeInfo", {}).get("SerializationLibrary", ""))


def table_document(
    name: str, columns: list[GlueDocument], partition_keys: list[GlueDocument], location: str, fmt: StorageFormat,
    serde_library: str | None = None, serde_parameters: dict[str, str] | None = None,
    parameters: dict[str, str] | None = None,
) -> GlueDocument:
    """An EXTERNAL_TABLE TableInput, shaped as Athena's DDL leaves it in Glue."""
    return {
        "Name": name, "TableType": "EXTERNAL_TABLE", "Retention": 0,
        "Parameters": {"EXTERNAL": "TRUE", "classification": fmt.classification, **(parameters or {})},
        "PartitionKeys": partition_keys,
        "StorageDescriptor": {
            "Columns": columns, "Location": location,
            "InputFormat": fmt.input_format, "OutputFormat": fmt.output_format,
            "SerdeInfo": {"SerializationLibrary": serde_library or fmt.serde, "Parameters": serde_parameters or {}},
            "Compressed": False, "NumberOfBuckets": -1, "BucketColumns": [], "SortColumns": [],
            "Parameters": {}, "StoredAsSubDirectories": False,
        },
    }


def partition_document(table: GlueDocument, values: list[str], location: str) -> GlueDocument:
    """A PartitionInput that inherits the table's storage, at its own location."""
    descriptor = {**copy.deepcopy(table["StorageDescriptor"]), "Location": location}
    return {"Values": values, "StorageDescriptor": descriptor, "Parameters": {}}


def partition_keys(table: GlueDocument) -> list[str]:
    return [key["Name"] for key in table.get("PartitionKeys", [])]


def literal_text(node: exp.Expression | None, what: str) -> str:
    """The value of a literal in a property list or partition spec."""
    if isinstance(node, exp.Literal):
        return str(node.this)
    if isinstance(node, exp.Boolean):
        return "true" if node.this else "false"
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return f"-{node.this.this}"
    raise QueryError(f"SYNTAX_ERROR: {what} must be a literal, not {node.sql('athena') if node else 'nothing'}")


def property_values(properties: exp.Properties | None) -> dict[str, Any]:
    """CTAS / UNLOAD `WITH (name = value, …)` as {name: str | list[str] | bool}."""
    found: dict[str, Any] = {}
    for node in properties.expressions if properties else []:
        if isinstance(node, exp.FileFormatProperty):
            found["format"] = literal_text(node.this, "format") if not isinstance(node.this, exp.Var) else node.name
        elif isinstance(node, exp.PartitionedByProperty | exp.Property) and isinstance(node.args.get("value", node.this), exp.Array):
            array = node.args.get("value", node.this)
            name = "partitioned_by" if isinstance(node, exp.PartitionedByProperty) else node.name.lower()
            found[name] = [literal_text(item, name).lower() for item in array.expressions]
        elif isinstance(node, exp.LocationProperty):
            found["location"] = literal_text(node.this, "location")
        elif isinstance(node, exp.WithDataProperty):
            found["with_data"] = not node.args.get("no")
        elif isinstance(node, exp.Property):
            found[node.name.lower()] = literal_text(node.args.get("value"), node.name)
        else:
            raise QueryError(f"NOT_SUPPORTED: table property {node.sql('athena')}")
    return found
