"""Where the transform stage (the curate job) spends its time and memory, piece by piece.

    python benchmarks/profile_transform.py --rows 10000000 [--plan] [--workdir /tmp/lakehouse-bench-transform]

Uses the landing file that transform_vs_duckdb.py prepares (and caches) for that size, then
runs what CurateJobRunner does one piece at a time, with the functions it calls: the base
table (scan + group, then the upsert's typed/unique/typed), each aggregate, each table's
write_snapshot, each commit_snapshot and the pruning, on a scratch lakehouse home. Each
piece prints its seconds, CPU seconds and peak RSS (the kernel's high-water mark, reset
between pieces through /proc/self/clear_refs). Then, for comparison only, a few
alternatives to the base table's plan (Polars' streaming engine, DuckDB's GROUP BY).
--plan prints the optimised Polars plan of the base table. For a sampled call graph, run
`py-spy record --native -- python benchmarks/transform_vs_duckdb.py --child lakehouse ...`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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

from lakehouse.catalog.register import ensure_database  # noqa: E402
from lakehouse.etl.jobspec import TableLayout, job_for_dataset  # noqa: E402
from lakehouse.etl.snapshots import (  # noqa: E402
    commit_snapshot,
    new_snapshot_id,
    prune_snapshots,
    snapshot_prefix,
    typed,
    write_snapshot,
)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def phase(name: str) -> Iterator[None]:
    # Writing 5 to clear_refs resets VmHWM to the current RSS, so each piece gets its own peak.
    Path("/proc/self/clear_refs").write_text("5")
    started, cpu = time.perf_counter(), _cpu()
    yield
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    print(f"{name:<62} {seconds:7.2f} s  cpu {cpu:7.2f} s  peak RSS {_status_mb('VmHWM'):7.0f} MB  "
          f"now {_status_mb('VmRSS'):7.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--plan", action="store_true", help="print the base table's optimised Polars plan")
    parser.add_argument("--no-alternatives", action="store_true", help="skip the comparison plans")
    args = parser.parse_args()

    landing_path, _ = ensure_landing(args.workdir, args.rows, args.seed)
    spec = job_for_dataset(DATASET)
    base_layout = spec.outputs[0]
    natural_key = list(spec.model.natural_key)
    print(f"landing: {landing_path} ({landing_path.stat().st_size / 1e6:.0f} MB, "
          f"{pl.scan_parquet(landing_path).select(pl.len()).collect().item():,} rows)")

    def base_plan(landing: pl.LazyFrame) -> pl.LazyFrame:
        # CurateJobRunner._write_all with one fresh source and no current table.
        return (
            pl.concat([typed(base_layout, spec.model.base.build(landing))], how="vertical_relaxed")
            .unique(subset=natural_key, keep="last", maintain_order=True)
            .pipe(lambda frame: typed(base_layout, frame))
        )

    if args.plan:
        print(base_plan(pl.scan_parquet(landing_path)).explain())
    total = time.perf_counter()
    with phase("base: the job's plan (scan, group, typed, unique, typed)"):
        base = base_plan(pl.scan_parquet(landing_path)).collect()
    del base
    with phase("  piece: scan + group_by + sum + extract + year"):
        grouped = spec.model.base.build(pl.scan_parquet(landing_path)).collect()
    with phase("  piece: typed + unique + typed on the grouped rows"):
        base = base_plan_from(grouped.lazy(), base_layout, natural_key)
    print(f"  base: {base.height:,} rows, {base.estimated_size() / 1e6:.1f} MB")

    with tempfile.TemporaryDirectory(prefix="profile-transform-", dir=args.workdir) as scratch:
        platform_ = _platform(Path(scratch) / "home")
        zones, catalog = platform_.zones, platform_.catalog
        zones.ensure_buckets()
        database = platform_.settings.database
        workdir = Path(scratch) / "work"
        workdir.mkdir()
        frames = {}
        for layout in spec.outputs[1:]:
            with phase(f"aggregate {layout.table.name}"):
                frames[layout.table.name] = typed(layout, layout.table.build(base.lazy())).collect()
        snapshot_id = new_snapshot_id()
        written = []
        for layout in spec.outputs:
            frame = base if layout is base_layout else frames[layout.table.name]
            with phase(f"write_snapshot {layout.table.name}"):
                written.append(write_snapshot(zones, layout, frame, snapshot_prefix(database, layout.table.name,
                                                                                      snapshot_id), workdir))
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
    with phase("base: the job's plan, collect(engine='streaming')"):
        base_plan(pl.scan_parquet(landing_path)).collect(engine="streaming")
    with phase("group_by alone, categorical keys (streaming)"):
        (pl.scan_parquet(landing_path)
         .with_columns(pl.col("department", "inquiry_type", "channel").cast(pl.Categorical))
         .group_by("department", "inquiry_type", "channel", "month_start").agg(pl.col("inquiries").sum())
         .collect(engine="streaming"))
    import duckdb

    connection = duckdb.connect()
    with phase("DuckDB: the floor's base table (CREATE TEMP TABLE ... GROUP BY ALL)"):
        connection.execute(BASE_SQL.replace("{landing}", sql_string(landing_path)))
    with phase("DuckDB GROUP BY -> Arrow -> Polars, then the job's upsert plan"):
        # What the job could do: let DuckDB fold the landing rows by the natural key and keep the
        # model's Polars code for everything after it (its input is then ~75k rows, not 10M).
        grouped = pl.from_arrow(connection.execute(
            "SELECT department, inquiry_type, channel, month_start, sum(inquiries)::BIGINT AS inquiries "
            f"FROM read_parquet({sql_string(landing_path)}) GROUP BY ALL").arrow())
        assert isinstance(grouped, pl.DataFrame)
        hybrid = base_plan_from(spec.model.base.build(grouped.lazy()), base_layout, natural_key)
    connection.close()
    print(f"  hybrid base: {hybrid.height:,} rows, same as the job's: {hybrid.equals(base)}")


def base_plan_from(grouped: pl.LazyFrame, base_layout: TableLayout, natural_key: list[str]) -> pl.DataFrame:
    """The upsert half of the job's base plan, on rows already grouped."""
    return (
        pl.concat([typed(base_layout, grouped)], how="vertical_relaxed")
        .unique(subset=natural_key, keep="last", maintain_order=True)
        .pipe(lambda frame: typed(base_layout, frame))
        .collect()
    )


if __name__ == "__main__":
    main()
