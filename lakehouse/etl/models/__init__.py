"""Each dataset's curated model, by portal id."""

from __future__ import annotations

from lakehouse.errors import ConfigError
from lakehouse.etl.models import contact_centre, inquiry_volume, service_requests
from lakehouse.etl.tables import CuratedModel, CuratedTable

MODELS: dict[str, CuratedModel] = {
    model.dataset: model for model in (inquiry_volume.MODEL, contact_centre.MODEL, service_requests.MODEL)
}
ALL_TABLES: tuple[CuratedTable, ...] = tuple(table for model in MODELS.values() for table in model.tables)


def model_for(portal_id: str) -> CuratedModel:
    try:
        return MODELS[portal_id]
    except KeyError:
        raise ConfigError(f"no curated model for dataset {portal_id!r}") from None
