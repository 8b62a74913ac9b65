"""Cleaning rules as Polars expressions: standardise values, type them, say why a row fails.

Driven by the dataset specification. Repairs change formatting only (whitespace,
wrapping quotes, the case of a known vocabulary value); anything else that is wrong
rejects the row with a reason naming the field and the value.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from lakehouse.datasets.spec import DatasetSpec, Field

RAW_PREFIX = "raw__"  # the untouched value of each field, kept for the reject record
REASON = "reason"
REASON_FIELD = "field"
RULE = "rule"
_YEAR_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_WHOLE_NUMBER = r"^\d{1,18}$"


def source_line_numbers(records: pl.Expr, reject_lines: pl.Series, first_data_line: int) -> pl.Expr:
    """Line of each parsed record, given the lines the parser rejected.

    The parser keeps rows in file order and drops only rejected lines, so record i
    sits after every rejected line that has fewer than i accepted records before it.
    (Exact unless the file has blank lines or quoted line breaks, which portal
    exports do not.)
    """
    rejected = np.sort(reject_lines.to_numpy())
    accepted_before = rejected - first_data_line - np.arange(len(rejected))
    skipped = pl.lit(pl.Series(accepted_before, dtype=pl.Int64)).search_sorted(records, side="left")
    return records + (first_data_line - 1) + skipped.cast(pl.Int64)


def standardise(field: Field) -> pl.Expr:
    """The repaired text of a field: trimmed, unwrapped from quotes, vocabulary case fixed."""
    value = (
        pl.col(field.name)
        .str.strip_chars()
        .str.replace(r'^"+(.*?)"+$', "$1")
        .str.strip_chars()
    )
    value = pl.when(value == "").then(None).otherwise(value)
    if field.vocabulary:
        canonical = {term.lower(): term for term in field.vocabulary}
        value = value.str.to_lowercase().replace_strict(canonical, default=value)
    return value.alias(field.name)


def typed(field: Field) -> pl.Expr:
    """The field in its landing type; null where the text does not parse."""
    value = pl.col(field.name)
    if field.kind == "year_month":
        valid = value.str.contains(_YEAR_MONTH)
        return pl.when(valid).then((value + "-01").str.to_date("%Y-%m-%d", strict=False)).alias(field.name)
    if field.kind in ("count", "row_id"):
        valid = value.str.contains(_WHOLE_NUMBER)
        return pl.when(valid).then(value.cast(pl.Int64, strict=False)).alias(field.name)
    return value


def rejection(spec: DatasetSpec) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(rule, reason, field) of the first rule a standardised row breaks; null when valid."""
    checks: list[tuple[pl.Expr, str, pl.Expr, str | None]] = []
    is_header = pl.all_horizontal(
        [pl.col(f"{RAW_PREFIX}{f.name}").str.strip_chars() == f.label for f in spec.fields]
    ).fill_null(False)
    checks.append((is_header, "repeated_header", pl.lit("repeated header line"), None))
    for field in spec.fields:
        value = pl.col(field.name)
        if field.required:
            checks.append((value.is_null(), "missing_value", pl.lit(f"missing {field.label}"), field.label))
        if field.kind == "year_month":
            checks.append((
                value.is_not_null() & ~value.str.contains(_YEAR_MONTH),
                "malformed_month",
                pl.format(f"malformed {field.label} '{{}}' (expected YYYY-MM)", value),
                field.label,
            ))
        if field.kind == "count":
            number = value.cast(pl.Int64, strict=False)
            bad = value.is_not_null() & (~value.str.contains(_WHOLE_NUMBER) | (number <= 0) | number.is_null())
            checks.append((
                bad,
                "bad_count",
                pl.format(f"{field.label} '{{}}' is not a positive whole number", value),
                field.label,
            ))
    rule: pl.Expr = pl.lit(None, pl.String)
    reason: pl.Expr = pl.lit(None, pl.String)
    where: pl.Expr = pl.lit(None, pl.String)
    for condition, rule_name, message, label in reversed(checks):  # the first failing check wins
        rule = pl.when(condition).then(pl.lit(rule_name)).otherwise(rule)
        reason = pl.when(condition).then(message).otherwise(reason)
        where = pl.when(condition).then(pl.lit(label, pl.String)).otherwise(where)
    return rule.alias(RULE), reason.alias(REASON), where.alias(REASON_FIELD)


def raw_record(spec: DatasetSpec) -> pl.Expr:
    """The row as it arrived, fields joined with the export's separator."""
    return pl.concat_str(
        [pl.col(f"{RAW_PREFIX}{f.name}").fill_null("") for f in spec.fields], separator=spec.separator
    ).alias("raw_record")
