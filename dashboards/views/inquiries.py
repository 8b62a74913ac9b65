"""Views of the inquiry-volume dataset: overview, departments, trends, year comparison, channels."""

from __future__ import annotations

import calendar

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards import theme
from dashboards.data import DataSource, Table
from dashboards.filters import ALL
from dashboards.views.base import Filters, View, ints, placeholders
from lakehouse.sql.saved import saved_query

TOP_LIMIT = 30  # the largest top-N choice; the chosen N is applied to the cached answer


def _years(filters: Filters) -> list[int]:
    return [int(filters["from"]), int(filters["to"])]  # type: ignore[arg-type]


# Overview ------------------------------------------------------------------------------------

def recent_months(source: DataSource, filters: Filters) -> Table:
    return source.query(saved_query("monthly_trend").sql, needs=["monthly_volume"])


def recent_months_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(yaxis_title="inquiries", hovermode="x unified")
    fig.add_scatter(x=table.column("month"), y=table.column("inquiries_year_before"), name="a year before",
                    mode="lines", line={"color": theme.GREY, "dash": "dot", "width": 2})
    fig.add_scatter(x=table.column("month"), y=table.column("inquiries"), name="inquiries",
                    mode="lines+markers", line={"color": theme.BLUE, "width": 3})
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return fig


def volume_by_year(source: DataSource, filters: Filters) -> Table:
    return source.query(saved_query("volume_by_year").sql, needs=["yearly_volume"])


def volume_by_year_figure(table: Table, filters: Filters) -> go.Figure:
    complete = table.column("complete")
    fig = theme.figure(yaxis_title="inquiries", showlegend=False)
    fig.add_bar(x=[str(y) for y in table.column("year")], y=table.column("inquiries"),
                marker={"color": [theme.BLUE if c else theme.SKY for c in complete],
                        "pattern": {"shape": ["" if c else "/" for c in complete]}},
                customdata=table.column("months"),
                hovertemplate="%{x}: %{y:,} inquiries in %{customdata} months<extra></extra>")
    fig.update_yaxes(tickformat=",")
    if not all(complete):
        fig.add_annotation(text="hatched: partial year", showarrow=False, xref="paper", yref="paper",
                           x=1, y=1.08, xanchor="right", font={"size": 12, "color": "#555"})
    return fig


# Departments ---------------------------------------------------------------------------------

def department_ranking(source: DataSource, filters: Filters) -> Table:
    if filters["channel"] == ALL:
        grouped = "SELECT department, sum(inquiries) AS inquiries FROM department_yearly WHERE year BETWEEN ? AND ? GROUP BY department"
        parameters: list[object] = _years(filters)
        needs = ["department_yearly"]
    else:
        grouped = ("SELECT department, sum(inquiries) AS inquiries FROM inquiry_volume "
                   "WHERE year BETWEEN ? AND ? AND channel = ? GROUP BY department")
        parameters = [*_years(filters), str(filters["channel"])]
        needs = ["inquiry_volume"]
    sql = (f"SELECT department, inquiries, round(100.0 * inquiries / sum(inquiries) OVER (), 2) AS share_pct "
           f"FROM ({grouped}) ORDER BY inquiries DESC, department LIMIT {TOP_LIMIT}")
    table = source.query(sql, parameters, needs)
    top = int(filters["top"])  # type: ignore[arg-type]
    ranked = [(i + 1, *row) for i, row in enumerate(table.rows[:top])]
    return Table(["rank", *table.columns], ranked)


def department_ranking_figure(table: Table, filters: Filters) -> go.Figure:
    departments = [theme.wrap(d) for d in table.column("department")[::-1]]  # largest at the top
    values = table.column("inquiries")[::-1]
    shares = table.column("share_pct")[::-1]
    fig = theme.figure(height=max(260, 34 * len(departments) + 80), showlegend=False, xaxis_title="inquiries")
    fig.add_bar(x=values, y=departments, orientation="h", marker_color=theme.BLUE,
                text=[f"{s:.1f}%" for s in shares], textposition="auto", customdata=values,
                hovertemplate="%{y}: %{customdata:,} inquiries (%{text})<extra></extra>")
    fig.update_xaxes(tickformat=",")
    return fig


# Trends --------------------------------------------------------------------------------------

def monthly_volume(source: DataSource, filters: Filters) -> Table:
    return source.query("SELECT month_start, inquiries FROM monthly_volume WHERE year BETWEEN ? AND ? ORDER BY month_start",
                        _years(filters), ["monthly_volume"])


def monthly_volume_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(yaxis_title="inquiries per month", showlegend=False)
    fig.add_scatter(x=table.column("month_start"), y=table.column("inquiries"), mode="lines",
                    line={"color": theme.BLUE, "width": 2.5}, hovertemplate="%{x|%B %Y}: %{y:,}<extra></extra>")
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return fig


def seasonality(source: DataSource, filters: Filters) -> Table:
    table = source.query(
        "SELECT month(month_start) AS month, round(avg(inquiries)) AS average, min(inquiries) AS lowest, "
        "max(inquiries) AS highest, count(*) AS years FROM monthly_volume WHERE year BETWEEN ? AND ? "
        "GROUP BY month(month_start) ORDER BY 1", _years(filters), ["monthly_volume"])
    rows = [(calendar.month_abbr[int(r[0])], int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in table.rows]
    return Table(["month", "average", "lowest", "highest", "years"], rows)


def seasonality_figure(table: Table, filters: Filters) -> go.Figure:
    average, low, high = table.column("average"), table.column("lowest"), table.column("highest")
    fig = theme.figure(yaxis_title="inquiries per month", showlegend=False)
    fig.add_bar(x=table.column("month"), y=average, marker_color=theme.GREEN,
                error_y={"type": "data", "symmetric": False, "array": [h - a for h, a in zip(high, average, strict=True)],
                         "arrayminus": [a - lo for a, lo in zip(average, low, strict=True)], "color": "#444"},
                customdata=list(zip(low, high, strict=True)),
                hovertemplate="%{x}: average %{y:,}, range %{customdata[0]:,}–%{customdata[1]:,}<extra></extra>")
    fig.update_yaxes(tickformat=",")
    return fig


def department_lines(source: DataSource, filters: Filters) -> Table:
    departments = list(filters["dept"])  # type: ignore[arg-type]
    if not departments:
        return Table(["month_start", "department", "inquiries"], [])
    return source.query(
        f"SELECT month_start, department, inquiries FROM department_monthly WHERE year BETWEEN ? AND ? "
        f"AND department IN ({placeholders(len(departments))}) ORDER BY department, month_start",
        [*_years(filters), *departments], ["department_monthly"])


def department_lines_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(height=420, yaxis_title="inquiries per month", hovermode="x unified")
    for index, department in enumerate(filters["dept"]):  # type: ignore[union-attr]
        rows = [r for r in table.rows if r[1] == department]
        fig.add_scatter(x=[r[0] for r in rows], y=[r[2] for r in rows], name=str(department), mode="lines",
                        line={"color": theme.colour(index), "width": 2})
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return fig


# Year comparison -----------------------------------------------------------------------------

def year_comparison(source: DataSource, filters: Filters) -> Table:
    query = saved_query("year_comparison")
    table = source.query(query.sql, query.bind({"year_a": filters["a"], "year_b": filters["b"]}),
                         ["department_yearly"])
    a, b = filters["a"], filters["b"]
    columns = ["department", f"inquiries_{a}", f"inquiries_{b}", "change", "change_pct"]
    return Table(columns, table.rows[: int(filters["top"])])  # type: ignore[arg-type]


def year_comparison_figure(table: Table, filters: Filters) -> go.Figure:
    a, b = filters["a"], filters["b"]
    departments = [theme.wrap(d) for d in table.column("department")[::-1]]
    first, second = ints(table.column(f"inquiries_{a}"))[::-1], ints(table.column(f"inquiries_{b}"))[::-1]
    change = table.column("change_pct")[::-1]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.72, 0.28], horizontal_spacing=0.02,
                        subplot_titles=("inquiries", "change"))
    base = theme.figure(height=max(300, 40 * len(departments) + 100), barmode="group", bargap=0.25)
    fig.update_layout(base.layout)
    # Horizontal groups stack the first trace lowest: add b first so a sits above it, legend reversed.
    fig.add_bar(x=second, y=departments, orientation="h", name=str(b), marker_color=theme.BLUE,
                hovertemplate=f"%{{y}}: %{{x:,}} in {b}<extra></extra>", row=1, col=1)
    fig.add_bar(x=first, y=departments, orientation="h", name=str(a), marker_color=theme.SKY,
                hovertemplate=f"%{{y}}: %{{x:,}} in {a}<extra></extra>", row=1, col=1)
    fig.update_layout(legend_traceorder="reversed")
    shown = [c if c is not None else 0 for c in change]
    fig.add_bar(x=shown, y=departments, orientation="h", name="change %", showlegend=False,
                marker_color=[theme.INCREASE if c >= 0 else theme.DECREASE for c in shown],
                text=[f"{c:+.1f}%" if c is not None else "new" for c in change], textposition="outside",
                cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>", row=1, col=2)
    fig.update_xaxes(tickformat=",", row=1, col=1)
    limit = max([abs(c) for c in shown] + [1]) * 1.6
    fig.update_xaxes(range=[-limit, limit], ticksuffix="%", zeroline=True, zerolinecolor="#444", row=1, col=2)
    fig.update_annotations(font={"size": 13})
    return fig


# Channels ------------------------------------------------------------------------------------

def channel_mix(source: DataSource, filters: Filters) -> Table:
    table = source.query(
        "SELECT year, channel, sum(inquiries) AS inquiries FROM channel_monthly WHERE year BETWEEN ? AND ? "
        "GROUP BY year, channel ORDER BY year, channel", _years(filters), ["channel_monthly"])
    totals: dict[int, int] = {}
    for year, _, count in table.rows:
        totals[year] = totals.get(year, 0) + int(count)
    rows = [(y, c, int(n), round(100.0 * int(n) / totals[y], 2)) for y, c, n in table.rows]
    return Table(["year", "channel", "inquiries", "share_pct"], rows)


def channel_mix_figure(table: Table, filters: Filters) -> go.Figure:
    share = filters.get("measure", "share") == "share"
    channels = sorted({r[1] for r in table.rows}, key=lambda c: -sum(r[2] for r in table.rows if r[1] == c))
    fig = theme.figure(barmode="stack", yaxis_title="share of inquiries" if share else "inquiries",
                       hovermode="x unified")
    for index, channel in enumerate(channels):
        rows = [r for r in table.rows if r[1] == channel]
        fig.add_bar(x=[str(r[0]) for r in rows], y=[r[3] if share else r[2] for r in rows], name=str(channel),
                    marker_color=theme.colour(index))
    fig.update_yaxes(ticksuffix="%" if share else "", tickformat="" if share else ",")
    return fig


def channel_monthly(source: DataSource, filters: Filters) -> Table:
    return source.query(
        "SELECT month_start, channel, inquiries FROM channel_monthly WHERE year BETWEEN ? AND ? "
        "ORDER BY month_start, channel", _years(filters), ["channel_monthly"])


def channel_monthly_figure(table: Table, filters: Filters) -> go.Figure:
    channels = sorted({r[1] for r in table.rows}, key=lambda c: -sum(r[2] for r in table.rows if r[1] == c))
    fig = theme.figure(yaxis_title="inquiries per month", hovermode="x unified")
    for index, channel in enumerate(channels):
        rows = [r for r in table.rows if r[1] == channel]
        fig.add_scatter(x=[r[0] for r in rows], y=[r[2] for r in rows], name=str(channel), mode="lines",
                        line={"color": theme.colour(index), "width": 2})
    fig.update_yaxes(type="log" if filters.get("measure") == "share" else "linear", tickformat=",")
    return fig


VIEWS = (
    View("recent_months", "The last 24 months against the year before",
         "Monthly inquiries, each beside the same month a year earlier.",
         ("monthly_volume",), recent_months, recent_months_figure),
    View("volume_by_year", "Inquiries per year", "Every year in the data; a partial year is hatched.",
         ("yearly_volume",), volume_by_year, volume_by_year_figure),
    View("department_ranking", "Departments with the most inquiries, {from}–{to}",
         "Inquiries per department over the chosen years and channel, with each one's share.",
         ("department_yearly",), department_ranking, department_ranking_figure),
    View("monthly_volume", "Monthly volume, {from}–{to}", "Inquiries per month, all departments.",
         ("monthly_volume",), monthly_volume, monthly_volume_figure),
    View("seasonality", "Seasonality, {from}–{to}",
         "The average month across the chosen years; whiskers span the lowest and highest year.",
         ("monthly_volume",), seasonality, seasonality_figure),
    View("department_lines", "Monthly volume per department, {from}–{to}",
         "The chosen departments month by month.", ("department_monthly",), department_lines,
         department_lines_figure),
    View("year_comparison", "Inquiries per department, {a} against {b}",
         "The departments with the most inquiries in either year, side by side, with the change in percent.",
         ("department_yearly",), year_comparison, year_comparison_figure),
    View("channel_mix", "Channel mix per year, {from}–{to}",
         "How inquiries reached the city each year (phone, e-mail, chat, …).", ("channel_monthly",),
         channel_mix, channel_mix_figure),
    View("channel_monthly", "Inquiries per channel and month, {from}–{to}",
         "Each channel's monthly volume (log scale when showing shares, so small channels stay visible).",
         ("channel_monthly",), channel_monthly, channel_monthly_figure),
)
