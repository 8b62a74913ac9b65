"""The platform's parts for one configuration, built once through the registry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from lakehouse import registry
from lakehouse.config import Settings
from lakehouse.ports.catalog import DataCatalog
from lakehouse.ports.job_service import JobService
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.query_engine import QueryEngine
from lakehouse.ports.recipe_service import RecipeService
from lakehouse.zones import Zones


@dataclass
class Platform:
    settings: Settings
    # A store handed in by the host process (the emulator serves its own S3 in process);
    # otherwise the registry builds the configured one.
    given_store: ObjectStore | None = None

    @cached_property
    def store(self) -> ObjectStore:
        return self.given_store if self.given_store is not None else registry.object_store(self.settings)

    @cached_property
    def zones(self) -> Zones:
        return Zones(self.store, self.settings)

    @cached_property
    def catalog(self) -> DataCatalog:
        return registry.data_catalog(self.settings, self.store)

    @cached_property
    def engine(self) -> QueryEngine:
        return registry.query_engine(self.settings, self.store, self.catalog)

    @cached_property
    def recipes(self) -> RecipeService:
        return registry.recipe_service(self.settings, self.store)

    @cached_property
    def jobs(self) -> JobService:
        return registry.job_service(self.settings, self.store, self.catalog)
