"""DataBrew data-quality rulesets, parsed safely and evaluated on a frame in one Polars query.

A ruleset file is CreateRuleset's JSON (https://docs.aws.amazon.com/databrew/latest/dg/API_Rule.html):

    {"Name": "requests-quality", "Description": "...",
     "Rules": [{"Name": "no-missing-ids",
                "CheckExpression": "AGG(MISSING_VALUES_PERCENTAGE) == :val1",
                "SubstitutionMap": {":val1": "0"},
                "ColumnSelectors": [{"Name": "id"}, {"Regex": "key_.*"}],
                "Threshold": {"Value": 95, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"},
                "Disabled": false}],
     "NonBlockingRules": ["no-missing-ids"]}

"NonBlockingRules" is the one lakehouse extension. Every rule blocks the pipeline when it fails
unless named there. It sits at ruleset level, not on each rule, because DataBrew's API (and
boto3's client-side validation) rejects unknown keys: `Ruleset.to_databrew()` drops it, leaving
a body CreateRuleset accepts unchanged, and each Rule object stays exactly DataBrew's shape.

Each CheckExpression is parsed (never eval) and compiled to Polars by `lakehouse.recipes.rule_checks`,
which documents the grammar. AGG checks compare one statistic with a number; value checks count
the rows that satisfy the expression and compare that with the Threshold (default: 100% of rows).
Counting percentages use all rows as the base. Every enabled rule, on every column its
ColumnSelectors pick, is evaluated in one `select` over the frame.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from lakehouse.recipes.row_hash import count_duplicate_rows
from lakehouse.recipes.rule_checks import (
    DUPLICATE_ROWS, Agg, Check, Compiler, Logic, Node, RulesetError, compare, parse_check,
)

Scalar = int | float | str | None

__all__ = [
    "ColumnSelector", "Outcome", "Rule", "RuleResult", "Ruleset", "RulesetError", "RulesetResult", "Threshold",
    "evaluate_ruleset", "load_ruleset", "parse_ruleset", "render_ruleset_result",
]


# -- the ruleset model ------------------------------------------------------------------------

LAKEHOUSE_KEY = "NonBlockingRules"
_RULESET_KEYS = {"Name", "Description", "TargetArn", "Tags", "Rules", LAKEHOUSE_KEY}
_RULE_KEYS = {"Name", "CheckExpression", "SubstitutionMap", "ColumnSelectors", "Threshold", "Disabled"}
_THRESHOLD_TYPES = {"GREATER_THAN_OR_EQUAL": ">=", "LESS_THAN_OR_EQUAL": "<=", "GREATER_THAN": ">", "LESS_THAN": "<"}
_VARIABLE_KEY = re.compile(r"^:[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class ColumnSelector:
    name: str | None = None
    regex: str | None = None  # matched against the whole column name

    def to_json(self) -> dict[str, str]:
        return {"Name": self.name} if self.name is not None else {"Regex": self.regex or ""}


@dataclass(frozen=True)
class Threshold:
    value: float
    type: str = "GREATER_THAN_OR_EQUAL"
    unit: str = "PERCENTAGE"

    def to_json(self) -> dict[str, Any]:
        return {"Value": self.value, "Type": self.type, "Unit": self.unit}

    def describe(self) -> str:
        suffix = "% of rows" if self.unit == "PERCENTAGE" else " rows"
        return f"{_THRESHOLD_TYPES[self.type]} {self.value:g}{suffix}"


# Without a Threshold every row must satisfy a value check.
ALL_ROWS = Threshold(100.0)


@dataclass(frozen=True)
class Rule:
    name: str
    check_expression: str
    substitution_map: dict[str, str] = field(default_factory=dict)
    column_selectors: tuple[ColumnSelector, ...] = ()
    threshold: Threshold | None = None
    disabled: bool = False
    blocking: bool = True  # lakehouse-only; stored in the ruleset's NonBlockingRules
    check: Check | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"Name": self.name, "CheckExpression": self.check_expression}
        if self.substitution_map:
            document["SubstitutionMap"] = dict(self.substitution_map)
        if self.column_selectors:
            document["ColumnSelectors"] = [selector.to_json() for selector in self.column_selectors]
        if self.threshold is not None:
            document["Threshold"] = self.threshold.to_json()
        if self.disabled:
            document["Disabled"] = True
        return document


@dataclass(frozen=True)
class Ruleset:
    name: str
    rules: tuple[Rule, ...]
    description: str | None = None
    target_arn: str | None = None
    tags: dict[str, str] | None = None

    def to_databrew(self) -> dict[str, Any]:
        """CreateRuleset's body: the lakehouse-only blocking list is left out."""
        document: dict[str, Any] = {"Name": self.name, "Rules": [rule.to_json() for rule in self.rules]}
        if self.description is not None:
            document["Description"] = self.description
        if self.target_arn is not None:
            document["TargetArn"] = self.target_arn
        if self.tags is not None:
            document["Tags"] = dict(self.tags)
        return document

    def to_json(self) -> dict[str, Any]:
        document = self.to_databrew()
        non_blocking = [rule.name for rule in self.rules if not rule.blocking]
        if non_blocking:
            document[LAKEHOUSE_KEY] = non_blocking
        return document


# -- loading ---------------------------------------------------------------------------------


def _fail(where: str, message: str) -> RulesetError:
    return RulesetError(f"{where}: {message}")


def _selectors(raw: Any, where: str) -> tuple[ColumnSelector, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "ColumnSelectors must be a non-empty list")
    selectors = []
    for item in raw:
        if not isinstance(item, dict) or len(item) != 1 or not set(item) <= {"Name", "Regex"}:
            raise _fail(where, f"a column selector is {{\"Name\": ...}} or {{\"Regex\": ...}}, not {item!r}")
        ((key, value),) = item.items()
        if not isinstance(value, str) or not value:
            raise _fail(where, f"column selector {key} must be a non-empty string")
        if key == "Regex":
            try:
                re.compile(value)
            except re.error as exc:
                raise _fail(where, f"column selector Regex {value!r} is invalid ({exc})") from None
        selectors.append(ColumnSelector(name=value) if key == "Name" else ColumnSelector(regex=value))
    return tuple(selectors)


def _substitutions(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, list):  # CloudFormation's shape: [{"ValueReference": ":v", "Value": "1"}]
        try:
            raw = {item["ValueReference"]: item["Value"] for item in raw}
        except (TypeError, KeyError):
            raise _fail(where, "SubstitutionMap list items need ValueReference and Value") from None
    if not isinstance(raw, dict):
        raise _fail(where, "SubstitutionMap must be an object of \":name\": \"value\"")
    for key, value in raw.items():
        if not isinstance(key, str) or not _VARIABLE_KEY.match(key):
            raise _fail(where, f"SubstitutionMap key {key!r} must look like :name")
        if not isinstance(value, str):
            raise _fail(where, f"SubstitutionMap value of {key} must be a string")
    return dict(raw)


def _threshold(raw: Any, where: str) -> Threshold | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not set(raw) <= {"Value", "Type", "Unit"} or "Value" not in raw:
        raise _fail(where, "Threshold is {\"Value\": n, \"Type\": ..., \"Unit\": ...}")
    value = raw["Value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _fail(where, "Threshold Value must be a number >= 0")
    kind, unit = raw.get("Type", "GREATER_THAN_OR_EQUAL"), raw.get("Unit", "PERCENTAGE")
    if kind not in _THRESHOLD_TYPES:
        raise _fail(where, f"Threshold Type {kind!r} is not one of {', '.join(_THRESHOLD_TYPES)}")
    if unit not in ("COUNT", "PERCENTAGE"):
        raise _fail(where, f"Threshold Unit {unit!r} is not COUNT or PERCENTAGE")
    return Threshold(float(value), kind, unit)


def _rule(raw: Any, index: int, where: str, non_blocking: set[str]) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(where, f"rule {index} must be an object")
    name = raw.get("Name")
    if not isinstance(name, str) or not 1 <= len(name) <= 128:
        raise _fail(where, f"rule {index} needs a Name of 1-128 characters")
    here = f"{where}: rule {name!r}"
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        hint = f" (list non-blocking rules in the ruleset's {LAKEHOUSE_KEY})" if "Blocking" in unknown else ""
        raise RulesetError(f"{here}: unknown key {unknown[0]!r}{hint}")
    expression = raw.get("CheckExpression")
    if not isinstance(expression, str):
        raise RulesetError(f"{here}: needs a CheckExpression string")
    disabled = raw.get("Disabled", False)
    if not isinstance(disabled, bool):
        raise RulesetError(f"{here}: Disabled must be true or false")
    selectors = _selectors(raw.get("ColumnSelectors"), here)
    substitutions = _substitutions(raw.get("SubstitutionMap"), here)
    threshold = _threshold(raw.get("Threshold"), here)
    check = parse_check(expression, here, substitutions, has_selectors=bool(selectors))
    if check.aggregate and threshold is not None:
        raise RulesetError(f"{here}: Threshold applies to value checks only, not AGG(...) checks")
    return Rule(name, expression, substitutions, selectors, threshold, disabled, name not in non_blocking, check)


def parse_ruleset(document: Any, where: str = "ruleset") -> Ruleset:
    """Validate a ruleset document (structure and every CheckExpression) and build the model."""
    if not isinstance(document, dict):
        raise _fail(where, "a ruleset is a JSON object with Name and Rules")
    unknown = sorted(set(document) - _RULESET_KEYS)
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r}")
    name, rules = document.get("Name"), document.get("Rules")
    if not isinstance(name, str) or not name:
        raise _fail(where, "needs a Name")
    if not isinstance(rules, list) or not rules:
        raise _fail(where, "needs a non-empty Rules list")
    non_blocking = document.get(LAKEHOUSE_KEY, [])
    if not isinstance(non_blocking, list) or not all(isinstance(item, str) for item in non_blocking):
        raise _fail(where, f"{LAKEHOUSE_KEY} must be a list of rule names")
    parsed = tuple(_rule(raw, index, where, set(non_blocking)) for index, raw in enumerate(rules, start=1))
    names = [rule.name for rule in parsed]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise _fail(where, f"two rules are named {duplicate!r}")
    stray = next((n for n in non_blocking if n not in names), None)
    if stray is not None:
        raise _fail(where, f"{LAKEHOUSE_KEY} names {stray!r}, which is not a rule")
    return Ruleset(name, parsed, document.get("Description"), document.get("TargetArn"), document.get("Tags"))


def load_ruleset(path: Path) -> Ruleset:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesetError(f"{path}: no such ruleset file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetError(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise RulesetError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from None
    return parse_ruleset(document, where=str(path))


# -- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One evaluated target: a selected column, or the whole dataset / explicit expression."""

    target: str
    observed: Scalar | dict[str, Scalar]  # the metric, or % / count of rows that satisfy
    passed: bool


@dataclass(frozen=True)
class RuleResult:
    name: str
    passed: bool | None  # None: the rule is disabled and was skipped
    expected: str
    columns: tuple[str, ...]
    blocking: bool
    outcomes: tuple[Outcome, ...] = ()

    @property
    def status(self) -> str:
        return "SKIPPED" if self.passed is None else "SUCCEEDED" if self.passed else "FAILED"

    @property
    def observed(self) -> Scalar | dict[str, Any]:
        """The single observed value, or target -> value when the rule checked several targets."""
        if len(self.outcomes) == 1:
            return self.outcomes[0].observed
        return {outcome.target: outcome.observed for outcome in self.outcomes}

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "status": self.status, "blocking": self.blocking, "expected": self.expected,
            "columns": list(self.columns),
            "outcomes": [{"target": o.target, "observed": o.observed, "passed": o.passed} for o in self.outcomes],
        }


@dataclass(frozen=True)
class RulesetResult:
    ruleset: str
    rules: tuple[RuleResult, ...]
    rows: int

    @property
    def passed(self) -> bool:
        return all(rule.passed is not False for rule in self.rules)

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(rule for rule in self.rules if rule.passed is False)

    @property
    def failed_blocking(self) -> tuple[RuleResult, ...]:
        return tuple(rule for rule in self.failed if rule.blocking)

    def to_json(self) -> dict[str, Any]:
        """Shaped after DataBrew's validation event: the ruleset, its state, each rule's result."""
        return {
            "rulesetName": self.ruleset, "validationState": "SUCCEEDED" if self.passed else "FAILED",
            "rowsCount": self.rows, "ruleResults": [rule.to_json() for rule in self.rules],
        }


def substitute(expression: str, values: dict[str, str]) -> str:
    """The expression with each :variable replaced by its value, for people to read."""
    return re.sub(r":[A-Za-z0-9_]+", lambda m: values.get(m.group(0), m.group(0)), expression)


@dataclass(frozen=True)
class Compiled:
    """One rule on one target: the aggregates to add to the shared select, and how to judge them."""

    target: str
    aggregate: bool
    columns: tuple[str, ...]
    exprs: list[pl.Expr]
    judge: Callable[[dict[str, Any], int, int], tuple[Any, bool]]


def compile_rule(
    check: Check, rule: str, values: dict[str, str], schema: pl.Schema, target: str | None, key: str,
    threshold: Threshold | None,
) -> Compiled:
    """Build one rule's aggregates for one target column (None: explicit columns or the dataset)."""
    compiler = Compiler(rule, values, schema, target, key)
    if not check.aggregate:
        satisfied = f"{key}:satisfied"
        compiler.exprs.append(compiler.predicate(check.root).fill_null(False).sum().alias(satisfied))
        limit = threshold or ALL_ROWS

        def judge_rows(row: dict[str, Any], rows: int, columns: int) -> tuple[Any, bool]:
            count = int(row[satisfied])
            observed = count if limit.unit == "COUNT" else (count * 100.0 / rows if rows else 100.0)
            return observed, compare(observed, _THRESHOLD_TYPES[limit.type], [limit.value])

        columns = tuple(dict.fromkeys(compiler.columns))
        return Compiled(target or ", ".join(columns), False, columns, compiler.exprs, judge_rows)
    leaves = check.leaves()
    readers = {id(leaf): compiler.metric(leaf.left, f"{key}:{n}") for n, leaf in enumerate(leaves)}  # type: ignore[arg-type]

    def judge_metrics(row: dict[str, Any], rows: int, columns: int) -> tuple[Any, bool]:
        seen: dict[str, Any] = {}

        def holds(node: Node) -> bool:
            if isinstance(node, Logic):
                results = [holds(part) for part in node.parts]  # evaluate all, so every metric is reported
                return all(results) if node.op == "and" else any(results)
            value = readers[id(node)](row, rows, columns)
            seen[substitute(node.left.label(), values)] = value  # type: ignore[union-attr]
            outcome = value is not None and compare(value, node.op, [float(values[v]) for v in node.args])
            return outcome != node.negated if value is not None else False

        passed = holds(check.root)
        return (next(iter(seen.values())) if len(seen) == 1 else seen), passed

    return Compiled(target or "(dataset)", True, tuple(dict.fromkeys(compiler.columns)), compiler.exprs, judge_metrics)


def _resolve(rule: Rule, schema: pl.Schema) -> list[str]:
    """The columns a rule's selectors pick, in the frame's column order."""
    chosen: set[str] = set()
    for selector in rule.column_selectors:
        if selector.name is not None:
            if selector.name not in schema:
                raise RulesetError(f"rule {rule.name!r}: unknown column {selector.name!r}")
            chosen.add(selector.name)
        else:
            matched = {name for name in schema.names() if re.fullmatch(selector.regex or "", name)}
            if not matched:
                raise RulesetError(f"rule {rule.name!r}: Regex {selector.regex!r} matches no column")
            chosen |= matched
    return [name for name in schema.names() if name in chosen]


def _aggregate_by_columns(lazy: pl.LazyFrame, exprs: list[pl.Expr]) -> dict[str, Any]:
    """The one-row result of `lazy.select(exprs)`, computed by one streaming query per set of
    columns the expressions read. One select over every column holds all of them in memory
    (3.3 GB for 50M landing rows); a query per column set reads (from Parquet) only its columns
    and the streaming engine folds them in batches."""
    groups: dict[tuple[str, ...], list[pl.Expr]] = {}
    for expr in exprs:
        groups.setdefault(tuple(sorted(set(expr.meta.root_names()))), []).append(expr)
    row: dict[str, Any] = {}
    for group in groups.values():
        row.update(lazy.select(group).collect(engine="streaming").row(0, named=True))
    return row


def evaluate_ruleset(ruleset: Ruleset, frame: pl.LazyFrame | pl.DataFrame) -> RulesetResult:
    """Evaluate every enabled rule over every row, one query per set of columns the checks read."""
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    plans = []
    exprs: list[pl.Expr] = [pl.len().alias("__rows")]
    for index, rule in enumerate(ruleset.rules):
        if rule.disabled:
            plans.append(None)
            continue
        # Rules built in code (not by parse_ruleset) are parsed here.
        where, selected = f"rule {rule.name!r}", bool(rule.column_selectors)
        check = rule.check or parse_check(rule.check_expression, where, rule.substitution_map, selected)
        targets: list[str | None] = list(_resolve(rule, schema)) if rule.column_selectors else [None]
        compiled = [
            compile_rule(check, rule.name, rule.substitution_map, schema, target, f"r{index}t{n}", rule.threshold)
            for n, target in enumerate(targets)
        ]
        for item in compiled:
            exprs += item.exprs
        plans.append(compiled)
    row = _aggregate_by_columns(lazy, exprs)
    rows = int(row["__rows"])
    if any(_counts_duplicate_rows(rule) for rule in ruleset.rules if not rule.disabled):
        row[DUPLICATE_ROWS] = count_duplicate_rows(lazy)
    results = []
    for rule, compiled in zip(ruleset.rules, plans):
        expected = substitute(rule.check_expression, rule.substitution_map)
        if compiled is None:
            results.append(RuleResult(rule.name, None, expected, (), rule.blocking))
            continue
        outcomes = tuple(Outcome(item.target, *item.judge(row, rows, len(schema))) for item in compiled)
        if not compiled[0].aggregate:
            expected = f"{expected} for {(rule.threshold or ALL_ROWS).describe()}"
        columns = tuple(dict.fromkeys(c for item in compiled for c in item.columns))
        results.append(RuleResult(rule.name, all(o.passed for o in outcomes), expected, columns, rule.blocking, outcomes))
    return RulesetResult(ruleset.name, tuple(results), rows)


def _counts_duplicate_rows(rule: Rule) -> bool:
    check = rule.check or parse_check(rule.check_expression, f"rule {rule.name!r}", rule.substitution_map,
                                      bool(rule.column_selectors))
    return check.aggregate and any(
        isinstance(leaf.left, Agg) and leaf.left.metric.startswith("DUPLICATE_ROWS") for leaf in check.leaves()
    )


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_show(v)}" for k, v in value.items())
    return "—" if value is None else str(value)


def render_ruleset_result(result: RulesetResult, console: Console) -> None:
    """One row per rule and target: status, whether it blocks, what was seen and expected."""
    table = Table(title=f"Ruleset {result.ruleset} ({result.rows:,} rows)")
    for heading in ("Rule", "Status", "Blocking", "Target", "Observed", "Expected"):
        table.add_column(heading)
    styles = {"SUCCEEDED": "green", "FAILED": "red", "SKIPPED": "dim"}
    for rule in result.rules:
        status = f"[{styles[rule.status]}]{rule.status}[/]"
        blocking = "yes" if rule.blocking else "no"
        if not rule.outcomes:
            table.add_row(rule.name, status, blocking, "—", "—", rule.expected)
        for n, outcome in enumerate(rule.outcomes):
            mark = "" if outcome.passed else " ✗"
            first = n == 0
            table.add_row(rule.name if first else "", status if first else "", blocking if first else "",
                          outcome.target, _show(outcome.observed) + mark, rule.expected if first else "")
    console.print(table)
    state = "[green]SUCCEEDED[/]" if result.passed else "[red]FAILED[/]"
    console.print(f"Validation {state}: {len(result.failed)} failed, {len(result.failed_blocking)} blocking")
