"""Keeps the in-process S3 (moto's backend) on disk, so the emulator's buckets, and with them
every service's state (kept as documents in the catalog bucket), survive a restart.

Objects are written content-addressed (`objects/<sha256>`, so any key is safe on disk) with
an index of bucket → key → blob; a flush writes only objects whose ETag changed since the
last one, then replaces the index atomically. A change is flushed before it is acknowledged
(`sync`, called before the emulator answers a write): a client told that its object was
written finds it after the emulator is killed and restarted. Flushing later (as this did
first) lost the last moment's acknowledged writes on a SIGKILL, and since a flush reads the
buckets one after the other, could keep a catalog version whose data files it lost (found by
tests/reliability/test_emulator_kills.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import S3Backend, s3_backends

FLUSH_DELAY_SECONDS = 0.5


def moto_s3() -> S3Backend:
    return s3_backends[DEFAULT_ACCOUNT_ID]["aws"]


class S3State:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.objects = directory / "objects"
        self.index_path = directory / "index.json"
        self._flushed: dict[tuple[str, str], tuple[str, str]] = {}  # (bucket, key) -> (etag, blob)
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def load(self) -> int:
        """Put the saved buckets and objects back into the backend; the number of objects."""
        if not self.index_path.exists():
            return 0
        index: dict[str, Any] = json.loads(self.index_path.read_text())
        backend, count = moto_s3(), 0
        for bucket, saved in index["buckets"].items():
            if bucket not in backend.buckets:
                backend.create_bucket(bucket, saved["region"])
            for key, entry in saved["objects"].items():
                stored = backend.put_object(bucket, key, (self.objects / entry["blob"]).read_bytes())
                stored.set_metadata(entry.get("metadata", {}))
                self._flushed[(bucket, key)] = (stored.etag, entry["blob"])
                count += 1
        return count

    def changed(self) -> None:
        self._dirty.set()

    def sync(self) -> None:
        """Make every change so far durable (a request's own, before it is answered)."""
        self.flush()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._flush_loop, name="s3-state", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._dirty.set()
        if self._thread is not None:
            self._thread.join()
        self.flush()

    def clear(self) -> None:
        with self._lock:
            self._flushed.clear()
            self.index_path.unlink(missing_ok=True)

    def _flush_loop(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            if self._stop.is_set():
                return
            self._stop.wait(FLUSH_DELAY_SECONDS)  # gather a burst of writes into one flush
            self._dirty.clear()
            self.flush()

    def flush(self) -> None:
        with self._lock:
            self.objects.mkdir(parents=True, exist_ok=True)
            backend, index, seen = moto_s3(), {}, {}
            for name, bucket in list(backend.buckets.items()):
                objects = {}
                for key, stored in list(bucket.keys.items()):
                    if stored is None or getattr(stored, "is_delete_marker", False):
                        continue
                    known = self._flushed.get((name, key))
                    if known is not None and known[0] == stored.etag:
                        blob = known[1]
                    else:
                        blob = self._write_blob(stored.value)
                    seen[(name, key)] = (stored.etag, blob)
                    objects[key] = {"blob": blob, "metadata": dict(stored.metadata)}
                index[name] = {"region": bucket.region_name, "objects": objects}
            temporary = self.index_path.with_suffix(".tmp")
            temporary.write_text(json.dumps({"buckets": index}))
            os.replace(temporary, self.index_path)
            for _, blob in set(self._flushed.values()) - set(seen.values()):
                if blob not in {b for _, b in seen.values()}:
                    (self.objects / blob).unlink(missing_ok=True)
            self._flushed = seen

    def _write_blob(self, value: bytes) -> str:
        blob = hashlib.sha256(value).hexdigest()
        path = self.objects / blob
        if not path.exists():
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(value)
            os.replace(temporary, path)
        return blob
