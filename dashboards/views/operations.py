"""Views of the contact-centre and service-request datasets."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards import theme
from dashboards.data import DataSource, Table
from dashboards.filters import ALL
from dashboards.views.base import Filters, View

NOT_RECORDED = "(not recorded)"
REQUEST_TYPES = 15


def _contact_years(filters: Filters) -> tuple[int, int]:
    return int(filters["cc_from"]), int(filters["cc_to"])  # type: ignore[arg-type]


def _contact_months(source: DataSource, filters: Filters) -> list[tuple[object, ...]]:
    """contact_centre_monthly read whole (once per catalog version), the chosen years kept."""
    table = source.query(
        "SELECT month_start, year, round(100 * service_level_weighted, 1) AS service_level_pct, "
        "round(100 * worst_day_service_level, 1) AS worst_day_pct, calls_offered, complete, "
        "round(avg_speed_of_answer_s) AS speed_of_answer_s, round(100 * abandonment_rate, 1) AS abandoned_pct, "
        "calls_handled, calls_abandoned FROM contact_centre_monthly ORDER BY month_start",
        needs=["contact_centre_monthly"])
    first, last = _contact_years(filters)
    return [row for row in table.rows if first <= row[1] <= last]


def service_level(source: DataSource, filters: Filters) -> Table:
    return Table(["month_start", "service_level_pct", "worst_day_pct", "calls_offered", "complete"],
                 [(r[0], r[2], r[3], r[4], r[5]) for r in _contact_months(source, filters)])


def service_level_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(yaxis_title_text="calls answered within target", hovermode="x unified")
    fig.add_scatter(x=table.column("month_start"), y=table.column("worst_day_pct"), name="worst day of the month",
                    mode="lines", line={"color": theme.ORANGE, "width": 1.5, "dash": "dot"})
    fig.add_scatter(x=table.column("month_start"), y=table.column("service_level_pct"),
                    name="service level (weighted by calls offered)", mode="lines",
                    line={"color": theme.BLUE, "width": 2.5})
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    return fig


def speed_of_answer(source: DataSource, filters: Filters) -> Table:
    return Table(["month_start", "speed_of_answer_s", "abandoned_pct", "calls_handled", "calls_abandoned"],
                 [(r[0], r[6], r[7], r[8], r[9]) for r in _contact_months(source, filters)])


def speed_of_answer_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(hovermode="x unified")
    fig.add_scatter(x=table.column("month_start"), y=table.column("speed_of_answer_s"), name="average speed of answer (s)",
                    mode="lines", line={"color": theme.VERMILLION, "width": 2.5})
    fig.add_scatter(x=table.column("month_start"), y=table.column("abandoned_pct"), name="calls abandoned (%)",
                    mode="lines", line={"color": theme.GREEN, "width": 2, "dash": "dash"}, yaxis="y2")
    fig.update_layout(yaxis={"title": {"text": "seconds to answer"}, "rangemode": "tozero"},
                      yaxis2={"title": {"text": "abandoned"}, "overlaying": "y", "side": "right", "rangemode": "tozero",
                              "ticksuffix": "%", "showgrid": False})
    return fig


def _department_clause(filters: Filters) -> tuple[str, list[object]]:
    if filters.get("sr_dept", ALL) == ALL:
        return "", []
    return " AND department = ?", [str(filters["sr_dept"])]


def days_to_close_by_area(source: DataSource, filters: Filters) -> Table:
    clause, parameters = _department_clause(filters)
    return source.query(
        f"SELECT coalesce(local_area, '{NOT_RECORDED}') AS local_area, count(*) AS requests, "
        "count(days_to_close) AS closed, approx_percentile(days_to_close, 0.5) AS median_days, "
        "approx_percentile(days_to_close, 0.9) AS p90_days FROM service_requests "
        f"WHERE true{clause} GROUP BY 1 ORDER BY 4 DESC, 5 DESC, 1", parameters, ["service_requests"])


def days_to_close_by_area_figure(table: Table, filters: Filters) -> go.Figure:
    rows = [r for r in table.rows if r[3] is not None][::-1]  # slowest at the top
    areas = [theme.wrap(r[0]) for r in rows]
    fig = theme.figure(height=max(300, 24 * len(areas) + 90), xaxis_title_text="days to close")
    fig.add_bar(x=[r[3] for r in rows], y=areas, orientation="h", name="median", marker_color=theme.BLUE,
                customdata=[r[1] for r in rows], hovertemplate="%{y}: median %{x} days (%{customdata:,} requests)<extra></extra>")
    fig.add_scatter(x=[r[4] for r in rows], y=areas, mode="markers", name="90th percentile",
                    marker={"color": theme.ORANGE, "symbol": "diamond", "size": 10},
                    hovertemplate="%{y}: 90% closed within %{x} days<extra></extra>")
    return fig


def requests_by_type(source: DataSource, filters: Filters) -> Table:
    clause, parameters = _department_clause(filters)
    table = source.query(
        "SELECT service_request_type, count(*) AS requests, approx_percentile(days_to_close, 0.5) AS median_days "
        f"FROM service_requests WHERE true{clause} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {REQUEST_TYPES}",
        parameters, ["service_requests"])
    return table


def requests_by_type_figure(table: Table, filters: Filters) -> go.Figure:
    rows = table.rows[::-1]
    fig = theme.figure(height=max(300, 34 * len(rows) + 90), showlegend=False, xaxis_title_text="requests")
    fig.add_bar(x=[r[1] for r in rows], y=[theme.wrap(r[0]) for r in rows], orientation="h", marker_color=theme.GREEN,
                text=[f"median {r[2]:g} d" if r[2] is not None else "none closed" for r in rows],
                textposition="auto", hovertemplate="%{y}: %{x:,} requests<extra></extra>")
    fig.update_xaxes(tickformat=",")
    return fig


VIEWS = (
    View("service_level", "Contact centre service level, {cc_from}–{cc_to}",
         "Share of calls answered within the service-level target, month by month.",
         ("contact_centre_monthly",), service_level, service_level_figure),
    View("speed_of_answer", "Speed of answer and abandoned calls, {cc_from}–{cc_to}",
         "Average seconds to answer (weighted by calls handled) and the share of callers who hung up.",
         ("contact_centre_monthly",), speed_of_answer, speed_of_answer_figure),
    View("days_to_close_by_area", "Days to close by local area",
         "Median and 90th percentile days from opening to closing a service request, slowest areas first.",
         ("service_requests",), days_to_close_by_area, days_to_close_by_area_figure),
    View("requests_by_type", "Most frequent service request types",
         "The request types opened most often, with their median days to close.",
         ("service_requests",), requests_by_type, requests_by_type_figure),
)
