"""The query engine port: Athena's role. SQL is written in Athena's dialect."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResultSet:
    """A query's answer: column names, Athena type names, and rows."""

    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]


class QueryEngine(abc.ABC):
    """Runs Athena SQL against the tables of the data catalog."""

    @abc.abstractmethod
    def run_query(self, sql: str, parameters: Sequence[Any] = (), database: str | None = None) -> ResultSet:
        """Run one statement (`?` placeholders bound to parameters) and return its rows."""
