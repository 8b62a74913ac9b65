"""Ingest: keep a source file byte for byte in the raw zone, with a manifest.

Raw objects are addressed by content (sha256), so ingesting the same bytes again
keeps nothing new; `_current.json` names the raw object the next prepare reads. On local
folders the export is read once: hashed while it is copied (`upload_file_addressed`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from lakehouse.datasets.source_check import check_source
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import StageError
from lakehouse.zones import Zones

CURRENT = "_current.json"
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class RawManifest:
    """What the raw zone records about one ingested source file."""

    dataset: str
    key: str  # object key in the raw bucket
    source: str  # where it came from: a path, a portal URL, or "sample"
    filename: str
    format: str
    size: int
    sha256: str
    ingested_at: str
    synthetic: bool


@dataclass(frozen=True)
class IngestResult:
    manifest: RawManifest
    already_present: bool


def ingest(zones: Zones, path: Path, spec: DatasetSpec, source: str, synthetic: bool = False) -> IngestResult:
    """Store `path` in the raw zone unless the same bytes are already there."""
    layout = check_source(path, spec)  # refuse a malformed source before touching any zone
    filename = _safe_filename(path.name, layout.format)
    zones.ensure_buckets()
    existing: dict | None = None

    def key_for(sha256: str) -> str | None:
        # The raw key is named by the content, known only once the bytes are read: the store
        # hashes while it copies (one read of the export), and keeps nothing when it is known.
        nonlocal existing
        existing = zones.find_json("raw", f"{spec.portal_id}/sha256={sha256}/_manifest.json")
        return None if existing is not None else f"{spec.portal_id}/sha256={sha256}/{filename}"

    sha256, _ = zones.store.upload_file_addressed(path, zones.bucket("raw"), key_for)
    folder = f"{spec.portal_id}/sha256={sha256}"
    if existing is not None:
        manifest = RawManifest(**existing)
        already_present = True
    else:
        manifest = RawManifest(
            dataset=spec.portal_id,
            key=f"{folder}/{filename}",
            source=source,
            filename=filename,
            format=layout.format,
            size=path.stat().st_size,
            sha256=sha256,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            synthetic=synthetic,
        )
        # The manifest is written last: its presence means the object is complete.
        zones.put_json("raw", f"{folder}/_manifest.json", asdict(manifest))
        already_present = False
    current = zones.find_json("raw", f"{spec.portal_id}/{CURRENT}")
    if current != asdict(manifest):
        zones.put_json("raw", f"{spec.portal_id}/{CURRENT}", asdict(manifest))
    return IngestResult(manifest, already_present)


def current_raw(zones: Zones, spec: DatasetSpec) -> RawManifest:
    """The raw object the next prepare reads; a clear error when nothing was ingested."""
    document = zones.find_json("raw", f"{spec.portal_id}/{CURRENT}")
    if document is None:
        raise StageError(f"nothing ingested yet for {spec.portal_id}: run `lakehouse ingest` first")
    return RawManifest(**document)


def raw_manifests(zones: Zones, spec: DatasetSpec) -> list[RawManifest]:
    """Every source ingested for a dataset, oldest first."""
    if not zones.store.head_bucket(zones.bucket("raw")):
        return []
    manifests = [
        RawManifest(**zones.get_json("raw", info.key))
        for info in zones.store.list_objects_v2(zones.bucket("raw"), f"{spec.portal_id}/sha256=")
        if info.key.endswith("/_manifest.json")
    ]
    return sorted(manifests, key=lambda manifest: manifest.ingested_at)


def _safe_filename(name: str, source_format: str) -> str:
    cleaned = _UNSAFE_NAME_CHARACTERS.sub("_", name).strip("._")
    return cleaned or f"export.{source_format}"
