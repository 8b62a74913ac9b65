"""DataBrew (dataset, recipe, recipe job), Glue (database, job) and Athena (workgroup, named
queries). Recipe publishing and Glue's create-or-update reuse the platform's adapters."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from cloud.aws import aws_errors, without_metadata
from cloud.databrew.service import DataBrewService
from cloud.deploy.clients import Clients
from cloud.deploy.handlers_base import missing
from cloud.deploy.resources import Resource
from cloud.glue.jobs import GlueJobService
from lakehouse.ports.recipe_service import LATEST_PUBLISHED
from lakehouse.prepare import sync_recipe
from lakehouse.recipes.model import parse_recipe

_DATABREW_GONE = ("ResourceNotFoundException",)
_GLUE_GONE = ("EntityNotFoundException",)


def _observe(call: Any, where: str, gone: tuple[str, ...], **arguments: Any) -> dict[str, Any] | None:
    with aws_errors(where):
        try:
            return without_metadata(call(**arguments))
        except ClientError as error:
            if missing(error, *gone):
                return None
            raise


def _delete(call: Any, where: str, gone: tuple[str, ...], **arguments: Any) -> bool:
    with aws_errors(where):
        try:
            call(**arguments)
        except ClientError as error:
            if missing(error, *gone):
                return False
            raise
    return True


class DatasetHandler:
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        return _observe(clients("databrew").describe_dataset, f"databrew DescribeDataset {resource.name}",
                        _DATABREW_GONE, Name=resource.name)

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        databrew = clients("databrew")
        with aws_errors(f"databrew dataset {resource.name}"):
            arguments = {**resource.spec, "Input": _with_key(resource, observed)}
            if observed is None:
                databrew.create_dataset(Name=resource.name, **arguments)
            else:
                databrew.update_dataset(Name=resource.name, **arguments)

    def delete(self, clients: Clients, resource: Resource) -> bool:
        return _delete(clients("databrew").delete_dataset, f"databrew DeleteDataset {resource.name}",
                       _DATABREW_GONE, Name=resource.name)


def _with_key(resource: Resource, observed: dict[str, Any] | None) -> dict[str, Any]:
    """The dataset's Input with its Key: the spec's, else the one `cloud run` last set, else the
    dataset's raw folder (the raw dataset's Key belongs to the run, see resources._databrew)."""
    location = dict(resource.spec["Input"]["S3InputDefinition"])
    if "Key" not in location:
        seen = ((observed or {}).get("Input") or {}).get("S3InputDefinition") or {}
        location["Key"] = seen.get("Key") or f"{resource.name}/"
    return {"S3InputDefinition": location}


class RulesetHandler:
    """The dataset's data-quality rules, as CreateRuleset takes them (TargetArn: the landing dataset)."""

    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        return _observe(clients("databrew").describe_ruleset, f"databrew DescribeRuleset {resource.name}",
                        _DATABREW_GONE, Name=resource.name)

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        databrew, spec = clients("databrew"), resource.spec
        with aws_errors(f"databrew ruleset {resource.name}"):
            if observed is None or observed.get("TargetArn") != spec["TargetArn"]:
                if observed is not None:  # UpdateRuleset cannot move a ruleset to another dataset
                    databrew.delete_ruleset(Name=resource.name)
                databrew.create_ruleset(Name=resource.name, **spec)
            else:
                databrew.update_ruleset(Name=resource.name, Rules=spec["Rules"],
                                        **({"Description": spec["Description"]} if "Description" in spec else {}))

    def delete(self, clients: Clients, resource: Resource) -> bool:
        return _delete(clients("databrew").delete_ruleset, f"databrew DeleteRuleset {resource.name}",
                       _DATABREW_GONE, Name=resource.name)


class ProfileJobHandler:
    """The profile job that runs the ruleset over the recipe job's output."""

    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        found = _observe(clients("databrew").describe_job, f"databrew DescribeJob {resource.name}",
                         _DATABREW_GONE, Name=resource.name)
        if found is None:
            return None
        # DescribeJob's shape has no OutputLocation (a profile job's may come back as Outputs, or not
        # at all): what cannot be read is taken as deployed; every other member is compared.
        outputs = found.get("Outputs") or [{"Location": resource.spec["OutputLocation"]}]
        return {**found, "OutputLocation": outputs[0]["Location"]}

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        databrew, spec = clients("databrew"), resource.spec
        with aws_errors(f"databrew profile job {resource.name}"):
            if observed is None:
                databrew.create_profile_job(Name=resource.name, **spec)
            else:  # UpdateProfileJob cannot change the dataset
                databrew.update_profile_job(Name=resource.name, **{k: v for k, v in spec.items() if k != "DatasetName"})

    def delete(self, clients: Clients, resource: Resource) -> bool:
        return _delete(clients("databrew").delete_job, f"databrew DeleteJob {resource.name}",
                       _DATABREW_GONE, Name=resource.name)


class RecipeHandler:
    """Observed as its LATEST_PUBLISHED version: what the recipe job runs."""

    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        return _observe(clients("databrew").describe_recipe, f"databrew DescribeRecipe {resource.name}",
                        _DATABREW_GONE, Name=resource.name, RecipeVersion=LATEST_PUBLISHED)

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        recipe = parse_recipe(resource.spec["Steps"], name=resource.name)
        sync_recipe(DataBrewService(clients.settings, clients("databrew")), recipe, "lakehouse cloud deploy")

    def delete(self, clients: Clients, resource: Resource) -> bool:
        databrew = clients("databrew")
        versions: list[str] = []
        with aws_errors(f"databrew ListRecipeVersions {resource.name}"):
            for page in databrew.get_paginator("list_recipe_versions").paginate(Name=resource.name):
                versions += [str(recipe["RecipeVersion"]) for recipe in page["Recipes"]]
        # DataBrew deletes a recipe version by version; LATEST_WORKING goes last.
        found = False
        for version in [*versions, "LATEST_WORKING"]:
            found |= _delete(databrew.delete_recipe_version, f"databrew DeleteRecipeVersion {resource.name}",
                             _DATABREW_GONE, Name=resource.name, RecipeVersion=version)
        return found


class RecipeJobHandler:
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        return _observe(clients("databrew").describe_job, f"databrew DescribeJob {resource.name}",
                        _DATABREW_GONE, Name=resource.name)

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        databrew, spec = clients("databrew"), resource.spec
        with aws_errors(f"databrew recipe job {resource.name}"):
            if observed is None:
                databrew.create_recipe_job(Name=resource.name, **spec)
            else:  # UpdateRecipeJob cannot change the dataset or the recipe
                databrew.update_recipe_job(Name=resource.name, Outputs=spec["Outputs"], RoleArn=spec["RoleArn"],
                                           MaxCapacity=spec["MaxCapacity"])

    def delete(self, clients: Clients, resource: Resource) -> bool:
        return _delete(clients("databrew").delete_job, f"databrew DeleteJob {resource.name}",
                       _DATABREW_GONE, Name=resource.name)


class DatabaseHandler:
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        found = _observe(clients("glue").get_database, f"glue GetDatabase {resource.name}", _GLUE_GONE,
                         Name=resource.name)
        return None if found is None else found["Database"]

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        glue = clients("glue")
        database = {"Name": resource.name, **resource.spec}
        with aws_errors(f"glue database {resource.name}"):
            if observed is None:
                glue.create_database(DatabaseInput=database)
            else:
                glue.update_database(Name=resource.name, DatabaseInput=database)

    def delete(self, clients: Clients, resource: Resource) -> bool:
        """The database and every table the job published in it."""
        return _delete(clients("glue").delete_database, f"glue DeleteDatabase {resource.name}", _GLUE_GONE,
                       Name=resource.name)


class GlueJobHandler:
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        found = _observe(clients("glue").get_job, f"glue GetJob {resource.name}", _GLUE_GONE, JobName=resource.name)
        return None if found is None else found["Job"]

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        service = GlueJobService(clients.settings, clients("glue"))
        with aws_errors(f"glue job {resource.name}"):
            service.glue.create_job(Name=resource.name, **resource.spec) if observed is None else \
                service.glue.update_job(JobName=resource.name, JobUpdate=resource.spec)

    def delete(self, clients: Clients, resource: Resource) -> bool:
        glue = clients("glue")
        if self.observe(clients, resource) is None:
            return False  # DeleteJob succeeds on a missing job: ask first to report honestly
        with aws_errors(f"glue DeleteJob {resource.name}"):
            glue.delete_job(JobName=resource.name)
        return True


class WorkGroupHandler:
    _GONE = ("InvalidRequestException",)  # Athena's code for "WorkGroup … is not found"

    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        found = _observe(clients("athena").get_work_group, f"athena GetWorkGroup {resource.name}", self._GONE,
                         WorkGroup=resource.name)
        return None if found is None else found["WorkGroup"]

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        athena = clients("athena")
        with aws_errors(f"athena workgroup {resource.name}"):
            if observed is None:
                athena.create_work_group(Name=resource.name, Configuration=resource.spec["Configuration"],
                                         Description="3-1-1 lakehouse saved queries",
                                         Tags=[{"Key": "lakehouse", "Value": "3-1-1"}])
            else:
                configuration = resource.spec["Configuration"]
                athena.update_work_group(WorkGroup=resource.name, ConfigurationUpdates={
                    "ResultConfigurationUpdates": configuration["ResultConfiguration"],
                    "EnforceWorkGroupConfiguration": configuration["EnforceWorkGroupConfiguration"]})

    def delete(self, clients: Clients, resource: Resource) -> bool:
        """With its named queries (RecursiveDeleteOption)."""
        if self.observe(clients, resource) is None:
            return False
        with aws_errors(f"athena DeleteWorkGroup {resource.name}"):
            clients("athena").delete_work_group(WorkGroup=resource.name, RecursiveDeleteOption=True)
        return True


class NamedQueryHandler:
    """Athena names are not unique: the query is found by name within the workgroup."""

    def _find(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        athena = clients("athena")
        with aws_errors(f"athena ListNamedQueries {resource.spec['WorkGroup']}"):
            try:
                ids = [query_id for page in athena.get_paginator("list_named_queries").paginate(
                    WorkGroup=resource.spec["WorkGroup"]) for query_id in page["NamedQueryIds"]]
            except ClientError as error:
                if missing(error, "InvalidRequestException"):
                    return None  # no workgroup, so no query
                raise
            for start in range(0, len(ids), 50):
                for query in athena.batch_get_named_query(NamedQueryIds=ids[start:start + 50])["NamedQueries"]:
                    if query["Name"] == resource.name:
                        return dict(query)
        return None

    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        return self._find(clients, resource)

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        athena = clients("athena")
        with aws_errors(f"athena named query {resource.name}"):
            if observed is None:
                athena.create_named_query(Name=resource.name, **resource.spec)
            else:
                athena.update_named_query(NamedQueryId=observed["NamedQueryId"], Name=resource.name,
                                          Description=resource.spec["Description"],
                                          QueryString=resource.spec["QueryString"])

    def delete(self, clients: Clients, resource: Resource) -> bool:
        found = self._find(clients, resource)
        if found is None:
            return False
        with aws_errors(f"athena DeleteNamedQuery {resource.name}"):
            clients("athena").delete_named_query(NamedQueryId=found["NamedQueryId"])
        return True
