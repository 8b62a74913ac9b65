"""`lakehouse cloud sync`: local zones ⇄ S3, copying only what differs by checksum (MD5, which
is S3's ETag for an object uploaded in one part, as sync uploads them; SSE-S3 keeps it so)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from cloud.aws import aws_errors, error_code
from cloud.deploy.clients import Clients
from emulation.s3.store import FileObjectStore
from lakehouse.config import Settings
from lakehouse.errors import ConfigError
from lakehouse.keys import validate_key

ONE_PART = TransferConfig(multipart_threshold=5 * 1024**3)  # S3's single-PUT limit: the ETag stays the MD5


@dataclass(frozen=True)
class SyncResult:
    copied: list[str]
    unchanged: int


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _remote_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    with aws_errors(f"s3 ListObjectsV2 {bucket}"):
        try:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                etags.update({item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])})
        except ClientError as error:
            if error_code(error) == "NoSuchBucket":
                raise ConfigError(f"bucket {bucket} does not exist: run `lakehouse cloud deploy` first") from None
            raise
    return etags


def push(settings: Settings, clients: Clients, zones: list[str], progress: Callable[[str], None]) -> SyncResult:
    """Upload every local object of the zones whose checksum S3 does not already have."""
    local = FileObjectStore(settings.home)
    s3, copied, unchanged = clients("s3"), [], 0
    for zone in zones:
        bucket = settings.bucket(zone)
        if not local.head_bucket(bucket):
            continue
        remote = _remote_etags(s3, bucket)
        for info in local.list_objects_v2(bucket):
            path = local.local_path(bucket, info.key)
            if remote.get(info.key) == md5_of(path):
                unchanged += 1
                continue
            with aws_errors(f"s3 PutObject {bucket}/{info.key}"):
                s3.upload_file(str(path), bucket, info.key, Config=ONE_PART)
            copied.append(f"{bucket}/{info.key}")
            progress(f"pushed s3://{bucket}/{info.key}")
    return SyncResult(copied, unchanged)


def pull(settings: Settings, clients: Clients, progress: Callable[[str], None]) -> SyncResult:
    """Download the curated zone's objects the local copy lacks or holds differently."""
    local = FileObjectStore(settings.home)
    s3, bucket, copied, unchanged = clients("s3"), settings.bucket("curated"), [], 0
    local.create_bucket(bucket)
    for key, etag in sorted(_remote_etags(s3, bucket).items()):
        validate_key(key)  # a remote key becomes a local path: refuse traversal
        path = local.local_path(bucket, key)
        if path.is_file() and md5_of(path) == etag:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with aws_errors(f"s3 GetObject {bucket}/{key}"):
            s3.download_file(bucket, key, str(path))
        copied.append(f"{bucket}/{key}")
        progress(f"pulled s3://{bucket}/{key}")
    return SyncResult(copied, unchanged)
