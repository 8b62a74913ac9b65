"""One writer process for the concurrency tests: `python catalog_worker.py '<json settings>'`.

It waits for a shared start signal, then adds its own partitions one call at a time and
increments a counter in the table's Parameters with Glue's optimistic lock (VersionId),
retrying on ConcurrentModificationException. It prints how many conflicts it met.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from cloud.s3 import S3ObjectStore
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3 import FileObjectStore
from lakehouse.errors import ConcurrentModificationException
from lakehouse.ports.object_store import ObjectStore

TABLE_INPUT_FIELDS = ("Name", "Description", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")


def increment(catalog: ObjectStoreCatalog, database: str, table: str) -> int:
    """Read-modify-write of Parameters.counter; returns the conflicts it took."""
    conflicts = 0
    while True:
        current = catalog.get_table(database, table)
        table_input: dict[str, Any] = {k: current[k] for k in TABLE_INPUT_FIELDS if k in current}
        parameters = dict(table_input["Parameters"])
        parameters["counter"] = str(int(parameters.get("counter", "0")) + 1)
        try:
            catalog.update_table(database, {**table_input, "Parameters": parameters}, version_id=current["VersionId"])
            return conflicts
        except ConcurrentModificationException:
            conflicts += 1
            time.sleep(random.uniform(0, 0.005 * min(conflicts, 10)))


def main(settings: dict[str, Any]) -> None:
    store: ObjectStore = (
        FileObjectStore(Path(settings["root"])) if settings["store"] == "file"
        else S3ObjectStore(endpoint_url=settings["endpoint"])
    )
    catalog = ObjectStoreCatalog(store, settings["bucket"])
    database, table, worker = settings["database"], settings["table"], settings["worker"]
    descriptor = catalog.get_table(database, table)["StorageDescriptor"]
    Path(settings["ready"]).touch()
    deadline = time.monotonic() + 60
    while not Path(settings["go"]).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.002)
    conflicts = 0
    for n in range(settings["count"]):
        values = [str(2000 + worker), f"{n:02d}"]
        location = f"{descriptor['Location']}year={values[0]}/month={values[1]}/"
        catalog.batch_create_partition(
            database, table, [{"Values": values, "StorageDescriptor": {**descriptor, "Location": location}}]
        )
        conflicts += increment(catalog, database, table)
    print(json.dumps({"worker": worker, "conflicts": conflicts}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
