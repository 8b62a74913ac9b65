"""The saved analytic queries: Athena SQL files with a small comment header.

Header lines: `-- title:`, `-- description:`, `-- dataset:` (the portal id whose tables
it reads), `-- parameters: name type, …`. Parameters
are Athena execution parameters (`?`, bound in order), never spliced into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from lakehouse.errors import ConfigError

PARAMETER_TYPES = {"int": int, "string": str}
_HEADER = re.compile(r"^--\s*(title|description|dataset|parameters):\s*(.*)$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str

    def coerce(self, value: object) -> Any:
        try:
            return PARAMETER_TYPES[self.type](value)
        except (TypeError, ValueError):
            raise ConfigError(f"parameter {self.name} must be {self.type} (got {value!r})") from None


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    sql: str
    dataset: str = ""

    def bind(self, values: dict[str, object]) -> list[Any]:
        """Positional values in the order the `?` placeholders appear."""
        missing = [p.name for p in self.parameters if p.name not in values]
        if missing:
            raise ConfigError(f"query {self.name} needs parameter {missing[0]}")
        return [p.coerce(values[p.name]) for p in self.parameters]


def parse_saved_query(name: str, text: str) -> SavedQuery:
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            header[match.group(1)] = match.group(2).strip()
    parameters = tuple(
        Parameter(*item.split()) for item in header.get("parameters", "").split(",") if item.strip()
    )
    for parameter in parameters:
        if parameter.type not in PARAMETER_TYPES:
            raise ConfigError(f"query {name}: parameter {parameter.name} has unknown type {parameter.type}")
    return SavedQuery(name, header.get("title", name), header.get("description", ""), parameters, text,
                      header.get("dataset", ""))


def saved_queries() -> dict[str, SavedQuery]:
    """Every saved query shipped with the platform, by file name."""
    folder = resources.files("lakehouse.sql") / "queries"
    return {
        entry.name.removesuffix(".sql"): parse_saved_query(entry.name.removesuffix(".sql"), entry.read_text("utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    }


def saved_query(name: str) -> SavedQuery:
    queries = saved_queries()
    if name not in queries:
        raise ConfigError(f"no saved query {name!r} (saved: {', '.join(queries)})")
    return queries[name]
