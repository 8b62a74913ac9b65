"""`lakehouse recipe …` and `lakehouse profile`: DataBrew's recipes, versions, jobs and profiles."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click
import polars as pl

from lakehouse import cli_output as out
from lakehouse.cli_options import platform_options
from lakehouse.datasets.registry import DEFAULT_DATASET, DATASETS, dataset
from lakehouse.errors import StageError
from lakehouse.platform import Platform
from lakehouse.landing import landing_manifest, profile_key
from lakehouse.prepare import job_name, sync_recipe
from lakehouse.ports.recipe_service import LATEST_PUBLISHED
from lakehouse.recipes import frame
from lakehouse.recipes.compile import compile_recipe, validate_recipe
from lakehouse.recipes.definitions import dataset_recipe
from lakehouse.recipes.model import Recipe, load_recipe
from lakehouse.recipes.tables import count_rows, scan_table, write_table

if TYPE_CHECKING:
    from lakehouse.recipes.profile import JobSample

DATASET_CHOICE = click.Choice(sorted(DATASETS))


@click.group()
def recipe() -> None:
    """DataBrew recipes: validate, apply, publish, versions, job runs."""


def _schema_for(input_path: Path | None, dataset_name: str) -> pl.Schema:
    if input_path is not None:
        return scan_table(input_path).collect_schema()  # reads the header only
    return pl.Schema({label: pl.String() for label in dataset(dataset_name).labels})


@recipe.command()
@click.argument("recipe_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--input", "input_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Take the columns from this CSV/Parquet file's header (default: the dataset's export).")
@click.option("--dataset", "dataset_name", type=DATASET_CHOICE, default=DEFAULT_DATASET, show_default=True)
def validate(recipe_file: Path, input_path: Path | None, dataset_name: str) -> None:
    """Check a recipe against a schema without reading any rows."""
    parsed = load_recipe(recipe_file)
    produced = validate_recipe(parsed, _schema_for(input_path, dataset_name))
    out.console.print(f"valid: {len(parsed.steps)} steps; output columns: "
                      + ", ".join(f"{name} ({dtype})" for name, dtype in produced.items()))


@recipe.command()
@click.argument("recipe_file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("input_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "output_path", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="CSV or Parquet, by extension; rejected rows go beside it as NAME.rejected.EXT.")
def apply(recipe_file: Path, input_path: Path, output_path: Path) -> None:
    """Run a recipe over a CSV or Parquet file."""
    parsed = load_recipe(recipe_file)
    source = scan_table(input_path)
    validate_recipe(parsed, source.collect_schema())  # fails before any row is read
    plan = compile_recipe(parsed, source)
    rejected_path = output_path.with_name(f"{output_path.stem}.rejected{output_path.suffix}")
    write_table(frame.output(plan), output_path)
    write_table(frame.rejected(plan), rejected_path)
    out.console.print(f"wrote {count_rows(output_path):,} rows to {output_path}; "
                      f"{count_rows(rejected_path):,} rejected rows to {rejected_path}")


@recipe.command()
@click.argument("recipe_file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option("--name", default=None, help="Recipe name (default: the file name, or the dataset's recipe).")
@click.option("--description", default="published with lakehouse recipe publish")
@platform_options
def publish(platform: Platform, recipe_file: Path | None, name: str | None, description: str) -> None:
    """Publish a recipe file (default: the shipped dataset recipe) as a new version if it changed."""
    parsed: Recipe = load_recipe(recipe_file) if recipe_file else dataset_recipe(dataset(DEFAULT_DATASET))
    if name:
        parsed = Recipe(parsed.steps, name)
    version = sync_recipe(platform.recipes, parsed, description)
    out.console.print(f"recipe {parsed.name}: LATEST_PUBLISHED is {version}")


@recipe.command()
@click.argument("name", default=DEFAULT_DATASET)
@platform_options
def versions(platform: Platform, name: str) -> None:
    """A recipe's published versions and its working version."""
    rows = [(v["RecipeVersion"], v.get("PublishedDate", ""), len(v["Steps"]), v.get("PublishDescription", ""))
            for v in platform.recipes.list_recipe_versions(name)]
    working = platform.recipes.describe_recipe(name)
    rows.append((f"{working['RecipeVersion']} (working)", "", len(working["Steps"]), ""))
    out.console.print(out.rich_table(["version", "published", "steps", "description"], rows, title=f"recipe {name}"))


@recipe.command()
@click.option("--dataset", "dataset_name", type=DATASET_CHOICE, default=DEFAULT_DATASET, show_default=True)
@click.option("--log", "run_id", default=None, help="Print one run's log.")
@platform_options
def runs(platform: Platform, dataset_name: str, run_id: str | None) -> None:
    """The recipe job's runs: state, recipe version, times; or one run's log."""
    name = job_name(dataset(dataset_name))
    if run_id:
        run = platform.recipes.describe_job_run(name, run_id)
        for line in run.get("Log", []):
            out.console.print(line, markup=False)
        if run.get("ErrorMessage"):
            out.console.print(f"error: {run['ErrorMessage']}", markup=False)
        return
    rows = [(r["RunId"], r["State"], r["RecipeReference"].get("RecipeVersion", ""), r["StartedOn"],
             r.get("CompletedOn", ""), r.get("ErrorMessage", "")) for r in platform.recipes.list_job_runs(name)]
    out.console.print(out.rich_table(["run", "state", "recipe version", "started", "completed", "error"], rows,
                                     title=f"job {name}"))


@click.command()
@click.option("--dataset", "dataset_name", type=DATASET_CHOICE, default=DEFAULT_DATASET, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
@click.option("--refresh", is_flag=True, help="Profile the landing data again now.")
@click.option("--sample-mode", type=click.Choice(["CUSTOM_ROWS", "FULL_DATASET"]), default=None,
              help="DataBrew's JobSample mode (default CUSTOM_ROWS); giving it profiles again now.")
@click.option("--sample-size", type=click.IntRange(min=1), default=None,
              help="Rows for CUSTOM_ROWS (default 20000, DataBrew's); giving it profiles again now.")
@platform_options
def profile(platform: Platform, dataset_name: str, as_json: bool, refresh: bool,
            sample_mode: str | None, sample_size: int | None) -> None:
    """The profile of a dataset's landing data (per-column statistics, as DataBrew's profile job)."""
    from lakehouse.recipes.profile import JobSample, render_profile

    spec = dataset(dataset_name)
    if sample_mode == "FULL_DATASET" and sample_size is not None:
        raise click.UsageError("--sample-size applies to --sample-mode CUSTOM_ROWS only")
    chosen = sample_mode is not None or sample_size is not None
    sample = JobSample.from_document(
        {key: value for key, value in (("Mode", sample_mode), ("Size", sample_size)) if value is not None}
    )
    document = None if refresh or chosen else platform.zones.find_json("landing", profile_key(spec))
    if document is None:
        document = profile_landing(platform, spec.portal_id, sample)
    if as_json:
        out.console.print_json(json.dumps(document))
    else:
        render_profile(document, out.console)


def profile_landing(platform: Platform, portal_id: str, sample: JobSample | None = None) -> dict:
    """Profile the landing table (DataBrew's default JobSample unless told) and save it next to it."""
    from lakehouse.recipes.profile import profile_frame

    spec = dataset(portal_id)
    latest = landing_manifest(platform.zones, spec)
    if latest is None:
        raise StageError(f"no landing data for {spec.portal_id}: run `lakehouse prepare` first")
    with tempfile.TemporaryDirectory(prefix="lakehouse-profile-") as scratch:
        landing = pl.scan_parquet(platform.zones.local_file("landing", latest.data_key, Path(scratch)))
        document = profile_frame(landing, sample=sample)
    platform.zones.put_json("landing", profile_key(spec), document)
    return document
