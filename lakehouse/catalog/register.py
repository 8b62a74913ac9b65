"""Making sure the Glue database the curated tables live in exists."""

from __future__ import annotations

from lakehouse.errors import AlreadyExistsException, EntityNotFoundException
from lakehouse.ports.catalog import DataCatalog


def ensure_database(catalog: DataCatalog, database: str) -> None:
    try:
        catalog.get_database(database)
    except EntityNotFoundException:
        try:
            catalog.create_database({"Name": database, "Description": "City of Vancouver 3-1-1 (curated zone)"})
        except AlreadyExistsException:
            pass  # another process created it first
