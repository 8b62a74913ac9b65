"""`lakehouse catalog …` and `lakehouse job …`: the Glue Data Catalog and ETL jobs."""

from __future__ import annotations

import json

import click

from lakehouse import cli_output as out
from lakehouse.catalog.glue_shapes import table_input_of
from lakehouse.cli_options import platform_options
from lakehouse.errors import ConfigError
from lakehouse.etl.jobspec import job_spec, shipped_job_specs
from lakehouse.platform import Platform
from lakehouse.runlog import recorded


@click.group()
def catalog() -> None:
    """The Glue Data Catalog: databases, tables, partitions, versions."""


@catalog.command()
@platform_options
def databases(platform: Platform) -> None:
    """Every database."""
    rows = [(d["Name"], d.get("Description", ""), d.get("CreateTime", "")) for d in platform.catalog.get_databases()]
    out.console.print(out.rich_table(["database", "description", "created"], rows))


@catalog.command()
@click.option("--database", default=None, help="Default: the configured database.")
@platform_options
def tables(platform: Platform, database: str | None) -> None:
    """A database's tables with their location and version."""
    name = database or platform.settings.database
    rows = [
        (t["Name"], len(t["StorageDescriptor"]["Columns"]), ", ".join(k["Name"] for k in t.get("PartitionKeys", [])),
         t.get("VersionId", ""), t["StorageDescriptor"]["Location"])
        for t in platform.catalog.get_tables(name)
    ]
    out.console.print(out.rich_table(["table", "columns", "partition keys", "version", "location"], rows,
                                     title=f"Glue database {name}"))


@catalog.command()
@click.argument("table")
@click.option("--expression", default=None, help="Glue partition expression, e.g. \"year >= 2023\".")
@click.option("--database", default=None)
@platform_options
def partitions(platform: Platform, table: str, expression: str | None, database: str | None) -> None:
    """A table's partitions (optionally filtered by a Glue expression)."""
    name = database or platform.settings.database
    found = platform.catalog.get_partitions(name, table, expression) if expression else \
        platform.catalog.get_partitions(name, table)
    rows = [("/".join(p["Values"]), p["StorageDescriptor"]["Location"]) for p in found]
    out.console.print(out.rich_table(["values", "location"], rows, title=f"{name}.{table}: {len(rows)} partitions"))


@catalog.command()
@click.argument("table")
@click.option("--json", "as_json", is_flag=True, help="Print the definition as a Glue TableInput (JSON).")
@click.option("--version", "version_id", default=None, help="An earlier table version.")
@click.option("--database", default=None)
@platform_options
def show(platform: Platform, table: str, as_json: bool, version_id: str | None, database: str | None) -> None:
    """One table's definition: columns, partition keys, location, parameters."""
    name = database or platform.settings.database
    if version_id:
        document = platform.catalog.get_table_version(name, table, version_id)["Table"]
    else:
        document = platform.catalog.get_table(name, table)
    if as_json:
        click.echo(json.dumps(table_input_of(document), indent=2, sort_keys=True))
        return
    descriptor = document["StorageDescriptor"]
    out.console.print(f"{name}.{table} version {document.get('VersionId', '')}: {document.get('Description', '')}")
    out.console.print(f"location {descriptor['Location']}", markup=False)
    columns = [(c["Name"], c["Type"], "", c.get("Comment", "")) for c in descriptor["Columns"]]
    columns += [(k["Name"], k["Type"], "partition", k.get("Comment", "")) for k in document.get("PartitionKeys", [])]
    out.console.print(out.rich_table(["column", "type", "", "comment"], columns))


@catalog.command()
@click.argument("table")
@click.option("--database", default=None)
@platform_options
def versions(platform: Platform, table: str, database: str | None) -> None:
    """A table's versions, newest first: each points at one snapshot."""
    name = database or platform.settings.database
    rows = [(v["VersionId"], v["Table"].get("UpdateTime", ""), v["Table"]["StorageDescriptor"]["Location"])
            for v in platform.catalog.get_table_versions(name, table)]
    out.console.print(out.rich_table(["version", "updated", "location"], rows, title=f"{name}.{table}"))


@click.command()
@click.argument("prefix")
@click.option("--database", default=None, help="Database to create tables in (default: the configured one).")
@click.option("--table-prefix", default="", help="Prefix for the names of the tables the crawler creates.")
@click.option("--update-behavior", type=click.Choice(["MERGE_NEW_COLUMNS", "UPDATE_IN_DATABASE", "LOG"]),
              default="MERGE_NEW_COLUMNS", show_default=True,
              help="New columns only (incompatible changes are errors), replace the schema, or only report.")
@click.option("--delete-behavior", type=click.Choice(["DEPRECATE_IN_DATABASE", "DELETE_FROM_DATABASE", "LOG"]),
              default="DEPRECATE_IN_DATABASE", show_default=True, help="What to do with partitions whose files are gone.")
@platform_options
def crawl(platform: Platform, prefix: str, database: str | None, table_prefix: str, update_behavior: str,
          delete_behavior: str) -> None:
    """Infer tables and partitions from Parquet or CSV files under PREFIX (s3://bucket/path/ or bucket/path/)."""
    from emulation.glue.crawler import Crawler

    location = prefix if prefix.startswith("s3://") else f"s3://{prefix}"
    policy = {"UpdateBehavior": "UPDATE_IN_DATABASE" if update_behavior != "LOG" else "LOG",
              "DeleteBehavior": delete_behavior}
    definition = {
        "Name": "lakehouse-crawl", "DatabaseName": database or platform.settings.database,
        "Targets": {"S3Targets": [{"Path": location}]}, "SchemaChangePolicy": policy, "TablePrefix": table_prefix,
    }
    if update_behavior == "MERGE_NEW_COLUMNS":
        definition["Configuration"] = json.dumps({"Version": 1.0, "CrawlerOutput": {"Tables": {"AddOrUpdateBehavior": "MergeNewColumns"}}})
    result = Crawler(platform.store, platform.catalog).start_crawler(definition)
    rows = [(name, state) for state, names in (("created", result.tables_created), ("updated", result.tables_updated),
                                               ("unchanged", result.tables_unchanged), ("deprecated", result.tables_deprecated),
                                               ("missing", result.tables_missing)) for name in names]
    out.console.print(out.rich_table(["table", "state"], rows, title=f"crawl of {location} into {definition['DatabaseName']}"))
    for change in result.schema_changes:
        out.console.print(f"schema change: {change}", markup=False)
    for warning in result.warnings:
        out.errors.print(f"warning: {warning}", markup=False)
    added = sum(len(v) for v in result.partitions_added.values())
    removed = sum(len(v) for v in result.partitions_removed.values())
    out.console.print(f"partitions added {added}, removed {removed}")


@click.group()
def job() -> None:
    """Glue ETL jobs: run them, see their runs."""


@job.command("list")
def list_jobs() -> None:
    """The ETL jobs shipped with the platform."""
    rows = [(spec.name, spec.dataset, ", ".join(o.table.name for o in spec.outputs)) for spec in shipped_job_specs().values()]
    out.console.print(out.rich_table(["job", "reads", "writes"], rows))


@job.command("run")
@click.argument("name")
@click.option("--full-refresh", is_flag=True, help="Process every input again, ignoring the bookmark.")
@click.option("--arg", "arguments", multiple=True, metavar="KEY=VALUE", help="A run argument, e.g. --arg snapshots-to-keep=3.")
@platform_options
def run_job(platform: Platform, name: str, full_refresh: bool, arguments: tuple[str, ...]) -> None:
    """Run a job now (run arguments override the job's defaults, not its non-overridable ones)."""
    from lakehouse.report import print_curated

    spec = job_spec(name)
    run_arguments = {"--database": platform.settings.database, **dict(_argument(item) for item in arguments)}
    if full_refresh:
        run_arguments["--full-refresh"] = "true"
    platform.jobs.create_job(spec.document)
    with recorded(platform.zones, f"job run {name}") as record:
        run_id = platform.jobs.start_job_run(name, run_arguments)
        record.details = {"job_run": run_id}
    print_curated(platform, platform.jobs.get_job_run(name, run_id))


@job.command("runs")
@click.argument("name", required=False)
@click.option("--log", "run_id", default=None, help="Print one run's log.")
@platform_options
def job_runs(platform: Platform, name: str | None, run_id: str | None) -> None:
    """Runs of a job (default: every shipped job), newest first; or one run's log."""
    names = [name] if name else list(shipped_job_specs())
    if run_id:
        if len(names) != 1:
            raise ConfigError("--log needs the job name")
        run = platform.jobs.get_job_run(names[0], run_id)
        for line in run.get("Log", []):
            out.console.print(line, markup=False)
        if run.get("ErrorMessage"):
            out.console.print(f"error: {run['ErrorMessage']}", markup=False)
        return
    rows = [(r["JobName"], r["Id"], r["JobRunState"], r["StartedOn"], r.get("ExecutionTime", ""),
             json.dumps(r.get("Outputs", {}).get("Tables", {})), r.get("ErrorMessage", ""))
            for job_name in names for r in platform.jobs.get_job_runs(job_name)]
    out.console.print(out.rich_table(["job", "run", "state", "started", "seconds", "tables", "error"], rows))


def _argument(item: str) -> tuple[str, str]:
    key, separator, value = item.partition("=")
    if not separator or not key:
        raise ConfigError(f"--arg {item!r}: expected KEY=VALUE")
    return (key if key.startswith("--") else f"--{key}"), value
