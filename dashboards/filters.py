"""Filters: each an allow-list drawn from the data and a default; anything else is ignored.

A filter value arrives from a URL or a browser callback and is untrusted. It is cleaned
here into a value the allow-list holds (ints for years, known names for departments and
channels) before it reaches a query as a bound parameter; an unknown value falls back to
the default, so a crafted link shows the default view instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboards.options import Options

ALL = "all"
TOP_CHOICES = (5, 10, 15, 20, 25, 30)
MAX_DEPARTMENTS = 8  # lines a chart can still tell apart
Value = int | str | list[str]


@dataclass(frozen=True)
class FilterSpec:
    name: str  # also the URL parameter
    label: str
    choices: Callable[[Options], Sequence[int | str]]
    default: Callable[[Options], Value]
    multi: bool = False
    labels: Callable[[int | str], str] = str

    def clean(self, raw: object, options: Options) -> Value:
        allowed = list(self.choices(options))
        if self.multi:
            items = raw if isinstance(raw, list | tuple) else ([raw] if raw not in (None, "") else [])
            picked: list[str] = []
            for item in items:
                value = _match(item, allowed)
                if value is not None and value not in picked:
                    picked.append(str(value))
            return picked[:MAX_DEPARTMENTS] if picked else self.default(options)
        value = _match(raw, allowed)
        return self.default(options) if value is None else value


def _match(raw: object, allowed: Sequence[int | str]) -> int | str | None:
    """The allowed value equal to raw (ints compared as ints, strings exactly), or None."""
    if isinstance(raw, bool) or raw is None:
        return None
    for value in allowed:
        if isinstance(value, int):
            if isinstance(raw, int) and raw == value:
                return value
            if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 6 and int(raw) == value:
                return value
        elif isinstance(raw, str) and raw == value:
            return value
    return None


def _last(values: Sequence[int], back: int = 0) -> int | str:
    return values[max(0, len(values) - 1 - back)] if values else ""


def last_complete(options: Options, back: int = 0) -> int | str:
    """The last complete year (or back years before it); the last year when none is complete."""
    years = options.complete_years or options.years
    return _last(years, back)


def year_from(name: str = "from", span: int = 5, years: Callable[[Options], Sequence[int]] = lambda o: o.years,
              label: str = "From year") -> FilterSpec:
    return FilterSpec(name, label, years, lambda o: _last(years(o), span - 1))


def year_to(name: str = "to", years: Callable[[Options], Sequence[int]] = lambda o: o.years,
            label: str = "To year") -> FilterSpec:
    return FilterSpec(name, label, years, lambda o: _last(years(o)))


CHANNEL = FilterSpec("channel", "Channel", lambda o: [ALL, *o.channels], lambda o: ALL,
                     labels=lambda v: "All channels" if v == ALL else str(v))
TOP = FilterSpec("top", "Departments shown", lambda o: TOP_CHOICES, lambda o: 15)
DEPARTMENTS = FilterSpec("dept", "Departments", lambda o: o.departments, lambda o: list(o.departments[:5]),
                         multi=True)


def clean_all(specs: Sequence[FilterSpec], raw: Mapping[str, Any], options: Options) -> dict[str, Value]:
    """Every filter of a page cleaned; year ranges put in order."""
    values = {spec.name: spec.clean(raw.get(spec.name), options) for spec in specs}
    for low, high in (("from", "to"), ("cc_from", "cc_to")):
        if isinstance(values.get(low), int) and isinstance(values.get(high), int) and values[low] > values[high]:
            values[low], values[high] = values[high], values[low]
    return values


def from_query_string(specs: Sequence[FilterSpec], query: Mapping[str, list[str]], options: Options) -> dict[str, Value]:
    """Filters from a parsed URL query string (parse_qs shape: name → [values])."""
    raw: dict[str, Any] = {}
    for spec in specs:
        values = query.get(spec.name, [])
        raw[spec.name] = list(values) if spec.multi else (values[0] if values else None)
    return clean_all(specs, raw, options)
