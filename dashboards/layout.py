"""The app's layout: the shell (header, navigation, main) and each page built from its filters and views."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards import ids
from dashboards.data import DataSource
from dashboards.filters import Value
from dashboards.options import Options
from dashboards.overview import Headline
from dashboards.pages import PAGES, Page, available, options_for
from dashboards.views import VIEWS

WIDE_VIEWS = {"department_lines", "year_comparison", "department_ranking", "channel_monthly", "rows_by_stage", "zones", "channel_mix",
              "catalog_tables", "rejected"}
SCROLL_VIEWS = {"year_comparison"}  # two panels side by side: too narrow to read on a phone
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False,  # it covered legends; CSV and table instead
                "toImageButtonOptions": {"format": "png", "scale": 2},
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def shell() -> html.Div:
    """Built once; the router fills the navigation and the page."""
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.SHOWN_PATH),
        html.A("Skip to content", href="#main", className="skip-link"),
        html.Header([
            html.Div([html.Span("3-1-1", className="brand-mark"), html.Span(" Vancouver inquiries", className="brand-text")],
                     className="brand"),
            html.Nav(id=ids.NAV, **{"aria-label": "Pages"}),
        ], className="site-header"),
        html.Main(id="main", tabIndex="-1", children=html.Div(id=ids.PAGE)),
        html.Footer("City of Vancouver 3-1-1 lakehouse · charts use the Okabe–Ito colour-blind-safe palette · "
                    "every chart has a table and a CSV download", className="site-footer"),
    ], className="app")


def navigation(current: Page | None, present: set[str]) -> list[Any]:
    links = []
    for page in PAGES:
        if page.optional and not available(page, present):
            continue
        here = current is not None and page.path == current.path
        # dcc.Link takes no aria-current; the current page is marked by class and title.
        links.append(dcc.Link(page.label, href=page.path, className="nav-link active" if here else "nav-link",
                              title=f"{page.label} (this page)" if here else page.label))
    return links


def missing_data(source: DataSource, page: Page) -> html.Div:
    missing = [table for table in page.needs if not source.has_tables(table)]
    return html.Div([
        html.H2("No data yet"),
        html.P(["This page needs the curated table ", html.Code(missing[0] if missing else page.needs[0]),
                f", which the lakehouse at {source.settings.home} ({source.settings.backend} backend) does not have yet."]),
        html.P(["Load it with ", html.Code(page.load_hint + f" --home {source.settings.home}"),
                ", then reload this page."]),
    ], className="notice", role="status")


def not_found(pathname: str) -> html.Div:
    return html.Div([html.H1("Page not found"), html.P(["There is no page at ", html.Code(pathname[:100]), ". "]),
                     dcc.Link("Go to the overview", href="/")], className="notice")


def filter_bar(page: Page, options: Options, values: dict[str, Value]) -> html.Div | None:
    if not page.filters:
        return None
    choices = options_for(page, options)
    controls = []
    for spec in page.filters:
        control_id = ids.filter_id(spec.name)
        label_id = f"label-{spec.name}"
        controls.append(html.Div([
            html.Label(spec.label, id=label_id, htmlFor=ids.dom_id(control_id)),
            dcc.Dropdown(id=control_id, options=choices[spec.name], value=values[spec.name], clearable=spec.multi,
                         multi=spec.multi, searchable=True, className="filter-control",
                         placeholder="Top departments" if spec.multi else None),
        ], className="filter wide" if spec.multi else "filter roomy" if _longest(choices[spec.name]) > 12 else "filter"))
    return html.Div(controls, className="filter-bar", role="group", **{"aria-label": "Filters"})


def _longest(options: list[dict[str, object]]) -> int:
    return max((len(str(option["label"])) for option in options), default=0)


def view_card(name: str, values: dict[str, Value]) -> html.Section:
    view = VIEWS[name]
    title = ids.title_id(name)
    graph_style = {} if view.figure else {"display": "none"}  # never None: dcc.Graph reads style.height
    table = html.Div(id=ids.table_id(name), className="table-wrap")
    return html.Section([
        html.Div([
            html.H2(view.title_for(values), id=title),
            html.Button("Download CSV", id=ids.download_button_id(name), className="download",
                        title=f"Download the data behind '{view.title_for(values)}' as CSV"),
        ], className="card-head"),
        html.P(view.description, className="card-description"),
        html.Div(id=ids.note_id(name), role="status", className="card-note"),
        dcc.Loading(dcc.Graph(id=ids.graph_id(name), config=GRAPH_CONFIG, style=graph_style,
                              className="chart"), type="default", delay_show=150),
        html.Details([html.Summary("Show the data as a table"), table], className="table-details")
        if view.figure else dcc.Loading(table, type="default", delay_show=150),
        dcc.Download(id=ids.download_id(name)),
    ], className=" ".join(["card", *(["wide"] if name in WIDE_VIEWS else []), *(["scroll-x"] if name in SCROLL_VIEWS else [])]),
        **{"aria-labelledby": ids.dom_id(title)})


def headline_cards(headlines: list[Headline]) -> html.Div:
    return html.Div([
        html.Div([html.Div(h.label, className="kpi-label"), html.Div(h.value, className="kpi-value"),
                  html.Div(h.detail, className="kpi-detail")], className="kpi") for h in headlines
    ], className="kpis")


def page_layout(page: Page, options: Options, values: dict[str, Value], headlines: list[Headline] | None) -> html.Div:
    parts: list[Any] = [html.H1(page.title), html.P(page.intro, className="intro")]
    bar = filter_bar(page, options, values)
    if bar is not None:
        parts.append(bar)
    if headlines:
        parts.append(headline_cards(headlines))
    parts.append(html.Div([view_card(name, values) for name in page.views], className="cards"))
    return html.Div(parts, className="page")
