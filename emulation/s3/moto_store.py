"""The object store port over moto's S3 backend in this process: what the emulator's own
services use, so that keeping their state costs a dictionary access instead of an HTTP
round trip to themselves. Clients still reach the same buckets over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moto.s3.exceptions import MissingBucket

from emulation.endpoint.s3_state import moto_s3
from lakehouse.errors import NoSuchBucket, NoSuchKey, PreconditionFailed
from lakehouse.keys import validate_bucket_name, validate_key, validate_prefix
from lakehouse.ports.object_store import ObjectInfo, ObjectStore


class MotoBackendStore(ObjectStore):
    def __init__(self, region: str = "us-east-1", on_change: Callable[[], None] = lambda: None) -> None:
        self.region = region
        self.on_change = on_change
        self._conditional = threading.Lock()  # makes If-None-Match check-and-write atomic

    def create_bucket(self, bucket: str) -> None:
        validate_bucket_name(bucket)
        if bucket not in moto_s3().buckets:
            moto_s3().create_bucket(bucket, self.region)
            self.on_change()

    def head_bucket(self, bucket: str) -> bool:
        return validate_bucket_name(bucket) in moto_s3().buckets

    def put_object(self, bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> ObjectInfo:
        self._bucket(bucket)
        validate_key(key)
        with self._conditional:
            if if_none_match and moto_s3().head_object(bucket, key) is not None:
                raise PreconditionFailed(f"PreconditionFailed: s3://{bucket}/{key} already exists (If-None-Match: *)")
            stored = moto_s3().put_object(bucket, key, body)
        self.on_change()
        return _info(key, stored.size, stored.last_modified, stored.etag)

    def get_object(self, bucket: str, key: str) -> bytes:
        return self._key(bucket, key).value

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        stored = self._key(bucket, key)
        return _info(key, stored.size, stored.last_modified, stored.etag)

    def list_objects_v2(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        validate_prefix(prefix)  # before the first item is asked for, as the other stores do
        return self._list(self._bucket(bucket).keys, prefix)

    @staticmethod
    def _list(keys: Any, prefix: str) -> Iterator[ObjectInfo]:
        for name in sorted(name for name in list(keys.keys()) if name.startswith(prefix)):
            stored = keys.get(name)
            if stored is not None and not getattr(stored, "is_delete_marker", False):
                yield _info(name, stored.size, stored.last_modified, stored.etag)

    def delete_object(self, bucket: str, key: str) -> None:
        self._bucket(bucket)
        moto_s3().delete_object(bucket, validate_key(key))
        self.on_change()

    def list_incomplete_uploads(self, bucket: str, prefix: str) -> list[str]:
        validate_prefix(prefix)
        uploads = self._bucket(bucket).multiparts
        return sorted(upload.key_name for upload in list(uploads.values()) if upload.key_name.startswith(prefix))

    def abort_incomplete_uploads(self, bucket: str, prefix: str) -> int:
        validate_prefix(prefix)
        uploads = self._bucket(bucket).multiparts
        doomed = [upload_id for upload_id, upload in list(uploads.items()) if upload.key_name.startswith(prefix)]
        for upload_id in doomed:
            moto_s3().abort_multipart_upload(bucket, upload_id)
        if doomed:
            self.on_change()
        return len(doomed)

    def upload_file(self, path: Path, bucket: str, key: str) -> ObjectInfo:
        return self.put_object(bucket, key, path.read_bytes())

    def download_file(self, bucket: str, key: str, path: Path) -> None:
        body = self.get_object(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    def uri(self, bucket: str, key: str = "") -> str:
        return f"s3://{validate_bucket_name(bucket)}/{validate_prefix(key)}"

    def _bucket(self, bucket: str):  # type: ignore[no-untyped-def]
        try:
            return moto_s3().get_bucket(validate_bucket_name(bucket))
        except MissingBucket:
            raise NoSuchBucket(f"NoSuchBucket: bucket {bucket!r} does not exist") from None

    def _key(self, bucket: str, key: str):  # type: ignore[no-untyped-def]
        self._bucket(bucket)
        stored = moto_s3().get_object(bucket, validate_key(key))
        if stored is None:
            raise NoSuchKey(f"NoSuchKey: no object {key!r} in bucket {bucket!r}")
        return stored


def _info(key: str, size: int, modified: datetime, etag: str) -> ObjectInfo:
    stamp = modified if modified.tzinfo else modified.replace(tzinfo=UTC)
    return ObjectInfo(key=key, size=int(size), last_modified=stamp, etag=etag.strip('"'))
