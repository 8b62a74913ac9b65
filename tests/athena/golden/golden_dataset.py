"""The golden suite's dataset: eighteen 3-1-1 requests, fixed in this file, as a partitioned catalog table.

The rows are plain Python values; `golden_cases` computes every expected answer from them
in Python, so nothing expected comes from the engine under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.catalog.glue_shapes import partition_input, table_input
from lakehouse.etl.tables import Column

DATABASE = "vancouver_311"
TABLE = "requests"
PREFIX = f"{DATABASE}/{TABLE}/"
DEPARTMENTS = ("ENG - Sanitation Services", "PARKS - Urban Forestry", "DBL - Building Permits", "ENG - Streets")
CHANNELS = ("Phone", "Web", "Mobile App")
PRIORITIES = ("low", "medium", "high")


@dataclass(frozen=True)
class Request:
    id: int
    department: str
    channel: str
    opened: date
    opened_at: datetime
    minutes: int
    cost: float
    note: str | None
    payload: str  # a JSON document, as a string column
    year: int  # the partition key


def _request(i: int) -> Request:
    opened = date(2022 + i % 3, 1 + (i * 5) % 12, 1 + (i * 7) % 28)
    opened_at = datetime(opened.year, opened.month, opened.day, (i * 5) % 24, (i * 7) % 60, (i * 13) % 60)
    note = None if i % 5 == 0 else f"ticket #{1000 + i * 37}: {'urgent' if i % 4 == 0 else 'routine'}"
    payload = json.dumps({"id": i, "priority": PRIORITIES[i % 3], "tags": ["x", "y", "z"][: i % 4]})
    return Request(i, DEPARTMENTS[i % 4], CHANNELS[i % 3], opened, opened_at, 5 + (i * 17) % 40,
                   1.25 * (i % 7) + 0.5, note, payload, opened.year)


ROWS: tuple[Request, ...] = tuple(_request(i) for i in range(1, 19))
COLUMNS = (Column("id", "bigint"), Column("department", "string"), Column("channel", "string"),
           Column("opened", "date"), Column("opened_at", "timestamp"), Column("minutes", "int"),
           Column("cost", "double"), Column("note", "string"), Column("payload", "string"))
PARTITION_KEYS = (Column("year", "int"),)
_ARROW = pa.schema([("id", pa.int64()), ("department", pa.string()), ("channel", pa.string()),
                    ("opened", pa.date32()), ("opened_at", pa.timestamp("ms")), ("minutes", pa.int32()),
                    ("cost", pa.float64()), ("note", pa.string()), ("payload", pa.string())])


def write_requests(home: Path) -> dict[int, int]:
    """Write the rows as `requests`, one Parquet file per year partition, registered in the catalog
    with its partitions; the bytes of each year's file."""
    store = FileObjectStore(home)
    store.create_bucket("curated")
    catalog = ObjectStoreCatalog(store, "catalog")
    catalog.create_database({"Name": DATABASE})
    location = f"s3://curated/{PREFIX}"
    catalog.create_table(DATABASE, table_input(TABLE, "golden 3-1-1 requests", COLUMNS, PARTITION_KEYS, location))
    sizes = {}
    for year in sorted({r.year for r in ROWS}):
        rows = [r for r in ROWS if r.year == year]
        table = pa.table({field.name: [getattr(r, field.name) for r in rows] for field in _ARROW}, schema=_ARROW)
        folder = home / "curated" / PREFIX / f"year={year}"
        folder.mkdir(parents=True)
        pq.write_table(table, folder / "part-00000.parquet")
        sizes[year] = (folder / "part-00000.parquet").stat().st_size
    document = catalog.get_table(DATABASE, TABLE)
    catalog.batch_create_partition(DATABASE, TABLE, [partition_input(document, [str(year)]) for year in sizes])
    return sizes
