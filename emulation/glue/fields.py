"""What the catalog adds to Glue API inputs: timestamps, the catalog id, checked names."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from lakehouse.errors import InvalidInputException
from lakehouse.ports.catalog import GlueDocument

CATALOG_ID = "000000000000"  # LocalStack's default account id (moto's is 123456789012)
# Fields Glue adds to what it returns: never taken from an input (a Table passed back as
# TableInput must not carry its old VersionId into the new version).
_OUTPUT_FIELDS = frozenset({"DatabaseName", "TableName", "CreateTime", "UpdateTime", "CreationTime", "VersionId",
                            "CatalogId", "CreatedBy", "IsRegisteredWithLakeFormation"})
_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,255}$")  # names become object-key segments


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def from_input(document: GlueDocument) -> GlueDocument:
    """A deep copy of an API input without the fields only Glue sets."""
    return {k: copy.deepcopy(v) for k, v in document.items() if k not in _OUTPUT_FIELDS}


def checked_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or name in {".", ".."}:
        raise InvalidInputException(f"InvalidInputException: {what} name {name!r} is not a valid Glue name")
    return name
