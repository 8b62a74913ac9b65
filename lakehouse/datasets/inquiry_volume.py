"""`3-1-1-inquiry-volume`: monthly 3-1-1 inquiries by department, type and channel."""

from __future__ import annotations

from lakehouse.datasets.spec import DatasetSpec, SourceField

CHANNELS = ("Phone", "Chat", "E-mail", "Social Media", "Mail")

INQUIRY_VOLUME = DatasetSpec(
    portal_id="3-1-1-inquiry-volume",
    table="inquiry_volume",
    title="3-1-1 inquiry volume (monthly, by department, type and channel)",
    fields=(
        SourceField("Department", "department"),
        SourceField("Type", "type"),
        SourceField("Year Month", "year_month"),
        SourceField("Channel", "channel"),
        SourceField("Number of Records", "number_of_records"),
        # BI_ID is renumbered on every export: the recipe drops it, it is never a key.
        SourceField("BI_ID", "bi_id"),
    ),
    landing_columns=(
        ("department", "string"),
        ("inquiry_type", "string"),
        ("channel", "string"),
        ("month_start", "date"),
        ("inquiries", "bigint"),
    ),
    recipe="inquiry-volume.recipe.json",
    ruleset="inquiry-volume.ruleset.json",
    has_sample=True,
)
