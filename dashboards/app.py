"""The Dash app: the shell, a router and three generic callbacks (draw, download, URL).

`create_app(settings)` builds one app over one lakehouse; `server` of the result is the
WSGI application that `lakehouse serve` runs under waitress.
"""

from __future__ import annotations

from pathlib import Path

from dash import ALL, MATCH, Dash, Input, Output, State

from dashboards import callbacks, ids, layout
from dashboards.data import DataSource
from lakehouse.config import Settings

ASSETS = Path(__file__).parent / "assets"
# The largest request body the app reads: a callback's inputs and state are a few KiB, so 1 MiB
# leaves room and refuses (413) a body sent to exhaust the server (waitress is given it too).
MAX_REQUEST_BYTES = 1024 * 1024
WARM_CHOICES = 40  # warm() draws every choice of a filter with at most this many (channels, departments)


def create_app(settings: Settings) -> Dash:
    source = DataSource(settings)
    app = Dash(__name__, title="3-1-1 Vancouver inquiries", assets_folder=str(ASSETS), update_title=None,
               suppress_callback_exceptions=True, serve_locally=True,
               meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                          {"name": "description", "content": "City of Vancouver 3-1-1 inquiries dashboard"}])
    app.layout = layout.shell()
    filters_value = Input(ids.filter_id(ALL), "value")  # type: ignore[arg-type]
    filters_id = State(ids.filter_id(ALL), "id")  # type: ignore[arg-type]

    @app.callback(Output(ids.PAGE, "children"), Output(ids.NAV, "children"), Output(ids.SHOWN_PATH, "data"),
                  Input(ids.URL, "pathname"), Input(ids.URL, "search"), State(ids.SHOWN_PATH, "data"),
                  State(ids.filter_id(ALL), "value"), filters_id)  # type: ignore[arg-type]
    def _route(pathname, search, shown_path, values, component_ids):  # type: ignore[no-untyped-def]
        return callbacks.on_url_change(source, pathname, search, shown_path, values, component_ids)

    @app.callback(Output(ids.graph_id(MATCH), "figure"), Output(ids.table_id(MATCH), "children"),  # type: ignore[arg-type]
                  Output(ids.note_id(MATCH), "children"), Output(ids.title_id(MATCH), "children"),  # type: ignore[arg-type]
                  filters_value, filters_id, State(ids.graph_id(MATCH), "id"))  # type: ignore[arg-type]
    def _render(values, component_ids, graph_id):  # type: ignore[no-untyped-def]
        return callbacks.render_view(source, values, component_ids, graph_id)

    @app.callback(Output(ids.download_id(MATCH), "data"),  # type: ignore[arg-type]
                  Input(ids.download_button_id(MATCH), "n_clicks"),  # type: ignore[arg-type]
                  State(ids.filter_id(ALL), "value"), filters_id,  # type: ignore[arg-type]
                  State(ids.download_button_id(MATCH), "id"), prevent_initial_call=True)  # type: ignore[arg-type]
    def _download(n_clicks, values, component_ids, button_id):  # type: ignore[no-untyped-def]
        return callbacks.download_csv(source, n_clicks, values, component_ids, button_id)

    # Also on a page's first render: the address bar then shows the cleaned, complete filter state.
    @app.callback(Output(ids.URL, "search"), filters_value, filters_id, State(ids.URL, "pathname"))
    def _url(values, component_ids, pathname):  # type: ignore[no-untyped-def]
        return callbacks.url_search(source, values, component_ids, pathname)

    app.server.config["lakehouse_source"] = source  # for warm() and tests
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES  # Flask answers 413 above it

    @app.server.route("/healthz")
    def _health():  # type: ignore[no-untyped-def]
        """For nginx, load balancers and systemd checks: up, and how many catalog tables it sees."""
        return {"status": "ok", "tables": len(source.fingerprint()), "backend": settings.backend}

    return app


def warm(app: Dash) -> int:
    """Draw every page's default views once, so the first visitor does not wait for cold queries;
    the number of views drawn."""
    from dashboards.filters import clean_all
    from dashboards.options import load_options
    from dashboards.pages import PAGES, available

    source: DataSource = app.server.config["lakehouse_source"]
    present = {name for name, _ in source.fingerprint()}
    drawn = 0
    for page in PAGES:
        if not available(page, present):
            continue
        callbacks.route(source, page.path, "")
        options = load_options(source)
        defaults = clean_all(page.filters, {}, options)
        variants = [defaults]
        for spec in page.filters:  # each choice of a short list of non-year choices, the rest at defaults
            choices = list(spec.choices(options))
            if not spec.multi and len(choices) <= WARM_CHOICES and not all(isinstance(c, int) for c in choices):
                variants += [{**defaults, spec.name: choice} for choice in choices if choice != defaults[spec.name]]
        names = list(defaults)
        for values in variants:
            for view in page.views:
                callbacks.render_view(source, [values[n] for n in names], [ids.filter_id(n) for n in names],
                                      ids.graph_id(view))
                drawn += 1
    return drawn
