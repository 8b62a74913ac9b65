"""What a source dataset looks like: its fields, headers, types and valid values.

A specification is data, not code paths: readers, cleaning and validation are driven
by it, so a new dataset is a new specification rather than a special case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "year_month", "count", "row_id"]


@dataclass(frozen=True)
class Field:
    """One column of a source export."""

    name: str  # the landing column (snake_case)
    label: str  # the header of the portal's CSV export
    api_id: str  # the field id of the portal's API v2.1 and JSON export
    kind: FieldKind
    required: bool = True
    # Canonical spellings; a value matching one case-insensitively is rewritten to it.
    vocabulary: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    """A portal dataset and the shape of its exports."""

    portal_id: str  # the Opendatasoft dataset id, also the raw-zone folder
    table: str  # the landing / curated table name
    title: str
    fields: tuple[Field, ...]
    separator: str = ";"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f.label for f in self.fields)

    @property
    def api_ids(self) -> tuple[str, ...]:
        return tuple(f.api_id for f in self.fields)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def header_line(self) -> str:
        return self.separator.join(self.labels)
