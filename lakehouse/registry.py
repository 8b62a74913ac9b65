"""Backend name → adapters. The only place that knows which implementation serves a role;
each factory imports its module lazily, so a backend loads only what it uses."""

from __future__ import annotations

from collections.abc import Callable

from lakehouse.config import Settings
from lakehouse.errors import ConfigError
from lakehouse.ports.catalog import DataCatalog
from lakehouse.ports.job_service import JobService
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.query_engine import QueryEngine
from lakehouse.ports.recipe_service import RecipeService


def _file_store(settings: Settings) -> ObjectStore:
    from emulation.s3.store import FileObjectStore

    return FileObjectStore(settings.home)


def _s3_store(settings: Settings) -> ObjectStore:
    from cloud.s3.store import S3ObjectStore

    if settings.backend == "emulator" and not settings.s3_endpoint:
        raise ConfigError("backend 'emulator' needs an S3 endpoint: set AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3)")
    return S3ObjectStore(endpoint_url=settings.s3_endpoint, region=settings.region, profile=settings.profile)


def _store_catalog(settings: Settings, store: ObjectStore) -> DataCatalog:
    from emulation.glue.models import ObjectStoreCatalog

    return ObjectStoreCatalog(store, settings.bucket("catalog"))


def _duckdb_engine(settings: Settings, store: ObjectStore, catalog: DataCatalog) -> QueryEngine:
    from emulation.athena.engine import DuckDBQueryEngine

    return DuckDBQueryEngine(catalog, store, settings)


def _databrew(settings: Settings, store: ObjectStore) -> RecipeService:
    from emulation.databrew.models import DataBrewBackend
    from lakehouse.prepare import RecipeJobRunner
    from lakehouse.zones import Zones

    return DataBrewBackend(store, settings.bucket("catalog"), RecipeJobRunner(Zones(store, settings)))


def _glue_jobs(settings: Settings, store: ObjectStore, catalog: DataCatalog) -> JobService:
    from emulation.glue.jobs import GlueJobs
    from lakehouse.etl.runner import CurateJobRunner
    from lakehouse.zones import Zones

    return GlueJobs(store, settings.bucket("catalog"), CurateJobRunner(Zones(store, settings), catalog))


def _glue_catalog(settings: Settings, store: ObjectStore) -> DataCatalog:
    from cloud.glue.catalog import GlueCatalog

    return GlueCatalog(settings)


def _athena(settings: Settings, store: ObjectStore, catalog: DataCatalog) -> QueryEngine:
    from cloud.athena.engine import AthenaQueryEngine

    return AthenaQueryEngine(settings)


def _databrew_service(settings: Settings, store: ObjectStore) -> RecipeService:
    from cloud.databrew.service import DataBrewService

    return DataBrewService(settings)


def _glue_job_service(settings: Settings, store: ObjectStore, catalog: DataCatalog) -> JobService:
    from cloud.glue.jobs import GlueJobService

    return GlueJobService(settings)


OBJECT_STORES: dict[str, Callable[[Settings], ObjectStore]] = {
    "local": _file_store,
    "emulator": _s3_store,
    "aws": _s3_store,
}
CATALOGS: dict[str, Callable[[Settings, ObjectStore], DataCatalog]] = {
    "local": _store_catalog,
    "emulator": _store_catalog,
    "aws": _glue_catalog,
}
QUERY_ENGINES: dict[str, Callable[[Settings, ObjectStore, DataCatalog], QueryEngine]] = {
    "local": _duckdb_engine,
    "emulator": _duckdb_engine,
    "aws": _athena,
}
RECIPE_SERVICES: dict[str, Callable[[Settings, ObjectStore], RecipeService]] = {
    "local": _databrew,
    "emulator": _databrew,
    "aws": _databrew_service,
}
JOB_SERVICES: dict[str, Callable[[Settings, ObjectStore, DataCatalog], JobService]] = {
    "local": _glue_jobs,
    "emulator": _glue_jobs,
    "aws": _glue_job_service,
}


def object_store(settings: Settings) -> ObjectStore:
    return OBJECT_STORES[settings.backend](settings)


def data_catalog(settings: Settings, store: ObjectStore) -> DataCatalog:
    return CATALOGS[settings.backend](settings, store)


def query_engine(settings: Settings, store: ObjectStore, catalog: DataCatalog) -> QueryEngine:
    return QUERY_ENGINES[settings.backend](settings, store, catalog)


def recipe_service(settings: Settings, store: ObjectStore) -> RecipeService:
    return RECIPE_SERVICES[settings.backend](settings, store)


def job_service(settings: Settings, store: ObjectStore, catalog: DataCatalog) -> JobService:
    return JOB_SERVICES[settings.backend](settings, store, catalog)
