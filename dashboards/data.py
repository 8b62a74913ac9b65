"""The web app's only way to the data: fixed Athena SQL through the query-engine port.

Answers are cached, keyed by the query, its bound parameters and the catalog's table
versions, so a new pipeline run (which publishes new table versions) refreshes every chart
while repeated views cost a dictionary look-up. The engine is built through the registry
on a read-only object store, so the app works on the embedded engine and on Athena alike
and cannot change the lakehouse.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dashboards.readonly import ReadOnlyObjectStore
from lakehouse import registry
from lakehouse.config import Settings
from lakehouse.errors import EntityNotFoundException, LakehouseError, QueryError
from lakehouse.ports.catalog import DataCatalog
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.query_engine import QueryEngine, ResultSet
from lakehouse.zones import Zones

FINGERPRINT_SECONDS = 2.0  # how often the catalog is asked whether a table has a new version
CACHE_ENTRIES = 2048


class DataMissing(LakehouseError):
    """The tables a view needs are not in the catalog yet (no `lakehouse run` so far)."""


@dataclass(frozen=True)
class Table:
    """Rows behind one chart: what the table alternative shows and the CSV download holds."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


class DataSource:
    """Read-only access to one lakehouse: cached queries, catalog tables, zone documents."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: ObjectStore = ReadOnlyObjectStore(registry.object_store(settings))
        self.catalog: DataCatalog = registry.data_catalog(settings, self.store)
        self.engine: QueryEngine = registry.query_engine(settings, self.store, self.catalog)
        self.zones = Zones(self.store, settings)
        # One engine connection serves every thread; DuckDB connections are not shared-safe.
        self._engine_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._fingerprint: tuple[tuple[str, str], ...] = ()
        self._fingerprint_at = float("-inf")

    @property
    def database(self) -> str:
        return self.settings.database

    def catalog_tables(self) -> list[dict[str, Any]]:
        """The Glue tables of the platform's database ([] before the first run)."""
        try:
            return self.catalog.get_tables(self.database)
        except EntityNotFoundException:
            return []

    def fingerprint(self) -> tuple[tuple[str, str], ...]:
        """(table, version) of every catalog table, re-read at most every FINGERPRINT_SECONDS."""
        now = time.monotonic()
        if now - self._fingerprint_at >= FINGERPRINT_SECONDS:
            tables = self.catalog_tables()
            self._fingerprint = tuple(sorted((t["Name"], str(t.get("VersionId", ""))) for t in tables))
            self._fingerprint_at = now
        return self._fingerprint

    def has_tables(self, *names: str) -> bool:
        present = {name for name, _ in self.fingerprint()}
        return all(name in present for name in names)

    def cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """compute() once per key and catalog state; answers of older table versions age out."""
        full_key = (key, self.fingerprint())
        with self._cache_lock:
            if full_key in self._cache:
                self._cache.move_to_end(full_key)
                return self._cache[full_key]
        value = compute()
        with self._cache_lock:
            self._cache[full_key] = value
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return value

    def query(self, sql: str, parameters: Sequence[Any] = (), needs: Sequence[str] = ()) -> Table:
        """Run fixed SQL with `?` parameters (cached). `needs` names the tables it reads, so a
        missing one is reported as missing data rather than a query error."""
        missing = [name for name in needs if not self.has_tables(name)]
        if missing:
            raise DataMissing(f"table {missing[0]} is not in the catalog")
        return self.cached(("query", sql, tuple(parameters)), lambda: self._run(sql, parameters))

    def _run(self, sql: str, parameters: Sequence[Any]) -> Table:
        with self._engine_lock:
            try:
                result: ResultSet = self.engine.run_query(sql, list(parameters), self.database)
            except QueryError as error:
                if "TABLE_NOT_FOUND" in str(error):
                    raise DataMissing(str(error)) from None
                raise
        # Decimals (Athena's round()) become floats: charts, JSON and CSV all take them.
        return Table(list(result.columns), [tuple(float(v) if isinstance(v, Decimal) else v for v in row)
                                            for row in result.rows])
