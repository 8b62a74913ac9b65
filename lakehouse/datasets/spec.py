"""What a source dataset looks like, and what its landing table must look like.

A specification is data, not code paths: the reader, the cleaning recipe and the
landing contract come from it, so a new dataset is a new specification (plus a recipe)
rather than a special case.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceField:
    """One column of a source export."""

    label: str  # the header of the portal's CSV export: the name the recipe sees
    api_id: str  # the field id of the portal's API v2.1 and JSON export


@dataclass(frozen=True)
class DatasetSpec:
    """A portal dataset, the shape of its exports and the contract of its landing table."""

    portal_id: str  # the Opendatasoft dataset id, also the raw-zone folder
    table: str  # the landing / curated table name
    title: str
    fields: tuple[SourceField, ...]
    # Landing columns and their Glue types: what the cleaning recipe must produce.
    landing_columns: tuple[tuple[str, str], ...]
    recipe: str  # a DataBrew recipe file under lakehouse/recipes/definitions/
    ruleset: str | None = None  # a DataBrew ruleset file there, checked before landing is published
    separator: str = ";"
    # A real export shipped with the platform (lakehouse/datasets/bundled/), the default
    # source when the dataset has no synthetic sample generator.
    bundled_export: str | None = None
    has_sample: bool = False  # `lakehouse sample` can generate this dataset

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f.label for f in self.fields)

    @property
    def api_ids(self) -> tuple[str, ...]:
        return tuple(f.api_id for f in self.fields)

    def header_line(self) -> str:
        return self.separator.join(self.labels)
