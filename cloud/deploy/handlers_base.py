"""What every resource handler offers, and the comparison deploy's "unchanged" rests on."""

from __future__ import annotations

from typing import Any, Protocol

from botocore.exceptions import ClientError

from cloud.aws import error_code
from cloud.deploy.clients import Clients
from cloud.deploy.resources import Resource


class Handler(Protocol):
    def observe(self, clients: Clients, resource: Resource) -> dict[str, Any] | None:
        """The resource's current state (in the spec's shape), or None when it does not exist."""

    def apply(self, clients: Clients, resource: Resource, observed: dict[str, Any] | None) -> None:
        """Create the resource (observed None) or bring it to its spec."""

    def delete(self, clients: Clients, resource: Resource) -> bool:
        """Remove it; False when there was nothing to remove."""


def satisfies(observed: Any, desired: Any) -> bool:
    """Whether the observed state has every value the spec asks for (AWS adds defaults of its own,
    and leaves out empty maps and lists)."""
    if desired in ({}, []) and observed is None:
        return True
    if isinstance(desired, dict):
        return isinstance(observed, dict) and all(satisfies(observed.get(key), value) for key, value in desired.items())
    if isinstance(desired, list):
        return isinstance(observed, list) and len(observed) == len(desired) and all(
            satisfies(seen, wanted) for seen, wanted in zip(observed, desired, strict=True))
    return bool(observed == desired)


def missing(error: ClientError, *codes: str) -> bool:
    return error_code(error) in codes
