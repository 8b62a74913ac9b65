"""The systems `lakehouse bench` compares, as they run inside a measured child process.

Each runner gets the sample export and an empty output folder and returns its report: `seconds`
(the work alone, timed after the libraries are imported), `stages` (seconds per stage, in
order), `landing_rows` where it has them, and `covers` (what part of the job it does).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lakehouse.recipes.operations import FAMILIES

INQUIRY_VOLUME = "3-1-1-inquiry-volume"
SERVICE_REQUESTS = "3-1-1-service-requests"
FLOOR = "floor"
SYSTEMS = (FLOOR, "lakehouse", "pandas", "pyspark")
# Which dataset each system has an implementation for.
SUPPORTED: dict[str, tuple[str, ...]] = {
    FLOOR: (INQUIRY_VOLUME, SERVICE_REQUESTS),
    "lakehouse": (INQUIRY_VOLUME, SERVICE_REQUESTS),
    "pandas": (INQUIRY_VOLUME,),
    "pyspark": (INQUIRY_VOLUME, SERVICE_REQUESTS),
}
# DuckDB's budget where the floor runs heavy work; it spills to the output folder beyond it.
FLOOR_MEMORY_LIMIT = "1GB"


class Stages:
    """Wall seconds per stage, in order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def sql_string(value: object) -> str:
    """A SQL string literal (COPY ... TO takes no parameters); the paths are the harness's own."""
    return "'" + str(value).replace("'", "''") + "'"


# --------------------------------------------------------------------------------------
# floor: DuckDB alone, CSV in, the curated base table out as partitioned Parquet.
# --------------------------------------------------------------------------------------
INQUIRY_FLOOR_SQL = """
COPY (
    WITH typed AS (
        SELECT trim("Department") AS department, trim("Type") AS inquiry_type, trim("Channel") AS channel,
               try_strptime(trim("Year Month"), '%Y-%m')::DATE AS month_start,
               try_cast(trim("Number of Records") AS BIGINT) AS inquiries
        FROM read_csv({source}, delim = ';', header = true, all_varchar = true, ignore_errors = true)
    ), grouped AS (
        SELECT department, inquiry_type, channel, month_start, sum(inquiries)::BIGINT AS inquiries
        FROM typed
        WHERE month_start IS NOT NULL AND inquiries >= 1 AND department <> '' AND inquiry_type <> ''
              AND channel <> ''
        GROUP BY ALL
    )
    SELECT department, nullif(regexp_extract(department, '^([A-Z0-9]{{2,6}}) - ', 1), '') AS department_code,
           inquiry_type, channel, month_start, inquiries, year(month_start)::INTEGER AS year
    FROM grouped
) TO {target} (FORMAT PARQUET, PARTITION_BY (year), COMPRESSION zstd)
"""
SERVICE_FLOOR_SQL = """
COPY (
    WITH typed AS (
        SELECT department, service_request_type, status, closure_reason,
               timezone('UTC', try_cast(service_request_open_timestamp AS TIMESTAMPTZ)) AS opened_at,
               try_cast(service_request_close_date AS DATE) AS closed_date,
               timezone('UTC', try_cast(last_modified_timestamp AS TIMESTAMPTZ)) AS last_modified_at,
               address, local_area, channel,
               try_cast(latitude AS DOUBLE) AS latitude, try_cast(longitude AS DOUBLE) AS longitude
        FROM read_csv({source}, delim = ',', header = true, all_varchar = true, ignore_errors = true)
    ), dated AS (
        SELECT *, timezone('America/Vancouver', timezone('UTC', opened_at))::DATE AS opened_date
        FROM typed WHERE opened_at IS NOT NULL AND department IS NOT NULL
    )
    SELECT department, service_request_type, status, closure_reason, opened_at, opened_date, closed_date,
           (closed_date - opened_date)::INTEGER AS days_to_close, last_modified_at, address, local_area, channel,
           latitude, longitude, year(opened_date)::INTEGER AS year, month(opened_date)::INTEGER AS month
    FROM dated
) TO {target} (FORMAT PARQUET, PARTITION_BY (year, month), COMPRESSION zstd)
"""


def run_floor(sample: Path, out: Path, dataset: str) -> dict[str, Any]:
    import duckdb

    connection = duckdb.connect()  # in memory, every core
    connection.execute(f"SET temp_directory = {sql_string(out / 'spill')}")
    connection.execute(f"SET memory_limit = {sql_string(FLOOR_MEMORY_LIMIT)}")
    connection.execute("SET preserve_insertion_order = false")  # a floor is the fastest plain formulation
    template = INQUIRY_FLOOR_SQL if dataset == INQUIRY_VOLUME else SERVICE_FLOOR_SQL
    stages = Stages()
    with stages.stage("read CSV + type + write partitioned Parquet"):
        connection.execute(template.format(source=sql_string(sample), target=sql_string(out / "curated")))
    with stages.stage("count"):
        rows = connection.execute(
            f"SELECT count(*) FROM read_parquet({sql_string(out / 'curated' / '**' / '*.parquet')})").fetchone()
    connection.close()
    table = "grouped inquiry_volume" if dataset == INQUIRY_VOLUME else "service_requests (local dates, days to close)"
    return {"seconds": stages.total, "stages": stages.seconds, "curated_rows": int(rows[0]) if rows else 0,
            "covers": f"CSV -> typed {table} -> partitioned Parquet (no rejects, dedup, maps, catalog, "
                      "aggregates or queries)"}


# --------------------------------------------------------------------------------------
# lakehouse: `lakehouse run` on a fresh home.
# --------------------------------------------------------------------------------------
def run_lakehouse(sample: Path, out: Path, dataset: str) -> dict[str, Any]:
    from lakehouse import pipeline
    from lakehouse.config import load_settings
    from lakehouse.datasets.registry import dataset as dataset_spec
    from lakehouse.platform import Platform
    from lakehouse.recipes.operations import load_all

    load_all()  # the recipe operations are imported on first compile: not part of the work
    # No environment: LAKEHOUSE_* or AWS_* variables of the caller must not pick another backend.
    platform = Platform(load_settings({"home": str(out / "home")}, environ={}))
    spec = dataset_spec(dataset)
    started = time.perf_counter()
    report = pipeline.run(platform, spec, source=str(sample))
    seconds = time.perf_counter() - started
    answers = {a.query.name: {"columns": list(a.result.columns), "rows": [list(r) for r in a.result.rows]}
               for a in report.answers}
    (out / "answers.json").write_text(json.dumps(answers, default=str), encoding="utf-8")
    stages = {name: value for name, value in report.seconds.items() if name != "source"}
    return {"seconds": seconds, "stages": stages, "landing_rows": report.landing.landing_rows,
            "rejected_rows": report.landing.rejected_rows, "home": str(out / "home"),
            "covers": "ingest -> prepare (recipe, rejects, ruleset on every row, profile of DataBrew's default "
                      "20,000-row JobSample) -> transform (curated tables, catalog) -> saved queries"}


# --------------------------------------------------------------------------------------
# pandas: the same job written plainly.
# --------------------------------------------------------------------------------------
def run_pandas(sample: Path, out: Path, dataset: str) -> dict[str, Any]:
    from lakehouse.bench import pandas_pipeline

    stages = Stages()
    with stages.stage("read + clean"):
        cleaned = pandas_pipeline.clean(sample)
    with stages.stage("write landing"):
        (out / "landing").mkdir(parents=True)
        cleaned.landing.to_parquet(out / "landing" / "landing.parquet", index=False)
        cleaned.rejected.astype({"source_line": "int64"}).to_parquet(out / "landing" / "rejected.parquet",
                                                                     index=False)
    with stages.stage("transform"):
        tables = pandas_pipeline.curate(cleaned.landing)
        pandas_pipeline.write_tables(tables, out / "curated")
    with stages.stage("queries"):
        answers = pandas_pipeline.answers(tables)
    (out / "answers.json").write_text(json.dumps(answers, default=str), encoding="utf-8")
    return {"seconds": stages.total, "stages": stages.seconds, "landing_rows": len(cleaned.landing),
            "rejected_rows": len(cleaned.rejected), "clean_phases": cleaned.phases,
            "covers": "read_csv -> recipe's cleaning with rejects -> landing Parquet -> curated tables -> "
                      "the four queries"}


# --------------------------------------------------------------------------------------
# pyspark: the Glue job's script on local Spark, over the landing zone lakehouse prepared.
# --------------------------------------------------------------------------------------
GLUE_SCRIPT = Path(__file__).resolve().parents[2] / "cloud" / "glue_jobs" / "lakehouse_curate.py"


def run_pyspark(landing_home: Path, out: Path, dataset: str) -> dict[str, Any]:
    import importlib.util
    import uuid

    import boto3
    from moto.server import ThreadedMotoServer
    from pyspark.sql import SparkSession

    from lakehouse.etl.glue_job_document import PLATFORM_MEMBERS, SPEC_ARGUMENT
    from lakehouse.etl.jobspec import job_for_dataset

    stages = Stages()
    with stages.stage("start Spark + catalog"):
        # The script keeps its catalog in Glue: moto's Glue over real HTTP on loopback.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per catalog request
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        glue = boto3.client("glue", endpoint_url=f"http://{host}:{port}", region_name="us-east-1",
                            aws_access_key_id="bench", aws_secret_access_key="bench")
        spark = (SparkSession.builder.master("local[*]").appName("lakehouse-bench")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                 .config("spark.driver.memory", "2g")
                 # Spark's default of 200 shuffle partitions is for clusters: on a few local cores each
                 # of the job's small aggregates would become 200 tasks. Tuned as a local user would.
                 .config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        module_spec = importlib.util.spec_from_file_location("lakehouse_curate_bench", GLUE_SCRIPT)
        assert module_spec is not None and module_spec.loader is not None
        script = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(script)
    document = job_for_dataset(dataset).document
    arguments = {
        SPEC_ARGUMENT.lstrip("-"): json.dumps({k: document[k] for k in PLATFORM_MEMBERS if k in document}),
        "database": "vancouver_311",
        "landing-location": (landing_home / "landing").as_uri() + "/",
        "curated-location": (out / "curated").as_uri() + "/",
        "JOB_NAME": document["Name"],
        "JOB_RUN_ID": f"jr_{uuid.uuid4().hex}",
        **{key.lstrip("-"): value for key, value in document["DefaultArguments"].items()},
    }
    started = time.perf_counter()
    outcome = script.run(spark, arguments, glue, log=lambda line: None)
    seconds = time.perf_counter() - started
    stages.seconds["transform (Glue script)"] = seconds
    spark.stop()
    server.stop()
    return {"seconds": seconds, "stages": stages.seconds, "curated_rows": outcome["Tables"],
            "covers": "transform only: landing Parquet (from this size's lakehouse run) -> curated tables + "
                      "Glue catalog; Spark's start-up is a separate stage, not in seconds"}


RUNNERS: dict[str, Callable[[Path, Path, str], dict[str, Any]]] = {
    FLOOR: run_floor, "lakehouse": run_lakehouse, "pandas": run_pandas, "pyspark": run_pyspark,
}
# Imported before the clock starts: the timings are of the work, not of loading libraries.
PRELOAD: dict[str, tuple[str, ...]] = {
    FLOOR: ("duckdb",),
    # Every module the pipeline imports on first use, as for the other systems. pandas too:
    # DuckDB's parameter binding imports it when it is installed (it checks pandas.NaT).
    "lakehouse": (
        "polars", "duckdb", "pyarrow", "pandas", "sqlglot.dialects.athena", "sqlglot.dialects.duckdb", "lakehouse.pipeline", "lakehouse.prepare",
        "lakehouse.etl.runner", *(f"lakehouse.recipes.operations.{family}" for family in FAMILIES),
        "lakehouse.recipes.rules", "lakehouse.sql.translate", "lakehouse.catalog.publish", "emulation.s3.store",
        "emulation.databrew.models", "emulation.glue.jobs", "emulation.glue.models", "emulation.glue.partitions",
        "emulation.athena.engine",
    ),
    "pandas": ("numpy", "pandas", "pyarrow", "pyarrow.parquet", "lakehouse.bench.pandas_pipeline"),
    "pyspark": ("pyspark.sql", "boto3", "moto.server"),
}
