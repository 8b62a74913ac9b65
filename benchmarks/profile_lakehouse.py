"""Where the lakehouse prepare path spends its time and memory, phase by phase and plan node by node.

    python benchmarks/profile_lakehouse.py --rows 10000000 [--nodes] [--workdir /tmp/lakehouse-bench]

Runs what recipe_vs_pandas.py measures as "lakehouse", split into the pieces of
parse_source and run_recipe, with the peak RSS of each piece (the kernel's high-water mark,
reset between pieces through /proc/self/clear_refs). --nodes also runs the compiled recipe
plan once under Polars' profiler (in-memory engine) and prints the slowest plan nodes.
For a sampled call graph, run this script under `py-spy record --native`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import ContextManager
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recipe_vs_pandas import DEFAULT_WORKDIR, SEED, ensure_sample  # noqa: E402

from lakehouse.bench.harness import cpu_seconds, phase as shared_phase  # noqa: E402
from lakehouse.datasets.readers import parse_source  # noqa: E402
from lakehouse.datasets.registry import dataset  # noqa: E402
from lakehouse.datasets.source_check import check_source  # noqa: E402
from lakehouse.prepare import run_recipe  # noqa: E402
from lakehouse.recipes.compile import compile_recipe  # noqa: E402
from lakehouse.recipes.definitions import dataset_recipe  # noqa: E402
from lakehouse.recipes.operations import load_all  # noqa: E402


def phase(name: str) -> ContextManager[None]:
    return shared_phase(name, width=58)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--nodes", action="store_true", help="also profile the recipe plan node by node")
    args = parser.parse_args()

    sample = ensure_sample(args.workdir, args.rows, args.seed)
    out = args.workdir / "profile"
    out.mkdir(parents=True, exist_ok=True)
    load_all()
    spec = dataset("3-1-1-inquiry-volume")
    recipe = dataset_recipe(spec)
    total = time.perf_counter()

    # parse_source, as in readers.py
    # A clean export: DuckDB's count with store_rejects, the rows then read by Polars inside run_recipe
    # (an export with bad lines: DuckDB read_csv -> parsed.parquet + rejects).
    with phase("parse_source (DuckDB check; parsed.parquet if lines are rejected)"):
        parsed = parse_source(check_source(sample, spec), spec, out)

    with phase("run_recipe: the read, hash pass, one partitioned sink, rejects"):
        landing_path, rejects = run_recipe(recipe, parsed, spec, out)
    with phase("count landing + write rejected.parquet"):
        pl.scan_parquet(landing_path).select(pl.len()).collect()
        rejects.write_parquet(out / "rejected.parquet")
    print(f"{'total':<58} {time.perf_counter() - total:7.2f} s  cpu {cpu_seconds():7.2f} s (whole process)")
    parsed_size = f"parsed.parquet {parsed.rows_path.stat().st_size / 1e6:.0f} MB" if parsed.rows_path else "read directly"
    print(f"sizes: {parsed_size}, "
          f"landing.parquet {landing_path.stat().st_size / 1e6:.0f} MB")

    if args.nodes:
        plan = compile_recipe(recipe, parsed.scan(), keep_raw=False)
        with phase("recipe plan under the profiler (in-memory engine)"):
            _, nodes = plan.profile()
        nodes = nodes.with_columns(seconds=(pl.col("end") - pl.col("start")) / 1e6).sort("seconds", descending=True)
        print("\nslowest plan nodes (seconds, node):")
        for name, seconds in nodes.select("node", "seconds").head(15).iter_rows():
            print(f"  {seconds:7.2f}  {name[:140]}")


if __name__ == "__main__":
    main()
