"""Text structure steps: split, merge, extract, prefix/suffix/quotes, and categorical mapping."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import polars as pl

from lakehouse.recipes import batchwise
from lakehouse.recipes.frame import INTERNAL_PREFIX
from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import DOCS, StepContext
from lakehouse.recipes.operations.cleaning import (
    SOURCE, TARGET, checked_regex, derive, positions, rewrite_text, text,
)

MAX_SPLITS = 20  # DataBrew's documented limit
_CUT = "\x1f"  # split marker; unit/record separators do not occur in real text
_OPEN = "\x1e"


# split -----------------------------------------------------------------------------------
def _split(ctx: StepContext, delimiters: list[tuple[str, bool]]) -> pl.LazyFrame:
    """Split `sourceColumn` at any delimiter into <source>_1 … <source>_{limit+1}, which take
    the source's place (DataBrew removes the split column). An included delimiter stays at the
    end of the part before it; missing parts are null."""
    source = ctx.required("sourceColumn")
    limit = ctx.integer("limit", 1)
    if not 1 <= limit <= MAX_SPLITS:
        raise ctx.error("limit", f"must be between 1 and {MAX_SPLITS} (got {limit})")
    names = [f"{source}_{i}" for i in range(1, limit + 2)]
    for name in names:
        if name in ctx.schema:
            raise ctx.error("sourceColumn", f"would create column {name!r}, which already exists")
    # Bracket each delimiter match (longest alternative first) and cut after it: every part
    # but the last then ends in <open><delimiter>, kept or dropped; the last part is unsplit.
    alternatives = "|".join(re.escape(d) for d, _ in sorted(delimiters, key=lambda d: -len(d[0])))
    marked = text(source).str.replace_all(f"(?:{alternatives})", f"{_OPEN}${{0}}{_CUT}")
    parts = marked.str.splitn(_CUT, limit + 1)
    columns = []
    for i, name in enumerate(names):
        part = parts.struct.field(f"field_{i}")
        if i < limit:
            for delimiter, include in delimiters:
                kept = (delimiter if include else "").replace("$", "$$")
                part = part.str.replace(f"{_OPEN}{re.escape(delimiter)}$", kept)
        columns.append(part.str.replace_all(f"[{_OPEN}{_CUT}]", "").alias(name))
    frame = ctx.frame.with_columns(columns)
    order = ctx.frame.collect_schema().names()
    at = order.index(source)
    return frame.select([*order[:at], *names, *order[at + 1:]])


def _delimiter(ctx: StepContext, value: object, parameter: str) -> str:
    if not isinstance(value, str) or not value:
        raise ctx.error(parameter, "needs a non-empty delimiter")
    return value


@operation(
    "SPLIT_COLUMN_SINGLE_DELIMITER", required=[*SOURCE, "pattern"], optional=["limit", "includeInSplit"],
    existing_columns=SOURCE, conditions_allowed=False,
)
def split_single(ctx: StepContext) -> pl.LazyFrame:
    return _split(ctx, [(_delimiter(ctx, ctx.required("pattern"), "pattern"), ctx.flag("includeInSplit"))])


@operation(
    "SPLIT_COLUMN_MULTIPLE_DELIMITER", required=[*SOURCE, "patternOptions"],
    optional=["limit", "pattern", "includeInSplit"], existing_columns=SOURCE, conditions_allowed=False,
)
def split_multiple(ctx: StepContext) -> pl.LazyFrame:
    options = ctx.json_param("patternOptions")
    if not isinstance(options, list) or not options or not all(isinstance(o, dict) for o in options):
        raise ctx.error("patternOptions", 'must be a JSON array of {"pattern": …, "includeInSplit": …}')
    delimiters = [(_delimiter(ctx, o.get("pattern"), "patternOptions"), bool(o.get("includeInSplit", False)))
                  for o in options]
    if ctx.param("pattern"):  # the documented top-level pair adds one more delimiter
        delimiters.append((ctx.required("pattern"), ctx.flag("includeInSplit")))
    return _split(ctx, delimiters)


# merge -----------------------------------------------------------------------------------
def _merged(ctx: StepContext) -> tuple[list[str], pl.Expr]:
    columns = ctx.column_list("sourceColumns")
    # Nulls are skipped with their delimiter, as Spark's concat_ws does.
    return columns, pl.concat_str([text(c) for c in columns], separator=ctx.param("delimiter") or "", ignore_nulls=True)


@operation(
    "MERGE", required=["sourceColumns", "targetColumn"], optional=["delimiter"],
    existing_columns=["sourceColumns"], new_columns=TARGET, conditions_allowed=False,
)
def merge(ctx: StepContext) -> pl.LazyFrame:
    # The merged column replaces its sources, at the place of the first one.
    columns, merged = _merged(ctx)
    target = ctx.required("targetColumn")
    order = ctx.frame.collect_schema().names()
    at = order.index(columns[0])
    kept = [n for n in order[:at] if n not in columns], [n for n in order[at:] if n not in columns]
    return ctx.frame.with_columns(merged.alias(target)).select([*kept[0], target, *kept[1]])


@operation(
    "MERGE_COLUMNS_AND_VALUES", doc=f"{DOCS}functions.MERGE.html", required=["sourceColumns", "targetColumn"],
    optional=["delimiter"], existing_columns=["sourceColumns"], new_columns=TARGET,
)
def merge_columns_and_values(ctx: StepContext) -> pl.LazyFrame:
    columns, merged = _merged(ctx)
    return ctx.add(ctx.required("targetColumn"), merged, after=columns[-1])


# extract ---------------------------------------------------------------------------------
# A value without a match gives null in the new column.
@operation("EXTRACT_PATTERN", required=[*SOURCE, *TARGET, "pattern"], existing_columns=SOURCE, new_columns=TARGET)
def extract_pattern(ctx: StepContext) -> pl.LazyFrame:
    pattern = checked_regex(ctx, "pattern")
    return derive(ctx, text(ctx.required("sourceColumn")).str.extract(pattern, 0))


@operation(
    "EXTRACT_BETWEEN_DELIMITERS", required=[*SOURCE, *TARGET, "startPattern", "endPattern"],
    existing_columns=SOURCE, new_columns=TARGET,
)
def extract_between_delimiters(ctx: StepContext) -> pl.LazyFrame:
    start, end = checked_regex(ctx, "startPattern"), checked_regex(ctx, "endPattern")
    regex = f"(?s)(?:{start})(?P<lh_body>.*?)(?:{end})"  # first, shortest stretch
    return derive(ctx, text(ctx.required("sourceColumn")).str.extract_groups(regex).struct.field("lh_body"))


@operation(
    "EXTRACT_BETWEEN_POSITIONS", required=[*SOURCE, *TARGET, "startPosition", "endPosition"],
    existing_columns=SOURCE, new_columns=TARGET,
)
def extract_between_positions(ctx: StepContext) -> pl.LazyFrame:
    start, end = positions(ctx)  # 0-based, end exclusive
    return derive(ctx, text(ctx.required("sourceColumn")).str.slice(start, end - start))


# prefix, suffix, quotes (in place) --------------------------------------------------------
@operation("ADD_PREFIX", required=[*SOURCE, "pattern"], existing_columns=SOURCE)
def add_prefix(ctx: StepContext) -> pl.LazyFrame:
    return rewrite_text(ctx, ctx.required("sourceColumn"), lambda v: pl.lit(ctx.required("pattern")) + v)


@operation("ADD_SUFFIX", required=[*SOURCE, "pattern"], existing_columns=SOURCE)
def add_suffix(ctx: StepContext) -> pl.LazyFrame:
    return rewrite_text(ctx, ctx.required("sourceColumn"), lambda v: v + pl.lit(ctx.required("pattern")))


@operation("ADD_DOUBLE_QUOTES", required=SOURCE, existing_columns=SOURCE)
def add_double_quotes(ctx: StepContext) -> pl.LazyFrame:
    return rewrite_text(ctx, ctx.required("sourceColumn"), lambda v: pl.lit('"') + v + pl.lit('"'))


@operation("ADD_SINGLE_QUOTES", required=SOURCE, existing_columns=SOURCE)
def add_single_quotes(ctx: StepContext) -> pl.LazyFrame:
    return rewrite_text(ctx, ctx.required("sourceColumn"), lambda v: pl.lit("'") + v + pl.lit("'"))


# categorical mapping ---------------------------------------------------------------------
def _scalar(ctx: StepContext, parameter: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ctx.error(parameter, f"values must be strings or numbers (got {json.dumps(value)})")


def _numeric_type(ctx: StepContext, values: list[tuple[str, str]]) -> pl.DataType:
    """Int64 when every mapped value is a whole number, else Float64; anything else is an error."""
    whole = True
    for parameter, value in values:
        try:
            number = float(value)
        except ValueError:
            raise ctx.error(parameter, f"value {value!r} is not a number, but mapType is NUMERIC") from None
        whole = whole and number.is_integer() and re.fullmatch(r"\s*[-+]?\d+\s*", value) is not None
    return pl.Int64 if whole else pl.Float64


@operation(
    "CATEGORICAL_MAPPING", required=[*SOURCE, *TARGET, "categoryMap"],
    optional=["deleteOtherRows", "other", "keepOthers", "mapType"],
    existing_columns=SOURCE, new_columns=TARGET,
)
def categorical_mapping(ctx: StepContext) -> pl.LazyFrame:
    """Map values to categories, case-exactly. Values not in the map (null included) are kept
    (keepOthers), replaced by `other`, or their rows removed (deleteOtherRows); otherwise null."""
    raw = ctx.json_param("categoryMap")
    if not isinstance(raw, dict) or not raw:
        raise ctx.error("categoryMap", "must be a non-empty JSON object of value → category")
    mapping = {key: _scalar(ctx, "categoryMap", value) for key, value in raw.items()}
    keep, delete, other = ctx.flag("keepOthers"), ctx.flag("deleteOtherRows"), ctx.param("other")
    if keep + delete + (other is not None) > 1:
        raise ctx.error("keepOthers", "conflicts: give only one of keepOthers, other and deleteOtherRows")
    map_type = (ctx.param("mapType") or "STRING").upper()
    if map_type not in ("STRING", "NUMERIC"):
        raise ctx.error("mapType", f"must be STRING or NUMERIC (got {ctx.param('mapType')!r})")
    source = text(ctx.required("sourceColumn"))
    found = f"{INTERNAL_PREFIX}category_{ctx.step.number}"
    frame = ctx.frame.with_columns(batchwise.lookup(source, list(mapping), list(mapping.values()), pl.String()).alias(found))
    otherwise = source if keep else pl.lit(other, pl.String)
    mapped = pl.coalesce(pl.col(found), otherwise)  # mapped categories are never null
    if map_type == "NUMERIC":
        checked = [("categoryMap", v) for v in mapping.values()] + ([("other", other)] if other is not None else [])
        # Kept values that are not numbers become null in a numeric column.
        mapped = mapped.str.strip_chars().cast(_numeric_type(ctx, checked), strict=False)
    derived = derive(replace(ctx, frame=frame), mapped)
    if delete:
        derived = replace(ctx, frame=derived).reject(pl.col(found).is_null(), "value not in categoryMap")
    return derived.drop(found)


