"""Benchmark: the prepare stage's recipe run against the same cleaning in pandas and plain Polars.

Run from the repository root with the project's venv (pandas installed):

    python benchmarks/recipe_vs_pandas.py --rows 1000000 --rows 10000000 \
        --json benchmarks/results/recipe_vs_pandas.json

Three systems clean the same dirty sample export (`write_sample(..., dirty=True)`):

* lakehouse     check_source + parse_source (DuckDB CSV -> string Parquet) + run_recipe with the
                shipped Vancouver recipe (one lazy Polars plan), then the rejected rows written to
                Parquet as a prepare run does before uploading; no object store, ruleset or profile.
* pandas        the same repairs and rejections written plainly with pandas string methods.
* polars-plain  the same again as one hand-written lazy Polars plan (a baseline for context).

Each measurement runs in a fresh child process (this script with --child), so the peak RSS
read from os.wait4 is that system's alone; the median of --repeat runs is reported. The
landing and rejected row counts (and a fingerprint of the landing rows) must agree with
lakehouse's; a disagreement is printed and marked in the record.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lakehouse.bench.harness import environment, run_child, write_result
from lakehouse.bench.pandas_pipeline import (  # the pandas system and the recipe's rules, shared with `lakehouse bench`
    LABELS, LANDING, REQUIRED, WHITESPACE_AND_QUOTES, clean, recipe_rules,
)

REPO = Path(__file__).resolve().parent.parent
DATASET = "3-1-1-inquiry-volume"
SYSTEMS = ("lakehouse", "pandas", "polars-plain")
SEED = 311
END_MONTH = "2026-10"  # fixed, so a cached sample is the same file whatever the date
DEFAULT_WORKDIR = Path("/tmp/lakehouse-bench")
DEFAULT_MARKDOWN = REPO / "benchmarks" / "results" / "recipe_vs_pandas.md"
GOAL_SPEEDUP = 5.0  # lakehouse vs pandas at 10M rows (from the issue)
GOAL_RSS_MB = 2048.0



# --------------------------------------------------------------------------------------
# The systems. Each runs in a child process, writes landing.parquet and rejected.parquet
# into `out` and returns its counts and the seconds of its phases.
# --------------------------------------------------------------------------------------
@dataclass
class RunResult:
    landing_rows: int
    rejected_rows: int
    phases: dict[str, float]  # phase -> seconds, in order
    rejected_by_reason: dict[str, int] = field(default_factory=dict)


def run_lakehouse(sample: Path, out: Path) -> RunResult:
    import polars as pl

    from lakehouse.datasets.readers import parse_source
    from lakehouse.datasets.registry import dataset
    from lakehouse.datasets.source_check import check_source
    from lakehouse.prepare import run_recipe
    from lakehouse.recipes.definitions import dataset_recipe

    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = now - clock
        clock = now

    spec = dataset(DATASET)
    recipe = dataset_recipe(spec)
    parsed = parse_source(check_source(sample, spec), spec, out)
    lap("parse (DuckDB)")
    landing_path, rejected = run_recipe(recipe, parsed, spec, out)
    lap("recipe (Polars)")
    # What RecipeJobRunner does next, short of the ruleset, the profile and the upload.
    landing_rows = pl.scan_parquet(landing_path).select(pl.len()).collect().item()
    rejected.write_parquet(out / "rejected.parquet")
    lap("count + write rejects")
    if landing_path != out / "landing.parquet":
        landing_path.replace(out / "landing.parquet")
    by_step = rejected.group_by("step", "operation").len().sort("step").iter_rows()
    return RunResult(landing_rows, rejected.height, phases, {f"{step} {op}": n for step, op, n in by_step})


def run_pandas(sample: Path, out: Path) -> RunResult:
    """The cleaning as an analyst would write it in pandas (lakehouse/bench/pandas_pipeline.py)."""
    cleaned = clean(sample)
    clock = time.perf_counter()
    cleaned.landing.to_parquet(out / "landing.parquet", index=False)
    cleaned.rejected.to_parquet(out / "rejected.parquet", index=False)
    phases = {**cleaned.phases, "write parquet": time.perf_counter() - clock}
    by_reason = {str(k): int(v) for k, v in cleaned.rejected["reason"].value_counts(sort=False).items()}
    return RunResult(len(cleaned.landing), len(cleaned.rejected), phases, by_reason)


def run_polars_plain(sample: Path, out: Path) -> RunResult:
    """The cleaning as one hand-written lazy Polars plan: mark each row's first failure, then split."""
    import polars as pl

    rules = recipe_rules()
    phases: dict[str, float] = {}
    start = time.perf_counter()
    col = pl.col
    reason = col("reason")
    alive = reason.is_null()

    def fail(mask: pl.Expr, why: str) -> pl.Expr:
        # A row keeps the first reason it failed for, as in a filter chain.
        return pl.when(alive & mask.fill_null(False)).then(pl.lit(why)).otherwise(reason).alias("reason")

    frame = (
        pl.scan_csv(sample, separator=";", infer_schema=False, quote_char='"')
        .with_row_index("source_line", offset=2)
        .with_columns(pl.lit(None, pl.String).alias("reason"))
        .with_columns(fail((col("Department") == "Department") & (col("Type") == "Type")
                           & (col("Year Month") == "Year Month"), "repeated header"))
        .with_columns(
            *(col(c).str.replace_all(r"\s{2,}", " ").str.strip_chars(WHITESPACE_AND_QUOTES)
              for c in ("Department", "Type", "Channel")),
            *(col(c).str.strip_chars() for c in ("Year Month", "Number of Records")),
        )
    )
    for column in REQUIRED:
        frame = frame.with_columns(fail(col(column).is_null() | (col(column) == ""), f"missing {column}"))
    # Duplicates among the rows still alive: group alive rows apart from the rejected ones.
    frame = frame.with_columns(fail(~pl.struct(alive.alias("alive"), *LABELS).is_first_distinct(), "duplicate row"))
    channel_key = col("Channel").str.to_lowercase()
    whole = col("Number of Records").str.contains(rules.count_pattern)
    frame = (
        frame.with_columns(
            col("Department").replace(rules.department_map).alias("department"),
            channel_key.replace(rules.channel_map).alias("channel"),
            pl.when(col("Year Month").str.contains(rules.month_pattern))
            .then((col("Year Month") + "-01").str.to_date("%Y-%m-%d", strict=False)).alias("month_start"),
            pl.when(whole).then(col("Number of Records").cast(pl.Int64, strict=False)).alias("inquiries"),
        )
        .with_columns(fail(col("month_start").is_null(), "malformed Year Month"))
        .with_columns(fail(~whole, "count not a whole number"))
        .with_columns(fail(col("inquiries") < 1, "count below 1"))
    )
    landing = frame.filter(alive).with_columns(col("Type").alias("inquiry_type")).select(LANDING)
    rejected = frame.filter(~alive).select("source_line", "reason", *LABELS)
    # One execution for both outputs: the shared scan and marking are computed once.
    landing_df, rejected_df = pl.collect_all([landing, rejected])
    phases["plan (collect_all)"] = time.perf_counter() - start
    clock = time.perf_counter()
    landing_df.write_parquet(out / "landing.parquet")
    rejected_df.write_parquet(out / "rejected.parquet")
    phases["write parquet"] = time.perf_counter() - clock
    by_reason = dict(rejected_df["reason"].value_counts().iter_rows())
    return RunResult(landing_df.height, rejected_df.height, phases, by_reason)


# Imported before the clock starts: the timings are of the work, not of loading libraries.
PRELOAD: dict[str, tuple[str, ...]] = {
    "lakehouse": ("polars", "duckdb", "lakehouse.prepare", "lakehouse.datasets.readers",
                  "lakehouse.datasets.registry", "lakehouse.recipes.definitions"),
    "pandas": ("numpy", "pandas", "pyarrow", "pyarrow.parquet"),
    "polars-plain": ("polars",),
}
RUNNERS: dict[str, Callable[[Path, Path], RunResult]] = {
    "lakehouse": run_lakehouse,
    "pandas": run_pandas,
    "polars-plain": run_polars_plain,
}


def child_main(system: str, sample: Path, out: Path) -> None:
    import importlib

    for module in PRELOAD[system]:
        importlib.import_module(module)
    if system == "lakehouse":
        from lakehouse.recipes.operations import load_all

        load_all()  # the operation registry is imported on first compile
    started = time.perf_counter()
    result = RUNNERS[system](sample, out)
    write_result(out, {**asdict(result), "seconds": time.perf_counter() - started})


# --------------------------------------------------------------------------------------
# The parent: samples, child processes, comparison, reports.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measurement:
    seconds: float  # the work alone, timed inside the child (imports excluded)
    process_seconds: float  # the whole child process, interpreter start and imports included
    peak_rss_mb: float
    result: dict[str, Any]


def ensure_sample(workdir: Path, rows: int, seed: int) -> Path:
    """The dirty sample of `rows` lines, generated once per (rows, seed) and reused."""
    path = workdir / "samples" / f"inquiry-volume-{rows}-seed{seed}-{END_MONTH}.csv"
    if path.exists():
        return path
    from lakehouse.datasets.sample import write_sample

    print(f"generating {path} ...", flush=True)
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    write_sample(partial, rows=rows, seed=seed, dirty=True, end_month=END_MONTH)
    partial.replace(path)  # only a complete sample is ever reused
    print(f"  {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f}s", flush=True)
    return path


def measure(system: str, sample: Path, out: Path) -> Measurement:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", system, "--sample", str(sample),
               "--out", str(out)]
    try:
        run = run_child(command, out, cwd=REPO, label=f"{system} on {sample.name}")
    except RuntimeError as failure:
        raise SystemExit(str(failure)) from None
    return Measurement(run.result["seconds"], run.process_seconds, run.peak_rss_mb, run.result)


def landing_fingerprint(path: Path) -> tuple[int, int]:
    """Row count and an order-independent hash of the landing rows, in one canonical schema."""
    import polars as pl

    schema = {"department": pl.String, "inquiry_type": pl.String, "channel": pl.String,
              "month_start": pl.Date, "inquiries": pl.Int64, "source_line": pl.Int64}
    frame = pl.scan_parquet(path).select(pl.col(name).cast(dtype) for name, dtype in schema.items())
    row = frame.select(pl.len(), pl.struct(pl.all()).hash(seed=SEED).sum().alias("hash")).collect()
    return int(row["len"][0]), int(row["hash"][0])


def run_benchmark(args: argparse.Namespace) -> list[dict[str, Any]]:
    workdir: Path = args.workdir
    records: list[dict[str, Any]] = []
    env = environment()
    for rows in args.rows:
        sample = ensure_sample(workdir, rows, args.seed)
        runs: dict[str, list[Measurement]] = {system: [] for system in args.systems}
        loads: dict[str, list[float]] = {system: [] for system in args.systems}
        # Round-robin over the systems, so that load from other processes on the machine
        # spreads over all of them instead of landing on one system's repetitions.
        for repeat in range(1, args.repeat + 1):
            for system in args.systems:
                loads[system].append(os.getloadavg()[0])
                run = measure(system, sample, workdir / "out" / f"{rows}" / system)
                runs[system].append(run)
                print(f"{rows:>11,} {system:<13} run {repeat}/{args.repeat}: {run.seconds:7.2f}s "
                      f"peak {run.peak_rss_mb:7.0f} MB  ({run.result['landing_rows']:,} landing, "
                      f"{run.result['rejected_rows']:,} rejected; load before {loads[system][-1]:.1f})", flush=True)
        by_system: dict[str, dict[str, Any]] = {}
        fingerprints: dict[str, tuple[int, int]] = {}
        for system in args.systems:
            out = workdir / "out" / f"{rows}" / system
            fingerprints[system] = landing_fingerprint(out / "landing.parquet")
            last = runs[system][-1].result
            seconds = statistics.median(r.seconds for r in runs[system])
            by_system[system] = {
                "rows": rows,
                "system": system,
                "seconds": round(seconds, 3),
                "rows_per_s": round(rows / seconds),
                "peak_rss_mb": round(max(r.peak_rss_mb for r in runs[system]), 1),
                "ratio_vs_lakehouse": None,
                "landing_rows": last["landing_rows"],
                "rejected_rows": last["rejected_rows"],
                "agrees_with_lakehouse": None,
                "min_seconds": round(min(r.seconds for r in runs[system]), 3),
                "runs_seconds": [round(r.seconds, 3) for r in runs[system]],
                "load_before_runs": [round(load, 2) for load in loads[system]],
                "process_seconds": round(statistics.median(r.process_seconds for r in runs[system]), 3),
                "phases_seconds": {name: round(statistics.median(r.result["phases"][name] for r in runs[system]), 3)
                                   for name in last["phases"]},
                "rejected_by_reason": last["rejected_by_reason"],
                "environment": env,
            }
            if not args.keep_outputs:
                for name in ("marked.parquet", "parsed.parquet"):
                    (out / name).unlink(missing_ok=True)
        base = by_system.get("lakehouse")
        for system, record in by_system.items():
            if base is None:
                continue
            # pandas: pandas_seconds / lakehouse_seconds is lakehouse's speed-up over pandas.
            record["ratio_vs_lakehouse"] = round(record["seconds"] / base["seconds"], 2)
            problems = []
            for key in ("landing_rows", "rejected_rows"):
                if record[key] != base[key]:
                    problems.append(f"{key} {record[key]:,} != lakehouse's {base[key]:,}")
            if fingerprints[system] != fingerprints["lakehouse"]:
                problems.append("landing rows differ in content from lakehouse's")
            record["agrees_with_lakehouse"] = not problems
            if problems:
                record["disagreement"] = "; ".join(problems)
                print(f"WARNING: {rows:,} rows, {system}: {record['disagreement']}", file=sys.stderr, flush=True)
        records.extend(by_system.values())
    return records


def markdown(records: list[dict[str, Any]], repeat: int, command: str) -> str:
    env = records[0]["environment"] if records else {}
    lines = [
        "# Recipe run vs pandas vs plain Polars",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {env.get('cpu', '?')}, {env.get('cpus', '?')} CPUs, {env.get('memory', '?')} RAM; "
        f"{env.get('os', '?')}; Python {env.get('python', '?')}, Polars {env.get('polars', '?')}, "
        f"DuckDB {env.get('duckdb', '?')}, pandas {env.get('pandas', '?')}.",
        "",
        f"Seconds: median of {repeat} runs, each in a fresh process (work only, imports excluded). "
        "Peak RSS: the child process's maximum resident set (largest over the runs). "
        "× vs lakehouse: the system's seconds / lakehouse's seconds (for pandas, lakehouse's speed-up). "
        "Best s: the fastest run. Runs go round-robin over the systems; the JSON has every run's "
        "seconds and the 1-minute load average before it.",
        "",
        "| rows | system | seconds | best s | rows/s | peak RSS MB | × vs lakehouse | landing rows | rejected rows | agrees |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in records:
        ratio = "" if r["ratio_vs_lakehouse"] is None else f"{r['ratio_vs_lakehouse']:.2f}"
        agrees = {True: "yes", False: "**NO**", None: "n/a"}[r["agrees_with_lakehouse"]]
        lines.append(
            f"| {r['rows']:,} | {r['system']} | {r['seconds']:.2f} | {r['min_seconds']:.2f} | {r['rows_per_s']:,} | {r['peak_rss_mb']:,.0f} "
            f"| {ratio} | {r['landing_rows']:,} | {r['rejected_rows']:,} | {agrees} |"
        )
    lines += ["", "Phases (median seconds):", ""]
    for r in records:
        phases = ", ".join(f"{name} {seconds:.2f}" for name, seconds in r["phases_seconds"].items())
        lines.append(f"- {r['rows']:,} {r['system']}: {phases}")
    goals = [r for r in records if r["system"] == "lakehouse"]
    if goals:
        lines += ["", f"Goals (issue): lakehouse ≥ {GOAL_SPEEDUP:.0f}× faster than pandas at 10M rows, "
                  f"peak RSS < {GOAL_RSS_MB:,.0f} MB:", ""]
        for base in goals:
            pandas = next((r for r in records if r["rows"] == base["rows"] and r["system"] == "pandas"), None)
            plain = next((r for r in records if r["rows"] == base["rows"] and r["system"] == "polars-plain"), None)
            parts = []
            if pandas:
                speedup = pandas["ratio_vs_lakehouse"]
                parts.append(f"speed-up vs pandas {speedup:.2f}× ({'met' if speedup >= GOAL_SPEEDUP else 'MISSED'})")
            if plain:
                parts.append(f"lakehouse / polars-plain time {base['seconds'] / plain['seconds']:.2f}×")
            met = base["peak_rss_mb"] < GOAL_RSS_MB
            parts.append(f"peak RSS {base['peak_rss_mb']:,.0f} MB ({'met' if met else 'MISSED'})")
            lines.append(f"- {base['rows']:,} rows: " + "; ".join(parts))
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="sample size (repeatable); default 1000000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per system and size; the median is reported")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="samples and outputs (not in git)")
    parser.add_argument("--json", type=Path, help="write the records here as JSON")
    parser.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN, help="write the table here")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the intermediate Parquet files")
    # Internal: one measurement, run by the parent in a fresh process.
    parser.add_argument("--child", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.rows = args.rows or [1_000_000]
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.child:
        child_main(args.child, args.sample, args.out)
        return
    records = run_benchmark(args)
    command = "python benchmarks/recipe_vs_pandas.py " + " ".join(argv)
    table = markdown(records, args.repeat, command)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(table, encoding="utf-8")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    print()
    print(table)


if __name__ == "__main__":
    main()
