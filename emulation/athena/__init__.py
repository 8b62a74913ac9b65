"""Athena's role on DuckDB: catalog tables become views over their Parquet files."""
