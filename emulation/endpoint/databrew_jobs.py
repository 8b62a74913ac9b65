"""What a DataBrew job run does in the emulator when it is not one of the platform's own
datasets: read the dataset's S3 object (or the files of its S3 folder), and either apply the
job's recipe (writing each output location in its format) or profile it (a JSON report at the
job's output location, plus a validation report for each ruleset of its
ValidationConfigurations), on the platform's Polars engine.

With `outputs_only` (the emulator's LAKEHOUSE_EMULATOR_DATABREW=aws), a recipe job over one of
the platform's datasets runs as on AWS too: the dataset's object is parsed and the recipe run
by the platform's own code, and only the output file is written, named as DataBrew names it
(`<job>_<timestamp>_part00000.parquet`); rows the recipe drops leave no trace, as on AWS."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from emulation.documents import JsonDocuments
from lakehouse.datasets.registry import DATASETS
from lakehouse.errors import ResourceNotFoundException, SourceError, TerminalError
from lakehouse.ports.object_store import ObjectStore
from lakehouse.ports.recipe_service import DataBrewDocument, JobExecutor
from lakehouse.recipes import frame
from lakehouse.recipes.compile import compile_recipe, validate_recipe
from lakehouse.recipes.model import parse_recipe
from lakehouse.recipes.profile import JobSample, profile_frame
from lakehouse.recipes.rules import evaluate_ruleset, parse_ruleset
from lakehouse.recipes.tables import count_rows, scan_table, write_table

DATASETS_PREFIX = "databrew/datasets"
RULESETS_PREFIX = "databrew/rulesets"
_EXTENSIONS = {"CSV": ".csv", "PARQUET": ".parquet"}


class ClientDatasetJobs:
    """A JobExecutor: platform datasets go to the platform's runner, the rest are run here."""

    def __init__(self, store: ObjectStore, catalog_bucket: str, platform_runner: JobExecutor,
                 outputs_only: bool = False) -> None:
        self.store = store
        self.datasets = JsonDocuments(store, catalog_bucket)
        self.platform_runner = platform_runner
        self.outputs_only = outputs_only

    def __call__(self, job: DataBrewDocument, recipe: DataBrewDocument, log: Callable[[str], None]) -> dict[str, Any]:
        platform_recipe_job = job["DatasetName"] in DATASETS and job.get("Type") != "PROFILE"
        if platform_recipe_job and not self.outputs_only:
            return self.platform_runner(job, recipe, log)  # its raw file, recipe, landing and rules
        with tempfile.TemporaryDirectory(prefix="lakehouse-databrew-") as scratch:
            source = self._download(job["DatasetName"], Path(scratch), log)
            if job.get("Type") == "PROFILE":
                return self._profile(job, source, log)
            if platform_recipe_job:
                return self._platform_recipe(job, recipe, source, Path(scratch), log)
            return self._recipe(job, recipe, source, Path(scratch), log)

    def _key(self, name: str) -> str:
        return f"{DATASETS_PREFIX}/{name}.json"

    def _download(self, name: str, scratch: Path, log: Callable[[str], None]) -> Path:
        dataset = self.datasets.find(self._key(name))
        if dataset is None:
            raise ResourceNotFoundException(f"dataset {name} not found")
        location = dataset["Input"].get("S3InputDefinition") or {}
        bucket, key = location.get("Bucket"), location.get("Key", "")
        if not bucket or not key:
            raise SourceError(f"dataset {name}: Input.S3InputDefinition needs a Bucket and a Key")
        parquet = dataset.get("Format", "CSV").upper() == "PARQUET"
        path = scratch / f"input{'.parquet' if parquet else '.csv'}"
        if key.endswith("/"):
            # A folder: every file in it, as DataBrew reads one (Parquet only here).
            keys = [info.key for info in self.store.list_objects_v2(bucket, key) if not info.key.endswith("/")]
            if not parquet or not keys:
                raise SourceError(f"dataset {name}: the emulator reads a folder of Parquet files "
                                  f"(s3://{bucket}/{key} is {'not Parquet' if keys else 'empty'})")
            parts = []
            for number, part in enumerate(keys):
                parts.append(scratch / f"part-{number}.parquet")
                self.store.download_file(bucket, part, parts[-1])
            pl.scan_parquet(parts).sink_parquet(path)
            log(f"read {len(keys)} files of s3://{bucket}/{key}")
            return path
        self.store.download_file(bucket, key, path)
        log(f"read s3://{bucket}/{key}")
        return path

    def _write_output(self, job: DataBrewDocument, output: DataBrewDocument, local: Path, extension: str) -> str:
        """One output file where DataBrew puts it; with Overwrite, the location is emptied first."""
        location = output["Location"]
        folder = f"{location.get('Key', '').rstrip('/')}/".lstrip("/")
        self.store.create_bucket(location["Bucket"])
        if output.get("Overwrite"):
            self.store.delete_prefix(location["Bucket"], folder)
        stamp = datetime.now(UTC).strftime("%d%b%Y_%H%M%S").lower()
        key = f"{folder}{job['Name']}_{stamp}_part00000{extension}"
        self.store.upload_file(local, location["Bucket"], key)
        return f"s3://{location['Bucket']}/{key}"

    def _platform_recipe(self, job: DataBrewDocument, recipe: DataBrewDocument, source: Path, scratch: Path,
                         log: Callable[[str], None]) -> dict[str, Any]:
        """A platform dataset's recipe job as on AWS: output files only."""
        from lakehouse.datasets.readers import parse_source
        from lakehouse.datasets.source_check import check_source
        from lakehouse.prepare import run_recipe

        spec = DATASETS[job["DatasetName"]]
        parsed = parse_source(check_source(source, spec), spec, scratch)
        landing, _ = run_recipe(parse_recipe(recipe["Steps"], name=recipe["Name"]), parsed, spec, scratch)
        written = {}
        for number, output in enumerate(job.get("Outputs", [])):
            if str(output.get("Format", "CSV")).upper() != "PARQUET":
                raise TerminalError(f"job {job['Name']}: the emulator writes a platform dataset's output "
                                          f"as PARQUET only")
            local = scratch / f"output-{number}.parquet"
            pl.scan_parquet(landing).drop("source_line").sink_parquet(local)  # the platform's column, not DataBrew's
            uri = self._write_output(job, output, local, ".parquet")
            written[uri] = count_rows(local)
            log(f"wrote {written[uri]} rows to {uri}")
        return {"Written": written}

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
        report = profile_frame(scan_table(source), sample=JobSample.from_document(job.get("JobSample")))
        location = job["OutputLocation"]
        folder = f"{location.get('Key', '').rstrip('/')}/".lstrip("/")
        key = f"{folder}{job['Name']}_profile.json"
        self.store.create_bucket(location["Bucket"])
        self.store.put_object(location["Bucket"], key, json.dumps(report, indent=2, default=str).encode())
        log(f"profile of {report.get('rowsCount', '?')} rows to s3://{location['Bucket']}/{key}")
        done: dict[str, Any] = {"Profile": f"s3://{location['Bucket']}/{key}"}
        if job.get("ValidationConfigurations"):
            validation = self._validate(job, source)
            key = f"{folder}{job['DatasetName']}_{job.get('RunId', '')}_dq-validation-report.json"
            self.store.put_object(location["Bucket"], key, json.dumps(validation, indent=2, default=str).encode())
            log(f"validation report to s3://{location['Bucket']}/{key}")
            done["ValidationReport"] = f"s3://{location['Bucket']}/{key}"
        return done

    def _validate(self, job: DataBrewDocument, source: Path) -> dict[str, Any]:
        """Each ruleset of the job on the dataset's rows. A failed rule fails the report, not the run.
        (The emulator's own minimal report: the result of each rule by name.)"""
        results = []
        for configuration in job["ValidationConfigurations"]:
            arn = configuration["RulesetArn"]
            name = arn.rsplit("/", 1)[-1]
            ruleset = self.datasets.find(f"{RULESETS_PREFIX}/{name}.json")
            if ruleset is None:
                raise ResourceNotFoundException(f"ruleset {name} not found")
            if not ruleset["TargetArn"].endswith(f":dataset/{job['DatasetName']}"):
                raise TerminalError(f"ruleset {name} targets {ruleset['TargetArn']}, not the job's dataset "
                                          f"{job['DatasetName']}")
            result = evaluate_ruleset(parse_ruleset({"Name": name, "Rules": ruleset["Rules"]}), scan_table(source))
            document = result.to_json()
            for rule in document["ruleResults"]:
                rule.pop("blocking", None)  # a lakehouse notion, unknown to DataBrew
            results.append({"rulesetArn": arn, "status": document.pop("validationState"), **document})
        return {"jobName": job["Name"], "jobRunId": job.get("RunId", ""), "datasetName": job["DatasetName"],
                "rulesetResults": results}
