"""S3 on local folders: one folder per bucket under a root, one file per object."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from lakehouse.errors import InvalidObjectKey, NoSuchBucket, NoSuchKey, PreconditionFailed, TerminalError
from lakehouse.keys import validate_bucket_name, validate_key, validate_prefix
from lakehouse.ports.object_store import ObjectInfo, ObjectStore

# Temp files are written beside their target so os.replace stays on one filesystem;
# this marker keeps them out of listings, so keys may not use it.
TEMP_PREFIX = ".lakehouse-tmp-"
_CHUNK = 1024 * 1024


class FileObjectStore(ObjectStore):
    LOCAL_PATHS: ClassVar[bool] = True

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        # path -> (size, mtime_ns, md5): listing must not re-read unchanged files.
        self._etags: dict[str, tuple[int, int, str]] = {}

    def create_bucket(self, bucket: str) -> None:
        self._bucket_dir(bucket).mkdir(parents=True, exist_ok=True)

    def head_bucket(self, bucket: str) -> bool:
        return self._bucket_dir(bucket).is_dir()

    def put_object(self, bucket: str, key: str, body: bytes, *, if_none_match: bool = False) -> ObjectInfo:
        path = self._object_path(bucket, key)
        etag = self._write_atomic(path, key, lambda out: out.write(body), exclusive=if_none_match)
        return self._info(key, path, etag)

    def get_object(self, bucket: str, key: str) -> bytes:
        path = self._existing(bucket, key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise self._no_such_key(bucket, key) from None

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        return self._info(key, self._existing(bucket, key))

    def list_objects_v2(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        validate_prefix(prefix)
        top = self._bucket_dir(bucket, must_exist=True)
        return self._walk(top, prefix)

    def delete_object(self, bucket: str, key: str) -> None:
        path = self._object_path(bucket, key)
        if path.is_file():
            path.unlink(missing_ok=True)
            self._prune(path.parent, self._bucket_dir(bucket))

    def upload_file(self, path: Path, bucket: str, key: str) -> ObjectInfo:
        target = self._object_path(bucket, key)
        try:
            source = Path(path).open("rb")
        except OSError as err:
            raise TerminalError(f"cannot read {path} to upload as {bucket}/{key}: {err.strerror}") from err
        with source:
            etag = self._write_atomic(target, key, lambda out: _copy(source, out))
        return self._info(key, target, etag)

    def upload_file_addressed(
        self, path: Path, bucket: str, key_for: Callable[[str], str | None]
    ) -> tuple[str, str | None]:
        # One read: copy into a temp file at the bucket's top while hashing sha256 (the key),
        # then rename it to the key the digest names. The ETag (MD5, at 0.6 GB/s here the
        # slowest part of the copy) is left to the first head or listing, which caches it.
        top = self._bucket_dir(bucket, must_exist=True)
        sha256 = hashlib.sha256()
        try:
            source = Path(path).open("rb")
        except OSError as err:
            raise TerminalError(f"cannot read {path} to upload to {bucket}: {err.strerror}") from err
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=top)
        try:
            with source, os.fdopen(fd, "wb") as raw:
                _copy_digesting(source, raw, sha256)
                os.fsync(raw.fileno())
            key = key_for(sha256.hexdigest())
            if key is None:
                return sha256.hexdigest(), None
            target = self._object_path(bucket, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide objects from other readers
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return sha256.hexdigest(), key

    def download_file(self, bucket: str, key: str, path: Path) -> None:
        source = self._existing(bucket, key)
        with source.open("rb") as src:
            self._write_atomic(Path(path), key, lambda out: _copy(src, out))

    def uri(self, bucket: str, key: str = "") -> str:
        validate_prefix(key)
        top = self._bucket_dir(bucket)
        if key == "":
            return str(top)
        path = self._contained(top, top / key, key)
        # Keep a prefix's trailing '/' so callers can append globs as with s3:// URIs.
        return str(path) + (os.sep if key.endswith("/") else "")

    def local_path(self, bucket: str, key: str) -> Path:
        return self._object_path(bucket, key)

    # -- paths -------------------------------------------------------------

    def _bucket_dir(self, bucket: str, *, must_exist: bool = False) -> Path:
        validate_bucket_name(bucket)
        top = (self.root / bucket).resolve()
        if must_exist and not top.is_dir():
            raise NoSuchBucket(f"NoSuchBucket: bucket {bucket!r} does not exist under {self.root}")
        return top

    def _object_path(self, bucket: str, key: str) -> Path:
        validate_key(key)
        if key.rsplit("/", 1)[-1].startswith(TEMP_PREFIX):
            raise InvalidObjectKey(f"invalid object key {key!r}: {TEMP_PREFIX!r} is reserved")
        top = self._bucket_dir(bucket, must_exist=True)
        return self._contained(top, top / key, key)

    def _existing(self, bucket: str, key: str) -> Path:
        path = self._object_path(bucket, key)
        if not path.is_file():
            raise self._no_such_key(bucket, key)
        return path

    @staticmethod
    def _contained(top: Path, path: Path, key: str) -> Path:
        # Symlinks inside the bucket must not lead out of it.
        if not path.resolve().is_relative_to(top):
            raise InvalidObjectKey(f"invalid object key {key!r}: resolves outside its bucket")
        return path

    @staticmethod
    def _no_such_key(bucket: str, key: str) -> NoSuchKey:
        return NoSuchKey(f"NoSuchKey: no object {key!r} in bucket {bucket!r}")

    # -- reading and writing ------------------------------------------------

    def _write_atomic(
        self, path: Path, key: str, fill: Callable[[_Hashing], object], *, exclusive: bool = False
    ) -> str:
        """Write via a temp file beside path, then os.replace (or link, when exclusive); returns the MD5 hex."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        except (FileExistsError, NotADirectoryError) as err:
            raise TerminalError(f"cannot write {key!r}: a parent of {path} is a file") from err
        digest = hashlib.md5(usedforsecurity=False)
        try:
            with os.fdopen(fd, "wb") as raw:
                fill(_Hashing(raw, digest))
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide objects from other readers
            if exclusive:
                _link_exclusive(tmp, path, key)
            else:
                os.replace(tmp, path)
        except IsADirectoryError as err:
            raise TerminalError(f"cannot write {key!r}: {path} is a folder of other objects") from err
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return digest.hexdigest()

    def _info(self, key: str, path: Path, etag: str | None = None) -> ObjectInfo:
        stat = path.stat()
        if etag is None:
            size, mtime_ns, etag = self._etags.get(str(path), (-1, -1, ""))
            if (size, mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                etag = _md5_file(path)
        self._etags[str(path)] = (stat.st_size, stat.st_mtime_ns, etag)
        modified = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
        return ObjectInfo(key=key, size=stat.st_size, last_modified=modified, etag=etag)

    def list_incomplete_uploads(self, bucket: str, prefix: str) -> list[str]:
        validate_prefix(prefix)
        top = self._bucket_dir(bucket)
        start = top / prefix.rpartition("/")[0]
        found = [Path(folder, name).relative_to(top).as_posix() for folder, _dirs, files in os.walk(start)
                 for name in files if name.startswith(TEMP_PREFIX)]
        return sorted(key for key in found if key.startswith(prefix))

    def abort_incomplete_uploads(self, bucket: str, prefix: str) -> int:
        validate_prefix(prefix)
        top = self._bucket_dir(bucket)
        start = top / prefix.rpartition("/")[0]
        aborted = 0
        for folder, _dirs, files in os.walk(start, topdown=False):
            for name in files:
                path = Path(folder, name)
                if name.startswith(TEMP_PREFIX) and path.relative_to(top).as_posix().startswith(prefix):
                    path.unlink(missing_ok=True)
                    aborted += 1
            self._prune(Path(folder), top)
        return aborted

    def _walk(self, top: Path, prefix: str) -> Iterator[ObjectInfo]:
        # Start at the deepest folder the prefix names; filter the rest by string.
        start = top / prefix.rpartition("/")[0]
        keys: list[str] = []
        for folder, _dirs, files in os.walk(start):
            for name in files:
                if name.startswith(TEMP_PREFIX):
                    continue
                path = Path(folder, name)
                key = path.relative_to(top).as_posix()
                if key.startswith(prefix) and _listable(top, path, key):
                    keys.append(key)
        # S3 lists in UTF-8 byte order, which is not the order of a folder walk.
        keys.sort(key=lambda k: k.encode("utf-8"))
        for key in keys:
            path = top / key
            if path.is_file():  # it may have been deleted since the walk
                yield self._info(key, path)

    @staticmethod
    def _prune(folder: Path, top: Path) -> None:
        while folder != top and folder.is_relative_to(top):
            try:
                folder.rmdir()
            except OSError:  # not empty, or already gone: stop climbing
                return
            folder = folder.parent


class _Hashing:
    """A writer that hashes what passes through, so writes read the data once."""

    def __init__(self, raw: BinaryIO, digest: Any) -> None:
        self._raw, self._digest = raw, digest

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        return self._raw.write(data)


def _link_exclusive(tmp: str, path: Path, key: str) -> None:
    # link() refuses an existing name atomically, so of racing writers exactly one wins,
    # and readers never see the winner's file half-written (the temp file is complete).
    try:
        os.link(tmp, path)
    except FileExistsError:
        if path.is_dir():
            raise TerminalError(f"cannot write {key!r}: {path} is a folder of other objects") from None
        raise PreconditionFailed(f"PreconditionFailed: object {key!r} already exists (If-None-Match: *)") from None
    except OSError as err:
        raise TerminalError(
            f"cannot create {key!r} exclusively: {err.strerror} (the store's filesystem needs hard links)"
        ) from err


def _copy(source: BinaryIO, out: _Hashing) -> None:
    shutil.copyfileobj(source, out, _CHUNK)  # type: ignore[misc]


def _copy_digesting(source: BinaryIO, out: BinaryIO, digest: Any) -> None:
    """Copy source to out, feeding the digest in a thread of its own (hashlib releases the GIL
    on large chunks) and flushing what is written to disk as it goes, so the final fsync finds
    little left: the hashing, the copy and the disk's writing overlap."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="addressed-copy") as pool:
        hashing: Future[None] | None = None
        syncing: Future[None] | None = None
        while chunk := source.read(4 * _CHUNK):
            if hashing is not None:
                hashing.result()
            hashing = pool.submit(digest.update, chunk)
            out.write(chunk)
            if syncing is None or syncing.done():
                if syncing is not None:
                    syncing.result()
                out.flush()
                syncing = pool.submit(os.fdatasync, out.fileno())
        for job in (hashing, syncing):
            if job is not None:
                job.result()
        out.flush()


def _md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _listable(top: Path, path: Path, key: str) -> bool:
    try:
        validate_key(key)
    except InvalidObjectKey:
        return False  # stray files whose names are no valid key are not objects
    return path.is_file() and path.resolve().is_relative_to(top)
