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

Check expressions (https://docs.aws.amazon.com/databrew/latest/dg/profile.data-quality-available-checks.html),
parsed by a small recursive-descent parser, never eval; keywords are case-insensitive:

    check      := disjunct ("or" disjunct)*        disjunct := atom ("and" atom)*
    atom       := "(" check ")" | [operand] predicate
    operand    := :col | length(:col) | AGG(METRIC [, :param])      (no operand: the selected column)
    predicate  := ["not"] ( cmp :v | is_between :lo and :hi | in :list
                          | starts_with :v | ends_with :v | contains :v | matches :regex )
    cmp        := == | != | < | <= | > | >= | eq | lt | lte | gt | gte | is | is not
                | less_than | less_than_equal | greater_than | greater_than_equal

Values come from SubstitutionMap; a value in backticks ("`fed_rate`") names a column. AGG checks
compare one statistic with a number; value checks count the rows that satisfy the expression and
compare that with the Threshold (default: 100% of rows). A missing value (see `profile.missing_mask`)
never satisfies a value check, negated or not. Counting percentages use all rows as the base.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from lakehouse.errors import TerminalError
from lakehouse.recipes.profile import is_complex, is_text, missing_mask, percentage, present

Scalar = int | float | str | None

__all__ = [
    "ColumnSelector", "Outcome", "Rule", "RuleResult", "Ruleset", "RulesetError", "RulesetResult", "Threshold",
    "evaluate_ruleset", "load_ruleset", "parse_ruleset", "render_ruleset_result",
]


class RulesetError(TerminalError):
    """A ruleset that cannot be loaded or evaluated; the message names the rule and the token."""


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


# -- check expressions: tokenizer and parser --------------------------------------------------

_EXPRESSION = re.compile(r"^[<>0-9A-Za-z_.,:)(!= ]{4,1024}$")  # CheckExpression's API pattern
_TOKEN = re.compile(
    r"\s*(?:(?P<var>:[A-Za-z0-9_]+)|(?P<op>==|!=|<=|>=|<|>)|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<bad>[^\s(),]+))"
)
_ALIASES = {
    "eq": "==", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "less_than": "<", "less_than_equal": "<=",
    "greater_than": ">", "greater_than_equal": ">=",
}
_CONDITIONS = ("is_between", "in", "starts_with", "ends_with", "contains", "matches")
_ORDERING = ("<", "<=", ">", ">=", "is_between")
_DATASET_METRICS = ("ROWS_COUNT", "COLUMNS_COUNT", "DUPLICATE_ROWS_COUNT", "DUPLICATE_ROWS_PERCENTAGE")
_COUNTED = ("MISSING_VALUES", "DUPLICATE_VALUES", "VALID_VALUES", "DISTINCT_VALUES", "UNIQUE_VALUES", "Z_SCORE_OUTLIERS")
_STATISTICS = (
    "MIN", "MAX", "MEDIAN", "MEAN", "MODE", "STANDARD_DEVIATION", "ENTROPY", "SUM", "KURTOSIS", "SKEWNESS",
    "VARIANCE", "MEDIAN_ABSOLUTE_DEVIATION", "QUANTILE",
)
_METRICS = _DATASET_METRICS + tuple(f"{c}_{u}" for c in _COUNTED for u in ("COUNT", "PERCENTAGE")) + _STATISTICS
_QUANTILES = ("0.25", "0.5", "0.75")  # the documented choices
_DEFAULT_Z = 3.0  # the profile job's default outlier threshold


@dataclass(frozen=True)
class Operand:
    kind: str  # "column" | "length" | "implicit" (the column a ColumnSelector picked)
    var: str | None = None


@dataclass(frozen=True)
class Agg:
    metric: str
    param: str | None = None

    def label(self) -> str:
        return f"AGG({self.metric}{', ' + self.param if self.param else ''})"


@dataclass(frozen=True)
class Condition:
    left: Operand | Agg
    op: str  # ==, !=, <, <=, >, >=, or one of _CONDITIONS
    args: tuple[str, ...]  # substitution variables
    negated: bool = False


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or"
    parts: tuple[Node, ...]


Node = Condition | Logic


@dataclass(frozen=True)
class Check:
    root: Node
    aggregate: bool

    def leaves(self) -> list[Condition]:
        return _leaves(self.root)


def _leaves(node: Node) -> list[Condition]:
    return [node] if isinstance(node, Condition) else [leaf for part in node.parts for leaf in _leaves(part)]


def _hint(token: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(token.upper(), [c.upper() for c in choices], n=1)
    return f" (did you mean {close[0]}?)" if close else ""


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.where = where
        self.tokens: list[tuple[str, str]] = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup or "bad"
            token = match.group(kind)
            if kind == "bad":
                raise RulesetError(f"{where}: unexpected {token!r} in CheckExpression (values go in SubstitutionMap)")
            self.tokens.append((kind, token))
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "end of expression")

    def word(self, *words: str) -> bool:
        kind, text = self.peek()
        return kind == "word" and text.lower() in words

    def take(self, kind: str, text: str | None = None) -> str:
        found_kind, found = self.peek()
        if found_kind != kind or (text is not None and found.lower() != text):
            wanted = text or {"var": "a :variable", "word": "a name", "punct": "punctuation"}.get(kind, kind)
            raise RulesetError(f"{self.where}: expected {wanted} but found {found!r}")
        self.pos += 1
        return found

    def parse(self) -> Node:
        node = self.disjunction()
        if self.pos != len(self.tokens):
            raise RulesetError(f"{self.where}: unexpected {self.peek()[1]!r} after a complete check")
        return node

    def disjunction(self) -> Node:
        parts = [self.conjunction()]
        while self.word("or"):
            self.pos += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Logic("or", tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.atom()]
        while self.word("and"):
            self.pos += 1
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else Logic("and", tuple(parts))

    def atom(self) -> Node:
        kind, text = self.peek()
        if (kind, text) == ("punct", "("):
            self.pos += 1
            node = self.disjunction()
            self.take("punct", ")")
            return node
        left: Operand | Agg
        if self.word("agg") and self.peek(1) == ("punct", "("):
            self.pos += 2
            metric = self.take("word").upper()
            if metric not in _METRICS:
                raise RulesetError(f"{self.where}: unknown metric {metric!r}{_hint(metric, _METRICS)}")
            param = None
            if self.peek() == ("punct", ","):
                self.pos += 1
                param = self.take("var")
            self.take("punct", ")")
            left = Agg(metric, param)
        elif self.word("length") and self.peek(1) == ("punct", "("):
            self.pos += 2
            left = Operand("length", self.take("var"))
            self.take("punct", ")")
        elif kind == "var":
            self.pos += 1
            left = Operand("column", text)
        else:
            left = Operand("implicit")
        return self.predicate(left)

    def predicate(self, left: Operand | Agg) -> Condition:
        negated = self.word("not")
        self.pos += negated
        kind, text = self.peek()
        lowered = text.lower()
        if kind == "op":
            op = text
        elif kind == "word" and lowered in _ALIASES:
            op = _ALIASES[lowered]
        elif kind == "word" and lowered == "is":
            op = "=="
            if self.peek(1)[0] == "word" and self.peek(1)[1].lower() == "not":
                self.pos += 1
                op = "!="
        elif kind == "word" and lowered in _CONDITIONS:
            op = lowered
        elif kind == "end":
            raise RulesetError(f"{self.where}: CheckExpression ends where a condition was expected")
        else:
            choices = tuple(_ALIASES) + _CONDITIONS
            raise RulesetError(f"{self.where}: unknown operator {text!r}{_hint(text, choices) if kind == 'word' else ''}")
        self.pos += 1
        args = [self.take("var")]
        if op == "is_between":
            self.take("word", "and")
            args.append(self.take("var"))
        return Condition(left, op, tuple(args), negated)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check_values(leaf: Condition, where: str, values: dict[str, str]) -> None:
    """What can be checked before seeing the data: variables exist and literals have the right form."""
    variables = list(leaf.args) + [v for v in (getattr(leaf.left, "var", None), getattr(leaf.left, "param", None)) if v]
    for var in variables:
        if var not in values:
            raise RulesetError(f"{where}: {var} is not in SubstitutionMap")
    if isinstance(leaf.left, Agg):
        agg = leaf.left
        if leaf.op in _CONDITIONS[1:]:
            raise RulesetError(f"{where}: {agg.label()} takes a numeric comparison, not {leaf.op!r}")
        for var in leaf.args:
            if _number(values[var]) is None:
                raise RulesetError(f"{where}: {var} = {values[var]!r} is not a number")
        if agg.metric == "QUANTILE" and (agg.param is None or values[agg.param] not in _QUANTILES):
            raise RulesetError(f"{where}: AGG(QUANTILE, :pct) needs :pct one of {', '.join(_QUANTILES)}")
        if agg.param and agg.metric not in ("QUANTILE", "Z_SCORE_OUTLIERS_COUNT"):
            raise RulesetError(f"{where}: AGG({agg.metric}) takes no parameter {agg.param}")
        if agg.param and agg.metric == "Z_SCORE_OUTLIERS_COUNT" and (_number(values[agg.param]) or -1) < 0:
            raise RulesetError(f"{where}: {agg.param} = {values[agg.param]!r} is not a z-score threshold >= 0")
        return
    if leaf.op == "in":
        try:
            items = json.loads(values[leaf.args[0]])
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list):
            raise RulesetError(f"{where}: {leaf.args[0]} must be a JSON list for 'in'")
    if leaf.op == "matches" and not _is_column(values[leaf.args[0]]):
        try:
            pl.Series([""]).str.contains(values[leaf.args[0]])
        except pl.exceptions.PolarsError:
            raise RulesetError(f"{where}: {leaf.args[0]} = {values[leaf.args[0]]!r} is not a valid regex") from None


def parse_check(expression: str, where: str, values: dict[str, str], has_selectors: bool) -> Check:
    """Parse and statically validate one CheckExpression against its rule's other fields."""
    if not _EXPRESSION.match(expression):
        raise RulesetError(f"{where}: CheckExpression must be 4-1024 characters of letters, digits, spaces and _.,:()<>!=")
    root = _Parser(expression, where).parse()
    leaves = _leaves(root)
    aggregates = [leaf for leaf in leaves if isinstance(leaf.left, Agg)]
    if aggregates and len(aggregates) != len(leaves):
        raise RulesetError(f"{where}: AGG(...) checks cannot be combined with value checks in one rule")
    for leaf in leaves:
        _check_values(leaf, where, values)
        if isinstance(leaf.left, Agg):
            dataset = leaf.left.metric in _DATASET_METRICS
            if dataset and has_selectors:
                raise RulesetError(f"{where}: {leaf.left.label()} is a dataset metric and takes no ColumnSelectors")
            if not dataset and not has_selectors:
                raise RulesetError(f"{where}: {leaf.left.label()} needs ColumnSelectors naming its columns")
        elif leaf.left.kind == "implicit" and not has_selectors:
            raise RulesetError(f"{where}: a check without a column (e.g. '{leaf.op} {leaf.args[0]}') needs ColumnSelectors")
        elif leaf.left.kind != "implicit" and has_selectors:
            raise RulesetError(f"{where}: with ColumnSelectors, leave the column out of the check ({leaf.left.var})")
    return Check(root, bool(aggregates))


def substitute(expression: str, values: dict[str, str]) -> str:
    """The expression with each :variable replaced by its value, for people to read."""
    return re.sub(r":[A-Za-z0-9_]+", lambda m: values.get(m.group(0), m.group(0)), expression)


# -- compiling checks to Polars ---------------------------------------------------------------


def _is_column(value: str) -> bool:
    return len(value) > 2 and value.startswith("`") and value.endswith("`")


def _as_number(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


@dataclass(frozen=True)
class Compiled:
    """One rule on one target: the aggregates to add to the shared select, and how to judge them."""

    target: str
    aggregate: bool
    columns: tuple[str, ...]
    exprs: list[pl.Expr]
    judge: Callable[[dict[str, Any], int, int], tuple[Any, bool]]


class _Compiler:
    def __init__(self, rule: str, values: dict[str, str], schema: pl.Schema, target: str | None, key: str) -> None:
        self.where, self.values, self.schema, self.target, self.key = f"rule {rule!r}", values, schema, target, key
        self.columns: list[str] = [target] if target else []
        self.exprs: list[pl.Expr] = []

    def column(self, var: str) -> str:
        name = self.values[var]
        name = name[1:-1] if _is_column(name) else name
        if name not in self.schema:
            raise RulesetError(f"{self.where}: unknown column {name!r} ({var})")
        self.columns.append(name)
        return name

    def masked(self, name: str) -> pl.Expr:
        dtype = self.schema[name]
        column = pl.col(name).cast(pl.String) if is_text(dtype) else pl.col(name)
        return pl.when(missing_mask(name, dtype)).then(None).otherwise(column)

    def operand(self, left: Operand) -> tuple[pl.Expr, pl.DataType]:
        name = self.target if left.kind == "implicit" else self.column(left.var or "")
        assert name is not None
        dtype = self.schema[name]
        if left.kind == "length":
            return self.masked(name).cast(pl.String).str.len_chars(), pl.UInt32()
        return self.masked(name), (pl.String() if is_text(dtype) else dtype)

    def literal(self, text: str, dtype: pl.DataType, var: str) -> Any:
        """A substitution value as a Python value comparable with a column of `dtype`."""
        try:
            if dtype.is_numeric():
                return float(text)
            if dtype == pl.Date:
                return date.fromisoformat(text)
            if isinstance(dtype, pl.Datetime):
                return datetime.fromisoformat(text)
            if dtype == pl.Boolean:
                return {"true": True, "false": False}[text.strip().lower()]
        except (ValueError, KeyError):
            raise RulesetError(f"{self.where}: {var} = {text!r} is not a {dtype} value") from None
        return text

    def value(self, var: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.DataType]:
        """The right-hand side: another column (in backticks) or a literal read as `dtype`."""
        raw = self.values[var]
        if _is_column(raw):
            other = self.column(var)
            return self.masked(other), (pl.String() if is_text(self.schema[other]) else self.schema[other])
        return pl.lit(self.literal(raw, dtype, var)), dtype

    def condition(self, leaf: Condition) -> pl.Expr:
        assert isinstance(leaf.left, Operand)
        left, dtype = self.operand(leaf.left)
        op = leaf.op
        if op in ("starts_with", "ends_with", "contains", "matches"):
            right, _ = self.value(leaf.args[0], pl.String())
            text, pattern = left.cast(pl.String).str, right.cast(pl.String)
            predicate = {
                "starts_with": lambda: text.starts_with(pattern), "ends_with": lambda: text.ends_with(pattern),
                "contains": lambda: text.contains(pattern, literal=True), "matches": lambda: text.contains(pattern),
            }[op]()
        elif op == "in":
            listed = json.loads(self.values[leaf.args[0]])
            items = [item if isinstance(item, str) else json.dumps(item) for item in listed]
            if dtype.is_numeric():
                left = left.cast(pl.Float64)
            predicate = left.is_in([self.literal(item, dtype, leaf.args[0]) for item in items])
        else:
            ordering = op in _ORDERING
            if ordering and dtype == pl.String:  # ordering text compares the numbers it holds
                left, dtype = _as_number(left), pl.Float64()
            rights = []
            for var in leaf.args:
                right, kind = self.value(var, dtype)
                if kind != dtype and not (kind.is_numeric() and dtype.is_numeric()):
                    # Two columns of different types: numbers for ordering, text for equality.
                    cast = _as_number if ordering else (lambda e: e.cast(pl.String))
                    left, right = cast(left), cast(right)
                rights.append(right)
            predicate = {
                "==": lambda: left == rights[0], "!=": lambda: left != rights[0],
                "<": lambda: left < rights[0], "<=": lambda: left <= rights[0],
                ">": lambda: left > rights[0], ">=": lambda: left >= rights[0],
                "is_between": lambda: left.is_between(rights[0], rights[-1], closed="both"),
            }[op]()
        return ~predicate if leaf.negated else predicate

    def predicate(self, node: Node) -> pl.Expr:
        if isinstance(node, Condition):
            return self.condition(node)
        parts = [self.predicate(part) for part in node.parts]
        return functools.reduce(lambda a, b: (a & b) if node.op == "and" else (a | b), parts)

    def metric(self, agg: Agg, alias: str) -> Callable[[dict[str, Any], int, int], Any]:
        """Add the aggregate behind one AGG(...) to the select; return how to read its value."""
        base = agg.metric.removesuffix("_COUNT").removesuffix("_PERCENTAGE")
        as_percentage = agg.metric.endswith("_PERCENTAGE")

        def read(row: dict[str, Any], rows: int, columns: int) -> Any:
            if agg.metric == "ROWS_COUNT":
                return rows
            if agg.metric == "COLUMNS_COUNT":
                return columns
            value = row[alias]
            if as_percentage:
                return percentage(value or 0, rows)
            return None if isinstance(value, float) and not math.isfinite(value) else value

        if agg.metric in ("ROWS_COUNT", "COLUMNS_COUNT"):
            return read
        if base == "DUPLICATE_ROWS":
            duplicates = pl.len() - pl.struct(pl.all()).n_unique() if self.schema else pl.lit(0)
            self.exprs.append(duplicates.alias(alias))
            return read
        assert self.target is not None
        name, dtype = self.target, self.schema[self.target]
        if is_complex(dtype):
            raise RulesetError(f"{self.where}: column {name!r} is {dtype}; data quality rules take simple types only")
        values = present(name, dtype)
        counted = {
            "MISSING_VALUES": lambda: missing_mask(name, dtype).sum(),
            "VALID_VALUES": lambda: values.count(),
            "DISTINCT_VALUES": lambda: values.n_unique(),
            "UNIQUE_VALUES": lambda: values.is_unique().sum(),
            "DUPLICATE_VALUES": lambda: values.count() - values.n_unique(),
            "ENTROPY": lambda: values.value_counts(name="count").struct.field("count").entropy(base=2),
        }
        if base in counted:
            self.exprs.append(counted[base]().alias(alias))
            return read
        # Numerical statistics read numbers, or string lengths as DataBrew's profile does.
        if dtype.is_numeric():
            number = values.cast(pl.Float64)
        elif is_text(dtype):
            number = values.str.len_chars().cast(pl.Float64)
        else:
            raise RulesetError(f"{self.where}: {agg.label()} needs a numeric or text column; {name!r} is {dtype}")
        z = _number(self.values[agg.param]) if agg.param and base == "Z_SCORE_OUTLIERS" else _DEFAULT_Z
        statistic = {
            "Z_SCORE_OUTLIERS": lambda: (((number - number.mean()) / number.std()).abs() > z).sum(),
            "MIN": number.min, "MAX": number.max, "MEAN": number.mean, "MEDIAN": number.median,
            "SUM": number.sum, "STANDARD_DEVIATION": number.std, "VARIANCE": number.var,
            "KURTOSIS": number.kurtosis, "SKEWNESS": number.skew,
            "MODE": lambda: number.mode().min(),
            "MEDIAN_ABSOLUTE_DEVIATION": lambda: (number - number.median()).abs().median(),
            "QUANTILE": lambda: number.quantile(float(self.values[agg.param or ""]), "linear"),
        }[base]
        self.exprs.append(statistic().alias(alias))
        return read


def compile_rule(
    check: Check, rule: str, values: dict[str, str], schema: pl.Schema, target: str | None, key: str,
    threshold: Threshold | None,
) -> Compiled:
    """Build one rule's aggregates for one target column (None: explicit columns or the dataset)."""
    compiler = _Compiler(rule, values, schema, target, key)
    if not check.aggregate:
        satisfied = f"{key}:satisfied"
        compiler.exprs.append(compiler.predicate(check.root).fill_null(False).sum().alias(satisfied))
        limit = threshold or ALL_ROWS

        def judge_rows(row: dict[str, Any], rows: int, columns: int) -> tuple[Any, bool]:
            count = int(row[satisfied])
            observed = count if limit.unit == "COUNT" else (count * 100.0 / rows if rows else 100.0)
            return observed, _holds(observed, _THRESHOLD_TYPES[limit.type], [limit.value])

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
            outcome = value is not None and _holds(value, node.op, [float(values[v]) for v in node.args])
            return outcome != node.negated if value is not None else False

        passed = holds(check.root)
        return (next(iter(seen.values())) if len(seen) == 1 else seen), passed

    return Compiled(target or "(dataset)", True, tuple(dict.fromkeys(compiler.columns)), compiler.exprs, judge_metrics)


def _holds(observed: float, op: str, expected: list[float]) -> bool:
    if op == "is_between":
        return expected[0] <= observed <= expected[-1]
    return {
        "==": observed == expected[0], "!=": observed != expected[0], "<": observed < expected[0],
        "<=": observed <= expected[0], ">": observed > expected[0], ">=": observed >= expected[0],
    }[op]

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


def evaluate_ruleset(ruleset: Ruleset, frame: pl.LazyFrame | pl.DataFrame) -> RulesetResult:
    """Evaluate every enabled rule with a single `select` over the frame."""
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
    row = lazy.select(exprs).collect().row(0, named=True)
    rows = int(row["__rows"])
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
