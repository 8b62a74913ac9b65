"""One contract for every ObjectStore: the file store and S3 (on a real moto HTTP server)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cloud.s3 import S3ObjectStore
from emulation.s3 import FileObjectStore
from lakehouse.errors import InvalidObjectKey, NoSuchBucket, NoSuchKey, PreconditionFailed
from lakehouse.ports.object_store import ObjectStore


@pytest.fixture(scope="module")
def s3_store(moto_endpoint: str) -> S3ObjectStore:
    # One client for the module: building a boto3 client costs more than most tests here.
    _serialize_moto_conditional_puts()
    return S3ObjectStore(endpoint_url=moto_endpoint)


def _serialize_moto_conditional_puts() -> None:
    """moto checks If-None-Match, then writes, unlocked: two racing creates can both win
    (seen on a loaded 2-CPU machine). S3 is atomic; make the in-process moto server so."""
    from moto.s3.responses import S3Response

    if getattr(S3Response.put_object, "serialized", False):
        return
    original, lock = S3Response.put_object, threading.Lock()

    def put_object(self: S3Response) -> Any:
        if self.headers.get("If-None-Match") is None:
            return original(self)
        with lock:
            return original(self)

    put_object.serialized = True  # type: ignore[attr-defined]
    S3Response.put_object = put_object  # type: ignore[method-assign]


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.s3), "moto-backend"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "file":
        return FileObjectStore(tmp_path / "lake")
    if request.param == "moto-backend":  # the emulator's own in-process store
        from emulation.s3.moto_store import MotoBackendStore

        return MotoBackendStore()
    s3: S3ObjectStore = request.getfixturevalue("s3_store")
    return s3


@pytest.fixture
def bucket(store: ObjectStore, unique_bucket: str) -> str:
    store.create_bucket(unique_bucket)
    return unique_bucket


def keys_of(store: ObjectStore, bucket: str, prefix: str = "") -> list[str]:
    return [info.key for info in store.list_objects_v2(bucket, prefix)]


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if not path.is_dir()}


# -- buckets -------------------------------------------------------------------


def test_create_bucket_is_idempotent_and_keeps_objects(store: ObjectStore, unique_bucket: str) -> None:
    assert store.head_bucket(unique_bucket) is False
    store.create_bucket(unique_bucket)
    store.put_object(unique_bucket, "kept.txt", b"x")
    store.create_bucket(unique_bucket)
    assert store.head_bucket(unique_bucket) is True
    assert store.get_object(unique_bucket, "kept.txt") == b"x"


@pytest.mark.s3
def test_s3_create_bucket_outside_us_east_1(moto_endpoint: str, unique_bucket: str) -> None:
    store = S3ObjectStore(endpoint_url=moto_endpoint, region="eu-west-1")
    store.create_bucket(unique_bucket)
    store.create_bucket(unique_bucket)
    location = store.client.get_bucket_location(Bucket=unique_bucket)["LocationConstraint"]
    assert location == "eu-west-1"


# -- objects -------------------------------------------------------------------


def test_put_get_head_round_trip(store: ObjectStore, bucket: str) -> None:
    body = b"department,inquiries\nEngineering,42\n"
    put = store.put_object(bucket, "raw/ds/export.csv", body)
    head = store.head_object(bucket, "raw/ds/export.csv")
    assert store.get_object(bucket, "raw/ds/export.csv") == body
    md5 = hashlib.md5(body).hexdigest()
    assert (put.key, put.size, put.etag) == ("raw/ds/export.csv", len(body), md5)
    assert (head.key, head.size, head.etag) == ("raw/ds/export.csv", len(body), md5)
    assert isinstance(head.last_modified, datetime) and head.last_modified.tzinfo is not None


def test_overwrite_replaces_the_object(store: ObjectStore, bucket: str) -> None:
    store.put_object(bucket, "a.txt", b"first version, longer")
    store.put_object(bucket, "a.txt", b"second")
    assert store.get_object(bucket, "a.txt") == b"second"
    assert store.head_object(bucket, "a.txt").size == 6
    assert keys_of(store, bucket) == ["a.txt"]


def test_empty_object(store: ObjectStore, bucket: str) -> None:
    store.put_object(bucket, "empty", b"")
    assert store.get_object(bucket, "empty") == b""
    assert store.head_object(bucket, "empty").etag == hashlib.md5(b"").hexdigest()


@pytest.mark.parametrize(
    "key", ["with space/file name.csv", "unicode/données-é-東京.csv", "pct/100%.txt", "dots/a..b.txt"]
)
def test_unusual_but_valid_keys_round_trip(store: ObjectStore, bucket: str, key: str) -> None:
    store.put_object(bucket, key, key.encode())
    assert store.get_object(bucket, key) == key.encode()
    assert keys_of(store, bucket) == [key]


def test_list_is_in_utf8_key_order_with_prefixes(store: ObjectStore, bucket: str) -> None:
    # '-' < '/' < '0' < 'a' in UTF-8, which a folder-by-folder walk would not give.
    keys = ["a/c/d.txt", "ab", "a0", "é", "a/b", "a-b", "Z", "a/c/e/f.txt"]
    for key in keys:
        store.put_object(bucket, key, key.encode())
    assert keys_of(store, bucket) == sorted(keys, key=lambda k: k.encode("utf-8"))
    assert keys_of(store, bucket, "a/") == ["a/b", "a/c/d.txt", "a/c/e/f.txt"]
    assert keys_of(store, bucket, "a/c/") == ["a/c/d.txt", "a/c/e/f.txt"]
    assert keys_of(store, bucket, "a") == ["a-b", "a/b", "a/c/d.txt", "a/c/e/f.txt", "a0", "ab"]
    assert keys_of(store, bucket, "a/c/e") == ["a/c/e/f.txt"]  # a partial last segment
    assert keys_of(store, bucket, "nothing/") == []
    sizes = {info.key: info.size for info in store.list_objects_v2(bucket)}
    assert sizes == {key: len(key.encode()) for key in keys}


def test_list_reports_etags(store: ObjectStore, bucket: str) -> None:
    store.put_object(bucket, "x/y.bin", b"payload")
    [info] = store.list_objects_v2(bucket, "x/")
    assert info.etag == hashlib.md5(b"payload").hexdigest()


def test_delete_object_and_missing_is_fine(store: ObjectStore, bucket: str) -> None:
    store.put_object(bucket, "d/one.txt", b"1")
    store.put_object(bucket, "d/two.txt", b"2")
    store.delete_object(bucket, "d/one.txt")
    store.delete_object(bucket, "d/one.txt")
    store.delete_object(bucket, "never/was.txt")
    assert keys_of(store, bucket) == ["d/two.txt"]
    assert store.object_exists(bucket, "d/one.txt") is False
    with pytest.raises(NoSuchKey):
        store.get_object(bucket, "d/one.txt")


def test_delete_prefix(store: ObjectStore, bucket: str) -> None:
    for key in ["t/year=2023/p.parquet", "t/year=2024/p.parquet", "t/year=2024/q.parquet", "tt/x", "u/y"]:
        store.put_object(bucket, key, b"p")
    assert store.delete_prefix(bucket, "t/year=2024/") == 2
    assert keys_of(store, bucket) == ["t/year=2023/p.parquet", "tt/x", "u/y"]
    assert store.delete_prefix(bucket, "t/") == 1
    assert store.delete_prefix(bucket, "t/") == 0
    assert keys_of(store, bucket) == ["tt/x", "u/y"]


def test_upload_and_download_multi_megabyte_file(store: ObjectStore, bucket: str, tmp_path: Path) -> None:
    data = os.urandom(12 * 1024 * 1024 + 123)  # above boto3's 8 MiB multipart threshold
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    info = store.upload_file(source, bucket, "big/blob.bin")
    assert info.key == "big/blob.bin" and info.size == len(data)
    target = tmp_path / "out" / "nested" / "blob.bin"
    store.download_file(bucket, "big/blob.bin", target)
    assert target.read_bytes() == data
    assert store.head_object(bucket, "big/blob.bin").size == len(data)


def test_missing_key_and_missing_bucket(store: ObjectStore, bucket: str, tmp_path: Path) -> None:
    with pytest.raises(NoSuchKey, match="nope.txt"):
        store.get_object(bucket, "nope.txt")
    with pytest.raises(NoSuchKey, match="nope.txt"):
        store.head_object(bucket, "nope.txt")
    with pytest.raises(NoSuchKey):
        store.download_file(bucket, "nope.txt", tmp_path / "nope.txt")
    assert not (tmp_path / "nope.txt").exists()
    absent = bucket + "-absent"
    with pytest.raises(NoSuchBucket):
        store.get_object(absent, "a.txt")
    with pytest.raises(NoSuchBucket):
        store.head_object(absent, "a.txt")
    with pytest.raises(NoSuchBucket):
        store.put_object(absent, "a.txt", b"a")
    with pytest.raises(NoSuchBucket):
        list(store.list_objects_v2(absent))
    with pytest.raises(NoSuchBucket):
        store.delete_object(absent, "a.txt")
    (tmp_path / "src.bin").write_bytes(b"a")
    with pytest.raises(NoSuchBucket):
        store.upload_file(tmp_path / "src.bin", absent, "a.txt")
    assert store.head_bucket(absent) is False


def test_uri_addresses_the_object(store: ObjectStore, bucket: str) -> None:
    store.put_object(bucket, "curated/t/year=2024/part-0.parquet", b"PAR1")
    uri = store.uri(bucket, "curated/t/year=2024/part-0.parquet")
    if store.LOCAL_PATHS:
        path = store.local_path(bucket, "curated/t/year=2024/part-0.parquet")
        assert Path(uri) == path and path.is_absolute() and path.read_bytes() == b"PAR1"
        assert Path(store.uri(bucket)).is_dir()
        assert Path(store.uri(bucket, "curated/t/")) == path.parent.parent
    else:
        assert uri == f"s3://{bucket}/curated/t/year=2024/part-0.parquet"
        assert store.uri(bucket, "curated/t/") == f"s3://{bucket}/curated/t/"


# -- conditional create (If-None-Match: *) ---------------------------------------------


def test_put_if_none_match_creates_only_once(store: ObjectStore, bucket: str) -> None:
    info = store.put_object(bucket, "v/0001.json", b"first", if_none_match=True)
    assert info.etag == hashlib.md5(b"first").hexdigest()
    with pytest.raises(PreconditionFailed, match="v/0001.json"):
        store.put_object(bucket, "v/0001.json", b"second", if_none_match=True)
    assert store.get_object(bucket, "v/0001.json") == b"first"
    assert keys_of(store, bucket) == ["v/0001.json"]  # a refused create leaves no temp object
    store.put_object(bucket, "v/0001.json", b"third")  # an unconditional put still replaces
    assert store.get_object(bucket, "v/0001.json") == b"third"


def test_put_if_none_match_after_delete_creates_again(store: ObjectStore, bucket: str) -> None:
    store.put_object(bucket, "k", b"1", if_none_match=True)
    store.delete_object(bucket, "k")
    store.put_object(bucket, "k", b"2", if_none_match=True)
    assert store.get_object(bucket, "k") == b"2"


def test_put_if_none_match_race_has_exactly_one_winner(store: ObjectStore, bucket: str) -> None:
    writers, rounds = 8, 5
    for round_ in range(rounds):
        key = f"race/{round_}.json"
        start = threading.Barrier(writers)
        winners: list[int] = []
        losers: list[int] = []
        failures: list[BaseException] = []

        def create(writer: int, key: str = key, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                store.put_object(bucket, key, f"writer {writer}".encode(), if_none_match=True)
                winners.append(writer)
            except PreconditionFailed:
                losers.append(writer)
            except BaseException as err:  # noqa: BLE001 - reported below
                failures.append(err)

        threads = [threading.Thread(target=create, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(winners) == 1 and len(losers) == writers - 1
        assert store.get_object(bucket, key) == f"writer {winners[0]}".encode()
    assert len(keys_of(store, bucket, "race/")) == rounds


# -- hostile keys ----------------------------------------------------------------

HOSTILE_KEYS = [
    "", "../x", "a/../../x", "/etc/passwd", "a\\b", "%2e%2e/x", "a/%2E%2E/%2e%2e/x",
    "%252e%252e%252fx", "%25252e%25252e%25252fx", "..%5cx", "..%2fx", "%2Fetc%2Fpasswd",
    "C:/x", "c:x", "a\x00b", "a%00b", "a\nb", "..", ".", "a/./b", "a//b", "a/",
    "x" * 1025, "a/\x7f",
]
Op = Callable[[ObjectStore, str, str, Path], Any]
OPS: dict[str, Op] = {
    "put_object": lambda s, b, k, t: s.put_object(b, k, b"evil"),
    "put_object_if_none_match": lambda s, b, k, t: s.put_object(b, k, b"evil", if_none_match=True),
    "get_object": lambda s, b, k, t: s.get_object(b, k),
    "head_object": lambda s, b, k, t: s.head_object(b, k),
    "delete_object": lambda s, b, k, t: s.delete_object(b, k),
    "upload_file": lambda s, b, k, t: s.upload_file(t / "src.bin", b, k),
    "download_file": lambda s, b, k, t: s.download_file(b, k, t / "dl" / "out.bin"),
}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_are_refused_before_io(
    store: ObjectStore, bucket: str, tmp_path: Path, op: str, key: str
) -> None:
    (tmp_path / "src.bin").write_bytes(b"evil")
    before = files_under(tmp_path)
    with pytest.raises(InvalidObjectKey):
        OPS[op](store, bucket, key, tmp_path)
    assert files_under(tmp_path) == before
    assert keys_of(store, bucket) == []
    if isinstance(store, FileObjectStore):
        lake = tmp_path / "lake"
        assert {p for p in lake.iterdir()} == {lake / bucket}


@pytest.mark.parametrize("prefix", ["../", "/", "%2e%2e%2f", "a/../", "a\\", "a//"])
def test_hostile_prefixes_are_refused(store: ObjectStore, bucket: str, prefix: str) -> None:
    with pytest.raises(InvalidObjectKey):
        store.list_objects_v2(bucket, prefix)
    with pytest.raises(InvalidObjectKey):
        store.uri(bucket, prefix)


@pytest.mark.parametrize("name", ["UPPER", "ab", "a..b", "192.168.1.1", "-dash", "under_score"])
def test_bad_bucket_names_are_refused(store: ObjectStore, name: str) -> None:
    with pytest.raises(InvalidObjectKey):
        store.create_bucket(name)
    with pytest.raises(InvalidObjectKey):
        store.put_object(name, "a.txt", b"a")



# -- content-addressed uploads (ingest) ----------------------------------------------------

def test_upload_file_addressed_names_the_key_by_sha256(store: ObjectStore, bucket: str, tmp_path: Path) -> None:
    body = os.urandom(5 * 1024 * 1024 + 17)
    (tmp_path / "export.csv").write_bytes(body)
    asked: list[str] = []

    def key_for(sha256: str) -> str | None:
        asked.append(sha256)
        return f"raw/sha256={sha256}/export.csv"

    sha256, key = store.upload_file_addressed(tmp_path / "export.csv", bucket, key_for)
    assert sha256 == hashlib.sha256(body).hexdigest() and asked == [sha256]
    assert key == f"raw/sha256={sha256}/export.csv"
    info = store.head_object(bucket, key)
    assert info.size == len(body) and store.get_object(bucket, key) == body
    if isinstance(store, FileObjectStore):  # a single-part ETag is the MD5 of the bytes, even when computed later
        assert info.etag.strip('"') == hashlib.md5(body).hexdigest()
    # Known bytes: key_for says so, and nothing new is stored (no temp file left either).
    again, nothing = store.upload_file_addressed(tmp_path / "export.csv", bucket, lambda _: None)
    assert (again, nothing) == (sha256, None)
    assert keys_of(store, bucket) == [key]
    assert store.list_incomplete_uploads(bucket, "") == []


def test_file_store_reads_an_addressed_upload_once(tmp_path: Path) -> None:
    store = FileObjectStore(tmp_path / "lake")
    store.create_bucket("raw")
    size = 24 * 1024 * 1024
    (tmp_path / "export.csv").write_bytes(os.urandom(size))

    def bytes_read() -> int:  # rchar: every byte this process read, page cache included
        return int(next(line for line in Path("/proc/self/io").read_text().splitlines() if line.startswith("rchar"))
                   .split()[1])

    before = bytes_read()
    store.upload_file_addressed(tmp_path / "export.csv", "raw", lambda sha256: f"x/{sha256}.csv")
    assert bytes_read() - before < 1.5 * size  # hash-then-copy would read it twice

# -- writes a killed process left unfinished --------------------------------------------

def test_incomplete_uploads_are_listed_then_aborted(store: ObjectStore, bucket: str) -> None:
    from emulation.s3.store import TEMP_PREFIX

    store.put_object(bucket, "curated/t/done.parquet", b"PAR1")
    if isinstance(store, FileObjectStore):
        (store.local_path(bucket, "curated/t/done.parquet").parent / f"{TEMP_PREFIX}half").write_bytes(b"PA")
    elif isinstance(store, S3ObjectStore):
        store.client.create_multipart_upload(Bucket=bucket, Key="curated/t/half.parquet")
    else:  # the emulator's in-process store: a multipart upload begun over HTTP, never completed
        from emulation.endpoint.s3_state import moto_s3

        moto_s3().create_multipart_upload(bucket, "curated/t/half.parquet", {}, "STANDARD", {}, None, "", "")
    listed = store.list_incomplete_uploads(bucket, "curated/")
    assert len(listed) == 1 and listed[0].startswith("curated/t/")
    assert store.list_incomplete_uploads(bucket, "raw/") == []
    assert store.abort_incomplete_uploads(bucket, "curated/") == 1
    assert store.list_incomplete_uploads(bucket, "curated/") == []
    assert keys_of(store, bucket) == ["curated/t/done.parquet"]
