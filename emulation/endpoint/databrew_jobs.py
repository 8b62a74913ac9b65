"""What a DataBrew job run does in the emulator when it is not one of the platform's own
datasets: read the dataset's S3 object, and either apply the job's recipe (writing each
output location in its format, rejected rows beside) or profile it (a JSON report at the
job's output location), on the platform's Polars engine."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulation.documents import JsonDocuments
from lakehouse.datasets.registry import DATASETS
from lakehouse.errors import ResourceNotFoundException, SourceError
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.recipe_service import DataBrewDocument, JobExecutor
from lakehouse.recipes import frame
from lakehouse.recipes.compile import compile_recipe, validate_recipe
from lakehouse.recipes.model import parse_recipe
from lakehouse.recipes.profile import profile_frame
from lakehouse.recipes.tables import count_rows, scan_table, write_table

DATASETS_PREFIX = "databrew/datasets"
_EXTENSIONS = {"CSV": ".csv", "PARQUET": ".parquet"}


class ClientDatasetJobs:
    """A JobExecutor: platform datasets go to the platform's runner, the rest are run here."""

    def __init__(self, store: ObjectStore, catalog_bucket: str, platform_runner: JobExecutor) -> None:
        self.store = store
        self.datasets = JsonDocuments(store, catalog_bucket)
        self.platform_runner = platform_runner

    def __call__(self, job: DataBrewDocument, recipe: DataBrewDocument, log: Callable[[str], None]) -> dict[str, Any]:
        if job["DatasetName"] in DATASETS and job.get("Type") != "PROFILE":
            return self.platform_runner(job, recipe, log)  # its raw file, recipe, landing and rules
        with tempfile.TemporaryDirectory(prefix="lakehouse-databrew-") as scratch:
            source = self._download(job["DatasetName"], Path(scratch), log)
            if job.get("Type") == "PROFILE":
                return self._profile(job, source, log)
            return self._recipe(job, recipe, source, Path(scratch), log)

    def _key(self, name: str) -> str:
        return f"{DATASETS_PREFIX}/{name}.json"

    def _download(self, name: str, scratch: Path, log: Callable[[str], None]) -> Path:
        dataset = self.datasets.find(self._key(name))
        if dataset is None:
            raise ResourceNotFoundException(f"dataset {name} not found")
        location = dataset["Input"].get("S3InputDefinition") or {}
        bucket, key = location.get("Bucket"), location.get("Key", "")
        if not bucket or not key or key.endswith("/"):
            raise SourceError(f"dataset {name}: the emulator reads one S3 object (Input.S3InputDefinition Key)")
        extension = ".parquet" if dataset.get("Format", "CSV").upper() == "PARQUET" else ".csv"
        path = scratch / f"input{extension}"
        self.store.download_file(bucket, key, path)
        log(f"read s3://{bucket}/{key}")
        return path

    def _recipe(self, job: DataBrewDocument, recipe: DataBrewDocument, source: Path, scratch: Path,
                log: Callable[[str], None]) -> dict[str, Any]:
        parsed = parse_recipe(recipe["Steps"], name=recipe["Name"])
        scan = scan_table(source)
        validate_recipe(parsed, scan.collect_schema())  # a bad recipe fails before rows are read
        plan = compile_recipe(parsed, scan)
        written = {}
        for number, output in enumerate(job.get("Outputs", [])):
            extension = _EXTENSIONS.get(str(output.get("Format", "CSV")).upper(), ".csv")
            local = scratch / f"output-{number}{extension}"
            write_table(frame.output(plan), local)
            location = output["Location"]
            key = f"{location.get('Key', '').rstrip('/')}/{job['Name']}_part00000{extension}".lstrip("/")
            self.store.create_bucket(location["Bucket"])
            self.store.upload_file(local, location["Bucket"], key)
            uri = f"s3://{location['Bucket']}/{key}"
            written[uri] = count_rows(local)
            log(f"wrote {written[uri]} rows to {uri}")
        rejected = scratch / "rejected.parquet"
        write_table(frame.rejected(plan), rejected)
        return {"Written": written, "RejectedRows": count_rows(rejected)}

    def _profile(self, job: DataBrewDocument, source: Path, log: Callable[[str], None]) -> dict[str, Any]:
        report = profile_frame(scan_table(source))
        location = job["OutputLocation"]
        key = f"{location.get('Key', '').rstrip('/')}/{job['Name']}_profile.json".lstrip("/")
        self.store.create_bucket(location["Bucket"])
        self.store.put_object(location["Bucket"], key, json.dumps(report, indent=2, default=str).encode())
        log(f"profile of {report.get('rowsCount', '?')} rows to s3://{location['Bucket']}/{key}")
        return {"Profile": f"s3://{location['Bucket']}/{key}"}
