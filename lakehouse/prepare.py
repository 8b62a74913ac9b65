"""Prepare: raw → landing through the dataset's DataBrew recipe job.

`prepare` publishes the shipped recipe when it changed, (re)defines the recipe job and
starts a run; `RecipeJobRunner` is what a run executes locally: parse the current raw
file, run the recipe as one lazy plan, check the ruleset, then publish typed Parquet
plus every rejected row with the step that rejected it. Counts reconcile by
construction and are checked: raw rows = landing rows + rejected rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lakehouse.datasets.readers import REJECT_SCHEMA, ParsedSource, parse_source
from lakehouse.datasets.registry import dataset
from lakehouse.datasets.source_check import check_source
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import LakehouseError, StageError
from lakehouse.glue_types import POLARS_TYPES
from lakehouse.landing import LandingManifest, data_key, landing_manifest, profile_key, rejected_key, write_manifest
from lakehouse.ingest import current_raw
from lakehouse.ports.recipe_service import LATEST_PUBLISHED, RecipeService
from lakehouse.recipes.compile import compile_marked, validate_recipe
from lakehouse.recipes.definitions import dataset_recipe
from lakehouse.recipes.frame import RECORD, REJECT_STEP, user_columns
from lakehouse.recipes.model import Recipe, RecipeError, parse_recipe
from lakehouse.recipes.profile import profile_frame
from lakehouse.zones import Zones



def job_name(spec: DatasetSpec) -> str:
    return f"{spec.portal_id}-prepare"


def prepare(zones: Zones, recipes: RecipeService, spec: DatasetSpec) -> LandingManifest:
    """Publish the shipped recipe if it changed, then run the dataset's recipe job."""
    recipe = dataset_recipe(spec)
    check_landing_contract(recipe, spec)  # before any data is read
    sync_recipe(recipes, recipe)
    recipes.create_recipe_job(recipe_job(zones, spec, recipe.name))
    recipes.start_job_run(job_name(spec))
    manifest = landing_manifest(zones, spec)
    assert manifest is not None  # a SUCCEEDED run always writes it
    return manifest


def sync_recipe(recipes: RecipeService, recipe: Recipe, description: str = "shipped with the platform") -> str:
    """Make LATEST_PUBLISHED equal the given steps, publishing a new version if needed."""
    steps = recipe.to_json()
    try:
        published = recipes.describe_recipe(recipe.name, LATEST_PUBLISHED)
        if published["Steps"] == steps:
            return str(published["RecipeVersion"])
        recipes.update_recipe(recipe.name, steps)
    except LakehouseError:
        try:
            recipes.update_recipe(recipe.name, steps)
        except LakehouseError:
            recipes.create_recipe(recipe.name, steps, description)
    return recipes.publish_recipe(recipe.name, description)


def recipe_job(zones: Zones, spec: DatasetSpec, recipe_name: str) -> dict[str, Any]:
    """The DataBrew recipe job that prepares a dataset into the landing zone."""
    return {
        "Name": job_name(spec),
        "DatasetName": spec.portal_id,
        "RecipeReference": {"Name": recipe_name, "RecipeVersion": LATEST_PUBLISHED},
        "Outputs": [{
            "Location": {"Bucket": zones.bucket("landing"), "Key": f"{spec.portal_id}/"},
            "Format": "PARQUET",
            "Overwrite": True,
        }],
    }


def check_landing_contract(recipe: Recipe, spec: DatasetSpec) -> None:
    """The recipe must turn the export's columns into exactly the landing columns."""
    produced = validate_recipe(recipe, {label: pl.String() for label in spec.labels})
    expected = {name: POLARS_TYPES[glue_type] for name, glue_type in spec.landing_columns}
    if dict(produced) != expected:
        got = ", ".join(f"{name} {dtype}" for name, dtype in produced.items())
        want = ", ".join(f"{name} {dtype}" for name, dtype in expected.items())
        raise RecipeError(f"recipe {recipe.name} produces ({got}); landing needs ({want})")


class RecipeJobRunner:
    """Executes a recipe job locally (the JobExecutor of the DataBrew emulation)."""

    def __init__(self, zones: Zones) -> None:
        self.zones = zones

    def __call__(self, job: dict[str, Any], recipe_document: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
        spec = dataset(job["DatasetName"])
        recipe = parse_recipe(recipe_document["Steps"], name=recipe_document["Name"])
        raw = current_raw(self.zones, spec)
        log(f"reading {self.zones.bucket('raw')}/{raw.key}")
        with tempfile.TemporaryDirectory(prefix="lakehouse-prepare-") as scratch:
            workdir = Path(scratch)
            source = self.zones.local_file("raw", raw.key, workdir)
            parsed = parse_source(check_source(source, spec), spec, workdir)
            log(f"parsed {parsed.parsed_rows} rows, {parsed.parse_rejects.height} unparseable lines")
            landing_path, rejected = run_recipe(recipe, parsed, spec, workdir)
            landing_rows = pl.scan_parquet(landing_path).select(pl.len()).collect().item()
            manifest = LandingManifest(
                dataset=spec.portal_id, raw_key=raw.key, raw_sha256=raw.sha256, synthetic=raw.synthetic,
                raw_rows=parsed.raw_rows, landing_rows=landing_rows, rejected_rows=rejected.height,
                rejected_by_step=_count_by_step(rejected), recipe=recipe.name,
                recipe_version=str(recipe_document.get("RecipeVersion", "")), job_run_id=str(job.get("RunId", "")),
                prepared_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                data_key=data_key(spec, raw.sha256),
            )
            if manifest.raw_rows != manifest.landing_rows + manifest.rejected_rows:
                raise LakehouseError(
                    f"{raw.key}: row counts do not reconcile: {manifest.raw_rows} raw != "
                    f"{manifest.landing_rows} landing + {manifest.rejected_rows} rejected"
                )
            check_rules(spec, landing_path, log, source=f"{self.zones.bucket('raw')}/{raw.key}")
            _publish(self.zones, spec, workdir, landing_path, rejected, manifest)
            self.zones.put_json("landing", profile_key(spec), profile_frame(pl.scan_parquet(landing_path)))
        log(f"landing {manifest.landing_rows} rows, rejected {manifest.rejected_rows}")
        return {"landing_rows": manifest.landing_rows, "rejected_rows": manifest.rejected_rows}


def run_recipe(recipe: Recipe, parsed: ParsedSource, spec: DatasetSpec, workdir: Path) -> tuple[Path, pl.DataFrame]:
    """Run the recipe over parsed rows: landing Parquet on disk, rejected rows in memory."""
    result = _run_recipe(recipe, parsed, spec, workdir)
    if result is None:
        assert parsed.direct is not None
        # Polars stopped at a line DuckDB accepted: parse the thorough way and run again.
        again = workdir / "parsed-again"
        again.mkdir()
        result = _run_recipe(recipe, parse_source(parsed.direct.layout, spec, again, direct=False), spec, again)
        assert result is not None  # a Parquet parse is never cut short
    return result


def _run_recipe(
    recipe: Recipe, parsed: ParsedSource, spec: DatasetSpec, workdir: Path,
) -> tuple[Path, pl.DataFrame] | None:
    """None when a direct read stopped short (its failure says why): nothing it wrote is used."""
    # Rows are split by step number; each step's operation and reason are added to its rejected rows after.
    plan, texts = compile_marked(recipe, parsed.scan(), keep_raw=False, scratch=workdir)
    data = user_columns(plan.collect_schema())
    line = _source_line(pl.col(RECORD).cast(pl.Int64), parsed)
    rows = plan.select(*data, line.alias("source_line"), REJECT_STEP)
    split = _split_in_one_pass if parsed.parsed_rows <= ONE_PASS_SPLIT_ROWS else _split_after_marking
    landing_path, marked_lines = split(rows, workdir / "split")
    if parsed.direct is not None and parsed.direct.failure is not None:
        return None
    if not landing_path.exists():  # every row rejected (or none at all): an empty landing file
        landing_path.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(schema=rows.drop(REJECT_STEP).collect_schema()).write_parquet(landing_path)
    steps = sorted(texts)
    marks = marked_lines.with_columns(
        pl.col("step").replace_strict(steps, [texts[step][0] for step in steps], return_dtype=pl.String).alias("operation"),
        pl.col("step").replace_strict(steps, [texts[step][1] for step in steps], return_dtype=pl.String).alias("reason"),
    )
    raw = _raw_records(parsed, spec, marks.get_column("source_line"), line)
    recipe_rejects = marks.join(raw, on="source_line", how="left")
    rejected = pl.concat([parsed.parse_rejects, recipe_rejects.cast(REJECT_SCHEMA)]).sort("source_line")  # type: ignore[arg-type]
    return landing_path, rejected


def _raw_records(parsed: ParsedSource, spec: DatasetSpec, lines: pl.Series, line: pl.Expr) -> pl.DataFrame:
    """The raw text of the rejected records only: their values joined by the separator."""
    if parsed.direct is not None:
        values = parsed.direct.rows_at(lines).lazy()
    else:
        # A semi join keeps the few rejected rows before concat_str, instead of building every
        # record's text and joining it.
        values = (
            parsed.scan().with_row_index(RECORD, offset=1).with_columns(line.alias("source_line"))
            .join(pl.LazyFrame({"source_line": lines}), on="source_line", how="semi")
        )
    return values.select(
        pl.col("source_line"),
        pl.concat_str([pl.col(label).fill_null("") for label in spec.labels], separator=spec.separator)
        .alias("raw_record"),
    ).collect(engine="streaming")


# Up to this many rows, one streaming pass splits landing from rejected rows. Polars' keyed
# partition sink holds memory that grows with the rows (+0.2 GB at 10M, +1.5 GB at 50M), so
# larger inputs are marked in one file and split from it: bounded, about 1.7 s more per 10M.
ONE_PASS_SPLIT_ROWS = 16_000_000
_MARKED_LINES = {"source_line": pl.Int64(), "step": pl.Int32()}


def _split_in_one_pass(rows: pl.LazyFrame, split: Path) -> tuple[Path, pl.DataFrame]:
    """One partitioned sink: the landing file (rows no step rejected) and a file per rejecting step."""
    written: dict[str, int] = {}

    def file_for(partition: pl.io.partition.FileProviderArgs) -> str:
        step = partition.partition_keys.item(0, 0)
        if step is None:
            return _LANDING_FILE
        written[f"rejected-step-{step}.parquet"] = step
        return f"rejected-step-{step}.parquet"

    rows.sink_parquet(
        pl.PartitionBy(split, key=[REJECT_STEP], include_key=False, file_path_provider=file_for,
                       approximate_bytes_per_file=None),
        engine="streaming", mkdir=True,
    )
    marked_lines = pl.concat(
        [pl.DataFrame(schema=_MARKED_LINES)]
        + [pl.read_parquet(split / name, columns=["source_line"]).with_columns(pl.lit(step, pl.Int32).alias("step"))
           for name, step in written.items()]
    )
    return split / _LANDING_FILE, marked_lines


def _split_after_marking(rows: pl.LazyFrame, split: Path) -> tuple[Path, pl.DataFrame]:
    """Every row with its mark into one file, then the landing rows out of it, in bounded memory."""
    split.mkdir(parents=True, exist_ok=True)
    marked = split / "marked.parquet"
    rows.sink_parquet(marked, compression="lz4", engine="streaming")
    stored = pl.scan_parquet(marked)
    landing_path = split / _LANDING_FILE
    stored.filter(pl.col(REJECT_STEP).is_null()).drop(REJECT_STEP).sink_parquet(landing_path, engine="streaming")
    marked_lines = (
        stored.filter(pl.col(REJECT_STEP).is_not_null())
        .select(pl.col("source_line"), pl.col(REJECT_STEP).alias("step"))
        .collect(engine="streaming").cast(_MARKED_LINES)  # type: ignore[arg-type]
    )
    marked.unlink()
    return landing_path, marked_lines


_LANDING_FILE = "landing.parquet"


def _source_line(records: pl.Expr, parsed: ParsedSource) -> pl.Expr:
    """Line of each parsed record, given the lines the parser rejected.

    The parser keeps rows in file order and drops only rejected lines, so record i
    sits after every rejected line that has fewer than i accepted records before it.
    (Exact unless the file has blank lines or quoted line breaks, which portal
    exports do not.)
    """
    rejected = parsed.parse_rejects["source_line"].sort().to_numpy()
    first = parsed.first_data_line
    if rejected.size == 0:
        return records + (first - 1)
    accepted_before = rejected - first - np.arange(rejected.size)

    def lines(batch: pl.Series) -> pl.Series:
        skipped = np.searchsorted(accepted_before, batch.to_numpy(), side="left")
        return batch + (first - 1) + pl.Series(skipped, dtype=pl.Int64)

    # Elementwise per batch (numpy's searchsorted): a search_sorted expression would be a
    # columnar node, which makes the streaming engine hold the whole column.
    return records.map_batches(lines, return_dtype=pl.Int64, is_elementwise=True)


def check_rules(spec: DatasetSpec, landing_path: Path, log: Callable[[str], None], source: str = "") -> None:
    """Evaluate the dataset's ruleset on the landing rows of `source`; a failing blocking rule stops here."""
    if spec.ruleset is None:
        return
    from lakehouse.recipes.definitions import definition_path
    from lakehouse.recipes.rules import evaluate_ruleset, load_ruleset

    result = evaluate_ruleset(load_ruleset(definition_path(spec.ruleset)), pl.scan_parquet(landing_path))
    for outcome in result.rules:
        log(f"rule {outcome.name}: {'passed' if outcome.passed else 'FAILED'}")
    if result.failed_blocking:
        names = ", ".join(outcome.name for outcome in result.failed_blocking)
        where = f" ({source})" if source else ""
        raise StageError(f"data-quality rules failed for {spec.portal_id}{where}, landing not published: {names}")


def _count_by_step(rejected: pl.DataFrame) -> list[dict[str, Any]]:
    counts = rejected.group_by("step", "operation").agg(pl.len().alias("rows"), pl.col("reason").first().alias("example"))
    return counts.sort("step").to_dicts()


def _publish(
    zones: Zones, spec: DatasetSpec, workdir: Path, landing_path: Path, rejected: pl.DataFrame,
    manifest: LandingManifest,
) -> None:
    bucket = zones.bucket("landing")
    rejected_path = workdir / "rejected.parquet"
    rejected.write_parquet(rejected_path)
    zones.store.upload_file(landing_path, bucket, data_key(spec, manifest.raw_sha256))
    zones.store.upload_file(rejected_path, bucket, rejected_key(spec, manifest.raw_sha256))
    # Manifests are written last: readers trust the data files they describe.
    write_manifest(zones, spec, manifest)
