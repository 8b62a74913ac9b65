"""The `lakehouse` command: a few lines per subcommand over the library.

Every failure the platform anticipates prints one line `Error: …` and exits 1;
`--debug` (or LAKEHOUSE_DEBUG=1) shows the traceback instead.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from lakehouse import cli_output as out
from lakehouse import pipeline
from lakehouse.cli_options import platform_options
from lakehouse.cli_bench import bench
from lakehouse.cli_cloud import cloud
from lakehouse.cli_doctor import doctor
from lakehouse.cli_emulator import emulator
from lakehouse.cli_glue import catalog, crawl, job
from lakehouse.cli_publish import report, serve
from lakehouse.cli_query import query
from lakehouse.cli_recipes import profile, recipe
from lakehouse.datasets.registry import DATASETS, DEFAULT_DATASET, dataset
from lakehouse.errors import LakehouseError
from lakehouse.ingest import ingest as ingest_source
from lakehouse.platform import Platform
from lakehouse.prepare import prepare as prepare_landing
from lakehouse.report import print_run_report, print_status, print_landing, print_curated
from lakehouse.runlog import recorded

SOURCE_HELP = "PATH to a portal export (CSV or JSON), 'portal' to download it, or 'sample' (default)"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vancouver-311-lakehouse")
def cli() -> None:
    """3-1-1 lakehouse: Vancouver's AWS analytics platform (S3, DataBrew, Glue, Athena), runnable anywhere."""


def _dataset_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--dataset", "dataset_name", type=click.Choice(sorted(DATASETS)), default=DEFAULT_DATASET,
                        show_default=True, help="Which City of Vancouver dataset.")(command)


def _years_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--years", nargs=2, type=int, default=None, metavar="YEAR_A YEAR_B",
                        help="Years to compare (default: the last two complete years).")(command)


@cli.command()
@click.option("--source", default=None, help=SOURCE_HELP)
@click.option("--rows", type=click.IntRange(min=1), default=None, help="Rows of the synthetic sample.")
@click.option("--seed", type=int, default=None, help="Seed of the synthetic sample.")
@click.option("--wait", "wait_seconds", type=click.FloatRange(min=0), default=0, show_default=True,
              metavar="SECONDS", help="Wait this long for another command writing to the same lakehouse.")
@_years_option
@_dataset_option
@platform_options
def run(platform: Platform, source: str | None, rows: int | None, seed: int | None, wait_seconds: float,
        years: tuple[int, int] | None, dataset_name: str) -> None:
    """Run every stage: ingest → prepare → transform → catalog → analyse."""
    report = pipeline.run(platform, dataset(dataset_name), source, years, out.TerminalReporter(), rows, seed,
                          wait_seconds)
    print_run_report(platform, report)


@cli.command()
@click.option("--source", default=None, help=SOURCE_HELP)
@_dataset_option
@platform_options
def ingest(platform: Platform, source: str | None, dataset_name: str) -> None:
    """Store a source file, byte for byte, in the raw zone."""
    spec = dataset(dataset_name)
    with recorded(platform.zones, "ingest") as record, tempfile.TemporaryDirectory() as scratch:
        fetched = pipeline.fetch_source(platform, spec, source, Path(scratch), out.TerminalReporter())
        result = ingest_source(platform.zones, fetched.path, spec, fetched.origin, fetched.synthetic)
        record.details = {"key": result.manifest.key, "already_present": result.already_present}
    state = "already present, nothing written" if result.already_present else "stored"
    out.console.print(f"raw: {platform.zones.bucket('raw')}/{result.manifest.key} ({result.manifest.size:,} bytes, {state})")


@cli.command()
@_dataset_option
@platform_options
def prepare(platform: Platform, dataset_name: str) -> None:
    """Clean the current raw file into typed Parquet in the landing zone, keeping rejects."""
    with recorded(platform.zones, "prepare") as record:
        manifest = prepare_landing(platform.zones, platform.recipes, dataset(dataset_name))
        record.details = {"landing_rows": manifest.landing_rows, "rejected_rows": manifest.rejected_rows}
    print_landing(manifest)


@cli.command()
@click.option("--full-refresh", is_flag=True, help="Rebuild from every landing source, ignoring the bookmark.")
@_dataset_option
@platform_options
def transform(platform: Platform, full_refresh: bool, dataset_name: str) -> None:
    """Run the dataset's ETL job: new landing sources into curated snapshots, published in the catalog."""
    with recorded(platform.zones, "transform") as record:
        job_run = pipeline.build_curated(platform, dataset(dataset_name), full_refresh)
        record.details = {"job_run": job_run["Id"]}
    print_curated(platform, job_run)


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("3-1-1-inquiry-volume-sample.csv"), show_default=True)
@click.option("--rows", type=click.IntRange(min=1), default=None, help="Rows (default 58,000; up to 50 million).")
@click.option("--seed", type=int, default=311, show_default=True)
@click.option("--dirty", is_flag=True, help="Inject the faults a real export can carry.")
@click.option("--end-month", default=None, metavar="YYYY-MM", help="Last month (default: the last full month).")
def sample(output: Path, rows: int | None, seed: int, dirty: bool, end_month: str | None) -> None:
    """Write a realistic synthetic export in the portal's exact CSV format."""
    from lakehouse.datasets.sample import DEFAULT_ROWS, write_sample

    total = rows or DEFAULT_ROWS
    with out.TerminalReporter().rows("generating", total) as advance:
        report = write_sample(output, rows=total, seed=seed, dirty=dirty, end_month=end_month, progress=advance)
    out.console.print(f"wrote {report.rows:,} rows ({report.first_month} – {report.last_month}) to {report.path}")
    for kind, count in sorted(report.faults.items()):
        out.console.print(f"  injected {kind}: {count:,}")


@cli.command()
@platform_options
def status(platform: Platform) -> None:
    """Zones, catalog tables and the last runs."""
    print_status(platform)


for group in (query, recipe, profile, catalog, crawl, job, serve, report):
    cli.add_command(group)
cli.add_command(emulator)
cli.add_command(doctor)
cli.add_command(cloud)
cli.add_command(bench)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors, exit codes 1 (failure) and 2 (usage)."""
    arguments = sys.argv[1:] if argv is None else argv
    debug = "--debug" in arguments or os.environ.get("LAKEHOUSE_DEBUG") == "1"
    try:
        cli.main(args=arguments, prog_name="lakehouse", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as usage:
        usage.show()
        sys.exit(usage.exit_code)
    except click.exceptions.Abort:
        out.errors.print("Aborted.")
        sys.exit(130)
    except LakehouseError as error:
        if debug:
            raise
        out.errors.print(f"Error: {_one_line(error)}", markup=False, soft_wrap=True)
        sys.exit(1)
    except OSError as error:
        if debug:
            raise
        out.errors.print(f"Error: {_os_error(error)}", markup=False, soft_wrap=True)
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback for users
        if debug:
            raise
        out.errors.print(f"Error: unexpected {type(error).__name__}: {_one_line(error)} (rerun with --debug)",
                         markup=False, soft_wrap=True)
        sys.exit(1)


def _os_error(error: OSError) -> str:
    """What the system refused, where, and what to do about a full disk."""
    where = f" ({error.filename})" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"no space left on the device{where}: free some space or use another --home; nothing half-written "
                "was published (lakehouse doctor lists any leftovers)")
    return f"{error.strerror or _one_line(error)}{where}"


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
