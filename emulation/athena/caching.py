"""What the engine keeps between queries so a repeated query costs little more than DuckDB's own run.

Nothing here trusts a cache blindly: each entry carries what it was made from (the guarded
statement text, the table's catalog definition, the folders' modification times) and is used
only while that still matches.

* `BoundedCache`: a small LRU map (statement trees, translations, view bodies).
* `FileListings`: a table location's Parquet files and sizes. On a local store the listing is
  reused while no folder under the location has changed (adding, removing or replacing a file
  changes its folder's mtime) and none changed in the last second (file times are coarse: a
  change within the same clock tick would keep the mtime); on S3 it is listed each time, as
  Athena does.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from lakehouse.ports.object_store import ObjectStore

V = TypeVar("V")
_SETTLED_NS = 1_000_000_000


class BoundedCache(Generic[V]):
    """A least-recently-used map of at most `size` entries."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> V:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()


class FileListings:
    """Parquet files (URI as DuckDB reads it → size in bytes) under a bucket prefix."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._cache: BoundedCache[tuple[tuple[tuple[str, int], ...], dict[str, int]]] = BoundedCache(128)
        self._roots: BoundedCache[str] = BoundedCache(1024)

    def root(self, bucket: str, prefix: str) -> str:
        """The location as DuckDB reads it (`store.uri`, which depends on nothing but its arguments)."""
        root = self._roots.get((bucket, prefix))
        return root if root is not None else self._roots.put((bucket, prefix), self.store.uri(bucket, prefix))

    def parquet_files(self, bucket: str, prefix: str) -> dict[str, int] | None:
        """{file: size} under the location; None when the bucket does not exist."""
        if not bucket:
            return None
        fingerprint = self._fingerprint(bucket, prefix)
        if (fingerprint is None or fingerprint == ()) and not self.store.head_bucket(bucket):
            return None  # (a folder under the prefix proves the bucket)
        if fingerprint is not None:
            cached = self._cache.get((bucket, prefix))
            if cached is not None and cached[0] == fingerprint:
                return cached[1]
        files = {self.store.uri(bucket, info.key): info.size
                 for info in self.store.list_objects_v2(bucket, prefix) if info.key.endswith(".parquet")}
        if fingerprint is not None:
            self._cache.put((bucket, prefix), (fingerprint, files))
        return files

    def _fingerprint(self, bucket: str, prefix: str) -> tuple[tuple[str, int], ...] | None:
        """Every folder under the prefix with its mtime, on a local store; None elsewhere (no cache)."""
        if not self.store.LOCAL_PATHS or not prefix.endswith("/"):
            return None
        root = self.root(bucket, prefix)
        folders: list[tuple[str, int]] = []
        try:
            folders.append((root, os.stat(root).st_mtime_ns))
        except OSError:
            return ()  # no folder: nothing listed, and a new folder changes the fingerprint
        for folder, names, _files in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    folders.append((path, os.stat(path).st_mtime_ns))
                except OSError:
                    return None
        if max(mtime for _, mtime in folders) > time.time_ns() - _SETTLED_NS:
            return None  # changed just now: a further change in the same tick would go unseen
        return tuple(folders)
