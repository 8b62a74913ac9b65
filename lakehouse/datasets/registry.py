"""The datasets the platform knows, by portal id."""

from __future__ import annotations

from lakehouse.datasets.contact_centre import CONTACT_CENTRE
from lakehouse.datasets.inquiry_volume import INQUIRY_VOLUME
from lakehouse.datasets.service_requests import SERVICE_REQUESTS
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import ConfigError

DATASETS: dict[str, DatasetSpec] = {spec.portal_id: spec for spec in (INQUIRY_VOLUME, CONTACT_CENTRE, SERVICE_REQUESTS)}
DEFAULT_DATASET = INQUIRY_VOLUME.portal_id


def dataset(portal_id: str) -> DatasetSpec:
    """The specification of a known dataset; a clear error names the known ones."""
    try:
        return DATASETS[portal_id]
    except KeyError:
        raise ConfigError(f"unknown dataset {portal_id!r} (known: {', '.join(DATASETS)})") from None
