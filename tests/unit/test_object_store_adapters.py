"""What only one ObjectStore implementation can get wrong: symlinks, temp files, AWS errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from cloud.s3 import S3ObjectStore
from emulation.s3 import FileObjectStore
from emulation.s3.store import TEMP_PREFIX
from lakehouse.errors import InvalidObjectKey, TransientError


def keys_of(store: FileObjectStore, bucket: str) -> list[str]:
    return [info.key for info in store.list_objects_v2(bucket)]


def test_file_store_symlinks_cannot_lead_out_of_the_bucket(tmp_path: Path) -> None:
    store = FileObjectStore(tmp_path / "lake")
    store.create_bucket("inside")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    (tmp_path / "lake" / "inside" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidObjectKey, match="outside"):
        store.get_object("inside", "link/secret.txt")
    with pytest.raises(InvalidObjectKey, match="outside"):
        store.put_object("inside", "link/new.txt", b"x")
    assert keys_of(store, "inside") == []
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_file_store_hides_temp_files_and_prunes_empty_folders(tmp_path: Path) -> None:
    store = FileObjectStore(tmp_path / "lake")
    store.create_bucket("bkt")
    store.put_object("bkt", "keep.txt", b"k")
    store.put_object("bkt", "a/b/c.txt", b"c")
    (tmp_path / "lake" / "bkt" / "a" / f"{TEMP_PREFIX}abc").write_bytes(b"half-written")
    assert keys_of(store, "bkt") == ["a/b/c.txt", "keep.txt"]
    with pytest.raises(InvalidObjectKey):
        store.put_object("bkt", f"a/{TEMP_PREFIX}x", b"x")
    (tmp_path / "lake" / "bkt" / "a" / f"{TEMP_PREFIX}abc").unlink()
    store.delete_object("bkt", "a/b/c.txt")
    assert sorted(p.name for p in (tmp_path / "lake" / "bkt").iterdir()) == ["keep.txt"]
    store.put_object("bkt", "keep.txt", b"again")  # an overwrite leaves no temp file behind
    assert sorted(p.name for p in (tmp_path / "lake" / "bkt").iterdir()) == ["keep.txt"]


class _StubS3:
    """Answers like boto3's client would, to reach errors moto cannot produce."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.batches: list[int] = []

    def put_object(self, **_: Any) -> dict[str, Any]:
        assert self.error is not None
        raise self.error

    def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        self.batches.append(len(Delete["Objects"]))
        return {}


def _client_error(code: str, status: int) -> Exception:
    response = {"Error": {"Code": code, "Message": "said\nthe server"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "PutObject")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "kind", "code"),
    [
        (_client_error("SlowDown", 503), "TransientError", "SlowDown"),
        (_client_error("ThrottlingException", 400), "TransientError", "ThrottlingException"),
        (_client_error("InternalError", 500), "TransientError", "InternalError"),
        (_client_error("AccessDenied", 403), "TerminalError", "AccessDenied"),
        (_client_error("NoSuchBucket", 404), "NoSuchBucket", "NoSuchBucket"),
    ],
)
def test_s3_errors_map_to_platform_errors(error: Exception, kind: str, code: str) -> None:
    store = S3ObjectStore(client=_StubS3(error))
    with pytest.raises(Exception) as caught:
        store.put_object("bkt", "raw/k.csv", b"x")
    assert type(caught.value).__name__ == kind
    message = str(caught.value)
    assert code in message and "bkt" in message and "\n" not in message


def test_s3_connection_errors_are_transient() -> None:
    store = S3ObjectStore(client=_StubS3(EndpointConnectionError(endpoint_url="http://x")))
    with pytest.raises(TransientError, match="s3://bkt/raw/k.csv"):
        store.put_object("bkt", "raw/k.csv", b"x")


def test_s3_delete_objects_batches_by_1000() -> None:
    stub = _StubS3()
    S3ObjectStore(client=stub).delete_objects("bkt", [f"k/{i}" for i in range(2345)])
    assert stub.batches == [1000, 1000, 345]
