"""S3 through boto3: AWS itself, or any S3 endpoint (moto, LocalStack, MinIO)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import boto3
from boto3.exceptions import RetriesExceededError, S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError, ChecksumError, ClientError, FlexibleChecksumError, IncompleteReadError,
)

from cloud.aws import TRANSIENT_CODES, error_code, one_line, translate
from lakehouse.errors import (
    LakehouseError, NoSuchBucket, NoSuchKey, PreconditionFailed, TerminalError, TransientError,
)
from lakehouse.keys import validate_bucket_name, validate_key, validate_prefix
from lakehouse.ports.object_store import ObjectInfo, ObjectStore

_DELETE_BATCH = 1000  # DeleteObjects accepts at most 1000 keys per call
_BODY_ATTEMPTS = 5
_MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class S3ObjectStore(ObjectStore):
    def __init__(
        self,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        profile: str | None = None,
        client: Any = None,
    ) -> None:
        self.region = region
        if client is None:
            # Emulators serve every bucket on one host, so address buckets by path there.
            config = Config(
                retries={"mode": "standard", "max_attempts": 5},
                s3={"addressing_style": "path"} if endpoint_url else None,
            )
            session = boto3.session.Session(profile_name=profile, region_name=region)
            client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self.client = client
        self.transfer_config = TransferConfig()  # multipart above 8 MiB, in 8 MiB parts

    def create_bucket(self, bucket: str) -> None:
        validate_bucket_name(bucket)
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if self.region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        with self._errors(bucket):
            try:
                self.client.create_bucket(**kwargs)
            except ClientError as err:
                if error_code(err) != "BucketAlreadyOwnedByYou":
                    raise

    def head_bucket(self, bucket: str) -> bool:
        validate_bucket_name(bucket)
        with self._errors(bucket):
            try:
                self.client.head_bucket(Bucket=bucket)
            except ClientError as err:
                if error_code(err) in {"404", "NoSuchBucket", "NotFound"}:
                    return False
                raise
        return True

    def put_object(self, bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> ObjectInfo:
        self._check(bucket, key)
        # S3's conditional write (2024): the first writer of a key wins, others get 412.
        condition = {"IfNoneMatch": "*"} if if_none_match else {}
        with self._errors(bucket, key):
            response = self.client.put_object(Bucket=bucket, Key=key, Body=body, **condition)
        # PutObject does not return LastModified; the clock is close enough for callers.
        modified = datetime.now(timezone.utc)
        return ObjectInfo(key=key, size=len(body), last_modified=modified, etag=_etag(response))

    def get_object(self, bucket: str, key: str) -> bytes:
        self._check(bucket, key)
        # botocore retries a request that fails, but not a body that breaks off while it is
        # read (a reset, a short read, a checksum that does not match): retry those here.
        for attempt in range(1, _BODY_ATTEMPTS + 1):
            try:
                with self._errors(bucket, key):
                    response = self.client.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
                    body: bytes = response["Body"].read()
                if "ContentLength" in response and len(body) != int(response["ContentLength"]):
                    raise TransientError(f"s3://{bucket}/{key}: {len(body)} of {response['ContentLength']} bytes read")
                return body
            except TransientError:
                if attempt == _BODY_ATTEMPTS:
                    raise
                time.sleep(min(0.05 * 2**attempt, 2.0))
        raise AssertionError("unreachable")

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        self._check(bucket, key)
        with self._errors(bucket, key):
            response = self.client.head_object(Bucket=bucket, Key=key)
        return ObjectInfo(
            key=key,
            size=int(response["ContentLength"]),
            last_modified=response["LastModified"],
            etag=_etag(response),
        )

    def list_objects_v2(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        validate_bucket_name(bucket)
        validate_prefix(prefix)
        return self._list(bucket, prefix)

    def _list(self, bucket: str, prefix: str) -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        with self._errors(bucket, prefix):
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=item["Key"],
                        size=int(item["Size"]),
                        last_modified=item["LastModified"],
                        etag=_etag(item),
                    )

    def delete_object(self, bucket: str, key: str) -> None:
        self._check(bucket, key)
        with self._errors(bucket, key):
            self.client.delete_object(Bucket=bucket, Key=key)

    def list_incomplete_uploads(self, bucket: str, prefix: str) -> list[str]:
        validate_bucket_name(bucket)
        validate_prefix(prefix)
        with self._errors(bucket, prefix):
            return sorted(upload["Key"] for page in self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=bucket, Prefix=prefix) for upload in page.get("Uploads", []))

    def abort_incomplete_uploads(self, bucket: str, prefix: str) -> int:
        validate_prefix(prefix)
        aborted = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for upload in page.get("Uploads", []):
                self.client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                aborted += 1
        return aborted

    def delete_objects(self, bucket: str, keys: list[str]) -> None:
        validate_bucket_name(bucket)
        for key in keys:
            validate_key(key)
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = keys[start : start + _DELETE_BATCH]
            with self._errors(bucket):
                response = self.client.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )
            if errors := response.get("Errors"):
                first = errors[0]
                code, message = first.get("Code", "Unknown"), first.get("Message", "")
                kind = TransientError if code in TRANSIENT_CODES else TerminalError
                raise kind(
                    f"{code}: {len(errors)} of {len(batch)} deletes failed in bucket "
                    f"{bucket!r}, first {first.get('Key')!r}: {one_line(message)}"
                )

    def upload_file(self, path: Path, bucket: str, key: str) -> ObjectInfo:
        self._check(bucket, key)
        if not Path(path).is_file():
            raise TerminalError(f"cannot upload {path} as s3://{bucket}/{key}: no such file")
        with self._errors(bucket, key):
            self.client.upload_file(str(path), bucket, key, Config=self.transfer_config)
        return self.head_object(bucket, key)

    def download_file(self, bucket: str, key: str, path: Path) -> None:
        self._check(bucket, key)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # boto3 writes to a temp name beside path and renames it, so this is atomic too.
        with self._errors(bucket, key):
            self.client.download_file(bucket, key, str(path), Config=self.transfer_config)

    def uri(self, bucket: str, key: str = "") -> str:
        validate_bucket_name(bucket)
        validate_prefix(key)
        return f"s3://{bucket}/{key}"

    # -- errors ------------------------------------------------------------

    @staticmethod
    def _check(bucket: str, key: str) -> None:
        validate_bucket_name(bucket)
        validate_key(key)

    @contextmanager
    def _errors(self, bucket: str, key: str = "") -> Iterator[None]:
        """Turn boto3's exceptions into the platform's, naming bucket and key."""
        try:
            yield
        except S3UploadFailedError as err:
            # boto3 wraps the ClientError of a managed upload; unwrap it for its code.
            cause = err.__context__ if isinstance(err.__context__, ClientError) else err
            raise self._translate(cause, bucket, key) from err
        except RetriesExceededError as err:
            raise TransientError(
                f"s3://{bucket}/{key}: transfer retries exhausted: {one_line(str(err.last_exception))}"
            ) from err
        except (ClientError, BotoCoreError) as err:
            raise self._translate(err, bucket, key) from err

    def _translate(self, err: Exception, bucket: str, key: str) -> LakehouseError:
        """S3's own cases here (conditional writes, which of bucket or key is missing, damaged
        bodies); everything else as every AWS adapter translates it (cloud/aws.py)."""
        where = f"s3://{bucket}/{key}"
        if isinstance(err, (IncompleteReadError, FlexibleChecksumError, ChecksumError)):
            return TransientError(f"{where}: damaged transfer: {one_line(str(err))}")
        if not isinstance(err, ClientError):
            return translate(err, where)
        code = error_code(err)
        message = one_line(err.response.get("Error", {}).get("Message") or str(err))
        if code == "PreconditionFailed":
            return PreconditionFailed(f"PreconditionFailed: {where} already exists (If-None-Match: *)")
        if code == "NoSuchBucket":
            return NoSuchBucket(f"NoSuchBucket: bucket {bucket!r} does not exist ({message})")
        if not (key and code in _MISSING_OBJECT_CODES):
            return translate(err, where)
        # HEAD answers a bare 404 for a missing bucket too; ask which one is missing
        # (a GET says NoSuchKey or NoSuchBucket itself, so costs no second request).
        if code != "NoSuchKey" and not self.head_bucket(bucket):
            return NoSuchBucket(f"NoSuchBucket: bucket {bucket!r} does not exist")
        return NoSuchKey(f"NoSuchKey: no object {key!r} in bucket {bucket!r}")


def _etag(response: dict[str, Any]) -> str:
    # S3 quotes ETags; the port reports the bare hex, as the file store does.
    return str(response.get("ETag", "")).strip('"')
