"""DataBrew CheckExpressions: tokenizer, recursive-descent parser, Check AST and compiler to Polars.

A rule's CheckExpression (https://docs.aws.amazon.com/databrew/latest/dg/profile.data-quality-available-checks.html)
is parsed by a small recursive-descent parser, never eval; keywords are case-insensitive:

    check      := disjunct ("or" disjunct)*        disjunct := atom ("and" atom)*
    atom       := "(" check ")" | [operand] predicate
    operand    := :col | length(:col) | AGG(METRIC [, :param])      (no operand: the selected column)
    predicate  := ["not"] ( cmp :v | is_between :lo and :hi | in :list
                          | starts_with :v | ends_with :v | contains :v | matches :regex )
    cmp        := == | != | < | <= | > | >= | eq | lt | lte | gt | gte | is | is not
                | less_than | less_than_equal | greater_than | greater_than_equal

Values come from the rule's SubstitutionMap; a value in backticks ("`fed_rate`") names a column.
`parse_check` validates all it can before seeing data; `Compiler` turns a check on one target into
Polars expressions: a row predicate, or the aggregate behind each AGG(...). A missing value (see
`profile.missing_mask`) never satisfies a value check, negated or not.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from lakehouse.errors import TerminalError
from lakehouse.recipes.profile import is_complex, is_text, missing_mask, percentage, present


class RulesetError(TerminalError):
    """A ruleset that cannot be loaded or evaluated; the message names the rule and the token."""


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
_QUANTILES = ("0.25", "0.5", "0.75")
DUPLICATE_ROWS = "__duplicate_rows"  # the evaluation's row key holding the dataset's duplicate rows  # the documented choices
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


# -- compiling checks to Polars ---------------------------------------------------------------


def _is_column(value: str) -> bool:
    return len(value) > 2 and value.startswith("`") and value.endswith("`")


def _as_number(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


class Compiler:
    """Polars expressions for one parsed check on one target column (None: explicit columns or the dataset)."""

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
            # Counted once per evaluation outside the select (row_hash.count_duplicate_rows):
            # an n_unique over whole rows would hold every distinct row in memory.
            def read_duplicates(row: dict[str, Any], rows: int, columns: int) -> Any:
                return percentage(row[DUPLICATE_ROWS], rows) if as_percentage else row[DUPLICATE_ROWS]

            return read_duplicates
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


def compare(observed: float, op: str, expected: list[float]) -> bool:
    """Whether `observed op expected` holds; is_between takes [low, high]."""
    if op == "is_between":
        return expected[0] <= observed <= expected[-1]
    return {
        "==": observed == expected[0], "!=": observed != expected[0], "<": observed < expected[0],
        "<=": observed <= expected[0], ">": observed > expected[0], ">=": observed >= expected[0],
    }[op]
