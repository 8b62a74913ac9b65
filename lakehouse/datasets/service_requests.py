"""`3-1-1-service-requests`: one row per service request a department received through 3-1-1."""

from __future__ import annotations

from lakehouse.datasets.spec import DatasetSpec, SourceField

# Canonical channel spellings; the recipe maps case variants (WEB, Web, web) onto them.
CHANNELS = ("Web", "Phone", "Mobile App", "E-mail", "Chat", "Social Media", "Mail Out", "Unknown")
STATUSES = ("Open", "Closed")

SERVICE_REQUESTS = DatasetSpec(
    portal_id="3-1-1-service-requests",
    table="service_requests",
    title="3-1-1 service requests (one row per request)",
    # API ids are the real sample's header. Labels are the portal's column titles as other
    # public projects quote them ("Service request open timestamp", "Local area"); the
    # export header itself was not available to check.
    fields=(
        SourceField("Department", "department"),
        SourceField("Service request type", "service_request_type"),
        SourceField("Status", "status"),
        SourceField("Closure reason", "closure_reason"),
        SourceField("Service request open timestamp", "service_request_open_timestamp"),
        SourceField("Service request close date", "service_request_close_date"),
        SourceField("Last modified timestamp", "last_modified_timestamp"),
        SourceField("Address", "address"),
        SourceField("Local area", "local_area"),
        SourceField("Channel", "channel"),
        SourceField("Latitude", "latitude"),
        SourceField("Longitude", "longitude"),
        # A dict written as text ({'lon': …, 'lat': …}) repeating latitude/longitude: dropped.
        SourceField("geom", "geom"),
    ),
    landing_columns=(
        ("department", "string"),
        ("service_request_type", "string"),
        ("status", "string"),
        ("closure_reason", "string"),
        ("opened_at", "timestamp"),  # UTC
        ("closed_date", "date"),  # as published: a local calendar date, null while open
        ("last_modified_at", "timestamp"),  # UTC
        ("address", "string"),
        ("local_area", "string"),
        ("channel", "string"),
        ("latitude", "double"),
        ("longitude", "double"),
    ),
    recipe="service-requests.recipe.json",
    ruleset="service-requests.ruleset.json",
    bundled_export="service-requests_api-sample-10k.csv",
)
