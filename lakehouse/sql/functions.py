"""The Athena functions the local engine supports, and how each reaches DuckDB.

`FUNCTIONS` is the documented table (docs/athena-functions.md is generated from it,
and a test keeps the two equal): name → category, an example call, a note on any
difference from Athena, and the rewrite used when sqlglot's own DuckDB translation is
wrong or missing. A call to anything else is Athena's FUNCTION_NOT_FOUND error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from lakehouse.errors import QueryError
from lakehouse.sql import rewrites as rw
from lakehouse.sql import rewrites_collections as rc
from lakehouse.sql.rewrites import NAME_KEY  # the meta key parse_athena sets on each call

# Call-like syntax that is not a function in Athena's sense (CAST, ARRAY[…], ROW(…)).
SYNTAX = (exp.Cast, exp.TryCast, exp.Array, exp.Struct, exp.Tuple, exp.Unnest)


STRING, DATETIME, MATH, AGGREGATE, WINDOW = "string", "date/time", "math", "aggregate", "window"
ARRAY, MAP, JSON, REGEXP, CONDITIONAL = "array", "map", "JSON", "regexp", "conditional"
_WS = "trims Java whitespace (tab, newline …) as Athena does; DuckDB trims only spaces"
_APPROX = "approximate in both engines; small inputs agree, large ones may differ slightly"
_MYSQL = "MySQL specifiers → strftime; %D %U %u %V %w %X are errors as in Athena; the format must be a literal"
_JODA = "Joda pattern → strftime; zone (z, Z), era and 'K'/'k' hours are NOT_SUPPORTED; the pattern must be a literal"
_UTC = "a `timestamp` in UTC (Athena: `timestamp(3) with time zone`, session zone UTC)"
_SETS = "duplicates removed, first appearance order kept (DuckDB's list_distinct reorders)"
_RE2 = "DuckDB uses RE2: Java-only syntax (lookbehind, possessive quantifiers) is an error; (?<name>…) is rewritten"

TABLE: tuple[tuple[str, str, str, str, rw.Rewrite | None], ...] = (
    ("chr", STRING, "chr(65)", "", None),
    ("codepoint", STRING, "codepoint('A')", "DuckDB `unicode`", rw.renamed("UNICODE")),
    ("concat", STRING, "concat('a', 'b', 'c')", "NULL if any argument is NULL; also joins arrays", None),
    ("concat_ws", STRING, "concat_ws('-', 'a', NULL, 'b')", "NULL arguments are skipped", None),
    ("hamming_distance", STRING, "hamming_distance('abc', 'abd')", "DuckDB `hamming`", rw.renamed("HAMMING")),
    ("length", STRING, "length('héllo')", "characters, not bytes", None),
    ("levenshtein_distance", STRING, "levenshtein_distance('kitten', 'sitting')", "", None),
    ("lower", STRING, "lower('AbC')", "", None),
    ("lpad", STRING, "lpad('7', 3, '0')", "", None),
    ("ltrim", STRING, "ltrim('  a ')", _WS, rw.trim),
    ("position", STRING, "position('l' IN 'hello')", "", None),
    ("replace", STRING, "replace('a-b-c', '-', '+')", "", None),
    ("reverse", STRING, "reverse('abc')", "also reverses an array (DuckDB `list_reverse`)", rw.reverse),
    ("rpad", STRING, "rpad('7', 3, '0')", "", None),
    ("rtrim", STRING, "rtrim(' a  ')", _WS, rw.trim),
    ("split", STRING, "split('a,b,,c', ',')", "", None),
    ("split_part", STRING, "split_part('a,b,c', ',', 2)", "NULL past the last field (DuckDB: '')", rw.split_part),
    ("starts_with", STRING, "starts_with('hello', 'he')", "", None),
    ("strpos", STRING, "strpos('hello', 'l')", "0 when absent", None),
    ("substr", STRING, "substr('hello', 2, 3)", "start 0, a start before the string or a negative length give '' as in Athena", rw.substr),
    ("substring", STRING, "substring('hello', -3)", "same as substr", rw.substr),
    ("trim", STRING, "trim('  a  ')", _WS, rw.trim),
    ("upper", STRING, "upper('abc')", "", None),
    ("current_date", DATETIME, "current_date", "the UTC date, whatever the machine's zone", rw.current_date),
    ("current_timestamp", DATETIME, "current_timestamp", _UTC, rw.current_timestamp),
    ("date", DATETIME, "date('2024-07-01')", "", None),
    ("date_add", DATETIME, "date_add('month', 1, DATE '2024-01-31')", "a DATE stays a DATE (DuckDB returns a timestamp)", rw.keep_date),
    ("date_diff", DATETIME, "date_diff('month', DATE '2024-01-31', DATE '2024-02-29')", "whole units elapsed, as Athena (DuckDB's date_diff counts boundaries crossed; DuckDB `date_sub` is used)", rw.date_diff),
    ("date_format", DATETIME, "date_format(TIMESTAMP '2024-07-01 13:05:09', '%Y-%m-%d %H:%i')", _MYSQL, rw.date_format),
    ("date_parse", DATETIME, "date_parse('2024-07-01 13:05', '%Y-%m-%d %H:%i')", _MYSQL, rw.date_parse),
    ("date_trunc", DATETIME, "date_trunc('month', DATE '2024-07-15')", "a DATE stays a DATE", rw.keep_date),
    ("day", DATETIME, "day(DATE '2024-07-15')", "", None),
    ("day_of_month", DATETIME, "day_of_month(DATE '2024-07-15')", "", None),
    ("day_of_week", DATETIME, "day_of_week(DATE '2024-07-14')", "ISO: Monday 1 … Sunday 7", None),
    ("day_of_year", DATETIME, "day_of_year(DATE '2024-02-01')", "", None),
    ("dow", DATETIME, "dow(DATE '2024-07-14')", "ISO: Monday 1 … Sunday 7", None),
    ("doy", DATETIME, "doy(DATE '2024-02-01')", "", None),
    ("extract", DATETIME, "extract(DOW FROM DATE '2024-07-14')", "DOW is ISO (Monday 1) as in Athena; DuckDB's DOW has Sunday 0", rw.extract),
    ("format_datetime", DATETIME, "format_datetime(TIMESTAMP '2024-07-01 13:05:09', 'yyyy-MM-dd HH:mm')", _JODA, rw.format_datetime),
    ("from_iso8601_date", DATETIME, "from_iso8601_date('2024-07-01')", "", None),
    ("from_iso8601_timestamp", DATETIME, "from_iso8601_timestamp('2024-07-01T10:00:00+02:00')", _UTC, rw.from_iso8601_timestamp),
    ("from_unixtime", DATETIME, "from_unixtime(1719835200)", "a UTC `timestamp` to the millisecond; the zone-taking forms are NOT_SUPPORTED", rw.from_unixtime),
    ("hour", DATETIME, "hour(TIMESTAMP '2024-07-01 13:05:09')", "", None),
    ("last_day_of_month", DATETIME, "last_day_of_month(DATE '2024-02-10')", "", None),
    ("millisecond", DATETIME, "millisecond(TIMESTAMP '2024-07-01 13:05:09.123')", "of the second (DuckDB's counts from the minute)", rw.millisecond),
    ("minute", DATETIME, "minute(TIMESTAMP '2024-07-01 13:05:09')", "", None),
    ("month", DATETIME, "month(DATE '2024-07-15')", "", None),
    ("now", DATETIME, "now()", _UTC, rw.current_timestamp),
    ("parse_datetime", DATETIME, "parse_datetime('2024-07-01 13:05', 'yyyy-MM-dd HH:mm')", _JODA + "; returns a `timestamp`", rw.parse_datetime),
    ("quarter", DATETIME, "quarter(DATE '2024-07-15')", "", None),
    ("second", DATETIME, "second(TIMESTAMP '2024-07-01 13:05:09')", "", None),
    ("to_iso8601", DATETIME, "to_iso8601(TIMESTAMP '2024-07-01 13:05:09.123')", "timestamp(p) prints p fraction digits (3 for columns); DATE prints the date", rw.to_iso8601),
    ("to_unixtime", DATETIME, "to_unixtime(TIMESTAMP '2024-07-01 12:00:00')", "", None),
    ("week", DATETIME, "week(DATE '2024-01-01')", "ISO week", None),
    ("week_of_year", DATETIME, "week_of_year(DATE '2024-01-01')", "ISO week", None),
    ("year", DATETIME, "year(DATE '2024-07-15')", "", None),
    ("year_of_week", DATETIME, "year_of_week(DATE '2021-01-01')", "ISO week-year", None),
    ("yow", DATETIME, "yow(DATE '2021-01-01')", "ISO week-year (DuckDB `isoyear`)", rw.renamed("ISOYEAR")),
    ("abs", MATH, "abs(-3)", "", None),
    ("acos", MATH, "acos(1)", "", None),
    ("asin", MATH, "asin(0)", "", None),
    ("atan", MATH, "atan(0)", "", None),
    ("atan2", MATH, "atan2(0, 1)", "", None),
    ("ceil", MATH, "ceil(1.2)", "", None),
    ("ceiling", MATH, "ceiling(1.2)", "", None),
    ("cos", MATH, "cos(0)", "", None),
    ("degrees", MATH, "degrees(pi())", "", None),
    ("e", MATH, "e()", "DuckDB `exp(1)`", rw.constant_e),
    ("exp", MATH, "exp(1)", "", None),
    ("floor", MATH, "floor(1.8)", "", None),
    ("greatest", MATH, "greatest(1, 5, 3)", "NULL if any argument is NULL", None),
    ("infinity", MATH, "infinity()", "", rw.constant("Infinity")),
    ("is_finite", MATH, "is_finite(1E0)", "DuckDB `isfinite`", rw.renamed("ISFINITE")),
    ("is_infinite", MATH, "is_infinite(infinity())", "DuckDB `isinf`", rw.renamed("ISINF")),
    ("is_nan", MATH, "is_nan(nan())", "", None),
    ("least", MATH, "least(1, 5, 3)", "NULL if any argument is NULL", None),
    ("ln", MATH, "ln(1)", "", None),
    ("log", MATH, "log(2, 8)", "ln(x) / ln(b), to the last bit as Athena", rw.log),
    ("log10", MATH, "log10(1000)", "", rw.log10),
    ("log2", MATH, "log2(8)", "ln(x) / ln(2), to the last bit as Athena", rw.log),
    ("mod", MATH, "mod(-7, 3)", "sign of the dividend", None),
    ("nan", MATH, "nan()", "", rw.constant("NaN")),
    ("pi", MATH, "pi()", "", None),
    ("pow", MATH, "pow(2, 10)", "", None),
    ("power", MATH, "power(2, 10)", "", None),
    ("radians", MATH, "radians(180)", "", None),
    ("rand", MATH, "rand()", "rand(n) and rand(m, n) give integers as in Athena", rw.random),
    ("random", MATH, "random()", "random(n) and random(m, n) give integers as in Athena", rw.random),
    ("round", MATH, "round(2.5)", "half away from zero, for decimals and doubles", None),
    ("sign", MATH, "sign(-3)", "", None),
    ("sin", MATH, "sin(0)", "", None),
    ("sqrt", MATH, "sqrt(16)", "", None),
    ("tan", MATH, "tan(0)", "", None),
    ("truncate", MATH, "truncate(-1.7)", "", None),
    ("any_value", AGGREGATE, "any_value(x)", "", None),
    ("approx_distinct", AGGREGATE, "approx_distinct(x)", _APPROX, None),
    ("approx_percentile", AGGREGATE, "approx_percentile(x, 0.5)", _APPROX, None),
    ("arbitrary", AGGREGATE, "arbitrary(x)", "", None),
    ("array_agg", AGGREGATE, "array_agg(x ORDER BY x)", "keeps NULLs", None),
    ("avg", AGGREGATE, "avg(x)", "", None),
    ("bool_and", AGGREGATE, "bool_and(x > 0)", "", None),
    ("bool_or", AGGREGATE, "bool_or(x > 0)", "", None),
    ("corr", AGGREGATE, "corr(x, y)", "", None),
    ("count", AGGREGATE, "count(*)", "", None),
    ("count_if", AGGREGATE, "count_if(x > 1)", "", None),
    ("covar_pop", AGGREGATE, "covar_pop(x, y)", "", None),
    ("covar_samp", AGGREGATE, "covar_samp(x, y)", "", None),
    ("every", AGGREGATE, "every(x > 0)", "DuckDB `bool_and`", rw.renamed("BOOL_AND")),
    ("geometric_mean", AGGREGATE, "geometric_mean(x)", "", None),
    ("histogram", AGGREGATE, "histogram(x)", "", None),
    ("listagg", AGGREGATE, "listagg(x, ',') WITHIN GROUP (ORDER BY x)", "", None),
    ("map_agg", AGGREGATE, "map_agg(k, v)", "NULL keys skipped; a repeated key is an error (Athena keeps one value)", rc.map_agg),
    ("max", AGGREGATE, "max(x)", "", None),
    ("max_by", AGGREGATE, "max_by(x, y)", "", None),
    ("min", AGGREGATE, "min(x)", "", None),
    ("min_by", AGGREGATE, "min_by(x, y)", "", None),
    ("stddev", AGGREGATE, "stddev(x)", "", None),
    ("stddev_pop", AGGREGATE, "stddev_pop(x)", "", None),
    ("stddev_samp", AGGREGATE, "stddev_samp(x)", "", None),
    ("sum", AGGREGATE, "sum(x)", "", None),
    ("var_pop", AGGREGATE, "var_pop(x)", "", None),
    ("var_samp", AGGREGATE, "var_samp(x)", "", None),
    ("variance", AGGREGATE, "variance(x)", "", None),
    ("cume_dist", WINDOW, "cume_dist() OVER (ORDER BY x)", "", None),
    ("dense_rank", WINDOW, "dense_rank() OVER (ORDER BY x)", "", None),
    ("first_value", WINDOW, "first_value(x) OVER (ORDER BY x)", "", None),
    ("lag", WINDOW, "lag(x, 1, 0) OVER (ORDER BY x)", "", None),
    ("last_value", WINDOW, "last_value(x) OVER (ORDER BY x)", "", None),
    ("lead", WINDOW, "lead(x) OVER (ORDER BY x)", "", None),
    ("nth_value", WINDOW, "nth_value(x, 2) OVER (ORDER BY x)", "", None),
    ("ntile", WINDOW, "ntile(4) OVER (ORDER BY x)", "", None),
    ("percent_rank", WINDOW, "percent_rank() OVER (ORDER BY x)", "", None),
    ("rank", WINDOW, "rank() OVER (ORDER BY x)", "", None),
    ("row_number", WINDOW, "row_number() OVER (ORDER BY x)", "", None),
    ("array_distinct", ARRAY, "array_distinct(ARRAY[3, 1, 3])", _SETS, rc.array_distinct),
    ("array_except", ARRAY, "array_except(ARRAY[1, 2, 3], ARRAY[2])", _SETS, rc.array_except),
    ("array_intersect", ARRAY, "array_intersect(ARRAY[1, 2, 3], ARRAY[3, 2])", _SETS + "; the longer array's order", rc.array_intersect),
    ("array_join", ARRAY, "array_join(ARRAY['a', NULL, 'b'], ',', '?')", "NULLs skipped unless a replacement is given", None),
    ("array_max", ARRAY, "array_max(ARRAY[1, 3, 2])", "NULL if any element is NULL (DuckDB ignores NULLs)", rc.array_extreme("LIST_MAX")),
    ("array_min", ARRAY, "array_min(ARRAY[1, 3, 2])", "NULL if any element is NULL (DuckDB ignores NULLs)", rc.array_extreme("LIST_MIN")),
    ("array_position", ARRAY, "array_position(ARRAY[5, 6], 6)", "0 when absent (DuckDB: NULL)", rc.array_position),
    ("array_remove", ARRAY, "array_remove(ARRAY[1, 2, 1], 1)", "NULL elements are kept", rc.array_remove),
    ("array_sort", ARRAY, "array_sort(ARRAY[3, NULL, 1])", "NULLs last; the comparator form is NOT_SUPPORTED", rc.array_sort),
    ("array_union", ARRAY, "array_union(ARRAY[1, 2], ARRAY[2, 3])", _SETS, rc.array_union),
    ("arrays_overlap", ARRAY, "arrays_overlap(ARRAY[1, 2], ARRAY[2, 5])", "NULL when only a NULL element could match", rc.arrays_overlap),
    ("cardinality", ARRAY, "cardinality(ARRAY[1, 2])", "arrays and maps", rc.cardinality),
    ("contains", ARRAY, "contains(ARRAY[1, 2], 2)", "", None),
    ("element_at", ARRAY, "element_at(ARRAY[1, 2, 3], -1)", "1-based, negative from the end, NULL out of range; also map lookup", None),
    ("filter", ARRAY, "filter(ARRAY[1, 2, 3], x -> x > 1)", "", None),
    ("flatten", ARRAY, "flatten(ARRAY[ARRAY[1], ARRAY[2, 3]])", "", None),
    ("reduce", ARRAY, "reduce(ARRAY[1, 2, 3], 0, (s, x) -> s + x, s -> s * 10)", "", rc.reduce),
    ("repeat", ARRAY, "repeat('a', 3)", "an array of copies, as Athena (DuckDB's repeat joins strings)", rc.repeat),
    ("sequence", ARRAY, "sequence(1, 10, 3)", "inclusive; DATE bounds step by a day", rw.sequence),
    ("slice", ARRAY, "slice(ARRAY[1, 2, 3, 4], 2, 2)", "(start, length) as Athena; DuckDB's list_slice takes an end", rc.slice_),
    ("transform", ARRAY, "transform(ARRAY[1, 2], x -> x * 10)", "", None),
    ("unnest", ARRAY, "SELECT x FROM UNNEST(ARRAY[1, 2]) AS t(x)", "in FROM, as in Athena", None),
    ("map", MAP, "map(ARRAY['a', 'b'], ARRAY[1, 2])", "", None),
    ("map_concat", MAP, "map_concat(map(ARRAY['a'], ARRAY[1]), map(ARRAY['a'], ARRAY[2]))", "the last map wins", None),
    ("map_entries", MAP, "map_entries(map(ARRAY['a'], ARRAY[1]))", "", None),
    ("map_from_entries", MAP, "map_from_entries(ARRAY[ROW('a', 1)])", "", None),
    ("map_keys", MAP, "map_keys(map(ARRAY['a', 'b'], ARRAY[1, 2]))", "", None),
    ("map_values", MAP, "map_values(map(ARRAY['a', 'b'], ARRAY[1, 2]))", "", None),
    ("json_array_length", JSON, "json_array_length('[1, 2, 3]')", "", None),
    ("json_extract", JSON, "json_extract('{\"a\": {\"b\": 1}}', '$.a')", "", None),
    ("json_extract_scalar", JSON, "json_extract_scalar('{\"a\": {\"b\": 1}}', '$.a.b')", "NULL for an object or array (DuckDB's ->> returns its text)", rc.json_extract_scalar),
    ("json_format", JSON, "json_format(json_parse('{\"a\": 1}'))", "", None),
    ("json_parse", JSON, "json_parse('{\"a\": 1}')", "", None),
    ("json_size", JSON, "json_size('{\"a\": [1, 2]}', '$.a')", "members of an object or array, 0 for a scalar", rc.json_size),
    ("regexp_count", REGEXP, "regexp_count('a1b22', '\\d')", _RE2, rc.regexp),
    ("regexp_extract", REGEXP, "regexp_extract('a1b22', '([a-z])(\\d+)', 2)", "NULL when nothing matches (DuckDB: ''); " + _RE2, rc.regexp_extract),
    ("regexp_extract_all", REGEXP, "regexp_extract_all('a1b22', '\\d+')", _RE2, rc.regexp),
    ("regexp_like", REGEXP, "regexp_like('abc', 'b')", "matches anywhere in the string; " + _RE2, rc.regexp),
    ("regexp_replace", REGEXP, "regexp_replace('abc', '(a)(b)', '$2$1')", "Java replacements ($1, ${name}, \\$) → RE2 (\\1); the replacement must be a literal; " + _RE2, rc.regexp_replace),
    ("regexp_split", REGEXP, "regexp_split('a1b2c', '\\d')", _RE2, rc.regexp),
    ("coalesce", CONDITIONAL, "coalesce(NULL, 2)", "", None),
    ("if", CONDITIONAL, "if(1 > 0, 'yes', 'no')", "", None),
    ("nullif", CONDITIONAL, "nullif(1, 1)", "", None),
    ("try", CONDITIONAL, "try(CAST('x' AS integer))", "NULL instead of an error", None),
)


@dataclass(frozen=True)
class AthenaFunction:
    name: str
    category: str
    example: str
    note: str = ""
    rewrite: rw.Rewrite | None = None

    @property
    def translation(self) -> str:
        return "rewritten" if self.rewrite is not None else "sqlglot"


FUNCTIONS: dict[str, AthenaFunction] = {row[0]: AthenaFunction(*row) for row in TABLE}
CATEGORIES = tuple(dict.fromkeys(f.category for f in FUNCTIONS.values()))


@functools.cache
def _by_class() -> dict[type[exp.Expr], str]:
    """sqlglot class → Athena name, for calls parsed without a name (special syntax)."""
    found: dict[type[exp.Expr], str] = {}
    for function in FUNCTIONS.values():
        if function.example.startswith("SELECT "):
            continue  # a statement, not a call (UNNEST)
        node = sqlglot.parse_one(f"SELECT {function.example}", read="athena").expressions[0]
        while isinstance(node, (exp.Window, exp.Alias)):
            node = node.this
        found.setdefault(type(node), function.name)
    found.pop(exp.Anonymous, None)
    return found


def record_names(tree: exp.Expr, sql: str) -> None:
    """Remember the name each call was written with (sqlglot maps many names to one class)."""
    for node in tree.find_all(exp.Func):
        start, end = node.meta.get("start"), node.meta.get("end")
        if start is not None and end is not None:
            node.meta[NAME_KEY] = sql[start : end + 1].strip('"').lower()


def athena_name(node: exp.Func) -> str | None:
    """The Athena function a call node stands for; None for syntax (CAST, AND, ARRAY[…]).

    A call written `name(…)` carries its name (parse_athena records it), a call the
    translator wrote from a DuckDB template carries None; nodes without either come from
    sqlglot's special syntax and are named by their class when it is one the table's
    examples produce.
    """
    if isinstance(node, SYNTAX):
        return None
    if NAME_KEY in node.meta:
        return node.meta[NAME_KEY]
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return _by_class().get(type(node))


def _position(node: exp.Func) -> str:
    """Athena's `line L:C: ` prefix: where the name starts (sqlglot keeps where it ends)."""
    meta = node.meta
    if any(meta.get(k) is None for k in ("line", "col", "start", "end")):
        return ""
    return f"line {meta['line']}:{meta['col'] - (meta['end'] - meta['start'])}: "


def check_functions(tree: exp.Expr) -> None:
    """Athena's FUNCTION_NOT_FOUND for the first call to a function not in the table."""
    for node in tree.find_all(exp.Func):
        name = athena_name(node)
        if name is not None and name not in FUNCTIONS:
            raise QueryError(f"FUNCTION_NOT_FOUND: {_position(node)}Function '{name}' not registered")


def rewrite_functions(tree: exp.Expr) -> exp.Expr:
    """Apply each call's rewrite, innermost first, so a rewrite sees rewritten arguments."""
    for node in reversed(list(tree.walk(bfs=True))):
        if not isinstance(node, exp.Func):
            continue
        name = athena_name(node)
        function = FUNCTIONS.get(name) if name is not None else None
        if function is None or function.rewrite is None:
            continue
        parent, key, index = node.parent, node.arg_key, node.index
        original_type = node.type
        replacement = function.rewrite(node)
        if replacement is node:
            continue
        if replacement.type is None and original_type is not None:
            replacement.type = original_type  # an enclosing rewrite may look at it
        replacement.meta[NAME_KEY] = name  # … and at which function it came from
        if parent is None:
            tree = replacement
        else:
            parent.set(key, replacement, index)
    return tree

