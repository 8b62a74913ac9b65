"""An object store the web app cannot write to: reads pass through, every write is refused.

The app only ever reads; wrapping the store makes that a property of the process rather
than a promise of the code (a bug or a crafted request cannot change the lakehouse).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from lakehouse.errors import TerminalError
from lakehouse.ports.object_store import ObjectInfo, ObjectStore


class ReadOnlyStoreError(TerminalError):
    """A write was attempted through the read-only store."""


class ReadOnlyObjectStore(ObjectStore):
    def __init__(self, inner: ObjectStore) -> None:
        self.inner = inner
        self.LOCAL_PATHS = inner.LOCAL_PATHS  # type: ignore[misc]

    def _refuse(self, operation: str) -> NoReturn:
        raise ReadOnlyStoreError(f"the web app opens the lakehouse read-only ({operation} refused)")

    def head_bucket(self, bucket: str) -> bool:
        return self.inner.head_bucket(bucket)

    def get_object(self, bucket: str, key: str) -> bytes:
        return self.inner.get_object(bucket, key)

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        return self.inner.head_object(bucket, key)

    def list_objects_v2(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        return self.inner.list_objects_v2(bucket, prefix)

    def download_file(self, bucket: str, key: str, path: Path) -> None:
        self.inner.download_file(bucket, key, path)

    def uri(self, bucket: str, key: str = "") -> str:
        return self.inner.uri(bucket, key)

    def local_path(self, bucket: str, key: str) -> Path:
        return self.inner.local_path(bucket, key)

    def object_exists(self, bucket: str, key: str) -> bool:
        return self.inner.object_exists(bucket, key)

    def create_bucket(self, bucket: str) -> None:
        self._refuse("CreateBucket")

    def put_object(self, bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> ObjectInfo:
        self._refuse("PutObject")

    def delete_object(self, bucket: str, key: str) -> None:
        self._refuse("DeleteObject")

    def upload_file(self, path: Path, bucket: str, key: str) -> ObjectInfo:
        self._refuse("PutObject")

    def delete_objects(self, bucket: str, keys: list[str]) -> None:
        self._refuse("DeleteObjects")

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        self._refuse("DeleteObjects")

    def abort_incomplete_uploads(self, bucket: str, prefix: str) -> int:
        self._refuse("AbortMultipartUpload")
