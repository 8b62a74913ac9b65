"""`3-1-1-inquiry-volume`: monthly 3-1-1 inquiries by department, type and channel."""

from __future__ import annotations

from lakehouse.datasets.spec import DatasetSpec, Field

CHANNELS = ("Phone", "Chat", "E-mail", "Social Media", "Mail")

INQUIRY_VOLUME = DatasetSpec(
    portal_id="3-1-1-inquiry-volume",
    table="inquiry_volume",
    title="3-1-1 inquiry volume (monthly, by department, type and channel)",
    fields=(
        Field("department", "Department", "department", "text"),
        Field("inquiry_type", "Type", "type", "text"),
        Field("year_month", "Year Month", "year_month", "year_month"),
        Field("channel", "Channel", "channel", "text", vocabulary=CHANNELS),
        Field("inquiries", "Number of Records", "number_of_records", "count"),
        # BI_ID is renumbered on every export: kept for lineage, never a key.
        Field("bi_id", "BI_ID", "bi_id", "row_id", required=False),
    ),
)
