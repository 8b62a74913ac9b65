"""`lakehouse doctor`: check a lakehouse for consistency and repair what can be repaired.

Checked: raw objects against their manifests (size, sha256) and the current pointer; landing
sources against their manifests (data and rejects present, rows reconciling, the Parquet's
own row count); catalog tables and partitions against the files they point at; snapshot
folders no table version references; writes a killed process left unfinished; run records
left RUNNING by a killed command; query executions left QUEUED or RUNNING by a killed process;
files a CREATE TABLE AS, INSERT INTO or UNLOAD claimed and did not finish (their process gone);
partition sets staged for a table that was never created.
Repaired (with --repair): orphaned snapshot folders, unfinished writes, unfinished statements'
files and staged partition sets are removed, stale RUNNING records and interrupted query
executions are marked FAILED. Damaged sources cannot be repaired here: the finding says what
to re-run.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq

from lakehouse.datasets.registry import DATASETS
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import EntityNotFoundException, InvalidObjectKey
from lakehouse.ingest import CURRENT, raw_manifests
from lakehouse.landing import landing_sources, rejected_key
from lakehouse.platform import Platform
from lakehouse.runlog import PREFIX as RUNS_PREFIX
from lakehouse.runlog import RunRecord, save_run
from lakehouse.writer_lock import exclusive_writer
from lakehouse.zones import DATA_ZONES, RESULTS_ZONE

_CHUNK = 1 << 20


@dataclass
class Finding:
    zone: str
    where: str
    problem: str
    remedy: str
    repaired: bool = False


class Doctor:
    def __init__(self, platform: Platform, repair: bool) -> None:
        self.platform, self.repair = platform, repair
        self.zones, self.store = platform.zones, platform.store
        self.findings: list[Finding] = []
        self.checked: dict[str, int] = {}

    def examine(self) -> list[Finding]:
        # The writer lock: no command changes the lakehouse while it is examined or repaired.
        with exclusive_writer(self.zones, "doctor"):
            for spec in DATASETS.values():
                self._raw(spec)
                self._landing(spec)
            self._catalog()
            self._unfinished_writes()
            self._runs()
            self._query_executions()
            self._staged_partitions()
        return self.findings

    def _found(self, zone: str, where: str, problem: str, remedy: str, repaired: bool = False) -> None:
        self.findings.append(Finding(zone, where, problem, remedy, repaired))

    def _count(self, what: str) -> None:
        self.checked[what] = self.checked.get(what, 0) + 1

    # raw -----------------------------------------------------------------------------
    def _raw(self, spec: DatasetSpec) -> None:
        bucket = self.zones.bucket("raw")
        manifests = raw_manifests(self.zones, spec)
        for manifest in manifests:
            self._count("raw objects")
            where = f"{bucket}/{manifest.key}"
            if not self.store.object_exists(bucket, manifest.key):
                self._found("raw", where, "object missing (its manifest remains)", f"re-ingest {manifest.source}")
                continue
            size, digest = self._digest(bucket, manifest.key)
            if size != manifest.size or digest != manifest.sha256:
                self._found("raw", where, f"content changed: {size} bytes, sha256 {digest[:12]}… "
                            f"(manifest: {manifest.size} bytes, {manifest.sha256[:12]}…)", f"re-ingest {manifest.source}")
        current = self.zones.find_json("raw", f"{spec.portal_id}/{CURRENT}")
        if current is not None and current.get("key") not in {m.key for m in manifests}:
            self._found("raw", f"{bucket}/{spec.portal_id}/{CURRENT}",
                        f"points at {current.get('key')}, which has no manifest", "re-ingest the source")

    def _digest(self, bucket: str, key: str) -> tuple[int, str]:
        digest, size = hashlib.sha256(), 0
        with tempfile.TemporaryDirectory(prefix="lakehouse-doctor-") as scratch:
            path = self.zones.local_file("raw", key, Path(scratch))
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        return size, digest.hexdigest()

    # landing -------------------------------------------------------------------------
    def _landing(self, spec: DatasetSpec) -> None:
        bucket = self.zones.bucket("landing")
        for manifest in landing_sources(self.zones, spec):
            self._count("landing sources")
            where = f"{bucket}/{manifest.data_key}"
            if manifest.raw_rows != manifest.landing_rows + manifest.rejected_rows:
                self._found("landing", where, f"rows do not reconcile: {manifest.raw_rows} raw != "
                            f"{manifest.landing_rows} landing + {manifest.rejected_rows} rejected",
                            "lakehouse prepare (after re-ingesting the source)")
            files = [(manifest.data_key, manifest.landing_rows, "landing rows")]
            if manifest.rejects_itemised:  # a real DataBrew job keeps no rejected rows to count
                files.append((rejected_key(spec, manifest.raw_sha256), manifest.rejected_rows, "rejected rows"))
            for key, rows, what in files:
                if not self.store.object_exists(bucket, key):
                    self._found("landing", f"{bucket}/{key}", f"{what} file missing", "lakehouse prepare")
                    continue
                with tempfile.TemporaryDirectory(prefix="lakehouse-doctor-") as scratch:
                    counted = pq.ParquetFile(self.zones.local_file("landing", key, Path(scratch))).metadata.num_rows
                if counted != rows:
                    self._found("landing", f"{bucket}/{key}", f"{counted} {what}, manifest says {rows}",
                                "lakehouse prepare")

    # catalog and curated -------------------------------------------------------------
    def _catalog(self) -> None:
        catalog, database = self.platform.catalog, self.platform.settings.database
        try:
            tables = catalog.get_tables(database)
        except EntityNotFoundException:
            return
        for table in tables:
            self._count("catalog tables")
            name = table["Name"]
            # A registered partition always has files; a table's own folder may be empty (no rows).
            locations = [p["StorageDescriptor"]["Location"] for p in catalog.get_partitions(database, name)]
            for location in locations:
                parts = urlsplit(location)
                if parts.scheme == "s3" and not any(True for _ in self._files(parts.netloc, parts.path.lstrip("/"))):
                    self._found("catalog", f"{database}.{name}", f"{location} holds no files",
                                "lakehouse transform --full-refresh")
                    break
            self._orphan_snapshots(database, name)

    def _files(self, bucket: str, prefix: str):  # type: ignore[no-untyped-def]
        if not self.store.head_bucket(bucket):
            return iter(())
        return self.store.list_objects_v2(bucket, prefix)

    def _orphan_snapshots(self, database: str, table: str) -> None:
        from lakehouse.etl.snapshots import SNAPSHOT_PARAMETER, table_root

        bucket = self.zones.bucket("curated")
        root = f"{table_root(database, table)}snapshots/"
        folders = sorted({info.key[len(root):].split("/", 1)[0] for info in self._files(bucket, root)})
        versions = self.platform.catalog.get_table_versions(database, table)
        referenced = {str(v["Table"].get("Parameters", {}).get(SNAPSHOT_PARAMETER, "")) for v in versions}
        for folder in folders:
            if folder not in referenced:
                if self.repair:
                    self.store.delete_prefix(bucket, f"{root}{folder}/")
                self._found("curated", f"{bucket}/{root}{folder}/", "snapshot folder no table version references",
                            "removed" if self.repair else "lakehouse doctor --repair", self.repair)

    # unfinished writes and runs ------------------------------------------------------
    def _unfinished_writes(self) -> None:
        # Query results too: a query killed while writing its result file leaves a temp file there.
        for zone in (*DATA_ZONES, "catalog", RESULTS_ZONE):
            bucket = self.zones.bucket(zone)
            if not self.store.head_bucket(bucket):
                continue
            for key in self.store.list_incomplete_uploads(bucket, ""):
                self._found(zone, f"{bucket}/{key}", "write left unfinished by a stopped process",
                            "removed" if self.repair else "lakehouse doctor --repair", self.repair)
            if self.repair:
                self.store.abort_incomplete_uploads(bucket, "")

    def _runs(self) -> None:
        bucket = self.zones.bucket("catalog")
        for info in self._files(bucket, RUNS_PREFIX):
            record = RunRecord(**self.zones.get_json("catalog", info.key))
            if record.status != "RUNNING":
                continue
            # We hold the writer lock, so no command that writes a run record is alive.
            if self.repair:
                record.status, record.error = "FAILED", "interrupted (found by lakehouse doctor)"
                save_run(self.zones, record)
            self._found("catalog", f"{bucket}/{info.key}", f"`lakehouse {record.command}` was interrupted",
                        "marked FAILED" if self.repair else "lakehouse doctor --repair", self.repair)


    def _query_executions(self) -> None:
        """Query executions left QUEUED or RUNNING by a process of this host that is gone: the
        local Athena's records (a client polling one would wait for ever); and the files a
        writing statement claimed but did not finish (emulation/athena/claims.py)."""
        bucket = self.zones.bucket("catalog")
        for info in self._files(bucket, _EXECUTIONS_PREFIX):
            record = self.zones.get_json("catalog", info.key)
            host, _, pid = str(record.get("owner") or "").rpartition(":")
            ours = host == socket.gethostname()
            if record.get("state") in ("QUEUED", "RUNNING") and (not ours or _alive(pid)):
                continue  # still running, or not ours to judge
            if record.get("claim") and record.get("state") != "SUCCEEDED":
                self._unfinished_output(record)
            if record.get("state") not in ("QUEUED", "RUNNING"):
                continue
            if self.repair:
                record |= {"state": "FAILED", "completed": time.time(),
                           "state_change_reason": "interrupted: the process running it stopped (lakehouse doctor)"}
                self.zones.put_json("catalog", info.key, record)
            self._found("catalog", f"{bucket}/{info.key}", f"query {record.get('query_execution_id')} was interrupted",
                        "marked FAILED" if self.repair else "lakehouse doctor --repair", self.repair)

    def _unfinished_output(self, record: dict[str, object]) -> None:
        """A CTAS, INSERT INTO or UNLOAD that stopped before its last step: its files are removed,
        so readers see the state before it (a finished one's files are its table's: kept)."""
        from emulation.athena.claims import OutputClaim, claimed_objects, finished

        claim = OutputClaim.from_document(record["claim"])  # type: ignore[arg-type]
        query = record.get("query_execution_id")
        try:
            objects = claimed_objects(claim, self.zones.bucket("catalog"))
        except InvalidObjectKey as error:
            self._found("catalog", f"query {query}", f"its claimed output is not trusted: {error}",
                        "remove the record's files by hand")
            return
        if finished(claim, objects, self.store, self.platform.catalog):
            return
        left = [(bucket, key) for bucket, key in objects if self.store.object_exists(bucket, key)]
        if not left:
            return
        if self.repair:
            for bucket, key in left:
                self.store.delete_object(bucket, key)
        what = {"CREATE_TABLE_AS_SELECT": "CREATE TABLE AS", "INSERT": "INSERT INTO"}.get(claim.statement,
                                                                                       claim.statement)
        self._found("curated" if claim.table else RESULTS_ZONE, claim.location,
                    f"{len(left)} file(s) of an interrupted {what} (query {query}) no finished statement owns",
                    "removed" if self.repair else "lakehouse doctor --repair", self.repair)

    def _staged_partitions(self) -> None:
        """Partition sets no table owns: staged by a table creation that was killed before it
        created the table (emulation/glue/models.py). Invisible, but a later table of that name
        must not inherit them."""
        catalog = self.platform.catalog
        staged = getattr(catalog, "orphaned_partition_sets", None)
        for database, table in staged() if staged is not None else []:
            if self.repair:
                catalog.discard_partition_set(database, table)  # type: ignore[attr-defined]
            self._found("catalog", f"{database}.{table}", "partitions staged for a table that was never created",
                        "removed" if self.repair else "lakehouse doctor --repair", self.repair)


_EXECUTIONS_PREFIX = "athena/query-executions/"  # the local Athena's records (emulation/athena/executions.py)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return True  # not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def as_rows(findings: list[Finding]) -> list[dict[str, object]]:
    return [asdict(finding) for finding in findings]


