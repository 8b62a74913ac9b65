"""What a writing statement (CTAS, INSERT INTO, UNLOAD) claims before its first file, and how a
claim left by a killed statement is judged: finished (keep its files) or not (remove them).

The claim is saved on the execution record before any data file is written: the exact object
keys the statement will write (their names carry a fresh random token, so no other write can
own them), the table it publishes and the partition locations it registers. A statement is
finished when every claimed file exists and its catalog change is there: for a CTAS the table
(created last, with its partitions staged before it), for an INSERT INTO the new partitions.
An unfinished one is rolled back by removing its claimed files: readers then see the state
before the statement, never part of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lakehouse.errors import EntityNotFoundException, InvalidObjectKey
from lakehouse.keys import validate_bucket_name, validate_key, validate_prefix
from lakehouse.ports.catalog import DataCatalog
from lakehouse.ports.object_store import ObjectStore


@dataclass(frozen=True)
class OutputClaim:
    statement: str  # CREATE_TABLE_AS_SELECT | INSERT | UNLOAD
    location: str  # s3://bucket/prefix/ the statement writes under
    files: list[str]  # s3:// URIs of every data file it will write
    table: str | None = None  # "database.table" it creates or inserts into
    partitions: list[str] = field(default_factory=list)  # partition locations it registers

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> OutputClaim:
        return cls(str(document["statement"]), str(document["location"]), [str(f) for f in document["files"]],
                   document.get("table"), [str(p) for p in document.get("partitions") or []])


def claimed_objects(claim: OutputClaim, catalog_bucket: str) -> list[tuple[str, str]]:
    """(bucket, key) of each claimed file, each checked to lie under the claimed location, whose
    bucket is not the catalog's own (where user SQL may never write): a record edited by hand
    must not make the doctor delete anything else."""
    root = urlsplit(claim.location)
    if root.scheme != "s3" or validate_bucket_name(root.netloc) == catalog_bucket:
        raise InvalidObjectKey(f"claimed location {claim.location} is not a location statements write to")
    prefix = validate_prefix(root.path.lstrip("/"))
    if prefix and not prefix.endswith("/"):
        raise InvalidObjectKey(f"claimed location {claim.location} is not a folder")
    objects = []
    for uri in claim.files:
        parts = urlsplit(uri)
        key = validate_key(parts.path.lstrip("/"))
        if parts.scheme != "s3" or parts.netloc != root.netloc or not key.startswith(prefix):
            raise InvalidObjectKey(f"claimed file {uri} is not under {claim.location}")
        objects.append((parts.netloc, key))
    return objects


def finished(claim: OutputClaim, objects: list[tuple[str, str]], store: ObjectStore, catalog: DataCatalog) -> bool:
    """Whether the statement got as far as its last step (its files are then the table's)."""
    if not all(store.object_exists(bucket, key) for bucket, key in objects):
        return False
    if claim.table is None:
        return True  # UNLOAD: its files are all there
    database, _, name = claim.table.partition(".")
    try:
        table = catalog.get_table(database, name)
    except EntityNotFoundException:
        return False  # a CTAS killed before it created its table
    if table["StorageDescriptor"]["Location"].rstrip("/") != claim.location.rstrip("/"):
        return False  # another table of that name, elsewhere: these files are no table's
    if not claim.partitions:
        return True
    registered = {p["StorageDescriptor"]["Location"].rstrip("/") for p in catalog.get_partitions(database, name)}
    return all(location.rstrip("/") in registered for location in claim.partitions)
