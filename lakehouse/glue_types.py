"""Glue/Athena column types and their Polars equivalents, defined once."""

from __future__ import annotations

import polars as pl

POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "bigint": pl.Int64(),
    "int": pl.Int32(),
    "double": pl.Float64(),
    "date": pl.Date(),
    "boolean": pl.Boolean(),
    "timestamp": pl.Datetime("us"),
}
