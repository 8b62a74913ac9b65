"""The statements on the S3 backend (moto's HTTP server): files written through boto3, read by DuckDB's httpfs."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from emulation.athena.engine import DuckDBQueryEngine
from lakehouse.config import load_settings
from lakehouse.errors import QueryError
from lakehouse.registry import data_catalog, object_store

pytestmark = pytest.mark.s3


def test_ctas_insert_views_and_text_tables_on_s3(moto_endpoint: str, tmp_path: Path) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    settings = load_settings({"home": str(tmp_path), "backend": "emulator", "endpoint_url": moto_endpoint,
                              "bucket_prefix": prefix}, environ={})
    store = object_store(settings)
    engine = DuckDBQueryEngine(data_catalog(settings, store), store, settings)
    curated, raw = f"{prefix}curated", f"{prefix}raw"
    engine.run_query("CREATE DATABASE vancouver_311")
    engine.run_query("CREATE TABLE calls WITH (partitioned_by = ARRAY['year']) AS "
                     "SELECT * FROM (VALUES (1, 'Phone', 2023), (2, 'Web', 2024)) AS v(id, channel, year)")
    engine.run_query("INSERT INTO calls VALUES (3, 'Phone', 2024)")
    engine.run_query("CREATE VIEW phone AS SELECT id FROM calls WHERE channel = 'Phone'")
    assert engine.run_query("SELECT id FROM phone ORDER BY id").rows == [(1,), (3,)]
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=curated)["Contents"]]
    assert sorted(k.split("/")[2] for k in keys) == ["year=2023", "year=2024", "year=2024"]

    s3.create_bucket(Bucket=raw)
    s3.put_object(Bucket=raw, Key="notes/day=mon/a.txt", Body=b"1,hello\n")
    engine.run_query(f"CREATE EXTERNAL TABLE notes (id int, body string) PARTITIONED BY (day string) "
                     f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{raw}/notes/'")
    engine.run_query("MSCK REPAIR TABLE notes")
    assert engine.run_query("SELECT day, id, body FROM notes").rows == [("mon", 1, "hello")]
    with pytest.raises(QueryError, match="^INVALID_LOCATION: bucket 'curated'"):  # unprefixed: not the platform's
        engine.run_query("CREATE TABLE x WITH (external_location = 's3://curated/x/') AS SELECT 1 AS a")
