"""Local implementations of the AWS roles: S3 on files, Glue catalog, Athena on DuckDB."""
