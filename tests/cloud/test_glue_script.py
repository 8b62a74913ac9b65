"""The Glue PySpark script (cloud/glue_jobs/lakehouse_curate.py) against the local curate job.

Both jobs run over the same landing zone: the local job through `lakehouse transform`,
the script on local PySpark with its catalog in moto's Glue (real HTTP) and its curated
files under a file:// location. Every table must hold the same rows with the same
column names and types, and the catalog the same columns and partitions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.importorskip("pyspark", reason="the Glue script's tests need PySpark: pip install -e '.[test]'")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("the Glue script's tests need Java 17 for PySpark (no java on PATH, no JAVA_HOME)",
                allow_module_level=True)

import boto3  # noqa: E402
import polars as pl  # noqa: E402
from cli_support import CliRunner  # noqa: E402
from polars.testing import assert_frame_equal  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from cloud.glue_jobs import generate  # noqa: E402
from lakehouse.catalog.glue_shapes import table_input  # noqa: E402
from lakehouse.config import Settings  # noqa: E402
from lakehouse.etl.glue_job_document import PLATFORM_MEMBERS, SPEC_ARGUMENT  # noqa: E402
from lakehouse.etl.jobspec import job_for_dataset  # noqa: E402
from lakehouse.etl.snapshots import typed  # noqa: E402
from lakehouse.glue_types import POLARS_TYPES  # noqa: E402
from lakehouse.platform import Platform  # noqa: E402

pytestmark = pytest.mark.spark

SCRIPT = Path(generate.__file__).with_name("lakehouse_curate.py")
INQUIRY_VOLUME = "3-1-1-inquiry-volume"


def load_script() -> ModuleType:
    """The script as Glue gets it: one file, loaded by path, not as part of a package."""
    spec = importlib.util.spec_from_file_location("lakehouse_curate_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script()


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One small local Spark for the module, on loopback, without its web UI."""
    session = (
        SparkSession.builder.master("local[2]").appName("lakehouse-glue-script-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.adaptive.enabled", "false")  # tiny tables: re-planning costs more than it saves
        # Short-lived JVM: the quick JIT tier and the serial collector start fastest.
        .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


class GlueScriptRun:
    """Starts the script as Glue does (`--key value` job arguments through main), against moto's
    Glue (found by boto3 through AWS_ENDPOINT_URL) and folders as zones."""

    def __init__(self, script: ModuleType, home: Path, curated: Path, endpoint: str) -> None:
        self.script, self.home, self.curated = script, home, curated
        self.glue = boto3.client("glue", endpoint_url=endpoint, region_name="us-east-1")
        self.database = f"vancouver_311_{uuid.uuid4().hex[:8]}"

    def __call__(self, dataset: str, **extra: str) -> dict[str, Any]:
        document = job_for_dataset(dataset).document
        arguments = {
            # The job argument the deployed job carries (lakehouse/etl/glue_job_document.py).
            SPEC_ARGUMENT: json.dumps({k: document[k] for k in PLATFORM_MEMBERS if k in document}),
            "--database": self.database,
            "--landing-location": (self.home / "landing").as_uri() + "/",
            "--curated-location": self.curated.as_uri() + "/",
            "--JOB_NAME": document["Name"],
            "--JOB_RUN_ID": f"jr_{uuid.uuid4().hex}",
            **document["DefaultArguments"],
            **{f"--{key}": value for key, value in extra.items()},
        }
        argv = [str(SCRIPT), *[item for pair in arguments.items() for item in pair]]
        return self.script.main(argv)

    def snapshot_folders(self, table: str) -> list[Path]:
        return sorted((self.curated / self.database / table / "snapshots").iterdir())


@pytest.fixture
def glue_script(
    script: ModuleType, spark: SparkSession, tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
) -> GlueScriptRun:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)  # the script's own boto3 clients
    return GlueScriptRun(script, tmp_path / "home", tmp_path / "spark-curated", moto_endpoint)


def local_job(lakehouse: CliRunner, home: Path, dataset: str, source: str | None = None) -> None:
    where = ("--home", str(home), "--dataset", dataset)
    for command in (("ingest", *(("--source", source) if source else ())), ("prepare",), ("transform",)):
        outcome = lakehouse(command[0], *command[1:], *where)
        assert outcome.code == 0, outcome.stderr


def read_table(document: dict[str, Any], folder: Path) -> pl.DataFrame:
    """A catalog table's rows from its snapshot folder, partition columns typed as the catalog says."""
    keys = {k["Name"]: POLARS_TYPES[k["Type"]] for k in document.get("PartitionKeys", [])}
    names = [c["Name"] for c in document["StorageDescriptor"]["Columns"]] + list(keys)
    frames = []
    for path in sorted(folder.rglob("*.parquet")):
        frame = pl.read_parquet(path)
        for segment in path.relative_to(folder).parts[:-1]:
            name, _, value = segment.partition("=")
            frame = frame.with_columns(pl.lit(value).cast(keys[name]).alias(name))
        frames.append(frame.select(names))
    assert frames, f"no Parquet files under {folder}"
    return pl.concat(frames)


def sorted_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one order: by every exact column first, so float rounding cannot reorder them."""
    exact = [name for name, dtype in frame.schema.items() if not dtype.is_float()]
    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    return frame.sort([*exact, *floats], nulls_last=True)


def assert_same_tables(home: Path, glue_script: GlueScriptRun, dataset: str) -> None:
    platform = Platform(Settings(home=home))
    for layout in job_for_dataset(dataset).outputs:
        name = layout.table.name
        local_document = platform.catalog.get_table(platform.settings.database, name)
        spark_document = glue_script.glue.get_table(DatabaseName=glue_script.database, Name=name)["Table"]
        assert spark_document["StorageDescriptor"]["Columns"] == local_document["StorageDescriptor"]["Columns"], name
        assert spark_document["PartitionKeys"] == local_document["PartitionKeys"], name
        local_location = urlsplit(local_document["StorageDescriptor"]["Location"])
        local = read_table(local_document, home / local_location.netloc / local_location.path.lstrip("/"))
        spark = read_table(spark_document, Path(urlsplit(spark_document["StorageDescriptor"]["Location"]).path))
        assert spark.schema == local.schema, name
        assert spark.height == local.height > 0, name
        assert_frame_equal(sorted_rows(spark), sorted_rows(local), check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
        # Each file's rows in the same order too (files read in folder order).
        assert_frame_equal(spark, local, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
        local_partitions = sorted(p["Values"] for p in platform.catalog.get_partitions(platform.settings.database, name))
        spark_partitions = sorted(
            p["Values"] for p in glue_script.glue.get_partitions(DatabaseName=glue_script.database, TableName=name)[
                "Partitions"])
        assert spark_partitions == local_partitions, name


def test_inquiry_volume_upserted_source_by_source_equals_the_local_job(
    lakehouse: CliRunner, glue_script: GlueScriptRun, sample_export: Any, dirty_export: Any,
) -> None:
    home = glue_script.home
    local_job(lakehouse, home, INQUIRY_VOLUME, str(sample_export.path))
    first = glue_script(INQUIRY_VOLUME)
    assert first["NewInputs"] == 1
    # A second export overlapping the first: its rows replace the first's by natural key.
    local_job(lakehouse, home, INQUIRY_VOLUME, str(dirty_export.path))
    second = glue_script(INQUIRY_VOLUME, **{"snapshots-to-keep": "1"})
    assert second["NewInputs"] == 1
    assert len(second["Tables"]) == 7
    assert_same_tables(home, glue_script, INQUIRY_VOLUME)
    # Only the published snapshot stays; the catalog points at it.
    for layout in job_for_dataset(INQUIRY_VOLUME).outputs:
        (folder,) = glue_script.snapshot_folders(layout.table.name)
        location = glue_script.glue.get_table(DatabaseName=glue_script.database, Name=layout.table.name)["Table"][
            "StorageDescriptor"]["Location"]
        assert location == folder.as_uri() + "/"
    assert glue_script(INQUIRY_VOLUME) == {"NewInputs": 0, "Tables": {}}  # the processed sources are remembered


def test_full_refresh_rebuilds_the_same_tables_from_every_source(
    lakehouse: CliRunner, glue_script: GlueScriptRun, sample_export: Any, dirty_export: Any,
) -> None:
    home = glue_script.home
    local_job(lakehouse, home, INQUIRY_VOLUME, str(sample_export.path))
    local_job(lakehouse, home, INQUIRY_VOLUME, str(dirty_export.path))
    done = glue_script(INQUIRY_VOLUME, **{"job-bookmark-option": "job-bookmark-disable"})
    assert done["NewInputs"] == 2
    assert_same_tables(home, glue_script, INQUIRY_VOLUME)


@pytest.mark.parametrize("dataset", ["3-1-1-contact-centre-metrics", "3-1-1-service-requests"])
def test_other_datasets_equal_the_local_job(lakehouse: CliRunner, glue_script: GlueScriptRun, dataset: str) -> None:
    local_job(lakehouse, glue_script.home, dataset)
    assert glue_script(dataset)["NewInputs"] == 1
    assert_same_tables(glue_script.home, glue_script, dataset)


def test_the_script_builds_every_table_of_every_model(script: ModuleType) -> None:
    assert set(script.BUILDERS) == {t["name"] for model in script.MODELS.values() for t in model["tables"]}


def test_the_script_writes_the_catalog_documents_of_the_local_job(script: ModuleType) -> None:
    for spec in (job_for_dataset(dataset) for dataset in script.MODELS):
        _, layouts = script.parse_spec(json.dumps({k: spec.document[k] for k in PLATFORM_MEMBERS}))
        for ours, theirs in zip(layouts, spec.outputs, strict=True):
            parameters = {"lakehouse.snapshot_id": "s1"}
            assert script.table_input(ours, "s3://curated/x/", parameters) == table_input(
                theirs.table.name, theirs.table.description, theirs.data_columns, theirs.partition_keys,
                "s3://curated/x/", parameters)


@pytest.mark.parametrize(("arguments", "message"), [
    ([], "missing job argument --lakehouse-job-spec"),
    (["--lakehouse-job-spec", "{}", "--database", "d"], "Transform.Model one of 3-1-1-inquiry-volume"),
    (["--lakehouse-job-spec", json.dumps({"Transform": {"Model": INQUIRY_VOLUME}}), "--database", "d"],
     "the job must read the landing rows of 3-1-1-inquiry-volume"),
    (["--lakehouse-job-spec", json.dumps({"Inputs": [{"Zone": "landing", "Dataset": INQUIRY_VOLUME}],
                                          "Transform": {"Model": INQUIRY_VOLUME}}),
      "--database", "d", "--curated-location", "http://x/"], "must be an s3:// or file:// URI"),
])
def test_bad_job_arguments_fail_in_one_line_before_spark_starts(arguments: list[str], message: str) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--JOB_NAME", "j", *arguments],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def builders_agree(script: ModuleType, spark: SparkSession, dataset: str, landing: pl.DataFrame) -> None:
    """Every table of the model from these landing rows: the model's Polars code against the script's Spark."""
    job = job_for_dataset(dataset)
    _, layouts = script.parse_spec(json.dumps({k: job.document[k] for k in PLATFORM_MEMBERS}))
    spark.conf.set("spark.sql.ansi.enabled", "false")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark_landing = spark.createDataFrame(landing.to_dicts(), schema=", ".join(
        f"{name} {SPARK_DDL[dtype]}" for name, dtype in landing.schema.items()))
    local_base = typed(job.outputs[0], job.model.base.build(landing.lazy())).collect()
    spark_base = script.typed(layouts[0], script.BUILDERS[layouts[0].name](spark_landing))
    for ours, theirs in zip(layouts, job.outputs, strict=True):
        local = local_base if theirs is job.outputs[0] else typed(theirs, theirs.table.build(local_base.lazy())).collect()
        frame = spark_base if ours is layouts[0] else script.typed(ours, script.BUILDERS[ours.name](spark_base))
        computed = pl.DataFrame([row.asDict() for row in frame.collect()], schema=local.schema, orient="row")
        assert_frame_equal(sorted_rows(computed), sorted_rows(local), check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


SPARK_DDL = {pl.String: "string", pl.Int64: "bigint", pl.Float64: "double", pl.Date: "date"}


def test_builders_agree_on_zero_null_and_tied_values(script: ModuleType, spark: SparkSession) -> None:
    def month(text: str) -> date:
        return date.fromisoformat(text + "-01")

    rows = [  # department, inquiry_type, channel, month_start, inquiries
        ("ENG - Streets", "Pothole", "Phone", month("2022-01"), 0),  # previous year 0: change_pct +inf
        ("ENG - Streets", "Pothole", "Phone", month("2023-01"), 5),
        ("ENG - Streets", "Pothole", "Phone", month("2024-01"), 0),  # -100 %
        ("Mayor's Office", "Letter", "Mail", month("2023-02"), 0),  # no code; 0 after 0: NaN
        ("Mayor's Office", "Letter", "Mail", month("2024-02"), 0),
        ("Mayor's Office", "Letter", "Mail", month("2024-02"), None),  # a null count sums as 0
        ("PR - Parks", "Tree", "Web", month("2023-03"), 800),
        ("PR - Parks", "Tree", "Web", month("2024-03"), 801),  # +0.125 %: half to even gives 0.12
        ("VPD - Records", "Report", "Web", month("2024-03"), 801),  # tied rank with PR - Parks
    ]
    landing = pl.DataFrame(rows, schema={"department": pl.String, "inquiry_type": pl.String, "channel": pl.String,
                                         "month_start": pl.Date, "inquiries": pl.Int64}, orient="row")
    builders_agree(script, spark, INQUIRY_VOLUME, landing)


def test_contact_centre_builders_agree_on_days_without_calls(script: ModuleType, spark: SparkSession) -> None:
    rows = [  # call_date, offered, handled, abandoned, speed, service level
        (date(2024, 1, 1), 0, 0, 0, None, None),  # a month with no calls: rates are NaN
        (date(2024, 2, 1), 100, 90, 8, 30.0, 0.8),
        (date(2024, 2, 1), 999, 1, 1, 1.0, 0.1),  # a second row for a day: the first one stays
        (date(2024, 2, 2), 0, 0, 3, None, 0.5),  # abandoned without offered calls
        (date(2024, 3, 1), 50, 50, 0, None, 1.0),  # handled calls without a speed
    ]
    landing = pl.DataFrame(rows, schema={
        "call_date": pl.Date, "calls_offered": pl.Int64, "calls_handled": pl.Int64, "calls_abandoned": pl.Int64,
        "avg_speed_of_answer_s": pl.Float64, "service_level": pl.Float64}, orient="row")
    builders_agree(script, spark, "3-1-1-contact-centre-metrics", landing)
