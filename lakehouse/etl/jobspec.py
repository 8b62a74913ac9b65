"""Declarative ETL job specifications (lakehouse/etl/jobs/*.json), in Glue's CreateJob shape
plus what the job reads and writes:

    {"Name": "3-1-1-inquiry-volume-curate", "Description": "…",
     "Inputs": [{"Zone": "landing", "Dataset": "3-1-1-inquiry-volume"}],
     "Transform": {"Model": "3-1-1-inquiry-volume"},
     "Outputs": [{"Table": "inquiry_volume", "PartitionKeys": ["year"]}, …],
     "DefaultArguments": {"--job-bookmark-option": "job-bookmark-enable"},
     "NonOverridableArguments": {…}}

An output's PartitionKeys choose the table's layout; they must be columns of the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from lakehouse.errors import ConfigError
from lakehouse.etl.models import model_for
from lakehouse.etl.tables import Column, CuratedModel, CuratedTable


@dataclass(frozen=True)
class TableLayout:
    """A curated table as a job writes it: which of its columns partition it."""

    table: CuratedTable
    partition_keys: tuple[Column, ...]

    @property
    def data_columns(self) -> tuple[Column, ...]:
        keys = {c.name for c in self.partition_keys}
        return tuple(c for c in self.table.all_columns if c.name not in keys)


@dataclass(frozen=True)
class JobSpec:
    document: dict[str, Any]  # the Glue-shaped definition, as stored by the job service
    dataset: str
    model: CuratedModel
    outputs: tuple[TableLayout, ...]

    @property
    def name(self) -> str:
        return str(self.document["Name"])


def parse_job_spec(document: dict[str, Any], where: str = "job") -> JobSpec:
    try:
        name = document["Name"]
        inputs = document["Inputs"]
        model = model_for(document["Transform"]["Model"])
    except (KeyError, TypeError):
        raise ConfigError(f"{where}: a job needs Name, Inputs and Transform.Model") from None
    landing = [i for i in inputs if isinstance(i, dict) and i.get("Zone") == "landing"]
    if len(landing) != 1 or landing[0].get("Dataset") != model.dataset:
        raise ConfigError(f"{where}: job {name} must read the landing rows of {model.dataset}")
    tables = {table.name: table for table in model.tables}
    outputs = []
    for output in document.get("Outputs") or [{"Table": t.name} for t in model.tables]:
        table = tables.get(output.get("Table"))
        if table is None:
            raise ConfigError(f"{where}: output {output.get('Table')!r} is not a table of model {model.dataset}")
        columns = {c.name: c for c in table.all_columns}
        keys = output.get("PartitionKeys", [c.name for c in table.partition_keys])
        unknown = [key for key in keys if key not in columns]
        if unknown:
            raise ConfigError(f"{where}: output {table.name}: partition key {unknown[0]!r} is not a column")
        outputs.append(TableLayout(table, tuple(columns[key] for key in keys)))
    if outputs[0].table.name != model.base.name:
        raise ConfigError(f"{where}: the first output must be the base table {model.base.name}")
    return JobSpec(document, model.dataset, model, tuple(outputs))


def shipped_job_specs() -> dict[str, JobSpec]:
    """Every job specification shipped with the platform, by job name."""
    folder = resources.files("lakehouse.etl") / "jobs"
    specs = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            spec = parse_job_spec(json.loads(entry.read_text("utf-8")), where=entry.name)
            specs[spec.name] = spec
    return specs


def job_spec(name: str) -> JobSpec:
    specs = shipped_job_specs()
    if name not in specs:
        raise ConfigError(f"no job {name!r} (jobs: {', '.join(specs)})")
    return specs[name]


def job_for_dataset(portal_id: str) -> JobSpec:
    for spec in shipped_job_specs().values():
        if spec.dataset == portal_id:
            return spec
    raise ConfigError(f"no ETL job reads dataset {portal_id!r}")
