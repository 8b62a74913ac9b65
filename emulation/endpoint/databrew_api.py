"""DataBrew's REST-JSON operations over the platform's recipe service (recipes, versions,
recipe jobs and runs) plus datasets. Recipe jobs run on the platform's engine: a job over
one of the platform's datasets prepares its raw file into landing, as `lakehouse prepare`
does; anything else fails its run with the reason."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from emulation.documents import JsonDocuments
from emulation.endpoint.databrew_jobs import RULESETS_PREFIX, ClientDatasetJobs
from emulation.endpoint.protocol import (
    AwsServiceError, Body, as_service_error, error_response, json_body, json_response, paged, required,
)
from lakehouse.ports.recipe_service import LATEST_WORKING
from lakehouse.recipes.rules import parse_ruleset

if TYPE_CHECKING:
    from lakehouse.platform import Platform

CONTENT_TYPE = "application/json"
# `LAKEHOUSE_EMULATOR_DATABREW=aws`: recipe jobs over the platform's datasets behave as on AWS,
# writing only their output files (no landing manifest, profile or rejected rows).
MODE_VARIABLE, AS_AWS = "LAKEHOUSE_EMULATOR_DATABREW", "aws"
ACCOUNT = "123456789012"  # the account of the ARNs the emulator makes (moto's default)
_STATUS = {"ConflictException": 409, "ResourceNotFoundException": 404, "ValidationException": 400}
_ROUTES = Map([
    Rule("/datasets", methods=["POST"], endpoint="create_dataset"),
    Rule("/datasets", methods=["GET"], endpoint="list_datasets"),
    Rule("/datasets/<name>", methods=["GET"], endpoint="describe_dataset"),
    Rule("/datasets/<name>", methods=["PUT"], endpoint="update_dataset"),
    Rule("/datasets/<name>", methods=["DELETE"], endpoint="delete_dataset"),
    Rule("/rulesets", methods=["POST"], endpoint="create_ruleset"),
    Rule("/rulesets", methods=["GET"], endpoint="list_rulesets"),
    Rule("/rulesets/<name>", methods=["GET"], endpoint="describe_ruleset"),
    Rule("/rulesets/<name>", methods=["PUT"], endpoint="update_ruleset"),
    Rule("/rulesets/<name>", methods=["DELETE"], endpoint="delete_ruleset"),
    Rule("/recipes", methods=["POST"], endpoint="create_recipe"),
    Rule("/recipes", methods=["GET"], endpoint="list_recipes"),
    Rule("/recipes/<name>", methods=["GET"], endpoint="describe_recipe"),
    Rule("/recipes/<name>", methods=["PUT"], endpoint="update_recipe"),
    Rule("/recipes/<name>/publishRecipe", methods=["POST"], endpoint="publish_recipe"),
    Rule("/recipes/<name>/recipeVersion/<version>", methods=["DELETE"], endpoint="delete_recipe_version"),
    Rule("/recipeVersions", methods=["GET"], endpoint="list_recipe_versions"),
    Rule("/recipeJobs", methods=["POST"], endpoint="create_recipe_job"),
    Rule("/recipeJobs/<name>", methods=["PUT"], endpoint="update_recipe_job"),
    Rule("/profileJobs", methods=["POST"], endpoint="create_profile_job"),
    Rule("/profileJobs/<name>", methods=["PUT"], endpoint="update_profile_job"),
    Rule("/jobs", methods=["GET"], endpoint="list_jobs"),
    Rule("/jobs/<name>", methods=["GET"], endpoint="describe_job"),
    Rule("/jobs/<name>", methods=["DELETE"], endpoint="delete_job"),
    Rule("/jobs/<name>/startJobRun", methods=["POST"], endpoint="start_job_run"),
    Rule("/jobs/<name>/jobRun/<run_id>", methods=["GET"], endpoint="describe_job_run"),
    Rule("/jobs/<name>/jobRuns", methods=["GET"], endpoint="list_job_runs"),
])


class DataBrewApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.documents = JsonDocuments(platform.store, platform.settings.bucket("catalog"))
        recipes = platform.recipes
        # Jobs over the client's own datasets (and profile jobs) run here; the platform's go on
        # to its own runner, as `lakehouse prepare` does.
        recipes.executor = ClientDatasetJobs(platform.store, platform.settings.bucket("catalog"),  # type: ignore[attr-defined]
                                             recipes.executor,  # type: ignore[attr-defined]
                                             outputs_only=os.environ.get(MODE_VARIABLE, "") == AS_AWS)

    def handle(self, request: Request) -> Response:
        try:
            endpoint, values = _ROUTES.bind("").match(request.path, method=request.method)
        except (NotFound, MethodNotAllowed):
            return _error(AwsServiceError("UnknownOperationException",
                                          f"databrew {request.method} {request.path} is not supported by the "
                                          "lakehouse emulator", 404))
        try:
            body = json_body(request) if request.method in ("POST", "PUT") else {}
            query = {key: value for key, value in request.args.items()}
            return json_response(getattr(self, endpoint)(body=body, query=query, **values), content_type=CONTENT_TYPE)
        except Exception as error:  # noqa: BLE001 - every failure is answered in AWS's shape
            return _error(as_service_error(error))

    # datasets -------------------------------------------------------------------------
    def _dataset_key(self, name: str) -> str:
        return f"databrew/datasets/{name}.json"

    def create_dataset(self, body: Body, query: dict[str, str]) -> Body:
        name = required(body, "Name")
        required(body, "Input")
        if self.documents.find(self._dataset_key(name)) is not None:
            raise AwsServiceError("ConflictException", f"dataset {name} already exists", 409)
        now = datetime.now(UTC).isoformat()
        self.documents.write(self._dataset_key(name), {**body, "CreateDate": now, "LastModifiedDate": now,
                                                       "Source": "S3"})
        return {"Name": name}

    def list_datasets(self, body: Body, query: dict[str, str]) -> Body:
        datasets = [self.documents.find(key) for key in self.documents.keys("databrew/datasets/")]
        return paged(datasets, _paging(query), "Datasets")

    def describe_dataset(self, body: Body, query: dict[str, str], name: str) -> Body:
        return self._existing(self._dataset_key(name), f"dataset {name}")

    def update_dataset(self, body: Body, query: dict[str, str], name: str) -> Body:
        dataset = self.describe_dataset(body, query, name)
        required(body, "Input")
        changes = {key: body[key] for key in ("Format", "FormatOptions", "Input", "PathOptions") if key in body}
        self.documents.write(self._dataset_key(name), {**dataset, **changes,
                                                       "LastModifiedDate": datetime.now(UTC).isoformat()})
        return {"Name": name}

    def delete_dataset(self, body: Body, query: dict[str, str], name: str) -> Body:
        self.describe_dataset(body, query, name)
        self.documents.delete(self._dataset_key(name))
        return {"Name": name}

    def _existing(self, key: str, what: str) -> Body:
        """The stored document, or DataBrew's not-found error naming `what`."""
        document = self.documents.find(key)
        if document is None:
            raise AwsServiceError("ResourceNotFoundException", f"{what} not found", 404)
        return document

    # rulesets -------------------------------------------------------------------------
    def _ruleset_key(self, name: str) -> str:
        return f"{RULESETS_PREFIX}/{name}.json"

    def _checked_rules(self, name: str, body: Body) -> list[Body]:
        """The Rules as DataBrew validates them (names, expressions, substitutions, thresholds)."""
        rules = required(body, "Rules")
        try:
            parse_ruleset({"Name": name, "Rules": rules}, where=f"ruleset {name}")
        except Exception as error:  # noqa: BLE001 - answered as DataBrew does
            raise AwsServiceError("ValidationException", str(error).splitlines()[0]) from None
        return list(rules)

    def create_ruleset(self, body: Body, query: dict[str, str]) -> Body:
        name, target = required(body, "Name"), required(body, "TargetArn")
        rules = self._checked_rules(name, body)
        if self.documents.find(self._ruleset_key(name)) is not None:
            raise AwsServiceError("ConflictException", f"ruleset {name} already exists", 409)
        now = datetime.now(UTC).isoformat()
        region = self.platform.settings.region
        self.documents.write(self._ruleset_key(name), {
            "Name": name, "Description": body.get("Description", ""), "TargetArn": target, "Rules": rules,
            "Tags": body.get("Tags", {}), "CreateDate": now, "LastModifiedDate": now, "CreatedBy": ACCOUNT,
            "LastModifiedBy": ACCOUNT, "ResourceArn": f"arn:aws:databrew:{region}:{ACCOUNT}:ruleset/{name}"})
        return {"Name": name}

    def describe_ruleset(self, body: Body, query: dict[str, str], name: str) -> Body:
        return self._existing(self._ruleset_key(name), f"ruleset {name}")

    def update_ruleset(self, body: Body, query: dict[str, str], name: str) -> Body:
        ruleset = self.describe_ruleset(body, query, name)
        changes = {"Rules": self._checked_rules(name, body), "LastModifiedDate": datetime.now(UTC).isoformat()}
        if "Description" in body:
            changes["Description"] = body["Description"]
        self.documents.write(self._ruleset_key(name), {**ruleset, **changes})
        return {"Name": name}

    def delete_ruleset(self, body: Body, query: dict[str, str], name: str) -> Body:
        self.describe_ruleset(body, query, name)
        self.documents.delete(self._ruleset_key(name))
        return {"Name": name}

    def list_rulesets(self, body: Body, query: dict[str, str]) -> Body:
        """RulesetItems (RuleCount instead of the Rules), optionally of one TargetArn."""
        items = []
        for key in sorted(self.documents.keys(f"{RULESETS_PREFIX}/")):
            ruleset = self.documents.find(key)
            if ruleset is None or query.get("targetArn") not in (None, ruleset["TargetArn"]):
                continue
            item = {k: v for k, v in ruleset.items() if k != "Rules"}
            items.append({**item, "AccountId": ACCOUNT, "RuleCount": len(ruleset["Rules"])})
        return paged(items, _paging(query), "Rulesets")

    # recipes --------------------------------------------------------------------------
    def create_recipe(self, body: Body, query: dict[str, str]) -> Body:
        name = required(body, "Name")
        self.platform.recipes.create_recipe(name, required(body, "Steps"), body.get("Description", ""))
        return {"Name": name}

    def list_recipes(self, body: Body, query: dict[str, str]) -> Body:
        return paged(self.platform.recipes.list_recipes(), _paging(query), "Recipes")

    def describe_recipe(self, body: Body, query: dict[str, str], name: str) -> Body:
        return self.platform.recipes.describe_recipe(name, query.get("recipeVersion") or LATEST_WORKING)

    def update_recipe(self, body: Body, query: dict[str, str], name: str) -> Body:
        self.platform.recipes.update_recipe(name, required(body, "Steps"), body.get("Description"))
        return {"Name": name}

    def publish_recipe(self, body: Body, query: dict[str, str], name: str) -> Body:
        self.platform.recipes.publish_recipe(name, body.get("Description", ""))
        return {"Name": name}

    def list_recipe_versions(self, body: Body, query: dict[str, str]) -> Body:
        name = query.get("name")
        if not name:
            raise AwsServiceError("ValidationException", "name must not be null")
        return paged(self.platform.recipes.list_recipe_versions(name), _paging(query), "Recipes")

    def delete_recipe_version(self, body: Body, query: dict[str, str], name: str, version: str) -> Body:
        """A published X.0 version, or LATEST_WORKING once no published version is left (as DataBrew)."""
        recipe_keys = self.documents.keys(f"databrew/recipes/{name}/")
        published = [key for key in recipe_keys if "/versions/" in key]
        if version == LATEST_WORKING:
            if published:
                raise AwsServiceError("ValidationException",
                                      f"recipe {name} has published versions: delete them before LATEST_WORKING")
            doomed = [key for key in recipe_keys if key.endswith("/working.json")]
        else:
            major, _, minor = version.partition(".")
            doomed = [f"databrew/recipes/{name}/versions/{int(major):06d}.json"] \
                if major.isdigit() and minor == "0" else []
            doomed = [key for key in doomed if key in published]
        if not doomed:
            raise AwsServiceError("ResourceNotFoundException", f"recipe {name} version {version} not found", 404)
        for key in doomed:
            self.documents.delete(key)
        return {"Name": name, "RecipeVersion": version}

    # jobs -----------------------------------------------------------------------------
    def _job_exists(self, name: str) -> bool:
        return self.documents.find(f"databrew/jobs/{name}/job.json") is not None

    def create_recipe_job(self, body: Body, query: dict[str, str]) -> Body:
        name = required(body, "Name")
        if self._job_exists(name):
            raise AwsServiceError("ConflictException", f"job {name} already exists", 409)
        self.platform.recipes.create_recipe_job(body)
        return {"Name": name}

    def create_profile_job(self, body: Body, query: dict[str, str]) -> Body:
        name = required(body, "Name")
        required(body, "DatasetName")
        required(body, "OutputLocation")
        if self._job_exists(name):
            raise AwsServiceError("ConflictException", f"job {name} already exists", 409)
        now = datetime.now(UTC).isoformat()
        self.documents.write(f"databrew/jobs/{name}/job.json",
                             {**body, "Type": "PROFILE", "CreateDate": now, "LastModifiedDate": now})
        return {"Name": name}

    def update_profile_job(self, body: Body, query: dict[str, str], name: str) -> Body:
        required(body, "OutputLocation")
        required(body, "RoleArn")
        key = f"databrew/jobs/{name}/job.json"
        job = self.documents.find(key)
        if job is None or job.get("Type") != "PROFILE":
            raise AwsServiceError("ResourceNotFoundException", f"profile job {name} not found", 404)
        self.documents.write(key, {**job, **body, "Name": name, "LastModifiedDate": datetime.now(UTC).isoformat()})
        return {"Name": name}

    def update_recipe_job(self, body: Body, query: dict[str, str], name: str) -> Body:
        job = self.platform.recipes.describe_job(name)
        self.platform.recipes.create_recipe_job({**job, **body, "Name": name})
        return {"Name": name}

    def list_jobs(self, body: Body, query: dict[str, str]) -> Body:
        keys = [key for key in self.documents.keys("databrew/jobs/") if key.endswith("/job.json")]
        return paged([self.documents.find(key) for key in keys], _paging(query), "Jobs")

    def describe_job(self, body: Body, query: dict[str, str], name: str) -> Body:
        return self.platform.recipes.describe_job(name)

    def delete_job(self, body: Body, query: dict[str, str], name: str) -> Body:
        """The job and its runs' records."""
        if not self._job_exists(name):
            raise AwsServiceError("ResourceNotFoundException", f"job {name} not found", 404)
        for key in self.documents.keys(f"databrew/jobs/{name}/"):
            self.documents.delete(key)
        return {"Name": name}

    def start_job_run(self, body: Body, query: dict[str, str], name: str) -> Body:
        self.platform.recipes.describe_job(name)  # ResourceNotFoundException before any run
        before = {run["RunId"] for run in self.platform.recipes.list_job_runs(name)}
        try:
            run_id = self.platform.recipes.start_job_run(name)
        except Exception:  # noqa: BLE001 - the run is recorded FAILED with its reason, as DataBrew does
            # The run this call recorded (run ids order by second only: "latest" could be another).
            run_id = next(run["RunId"] for run in self.platform.recipes.list_job_runs(name) if run["RunId"] not in before)
        return {"RunId": run_id}

    def describe_job_run(self, body: Body, query: dict[str, str], name: str, run_id: str) -> Body:
        return _public(self.platform.recipes.describe_job_run(name, run_id))

    def list_job_runs(self, body: Body, query: dict[str, str], name: str) -> Body:
        runs = [_public(run) for run in self.platform.recipes.list_job_runs(name)]
        return paged(runs, _paging(query), "JobRuns")


def _paging(query: dict[str, str]) -> Body:
    return {"NextToken": query.get("nextToken"), "MaxResults": query.get("maxResults")}


def _public(run: Body) -> Body:
    """A run as DataBrew describes it; the statistics of the local runner stay inside."""
    return {key: value for key, value in run.items() if key not in ("Log", "Outputs")}


def _error(error: AwsServiceError) -> Response:
    error.status = _STATUS.get(error.code, error.status)
    return error_response(error, content_type=CONTENT_TYPE)


