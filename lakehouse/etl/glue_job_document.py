"""A job specification as Glue's CreateJob takes it, and back.

The platform's job documents are Glue's CreateJob shape plus three members of its own
(Inputs, Transform, Outputs). Glue refuses unknown members, so they travel as one job
argument, which the Glue script (cloud/) and the emulator both read.
"""

from __future__ import annotations

import json
from typing import Any

SPEC_ARGUMENT = "--lakehouse-job-spec"
PLATFORM_MEMBERS = ("Inputs", "Transform", "Outputs")
# Glue needs a role and a script; deployment (lakehouse cloud deploy) sets the real ones.
DEFAULT_ROLE = "arn:aws:iam::000000000000:role/lakehouse-glue-job"


def to_glue(document: dict[str, Any], script_location: str) -> dict[str, Any]:
    """CreateJob's arguments for a platform job document."""
    glue = {key: value for key, value in document.items() if key not in PLATFORM_MEMBERS}
    spec = {key: document[key] for key in PLATFORM_MEMBERS if key in document}
    glue["DefaultArguments"] = {**document.get("DefaultArguments", {}), SPEC_ARGUMENT: json.dumps(spec, sort_keys=True)}
    glue.setdefault("Role", DEFAULT_ROLE)
    glue["Command"] = {"ScriptLocation": script_location, **document.get("Command", {})}
    return glue


def from_glue(job: dict[str, Any]) -> dict[str, Any]:
    """The platform job document inside a Glue Job (as it was before `to_glue`)."""
    text = job.get("DefaultArguments", {}).get(SPEC_ARGUMENT)
    return {**job, **json.loads(text)} if text else dict(job)
