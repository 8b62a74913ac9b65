"""`lakehouse cloud …`: plan (offline), deploy, run, sync and destroy the platform on AWS.

Credentials come from boto3's standard chain (AWS_PROFILE, environment, config files, an
instance role); they are never printed or written. Endpoints: AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE>, as boto3 reads them."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from lakehouse import cli_output as out
from lakehouse.config import Settings, load_settings
from lakehouse.datasets.registry import DATASETS, DEFAULT_DATASET, dataset


def _cloud_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Settings for AWS (backend forced to aws) and the dataset deployed."""

    @click.option("--dataset", "dataset_name", type=click.Choice(sorted(DATASETS)), default=DEFAULT_DATASET,
                  show_default=True, help="Which City of Vancouver dataset.")
    @click.option("--bucket-prefix", help="Prefix of the bucket names (LAKEHOUSE_BUCKET_PREFIX).")
    @click.option("--region", help="AWS region (AWS_REGION).")
    @click.option("--profile", help="Profile of ~/.aws/config (AWS_PROFILE).")
    @click.option("--home", type=click.Path(path_type=Path, file_okay=False), help="Local home (LAKEHOUSE_HOME).")
    @click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                  help="A lakehouse.toml (default ./lakehouse.toml).")
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @functools.wraps(command)
    def wrapper(bucket_prefix: str | None, region: str | None, profile: str | None, home: Path | None,
                config_path: Path | None, debug: bool, **kwargs: Any) -> Any:
        settings = load_settings({"backend": "aws", "bucket_prefix": bucket_prefix, "region": region,
                                  "profile": profile, "home": home}, config_path=config_path)
        return command(settings, **kwargs)

    return wrapper


def _clients(settings: Settings) -> Any:
    from cloud.deploy.clients import Clients

    clients = Clients(settings)
    clients.check_credentials()
    return clients


def _resources(settings: Settings, dataset_name: str, clients: Any) -> list[Any]:
    from cloud.deploy.names import Names
    from cloud.deploy.resources import deployment

    return deployment(Names(settings, clients.account()), dataset(dataset_name))


@click.group()
def cloud() -> None:
    """The platform on AWS: S3 zones, DataBrew, Glue, Athena and the dashboard's instance."""


@cloud.command()
@click.option("--gb", type=click.FloatRange(min=0.001), default=1.0, show_default=True,
              help="Size of the export each run ingests, in GB.")
@click.option("--runs-per-month", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--minutes-per-gb", type=click.FloatRange(min=0.01), default=10.0, show_default=True,
              help="Assumed DataBrew and Glue job minutes per GB (measure yours with a run).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@_cloud_options
def plan(settings: Settings, gb: float, runs_per_month: int, minutes_per_gb: float, as_json: bool,
         dataset_name: str) -> None:
    """Every resource deploy creates or changes, and the monthly cost. Offline: no credentials needed."""
    from cloud.deploy.costs import Volume
    from cloud.deploy.plan import make_plan, plan_lines
    from lakehouse.sql.saved import saved_queries

    queries = sum(1 for query in saved_queries().values() if query.dataset == dataset_name)
    volume = Volume(gb_per_run=gb, runs_per_month=runs_per_month, queries_per_run=queries,
                    minutes_per_gb=minutes_per_gb)
    made = make_plan(settings, dataset(dataset_name), volume)
    if as_json:
        click.echo(json.dumps(made.to_json(), indent=2, sort_keys=True))
        return
    for line in plan_lines(made):
        click.echo(line)


@cloud.command()
@_cloud_options
def deploy(settings: Settings, dataset_name: str) -> None:
    """Create or update every resource; unchanged ones are left alone."""
    from cloud.deploy.apply import deploy as apply_deployment

    clients = _clients(settings)
    resources = _resources(settings, dataset_name, clients)
    outcomes = apply_deployment(clients, resources, lambda r, action: click.echo(f"{action:<9} {r.label}"))
    counts = {action: sum(o.action == action for o in outcomes) for action in ("created", "updated", "unchanged")}
    click.echo(", ".join(f"{count} {action}" for action, count in counts.items()))


@cloud.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_cloud_options
def destroy(settings: Settings, yes: bool, dataset_name: str) -> None:
    """Remove everything deploy made, data included (after confirmation)."""
    from cloud.deploy.apply import destroy as remove, remaining

    clients = _clients(settings)
    resources = _resources(settings, dataset_name, clients)
    if not yes:
        click.confirm(f"Delete {len(resources)} resources in {settings.region}, including every object in "
                      f"the buckets {', '.join(r.name for r in resources if r.kind == 's3-bucket')}?", abort=True)
    outcomes = remove(clients, resources, lambda r, action: click.echo(f"{action:<7} {r.label}"))
    left = remaining(clients, resources)
    if left:
        from lakehouse.errors import StageError

        raise StageError(f"still present after destroy: {', '.join(r.label for r in left)}")
    click.echo(f"{sum(o.action == 'deleted' for o in outcomes)} deleted; nothing left behind")


@cloud.command(name="run")
@click.option("--source", default=None, help="PATH to a portal export, 'portal', or 'sample' (default).")
@click.option("--rows", type=click.IntRange(min=1), default=None, help="Rows of the synthetic sample.")
@click.option("--seed", type=int, default=None, help="Seed of the synthetic sample.")
@click.option("--years", nargs=2, type=int, default=None, metavar="YEAR_A YEAR_B", help="Years to compare.")
@_cloud_options
def run_command(settings: Settings, source: str | None, rows: int | None, seed: int | None,
                years: tuple[int, int] | None, dataset_name: str) -> None:
    """Ingest into raw, run the DataBrew job, the Glue job and the Athena queries, waiting for each."""
    from cloud.deploy.run import run
    from lakehouse.report import print_run_report

    platform, report = run(settings, _clients(settings), dataset(dataset_name), source, years,
                           out.TerminalReporter(), rows, seed, log=lambda line: click.echo(f"  {line}", err=True))
    print_run_report(platform, report)


@cloud.command()
@click.argument("direction", type=click.Choice(["push", "pull"]))
@click.option("--zone", "zones", multiple=True, type=click.Choice(["raw", "landing", "curated"]),
              help="Zones to push (default all three); pull always fetches curated.")
@_cloud_options
def sync(settings: Settings, direction: str, zones: tuple[str, ...], dataset_name: str) -> None:
    """push: local zones to S3; pull: the curated zone back. Only objects whose checksum differs move."""
    from cloud.deploy.sync import pull, push

    clients = _clients(settings)
    if direction == "push":
        result = push(settings, clients, list(zones or ("raw", "landing", "curated")), click.echo)
    else:
        result = pull(settings, clients, click.echo)
    click.echo(f"{len(result.copied)} copied, {result.unchanged} unchanged")
