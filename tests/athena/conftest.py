"""A lakehouse home with one partitioned catalog table, `events`, for the Athena tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from athena_support import FILES_PER_YEAR, ROWS_PER_FILE, YEARS, AthenaHome
from cli_support import platform_for

from emulation.athena.engine import DuckDBQueryEngine
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.catalog.glue_shapes import partition_input, table_input
from lakehouse.etl.tables import Column


@pytest.fixture
def athena_home(tmp_path: Path) -> AthenaHome:
    home = tmp_path / "home"
    store = FileObjectStore(home)
    store.create_bucket("curated")
    writer = duckdb.connect()
    sizes: dict[int, int] = {}
    for year in YEARS:
        folder = home / "curated" / "vancouver_311" / "events" / f"year={year}"
        folder.mkdir(parents=True)
        for part in range(FILES_PER_YEAR):
            target = folder / f"part-{part:05d}.parquet"
            first = part * ROWS_PER_FILE
            writer.execute(
                f"COPY (SELECT range AS id, 'event ' || range AS name, range * 0.5 AS amount, "
                f"DATE '{year}-01-01' + CAST(range % 365 AS INTEGER) AS day "
                f"FROM range({first}, {first + ROWS_PER_FILE})) TO '{target}' (FORMAT parquet)"
            )
            sizes[year] = sizes.get(year, 0) + target.stat().st_size
    writer.close()
    catalog = ObjectStoreCatalog(store, "catalog")
    catalog.create_database({"Name": "vancouver_311"})
    columns = [Column("id", "bigint"), Column("name", "string"), Column("amount", "double"), Column("day", "date")]
    catalog.create_table("vancouver_311", table_input("events", "test events", columns, [Column("year", "int")],
                                                      "s3://curated/vancouver_311/events/"))
    # Registered as MSCK REPAIR would: Athena reads a partitioned table's registered partitions only.
    events = catalog.get_table("vancouver_311", "events")
    catalog.batch_create_partition("vancouver_311", "events", [partition_input(events, [str(y)]) for y in YEARS])
    return AthenaHome(home, sizes)


@pytest.fixture
def engine(athena_home: AthenaHome) -> DuckDBQueryEngine:
    engine = platform_for(athena_home.path).engine
    assert isinstance(engine, DuckDBQueryEngine)
    return engine
