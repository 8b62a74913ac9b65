"""The inquiry-volume pipeline written plainly in pandas, as a typical analyst would.

Cleaning follows the shipped Vancouver recipe step by step (its maps and patterns are read from
the recipe JSON, so the two cannot drift apart); the curated tables follow
lakehouse/etl/models/inquiry_volume.py and the answers lakehouse/sql/queries/*.sql. pandas is not
a project dependency: install the `bench` extra.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

RECIPE_JSON = Path(__file__).resolve().parent.parent / "recipes" / "definitions" / "inquiry-volume.recipe.json"
LABELS = ("Department", "Type", "Year Month", "Channel", "Number of Records", "BI_ID")
REQUIRED = LABELS[:5]  # the recipe's REMOVE_MISSING columns, in step order
LANDING = ("department", "inquiry_type", "channel", "month_start", "inquiries", "source_line")
# What REMOVE_COMBINED strips from the ends of Department/Type/Channel: white space and quotes.
WHITESPACE_AND_QUOTES = " \t\n\r\f\v'\""
NATURAL_KEY = ["department", "inquiry_type", "channel", "month_start"]
PARTITIONED = ("inquiry_volume", "department_monthly")  # by year, as the job spec says


@dataclass(frozen=True)
class RecipeRules:
    department_map: dict[str, str]
    channel_map: dict[str, str]  # keys are lower-case, as the recipe maps LOWER(Channel)
    month_pattern: str
    count_pattern: str


def recipe_rules(path: Path = RECIPE_JSON) -> RecipeRules:
    """The maps and patterns of the shipped recipe."""
    steps = json.loads(path.read_text(encoding="utf-8"))
    maps: dict[str, dict[str, str]] = {}
    patterns: dict[str, str] = {}
    for step in steps:
        action = step["Action"]
        parameters = action.get("Parameters", {})
        if action["Operation"] == "CATEGORICAL_MAPPING":
            maps[parameters["sourceColumn"]] = json.loads(parameters["categoryMap"])
        elif action["Operation"] == "EXTRACT_PATTERN":
            patterns[parameters["sourceColumn"]] = parameters["pattern"]
    return RecipeRules(maps["Department"], maps["channel_key"], patterns["Year Month"], patterns["Number of Records"])


@dataclass
class Cleaned:
    landing: pd.DataFrame
    rejected: pd.DataFrame
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds, in order


def clean(sample: Path) -> Cleaned:
    """The cleaning as an analyst would write it in pandas: filter step by step, keep the rejects."""
    import numpy as np
    import pandas as pd

    rules = recipe_rules()
    phases: dict[str, float] = {}
    start = time.perf_counter()
    # on_bad_lines="warn" keeps going past a line with too many fields and says which line it
    # was; the warnings are the record of the unparseable lines.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = pd.read_csv(
            sample, sep=";", dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig",
            on_bad_lines="warn",
        )
    bad_lines = sorted(int(n) for w in caught for n in re.findall(r"Skipping line (\d+)", str(w.message)))
    # File line of each parsed row: header is line 1, and skipped lines shift the rest.
    row = np.arange(len(df))
    accepted_before = np.array([line - 2 - i for i, line in enumerate(bad_lines)], dtype=np.int64)
    df["source_line"] = row + 2 + np.searchsorted(accepted_before, row, side="right")
    phases["read_csv"] = time.perf_counter() - start
    clock = time.perf_counter()

    rejects: list[pd.DataFrame] = []
    if bad_lines:
        rejects.append(pd.DataFrame({"source_line": bad_lines, "reason": "unparseable line"}))

    def reject(mask: pd.Series, reason: str) -> None:
        nonlocal df
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            rejects.append(df[mask].assign(reason=reason))
        df = df[~mask]

    # The export repeats its header line where it was re-exported.
    reject((df["Department"] == "Department") & (df["Type"] == "Type") & (df["Year Month"] == "Year Month"),
           "repeated header")
    for column in ("Department", "Type", "Channel"):
        df[column] = df[column].str.replace(r"\s{2,}", " ", regex=True).str.strip(WHITESPACE_AND_QUOTES)
    for column in ("Year Month", "Number of Records"):
        df[column] = df[column].str.strip()
    for column in REQUIRED:
        reject(df[column].isna() | (df[column] == ""), f"missing {column}")
    reject(df.duplicated(subset=list(LABELS), keep="first"), "duplicate row")

    df["department"] = df["Department"].map(rules.department_map).fillna(df["Department"])
    channel_key = df["Channel"].str.lower()
    df["channel"] = channel_key.map(rules.channel_map).fillna(channel_key)
    reject(~df["Year Month"].str.match(rules.month_pattern), "malformed Year Month")
    df["month_start"] = pd.to_datetime(df["Year Month"] + "-01", format="%Y-%m-%d").dt.date
    reject(~df["Number of Records"].str.match(rules.count_pattern), "count not a whole number")
    df["inquiries"] = df["Number of Records"].astype("int64")
    reject(df["inquiries"] < 1, "count below 1")
    landing = df.rename(columns={"Type": "inquiry_type"})[list(LANDING)]
    rejected = pd.concat(rejects, ignore_index=True).sort_values("source_line") if rejects else pd.DataFrame(
        {"source_line": [], "reason": []})
    phases["clean + validate"] = time.perf_counter() - clock
    return Cleaned(landing, rejected, phases)


def curate(landing: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The curated tables of lakehouse/etl/models/inquiry_volume.py, by name."""
    import pandas as pd

    volume = landing.groupby(NATURAL_KEY, as_index=False, sort=False)["inquiries"].sum()
    volume["department_code"] = volume["department"].str.extract(r"^([A-Z0-9]{2,6}) - ", expand=False)
    volume["year"] = pd.to_datetime(volume["month_start"]).dt.year.astype("int32")
    monthly = volume.groupby(["month_start", "year"], as_index=False).agg(
        inquiries=("inquiries", "sum"), departments=("department", "nunique"))
    yearly = volume.groupby("year", as_index=False).agg(
        inquiries=("inquiries", "sum"), months=("month_start", "nunique"), first_month=("month_start", "min"),
        last_month=("month_start", "max"), departments=("department", "nunique"))
    yearly["complete"] = yearly["months"] == 12
    per_department = volume.groupby(["department", "department_code", "year"], as_index=False, dropna=False)[
        "inquiries"].sum()
    department_yearly = per_department.copy()
    department_yearly["share_pct"] = (department_yearly["inquiries"] * 100.0
                                      / department_yearly.groupby("year")["inquiries"].transform("sum"))
    department_yearly["rank"] = department_yearly.groupby("year")["inquiries"].rank(
        method="min", ascending=False).astype("int32")
    previous = per_department[["department", "year", "inquiries"]].rename(
        columns={"inquiries": "previous_year_inquiries"})
    previous["year"] += 1
    year_over_year = per_department.merge(previous, on=["department", "year"], how="left")
    year_over_year["change"] = year_over_year["inquiries"] - year_over_year["previous_year_inquiries"]
    year_over_year["change_pct"] = (year_over_year["change"] * 100.0
                                    / year_over_year["previous_year_inquiries"]).round(2)
    return {
        "inquiry_volume": volume,
        "department_monthly": volume.groupby(["department", "department_code", "month_start", "year"],
                                             as_index=False, dropna=False)["inquiries"].sum(),
        "monthly_volume": monthly,
        "channel_monthly": volume.groupby(["channel", "month_start", "year"], as_index=False)["inquiries"].sum(),
        "yearly_volume": yearly,
        "department_yearly": department_yearly,
        "department_year_over_year": year_over_year,
    }


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    """Each table as Parquet; the partitioned ones as year=YYYY folders."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if name in PARTITIONED:
            frame.to_parquet(folder / name, partition_cols=["year"], index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)


def default_years(yearly: pd.DataFrame) -> tuple[int, int]:
    """The last two complete years (as lakehouse.pipeline.default_years picks them)."""
    picked = yearly.sort_values(["complete", "year"], ascending=False).head(2)["year"]
    first, second = sorted(int(year) for year in picked)
    return first, second


def answers(tables: dict[str, pd.DataFrame], years: tuple[int, int] | None = None) -> dict[str, dict[str, Any]]:
    """The four saved queries' answers, by query name: columns and rows."""
    import numpy as np
    import pandas as pd

    year_a, year_b = years or default_years(tables["yearly_volume"])
    monthly = tables["monthly_volume"][["month_start", "inquiries"]].copy()
    monthly["month_start"] = pd.to_datetime(monthly["month_start"])
    recent = monthly.sort_values("month_start", ascending=False).head(24)
    earlier = monthly.rename(columns={"inquiries": "inquiries_year_before"})
    earlier["month_start"] = earlier["month_start"] + pd.DateOffset(years=1)
    trend = recent.merge(earlier, on="month_start", how="left").sort_values("month_start")
    trend["month"] = trend["month_start"].dt.strftime("%Y-%m")
    trend["change_pct"] = _round_half_up(
        100.0 * (trend["inquiries"] - trend["inquiries_year_before"]) / trend["inquiries_year_before"], 1)

    yearly_departments = tables["department_yearly"]
    top = yearly_departments[yearly_departments["year"] == year_b].sort_values(["rank", "department"]).head(10).copy()
    top["share_pct"] = _round_half_up(top["share_pct"], 2)

    by_year = tables["yearly_volume"].sort_values("year").copy()
    # Athena reads 100.0 as DECIMAL(4,1) and divides decimals at the larger scale (Trino), so the
    # saved query's share has one decimal before round(.., 2): the same here, or the numbers differ.
    by_year["share_pct"] = _round_half_up(100.0 * by_year["inquiries"] / by_year["inquiries"].sum(), 1)
    by_year["monthly_average"] = _round_half_up(by_year["inquiries"] / by_year["months"], 0)

    first = yearly_departments.loc[yearly_departments["year"] == year_a, ["department", "inquiries"]]
    second = yearly_departments.loc[yearly_departments["year"] == year_b, ["department", "inquiries"]]
    both = first.merge(second, on="department", how="outer", suffixes=("_year_a", "_year_b"))
    a, b = both["inquiries_year_a"], both["inquiries_year_b"]
    both["change_pct"] = _round_half_up(100.0 * (b - a) / a, 1)
    both["inquiries_year_a"], both["inquiries_year_b"] = a.fillna(0).astype("int64"), b.fillna(0).astype("int64")
    both["change"] = both["inquiries_year_b"] - both["inquiries_year_a"]
    both["_largest"] = np.maximum(both["inquiries_year_a"], both["inquiries_year_b"])
    comparison = both.sort_values(["_largest", "department"], ascending=[False, True])

    def rows(frame: pd.DataFrame, columns: list[str]) -> dict[str, Any]:
        picked = frame[columns].astype(object).where(frame[columns].notna(), None)
        return {"columns": columns, "rows": [list(row) for row in picked.itertuples(index=False, name=None)]}

    return {
        "monthly_trend": rows(trend, ["month", "inquiries", "inquiries_year_before", "change_pct"]),
        "top_departments": rows(top, ["rank", "department", "inquiries", "share_pct"]),
        "volume_by_year": rows(by_year, ["year", "inquiries", "months", "complete", "share_pct", "monthly_average"]),
        "year_comparison": rows(comparison, ["department", "inquiries_year_a", "inquiries_year_b", "change",
                                             "change_pct"]),
    }


def _round_half_up(values: pd.Series, decimals: int) -> pd.Series:
    """Athena's round(): halves away from zero (pandas' own round is half to even)."""
    import numpy as np

    scale = 10.0**decimals
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale
