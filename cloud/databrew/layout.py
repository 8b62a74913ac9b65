"""Where the deployed DataBrew jobs read and write, shared by deploy (cloud/deploy/resources.py)
and run (cloud/deploy/run.py).

Real DataBrew writes only its output files (`<job>_<timestamp>_part00000.parquet`), and an
output with Overwrite empties its location first. So the recipe job writes into a staging
folder of its own (never the landing folder, whose `source=…/` history Overwrite would wipe);
`cloud run` then validates that output with the profile job and publishes it as a landing
source with its manifest (cloud/databrew/landing.py)."""

from __future__ import annotations

from typing import Any

from lakehouse.config import Settings
from lakehouse.datasets.spec import DatasetSpec

STAGING_FOLDER = "_databrew-output/"
VALIDATION_FOLDER = "_databrew-validation/"
VALIDATION_REPORT_SUFFIX = "dq-validation-report.json"


def staging_key(spec: DatasetSpec) -> str:
    """The recipe job's output folder in the landing bucket (one run's files at a time)."""
    return f"{spec.portal_id}/{STAGING_FOLDER}"


def validation_key(spec: DatasetSpec) -> str:
    """The profile job's output folder in the landing bucket (profiles and validation reports)."""
    return f"{spec.portal_id}/{VALIDATION_FOLDER}"


def recipe_job_outputs(settings: Settings, spec: DatasetSpec) -> list[dict[str, Any]]:
    """One Parquet file (MaxOutputFiles 1) replacing the previous run's, in the staging folder."""
    return [{"Location": {"Bucket": settings.bucket("landing"), "Key": staging_key(spec)},
             "Format": "PARQUET", "Overwrite": True, "MaxOutputFiles": 1}]


def raw_format_options(spec: DatasetSpec) -> dict[str, Any]:
    """How DataBrew must read the portal's export: its separator, a header row."""
    return {"Csv": {"Delimiter": spec.separator, "HeaderRow": True}}


def landing_dataset_name(spec: DatasetSpec) -> str:
    """The DataBrew dataset over the recipe job's output: what the profile job validates."""
    return f"{spec.portal_id}-landing"


def validate_job_name(spec: DatasetSpec) -> str:
    return f"{spec.portal_id}-validate"


def databrew_arn(settings: Settings, account: str, kind: str, name: str) -> str:
    return f"arn:aws:databrew:{settings.region}:{account}:{kind}/{name}"
