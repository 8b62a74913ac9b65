"""The app's callbacks called as Dash calls them, on a lakehouse built by `lakehouse run`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import plotly
import pytest

from dashboards import callbacks, ids, theme
from dashboards.data import DataSource
from dashboards.filters import MAX_DEPARTMENTS, clean_all
from dashboards.options import load_options
from dashboards.pages import PAGES, PAGES_BY_PATH, Page
from dashboards.readonly import ReadOnlyStoreError
from dashboards.tables import TABLE_ROWS
from dashboards.views import VIEWS

HOSTILE = ("2020'; DROP TABLE inquiry_volume; --", "<script>alert(1)</script>", "1 OR 1=1", "../../etc/passwd",
           "9" * 40, "", None, True, 3.5, ["x"], {"a": 1})


def as_json(component: Any) -> Any:
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def text_of(tree: Any) -> str:
    return json.dumps(as_json(tree))


def defaults(source: DataSource, page: Page) -> dict[str, Any]:
    return clean_all(page.filters, {}, load_options(source))


def render(source: DataSource, view: str, values: dict[str, Any]) -> tuple[Any, Any, Any, str]:
    names = list(values)
    return callbacks.render_view(source, [values[n] for n in names], [ids.filter_id(n) for n in names],
                                 ids.graph_id(view))


def table_rows(table: Any) -> list[list[str]]:
    body = [part for part in as_json(table)["props"]["children"] if part["type"] == "Tbody"][0]
    return [[cell["props"]["children"] for cell in row["props"]["children"]] for row in body["props"]["children"]]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.label)
def test_every_page_shows_its_filters_and_views(source: DataSource, page: Page) -> None:
    content, nav = callbacks.route(source, page.path, "")
    text = text_of(content)
    assert "No data yet" not in text
    for view in page.views:
        assert json.dumps(ids.graph_id(view))[1:-1] in text
        assert json.dumps(ids.download_button_id(view))[1:-1] in text
    for spec in page.filters:
        assert json.dumps(ids.filter_id(spec.name))[1:-1] in text
    assert [link["props"]["href"] for link in as_json(nav)] == [p.path for p in PAGES]


@pytest.mark.parametrize("name", list(VIEWS), ids=str)
def test_every_view_draws_a_chart_and_its_table_from_the_data(source: DataSource, name: str) -> None:
    page = next(p for p in PAGES if name in p.views)
    values = defaults(source, page)
    figure, table, note, title = render(source, name, values)
    data = VIEWS[name].data(source, values)
    assert note == ""
    assert data.rows, f"{name} has no rows on the sample"
    assert title == VIEWS[name].title_for(values)
    rows = table_rows(table)
    assert len(rows) == min(len(data.rows), TABLE_ROWS)
    if VIEWS[name].figure is not None:
        assert figure["data"], f"{name} drew no trace"
        assert any(trace.get("x") is not None or trace.get("y") is not None for trace in figure["data"])


def test_departments_follow_the_channel_filter(source: DataSource) -> None:
    page = PAGES_BY_PATH["/departments"]
    values = defaults(source, page)
    everything = render(source, "department_ranking", values)[0]
    phone = render(source, "department_ranking", {**values, "channel": "Phone", "top": 5})[0]
    assert len(phone["data"][0]["y"]) == 5
    assert phone["data"][0]["x"] != everything["data"][0]["x"][-5:]
    direct = source.query(
        "SELECT department, sum(inquiries) AS n FROM inquiry_volume WHERE year BETWEEN ? AND ? AND channel = 'Phone' "
        "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 5", [values["from"], values["to"]]).rows
    assert list(phone["data"][0]["y"])[::-1] == [theme.wrap(row[0]) for row in direct]
    assert list(phone["data"][0]["x"])[::-1] == [row[1] for row in direct]


def test_year_comparison_defaults_to_2023_and_2024_and_follows_its_years(source: DataSource) -> None:
    page = PAGES_BY_PATH["/year-comparison"]
    values = defaults(source, page)
    assert (values["a"], values["b"]) == (2023, 2024)
    _, _, _, title = render(source, "year_comparison", {**values, "a": 2019, "b": 2021})
    assert title == "Inquiries per department, 2019 against 2021"
    data = VIEWS["year_comparison"].data(source, {**values, "a": 2019, "b": 2021})
    assert data.columns[1:3] == ["inquiries_2019", "inquiries_2021"]


@pytest.mark.parametrize("page", [p for p in PAGES if p.filters], ids=lambda page: page.label)
def test_hostile_filter_values_change_nothing(source: DataSource, page: Page) -> None:
    values = defaults(source, page)
    for hostile in HOSTILE:
        crafted = {name: hostile for name in values}
        for view in page.views:
            assert render(source, view, crafted) == render(source, view, values)
        search = "&".join(f"{name}={json.dumps(hostile)}" for name in values)
        content, _ = callbacks.route(source, page.path, "?" + search)
        assert text_of(content) == text_of(callbacks.route(source, page.path, "")[0])
        assert callbacks.url_search(source, list(crafted.values()), [ids.filter_id(n) for n in crafted], page.path) \
            == callbacks.url_search(source, list(values.values()), [ids.filter_id(n) for n in values], page.path)


def test_a_url_reproduces_the_view(source: DataSource) -> None:
    page = PAGES_BY_PATH["/trends"]
    options = load_options(source)
    chosen = {"from": 2015, "to": 2018, "dept": list(options.departments[3:5])}
    search = callbacks.url_search(source, list(chosen.values()), [ids.filter_id(n) for n in chosen], page.path)
    assert search.startswith("?from=2015&to=2018&dept=")
    content, _ = callbacks.route(source, page.path, search)
    dropdowns = {c["props"]["id"]["name"]: c["props"]["value"] for c in _components(as_json(content), "Dropdown")}
    assert dropdowns == chosen


def test_department_list_is_cleaned_and_bounded(source: DataSource) -> None:
    page = PAGES_BY_PATH["/trends"]
    options = load_options(source)
    asked = [options.departments[0], "not a department", options.departments[0], *options.departments[1:20]]
    cleaned = clean_all(page.filters, {"dept": asked}, options)["dept"]
    assert cleaned == list(options.departments[:MAX_DEPARTMENTS])
    assert clean_all(page.filters, {"dept": ["nope"]}, options)["dept"] == list(options.departments[:5])


def test_years_arrive_as_text_from_a_url_and_are_put_in_order(source: DataSource) -> None:
    page = PAGES_BY_PATH["/departments"]
    cleaned = clean_all(page.filters, {"from": "2021", "to": "2012", "top": "10"}, load_options(source))
    assert (cleaned["from"], cleaned["to"], cleaned["top"]) == (2012, 2021, 10)


@pytest.mark.parametrize("name", ["department_ranking", "year_comparison", "catalog_tables"])
def test_csv_download_holds_the_rows_behind_the_chart(source: DataSource, name: str) -> None:
    page = next(p for p in PAGES if name in p.views)
    values = defaults(source, page)
    sent = callbacks.download_csv(source, 1, list(values.values()), [ids.filter_id(n) for n in values],
                                  ids.download_button_id(name))
    assert sent["filename"].startswith(name) and sent["filename"].endswith(".csv")
    parsed = list(csv.reader(io.StringIO(sent["content"])))
    data = VIEWS[name].data(source, values)
    assert parsed[0] == data.columns
    assert len(parsed) - 1 == len(data.rows)
    assert parsed[1] == ["" if v is None else str(v) for v in data.rows[0]]


def test_no_download_before_a_click(source: DataSource) -> None:
    from dash import no_update

    assert callbacks.download_csv(source, None, [], [], ids.download_button_id("zones")) is no_update


def test_before_the_first_run_every_page_says_what_to_run(empty_source: DataSource) -> None:
    for page in PAGES:
        content, _ = callbacks.route(empty_source, page.path, "")
        text = text_of(content)
        if page.needs:
            assert "No data yet" in text and page.load_hint in text
        for view in page.views:
            figure, _, note, _ = render(empty_source, view, {})
            if VIEWS[view].needs or view in ("rows_by_stage", "catalog_tables"):
                assert "No data" in note and "lakehouse run" in note
    nav = callbacks.route(empty_source, "/", "")[1]
    assert "/contact-centre" not in text_of(nav)  # optional datasets appear once loaded


def test_unknown_page_and_unknown_view(source: DataSource) -> None:
    content, _ = callbacks.route(source, "/admin'--", "")
    assert "Page not found" in text_of(content)
    from dash import no_update

    assert callbacks.render_view(source, [], [], {"type": "graph", "view": "inquiry_volume"})[0] is no_update


def _tree_digest(home: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(home.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(home)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_the_app_reads_the_lakehouse_read_only(dashboard_home: Path) -> None:
    from lakehouse.config import load_settings

    before = _tree_digest(dashboard_home)
    fresh = DataSource(load_settings({"home": str(dashboard_home)}))
    for page in PAGES:
        callbacks.route(fresh, page.path, "")
        for view in page.views:
            render(fresh, view, defaults(fresh, page))
    with pytest.raises(ReadOnlyStoreError):
        fresh.store.put_object("curated", "x", b"x")
    with pytest.raises(ReadOnlyStoreError):
        fresh.store.delete_object("catalog", "runs/x.json")
    assert _tree_digest(dashboard_home) == before


def test_a_new_pipeline_run_refreshes_cached_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboards import data, overview
    from lakehouse import pipeline
    from lakehouse.config import load_settings
    from lakehouse.datasets.registry import DEFAULT_DATASET, dataset
    from lakehouse.platform import Platform

    monkeypatch.setattr(data, "FINGERPRINT_SECONDS", 0.0)
    settings = load_settings({"home": str(tmp_path)})
    pipeline.run(Platform(settings), dataset(DEFAULT_DATASET), sample_rows=3000, seed=1)
    app_source = DataSource(settings)
    first = overview.headlines(app_source)[0].value
    pipeline.run(Platform(settings), dataset(DEFAULT_DATASET), sample_rows=6000, seed=2)
    second = overview.headlines(app_source)[0].value
    total = app_source.query("SELECT sum(inquiries) AS n FROM inquiry_volume").rows[0][0]
    assert first != second
    assert second == f"{total:,}"


def _components(tree: Any, kind: str) -> list[dict[str, Any]]:
    found = []
    if isinstance(tree, dict):
        if tree.get("type") == kind:
            found.append(tree)
        for value in tree.get("props", {}).values():
            found += _components(value, kind)
    elif isinstance(tree, list):
        for item in tree:
            found += _components(item, kind)
    return found


@pytest.mark.parametrize(("year_a", "year_b"), [(2023, 2024), (2010, 2019), (2025, 2026)])
def test_year_comparison_is_the_saved_query(source: DataSource, year_a: int, year_b: int) -> None:
    from lakehouse.sql.saved import saved_query

    query = saved_query("year_comparison")
    expected = source.query(query.sql, query.bind({"year_a": year_a, "year_b": year_b})).rows
    shown = VIEWS["year_comparison"].data(source, {"a": year_a, "b": year_b, "top": 30}).rows
    assert [row[:4] for row in shown] == [tuple(row[:4]) for row in expected[:30]]
    for mine, theirs in zip(shown, expected, strict=False):
        assert (mine[4] is None) == (theirs[4] is None)
        if mine[4] is not None:
            assert abs(mine[4] - theirs[4]) <= 0.051  # both rounded to one decimal


def test_seasonality_and_channel_mix_add_up(source: DataSource) -> None:
    filters = {"from": 2015, "to": 2020, "measure": "share"}
    months = source.query("SELECT month_start, inquiries FROM monthly_volume WHERE year BETWEEN 2015 AND 2020").rows
    january = [n for m, n in months if m.month == 1]
    season = VIEWS["seasonality"].data(source, filters).rows[0]
    assert season == ("Jan", round(sum(january) / len(january)), min(january), max(january), len(january))
    mix = VIEWS["channel_mix"].data(source, filters).rows
    for year in range(2015, 2021):
        assert abs(sum(r[3] for r in mix if r[0] == year) - 100) < 0.05
        assert sum(r[2] for r in mix if r[0] == year) == sum(n for m, n in months if m.year == year)


def test_the_router_leaves_the_page_alone_when_the_url_only_records_its_filters(source: DataSource) -> None:
    from dash import no_update

    page = PAGES_BY_PATH["/departments"]
    values = {**defaults(source, page), "channel": "Phone"}
    names = list(values)
    on_screen = ([values[n] for n in names], [ids.filter_id(n) for n in names])
    written = callbacks.url_search(source, *on_screen, page.path)  # what the URL callback wrote
    assert callbacks.on_url_change(source, page.path, written, page.path, *on_screen) == (no_update,) * 3
    # Back: the URL asks for other filters than those on screen, so the page is drawn with them.
    content, _, shown = callbacks.on_url_change(source, page.path, "?channel=Chat", page.path, *on_screen)
    dropdowns = {c["props"]["id"]["name"]: c["props"]["value"] for c in _components(as_json(content), "Dropdown")}
    assert dropdowns["channel"] == "Chat" and shown == page.path
    # Another page: drawn whatever the filters.
    content, _, shown = callbacks.on_url_change(source, "/trends", written, page.path, *on_screen)
    assert shown == "/trends" and "Monthly volume" in text_of(content)


def _string_titles(tree: Any, path: str = "") -> list[str]:
    """Places where a title is a bare string: plotly.js 3 ignores those (it wants {"text": …})."""
    found = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "title" and isinstance(value, str):
                found.append(f"{path}.{key}")
            found += _string_titles(value, f"{path}.{key}")
    elif isinstance(tree, list):
        for index, item in enumerate(tree):
            found += _string_titles(item, f"{path}[{index}]")
    return found


@pytest.mark.parametrize("name", [name for name, view in VIEWS.items() if view.figure is not None], ids=str)
def test_figures_are_in_the_shape_plotly_js_draws(source: DataSource, name: str) -> None:
    page = next(p for p in PAGES if name in p.views)
    figure = render(source, name, defaults(source, page))[0]
    assert _string_titles(figure["layout"]) == []
    assert isinstance(figure["layout"]["template"], dict) and figure["layout"]["template"]["layout"]
    titled = [axis for key, axis in figure["layout"].items() if key.startswith(("xaxis", "yaxis")) and "title" in axis]
    assert all(axis["title"]["text"] for axis in titled)
