"""Prepare: raw → landing. Typed Parquet plus every rejected row with its reason.

The counts reconcile by construction and are checked before anything is written:
raw rows = landing rows + rejected rows.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from lakehouse import cleaning
from lakehouse.datasets.readers import REJECT_SCHEMA, ParsedSource, parse_source
from lakehouse.datasets.source_check import check_source
from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import LakehouseError
from lakehouse.ingest import RawManifest, current_raw
from lakehouse.zones import Zones

MANIFEST = "_manifest.json"
REJECTED = "rejected.parquet"


@dataclass(frozen=True)
class LandingManifest:
    """What the landing zone records about the last prepare of a dataset."""

    dataset: str
    raw_key: str
    raw_sha256: str
    synthetic: bool
    raw_rows: int
    landing_rows: int
    rejected_rows: int
    rejected_by_rule: dict[str, int] = field(default_factory=dict)
    prepared_at: str = ""


def landing_key(spec: DatasetSpec) -> str:
    return f"{spec.portal_id}/{spec.table}.parquet"


def rejected_key(spec: DatasetSpec) -> str:
    return f"{spec.portal_id}/{REJECTED}"


def prepare(zones: Zones, spec: DatasetSpec) -> LandingManifest:
    """Clean the current raw object of `spec` into the landing zone."""
    raw = current_raw(zones, spec)
    with tempfile.TemporaryDirectory(prefix="lakehouse-prepare-") as scratch:
        workdir = Path(scratch)
        source = _local_copy(zones, raw, workdir)
        parsed = parse_source(check_source(source, spec), spec, workdir)
        landing, rejected = clean(parsed, spec)
        manifest = LandingManifest(
            dataset=spec.portal_id,
            raw_key=raw.key,
            raw_sha256=raw.sha256,
            synthetic=raw.synthetic,
            raw_rows=parsed.raw_rows,
            landing_rows=landing.height,
            rejected_rows=rejected.height,
            rejected_by_rule=dict(sorted(rejected.group_by("rule").len().iter_rows())),
            prepared_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        if manifest.raw_rows != manifest.landing_rows + manifest.rejected_rows:
            raise LakehouseError(
                f"{raw.key}: row counts do not reconcile: {manifest.raw_rows} raw != "
                f"{manifest.landing_rows} landing + {manifest.rejected_rows} rejected"
            )
        _publish(zones, spec, workdir, landing, rejected, manifest)
    return manifest


def clean(parsed: ParsedSource, spec: DatasetSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split parsed rows into typed landing rows and rejected rows (REJECT_SCHEMA)."""
    names = list(spec.names)
    rule, reason, where = cleaning.rejection(spec)
    rows = (
        pl.scan_parquet(parsed.rows_path)
        .with_row_index("record", offset=1)
        .with_columns(
            cleaning.source_line_numbers(
                pl.col("record").cast(pl.Int64), parsed.parse_rejects["source_line"], parsed.first_data_line
            ).alias("source_line"),
            *(pl.col(name).alias(f"{cleaning.RAW_PREFIX}{name}") for name in names),
        )
        .with_columns(cleaning.standardise(f) for f in spec.fields)
        .with_columns(rule, reason, where)
        # Exact duplicates (every field, BI_ID included) of an earlier valid row.
        .with_columns(
            pl.when(pl.col(cleaning.RULE).is_null() & ~pl.struct(names).is_first_distinct().over(pl.col(cleaning.RULE).is_null()))
            .then(pl.lit("duplicate_row"))
            .otherwise(pl.col(cleaning.RULE))
            .alias(cleaning.RULE)
        )
        .with_columns(
            pl.when(pl.col(cleaning.RULE) == "duplicate_row")
            .then(pl.lit("duplicate of an earlier row"))
            .otherwise(pl.col(cleaning.REASON))
            .alias(cleaning.REASON)
        )
        .collect()
    )
    landing = rows.filter(pl.col(cleaning.RULE).is_null()).select(
        *(cleaning.typed(f) for f in spec.fields), pl.col("source_line")
    )
    landing = _landing_columns(landing, spec)
    value_rejects = rows.filter(pl.col(cleaning.RULE).is_not_null()).select(
        "source_line", cleaning.RULE, cleaning.REASON, cleaning.REASON_FIELD, cleaning.raw_record(spec)
    )
    rejected = pl.concat([parsed.parse_rejects, value_rejects.cast(REJECT_SCHEMA)]).sort("source_line")  # type: ignore[arg-type]
    return landing, rejected


def _landing_columns(frame: pl.DataFrame, spec: DatasetSpec) -> pl.DataFrame:
    """Year-month text becomes the first day of its month, as a date."""
    renames = {f.name: "month_start" for f in spec.fields if f.kind == "year_month"}
    return frame.rename(renames)


def _local_copy(zones: Zones, raw: RawManifest, workdir: Path) -> Path:
    bucket = zones.bucket("raw")
    if zones.store.LOCAL_PATHS:
        return zones.store.local_path(bucket, raw.key)
    target = workdir / raw.filename
    zones.store.download_file(bucket, raw.key, target)
    return target


def _publish(
    zones: Zones,
    spec: DatasetSpec,
    workdir: Path,
    landing: pl.DataFrame,
    rejected: pl.DataFrame,
    manifest: LandingManifest,
) -> None:
    bucket = zones.bucket("landing")
    for frame, key in ((landing, landing_key(spec)), (rejected, rejected_key(spec))):
        local = workdir / key.replace("/", "__")
        frame.write_parquet(local)
        zones.store.upload_file(local, bucket, key)
    # The manifest is written last: readers trust the data files it describes.
    zones.put_json("landing", f"{spec.portal_id}/{MANIFEST}", asdict(manifest))


def landing_manifest(zones: Zones, spec: DatasetSpec) -> LandingManifest | None:
    document = zones.find_json("landing", f"{spec.portal_id}/{MANIFEST}")
    return None if document is None else LandingManifest(**document)
