"""The app's callbacks as plain functions of their inputs (tests call them directly).

Every value from the browser is cleaned against the page's allow-lists before use; a
value the lists do not hold falls back to the default, so no request can reach a query
with anything but a known year, department, channel or choice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlencode

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly
from dash import dcc, html, no_update

from dashboards import layout, theme
from dashboards.data import DataMissing, DataSource
from dashboards.filters import Value, clean_all, from_query_string
from dashboards.options import load_options
from dashboards.overview import headlines
from dashboards.pages import VIEW_PAGE, Page, available, page_for
from dashboards.tables import html_table, to_csv
from dashboards.views import VIEWS
from lakehouse.errors import LakehouseError

log = logging.getLogger("dashboards")
MAX_QUERY_STRING = 2000  # longer query strings are not filter state a person made


def _present(source: DataSource) -> set[str]:
    return {name for name, _ in source.fingerprint()}


def route(source: DataSource, pathname: str | None, search: str | None) -> tuple[Any, Any]:
    """(page content, navigation links) for a URL; filter values come from its query string."""
    page = page_for(pathname)
    if page is not None and available(page, _present(source)):
        values = from_query_string(page.filters, _parse(search), load_options(source))
        return source.cached(("route", page.path, _key(values)), lambda: _plain(_route(source, page, search)))
    return _route(source, page, search, pathname)


def _route(source: DataSource, page: Page | None, search: str | None, pathname: str | None = None) -> tuple[Any, Any]:
    present = _present(source)
    nav = layout.navigation(page, present)
    if page is None:
        return layout.not_found(str(pathname)), nav
    if not available(page, present):
        return html.Div([html.H1(page.title), layout.missing_data(source, page)], className="page"), nav
    options = load_options(source)
    values = from_query_string(page.filters, _parse(search), options)
    top = None
    if page.path == "/":
        try:
            top = headlines(source)
        except DataMissing:
            top = None
    return layout.page_layout(page, options, values, top), nav


def on_url_change(source: DataSource, pathname: str | None, search: str | None, shown_path: str | None,
                  values: Sequence[Any], component_ids: Sequence[dict[str, str]]) -> tuple[Any, Any, Any]:
    """The router's callback: a new page, or the same page whose URL now asks for other filters
    (Back and Forward); nothing when the URL only records the filters already on screen (the
    URL callback wrote it), so that a filter change does not redraw the page under the user."""
    page = page_for(pathname)
    if page is not None and shown_path == page.path and page.filters and component_ids:
        wanted = from_query_string(page.filters, _parse(search), load_options(source))
        if wanted == filter_values(page, source, values, component_ids):
            return no_update, no_update, no_update
    content, nav = route(source, pathname, search)
    return content, nav, page.path if page is not None else None


def _parse(search: str | None) -> dict[str, list[str]]:
    text = (search or "").lstrip("?")
    if len(text) > MAX_QUERY_STRING:
        return {}
    return parse_qs(text, keep_blank_values=False, max_num_fields=50)


def filter_values(page: Page, source: DataSource, values: Sequence[Any], component_ids: Sequence[dict[str, str]]) -> dict[str, Value]:
    raw = {component_id.get("name"): value for component_id, value in zip(component_ids, values, strict=False)
           if isinstance(component_id, dict)}
    return clean_all(page.filters, raw, load_options(source))


def render_view(source: DataSource, values: Sequence[Any], component_ids: Sequence[dict[str, str]],
                graph_id: dict[str, str]) -> tuple[Any, Any, Any, str]:
    """(figure, table, note, title) of one view under the page's filters."""
    name = graph_id.get("view") if isinstance(graph_id, dict) else None
    if name not in VIEWS or name not in VIEW_PAGE:
        return no_update, no_update, no_update, no_update
    view, page = VIEWS[name], VIEW_PAGE[name]
    cleaned = filter_values(page, source, values, component_ids)
    return source.cached(("render", name, _key(view.relevant(cleaned))), lambda: _render(source, name, cleaned))


def _key(values: Mapping[str, Value]) -> tuple[Any, ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()))


def _render(source: DataSource, name: str, cleaned: dict[str, Value]) -> tuple[Any, Any, Any, str]:
    view = VIEWS[name]
    title = view.title_for(cleaned)
    try:
        missing_tables = [table for table in view.needs if not source.has_tables(table)]
        if missing_tables:  # before the filters, which have no allowed values without the data
            raise DataMissing(f"table {missing_tables[0]} is not in the catalog")
        table = view.data(source, cleaned)
    except DataMissing as missing:
        note = f"No data for this chart yet ({missing}). Run lakehouse run, then reload."
        return (theme.message_figure("No data yet") if view.figure else no_update), None, note, title
    except LakehouseError as error:
        log.warning("view %s failed: %s", name, error)
        note = f"This chart could not be loaded: {str(error).splitlines()[0]}"
        return (theme.message_figure("Could not load the data") if view.figure else no_update), None, note, title
    if not table.rows:
        figure: Any = theme.message_figure("Nothing to show for these filters") if view.figure else no_update
        return figure, html.P("No rows for these filters."), "", title
    figure = view.figure(table, cleaned) if view.figure else no_update
    if isinstance(figure, go.Figure):
        figure = _plain(theme.as_dict(figure))
    return figure, _plain(html_table(table, title)), "", title


def _plain(value: Any) -> Any:
    """JSON-ready dicts and lists, made once when the answer is cached: Dash then serialises
    plain data on every hit instead of walking figure and component objects again."""
    return json.loads(to_json_plotly(value))


def download_csv(source: DataSource, n_clicks: int | None, values: Sequence[Any],
                 component_ids: Sequence[dict[str, str]], button_id: dict[str, str]) -> Any:
    name = button_id.get("view") if isinstance(button_id, dict) else None
    if not n_clicks or name not in VIEWS or name not in VIEW_PAGE:
        return no_update
    cleaned = filter_values(VIEW_PAGE[name], source, values, component_ids)
    try:
        table = VIEWS[name].data(source, cleaned)
    except LakehouseError:
        return no_update
    suffix = "-".join(str(v) for k, v in sorted(cleaned.items()) if isinstance(v, int))
    filename = f"{name}{'-' + suffix if suffix else ''}.csv"
    return dcc.send_string(to_csv(table), filename, type="text/csv")


def url_search(source: DataSource, values: Sequence[Any], component_ids: Sequence[dict[str, str]],
               pathname: str | None) -> Any:
    """The query string that reproduces the current filters (only cleaned values are written)."""
    page = page_for(pathname)
    if page is None or not page.filters or not component_ids:
        return no_update
    cleaned = filter_values(page, source, values, component_ids)
    return "?" + urlencode([(spec.name, cleaned[spec.name]) for spec in page.filters], doseq=True)
