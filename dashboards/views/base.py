"""A view: the rows behind one chart (fixed SQL, bound filter values) and the chart drawn from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from dashboards.data import DataSource, Table
from dashboards.filters import Value

Filters = Mapping[str, Value]


@dataclass(frozen=True)
class View:
    name: str  # component ids, CSV file names
    title: str
    description: str  # one sentence under the title: what the chart answers
    needs: tuple[str, ...]  # catalog tables it reads
    data: Callable[[DataSource, Filters], Table]
    figure: Callable[[Table, Filters], go.Figure] | None = None  # None: a table alone
    uses: tuple[str, ...] | None = None  # the filters it depends on (None: all of its page's)

    def relevant(self, filters: Filters) -> Filters:
        """The filters that change this view: the key of its cached drawing."""
        return filters if self.uses is None else {name: filters[name] for name in self.uses if name in filters}

    def title_for(self, filters: Filters) -> str:
        return self.title.format(**filters) if filters else self.title


def ints(values: list[Any]) -> list[int]:
    return [int(v) if v is not None else 0 for v in values]
