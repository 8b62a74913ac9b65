"""Views of the pipeline itself: zones, rows per stage, rejected rows and why, catalog tables.

These read the zones' manifests and the catalog (metadata, not curated data), and the
curated row counts through the query engine.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards import theme
from dashboards.data import DataMissing, DataSource, Table
from dashboards.views.base import Filters, View
from lakehouse.datasets.registry import DATASETS
from lakehouse.etl.models import MODELS
from lakehouse.landing import landing_manifest
from lakehouse.zones import DATA_ZONES


def zones(source: DataSource, filters: Filters) -> Table:
    def compute() -> Table:
        rows = []
        for zone in (*DATA_ZONES, "catalog"):
            bucket = source.zones.bucket(zone)  # type: ignore[arg-type]
            if not source.store.head_bucket(bucket):
                rows.append((zone, bucket, 0, 0, "not created"))
                continue
            objects = list(source.store.list_objects_v2(bucket))
            newest = max((o.last_modified for o in objects), default=None)
            rows.append((zone, bucket, len(objects), sum(o.size for o in objects),
                         newest.strftime("%Y-%m-%d %H:%M UTC") if newest else "empty"))
        return Table(["zone", "bucket", "objects", "bytes", "last_updated"], rows)

    return source.cached(("pipeline", "zones"), compute)


def _curated_rows(source: DataSource, table: str) -> int | None:
    try:
        return int(source.query(f"SELECT count(*) AS n FROM {table}", needs=[table]).rows[0][0])
    except DataMissing:
        return None


def rows_by_stage(source: DataSource, filters: Filters) -> Table:
    def compute() -> Table:
        rows = []
        for portal_id, spec in DATASETS.items():
            manifest = landing_manifest(source.zones, spec)
            curated = _curated_rows(source, MODELS[portal_id].base.name)
            if manifest is None and curated is None:
                continue
            rows.append((portal_id, manifest.raw_rows if manifest else None,
                         manifest.landing_rows if manifest else None, manifest.rejected_rows if manifest else None,
                         MODELS[portal_id].base.name, curated, manifest.prepared_at if manifest else ""))
        if not rows:
            raise DataMissing("nothing has been prepared yet")
        return Table(["dataset", "raw_rows", "landing_rows", "rejected_rows", "curated_table", "curated_rows",
                      "prepared_at"], rows)

    return source.cached(("pipeline", "rows"), compute)


def rows_by_stage_figure(table: Table, filters: Filters) -> go.Figure:
    datasets = table.column("dataset")
    fig = theme.figure(barmode="group", xaxis_title_text="rows (log scale)", height=120 + 90 * len(datasets))
    for index, (column, label) in enumerate((("raw_rows", "raw"), ("landing_rows", "landing"),
                                             ("rejected_rows", "rejected"), ("curated_rows", "curated"))):
        values = table.column(column)
        fig.add_bar(y=datasets, x=[v if v else None for v in values], orientation="h", name=label,
                    marker_color=theme.colour(index), text=[f"{v:,}" if v is not None else "–" for v in values],
                    textposition="auto")
    fig.update_xaxes(type="log", dtick=1)  # ticks at powers of ten only
    fig.update_yaxes(autorange="reversed")
    return fig


def rejected(source: DataSource, filters: Filters) -> Table:
    def compute() -> Table:
        rows = []
        for portal_id, spec in DATASETS.items():
            manifest = landing_manifest(source.zones, spec)
            for step in manifest.rejected_by_step if manifest else []:
                rows.append((portal_id, step.get("step"), step.get("operation"), step.get("rows"), step.get("example")))
        return Table(["dataset", "step", "operation", "rows", "for_example"], rows)

    return source.cached(("pipeline", "rejected"), compute)


def catalog_tables(source: DataSource, filters: Filters) -> Table:
    def compute() -> Table:
        tables = source.catalog_tables()
        if not tables:
            raise DataMissing(f"the catalog has no database {source.database} yet")
        rows = [(t["Name"], len(t["StorageDescriptor"]["Columns"]),
                 ", ".join(k["Name"] for k in t.get("PartitionKeys", [])), t.get("VersionId", ""),
                 str(t.get("UpdateTime", ""))[:19].replace("T", " "),
                 t.get("Parameters", {}).get("lakehouse.snapshot_id", "")) for t in tables]
        return Table(["table", "columns", "partition_keys", "version", "updated_utc", "snapshot"], rows)

    return source.cached(("pipeline", "catalog"), compute)


VIEWS = (
    View("rows_by_stage", "Rows at each stage", "Raw rows = landing rows + rejected rows; curated rows after the "
         "ETL job (the inquiry table sums rows sharing a key).", (), rows_by_stage, rows_by_stage_figure),
    View("zones", "Zones", "Objects in each bucket and when it last changed.", (), zones),
    View("rejected", "Rejected rows and why", "Rows the cleaning recipe rejected, by recipe step.", (), rejected),
    View("catalog_tables", "Catalog tables", "Tables of the Glue database, their version and snapshot.", (),
         catalog_tables),
)
