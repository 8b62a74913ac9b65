"""The overview's headline figures: total, latest month against a year earlier, top department, freshness."""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.data import DataSource
from lakehouse.sql.saved import saved_query


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    detail: str


def headlines(source: DataSource) -> list[Headline]:
    """Raises DataMissing before the first run."""
    return source.cached(("headlines",), lambda: _headlines(source))


def _headlines(source: DataSource) -> list[Headline]:
    years = source.query("SELECT year, inquiries, complete, last_month FROM yearly_volume ORDER BY year",
                         needs=["yearly_volume"])
    total = sum(int(row[1]) for row in years.rows)
    first, last = years.rows[0][0], years.rows[-1][0]
    trend = source.query(saved_query("monthly_trend").sql, needs=["monthly_volume"]).rows
    month, inquiries, before, change = trend[-1]
    complete = [row for row in years.rows if row[2]] or years.rows
    top_year = int(complete[-1][0])
    top = source.query("SELECT department, inquiries, share_pct FROM department_yearly WHERE year = ? AND rank = 1 "
                       "ORDER BY department LIMIT 1", [top_year], ["department_yearly"]).rows[0]
    table = next((t for t in source.catalog_tables() if t["Name"] == "inquiry_volume"), {})
    updated = str(table.get("UpdateTime", ""))[:16].replace("T", " ")
    change_text = f"{change:+.1f}%" if change is not None else "no data a year earlier"
    return [
        Headline("Total inquiries", f"{total:,}", f"{first}–{last}"),
        Headline(f"Latest month ({month})", f"{int(inquiries):,}",
                 f"{change_text} against {int(before):,} a year earlier" if before is not None else change_text),
        Headline(f"Top department in {top_year}", str(top[0]), f"{int(top[1]):,} inquiries, {top[2]:.1f}% of the year"),
        Headline("Data freshness", f"up to {str(years.rows[-1][3])[:7]}", f"catalog updated {updated} UTC"),
    ]
