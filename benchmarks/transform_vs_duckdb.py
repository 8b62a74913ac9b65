"""Benchmark: the transform stage (the curate Glue job) against DuckDB writing the same Parquet (the floor).

Run from the repository root with the project's venv:

    python benchmarks/transform_vs_duckdb.py --rows 1000000 --rows 10000000 --repeat 3 \
        --json benchmarks/results/transform_vs_duckdb.json

Both systems start from the same landing Parquet of N rows, made once per size by a real
prepare run (`write_sample` → ingest → prepare on a scratch home) and cached in --workdir:

* lakehouse  a fresh lakehouse home (FileObjectStore) holding that file as a prepared source
             (landing/<dataset>/source=<sha16>/inquiry_volume.parquet plus its LandingManifest),
             then `build_curated(Platform(settings), spec)`, exactly what `lakehouse transform`
             runs: the curate job folds the landing rows by natural key (in DuckDB), builds
             inquiry_volume from them (the model's Polars code), upserts it by natural key, rebuilds
             the six aggregates, writes each as a snapshot of Parquet files and commits it to the catalog.
* duckdb     the floor, DuckDB alone: the base table materialised once from the same landing
             file (grouped by the natural key, then department_code and year derived), then
             COPY ... TO Parquet (zstd) for it and the six aggregates, inquiry_volume and
             department_monthly partitioned by year: the same tables minus catalog, snapshot and
             bookmark bookkeeping (and minus the lakehouse's stable sort of every table).
* duckdb-naive  the same, with the issue's sketch of the base query (department_code and year
             computed on every landing row inside the GROUP BY): for context.

Each measurement runs in a fresh child process (this script with --child); the seconds are
timed inside the child around the work only (imports and setup excluded) and the peak RSS is
the child's own, read with os.wait4. The systems alternate run by run. Every run's outputs are
checked by the parent: each table's row count and total inquiries, and an order-independent
hash of inquiry_volume's rows, must be the same for both systems.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lakehouse.platform import Platform

from lakehouse.bench.harness import cpu_seconds, environment, run_child, write_result
from lakehouse.bench.systems import sql_string

REPO = Path(__file__).resolve().parent.parent
DATASET = "3-1-1-inquiry-volume"
SYSTEMS = ("lakehouse", "duckdb", "duckdb-naive")
FLOOR = "duckdb"
SEED = 311
END_MONTH = "2026-10"  # fixed, so a cached landing file is the same whatever the date
DEFAULT_WORKDIR = Path("/tmp/lakehouse-bench-transform")
DEFAULT_MARKDOWN = REPO / "benchmarks" / "results" / "transform_vs_duckdb.md"
GOAL_RATIO = 1.3  # lakehouse seconds / floor seconds (from the issue)
TABLES = ("inquiry_volume", "department_monthly", "monthly_volume", "channel_monthly", "yearly_volume",
          "department_yearly", "department_year_over_year")
PARTITIONED = ("inquiry_volume", "department_monthly")  # by year, as the job spec says
BASE_COLUMNS = ("department", "department_code", "inquiry_type", "channel", "month_start", "inquiries")

# --------------------------------------------------------------------------------------
# The floor: the curated model of lakehouse/etl/models/inquiry_volume.py in DuckDB SQL.
# department_code is NULL without a prefix there (Polars str.extract), '' here without nullif.
# sum(bigint) is HUGEINT in DuckDB, so every sum is cast back to the catalog's bigint.
# --------------------------------------------------------------------------------------
# Group the landing rows by the natural key first, then derive department_code and year from
# the ~75k groups (as the Polars model does): evaluating the regex on every landing row inside
# the GROUP BY, as the sketch does (NAIVE_BASE_SQL, system "duckdb-naive"), costs DuckDB
# about 1.6x the CPU at 10M rows, and a floor should be the fastest plain formulation.
BASE_SQL = """
CREATE TEMP TABLE inquiry_volume AS
SELECT department,
       nullif(regexp_extract(department, '^([A-Z0-9]{2,6}) - ', 1), '') AS department_code,
       inquiry_type, channel, month_start, inquiries,
       year(month_start)::INTEGER AS year
FROM (SELECT department, inquiry_type, channel, month_start, sum(inquiries)::BIGINT AS inquiries
      FROM read_parquet({landing})
      GROUP BY ALL)
"""
NAIVE_BASE_SQL = """
CREATE TEMP TABLE inquiry_volume AS
SELECT department,
       nullif(regexp_extract(department, '^([A-Z0-9]{2,6}) - ', 1), '') AS department_code,
       inquiry_type, channel, month_start,
       sum(inquiries)::BIGINT AS inquiries,
       year(month_start)::INTEGER AS year
FROM read_parquet({landing})
GROUP BY ALL
"""
AGGREGATE_SQL: dict[str, str] = {
    "department_monthly": """
        SELECT department, department_code, month_start, sum(inquiries)::BIGINT AS inquiries, year
        FROM inquiry_volume GROUP BY ALL""",
    "monthly_volume": """
        SELECT month_start, year, sum(inquiries)::BIGINT AS inquiries,
               count(DISTINCT department)::BIGINT AS departments
        FROM inquiry_volume GROUP BY ALL""",
    "channel_monthly": """
        SELECT channel, month_start, year, sum(inquiries)::BIGINT AS inquiries
        FROM inquiry_volume GROUP BY ALL""",
    "yearly_volume": """
        SELECT year, sum(inquiries)::BIGINT AS inquiries, count(DISTINCT month_start)::INTEGER AS months,
               min(month_start) AS first_month, max(month_start) AS last_month,
               count(DISTINCT department)::BIGINT AS departments,
               count(DISTINCT month_start) = 12 AS complete
        FROM inquiry_volume GROUP BY year""",
    "department_yearly": """
        WITH per_department AS (
            SELECT department, department_code, year, sum(inquiries)::BIGINT AS inquiries
            FROM inquiry_volume GROUP BY ALL)
        SELECT department, department_code, year, inquiries,
               inquiries * 100.0::DOUBLE / sum(inquiries) OVER (PARTITION BY year)::DOUBLE AS share_pct,
               rank() OVER (PARTITION BY year ORDER BY inquiries DESC)::INTEGER AS rank
        FROM per_department""",
    "department_year_over_year": """
        WITH yearly AS (
            SELECT department, department_code, year, sum(inquiries)::BIGINT AS inquiries
            FROM inquiry_volume GROUP BY ALL)
        SELECT y.department, y.department_code, y.year, y.inquiries,
               p.inquiries AS previous_year_inquiries,
               y.inquiries - p.inquiries AS change,
               round((y.inquiries - p.inquiries) * 100.0::DOUBLE / p.inquiries, 2) AS change_pct
        FROM yearly y LEFT JOIN yearly p ON p.department = y.department AND p.year + 1 = y.year""",
}


def _copy_options(table: str) -> str:
    partition = ", PARTITION_BY (year)" if table in PARTITIONED else ""
    return f"(FORMAT PARQUET{partition}, COMPRESSION zstd)"


def run_duckdb(landing: Path, out: Path, naive: bool = False) -> dict[str, float]:
    """The floor. Returns its phases in seconds; the tables go to out/tables/<table>[.parquet]."""
    import duckdb

    tables = out / "tables"
    tables.mkdir(parents=True)
    connection = duckdb.connect()  # in memory, default threads (every core) and memory limit
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        phases[name], started = now - started, now

    # A literal path, not read_parquet(?): the prepared form took about twice the CPU in a trial at 1M rows.
    connection.execute((NAIVE_BASE_SQL if naive else BASE_SQL).replace("{landing}", sql_string(landing)))
    lap("base table (read + group)")
    base_target = sql_string(tables / "inquiry_volume")
    connection.execute(f"COPY inquiry_volume TO {base_target} {_copy_options('inquiry_volume')}")
    lap("write inquiry_volume")
    for table, sql in AGGREGATE_SQL.items():
        target = tables / table if table in PARTITIONED else tables / f"{table}.parquet"
        connection.execute(f"COPY ({sql}) TO {sql_string(target)} {_copy_options(table)}")
    lap("6 aggregates (build + write)")
    connection.close()
    return phases


# --------------------------------------------------------------------------------------
# The lakehouse side: a prepared source on a fresh home, then the transform stage.
# --------------------------------------------------------------------------------------
def _platform(home: Path) -> Platform:
    from lakehouse.config import load_settings
    from lakehouse.platform import Platform

    # No environment: LAKEHOUSE_* or AWS_* variables of the caller must not pick another backend.
    return Platform(load_settings({"home": str(home)}, environ={}))


def place_landing(home: Path, landing: Path, manifest: dict[str, Any]) -> Platform:
    """A fresh home holding `landing` as the one prepared source, as a prepare run leaves it."""
    from lakehouse.datasets.registry import dataset
    from lakehouse.landing import LandingManifest, write_manifest

    platform_ = _platform(home)
    spec = dataset(DATASET)
    zones = platform_.zones
    zones.ensure_buckets()
    record = LandingManifest(**manifest)
    zones.store.upload_file(landing, zones.bucket("landing"), record.data_key)
    write_manifest(zones, spec, record)
    return platform_


def run_lakehouse(platform_: Platform) -> tuple[dict[str, Any], float]:
    """The transform stage as `lakehouse transform` runs it; returns the job run and its seconds."""
    from lakehouse.datasets.registry import dataset
    from lakehouse.pipeline import build_curated

    spec = dataset(DATASET)
    started = time.perf_counter()
    job_run = build_curated(platform_, spec)
    return job_run, time.perf_counter() - started


def job_phases(job_run: dict[str, Any]) -> dict[str, float]:
    """Coarse phases from the job run's log, whose lines carry millisecond timestamps."""
    def at(stamp: str) -> float:
        return datetime.fromisoformat(stamp).timestamp()

    lines = [(at(line.split(" ", 1)[0]), line.split(" ", 1)[1]) for line in job_run.get("Log", [])]
    start, end = at(job_run["StartedOn"]), at(job_run["CompletedOn"])
    listed = next(t for t, text in lines if "landing sources" in text)
    folded = next(t for t, text in lines if "folded by natural key" in text)
    upserted = next(t for t, text in lines if "rows after upserting" in text)
    published = [t for t, text in lines if text.startswith("published ")]
    return {
        "list sources": listed - start,
        "catalog database + fold landing (DuckDB)": folded - listed,
        "base table (build + upsert + sort)": upserted - folded,
        "aggregates + write 7 snapshots + 1st commit": published[0] - upserted,
        "other 6 catalog commits": published[-1] - published[0],
        "prune + bookmark": end - published[-1],
    }


# --------------------------------------------------------------------------------------
# Landing data: one real prepare run per size, cached.
# --------------------------------------------------------------------------------------
def prepare_landing(rows: int, seed: int, target: Path) -> None:
    """write_sample → ingest → prepare on a scratch home; keep the landing Parquet and manifest."""
    from dataclasses import asdict

    from lakehouse.datasets.registry import dataset
    from lakehouse.datasets.sample import write_sample
    from lakehouse.ingest import ingest
    from lakehouse.prepare import prepare

    spec = dataset(DATASET)
    with tempfile.TemporaryDirectory(prefix="prepare-", dir=target.parent) as scratch:
        sample = Path(scratch) / f"{DATASET}-sample.csv"
        write_sample(sample, rows=rows, seed=seed, end_month=END_MONTH)
        platform_ = _platform(Path(scratch) / "home")
        ingest(platform_.zones, sample, spec, "sample", synthetic=True)
        manifest = prepare(platform_.zones, platform_.recipes, spec)
        shutil.copyfile(platform_.zones.local_file("landing", manifest.data_key, Path(scratch)),
                        target.with_suffix(".partial"))
        target.with_suffix(".json").write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        target.with_suffix(".partial").replace(target)  # only a complete file is ever reused


def ensure_landing(workdir: Path, rows: int, seed: int) -> tuple[Path, dict[str, Any]]:
    path = workdir / "landing" / f"inquiry-volume-{rows}-seed{seed}-{END_MONTH}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"preparing {path} (sample → ingest → prepare) ...", flush=True)
        started = time.perf_counter()
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "prepare", "--rows", str(rows),
                   "--seed", str(seed), "--landing", str(path)]
        subprocess.run(command, cwd=REPO, check=True)  # a child, so its memory is not the parent's
        print(f"  {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f}s", flush=True)
    return path, json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------
# The child: one measurement.
# --------------------------------------------------------------------------------------
def child_main(args: argparse.Namespace) -> None:
    if args.child == "prepare":
        prepare_landing(args.rows[0], args.seed, args.landing)
        return
    out: Path = args.out
    report: dict[str, Any]
    if args.child == "lakehouse":
        import polars  # noqa: F401  imported before the clock starts, as the floor's duckdb is

        import lakehouse.etl.runner  # noqa: F401

        manifest = json.loads(args.landing.with_suffix(".json").read_text(encoding="utf-8"))
        platform_ = place_landing(out / "home", args.landing, manifest)
        _ = platform_.jobs  # the services are built before the clock starts
        cpu = cpu_seconds()
        job_run, seconds = run_lakehouse(platform_)
        report = {"seconds": seconds, "cpu_seconds": cpu_seconds() - cpu, "phases": job_phases(job_run),
                  "job_run_state": job_run["JobRunState"], "outputs": job_run.get("Outputs", {})}
    else:
        import duckdb  # noqa: F401

        cpu = cpu_seconds()
        started = time.perf_counter()
        phases = run_duckdb(args.landing, out, naive=args.child == "duckdb-naive")
        report = {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu, "phases": phases}
    write_result(out, report)


# --------------------------------------------------------------------------------------
# The parent: measurements, checks, reports.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measurement:
    seconds: float  # the work alone, timed inside the child
    process_seconds: float  # the whole child, interpreter start, imports and setup included
    peak_rss_mb: float
    result: dict[str, Any]


def measure(system: str, landing: Path, out: Path) -> Measurement:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", system, "--landing", str(landing),
               "--out", str(out)]
    try:
        run = run_child(command, out, cwd=REPO, label=f"{system} on {landing.name}")
    except RuntimeError as failure:
        raise SystemExit(str(failure)) from None
    return Measurement(run.result["seconds"], run.process_seconds, run.peak_rss_mb, run.result)


def table_files(system: str, out: Path, table: str) -> list[Path]:
    if system.startswith("duckdb"):
        root = out / "tables"
        return sorted((root / table).rglob("*.parquet")) if table in PARTITIONED else [root / f"{table}.parquet"]
    # The one snapshot the run wrote: <home>/<curated bucket>/<database>/<table>/snapshots/<id>/...
    return sorted(path for path in (out / "home").rglob("*.parquet") if f"/{table}/snapshots/" in str(path))


def summarise_outputs(system: str, out: Path) -> dict[str, Any]:
    """Per table: rows, files and total inquiries; plus a content hash of inquiry_volume."""
    import polars as pl

    summary: dict[str, Any] = {}
    for table in TABLES:
        files = table_files(system, out, table)
        frame = pl.scan_parquet(files).select(pl.len().alias("rows"), pl.col("inquiries").sum()).collect()
        summary[table] = {"rows": int(frame["rows"][0]), "inquiries": int(frame["inquiries"][0]), "files": len(files)}
    schema = {"department": pl.String, "department_code": pl.String, "inquiry_type": pl.String,
              "channel": pl.String, "month_start": pl.Date, "inquiries": pl.Int64}
    rows = pl.scan_parquet(table_files(system, out, "inquiry_volume")).select(
        pl.col(name).cast(dtype) for name, dtype in schema.items())
    digest = rows.select(pl.struct(pl.all()).hash(seed=SEED).sum()).collect().item()
    summary["inquiry_volume"]["hash"] = int(digest)
    return summary


def run_benchmark(args: argparse.Namespace) -> list[dict[str, Any]]:
    workdir: Path = args.workdir
    records: list[dict[str, Any]] = []
    env = environment()
    for rows in args.rows:
        landing, manifest = ensure_landing(workdir, rows, args.seed)
        runs: dict[str, list[Measurement]] = {system: [] for system in args.systems}
        loads: dict[str, list[float]] = {system: [] for system in args.systems}
        summaries: dict[str, list[dict[str, Any]]] = {system: [] for system in args.systems}
        for repeat in range(1, args.repeat + 1):
            # Alternate the order too, so neither system always runs right after the other.
            order = args.systems if repeat % 2 else list(reversed(args.systems))
            for system in order:
                out = workdir / "out" / f"{rows}" / system
                loads[system].append(os.getloadavg()[0])
                run = measure(system, landing, out)
                runs[system].append(run)
                summaries[system].append(summarise_outputs(system, out))
                base = summaries[system][-1]["inquiry_volume"]
                print(f"{rows:>11,} {system:<10} run {repeat}/{args.repeat}: {run.seconds:7.2f}s "
                      f"peak {run.peak_rss_mb:7,.0f} MB  (inquiry_volume {base['rows']:,} rows, "
                      f"{base['inquiries']:,} inquiries; load before {loads[system][-1]:.1f})", flush=True)
        if not args.keep_outputs:
            shutil.rmtree(workdir / "out" / f"{rows}", ignore_errors=True)
        reference = summaries[args.systems[0]][0]
        by_system: dict[str, dict[str, Any]] = {}
        for system in args.systems:
            seconds = statistics.median(r.seconds for r in runs[system])
            problems = sorted({
                f"{table} {key}: {summary[table][key]:,} != {reference[table][key]:,}"
                for summary in summaries[system] for table in TABLES for key in ("rows", "inquiries", "hash")
                if key in reference[table] and summary[table][key] != reference[table][key]
            })
            last = summaries[system][-1]
            by_system[system] = {
                "rows": rows,
                "system": system,
                "seconds": round(seconds, 3),
                "rows_per_s": round(rows / seconds),
                "peak_rss_mb": round(max(r.peak_rss_mb for r in runs[system]), 1),
                "ratio_vs_floor": None,
                "landing_rows": manifest["landing_rows"],
                "inquiry_volume_rows": last["inquiry_volume"]["rows"],
                "total_inquiries": last["inquiry_volume"]["inquiries"],
                "agrees": not problems,
                "cpu_seconds": round(statistics.median(r.result["cpu_seconds"] for r in runs[system]), 3),
                "min_seconds": round(min(r.seconds for r in runs[system]), 3),
                "runs_seconds": [round(r.seconds, 3) for r in runs[system]],
                "runs_cpu_seconds": [round(r.result["cpu_seconds"], 3) for r in runs[system]],
                "runs_peak_rss_mb": [round(r.peak_rss_mb, 1) for r in runs[system]],
                "load_before_runs": [round(load, 2) for load in loads[system]],
                "process_seconds": round(statistics.median(r.process_seconds for r in runs[system]), 3),
                "phases_seconds": {name: round(statistics.median(r.result["phases"][name] for r in runs[system]), 3)
                                   for name in runs[system][-1].result["phases"]},
                "tables": {table: {"rows": last[table]["rows"], "files": last[table]["files"]} for table in TABLES},
                "environment": env,
            }
            if problems:
                by_system[system]["disagreement"] = "; ".join(problems)
                print(f"WARNING: {rows:,} rows, {system}: {by_system[system]['disagreement']}", file=sys.stderr,
                      flush=True)
        floor = by_system.get(FLOOR)
        for record in by_system.values():
            if floor is not None:
                record["ratio_vs_floor"] = round(record["seconds"] / floor["seconds"], 2)
                record["rss_ratio_vs_floor"] = round(record["peak_rss_mb"] / floor["peak_rss_mb"], 2)
                record["cpu_ratio_vs_floor"] = round(record["cpu_seconds"] / floor["cpu_seconds"], 2)
        records.extend(by_system.values())
    return records


def markdown(records: list[dict[str, Any]], repeat: int, command: str) -> str:
    env = records[0]["environment"] if records else {}
    lines = [
        "# Transform stage vs DuckDB floor",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {env.get('cpu', '?')}, {env.get('cpus', '?')} CPUs, {env.get('memory', '?')} RAM; "
        f"{env.get('os', '?')}; Python {env.get('python', '?')}, Polars {env.get('polars', '?')}, "
        f"DuckDB {env.get('duckdb', '?')}.",
        "",
        f"Seconds: median of {repeat} runs, each in a fresh process (work only: imports, setup and checks "
        "excluded). Peak RSS: the child process's maximum resident set (largest over the runs). "
        "× floor: seconds / the duckdb system's seconds. Rows/s: landing rows per second. Best s: the fastest run. "
        "CPU s: median user + system CPU seconds of the work, all threads (steadier than wall time on a "
        "loaded machine). "
        "The systems alternate run by run; the JSON has every run's seconds and the 1-minute load average "
        "before it. Agrees: every table's rows and total inquiries, and a hash of inquiry_volume's rows, "
        "equal across systems and runs.",
        "",
        "| landing rows | system | seconds | best s | rows/s | CPU s | peak RSS MB | × floor (time) "
        "| × floor (CPU) | × floor (RSS) | inquiry_volume rows | total inquiries | agrees |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in records:
        ratio = "" if r["ratio_vs_floor"] is None else f"{r['ratio_vs_floor']:.2f}"
        rss_ratio = f"{r['rss_ratio_vs_floor']:.2f}" if "rss_ratio_vs_floor" in r else ""
        cpu_ratio = f"{r['cpu_ratio_vs_floor']:.2f}" if "cpu_ratio_vs_floor" in r else ""
        lines.append(
            f"| {r['landing_rows']:,} | {r['system']} | {r['seconds']:.2f} | {r['min_seconds']:.2f} "
            f"| {round(r['landing_rows'] / r['seconds']):,} | {r['cpu_seconds']:.2f} | {r['peak_rss_mb']:,.0f} "
            f"| {ratio} | {cpu_ratio} | {rss_ratio} "
            f"| {r['inquiry_volume_rows']:,} | {r['total_inquiries']:,} | {'yes' if r['agrees'] else '**NO**'} |"
        )
    lines += ["", "Phases (median seconds; lakehouse's from the job run's log timestamps):", ""]
    for r in records:
        phases = ", ".join(f"{name} {seconds:.2f}" for name, seconds in r["phases_seconds"].items())
        lines.append(f"- {r['landing_rows']:,} {r['system']}: {phases}")
    lines += ["", f"Goal (issue): lakehouse within {GOAL_RATIO}× of the floor:", ""]
    for r in records:
        if r["system"] == "lakehouse" and r["ratio_vs_floor"] is not None:
            met = "met" if r["ratio_vs_floor"] <= GOAL_RATIO else "MISSED"
            lines.append(f"- {r['landing_rows']:,} landing rows: {r['ratio_vs_floor']:.2f}× the floor's wall time "
                         f"({met}); CPU time {r['cpu_ratio_vs_floor']:.2f}×; peak RSS {r['rss_ratio_vs_floor']:.2f}×")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="landing rows (repeatable); default 1000000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per system and size; the median is reported")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="landing files and outputs (not in git)")
    parser.add_argument("--json", type=Path, help="write the records here as JSON")
    parser.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN, help="write the table here")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the last run's outputs of each system")
    # Internal: one measurement (or the landing preparation), run by the parent in a fresh process.
    parser.add_argument("--child", choices=(*SYSTEMS, "prepare"), help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
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
        child_main(args)
        return
    records = run_benchmark(args)
    command = "python benchmarks/transform_vs_duckdb.py " + " ".join(argv)
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
