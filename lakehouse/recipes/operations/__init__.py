"""The registry of recipe operations: each module registers its family with `operation`."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from lakehouse.recipes.operations.base import DOCS, Apply, Operation, OperationSpec

OPERATIONS: dict[str, Operation] = {}
FAMILIES = ("structure", "missing", "cleaning", "types", "dates", "text", "numbers", "filters")


def operation(
    name: str,
    *,
    doc: str | None = None,
    required: Iterable[str] = (),
    optional: Iterable[str] = (),
    existing_columns: Iterable[str] = (),
    new_columns: Iterable[str] = (),
    one_of: Iterable[Iterable[str]] = (),
    conditions_allowed: bool = True,
) -> callable:  # type: ignore[valid-type]
    """Register `apply` as the implementation of DataBrew operation `name`."""

    def register(apply: Apply) -> Apply:
        if name in OPERATIONS:
            raise ValueError(f"operation {name} registered twice")
        spec = OperationSpec(
            name=name,
            doc=doc or f"{DOCS}{name}.html",
            required=frozenset(required),
            optional=frozenset(optional),
            existing_columns=tuple(existing_columns),
            new_columns=tuple(new_columns),
            one_of=tuple(frozenset(group) for group in one_of),
            conditions_allowed=conditions_allowed,
        )
        OPERATIONS[name] = Operation(spec, apply)
        return apply

    return register


def load_all() -> dict[str, Operation]:
    """Import every family module so that its operations register themselves."""
    for family in FAMILIES:
        importlib.import_module(f"lakehouse.recipes.operations.{family}")
    return OPERATIONS


__all__ = ["OPERATIONS", "Operation", "OperationSpec", "load_all", "operation"]
