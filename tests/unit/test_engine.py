"""The DuckDB Athena engine: catalog types win, empty tables answer, partitions prune."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from emulation.athena.engine import DuckDBQueryEngine
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.catalog.glue_shapes import partition_input, table_input
from lakehouse.config import Settings, load_settings
from lakehouse.errors import ConfigError
from lakehouse.etl.models import ALL_TABLES as CURATED_TABLES
from lakehouse.registry import data_catalog, object_store


@pytest.fixture
def setup(tmp_path: Path) -> tuple[FileObjectStore, ObjectStoreCatalog, DuckDBQueryEngine]:
    store = FileObjectStore(tmp_path)
    catalog = ObjectStoreCatalog(store, "catalog")
    engine = DuckDBQueryEngine(catalog, store, Settings(home=tmp_path))
    return store, catalog, engine


def _write(store: FileObjectStore, tmp_path: Path, key: str, frame: pl.DataFrame) -> None:
    local = tmp_path / "part.parquet"
    frame.write_parquet(local)
    store.create_bucket("curated")
    store.upload_file(local, "curated", key)


def test_partition_values_come_from_folders_with_catalog_types(
    setup: tuple[FileObjectStore, ObjectStoreCatalog, DuckDBQueryEngine], tmp_path: Path
) -> None:
    store, catalog, engine = setup
    frame = pl.DataFrame({"department": ["A - x"], "department_code": ["A"], "inquiry_type": ["t"],
                          "channel": ["Phone"], "month_start": [None], "inquiries": [3]},
                         schema_overrides={"month_start": pl.Date, "inquiries": pl.Int32})
    for year in (2023, 2024):
        _write(store, tmp_path, f"vancouver_311/inquiry_volume/year={year}/part-00000.parquet", frame)
    table = next(t for t in CURATED_TABLES if t.name == "inquiry_volume")
    catalog.create_database({"Name": "vancouver_311"})
    catalog.create_table("vancouver_311", table_input(table.name, table.description, table.columns,
                                                      table.partition_keys, "s3://curated/vancouver_311/inquiry_volume/"))
    registered = catalog.get_table("vancouver_311", "inquiry_volume")
    catalog.batch_create_partition("vancouver_311", "inquiry_volume",
                                   [partition_input(registered, [str(year)]) for year in (2023, 2024)])
    result = engine.run_query("SELECT year, sum(inquiries) AS n FROM inquiry_volume WHERE year = ? GROUP BY year", [2024])
    assert result.rows == [(2024, 3)]
    assert result.types == ["integer", "bigint"]  # Glue int partition key, bigint column (file held int32)


def test_registered_table_without_files_answers_empty(
    setup: tuple[FileObjectStore, ObjectStoreCatalog, DuckDBQueryEngine],
) -> None:
    _, catalog, engine = setup
    catalog.create_database({"Name": "vancouver_311"})
    table = next(t for t in CURATED_TABLES if t.name == "yearly_volume")
    catalog.create_table("vancouver_311", table_input(table.name, table.description, table.columns, table.partition_keys,
                                                      "s3://curated/vancouver_311/yearly_volume/"))
    result = engine.run_query("SELECT year, inquiries FROM yearly_volume")
    assert result.rows == [] and result.columns == ["year", "inquiries"]


def test_athena_functions_translate(setup: tuple[FileObjectStore, ObjectStoreCatalog, DuckDBQueryEngine]) -> None:
    _, _, engine = setup
    result = engine.run_query(
        "SELECT date_format(date '2024-07-01', '%Y-%m') AS m, date_add('month', 1, date '2024-01-31') AS d, "
        "approx_distinct(x) AS n FROM (VALUES 1, 2, 2) AS t(x)"
    )
    assert result.rows[0][0] == "2024-07"
    assert str(result.rows[0][1]).startswith("2024-02-29")
    assert result.rows[0][2] == 2


def test_aws_backend_builds_the_boto3_adapter_of_every_role(tmp_path: Path) -> None:
    from cloud.athena.engine import AthenaQueryEngine
    from cloud.databrew.service import DataBrewService
    from cloud.glue.catalog import GlueCatalog
    from cloud.glue.jobs import GlueJobService
    from cloud.s3.store import S3ObjectStore
    from lakehouse.platform import Platform

    platform = Platform(load_settings({"home": str(tmp_path), "backend": "aws"}, environ={}))
    assert isinstance(platform.store, S3ObjectStore)
    assert isinstance(platform.catalog, GlueCatalog)
    assert isinstance(platform.engine, AthenaQueryEngine)
    assert isinstance(platform.recipes, DataBrewService)
    assert isinstance(platform.jobs, GlueJobService)
