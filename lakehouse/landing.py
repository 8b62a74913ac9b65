"""The landing zone's layout: one folder per prepared source, plus the latest manifest.

    landing/<dataset>/source=<sha256[:16]>/<table>.parquet   typed rows of that source
    landing/<dataset>/source=<sha256[:16]>/rejected.parquet  rows the recipe rejected, and why
    landing/<dataset>/source=<sha256[:16]>/_manifest.json    counts, recipe version, job run
    landing/<dataset>/_manifest.json                         the latest prepare (for status)
    landing/<dataset>/_profile.json                          profile of the latest prepared rows

Keeping every source lets an ETL job upsert exports by natural key and a full refresh
rebuild from all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakehouse.datasets.spec import DatasetSpec
from lakehouse.zones import Zones

MANIFEST = "_manifest.json"
PROFILE = "_profile.json"
REJECTED = "rejected.parquet"


@dataclass(frozen=True)
class LandingManifest:
    """What the landing zone records about one prepared source."""

    dataset: str
    raw_key: str
    raw_sha256: str
    synthetic: bool
    raw_rows: int
    landing_rows: int
    rejected_rows: int
    # One entry per recipe step that rejected rows (step 0 = unparseable lines):
    # {"step", "operation", "rows", "example"} with one of the reasons as the example.
    rejected_by_step: list[dict[str, Any]] = field(default_factory=list)
    recipe: str = ""
    recipe_version: str = ""
    job_run_id: str = ""  # the DataBrew job run that wrote this landing data
    prepared_at: str = ""
    data_key: str = ""  # the landing object holding the rows

    @property
    def rejects_itemised(self) -> bool:
        """Whether a rejected-rows file lists the rejected rows (a real DataBrew job only drops them)."""
        return not any(entry.get("operation") == NOT_ITEMISED for entry in self.rejected_by_step)


# The rejected_by_step operation of rows a real DataBrew recipe job dropped without a record.
NOT_ITEMISED = "dropped by DataBrew (not itemised)"


def source_folder(spec: DatasetSpec, raw_sha256: str) -> str:
    return f"{spec.portal_id}/source={raw_sha256[:16]}/"


def data_key(spec: DatasetSpec, raw_sha256: str) -> str:
    return f"{source_folder(spec, raw_sha256)}{spec.table}.parquet"


def rejected_key(spec: DatasetSpec, raw_sha256: str) -> str:
    return f"{source_folder(spec, raw_sha256)}{REJECTED}"


def profile_key(spec: DatasetSpec) -> str:
    return f"{spec.portal_id}/{PROFILE}"


def write_manifest(zones: Zones, spec: DatasetSpec, manifest: LandingManifest) -> None:
    """The source's manifest, then the latest pointer: each written after its data."""
    from dataclasses import asdict

    document = asdict(manifest)
    zones.put_json("landing", f"{source_folder(spec, manifest.raw_sha256)}{MANIFEST}", document)
    zones.put_json("landing", f"{spec.portal_id}/{MANIFEST}", document)


def landing_manifest(zones: Zones, spec: DatasetSpec) -> LandingManifest | None:
    """The latest prepare of a dataset, or None before the first."""
    document = zones.find_json("landing", f"{spec.portal_id}/{MANIFEST}")
    return None if document is None else LandingManifest(**document)


def landing_sources(zones: Zones, spec: DatasetSpec) -> list[LandingManifest]:
    """Every prepared source of a dataset, in the order they were prepared."""
    bucket = zones.bucket("landing")
    if not zones.store.head_bucket(bucket):
        return []
    manifests = [
        LandingManifest(**zones.get_json("landing", info.key))
        for info in zones.store.list_objects_v2(bucket, f"{spec.portal_id}/source=")
        if info.key.endswith(f"/{MANIFEST}")
    ]
    return sorted(manifests, key=lambda m: (m.prepared_at, m.raw_sha256))
