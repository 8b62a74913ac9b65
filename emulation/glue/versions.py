"""A document kept as immutable, numbered versions: optimistic writes on any object store.

Each version is a separate object `<prefix><NNNNNNNNNN>.json`, created with S3's
If-None-Match: * (an exclusive create), so of two writers who read version N and
both try to create N+1, exactly one succeeds; the other re-reads and tries again.
The latest version is the highest number: found by listing once, then by probing
upward from the last number seen (a listing costs O(versions), a probe O(1)). Nothing
is rewritten in place, so no reader sees a half-applied change and no writer's change
is lost. Each object wraps the document with its writer's random token, so a writer
whose request was retried after its first attempt landed knows the version is its own.

Versions older than `keep` behind the latest are pruned (deleted oldest first). A
writer delayed long enough to create a number that was already pruned would be
invisible (a higher version exists); it notices that the version below its own is
gone, removes its write and retries.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from lakehouse.errors import ConcurrentModificationException, NoSuchBucket, NoSuchKey, PreconditionFailed
from lakehouse.ports.object_store import ObjectStore

_VERSION_NAME = re.compile(r"^(\d{10})\.json$")
ATTEMPTS = 50  # lost races before giving up; each retry re-reads the latest version
_BACKOFF_START, _BACKOFF_CAP = 0.002, 0.1  # seconds; jittered, doubling per lost race
_PRUNE_EVERY = 10  # prune on every tenth version, so pruning costs little per write


def version_key(prefix: str, number: int) -> str:
    return f"{prefix}{number:010d}.json"


def encode(document: Any) -> bytes:
    # Compact: json's C encoder only runs without indent, and partition sets get large.
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class VersionedDocument:
    """The versions of one document under `prefix` (which ends with '/').

    `hints` (prefix -> latest number seen), shared by the caller across instances, lets
    `latest` probe instead of list.
    """

    def __init__(
        self, store: ObjectStore, bucket: str, prefix: str, keep: int, hints: dict[str, int] | None = None
    ) -> None:
        self.store, self.bucket, self.prefix, self.keep = store, bucket, prefix, keep
        self.hints: dict[str, int] = {} if hints is None else hints

    def numbers(self) -> list[int]:
        """Every stored version number, ascending (empty when there is none)."""
        try:
            infos = list(self.store.list_objects_v2(self.bucket, self.prefix))
        except NoSuchBucket:
            return []
        names = (info.key[len(self.prefix):] for info in infos)
        return sorted(int(match.group(1)) for name in names if (match := _VERSION_NAME.match(name)))

    def read(self, number: int) -> Any | None:
        """One version's document, or None when it does not exist (any more)."""
        stored = self._stored(number)
        return None if stored is None else stored["Document"]

    def _stored(self, number: int) -> dict[str, Any] | None:
        try:
            stored: dict[str, Any] = json.loads(self.store.get_object(self.bucket, version_key(self.prefix, number)))
        except (NoSuchKey, NoSuchBucket):
            return None
        return stored

    def latest(self) -> tuple[int, Any | None]:
        """(number, document) of the newest version; (0, None) when there is none."""
        hint = self.hints.get(self.prefix)
        if hint is not None and (found := self._probe(hint)) is not None:
            return found
        for _ in range(ATTEMPTS):
            numbers = self.numbers()
            if not numbers:
                self.hints.pop(self.prefix, None)
                return 0, None
            if (found := self._probe(numbers[-1])) is not None:
                return found
            # Pruned or deleted between the listing and the read: list again.
        raise ConcurrentModificationException(
            f"ConcurrentModificationException: {self.prefix} kept changing while being read"
        )

    def _probe(self, number: int) -> tuple[int, Any] | None:
        """The newest version at or above `number` (versions are contiguous); None if `number` is gone."""
        document = self.read(number)
        if document is None:
            return None
        while (newer := self.read(number + 1)) is not None:
            number, document = number + 1, newer
        self.hints[self.prefix] = number
        return number, document

    def create(self, number: int, document: Any) -> bool:
        """Create version `number` exclusively; False when another writer has it already."""
        writer = uuid.uuid4().hex
        key, body = version_key(self.prefix, number), encode({"Writer": writer, "Document": document})
        try:
            self.store.put_object(self.bucket, key, body, if_none_match=True)
        except PreconditionFailed:
            # A retried request whose first attempt succeeded also lands here.
            stored = self._stored(number)
            if stored is None or stored.get("Writer") != writer:
                return False
        if number > 1 and not self.store.object_exists(self.bucket, version_key(self.prefix, number - 1)):
            self.store.delete_object(self.bucket, key)  # we wrote below the pruning floor
            return False
        self.hints[self.prefix] = max(number, self.hints.get(self.prefix, 0))
        if number % _PRUNE_EVERY == 0:
            self.prune(number)
        return True

    def write_next(
        self, change: Callable[[int, Any | None], Any | None], what: str, expected: int | None = None
    ) -> tuple[int, Any | None]:
        """Apply `change(next_number, latest_document)` and store the result as the next version.

        `change` returns the new document, or None when there is nothing to write; it may
        raise (EntityNotFoundException, …) to refuse. A lost race re-reads and re-applies,
        unless `expected` (the version the caller based its change on) is given: then a
        newer version is a ConcurrentModificationException, as with Glue's VersionId.
        Returns (number, document) of the version written (or of the latest, unchanged).
        """
        for attempt in range(ATTEMPTS):
            number, current = self.latest()
            document = change(number + 1, current)  # first, so a missing entity is reported as such
            if expected is not None and number != expected:
                raise ConcurrentModificationException(
                    f"ConcurrentModificationException: {what}: version {expected} is not the latest "
                    f"({number}); read it again and retry"
                )
            if document is None:
                return number, current
            if self.create(number + 1, document):
                return number + 1, document
            if expected is not None:
                raise ConcurrentModificationException(
                    f"ConcurrentModificationException: {what}: another writer updated version {expected} "
                    "first; read it again and retry"
                )
            time.sleep(random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_START * 2**attempt)))
        raise ConcurrentModificationException(
            f"ConcurrentModificationException: {what}: other writers won {ATTEMPTS} times in a row; retry later"
        )

    def overwrite(self, number: int, document: Any) -> None:
        """Replace a stored version's body (the key stays, so it is never created again)."""
        body = encode({"Writer": "overwritten", "Document": document})
        self.store.put_object(self.bucket, version_key(self.prefix, number), body)

    def prune(self, latest: int) -> None:
        """Delete versions more than `keep` behind latest, oldest first (see the module doc)."""
        floor = latest - self.keep
        # Usually only the versions that fell behind since the last prune; now and then all
        # of them, by listing, in case a writer died before its turn to prune.
        everything = latest % (_PRUNE_EVERY * 10) == 0
        numbers = self.numbers() if everything else range(max(1, floor - _PRUNE_EVERY + 1), floor + 1)
        for number in numbers:
            if number > floor:
                return
            self.store.delete_object(self.bucket, version_key(self.prefix, number))

    def delete_all(self) -> None:
        self.hints.pop(self.prefix, None)
        try:
            self.store.delete_prefix(self.bucket, self.prefix)
        except NoSuchBucket:
            pass
