"""The object store port: S3's role. Method names are S3 operation names in snake_case."""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class ObjectInfo:
    """What `head_object` and `list_objects_v2` report for one object."""

    key: str
    size: int
    last_modified: datetime
    etag: str = ""


class ObjectStore(abc.ABC):
    """Buckets of objects addressed by key; keys are validated before any I/O."""

    # Objects are plain files that engines (DuckDB, Polars) may read in place.
    LOCAL_PATHS: ClassVar[bool] = False

    @abc.abstractmethod
    def create_bucket(self, bucket: str) -> None:
        """Create the bucket if it does not exist (idempotent)."""

    @abc.abstractmethod
    def head_bucket(self, bucket: str) -> bool:
        """Whether the bucket exists."""

    @abc.abstractmethod
    def put_object(self, bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> ObjectInfo:
        """Write an object whole, replacing any object under the same key; with if_none_match,
        fail with PreconditionFailed when the key exists — S3's If-None-Match: *."""

    @abc.abstractmethod
    def get_object(self, bucket: str, key: str) -> bytes:
        """Read an object whole; raises NoSuchKey when absent."""

    @abc.abstractmethod
    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        """Describe an object; raises NoSuchKey when absent."""

    @abc.abstractmethod
    def list_objects_v2(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with prefix, in key order."""

    @abc.abstractmethod
    def delete_object(self, bucket: str, key: str) -> None:
        """Remove an object; removing a missing object is not an error (as in S3)."""

    @abc.abstractmethod
    def upload_file(self, path: Path, bucket: str, key: str) -> ObjectInfo:
        """Write a local file as an object, streaming (multipart where the store has it)."""

    def upload_file_addressed(
        self, path: Path, bucket: str, key_for: Callable[[str], str | None]
    ) -> tuple[str, str | None]:
        """Write a local file under the key `key_for` names from its sha256 hex; `key_for` returns
        None when those bytes are stored already, and nothing is written. Returns (sha256, the
        key written or None); `head_object` gives the new object's size and ETag.

        This default hashes the file, then uploads it: two reads. A store that can rename a
        finished write hashes while it copies, reading the file once."""
        with Path(path).open("rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        key = key_for(sha256)
        if key is not None:
            self.upload_file(path, bucket, key)
        return sha256, key

    @abc.abstractmethod
    def download_file(self, bucket: str, key: str, path: Path) -> None:
        """Write an object to a local file, streaming."""

    @abc.abstractmethod
    def uri(self, bucket: str, key: str = "") -> str:
        """The address engines read: a filesystem path or an s3:// URI."""

    def delete_objects(self, bucket: str, keys: list[str]) -> None:
        """Remove many objects."""
        for key in keys:
            self.delete_object(bucket, key)

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        """Remove every object under prefix; returns how many were removed."""
        keys = [info.key for info in self.list_objects_v2(bucket, prefix)]
        self.delete_objects(bucket, keys)
        return len(keys)

    def list_incomplete_uploads(self, bucket: str, prefix: str) -> list[str]:
        """Keys of writes a killed process left unfinished under prefix (what abort would discard)."""
        return []

    def abort_incomplete_uploads(self, bucket: str, prefix: str) -> int:
        """Discard writes a killed process left unfinished under prefix (S3: incomplete
        multipart uploads); returns how many. Call only when no writer is active there."""
        return 0

    def object_exists(self, bucket: str, key: str) -> bool:
        """Whether an object exists under key."""
        from lakehouse.errors import NoSuchKey

        try:
            self.head_object(bucket, key)
        except NoSuchKey:
            return False
        return True

    def local_path(self, bucket: str, key: str) -> Path:
        """The file behind an object; only stores with LOCAL_PATHS have one."""
        raise NotImplementedError(f"{type(self).__name__} keeps no local files")
