"""The values a filter may take, read from the data: the allow-lists behind every filter."""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.data import DataMissing, DataSource


@dataclass(frozen=True)
class Options:
    years: tuple[int, ...] = ()
    complete_years: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()  # by volume over all years, largest first
    channels: tuple[str, ...] = ()
    contact_years: tuple[int, ...] = ()
    request_years: tuple[int, ...] = ()
    request_departments: tuple[str, ...] = ()


def load_options(source: DataSource) -> Options:
    return source.cached(("options",), lambda: _load(source))


def _years(source: DataSource, table: str) -> tuple[int, ...]:
    try:
        return tuple(int(y) for y in source.query(f"SELECT DISTINCT year FROM {table} ORDER BY year", needs=[table]).column("year"))
    except DataMissing:
        return ()


def _departments(source: DataSource) -> tuple[str, ...]:
    try:
        table = source.query("SELECT DISTINCT department FROM service_requests WHERE department IS NOT NULL "
                             "ORDER BY department", needs=["service_requests"])
    except DataMissing:
        return ()
    return tuple(str(d) for d in table.column("department"))


def _load(source: DataSource) -> Options:
    try:
        yearly = source.query("SELECT year, complete FROM yearly_volume ORDER BY year", needs=["yearly_volume"])
        departments = source.query(
            "SELECT department FROM department_yearly GROUP BY department ORDER BY sum(inquiries) DESC, department",
            needs=["department_yearly"])
        channels = source.query(
            "SELECT channel FROM channel_monthly GROUP BY channel ORDER BY sum(inquiries) DESC, channel",
            needs=["channel_monthly"])
    except DataMissing:
        yearly = departments = channels = None
    return Options(
        years=tuple(int(y) for y in yearly.column("year")) if yearly else (),
        complete_years=tuple(int(r[0]) for r in yearly.rows if r[1]) if yearly else (),
        departments=tuple(str(d) for d in departments.column("department") if d is not None) if departments else (),
        channels=tuple(str(c) for c in channels.column("channel") if c is not None) if channels else (),
        contact_years=_years(source, "contact_centre_yearly"),
        request_years=_years(source, "service_requests_by_area"),
        request_departments=_departments(source),
    )
