"""`3-1-1-contact-centre-metrics`: daily calls offered, handled and abandoned at 3-1-1."""

from __future__ import annotations

from lakehouse.datasets.spec import DatasetSpec, SourceField

CONTACT_CENTRE = DatasetSpec(
    portal_id="3-1-1-contact-centre-metrics",
    table="contact_centre_metrics",
    title="3-1-1 contact centre metrics (daily calls, speed of answer, service level)",
    # Labels are the export's header exactly (note "AverageSpeedofAnswer", lower-case "of").
    # API ids follow Opendatasoft's rule (the label lower-cased); not checked against the live API.
    fields=(
        SourceField("Date", "date"),
        SourceField("CallsOffered", "callsoffered"),
        SourceField("CallsHandled", "callshandled"),
        SourceField("CallsAbandoned", "callsabandoned"),
        SourceField("AverageSpeedofAnswer", "averagespeedofanswer"),
        SourceField("ServiceLevel", "servicelevel"),
        # BI_ID is renumbered on every refresh: the recipe drops it, the key is the date.
        SourceField("BI_ID", "bi_id"),
    ),
    landing_columns=(
        ("call_date", "date"),
        ("calls_offered", "bigint"),
        ("calls_handled", "bigint"),
        ("calls_abandoned", "bigint"),
        ("avg_speed_of_answer_s", "double"),
        ("service_level", "double"),
    ),
    recipe="contact-centre-metrics.recipe.json",
    ruleset="contact-centre-metrics.ruleset.json",
    bundled_export="contact-centre-metrics_export-2024-09.csv",
)
