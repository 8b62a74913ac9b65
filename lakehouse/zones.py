"""The three data zones (raw, landing, curated), the catalog bucket and Athena's results bucket, on any object store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lakehouse.config import Settings
from lakehouse.errors import NoSuchKey
from lakehouse.ports.object_store import ObjectStore

Zone = Literal["raw", "landing", "curated", "catalog", "athena-results"]
DATA_ZONES: tuple[Zone, ...] = ("raw", "landing", "curated")
RESULTS_ZONE: Zone = "athena-results"  # Athena's query results: <id>.csv and <id>.csv.metadata
ZONES: tuple[Zone, ...] = (*DATA_ZONES, "catalog", RESULTS_ZONE)


@dataclass(frozen=True)
class Zones:
    """Bucket names from settings, and JSON documents kept in them."""

    store: ObjectStore
    settings: Settings

    def bucket(self, zone: Zone) -> str:
        return self.settings.bucket(zone)

    def ensure_buckets(self) -> None:
        for zone in ZONES:
            self.store.create_bucket(self.bucket(zone))

    def put_json(self, zone: Zone, key: str, document: Any) -> None:
        body = json.dumps(document, indent=2, sort_keys=True, default=str).encode()
        self.store.put_object(self.bucket(zone), key, body)

    def get_json(self, zone: Zone, key: str) -> Any:
        return json.loads(self.store.get_object(self.bucket(zone), key))

    def find_json(self, zone: Zone, key: str) -> Any | None:
        """The document, or None when the object (or its bucket) does not exist yet."""
        if not self.store.head_bucket(self.bucket(zone)):
            return None
        try:
            return self.get_json(zone, key)
        except NoSuchKey:
            return None

    def s3_uri(self, zone: Zone, key: str = "") -> str:
        """The location as AWS names it (catalog entries always use s3:// URIs)."""
        return f"s3://{self.bucket(zone)}/{key}"

    def local_file(self, zone: Zone, key: str, workdir: Path) -> Path:
        """A local file with the object's bytes: the object itself on folders, else a download."""
        bucket = self.bucket(zone)
        if self.store.LOCAL_PATHS:
            return self.store.local_path(bucket, key)
        target = workdir / key.replace("/", "__")
        self.store.download_file(bucket, key, target)
        return target
