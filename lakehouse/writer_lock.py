"""One writer at a time per lakehouse: commands that change it (`run`, `ingest`, `prepare`,
`transform`, `job run`) hold this lock; readers (queries, the web app) never take it, since
tables are published atomically through the catalog.

On folders the lock is an OS file lock (`flock`) on `<home>/.writer.lock`: the kernel
releases it when its process ends, even by SIGKILL, so it can never be left stale. On S3 it
is a lease object in the catalog bucket, created with If-None-Match and renewed by a heartbeat;
a lease whose holder stopped renewing for LEASE_SECONDS may be taken over, and so may at once
a lease whose holder was a process of this host that is gone (a SIGKILLed command).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lakehouse.errors import NoSuchKey, PreconditionFailed, TerminalError
from lakehouse.zones import Zones

LOCK_KEY = "locks/writer.json"
LEASE_SECONDS = 60.0
_POLL_SECONDS = 0.2
_held: dict[str, int] = {}  # lock id -> depth: a run's stages nest inside it in one process
_held_guard = threading.Lock()


class WriterBusy(TerminalError):
    """Another command is writing to the same lakehouse."""


@contextlib.contextmanager
def exclusive_writer(zones: Zones, command: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the lakehouse's writer lock for `command`; WriterBusy after `wait_seconds`."""
    identity = _lock_id(zones)
    with _held_guard:
        if _held.get(identity):
            _held[identity] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[identity] -= 1
        return
    holder = {"command": command, "host": socket.gethostname(), "pid": os.getpid(),
              "since": datetime.now(UTC).isoformat(timespec="seconds"), "token": uuid.uuid4().hex}
    lock = _FileLock(zones) if zones.store.LOCAL_PATHS else _LeaseLock(zones)
    lock.acquire(holder, wait_seconds)
    with _held_guard:
        _held[identity] = 1
    try:
        yield
    finally:
        with _held_guard:
            _held.pop(identity, None)
        lock.release()


def _lock_id(zones: Zones) -> str:
    return zones.store.uri(zones.bucket("catalog"))


def _busy(zones: Zones, holder: dict[str, Any] | None, waited: float) -> WriterBusy:
    who = (f"`lakehouse {holder.get('command')}` (pid {holder.get('pid')} on {holder.get('host')}, since "
           f"{holder.get('since')})") if holder else "another command"
    where = zones.settings.home if zones.store.LOCAL_PATHS else zones.store.uri(zones.bucket("catalog"))
    return WriterBusy(f"{who} is writing to {where}; waited {waited:.0f} s. "
                      "Try again when it finishes, or pass --wait SECONDS")


class _FileLock:
    def __init__(self, zones: Zones) -> None:
        self.zones = zones
        self.path = zones.settings.home / ".writer.lock"
        self.handle: Any = None

    def acquire(self, holder: dict[str, Any], wait_seconds: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    text = handle.read()
                    handle.close()
                    raise _busy(self.zones, _parse(text), wait_seconds) from None
                time.sleep(_POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder))  # who holds it, for the message another command prints
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            self.handle.truncate(0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


class _LeaseLock:
    def __init__(self, zones: Zones) -> None:
        self.zones = zones
        self.bucket = zones.bucket("catalog")
        self.stop = threading.Event()
        self.heartbeat: threading.Thread | None = None
        self.holder: dict[str, Any] = {}

    def _write(self, conditional: bool) -> None:
        lease = {**self.holder, "expires": time.time() + LEASE_SECONDS}
        self.zones.store.put_object(self.bucket, LOCK_KEY, json.dumps(lease).encode(), if_none_match=conditional)

    def _current(self) -> dict[str, Any] | None:
        try:
            return _parse(self.zones.store.get_object(self.bucket, LOCK_KEY).decode())
        except NoSuchKey:
            return None

    def acquire(self, holder: dict[str, Any], wait_seconds: float) -> None:
        self.holder = holder
        self.zones.store.create_bucket(self.bucket)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                self._write(conditional=True)
                break
            except PreconditionFailed:
                current = self._current()
                if current is not None and (float(current.get("expires", 0)) < time.time() or _gone(current)):
                    self.zones.store.delete_object(self.bucket, LOCK_KEY)  # its holder stopped renewing, or died
                    continue
                if time.monotonic() >= deadline:
                    raise _busy(self.zones, current, wait_seconds) from None
                time.sleep(_POLL_SECONDS)
        self.heartbeat = threading.Thread(target=self._renew, name="writer-lease", daemon=True)
        self.heartbeat.start()

    def _renew(self) -> None:
        while not self.stop.wait(LEASE_SECONDS / 3):
            current = self._current()
            if current is None or current.get("token") != self.holder["token"]:
                return  # taken over after we stalled past the lease: nothing of ours to renew
            self._write(conditional=False)

    def release(self) -> None:
        self.stop.set()
        if self.heartbeat is not None:
            self.heartbeat.join()
        current = self._current()
        if current is not None and current.get("token") == self.holder["token"]:
            self.zones.store.delete_object(self.bucket, LOCK_KEY)


def _gone(holder: dict[str, Any]) -> bool:
    """Whether the lease's holder was a process of this host that no longer exists (killed): its
    lease need not run out before another command takes it."""
    if holder.get("host") != socket.gethostname() or not str(holder.get("pid", "")).isdigit():
        return False
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _parse(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
