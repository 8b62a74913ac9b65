"""Benchmark: latency of the four saved analytic queries through the Athena engine against DuckDB alone.

Run from the repository root with the project's venv, one benchmark at a time on the machine:

    flock /tmp/lakehouse-bench.lock python benchmarks/query_latency.py \
        --rows 1000000 --rows 10000000 --rows 50000000 --json benchmarks/results/query_latency.json

Data. The curated tables are generated synthetically per size (not by running the pipeline, so
that 50M rows stay quick to make): `inquiry_volume` with N rows, one per (department, inquiry
type, channel, month) — 166 months (2013-01 … 2026-10), 5 channels, 40 departments and as many
inquiry types as N needs — partitioned by `year`, and the aggregates the queries read
(`monthly_volume`, `yearly_volume`, `department_yearly`) built from it with the same definitions as
the curate job. Schemas come from `lakehouse.etl.models` and the layout is the curate job's: one
Parquet file per partition under `vancouver_311/<table>/snapshots/<id>/`, registered in the Glue
catalog of a local lakehouse home (tables and partitions). DuckDB writes everything with a memory
limit, so generation stays bounded; the data is cached in --workdir by size and reused.

The four saved queries read the aggregates, whose size hardly depends on N; a fifth query over
one year of the base table itself is timed for context.

Systems, in the same process, alternating run by run:

* engine   what `lakehouse query` does: `QueryRunner.run` (start_query_execution → state →
           get_query_results pages, values typed back) on a `DuckDBQueryEngine` over the home.
* duckdb   the floor: a plain DuckDB connection with one view per table over read_parquet of the
           same files, running the engine's own translated SQL (made once, untimed) with the same
           parameters, fetchall.

The engine's overhead is the difference of the two medians (p50). A separate, instrumented pass
splits the engine's time into phases (exclusive time of each wrapped function): parse and guard,
translation, catalog resolution (table lookups, listing files, DuckDB views), DuckDB execution,
the profile read for DataScannedInBytes, result writing and reading, execution bookkeeping.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402

from emulation.athena import api as athena_api  # noqa: E402
from emulation.athena import engine as engine_module  # noqa: E402
from emulation.athena import executions, guard  # noqa: E402
from emulation.athena.engine import DuckDBQueryEngine  # noqa: E402
from emulation.glue.models import ObjectStoreCatalog  # noqa: E402
from emulation.s3.store import FileObjectStore  # noqa: E402
from lakehouse.bench.harness import environment as machine_environment  # noqa: E402
from lakehouse.catalog.glue_shapes import partition_input, table_input  # noqa: E402
from lakehouse.cli_query import QueryRunner  # noqa: E402
from lakehouse.config import Settings  # noqa: E402
from lakehouse.etl.models import ALL_TABLES  # noqa: E402
from lakehouse.etl.tables import CuratedTable  # noqa: E402
from lakehouse.sql import translate  # noqa: E402
from lakehouse.sql.saved import saved_queries  # noqa: E402

DATABASE = "vancouver_311"
GENERATOR_VERSION = 1  # bump when the generated data changes, so cached homes are rebuilt
MONTHS, CHANNELS, DEPARTMENTS = 166, ("Phone", "Web", "Mobile App", "Email", "Social Media"), 40
CODES = ("ENG", "PARKS", "DBL", "VFRS", "CSG", "ACCS", "REFM", "PDS")
TABLES = ("inquiry_volume", "monthly_volume", "yearly_volume", "department_yearly")
PARAMETERS = {"top_departments": {"year": 2025}, "year_comparison": {"year_a": 2024, "year_b": 2025}}
GOAL_MS = 10.0
DEFAULT_WORKDIR = Path("/tmp/lakehouse-bench-query")
DEFAULT_MARKDOWN = REPO / "benchmarks" / "results" / "query_latency.md"
SNAPSHOT = "bench0001"

# -- data ------------------------------------------------------------------------------------

BASE_SQL = f"""
SELECT department,
       regexp_extract(department, '^([A-Z0-9]{{2,6}}) - ', 1) AS department_code,
       'Inquiry type ' || lpad(CAST(i // {MONTHS * len(CHANNELS) * DEPARTMENTS} AS VARCHAR), 5, '0') AS inquiry_type,
       channel, month_start,
       CAST(1 + hash(i) % 300 AS BIGINT) AS inquiries,
       CAST(year(month_start) AS INTEGER) AS year
FROM (
    SELECT range AS i,
           CAST(DATE '2013-01-01' + to_months(CAST(range % {MONTHS} AS INTEGER)) AS DATE) AS month_start,
           list_extract({list(CHANNELS)}, CAST((range // {MONTHS}) % {len(CHANNELS)} AS INTEGER) + 1) AS channel,
           CASE WHEN (range // {MONTHS * len(CHANNELS)}) % {DEPARTMENTS} % 10 = 9
                THEN 'Office ' || CAST((range // {MONTHS * len(CHANNELS)}) % {DEPARTMENTS} AS VARCHAR)
                ELSE list_extract({list(CODES)}, CAST((range // {MONTHS * len(CHANNELS)}) % {len(CODES)} AS INTEGER) + 1)
                     || ' - Service ' || CAST((range // {MONTHS * len(CHANNELS)}) % {DEPARTMENTS} AS VARCHAR)
           END AS department
    FROM range({{rows}})
)
"""
# The aggregates as lakehouse/etl/models/inquiry_volume.py defines them, in DuckDB SQL.
AGGREGATES = {
    "monthly_volume": "SELECT month_start, year, CAST(sum(inquiries) AS BIGINT) AS inquiries, "
                      "CAST(count(DISTINCT department) AS BIGINT) AS departments FROM base GROUP BY month_start, year",
    "yearly_volume": "SELECT year, CAST(sum(inquiries) AS BIGINT) AS inquiries, "
                     "CAST(count(DISTINCT month_start) AS INTEGER) AS months, min(month_start) AS first_month, "
                     "max(month_start) AS last_month, CAST(count(DISTINCT department) AS BIGINT) AS departments, "
                     "count(DISTINCT month_start) = 12 AS complete FROM base GROUP BY year",
    "department_yearly": "SELECT department, department_code, year, inquiries, "
                         "inquiries * 100.0 / sum(inquiries) OVER (PARTITION BY year) AS share_pct, "
                         "CAST(rank() OVER (PARTITION BY year ORDER BY inquiries DESC) AS INTEGER) AS rank "
                         "FROM (SELECT department, department_code, year, CAST(sum(inquiries) AS BIGINT) AS inquiries "
                         "FROM base GROUP BY ALL)",
}


def table_of(name: str) -> CuratedTable:
    return next(t for t in ALL_TABLES if t.name == name)


def snapshot_prefix(table: str) -> str:
    return f"{DATABASE}/{table}/snapshots/{SNAPSHOT}/"


def generate(home: Path, rows: int) -> dict[str, Any]:
    """Write the curated tables of `rows` base rows under `home` and register them; cached by size."""
    marker = home / "generated.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("version") == GENERATOR_VERSION and info.get("rows") == rows:
            return dict(info)
    if home.exists():
        import shutil

        shutil.rmtree(home)
    started = time.perf_counter()
    curated = home / "curated"
    curated.mkdir(parents=True)
    connection = duckdb.connect()
    connection.execute("SET memory_limit = '1GB'")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(f"SET temp_directory = '{home / 'duckdb-tmp'}'")
    base_root = curated / snapshot_prefix("inquiry_volume")
    base_root.parent.mkdir(parents=True)
    base_sql = BASE_SQL.replace("{rows}", str(rows))
    connection.execute(f"COPY ({base_sql}) TO '{base_root}' "
                       "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year), FILENAME_PATTERN 'part-{i}')")
    for folder in base_root.iterdir():  # part-0.parquet → part-00000.parquet, the curate job's name
        for index, path in enumerate(sorted(folder.glob("*.parquet"))):
            path.rename(folder / f"part-{index:05d}.parquet")
    connection.execute(f"CREATE VIEW base AS SELECT * FROM read_parquet('{base_root}/**/*.parquet', "
                       "hive_partitioning = true)")
    for name, sql in AGGREGATES.items():
        target = curated / snapshot_prefix(name) / "part-00000.parquet"
        target.parent.mkdir(parents=True)
        columns = ", ".join(f'"{c.name}"' for c in table_of(name).all_columns)
        connection.execute(f"COPY (SELECT {columns} FROM ({sql})) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
    connection.close()
    _register(home)
    size = sum(p.stat().st_size for p in curated.rglob("*.parquet"))
    info = {"version": GENERATOR_VERSION, "rows": rows, "parquet_bytes": size,
            "generate_seconds": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(info))
    return info


def _register(home: Path) -> None:
    store = FileObjectStore(home)
    catalog = ObjectStoreCatalog(store, "catalog")
    catalog.create_database({"Name": DATABASE})
    for name in TABLES:
        table = table_of(name)
        location = f"s3://curated/{snapshot_prefix(name)}"
        catalog.create_table(DATABASE, table_input(table.name, table.description, table.columns, table.partition_keys,
                                                   location, {"lakehouse.snapshot_id": SNAPSHOT}))
        if table.partition_keys:
            document = catalog.get_table(DATABASE, name)
            folders = sorted(p.name for p in (home / "curated" / snapshot_prefix(name)).iterdir())
            values = [[folder.split("=", 1)[1]] for folder in folders]
            catalog.batch_create_partition(DATABASE, name, [partition_input(document, v) for v in values])


# -- measurement -----------------------------------------------------------------------------

@dataclass
class Query:
    name: str
    sql: str
    execution_parameters: list[str]  # as `lakehouse query` passes them: literal text
    values: list[Any]  # the same, bound by the floor


# For context, not one of the four: a query over the base table itself (N rows), one year's partition.
CONTEXT_QUERY = Query("(base table, 1 year)", "SELECT department, sum(inquiries) AS inquiries FROM inquiry_volume "
                      "WHERE year = ? GROUP BY department ORDER BY 2 DESC, 1 LIMIT 10", ["2024"], [2024])


def queries() -> list[Query]:
    found = []
    for name, saved in saved_queries().items():
        values = saved.bind(PARAMETERS.get(name, {}))
        found.append(Query(name, saved.sql, [str(v) for v in values], values))
    return [*found, CONTEXT_QUERY]


def floor_connection(home: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB alone over the same files: one view per table, named as the engine's translation names them."""
    connection = duckdb.connect()
    connection.execute(f'CREATE SCHEMA "{DATABASE}"')
    for name in TABLES:
        root = home / "curated" / snapshot_prefix(name)
        hive = "true" if table_of(name).partition_keys else "false"
        connection.execute(f'CREATE VIEW "{DATABASE}"."{name}" AS SELECT * FROM '
                           f"read_parquet('{root}/**/*.parquet', hive_partitioning = {hive})")
    return connection


class Phases:
    """Exclusive wall time of wrapped functions (a callee's time is not its caller's)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._stack: list[float] = []  # time spent in children of each open frame

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append(0.0)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                children = self._stack.pop()
                self.seconds[phase] += elapsed - children
                if self._stack:
                    self._stack[-1] += elapsed

        return timed


# (owner, attribute, phase): what the instrumented pass times.
PHASES = [
    (guard, "check_sql", "parse and guard"), (athena_api, "check_sql", "parse and guard"),
    (athena_api, "check_query", "parse and guard"), (athena_api, "parse_athena", "parse and guard"),
    (athena_api, "split_explain", "parse and guard"), (athena_api, "statement_types", "parse and guard"),
    (athena_api, "bind_parameters", "parse and guard"),
    (DuckDBQueryEngine, "run_query", "parse and guard"),  # its own time: parse, guard, statement dispatch
    (engine_module, "parse_athena", "parse and guard"), (engine_module, "check_query", "parse and guard"),
    (DuckDBQueryEngine, "translate", "translation"), (engine_module, "to_duckdb", "translation"),
    (DuckDBQueryEngine, "_create_view", "catalog resolution"),
    (athena_api.AthenaApi, "_table_files", "catalog resolution"),
    (DuckDBQueryEngine, "execute", "duckdb execution"),
    (athena_api.AthenaApi, "_last_profile", "scanned bytes"), (athena_api, "data_scanned", "scanned bytes"),
    (athena_api, "write_results", "result writing and reading"),
    (athena_api.AthenaApi, "get_query_results", "result writing and reading"),
    (executions.ExecutionHistory, "record", "execution bookkeeping"),
    (executions.ExecutionHistory, "save", "execution bookkeeping"),
    (athena_api.AthenaApi, "get_query_execution", "execution bookkeeping"),
    (athena_api.AthenaApi, "get_work_group", "execution bookkeeping"),
    (athena_api.AthenaApi, "_check_output_bucket", "execution bookkeeping"),
]


@contextmanager
def instrumented(phases: Phases) -> Iterator[None]:
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in PHASES]
    for owner, name, phase in PHASES:
        setattr(owner, name, phases.wrap(phase, getattr(owner, name)))
    try:
        yield
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def measure(home: Path, repeat: int, warmup: int) -> list[dict[str, Any]]:
    store = FileObjectStore(home)
    engine = DuckDBQueryEngine(ObjectStoreCatalog(store, "catalog"), store, Settings(home=home))
    runner = QueryRunner(engine, database=DATABASE)
    floor = floor_connection(home)
    records = []
    for query in queries():
        floor_sql = engine.translate(translate.parse_athena(query.sql), DATABASE)
        expected = floor.execute(floor_sql, query.values).fetchall()
        result = runner.run(query.sql, query.execution_parameters or None)
        if len(result.rows) != len(expected):
            raise SystemExit(f"{query.name}: the engine returned {len(result.rows)} rows, DuckDB {len(expected)}")
        engine_runs, floor_runs = [], []
        for i in range(warmup + repeat):
            start = time.perf_counter()
            runner.run(query.sql, query.execution_parameters or None)
            engine_seconds = time.perf_counter() - start
            runner.flush()  # as `lakehouse query` does once the answer is printed: not part of the latency
            start = time.perf_counter()
            floor.execute(floor_sql, query.values).fetchall()
            floor_seconds = time.perf_counter() - start
            if i >= warmup:
                engine_runs.append(engine_seconds)
                floor_runs.append(floor_seconds)
        phases = Phases()
        instrumented_runs = max(5, repeat // 3)
        with instrumented(phases):
            for _ in range(instrumented_runs):
                runner.run(query.sql, query.execution_parameters or None)
                runner.flush()
        engine_ms, floor_ms = statistics.median(engine_runs) * 1000, statistics.median(floor_runs) * 1000
        records.append({
            "query": query.name, "result_rows": len(expected),
            "engine_p50_ms": round(engine_ms, 2), "duckdb_p50_ms": round(floor_ms, 2),
            "overhead_ms": round(engine_ms - floor_ms, 2), "ratio": round(engine_ms / floor_ms, 2),
            "engine_p90_ms": round(_percentile(engine_runs, 0.9) * 1000, 2),
            "duckdb_p90_ms": round(_percentile(floor_runs, 0.9) * 1000, 2),
            "phases_ms": {k: round(v * 1000 / instrumented_runs, 2) for k, v in sorted(phases.seconds.items())},
            "runs": repeat,
        })
        print(f"  {query.name:16} engine {engine_ms:8.2f} ms  duckdb {floor_ms:8.2f} ms  "
              f"overhead {engine_ms - floor_ms:7.2f} ms", flush=True)
    floor.close()
    return records


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# -- report ----------------------------------------------------------------------------------

def environment() -> dict[str, str]:
    import sqlglot

    return {**machine_environment(), "sqlglot": sqlglot.__version__}


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Saved-query latency: the Athena engine against DuckDB alone",
        "",
        f"Run {report['run_at']} on {report['environment']['cpu']} ({report['environment']['cpus']} CPUs), "
        f"DuckDB {report['environment']['duckdb']}, sqlglot {report['environment']['sqlglot']}; "
        f"p50 of {report['repeat']} runs after {report['warmup']} warm-up runs, both systems alternating in one "
        "process. Overhead = engine p50 − DuckDB p50; goal: under "
        f"{GOAL_MS:.0f} ms per query.",
        "",
        "| base rows | Parquet | query | rows out | engine p50 ms | DuckDB p50 ms | overhead ms | ratio |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in report["sizes"]:
        for record in size["queries"]:
            lines.append(
                f"| {size['rows']:,} | {size['parquet_bytes'] / 1_048_576:.0f} MB | {record['query']} | "
                f"{record['result_rows']} | {record['engine_p50_ms']:.2f} | {record['duckdb_p50_ms']:.2f} | "
                f"{record['overhead_ms']:.2f} | {record['ratio']:.2f} |")
    phases = sorted({p for s in report["sizes"] for r in s["queries"] for p in r["phases_ms"]})
    lines += ["", "Where the engine's time goes (instrumented runs, exclusive ms per query; "
              "`duckdb execution` includes the query itself):", "",
              "| base rows | query | " + " | ".join(phases) + " |", "|---:|---|" + "---:|" * len(phases)]
    for size in report["sizes"]:
        for record in size["queries"]:
            cells = " | ".join(f"{record['phases_ms'].get(p, 0):.2f}" for p in phases)
            lines.append(f"| {size['rows']:,} | {record['query']} | {cells} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="base rows (repeatable); default 1M, 10M, 50M")
    parser.add_argument("--repeat", type=int, default=40, help="timed runs per query and system (p50 reported)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="generated homes (not in git)")
    parser.add_argument("--json", type=Path, help="write the report here as JSON")
    parser.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN, help="write the tables here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = []
    for rows in args.rows or [1_000_000, 10_000_000, 50_000_000]:
        home = args.workdir / f"rows-{rows}"
        info = generate(home, rows)
        print(f"{rows:,} base rows: {info['parquet_bytes'] / 1_048_576:.0f} MB of Parquet "
              f"(generated in {info['generate_seconds']} s)", flush=True)
        sizes.append({**info, "queries": measure(home, args.repeat, args.warmup)})
    report = {"run_at": datetime.now().astimezone().isoformat(timespec="seconds"), "repeat": args.repeat,
              "warmup": args.warmup, "goal_overhead_ms": GOAL_MS, "environment": environment(), "sizes": sizes}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    args.markdown.write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
