"""After a deployed DataBrew recipe job: what the local runner does in one process, done here
around real DataBrew, which writes only its output files.

1. The run's output (cloud/databrew/layout.py: one Parquet file in the staging folder).
2. The profile job over that output with the ruleset; a failed blocking rule stops the run.
3. The output published as a landing source: the data file, the profile, then the manifest the
   Glue job and the local code read (raw key and sha256, counts, recipe version, job run id).

Counts: DataBrew drops the rows a recipe filters without a trace, so the manifest's rejected
rows are raw rows minus landing rows, recorded as one entry of `rejected_by_step`, and there is
no rejected.parquet. Raw rows are counted by the platform's own parser on the raw object."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from cloud.databrew import layout
from lakehouse.datasets.readers import parse_source
from lakehouse.datasets.source_check import check_source
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import StageError
from lakehouse.ingest import RawManifest
from lakehouse.landing import NOT_ITEMISED, LandingManifest, data_key, profile_key, write_manifest
from lakehouse.recipes.definitions import definition_path
from lakehouse.recipes.profile import profile_frame
from lakehouse.recipes.rules import load_ruleset
from lakehouse.zones import Zones

Log = Callable[[str], None]


def run_output_keys(zones: Zones, spec: DatasetSpec) -> list[str]:
    """The Parquet files the recipe job left in its staging folder (Overwrite: this run's only)."""
    bucket, folder = zones.bucket("landing"), layout.staging_key(spec)
    keys = [info.key for info in zones.store.list_objects_v2(bucket, folder)
            if info.key.endswith(".parquet") and "/" not in info.key[len(folder):]]
    if not keys:
        raise StageError(f"DataBrew job {spec.portal_id} wrote no Parquet file under s3://{bucket}/{folder}")
    return sorted(keys)


def failed_rules(zones: Zones, spec: DatasetSpec, run_id: str, started: datetime, log: Log) -> list[str]:
    """Rules the validation report of profile run `run_id` marks failed that block the pipeline
    (the local ruleset's NonBlockingRules, which DataBrew never sees, only warn)."""
    bucket, folder = zones.bucket("landing"), layout.validation_key(spec)
    reports = [info for info in zones.store.list_objects_v2(bucket, folder)
               if info.key.endswith(layout.VALIDATION_REPORT_SUFFIX) and info.last_modified >= started]
    # The report named after this run; failing that (AWS's naming is unverified), the newest since it started.
    named = [info for info in reports if run_id in info.key]
    if not (named or reports):
        raise StageError(f"profile job {layout.validate_job_name(spec)} run {run_id} wrote no validation report "
                         f"under s3://{bucket}/{folder}")
    newest = max(named or reports, key=lambda info: info.last_modified)
    report = json.loads(zones.store.get_object(bucket, newest.key))
    failed = [rule["name"] for ruleset in report.get("rulesetResults", [])
              for rule in ruleset.get("ruleResults", []) if rule.get("status") == "FAILED"]
    assert spec.ruleset is not None  # a validation run exists only for a dataset with a ruleset
    non_blocking = {rule.name for rule in load_ruleset(definition_path(spec.ruleset)).rules if not rule.blocking}
    for name in failed:
        if name in non_blocking:
            log(f"rule {name}: FAILED (non-blocking: landing is published)")
    return [name for name in failed if name not in non_blocking]


def publish(zones: Zones, spec: DatasetSpec, raw: RawManifest, output_keys: list[str], recipe: str,
            recipe_version: str, job_run_id: str, log: Log) -> LandingManifest:
    """The run's output as a landing source, with its profile and manifest (written last)."""
    bucket = zones.bucket("landing")
    with tempfile.TemporaryDirectory(prefix="lakehouse-databrew-landing-") as scratch:
        workdir = Path(scratch)
        parts = [zones.local_file("landing", key, workdir) for key in output_keys]
        landing_path = workdir / "landing.parquet"
        pl.scan_parquet(parts).sink_parquet(landing_path)
        landing_rows = int(pl.scan_parquet(landing_path).select(pl.len()).collect().item())
        raw_rows = count_raw_rows(zones, spec, raw, workdir)
        dropped = raw_rows - landing_rows
        if dropped < 0:
            raise StageError(f"DataBrew job run {job_run_id} wrote {landing_rows} rows from {raw_rows} raw rows "
                             f"of {raw.key}: more rows than the source has")
        manifest = LandingManifest(
            dataset=spec.portal_id, raw_key=raw.key, raw_sha256=raw.sha256, synthetic=raw.synthetic,
            raw_rows=raw_rows, landing_rows=landing_rows, rejected_rows=dropped,
            rejected_by_step=[{"step": None, "operation": NOT_ITEMISED, "rows": dropped,
                               "example": "DataBrew keeps no rejected rows"}] if dropped else [],
            recipe=recipe, recipe_version=recipe_version, job_run_id=job_run_id,
            prepared_at=datetime.now(UTC).isoformat(timespec="microseconds"), data_key=data_key(spec, raw.sha256))
        zones.store.upload_file(landing_path, bucket, manifest.data_key)
        zones.put_json("landing", profile_key(spec), profile_frame(pl.scan_parquet(landing_path)))
    write_manifest(zones, spec, manifest)  # last: readers trust the data it describes
    log(f"landing {landing_rows} rows from {raw_rows} raw rows ({dropped} dropped by the recipe)")
    return manifest


def count_raw_rows(zones: Zones, spec: DatasetSpec, raw: RawManifest, workdir: Path) -> int:
    """Rows of the raw object as the platform counts them (the same parser as a local prepare)."""
    source = zones.local_file("raw", raw.key, workdir)
    return int(parse_source(check_source(source, spec), spec, workdir).raw_rows)


def recipe_version_of(run: dict[str, Any]) -> str:
    return str((run.get("RecipeReference") or {}).get("RecipeVersion", ""))
