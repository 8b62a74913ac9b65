"""Deploy (create or update, reporting "unchanged" when AWS already matches) and destroy
(reverse order, reporting what was removed), resource by resource."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cloud.deploy.clients import Clients
from cloud.deploy.handlers_base import Handler, satisfies
from cloud.deploy.handlers_services import (
    DatabaseHandler, DatasetHandler, GlueJobHandler, NamedQueryHandler, ProfileJobHandler, RecipeHandler,
    RecipeJobHandler, RulesetHandler, WorkGroupHandler,
)
from cloud.deploy.handlers_storage import (
    BucketHandler, InstanceProfileHandler, LaunchTemplateHandler, RoleHandler, ScriptHandler,
)
from cloud.deploy.resources import Resource

HANDLERS: dict[str, Handler] = {
    "s3-bucket": BucketHandler(), "s3-object": ScriptHandler(), "iam-role": RoleHandler(),
    "iam-instance-profile": InstanceProfileHandler(), "ec2-launch-template": LaunchTemplateHandler(),
    "databrew-dataset": DatasetHandler(), "databrew-recipe": RecipeHandler(), "databrew-recipe-job": RecipeJobHandler(),
    "databrew-ruleset": RulesetHandler(), "databrew-profile-job": ProfileJobHandler(),
    "glue-database": DatabaseHandler(), "glue-job": GlueJobHandler(), "athena-workgroup": WorkGroupHandler(),
    "athena-named-query": NamedQueryHandler(),
}
Progress = Callable[[Resource, str], None]


@dataclass(frozen=True)
class Outcome:
    resource: Resource
    action: str  # created | updated | unchanged | deleted | absent


def deploy(clients: Clients, resources: Sequence[Resource], progress: Progress = lambda r, a: None) -> list[Outcome]:
    outcomes = []
    for resource in resources:
        handler = HANDLERS[resource.kind]
        observed = handler.observe(clients, resource)
        if observed is not None and satisfies(observed, resource.spec):
            action = "unchanged"
        else:
            handler.apply(clients, resource, observed)
            action = "created" if observed is None else "updated"
        progress(resource, action)
        outcomes.append(Outcome(resource, action))
    return outcomes


def destroy(clients: Clients, resources: Sequence[Resource], progress: Progress = lambda r, a: None) -> list[Outcome]:
    outcomes = []
    for resource in reversed(resources):
        if resource.kind == "s3-object":
            continue  # goes with its bucket
        action = "deleted" if HANDLERS[resource.kind].delete(clients, resource) else "absent"
        progress(resource, action)
        outcomes.append(Outcome(resource, action))
    return outcomes


def remaining(clients: Clients, resources: Sequence[Resource]) -> list[Resource]:
    """The resources that exist now (after destroy: none should)."""
    return [r for r in resources if r.kind != "s3-object" and HANDLERS[r.kind].observe(clients, r) is not None]
