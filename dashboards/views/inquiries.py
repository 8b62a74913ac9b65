"""Views of the inquiry-volume dataset: overview, departments, trends, year comparison, channels."""

from __future__ import annotations

import calendar

import plotly.graph_objects as go

from dashboards import theme
from dashboards.data import DataSource, Table
from dashboards.filters import ALL
from dashboards.views.base import Filters, View, ints
from lakehouse.sql.saved import saved_query

def _years(filters: Filters) -> tuple[int, int]:
    return int(filters["from"]), int(filters["to"])  # type: ignore[arg-type]


# Each aggregate is read whole, once per catalog version, and filtered here: a filter change
# costs no query (on Athena a query costs a second or more), and no filter value ever reaches SQL.
# The aggregates are small: a row per department, channel or month and year.

def _department_channel_years(source: DataSource) -> Table:
    return source.query("SELECT department, channel, year, sum(inquiries) AS inquiries FROM inquiry_volume "
                        "GROUP BY department, channel, year", needs=["inquiry_volume"])


def _monthly(source: DataSource) -> Table:
    return source.query("SELECT month_start, year, inquiries FROM monthly_volume ORDER BY month_start",
                        needs=["monthly_volume"])


def _department_monthly(source: DataSource) -> Table:
    return source.query("SELECT department, month_start, year, inquiries FROM department_monthly "
                        "ORDER BY department, month_start", needs=["department_monthly"])


def _department_yearly(source: DataSource) -> Table:
    return source.query("SELECT department, year, inquiries FROM department_yearly", needs=["department_yearly"])


def _channel_monthly(source: DataSource) -> Table:
    return source.query("SELECT month_start, channel, year, inquiries FROM channel_monthly ORDER BY month_start, channel",
                        needs=["channel_monthly"])


# Overview ------------------------------------------------------------------------------------

def recent_months(source: DataSource, filters: Filters) -> Table:
    return source.query(saved_query("monthly_trend").sql, needs=["monthly_volume"])


def recent_months_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(yaxis_title_text="inquiries", hovermode="x unified")
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
    fig = theme.figure(yaxis_title_text="inquiries", showlegend=False)
    fig.add_bar(x=[str(y) for y in table.column("year")], y=table.column("inquiries"),
                marker={"color": [theme.BLUE if c else theme.SKY for c in complete],
                        "pattern": {"shape": ["" if c else "/" for c in complete]}},
                customdata=table.column("months"),
                hovertemplate="%{x}: %{y:,} inquiries in %{customdata} months<extra></extra>")
    fig.update_yaxes(tickformat=",")
    return fig


# Departments ---------------------------------------------------------------------------------

def department_ranking(source: DataSource, filters: Filters) -> Table:
    first, last = _years(filters)
    channel = filters["channel"]
    totals: dict[str, int] = {}
    for department, row_channel, year, count in _department_channel_years(source).rows:
        if first <= year <= last and (channel == ALL or row_channel == channel) and department is not None:
            totals[department] = totals.get(department, 0) + int(count)
    everything = sum(totals.values()) or 1
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[: int(filters["top"])]  # type: ignore[arg-type]
    return Table(["rank", "department", "inquiries", "share_pct"],
                 [(i + 1, d, n, round(100.0 * n / everything, 2)) for i, (d, n) in enumerate(ranked)])


def department_ranking_figure(table: Table, filters: Filters) -> go.Figure:
    departments = [theme.wrap(d) for d in table.column("department")[::-1]]  # largest at the top
    values = table.column("inquiries")[::-1]
    shares = table.column("share_pct")[::-1]
    fig = theme.figure(height=max(260, 34 * len(departments) + 80), showlegend=False, xaxis_title_text="inquiries")
    fig.add_bar(x=values, y=departments, orientation="h", marker_color=theme.BLUE,
                text=[f"{s:.1f}%" for s in shares], textposition="auto", customdata=values,
                hovertemplate="%{y}: %{customdata:,} inquiries (%{text})<extra></extra>")
    fig.update_xaxes(tickformat=",")
    return fig


# Trends --------------------------------------------------------------------------------------

def monthly_volume(source: DataSource, filters: Filters) -> Table:
    first, last = _years(filters)
    return Table(["month_start", "inquiries"], [(m, n) for m, y, n in _monthly(source).rows if first <= y <= last])


def monthly_volume_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(yaxis_title_text="inquiries per month", showlegend=False)
    fig.add_scatter(x=table.column("month_start"), y=table.column("inquiries"), mode="lines",
                    line={"color": theme.BLUE, "width": 2.5}, hovertemplate="%{x|%B %Y}: %{y:,}<extra></extra>")
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return fig


def seasonality(source: DataSource, filters: Filters) -> Table:
    first, last = _years(filters)
    by_month: dict[int, list[int]] = {}
    for month_start, year, count in _monthly(source).rows:
        if first <= year <= last:
            by_month.setdefault(month_start.month, []).append(int(count))
    rows = [(calendar.month_abbr[m], round(sum(v) / len(v)), min(v), max(v), len(v)) for m, v in sorted(by_month.items())]
    return Table(["month", "average", "lowest", "highest", "years"], rows)


def seasonality_figure(table: Table, filters: Filters) -> go.Figure:
    average, low, high = table.column("average"), table.column("lowest"), table.column("highest")
    fig = theme.figure(yaxis_title_text="inquiries per month", showlegend=False)
    fig.add_bar(x=table.column("month"), y=average, marker_color=theme.GREEN,
                error_y={"type": "data", "symmetric": False, "array": [h - a for h, a in zip(high, average, strict=True)],
                         "arrayminus": [a - lo for a, lo in zip(average, low, strict=True)], "color": "#444"},
                customdata=list(zip(low, high, strict=True)),
                hovertemplate="%{x}: average %{y:,}, range %{customdata[0]:,}–%{customdata[1]:,}<extra></extra>")
    fig.update_yaxes(tickformat=",")
    return fig


def department_lines(source: DataSource, filters: Filters) -> Table:
    first, last = _years(filters)
    chosen = set(filters["dept"])  # type: ignore[arg-type]
    rows = [(m, d, n) for d, m, y, n in _department_monthly(source).rows if d in chosen and first <= y <= last]
    return Table(["month_start", "department", "inquiries"], rows)


def department_lines_figure(table: Table, filters: Filters) -> go.Figure:
    fig = theme.figure(height=420, yaxis_title_text="inquiries per month", hovermode="x unified")
    for index, department in enumerate(filters["dept"]):  # type: ignore[union-attr]
        rows = [r for r in table.rows if r[1] == department]
        fig.add_scatter(x=[r[0] for r in rows], y=[r[2] for r in rows], name=str(department), mode="lines",
                        line={"color": theme.colour(index), "width": 2})
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return fig


# Year comparison -----------------------------------------------------------------------------

def year_comparison(source: DataSource, filters: Filters) -> Table:
    """The saved query `year_comparison` (lakehouse query --saved year_comparison) computed from
    department_yearly in memory, so that any pair of years costs no query; a test holds the two equal."""
    a, b = int(filters["a"]), int(filters["b"])  # type: ignore[arg-type]
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    for department, year, count in _department_yearly(source).rows:
        if year == a:
            first[department] = int(count)
        elif year == b:
            second[department] = int(count)
    rows = []
    for department in set(first) | set(second):
        x, y = first.get(department), second.get(department)
        change_pct = round(100.0 * (y - x) / x, 1) if x and y is not None else None
        rows.append((department, x or 0, y or 0, (y or 0) - (x or 0), change_pct))
    rows.sort(key=lambda r: (-max(r[1], r[2]), r[0]))
    return Table(["department", f"inquiries_{a}", f"inquiries_{b}", "change", "change_pct"],
                 rows[: int(filters["top"])])  # type: ignore[arg-type]


def year_comparison_figure(table: Table, filters: Filters) -> go.Figure:
    a, b = filters["a"], filters["b"]
    departments = [theme.wrap(d) for d in table.column("department")[::-1]]
    first, second = ints(table.column(f"inquiries_{a}"))[::-1], ints(table.column(f"inquiries_{b}"))[::-1]
    change = table.column("change_pct")[::-1]
    # Two panels sharing the department axis, laid out by hand: make_subplots would validate
    # every property and cost more than the rest of the chart.
    fig = theme.figure(height=max(300, 40 * len(departments) + 100), barmode="group", bargap=0.25,
                       xaxis={"domain": [0, 0.7], "tickformat": ","},
                       xaxis2={"domain": [0.73, 1], "ticksuffix": "%", "zeroline": True, "zerolinecolor": "#444"},
                       yaxis2={"matches": "y", "anchor": "x2", "showticklabels": False})
    for text, x in (("inquiries", 0.35), ("change", 0.865)):
        fig.add_annotation(text=text, x=x, y=1.0, xref="paper", yref="paper", yanchor="bottom", showarrow=False,
                           font={"size": 13})
    # Horizontal groups stack the first trace lowest: add b first so a sits above it, legend reversed.
    fig.add_bar(x=second, y=departments, orientation="h", name=str(b), marker_color=theme.BLUE,
                hovertemplate=f"%{{y}}: %{{x:,}} in {b}<extra></extra>")
    fig.add_bar(x=first, y=departments, orientation="h", name=str(a), marker_color=theme.SKY,
                hovertemplate=f"%{{y}}: %{{x:,}} in {a}<extra></extra>")
    fig.update_layout(legend_traceorder="reversed")
    shown = [c if c is not None else 0 for c in change]
    fig.add_bar(x=shown, y=departments, orientation="h", name="change %", showlegend=False,
                marker_color=[theme.INCREASE if c >= 0 else theme.DECREASE for c in shown],
                text=[f"{c:+.1f}%" if c is not None else "new" for c in change], textposition="outside",
                cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>", xaxis="x2", yaxis="y2")
    limit = max([abs(c) for c in shown] + [1]) * 1.6
    fig.update_layout(xaxis2_range=[-limit, limit])
    return fig


# Channels ------------------------------------------------------------------------------------

def channel_mix(source: DataSource, filters: Filters) -> Table:
    first, last = _years(filters)
    counts: dict[tuple[int, str], int] = {}
    for _, channel, year, count in _channel_monthly(source).rows:
        if first <= year <= last:
            counts[(year, channel)] = counts.get((year, channel), 0) + int(count)
    totals: dict[int, int] = {}
    for (year, _), count in counts.items():
        totals[year] = totals.get(year, 0) + count
    rows = [(y, c, n, round(100.0 * n / totals[y], 2)) for (y, c), n in sorted(counts.items())]
    return Table(["year", "channel", "inquiries", "share_pct"], rows)


def channel_mix_figure(table: Table, filters: Filters) -> go.Figure:
    share = filters.get("measure", "share") == "share"
    channels = sorted({r[1] for r in table.rows}, key=lambda c: -sum(r[2] for r in table.rows if r[1] == c))
    fig = theme.figure(barmode="stack", yaxis_title_text="share of inquiries" if share else "inquiries",
                       hovermode="x unified", legend_traceorder="normal")
    for index, channel in enumerate(channels):
        rows = [r for r in table.rows if r[1] == channel]
        fig.add_bar(x=[str(r[0]) for r in rows], y=[r[3] if share else r[2] for r in rows], name=str(channel),
                    marker_color=theme.colour(index))
    fig.update_yaxes(ticksuffix="%" if share else "", tickformat="" if share else ",")
    return fig


def channel_monthly(source: DataSource, filters: Filters) -> Table:
    first, last = _years(filters)
    return Table(["month_start", "channel", "inquiries"],
                 [(m, c, n) for m, c, y, n in _channel_monthly(source).rows if first <= y <= last])


def channel_monthly_figure(table: Table, filters: Filters) -> go.Figure:
    channels = sorted({r[1] for r in table.rows}, key=lambda c: -sum(r[2] for r in table.rows if r[1] == c))
    fig = theme.figure(yaxis_title_text="inquiries per month", hovermode="x unified")
    for index, channel in enumerate(channels):
        rows = [r for r in table.rows if r[1] == channel]
        fig.add_scatter(x=[r[0] for r in rows], y=[r[2] for r in rows], name=str(channel), mode="lines",
                        line={"color": theme.colour(index), "width": 2})
    fig.update_yaxes(type="log", tickformat=",")  # phone is 100 times mail: only a log axis shows both
    return fig


VIEWS = (
    View("recent_months", "The last 24 months against the year before",
         "Monthly inquiries, each beside the same month a year earlier.",
         ("monthly_volume",), recent_months, recent_months_figure),
    View("volume_by_year", "Inquiries per year", "Every year in the data; a partial year is hatched.",
         ("yearly_volume",), volume_by_year, volume_by_year_figure),
    View("department_ranking", "Departments with the most inquiries, {from}–{to}",
         "Inquiries per department over the chosen years and channel, with each one's share.",
         ("inquiry_volume",), department_ranking, department_ranking_figure),
    View("monthly_volume", "Monthly volume, {from}–{to}", "Inquiries per month, all departments.",
         ("monthly_volume",), monthly_volume, monthly_volume_figure, ("from", "to")),
    View("seasonality", "Seasonality, {from}–{to}",
         "The average month across the chosen years; whiskers span the lowest and highest year.",
         ("monthly_volume",), seasonality, seasonality_figure, ("from", "to")),
    View("department_lines", "Monthly volume per department, {from}–{to}",
         "The chosen departments month by month.", ("department_monthly",), department_lines,
         department_lines_figure, ("from", "to", "dept")),
    View("year_comparison", "Inquiries per department, {a} against {b}",
         "The departments with the most inquiries in either year, side by side, with the change in percent.",
         ("department_yearly",), year_comparison, year_comparison_figure),
    View("channel_mix", "Channel mix per year, {from}–{to}",
         "How inquiries reached the city each year (phone, e-mail, chat, …).", ("channel_monthly",),
         channel_mix, channel_mix_figure),
    View("channel_monthly", "Inquiries per channel and month, {from}–{to}",
         "Each channel's monthly volume, on a log scale so that the small channels stay visible.",
         ("channel_monthly",), channel_monthly, channel_monthly_figure, ("from", "to")),
)
