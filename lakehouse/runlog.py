"""A record of every command that changed the lakehouse, kept in the catalog bucket."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from lakehouse.writer_lock import exclusive_writer
from lakehouse.zones import Zones

PREFIX = "runs/"


@dataclass
class RunRecord:
    command: str
    run_id: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3))
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished_at: str = ""
    status: str = "RUNNING"  # RUNNING → SUCCEEDED | FAILED
    details: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def save_run(zones: Zones, record: RunRecord) -> None:
    zones.store.create_bucket(zones.bucket("catalog"))
    zones.put_json("catalog", f"{PREFIX}{record.run_id}.json", asdict(record))


def finish_run(zones: Zones, record: RunRecord, error: BaseException | None = None) -> None:
    record.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    record.status = "FAILED" if error else "SUCCEEDED"
    record.error = str(error).splitlines()[0] if error else ""
    save_run(zones, record)


def recent_runs(zones: Zones, limit: int = 5) -> list[RunRecord]:
    """The latest runs, newest first (run ids sort by start time)."""
    if not zones.store.head_bucket(zones.bucket("catalog")):
        return []
    keys = sorted((info.key for info in zones.store.list_objects_v2(zones.bucket("catalog"), PREFIX)), reverse=True)
    return [RunRecord(**zones.get_json("catalog", key)) for key in keys[:limit]]


@contextlib.contextmanager
def recorded(zones: Zones, command: str, wait_seconds: float = 0.0) -> Iterator[RunRecord]:
    """Record a command as RUNNING, then SUCCEEDED or FAILED with its one-line error, holding
    the lakehouse's writer lock throughout (WriterBusy after `wait_seconds`)."""
    with exclusive_writer(zones, command, wait_seconds):
        record = RunRecord(command)
        save_run(zones, record)
        try:
            yield record
        except BaseException as error:
            finish_run(zones, record, error)
            raise
        finish_run(zones, record)
