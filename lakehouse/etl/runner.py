"""What an ETL job run does locally (the JobExecutor of the Glue jobs emulation).

New landing sources (by the bookmark) are built into base rows and upserted into the
current base table by the model's natural key; aggregates are rebuilt from the whole
base; every table is written as a new snapshot and published by a catalog commit. The
bookmark advances only after the commit, so a run killed anywhere is simply redone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from lakehouse.catalog.register import ensure_database
from lakehouse.datasets.registry import dataset
from lakehouse.errors import StageError
from lakehouse.etl.fold import fold_landing
from lakehouse.etl.jobspec import JobSpec, parse_job_spec
from lakehouse.etl.snapshots import (
    WrittenTable,
    commit_snapshot,
    new_snapshot_id,
    prune_snapshots,
    read_current,
    snapshot_prefix,
    typed,
    write_snapshot,
)
from lakehouse.landing import LandingManifest, landing_sources
from lakehouse.ports.catalog import DataCatalog
from lakehouse.zones import Zones

DISABLED = "job-bookmark-disable"


def source_version(source: LandingManifest) -> str:
    """What the bookmark remembers of a source: its bytes and the recipe that cleaned them."""
    return f"{source.raw_sha256}@{source.recipe_version}"


class CurateJobRunner:
    def __init__(self, zones: Zones, catalog: DataCatalog) -> None:
        self.zones = zones
        self.catalog = catalog

    def __call__(
        self, job: dict[str, Any], arguments: dict[str, str], bookmark: dict[str, Any], log: Callable[[str], None]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        spec = parse_job_spec(job, where=str(job.get("Name")))
        database = arguments["--database"]
        full_refresh = arguments.get("--full-refresh") == "true" or arguments.get("--job-bookmark-option") == DISABLED
        keep = int(arguments.get("--snapshots-to-keep", "5"))
        sources = landing_sources(self.zones, dataset(spec.dataset))
        if not sources:
            raise StageError(f"no landing data for {spec.dataset}: run `lakehouse prepare` first")
        processed: dict[str, str] = {} if full_refresh else dict(bookmark.get("Processed", {}))
        fresh = [s for s in sources if processed.get(s.raw_sha256) != source_version(s)]
        log(f"{len(sources)} landing sources, {len(fresh)} new" + (" (full refresh)" if full_refresh else ""))
        if not fresh:
            return {"NewInputs": 0, "Tables": {}}, {"Processed": processed}
        ensure_database(self.catalog, database)
        with tempfile.TemporaryDirectory(prefix="lakehouse-job-") as scratch:
            written = self._write_all(spec, database, fresh, full_refresh, Path(scratch), log)
            for layout, table in zip(spec.outputs, written, strict=True):
                commit_snapshot(self.zones, self.catalog, database, layout, table, str(job.get("JobRunId", "")))
                log(f"published {table.name}: {table.rows} rows in {table.files} files")
        for layout in spec.outputs:
            pruned = prune_snapshots(self.zones, self.catalog, database, layout.table.name, keep)
            if pruned:
                log(f"pruned {len(pruned)} old snapshots of {layout.table.name}")
        processed.update({s.raw_sha256: source_version(s) for s in fresh})
        outputs = {"NewInputs": len(fresh), "Tables": {t.name: t.rows for t in written}}
        return outputs, {"Processed": processed}

    def _write_all(
        self, spec: JobSpec, database: str, fresh: list[LandingManifest], full_refresh: bool, workdir: Path,
        log: Callable[[str], None],
    ) -> list[WrittenTable]:
        base_layout = spec.outputs[0]
        current = None if full_refresh else read_current(self.zones, self.catalog, database, base_layout, workdir)
        parts = [] if current is None else [current.lazy()]
        for source in fresh:
            path = self.zones.local_file("landing", source.data_key, workdir)
            # An additive model's landing rows are summed by key in DuckDB first: the pass over
            # millions of rows streams in bounded memory, and Polars builds from one row per key.
            if spec.model.summed:
                landing = fold_landing(path, spec.model, workdir)
                log(f"source {source.raw_sha256[:16]}: {source.landing_rows} landing rows folded by natural key")
            else:
                landing = pl.scan_parquet(path)
            parts.append(typed(base_layout, spec.model.base.build(landing)))
        # Later sources replace earlier rows with the same natural key (BI_ID is never a key).
        base = (
            pl.concat(parts, how="vertical_relaxed")
            .unique(subset=list(spec.model.natural_key), keep="last", maintain_order=True)
            .pipe(lambda frame: typed(base_layout, frame))
            .collect()
        )
        log(f"{spec.model.base.name}: {base.height} rows after upserting {len(fresh)} sources")
        # The aggregates are small and independent: one collect_all runs them in parallel.
        aggregates = pl.collect_all([typed(layout, layout.table.build(base.lazy())) for layout in spec.outputs[1:]])
        snapshot_id = new_snapshot_id()
        return [
            write_snapshot(self.zones, layout, frame, snapshot_prefix(database, layout.table.name, snapshot_id))
            for layout, frame in zip(spec.outputs, [base, *aggregates], strict=True)
        ]
