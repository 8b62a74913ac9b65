"""Athena's string, math, regexp, JSON and conditional functions answer as in Athena.

Expected values are Athena's answers, worked out by hand or with Python's own `re`,
`math` and `json` — never by the engine under test. The table of supported functions
is checked against docs/athena-functions.md and against these tests' coverage.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from emulation.athena.engine import DuckDBQueryEngine
from functions_support import engine, scalar  # noqa: F401 - fixtures
from lakehouse.errors import QueryError
from lakehouse.sql.functions import CATEGORIES, FUNCTIONS
from lakehouse.sql.functions_doc import markdown

ROOT = Path(__file__).resolve().parents[2]
TAB, NEWLINE = "chr(9)", "chr(10)"

STRING = [
    ("chr(65)", "A"),
    ("codepoint('A')", 65),
    ("concat('a', 'b', 'c')", "abc"),
    ("concat('a', NULL)", None),
    ("'a' || NULL", None),
    ("concat_ws('-', 'a', NULL, 'b')", "a-b"),
    ("hamming_distance('abc', 'abd')", 1),
    ("length('héllo')", 5),
    ("levenshtein_distance('kitten', 'sitting')", 3),
    ("lower('AbC')", "abc"),
    ("upper('abc')", "ABC"),
    ("lpad('7', 3, '0')", "007"),
    ("lpad('abcdef', 3, 'x')", "abc"),
    ("rpad('7', 3, '0')", "700"),
    (f"ltrim({TAB} || ' a ')", "a "),
    (f"rtrim(' a ' || {NEWLINE})", " a"),
    (f"trim({TAB} || ' a ' || {NEWLINE})", "a"),  # DuckDB alone keeps the tab and newline
    ("trim('  a  ')", "a"),
    ("position('l' IN 'hello')", 3),
    ("replace('a-b-c', '-', '+')", "a+b+c"),
    ("replace('a-b', '-')", "ab"),
    ("reverse('abc')", "cba"),
    ("reverse(ARRAY[1, 2, 3])", [3, 2, 1]),
    ("split('a,b,,c', ',')", ["a", "b", "", "c"]),
    ("split_part('a,b,c', ',', 2)", "b"),
    ("split_part('a,b,c', ',', 3)", "c"),
    ("split_part('a,b,c', ',', 4)", None),  # DuckDB alone: ''
    ("starts_with('hello', 'he')", True),
    ("strpos('hello', 'l')", 3),
    ("strpos('hello', 'z')", 0),
    ("substr('hello', 2, 3)", "ell"),
    ("substr('hello', 2)", "ello"),
    ("substr('hello', 0)", ""),  # DuckDB alone: 'hello'
    ("substr('hello', 0, 2)", ""),
    ("substr('hello', -3)", "llo"),
    ("substr('hello', -5)", "hello"),
    ("substr('hello', -6)", ""),
    ("substr('hello', 2, -1)", ""),
    ("substr('hello', 10)", ""),
    ("substring('hello', -3, 2)", "ll"),
    ("substring('hello' FROM 2 FOR 3)", "ell"),
]

MATH = [
    ("abs(-3)", 3),
    ("acos(1)", 0.0),
    ("asin(0)", 0.0),
    ("atan(0)", 0.0),
    ("atan2(0, 1)", 0.0),
    ("ceil(1.2)", 2),
    ("ceiling(-1.2)", -1),
    ("cos(0)", 1.0),
    ("degrees(pi())", 180.0),
    ("e()", math.e),
    ("exp(1)", math.e),
    ("floor(1.8)", 1),
    ("floor(-1.2E0)", -2.0),
    ("greatest(1, 5, 3)", 5),
    ("greatest(1, NULL)", None),
    ("least(4, 2, 3)", 2),
    ("infinity()", math.inf),
    ("is_finite(1E0)", True),
    ("is_infinite(infinity())", True),
    ("is_nan(nan())", True),
    ("ln(1)", 0.0),
    # Athena computes log(b, x) and log2 as ln(x) / ln(b): not always the exact logarithm.
    ("log(3, 243)", math.log(243) / math.log(3)),
    ("log2(536870912)", math.log(536870912) / math.log(2)),
    ("log10(1000)", math.log10(1000)),
    ("mod(-7, 3)", -1),
    ("mod(7.5E0, 2)", 1.5),
    ("pi()", math.pi),
    ("pow(2, 10)", 1024.0),
    ("power(2, -1)", 0.5),
    ("radians(180)", math.pi),
    ("round(2.5)", 3),
    ("round(-2.5)", -3),
    ("round(2.5E0)", 3.0),
    ("round(-2.5E0)", -3.0),
    ("round(1.25E0, 1)", 1.3),
    ("round(0.125E0, 2)", 0.13),
    ("round(15, -1)", 20),
    ("round(-15, -1)", -20),
    ("sign(-3)", -1),
    ("sin(0)", 0.0),
    ("sqrt(16)", 4.0),
    ("tan(0)", 0.0),
    ("truncate(-1.7)", -1),
    ("truncate(3.14159, 2)", Decimal("3.14")),
]

CONDITIONAL = [
    ("coalesce(NULL, NULL, 'x')", "x"),
    ("if(1 > 0, 'yes', 'no')", "yes"),
    ("if(false, 1)", None),
    ("nullif(1, 1)", None),
    ("nullif(1, 2)", 1),
    ("try(CAST('x' AS integer))", None),
    ("try_cast('x' AS integer)", None),
    ("try_cast('7' AS integer)", 7),
    ("try(1 / 0)", None),
]

REGEXP = [
    ("regexp_count('a1b22', '\\d')", len(re.findall(r"\d", "a1b22"))),
    ("regexp_extract('a1b22', '\\d+')", "1"),
    ("regexp_extract('a1b22', '([a-z])(\\d+)', 2)", re.search(r"([a-z])(\d+)", "a1b22").group(2)),
    ("regexp_extract('abc', '\\d')", None),  # DuckDB alone: ''
    ("regexp_extract_all('a1b22', '\\d+')", re.findall(r"\d+", "a1b22")),
    ("regexp_extract_all('a1b22', '([a-z])(\\d+)', 2)", ["1", "22"]),
    ("regexp_like('abc', 'b')", True),
    ("regexp_like('abc', '^b')", False),
    ("regexp_split('a1b2c', '\\d')", re.split(r"\d", "a1b2c")),
    ("regexp_replace('a1b22', '\\d+', '#')", re.sub(r"\d+", "#", "a1b22")),
    ("regexp_replace('abc', 'b')", "ac"),
    # Java replacement syntax: $n and ${name} are groups, \$ is a dollar, \\ a backslash.
    ("regexp_replace('abc', '(a)(b)', '$2$1')", re.sub(r"(a)(b)", r"\2\1", "abc")),
    ("regexp_replace('abc', '(?<x>b)', '[${x}]')", re.sub(r"(?P<x>b)", r"[\g<x>]", "abc")),
    ("regexp_replace('abc', '(b)', '$10')", "ab0c"),  # only one group: $1 then a literal 0
    ("regexp_replace('abc', 'b', '\\$')", "a$c"),
    ("regexp_replace('a.b', '\\.', '\\\\')", "a\\b"),
]

JSON_CASES = [
    ("json_array_length('[1, 2, 3]')", 3),
    ("json_extract('{\"a\": {\"b\": 1}}', '$.a')", json.dumps({"b": 1}, separators=(",", ":"))),
    ("json_extract_scalar('{\"a\": {\"b\": 1}}', '$.a.b')", "1"),
    ("json_extract_scalar('{\"a\": \"x\"}', '$.a')", "x"),
    ("json_extract_scalar('{\"a\": [1, 2]}', '$.a[1]')", "2"),
    ("json_extract_scalar('{\"a\": [1, 2]}', '$.a')", None),  # DuckDB alone: '[1,2]'
    ("json_extract_scalar('{\"a\": {\"b\": 1}}', '$.a')", None),
    ("json_extract_scalar('{\"a\": null}', '$.a')", None),
    ("json_format(json_parse('{\"a\": 1}'))", json.dumps({"a": 1}, separators=(",", ":"))),
    ("json_parse('[1, 2]')", "[1,2]"),
    ("json_size('{\"a\": [1, 2]}', '$.a')", 2),
    ("json_size('{\"a\": {\"b\": 1}}', '$.a')", 1),
    ("json_size('{\"a\": 1}', '$.a')", 0),
    ("json_size('{\"a\": 1}', '$.b')", None),
]


def _cases(cases: list[tuple[str, Any]]) -> Any:
    return pytest.mark.parametrize(("expression", "expected"), cases, ids=[c[0] for c in cases])


@_cases(STRING + MATH + CONDITIONAL + REGEXP + JSON_CASES)
def test_function_answers_as_athena(scalar: Callable[..., Any], expression: str, expected: Any) -> None:
    actual = scalar(expression)
    if isinstance(expected, float) and not math.isinf(expected):
        assert actual == pytest.approx(expected, rel=0, abs=0), expression  # bit-exact
    else:
        assert actual == expected and (expected is not None or actual is None), expression


def test_a_parameter_an_answer_repeats_is_bound_once(engine: DuckDBQueryEngine) -> None:
    """substr's Athena guard repeats its arguments; each `?` still takes its own value."""
    assert engine.run_query("SELECT substr(?, ?), ?", ["hello", -3, 1]).rows == [("llo", 1)]


def test_nan_and_random_values(scalar: Callable[..., Any]) -> None:
    assert math.isnan(scalar("nan()"))
    assert 0 <= scalar("rand()") < 1 and 0 <= scalar("random()") < 1
    assert all(isinstance(v, int) and 0 <= v < 3 for v in (scalar("random(3)") for _ in range(20)))
    assert all(5 <= scalar("rand(5, 7)") < 7 for _ in range(20))


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT foo(1)", "FUNCTION_NOT_FOUND: line 1:8: Function 'foo' not registered"),
        ("SELECT 1,\n  upper(list_sort(x))", "FUNCTION_NOT_FOUND: line 2:9: Function 'list_sort' not registered"),
        ("SELECT levenshtein('a', 'b')", "Function 'levenshtein' not registered"),  # DuckDB's name, not Athena's
        ("SELECT strftime(current_date, '%Y')", "Function 'strftime' not registered"),
        ("SELECT 1 WHERE cbrt(8) > 1", "Function 'cbrt' not registered"),
        ("SELECT 1 FROM (SELECT 1) t(x) GROUP BY x HAVING median(x) > 0", "Function 'median' not registered"),
    ],
)
def test_an_unsupported_function_is_an_error_naming_it(engine: DuckDBQueryEngine, sql: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        engine.run_query(sql)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_replacement_errors_are_athenas(engine: DuckDBQueryEngine) -> None:
    with pytest.raises(QueryError, match="Illegal group reference"):
        engine.run_query("SELECT regexp_replace('abc', 'b', '$x')")
    with pytest.raises(QueryError, match="No group 2"):
        engine.run_query("SELECT regexp_replace('abc', '(b)', '$2')")


def test_the_table_covers_every_category_with_at_least_80_functions() -> None:
    assert len(FUNCTIONS) >= 80
    assert set(CATEGORIES) == {"string", "date/time", "math", "aggregate", "window", "array", "map", "JSON", "regexp", "conditional"}


def test_docs_table_is_generated_from_the_function_table() -> None:
    documented = (ROOT / "docs" / "athena-functions.md").read_text(encoding="utf-8")
    assert documented == markdown(), "run: python -m lakehouse.sql.functions_doc > docs/athena-functions.md"


def test_every_supported_function_is_tested_here() -> None:
    sources = " ".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")).lower()
    untested = [name for name in FUNCTIONS if not re.search(rf"\b{re.escape(name)}\b\s*[(]", sources)
                and not (name in ("current_date", "current_timestamp") and name in sources)]
    assert untested == []
