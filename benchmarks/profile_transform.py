"""Where the transform stage (the curate job) spends its time and memory, piece by piece.

    python benchmarks/profile_transform.py --rows 10000000 [--plan] [--workdir /tmp/lakehouse-bench-transform]

Uses the landing file that transform_vs_duckdb.py prepares (and caches) for that size, then
runs what CurateJobRunner does one piece at a time, with the functions it calls: the base
table (the landing rows folded by natural key in DuckDB, then the model's Polars build and
the upsert's typed/unique/typed), the aggregates, each table's write_snapshot, each
commit_snapshot and the pruning, on a scratch lakehouse home. Each piece prints its
seconds, CPU seconds and peak RSS (the kernel's high-water mark, reset between pieces
through /proc/self/clear_refs). Then, for comparison only, the base plan as the job ran it
before the fold (all in Polars, in-memory and streaming) and the floor's DuckDB GROUP BY.
--plan prints the optimised Polars plan of the build + upsert. For a sampled call graph, run
`py-spy record --native -- python benchmarks/transform_vs_duckdb.py --child lakehouse ...`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from typing import ContextManager
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from transform_vs_duckdb import (  # noqa: E402
    BASE_SQL,
    DATASET,
    DEFAULT_WORKDIR,
    SEED,
    _platform,
    ensure_landing,
    sql_string,
)

from lakehouse.bench.harness import phase as shared_phase  # noqa: E402
from lakehouse.catalog.register import ensure_database  # noqa: E402
from lakehouse.etl.fold import fold_landing  # noqa: E402
from lakehouse.etl.jobspec import TableLayout, job_for_dataset  # noqa: E402
from lakehouse.etl.snapshots import (  # noqa: E402
    commit_snapshot,
    new_snapshot_id,
    prune_snapshots,
    snapshot_prefix,
    typed,
    write_snapshot,
)


def phase(name: str) -> ContextManager[None]:
    return shared_phase(name, width=62)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--landing", type=Path, help="profile this landing Parquet instead of the cached sample")
    parser.add_argument("--plan", action="store_true", help="print the Polars plan of the base table's build + upsert")
    parser.add_argument("--no-alternatives", action="store_true", help="skip the comparison plans")
    args = parser.parse_args()

    landing_path = args.landing or ensure_landing(args.workdir, args.rows, args.seed)[0]
    spec = job_for_dataset(DATASET)
    base_layout = spec.outputs[0]
    natural_key = list(spec.model.natural_key)
    print(f"landing: {landing_path} ({landing_path.stat().st_size / 1e6:.0f} MB, "
          f"{pl.scan_parquet(landing_path).select(pl.len()).collect().item():,} rows)")

    with tempfile.TemporaryDirectory(prefix="profile-transform-", dir=args.workdir) as scratch:
        total = time.perf_counter()
        # CurateJobRunner._write_all with one fresh source and no current table.
        with phase("base: fold the landing rows by natural key (DuckDB)"):
            folded = fold_landing(landing_path, spec.model, Path(scratch)).collect()
        print(f"  folded: {folded.height:,} rows")
        if args.plan:
            print(upsert_plan(folded.lazy(), base_layout, natural_key).explain())
        with phase("base: model build + typed + unique + typed (Polars)"):
            base = upsert_plan(folded.lazy(), base_layout, natural_key).collect()
        print(f"  base: {base.height:,} rows, {base.estimated_size() / 1e6:.1f} MB")

        platform_ = _platform(Path(scratch) / "home")
        zones, catalog = platform_.zones, platform_.catalog
        zones.ensure_buckets()
        database = platform_.settings.database
        with phase("6 aggregates (one collect_all)"):
            aggregates = pl.collect_all([typed(layout, layout.table.build(base.lazy())) for layout in spec.outputs[1:]])
        snapshot_id = new_snapshot_id()
        written = []
        for layout, frame in zip(spec.outputs, [base, *aggregates], strict=True):
            with phase(f"write_snapshot {layout.table.name}"):
                written.append(write_snapshot(zones, layout, frame,
                                              snapshot_prefix(database, layout.table.name, snapshot_id)))
        with phase("ensure_database"):
            ensure_database(catalog, database)
        for layout, table in zip(spec.outputs, written, strict=True):
            with phase(f"commit_snapshot {layout.table.name} ({len(table.partitions)} partitions)"):
                commit_snapshot(zones, catalog, database, layout, table, "profile")
        with phase("prune_snapshots (7 tables)"):
            for layout in spec.outputs:
                prune_snapshots(zones, catalog, database, layout.table.name, 5)
        print(f"{'total of the pieces above':<62} {time.perf_counter() - total:7.2f} s")

    if args.no_alternatives:
        return
    print("\nalternatives (for comparison; not what the job runs):")
    with phase("before: the whole base plan in Polars (in-memory engine)"):
        before = upsert_plan(spec.model.base.build(pl.scan_parquet(landing_path)), base_layout, natural_key).collect()
    print(f"  same base table as the job's: {before.equals(base)}")
    del before
    with phase("before: the whole base plan in Polars (streaming engine)"):
        upsert_plan(spec.model.base.build(pl.scan_parquet(landing_path)), base_layout,
                    natural_key).collect(engine="streaming")
    import duckdb

    connection = duckdb.connect()
    with phase("DuckDB: the floor's base table (CREATE TEMP TABLE ... GROUP BY ALL)"):
        connection.execute(BASE_SQL.replace("{landing}", sql_string(landing_path)))
    connection.close()


def upsert_plan(rows: pl.LazyFrame, base_layout: TableLayout, natural_key: list[str]) -> pl.LazyFrame:
    """The rest of the job's base plan: the model's build, then the upsert by natural key."""
    return (
        pl.concat([typed(base_layout, job_for_dataset(DATASET).model.base.build(rows))], how="vertical_relaxed")
        .unique(subset=natural_key, keep="last", maintain_order=True)
        .pipe(lambda frame: typed(base_layout, frame))
    )


if __name__ == "__main__":
    main()
