"""`lakehouse report`: the app's pages as one self-contained HTML file (plotly.js inlined, no network).

Each page's views are drawn with the default filters, each chart followed by its table,
then the saved queries' answers; a stakeholder without the app opens the file offline.
"""

from __future__ import annotations

import datetime as dt
import html as html_text
import re
from dataclasses import dataclass
from pathlib import Path

from plotly.io import to_html
from plotly.offline import get_plotlyjs

from dashboards import theme
from dashboards.data import DataMissing, DataSource, Table
from dashboards.filters import clean_all
from dashboards.options import load_options
from dashboards.overview import headlines
from dashboards.pages import PAGES, available
from dashboards.tables import cell_text, heading, is_numeric
from dashboards.views import VIEWS
from lakehouse.config import Settings
from lakehouse.errors import ConfigError, LakehouseError
from lakehouse.sql.saved import saved_queries

STYLE = Path(__file__).parent / "assets" / "style.css"


@dataclass(frozen=True)
class Written:
    path: Path
    bytes: int
    charts: int
    tables: int


def _table_html(table: Table, caption: str) -> str:
    numeric = [is_numeric(table, i) for i in range(len(table.columns))]
    head = "".join(f'<th scope="col"{" class=num" if n else ""}>{html_text.escape(heading(c))}</th>'
                   for c, n in zip(table.columns, numeric, strict=True))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if n else ""}>{html_text.escape(cell_text(v, c))}</td>'
                                    for v, c, n in zip(row, table.columns, numeric, strict=True)) + "</tr>"
                   for row in table.rows)
    return (f'<div class="table-wrap"><table class="data-table"><caption>{html_text.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


class _Report:
    def __init__(self, source: DataSource) -> None:
        self.source = source
        self.parts: list[str] = []
        self.charts = 0
        self.tables = 0

    def add_table(self, table: Table, caption: str, open_: bool) -> None:
        self.tables += 1
        inner = _table_html(table, caption)
        self.parts.append(inner if open_ else f"<details class=table-details><summary>Show the data as a table"
                                               f"</summary>{inner}</details>")

    def add_view(self, name: str, values: dict) -> None:  # type: ignore[type-arg]
        view = VIEWS[name]
        title = view.title_for(values)
        self.parts.append(f'<section class="card"><div class="card-head"><h3>{html_text.escape(title)}</h3></div>'
                          f'<p class="card-description">{html_text.escape(view.description)}</p>')
        try:
            table = view.data(self.source, values)
        except DataMissing as missing:
            self.parts.append(f'<p class="card-note">No data yet ({html_text.escape(str(missing))}).</p></section>')
            return
        if view.figure is not None and table.rows:
            figure = theme.as_dict(view.figure(table, values))
            self.parts.append(to_html(figure, full_html=False, include_plotlyjs=False, validate=False,
                                      config={"displaylogo": False, "responsive": True, "displayModeBar": False}))
            self.charts += 1
        self.add_table(table, title, open_=view.figure is None)
        self.parts.append("</section>")

    def add_page(self, page_index: int) -> None:
        page = PAGES[page_index]
        present = {name for name, _ in self.source.fingerprint()}
        if not available(page, present):
            if not page.optional:
                self.parts.append(f"<h2>{html_text.escape(page.title)}</h2><p class=notice>No data yet: run "
                                  f"<code>{html_text.escape(page.load_hint)}</code>.</p>")
            return
        values = clean_all(page.filters, {}, load_options(self.source))
        shown = ", ".join(f"{spec.label.lower()} {spec.labels(values[spec.name]) if not spec.multi else len(values[spec.name])}"
                          for spec in page.filters)
        self.parts.append(f'<h2 id="{page.path.strip("/") or "overview"}">{html_text.escape(page.title)}</h2>'
                          f'<p class="intro">{html_text.escape(page.intro)}'
                          f'{" Shown with the app’s default filters: " + html_text.escape(shown) + "." if shown else ""}</p>')
        if page.path == "/":
            try:
                self.parts.append('<div class="kpis">' + "".join(
                    f'<div class="kpi"><div class="kpi-label">{html_text.escape(h.label)}</div><div class="kpi-value">'
                    f'{html_text.escape(h.value)}</div><div class="kpi-detail">{html_text.escape(h.detail)}</div></div>'
                    for h in headlines(self.source)) + "</div>")
            except DataMissing:
                pass
        self.parts.append('<div class="cards">')
        for name in page.views:
            self.add_view(name, values)
        self.parts.append("</div>")

    def add_answers(self) -> None:
        """The saved queries' answers, as `lakehouse run` prints them."""
        if not self.source.has_tables("yearly_volume"):
            return
        # The years `lakehouse run` compares (pipeline.default_years), through the app's read-only source.
        years = self.source.query("SELECT year FROM yearly_volume ORDER BY complete DESC, year DESC LIMIT 2").rows
        if len(years) < 2:
            return
        year_a, year_b = sorted(int(row[0]) for row in years)
        values = {"year": year_b, "year_a": year_a, "year_b": year_b}
        self.parts.append('<h2 id="answers">Answers</h2><p class="intro">The platform’s saved Athena queries '
                          '(<code>lakehouse query --saved NAME</code>) and their answers.</p><div class="cards">')
        for query in saved_queries().values():
            try:
                parameters = {p.name: values[p.name] for p in query.parameters}
                table = self.source.query(query.sql, query.bind(parameters))
            except (LakehouseError, KeyError):
                continue
            shown = ", ".join(f"{k}={v}" for k, v in parameters.items())
            # inquiries_year_a reads better as inquiries_2024 (and inquiries_year_before stays as it is)
            named = {"year_a": str(year_a), "year_b": str(year_b)}
            columns = [re.sub(r"year_[ab]$", lambda m: named[m.group(0)], c) for c in table.columns]
            self.parts.append(f'<section class="card"><h3>{html_text.escape(query.title)}'
                              f'{" (" + shown + ")" if shown else ""}</h3>'
                              f'<p class="card-description">{html_text.escape(query.description)}</p>')
            self.add_table(Table(columns, table.rows), query.title, open_=True)
            self.parts.append("</section>")
        self.parts.append("</div>")


def build_report(settings: Settings) -> tuple[str, int, int]:
    """(HTML, charts, tables) of every page with data."""
    source = DataSource(settings)
    if not source.catalog_tables():
        raise ConfigError(f"no curated tables in {settings.home} ({settings.backend}): run lakehouse run first")
    report = _Report(source)
    for index in range(len(PAGES)):
        report.add_page(index)
    report.add_answers()
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    toc = "".join(f'<a class="nav-link" href="#{p.path.strip("/") or "overview"}">{html_text.escape(p.label)}</a>'
                  for p in PAGES if not p.optional or available(p, {n for n, _ in source.fingerprint()}))
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>3-1-1 Vancouver inquiries: report</title>
<style>{STYLE.read_text(encoding="utf-8")}
h2 {{ font-size: 1.35rem; margin: 2rem 0 .3rem; }} h3 {{ font-size: 1.05rem; margin: 0; }}
@media print {{ .site-header {{ display: none; }} details {{ display: block; }} }}</style>
<script>{get_plotlyjs()}</script></head>
<body><header class="site-header"><div class="brand"><span class="brand-mark">3-1-1</span> Vancouver inquiries: report</div>
<nav aria-label="Sections">{toc}<a class="nav-link" href="#answers">Answers</a></nav></header>
<main><p class="intro">Generated {generated} from the lakehouse at {html_text.escape(str(settings.home))}
({html_text.escape(settings.backend)} backend). This file needs no network: the charts' library is inside it.</p>
{"".join(report.parts)}</main>
<footer class="site-footer">City of Vancouver 3-1-1 lakehouse · Okabe–Ito colour-blind-safe palette</footer>
<script>/* Each chart was drawn before the grid set its card's width: fit them to their cards. */
window.addEventListener("load", function () {{
  document.querySelectorAll(".js-plotly-plot").forEach(function (plot) {{ Plotly.Plots.resize(plot); }});
}});</script></body></html>
"""
    return document, report.charts, report.tables


def write_report(settings: Settings, output: Path) -> Written:
    document, charts, tables = build_report(settings)
    try:
        output.write_text(document, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"-o {output}: cannot write ({error.strerror or error})") from None
    return Written(output, len(document.encode()), charts, tables)
