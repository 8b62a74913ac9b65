"""The app's pages: where each lives, its filters and the views it shows."""

from __future__ import annotations

from dataclasses import dataclass

from dashboards import filters as f
from dashboards.filters import FilterSpec
from dashboards.options import Options


@dataclass(frozen=True)
class Page:
    path: str
    label: str  # in the navigation
    title: str
    intro: str
    filters: tuple[FilterSpec, ...]
    views: tuple[str, ...]
    needs: tuple[str, ...] = ()  # shown in the navigation only when these tables exist
    load_hint: str = "lakehouse run"  # the command that loads the page's data
    optional: bool = False  # a dataset not every lakehouse loads: hidden from the navigation until present


def _default_year(year: int, back: int) -> object:
    return lambda o: year if year in o.years else f.last_complete(o, back)


COMPARE_A = FilterSpec("a", "First year", lambda o: o.years, _default_year(2023, 1))  # type: ignore[arg-type]
COMPARE_B = FilterSpec("b", "Second year", lambda o: o.years, _default_year(2024, 0))  # type: ignore[arg-type]
MEASURE = FilterSpec("measure", "Show", lambda o: ("share", "count"), lambda o: "share",
                     labels=lambda v: {"share": "Share of inquiries (%)", "count": "Number of inquiries"}[str(v)])
CONTACT_FROM = f.year_from("cc_from", 5, lambda o: o.contact_years)
CONTACT_TO = f.year_to("cc_to", lambda o: o.contact_years)
REQUEST_DEPARTMENT = FilterSpec("sr_dept", "Department", lambda o: (f.ALL, *o.request_departments),
                                lambda o: f.ALL, labels=lambda v: "All departments" if v == f.ALL else str(v))

PAGES: tuple[Page, ...] = (
    Page("/", "Overview", "3-1-1 at a glance",
         "What the city's 3-1-1 line heard: the total, the latest month against a year earlier, the busiest "
         "department and how fresh the data is.",
         (), ("recent_months", "volume_by_year"), ("yearly_volume",)),
    Page("/departments", "Departments", "Departments",
         "Which departments receive the most inquiries, over a range of years and by channel.",
         (f.year_from(), f.year_to(), f.CHANNEL, f.TOP), ("department_ranking",), ("department_yearly",)),
    Page("/trends", "Trends", "Trends",
         "Monthly volume, the shape of a typical year, and chosen departments month by month.",
         (f.year_from(span=10), f.year_to(), f.DEPARTMENTS), ("monthly_volume", "seasonality", "department_lines"),
         ("monthly_volume",)),
    Page("/year-comparison", "Year comparison", "Year comparison",
         "Two years side by side for the busiest departments, with the change in percent.",
         (COMPARE_A, COMPARE_B, f.TOP), ("year_comparison",), ("department_yearly",)),
    Page("/channels", "Channels", "Channels",
         "How people reach 3-1-1 (phone, e-mail, chat, social media, mail) and how that mix moves over time.",
         (f.year_from(span=10), f.year_to(), MEASURE), ("channel_mix", "channel_monthly"), ("channel_monthly",)),
    Page("/contact-centre", "Contact centre", "Contact centre",
         "Service level and speed of answer of the 3-1-1 contact centre (City of Vancouver open data).",
         (CONTACT_FROM, CONTACT_TO), ("service_level", "speed_of_answer"), ("contact_centre_monthly",),
         "lakehouse run --dataset 3-1-1-contact-centre-metrics", optional=True),
    Page("/service-requests", "Service requests", "Service requests",
         "Days to close a service request, by local area and by request type (the portal's 10,000-request "
         "API sample unless a full export was loaded).",
         (REQUEST_DEPARTMENT,), ("days_to_close_by_area", "requests_by_type"), ("service_requests",),
         "lakehouse run --dataset 3-1-1-service-requests", optional=True),
    Page("/pipeline", "Pipeline", "Pipeline",
         "When each zone was last updated, rows at each stage, rejected rows and why, and the catalog's tables.",
         (), ("rows_by_stage", "zones", "rejected", "catalog_tables")),
)
PAGES_BY_PATH = {page.path: page for page in PAGES}
VIEW_PAGE = {view: page for page in PAGES for view in page.views}


def page_for(pathname: str | None) -> Page | None:
    path = (pathname or "/").rstrip("/") or "/"
    return PAGES_BY_PATH.get(path)


def available(page: Page, present: set[str]) -> bool:
    return all(table in present for table in page.needs)


def options_for(page: Page, options: Options) -> dict[str, list[dict[str, object]]]:
    return {spec.name: [{"label": spec.labels(v), "value": v} for v in spec.choices(options)] for spec in page.filters}
