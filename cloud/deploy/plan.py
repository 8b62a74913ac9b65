"""`lakehouse cloud plan`: the deployment's resources and cost, computed offline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from cloud.deploy.costs import NOT_ESTIMATED, Estimate, Volume, estimate
from cloud.deploy.names import Names
from cloud.deploy.resources import Resource, deployment, describe
from lakehouse.config import Settings
from lakehouse.datasets.spec import DatasetSpec


@dataclass(frozen=True)
class Plan:
    resources: list[Resource]
    cost: Estimate
    region: str

    def to_json(self) -> dict[str, Any]:
        return {"region": self.region,
                "resources": [{"kind": r.kind, "name": r.name, "summary": describe(r), "spec": r.spec}
                              for r in self.resources],
                "monthly_cost": self.cost.to_json()}


def make_plan(settings: Settings, spec: DatasetSpec, volume: Volume, account: str | None = None) -> Plan:
    names = Names(settings) if account is None else Names(settings, account)
    resources = deployment(names, spec)
    validates = any(resource.kind == "databrew-profile-job" for resource in resources)
    return Plan(resources, estimate(replace(volume, validation_runs=validates)), settings.region)


def plan_lines(plan: Plan) -> list[str]:
    lines = [f"{len(plan.resources)} resources in {plan.region}:"]
    width = max(len(r.label) for r in plan.resources)
    lines += [f"  {r.label:<{width}}  {describe(r)}" for r in plan.resources]
    cost, volume = plan.cost, plan.cost.volume
    lines += [
        "",
        f"estimated monthly cost for {volume.runs_per_month} runs of {volume.gb_per_run:g} GB "
        f"(prices from AWS_NOTES.md, November 2026):",
        f"  DataBrew  ${cost.databrew_usd:,.2f}  (recipe job: {volume.databrew_nodes} nodes × $0.48/node-hour)",
        *([f"  DataBrew  ${cost.profile_usd:,.2f}  (profile job validating the output: {volume.databrew_nodes} nodes "
           f"× $0.48/node-hour)"] if volume.validation_runs else []),
        f"  Glue      ${cost.glue_usd:,.2f}  ({volume.glue_dpus} DPU × $0.44/DPU-hour, 1-minute minimum)",
        f"  Athena    ${cost.athena_usd:,.2f}  ({volume.queries_per_run} queries/run × $5/TB scanned, 10 MB minimum)",
        f"  total     ${cost.total_usd:,.2f}  (assumes {volume.minutes_per_gb:g} job-minutes per GB; "
        f"not estimated: {', '.join(NOT_ESTIMATED)})",
    ]
    return lines
