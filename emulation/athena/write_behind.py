"""Write-behind for the Athena API's own files: execution records, history and result files.

On a local store each object write ends with an fsync (several milliseconds here), and one
query writes five or six objects — more than the query itself costs. With write-behind on, a
put returns at once and one background thread writes the objects **in the order they were
put**, so a reader elsewhere sees a query's result files before the record that says it
SUCCEEDED, never the other way round. This process reads its own pending writes (get, head),
and anything that lists or deletes waits for the queue first. `flush()` waits until every
write is on the store and raises the first write error; it also runs at interpreter exit.

It is opt-in (`AthenaApi.defer_writes()`): `lakehouse query` uses it and flushes after printing;
a server that answers GetQueryExecution while its clients read results straight from S3 must not.
"""

from __future__ import annotations

import atexit
import hashlib
import queue
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from lakehouse.ports.object_store import ObjectInfo, ObjectStore

_Put = tuple[str, str, bytes]


class WriteBehindStore(ObjectStore):
    """An object store whose unconditional puts are written later, in order, by one thread."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.LOCAL_PATHS = store.LOCAL_PATHS  # type: ignore[misc] - the wrapped store's capability
        self._pending: dict[tuple[str, str], bytes] = {}
        self._queue: queue.Queue[_Put] = queue.Queue()
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._worker: threading.Thread | None = None
        self._buckets: set[str] = set()
        atexit.register(self.flush)

    # -- writes ---------------------------------------------------------------------------

    def put_object(self, bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> ObjectInfo:
        if if_none_match:  # a conditional create must see every earlier write: do it now
            self.flush()
            return self.store.put_object(bucket, key, body, if_none_match=True)
        with self._lock:
            self._raise_error()
            self._pending[(bucket, key)] = body
            self._queue.put((bucket, key, body))
            if self._worker is None:
                self._worker = threading.Thread(target=self._write_all, name="athena-write-behind", daemon=True)
                self._worker.start()
        return _info(key, body)

    def flush(self) -> None:
        """Wait until every pending write is on the store; the first write error, if any."""
        self._queue.join()
        with self._lock:
            self._raise_error()

    def _write_all(self) -> None:
        while True:
            bucket, key, body = self._queue.get()
            try:
                self.store.put_object(bucket, key, body)
            except BaseException as error:  # noqa: BLE001 - kept and raised by the next flush or put
                with self._lock:
                    self._error = self._error or error
            finally:
                with self._lock:
                    if self._pending.get((bucket, key)) is body:
                        del self._pending[(bucket, key)]
                self._queue.task_done()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    # -- reads see pending writes; listings and deletes wait for them -------------------------

    def get_object(self, bucket: str, key: str) -> bytes:
        with self._lock:
            body = self._pending.get((bucket, key))
        return body if body is not None else self.store.get_object(bucket, key)

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        with self._lock:
            body = self._pending.get((bucket, key))
        return _info(key, body) if body is not None else self.store.head_object(bucket, key)

    def list_objects_v2(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        self.flush()
        return self.store.list_objects_v2(bucket, prefix)

    def delete_object(self, bucket: str, key: str) -> None:
        self.flush()
        self.store.delete_object(bucket, key)

    def upload_file(self, path: Path, bucket: str, key: str) -> ObjectInfo:
        self.flush()
        return self.store.upload_file(path, bucket, key)

    def download_file(self, bucket: str, key: str, path: Path) -> None:
        self.flush()
        self.store.download_file(bucket, key, path)

    def create_bucket(self, bucket: str) -> None:
        if bucket not in self._buckets:
            self.store.create_bucket(bucket)
            self._buckets.add(bucket)

    def head_bucket(self, bucket: str) -> bool:
        if bucket in self._buckets:  # the port deletes objects, never buckets: a bucket seen stays
            return True
        exists = self.store.head_bucket(bucket)
        if exists:
            self._buckets.add(bucket)
        return exists

    def uri(self, bucket: str, key: str = "") -> str:
        return self.store.uri(bucket, key)

    def local_path(self, bucket: str, key: str) -> Path:
        self.flush()
        return self.store.local_path(bucket, key)


def _info(key: str, body: bytes) -> ObjectInfo:
    return ObjectInfo(key=key, size=len(body), last_modified=datetime.now(UTC),
                      etag=hashlib.md5(body, usedforsecurity=False).hexdigest())

