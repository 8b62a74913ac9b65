"""Helpers shared by the end-to-end tests (imported by their modules and conftest)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lakehouse.config import load_settings
from lakehouse.platform import Platform
from lakehouse.zones import DATA_ZONES

@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


CliRunner = Callable[..., Outcome]


def zone_snapshot(platform: Platform) -> dict[str, str]:
    """Every object of the data zones with the sha256 of its content."""
    snapshot = {}
    for zone in DATA_ZONES:
        bucket = platform.zones.bucket(zone)
        if not platform.store.head_bucket(bucket):
            continue
        for info in platform.store.list_objects_v2(bucket):
            body = platform.store.get_object(bucket, info.key)
            snapshot[f"{bucket}/{info.key}"] = hashlib.sha256(body).hexdigest()
    return snapshot


def platform_for(home: Path, **flags: str) -> Platform:
    return Platform(load_settings({"home": str(home), **flags}))
