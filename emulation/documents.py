"""JSON documents in an object-store bucket: how the emulated services keep their state."""

from __future__ import annotations

import json
from typing import Any

from lakehouse.errors import NoSuchKey
from lakehouse.ports.object_store import ObjectStore


class JsonDocuments:
    def __init__(self, store: ObjectStore, bucket: str) -> None:
        self.store = store
        self.bucket = bucket

    def find(self, key: str) -> Any | None:
        """The document, or None when it (or the bucket) does not exist."""
        if not self.store.head_bucket(self.bucket):
            return None
        try:
            return json.loads(self.store.get_object(self.bucket, key))
        except NoSuchKey:
            return None

    def write(self, key: str, document: Any) -> None:
        self.store.create_bucket(self.bucket)
        self.store.put_object(self.bucket, key, json.dumps(document, indent=2, sort_keys=True).encode())

    def keys(self, prefix: str) -> list[str]:
        """Keys under prefix, in key order (empty when the bucket does not exist)."""
        if not self.store.head_bucket(self.bucket):
            return []
        return [info.key for info in self.store.list_objects_v2(self.bucket, prefix)]

    def delete(self, key: str) -> None:
        if self.store.head_bucket(self.bucket):
            self.store.delete_object(self.bucket, key)
