"""An Athena engine on a temporary folder store and catalog, for the statement tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from emulation.athena.engine import DuckDBQueryEngine
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.config import Settings
from lakehouse.ports.catalog import GlueDocument
from lakehouse.ports.query_engine import ResultSet

DB = "vancouver_311"


@dataclass
class Athena:
    root: Path
    store: FileObjectStore
    catalog: ObjectStoreCatalog
    engine: DuckDBQueryEngine

    def run(self, sql: str, *parameters: Any, database: str | None = None) -> ResultSet:
        return self.engine.run_query(sql, list(parameters), database)

    def table(self, name: str, database: str = DB) -> GlueDocument:
        return self.catalog.get_table(database, name)

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        if not self.store.head_bucket(bucket):
            return []
        return [info.key for info in self.store.list_objects_v2(bucket, prefix)]

    def parquet_rows(self, bucket: str, prefix: str) -> list[dict[str, Any]]:
        """Rows of every Parquet file under prefix, read with pyarrow (not through the engine)."""
        rows: list[dict[str, Any]] = []
        for key in self.keys(bucket, prefix):
            if key.endswith(".parquet"):
                rows += pq.read_table(self.store.local_path(bucket, key)).to_pylist()
        return rows

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.store.create_bucket(bucket)
        self.store.put_object(bucket, key, body)


def make_athena(tmp_path: Path) -> Athena:
    store = FileObjectStore(tmp_path)
    catalog = ObjectStoreCatalog(store, "catalog")
    engine = DuckDBQueryEngine(catalog, store, Settings(home=tmp_path))
    athena = Athena(tmp_path, store, catalog, engine)
    athena.run(f"CREATE DATABASE {DB}")
    return athena
