"""What the CLI prints after a stage or a run: zones, rejects, tables and the answers."""

from __future__ import annotations

from lakehouse.cli_output import console, print_result, rich_table
from lakehouse.datasets.registry import DATASETS
from typing import Any

from lakehouse.errors import EntityNotFoundException, StageError
from lakehouse.etl.jobspec import shipped_job_specs
from lakehouse.etl.snapshots import RUN_PARAMETER, SNAPSHOT_PARAMETER
from lakehouse.ingest import current_raw
from lakehouse.pipeline import Answer, RunReport
from lakehouse.platform import Platform
from lakehouse.landing import LandingManifest, landing_manifest
from lakehouse.runlog import recent_runs
from lakehouse.zones import ZONES

ANSWER_ROWS = 25  # rows of each answer shown after a run; `lakehouse query` shows all


def print_landing(manifest: LandingManifest) -> None:
    reconciled = "=" if manifest.raw_rows == manifest.landing_rows + manifest.rejected_rows else "≠"
    console.print(
        f"raw {manifest.raw_rows:,} rows {reconciled} landing {manifest.landing_rows:,} "
        f"+ rejected {manifest.rejected_rows:,}"
    )
    if manifest.rejected_by_step:
        console.print(rich_table(
            ["step", "operation", "rows", "for example"],
            [(r["step"], r["operation"], r["rows"], r["example"]) for r in manifest.rejected_by_step],
            numeric=[True, False, True, False], grouped=[False, False, True, False],
            title=f"Rejected rows (recipe {manifest.recipe} version {manifest.recipe_version}; step 0 = unreadable lines)",
        ))


def print_curated(platform: Platform, job_run: dict[str, Any]) -> None:
    """What the ETL job run published, with each table's current snapshot in the catalog."""
    outputs = job_run.get("Outputs")
    if outputs is None:  # a Glue run on AWS reports no statistics: read what it published
        outputs = _published_by(platform, job_run)
    if not outputs.get("Tables"):
        console.print(f"job {job_run['JobName']} run {job_run['Id']}: no new landing sources; curated tables unchanged")
        return
    database = platform.settings.database
    rows = []
    for name, count in sorted(outputs["Tables"].items()):
        table = platform.catalog.get_table(database, name)
        partitions = len(platform.catalog.get_partitions(database, name))
        rows.append((name, count, partitions, table.get("VersionId", ""), table["Parameters"].get(SNAPSHOT_PARAMETER, "")))
    sources = f", {outputs['NewInputs']} new sources" if "NewInputs" in outputs else ""
    console.print(rich_table(
        ["curated table", "rows", "partitions", "version", "snapshot"], rows,
        title=f"Glue database {database} (job run {job_run['Id']}{sources})",
        numeric=[False, True, True, True, False], grouped=[False, True, True, False, False],
    ))


def _published_by(platform: Platform, job_run: dict[str, Any]) -> dict[str, Any]:
    """The tables of the run's job whose current snapshot this run published, with their rows."""
    database, tables = platform.settings.database, {}
    for layout in shipped_job_specs()[job_run["JobName"]].outputs:
        table = platform.catalog.get_table(database, layout.table.name)
        if table.get("Parameters", {}).get(RUN_PARAMETER) == job_run["Id"]:
            counted = platform.engine.run_query(f'SELECT count(*) FROM "{database}"."{layout.table.name}"')
            tables[layout.table.name] = counted.rows[0][0]
    return {"Tables": tables}


def print_answer(answer: Answer) -> None:
    def rename(column: str) -> str:
        # `inquiries_year_a` reads better as `inquiries_2023`.
        for name, value in answer.parameters.items():
            column = column.replace(name, str(value))
        return column

    shown = ", ".join(f"{k}={v}" for k, v in answer.parameters.items())
    title = f"{answer.query.title}" + (f" ({shown})" if shown else "")
    print_result(answer.result, "table", title=title, rename=rename, max_rows=ANSWER_ROWS)


def print_run_report(platform: Platform, report: RunReport) -> None:
    source = report.source
    if source.synthetic:
        console.print("[yellow]Source: synthetic sample[/yellow] (realistic but generated; "
                      "real data: lakehouse run --source portal)")
    else:
        console.print(f"Source: {source.origin}")
    manifest = report.ingested.manifest
    state = "already ingested" if report.ingested.already_present else "new"
    console.print(f"raw: {platform.zones.bucket('raw')}/{manifest.key} ({manifest.size:,} bytes, {state})")
    print_landing(report.landing)
    print_curated(platform, report.job_run)
    for answer in report.answers:
        print_answer(answer)
    total = sum(report.seconds.values())
    console.print(f"done in {total:.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()) + ")")


def print_status(platform: Platform) -> None:
    zones, store = platform.zones, platform.store
    console.print(f"backend {platform.settings.backend}, home {platform.settings.home}")
    rows = []
    for zone in ZONES:
        bucket = zones.bucket(zone)
        if store.head_bucket(bucket):
            objects = list(store.list_objects_v2(bucket))
            rows.append((zone, bucket, len(objects), sum(o.size for o in objects),
                         max((o.last_modified for o in objects), default=None)))
        else:
            rows.append((zone, bucket, 0, 0, "not created"))
    console.print(rich_table(["zone", "bucket", "objects", "bytes", "last modified"], rows,
                             numeric=[False, False, True, True, False]))
    for spec in DATASETS.values():
        try:
            raw = current_raw(zones, spec)
            console.print(f"{spec.portal_id}: current raw {raw.key} from {raw.source} at {raw.ingested_at}")
        except StageError:
            console.print(f"{spec.portal_id}: nothing ingested yet (lakehouse run)")
        landing = landing_manifest(zones, spec)
        if landing:
            print_landing(landing)
    try:
        tables = platform.catalog.get_tables(platform.settings.database)
    except EntityNotFoundException:
        tables = []
    if tables:
        console.print(rich_table(
            ["catalog table", "columns", "partition keys", "updated"],
            [(t["Name"], len(t["StorageDescriptor"]["Columns"]),
              ", ".join(k["Name"] for k in t.get("PartitionKeys", [])), t.get("UpdateTime", "")) for t in tables],
            title=f"Glue database {platform.settings.database}",
        ))
    runs = recent_runs(zones)
    if runs:
        console.print(rich_table(
            ["run", "command", "started", "status", "error"],
            [(r.run_id, r.command, r.started_at, r.status, r.error) for r in runs], title="Last runs",
        ))
