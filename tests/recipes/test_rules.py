"""DataBrew rulesets: loading, every check form passing and failing, thresholds, selectors, errors."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from lakehouse.errors import TerminalError
from lakehouse.recipes.profile import profile_frame
from lakehouse.recipes.rules import (
    RuleResult,
    RulesetError,
    evaluate_ruleset,
    load_ruleset,
    parse_ruleset,
    render_ruleset_result,
)

FRAME = pl.DataFrame(
    {
        "n": [1, 2, 3, 4, None],
        "x": [1.5, 2.5, 2.5, 10.0, 0.5],
        "s": ["apple", "banana", "cherry", "", None],
        "code": ["A-1", "A-2", "B-3", "A-4", "C-5"],
        "amount": ["10", "20", "x", "40", "50"],
        "lo": [0, 0, 5, 0, 0],
        "hi": [2, 2, 2, 5, 5],
        "day": [date(2024, 1, d) for d in range(1, 6)],
        "flag": [True, False, True, True, None],
    }
)


def rule(expression: str, values: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"Name": extra.pop("name", "r"), "CheckExpression": expression}
    if values:
        document["SubstitutionMap"] = values
    document.update(extra)
    return document


def run(expression: str, values: dict[str, str] | None = None, frame: pl.DataFrame = FRAME, **extra: Any) -> RuleResult:
    ruleset = parse_ruleset({"Name": "t", "Rules": [rule(expression, values, **extra)]})
    return evaluate_ruleset(ruleset, frame).rules[0]


def on(*columns: str) -> list[dict[str, str]]:
    return [{"Name": name} for name in columns]


# -- aggregate checks -------------------------------------------------------------------------

DUPLICATED = pl.DataFrame({"a": [1, 1, 1, 2], "b": ["x", "x", "x", "y"]})


@pytest.mark.parametrize(
    ("metric", "column", "observed"),
    [
        ("MISSING_VALUES_COUNT", "n", 1),
        ("MISSING_VALUES_PERCENTAGE", "s", 40.0),  # None and "" are both missing
        ("VALID_VALUES_COUNT", "s", 3),
        ("VALID_VALUES_PERCENTAGE", "n", 80.0),
        ("DISTINCT_VALUES_COUNT", "x", 4),
        ("DISTINCT_VALUES_PERCENTAGE", "x", 80.0),
        ("UNIQUE_VALUES_COUNT", "x", 3),  # 2.5 appears twice
        ("UNIQUE_VALUES_PERCENTAGE", "x", 60.0),
        ("DUPLICATE_VALUES_COUNT", "x", 1),
        ("DUPLICATE_VALUES_PERCENTAGE", "x", 20.0),
        ("MIN", "n", 1.0),
        ("MAX", "x", 10.0),
        ("MEAN", "n", 2.5),
        ("MEDIAN", "n", 2.5),
        ("SUM", "n", 10.0),
        ("MODE", "x", 2.5),
        ("STANDARD_DEVIATION", "n", math.sqrt(5 / 3)),
        ("VARIANCE", "n", 5 / 3),
        ("ENTROPY", "n", 2.0),  # four equally likely values
        ("MEDIAN_ABSOLUTE_DEVIATION", "n", 1.0),
        ("SKEWNESS", "n", 0.0),
        ("KURTOSIS", "n", 2.5625 / 1.25**2 - 3),  # Fisher's (excess), population moments
        ("Z_SCORE_OUTLIERS_COUNT", "x", 0),  # default threshold 3
        ("Z_SCORE_OUTLIERS_PERCENTAGE", "x", 0.0),
        ("MIN", "s", 5.0),  # text columns: statistics of the string lengths
        ("MEAN", "s", 17 / 3),
    ],
)
def test_column_metrics(metric: str, column: str, observed: float) -> None:
    passing = run(f"AGG({metric}) == :v", {":v": repr(observed)}, ColumnSelectors=on(column))
    assert passing.observed == pytest.approx(observed)
    assert passing.passed is True and passing.columns == (column,)
    failing = run(f"AGG({metric}) > :v", {":v": repr(observed + 1)}, ColumnSelectors=on(column))
    assert failing.passed is False


def test_metric_with_parameters() -> None:
    quantile = run("AGG(QUANTILE, :p) == :v", {":p": "0.25", ":v": "1.75"}, ColumnSelectors=on("n"))
    assert (quantile.observed, quantile.passed) == (1.75, True)
    outliers = run("AGG(Z_SCORE_OUTLIERS_COUNT, :z) == :v", {":z": "1.5", ":v": "1"}, ColumnSelectors=on("x"))
    assert (outliers.observed, outliers.passed) == (1, True)  # 10.0 is 1.75 std devs from the mean


@pytest.mark.parametrize(
    ("metric", "observed"),
    [("ROWS_COUNT", 4), ("COLUMNS_COUNT", 2), ("DUPLICATE_ROWS_COUNT", 2), ("DUPLICATE_ROWS_PERCENTAGE", 50.0)],
)
def test_dataset_metrics(metric: str, observed: float) -> None:
    result = run(f"AGG({metric}) >= :v", {":v": str(observed)}, frame=DUPLICATED)
    assert (result.observed, result.passed, result.outcomes[0].target) == (observed, True, "(dataset)")
    assert run(f"AGG({metric}) < :v", {":v": str(observed)}, frame=DUPLICATED).passed is False


def test_aggregate_combinations_and_between() -> None:
    both = run("AGG(MIN) >= :a and AGG(MAX) <= :b", {":a": "1", ":b": "4"}, ColumnSelectors=on("n"))
    assert both.passed is True and both.observed == {"AGG(MIN)": 1.0, "AGG(MAX)": 4.0}
    assert run("AGG(MIN) > :a or AGG(MAX) > :b", {":a": "1", ":b": "4"}, ColumnSelectors=on("n")).passed is False
    assert run("AGG(MEAN) is_between :a and :b", {":a": "2", ":b": "3"}, ColumnSelectors=on("n")).passed is True
    assert run("AGG(MEAN) not is_between :a and :b", {":a": "2", ":b": "3"}, ColumnSelectors=on("n")).passed is False


def test_statistic_of_an_all_missing_column_fails() -> None:
    frame = pl.DataFrame({"v": pl.Series([None, None], dtype=pl.Float64)})
    result = run("AGG(MEAN) >= :v", {":v": "0"}, frame=frame, ColumnSelectors=on("v"))
    assert (result.observed, result.passed) == (None, False)


# -- value checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "values", "percent"),
    [
        (":c == :v", {":c": "`n`", ":v": "2"}, 20.0),
        (":c eq :v", {":c": "`n`", ":v": "2"}, 20.0),
        (":c is :v", {":c": "`code`", ":v": "A-1"}, 20.0),
        (":c != :v", {":c": "`n`", ":v": "2"}, 60.0),  # the missing row satisfies nothing
        (":c is not :v", {":c": "`code`", ":v": "A-1"}, 80.0),
        (":c not eq :v", {":c": "`code`", ":v": "A-1"}, 80.0),
        (":c < :v", {":c": "`x`", ":v": "2.5"}, 40.0),
        (":c lt :v", {":c": "`x`", ":v": "2.5"}, 40.0),
        (":c <= :v", {":c": "`x`", ":v": "2.5"}, 80.0),
        (":c less_than_equal :v", {":c": "`x`", ":v": "2.5"}, 80.0),
        (":c > :v", {":c": "`x`", ":v": "2.5"}, 20.0),
        (":c greater_than :v", {":c": "`x`", ":v": "2.5"}, 20.0),
        (":c >= :v", {":c": "`x`", ":v": "2.5"}, 60.0),
        (":c gte :v", {":c": "`x`", ":v": "2.5"}, 60.0),
        (":c is_between :a and :b", {":c": "`n`", ":a": "2", ":b": "3"}, 40.0),
        (":c IS_BETWEEN :a AND :b", {":c": "`n`", ":a": "2", ":b": "3"}, 40.0),
        (":c not is_between :a and :b", {":c": "`n`", ":a": "2", ":b": "3"}, 40.0),
        (":c in :l", {":c": "`code`", ":l": '["A-1", "B-3", "Z"]'}, 40.0),
        (":c IN :l", {":c": "`n`", ":l": "[1, 4]"}, 40.0),
        (":c NOT IN :l", {":c": "`code`", ":l": '["A-1"]'}, 80.0),
        (":c starts_with :v", {":c": "`code`", ":v": "A"}, 60.0),
        (":c STARTS_WITH :v", {":c": "`code`", ":v": "A"}, 60.0),
        (":c not starts_with :v", {":c": "`s`", ":v": "b"}, 40.0),  # apple, cherry; "" and None never
        (":c ends_with :v", {":c": "`code`", ":v": "-5"}, 20.0),
        (":c not ends_with :v", {":c": "`code`", ":v": "-5"}, 80.0),
        (":c contains :v", {":c": "`s`", ":v": "an"}, 20.0),
        (":c not contains :v", {":c": "`s`", ":v": "an"}, 40.0),
        (":c matches :v", {":c": "`code`", ":v": "^[AB]-[0-9]$"}, 80.0),
        (":c not matches :v", {":c": "`code`", ":v": "^A"}, 40.0),
        (":c matches :v", {":c": "`s`", ":v": "(?i)^APP"}, 20.0),
        ("length(:c) is_between :a and :b", {":c": "`s`", ":a": "6", ":b": "6"}, 40.0),
        ("length(:c) > :v", {":c": "`code`", ":v": "2"}, 100.0),
        (":c > :v", {":c": "`amount`", ":v": "15"}, 60.0),  # text is ordered as the numbers it holds
        (":c1 <= :c2", {":c1": "`lo`", ":c2": "`hi`"}, 80.0),
        (":c1 contains :c2", {":c1": "`code`", ":c2": "`code`"}, 100.0),
        (":c > :v", {":c": "`day`", ":v": "2024-01-03"}, 40.0),
        (":c == :v", {":c": "`flag`", ":v": "true"}, 60.0),
        ("(:c starts_with :a or :c starts_with :b) and :c not ends_with :z", {":c": "`code`", ":a": "A", ":b": "B", ":z": "4"}, 60.0),
        (":c > :v or :c < :v", {":c": "`n`", ":v": "2"}, 60.0),
        ("(:c > :v)", {":c": "`n`", ":v": "0"}, 80.0),
    ],
)
def test_value_checks(expression: str, values: dict[str, str], percent: float) -> None:
    exact = run(expression, values, Threshold={"Value": percent})
    assert (exact.observed, exact.passed) == (pytest.approx(percent), True)
    stricter = run(expression, values, Threshold={"Value": percent, "Type": "GREATER_THAN"})
    assert stricter.passed is False


def test_value_check_defaults_to_every_row() -> None:
    assert run(":c contains :v", {":c": "`code`", ":v": "-"}).passed is True
    result = run(":c starts_with :v", {":c": "`code`", ":v": "A"})
    assert (result.observed, result.passed) == (60.0, False)
    assert result.expected == "`code` starts_with A for >= 100% of rows"


@pytest.mark.parametrize(
    ("threshold", "observed", "passed"),
    [
        ({"Value": 60}, 60.0, True),
        ({"Value": 60, "Type": "GREATER_THAN"}, 60.0, False),
        ({"Value": 60, "Type": "LESS_THAN_OR_EQUAL"}, 60.0, True),
        ({"Value": 60, "Type": "LESS_THAN"}, 60.0, False),
        ({"Value": 3, "Unit": "COUNT"}, 3, True),
        ({"Value": 4, "Unit": "COUNT"}, 3, False),
        ({"Value": 2, "Type": "LESS_THAN_OR_EQUAL", "Unit": "COUNT"}, 3, False),
        ({"Value": 4, "Type": "LESS_THAN", "Unit": "COUNT"}, 3, True),
    ],
)
def test_thresholds(threshold: dict[str, Any], observed: float, passed: bool) -> None:
    result = run(":c starts_with :v", {":c": "`code`", ":v": "A"}, Threshold=threshold)
    assert (result.observed, result.passed) == (observed, passed)


def test_value_check_on_an_empty_frame_passes_vacuously() -> None:
    result = run(":c > :v", {":c": "`n`", ":v": "0"}, frame=FRAME.clear())
    assert (result.observed, result.passed) == (100.0, True)


# -- column selectors, substitution, disabled, blocking ---------------------------------------


def test_selectors_by_name_and_regex_check_each_column() -> None:
    result = run("> :v", {":v": "0"}, ColumnSelectors=[{"Regex": "lo|hi"}, {"Name": "n"}])
    assert result.columns == ("n", "lo", "hi")  # frame order, each once
    assert {o.target: o.observed for o in result.outcomes} == {"n": 80.0, "lo": 20.0, "hi": 100.0}
    assert result.passed is False
    assert [o.passed for o in result.outcomes] == [False, False, True]
    assert run("> :v", {":v": "0"}, ColumnSelectors=[{"Regex": "h."}]).passed is True
    # A regex must match the whole name: "o" alone selects nothing.
    with pytest.raises(RulesetError, match=r"rule 'r': Regex 'o' matches no column"):
        run("> :v", {":v": "0"}, ColumnSelectors=[{"Regex": "o"}])


def test_implicit_compound_check_with_selectors() -> None:
    result = run("starts_with :a or starts_with :b", {":a": "A", ":b": "C"}, ColumnSelectors=on("code"))
    assert result.observed == 80.0


def test_substitution_map_in_cloudformation_shape() -> None:
    values = [{"ValueReference": ":c", "Value": "`n`"}, {"ValueReference": ":v", "Value": "0"}]
    ruleset = parse_ruleset({"Name": "t", "Rules": [{"Name": "r", "CheckExpression": ":c > :v", "SubstitutionMap": values}]})
    assert ruleset.rules[0].substitution_map == {":c": "`n`", ":v": "0"}


def test_column_reference_without_backticks_on_the_left() -> None:
    assert run(":c > :v", {":c": "n", ":v": "0"}, Threshold={"Value": 80}).passed is True


def test_disabled_rules_are_skipped_and_never_fail() -> None:
    ruleset = parse_ruleset(
        {"Name": "t", "Rules": [
            rule(":c > :v", {":c": "`no_such_column`", ":v": "0"}, name="off", Disabled=True),
            rule("AGG(ROWS_COUNT) == :v", {":v": "5"}, name="on"),
        ]}
    )
    result = evaluate_ruleset(ruleset, FRAME)
    off, on_ = result.rules
    assert (off.status, off.passed, off.outcomes) == ("SKIPPED", None, ())
    assert (on_.status, result.passed, result.failed) == ("SUCCEEDED", True, ())


def test_blocking_failures_and_report_shape() -> None:
    ruleset = parse_ruleset(
        {"Name": "quality", "NonBlockingRules": ["soft"], "Rules": [
            rule("AGG(MISSING_VALUES_COUNT) == :v", {":v": "0"}, name="hard", ColumnSelectors=on("n")),
            rule("AGG(MISSING_VALUES_COUNT) == :v", {":v": "0"}, name="soft", ColumnSelectors=on("s")),
            rule("AGG(ROWS_COUNT) == :v", {":v": "5"}, name="fine"),
        ]}
    )
    assert [r.blocking for r in ruleset.rules] == [True, False, True]
    result = evaluate_ruleset(ruleset, FRAME)
    assert [r.name for r in result.failed] == ["hard", "soft"]
    assert [r.name for r in result.failed_blocking] == ["hard"]
    report = result.to_json()
    assert (report["rulesetName"], report["validationState"], report["rowsCount"]) == ("quality", "FAILED", 5)
    assert report["ruleResults"][1] == {
        "name": "soft", "status": "FAILED", "blocking": False, "expected": "AGG(MISSING_VALUES_COUNT) == 0",
        "columns": ["s"], "outcomes": [{"target": "s", "observed": 2, "passed": False}],
    }
    json.dumps(report, allow_nan=False)


def test_to_databrew_strips_the_lakehouse_key(tmp_path: Path) -> None:
    document = {
        "Name": "quality", "Description": "d", "NonBlockingRules": ["r"],
        "Rules": [rule("> :v", {":v": "0"}, ColumnSelectors=[{"Regex": "n.*"}], Threshold={"Value": 90, "Type": "LESS_THAN", "Unit": "COUNT"}, Disabled=True)],
    }
    path = tmp_path / "quality.json"
    path.write_text(json.dumps(document))
    ruleset = load_ruleset(path)
    assert ruleset.to_json() == document
    deployable = ruleset.to_databrew()
    assert "NonBlockingRules" not in deployable
    assert deployable["Rules"] == document["Rules"]


def test_evaluation_reads_one_column_set_per_query_plus_a_hash_pass_for_duplicate_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plans: list[str] = []
    original = pl.LazyFrame.collect

    def recording(self: pl.LazyFrame, *args: Any, **kwargs: Any) -> Any:
        plans.append(self.explain())
        return original(self, *args, **kwargs)

    ruleset = parse_ruleset({"Name": "t", "Rules": [
        rule("AGG(MEAN) > :v", {":v": "0"}, name="a", ColumnSelectors=on("s")),
        rule("AGG(DUPLICATE_ROWS_COUNT) == :v", {":v": "0"}, name="b"),
        rule(":c > :v", {":c": "`x`", ":v": "0"}, name="c"),
        rule("is_between :a and :b", {":a": "0", ":b": "9"}, name="d", ColumnSelectors=[{"Regex": "lo|hi|n"}]),
    ]})
    monkeypatch.setattr(pl.LazyFrame, "collect", recording)
    result = evaluate_ruleset(ruleset, FRAME.lazy())
    # The aggregates come from one query per column set the checks read (the row count; s; x;
    # lo, hi and n), each reading only its column, so no query holds every column; duplicate
    # rows from a narrow pass of row hashes (no row of FRAME shares one: nothing compared by value).
    width = FRAME.width
    aggregates = plans[:-1]
    assert len(aggregates) == 6 and len(plans) == 7
    assert all(f"0/{width} COLUMNS" in plan or f"1/{width} COLUMNS" in plan for plan in aggregates), aggregates
    assert [r.passed for r in result.rules] == [True, True, True, False]


def test_render_ruleset_result() -> None:
    ruleset = parse_ruleset({"Name": "quality", "NonBlockingRules": ["b"], "Rules": [
        rule("AGG(ROWS_COUNT) > :v", {":v": "3"}, name="a"),
        rule("> :v", {":v": "1"}, name="b", ColumnSelectors=on("n", "x")),
        rule("> :v", {":v": "1"}, name="c", ColumnSelectors=on("n"), Disabled=True),
    ]})
    console = Console(record=True, width=200)
    render_ruleset_result(evaluate_ruleset(ruleset, FRAME), console)
    text = console.export_text()
    for expected in ("Ruleset quality (5 rows)", "SUCCEEDED", "FAILED", "SKIPPED", "AGG(ROWS_COUNT) > 3", "60 ✗", "(dataset)"):
        assert expected in text
    assert "Validation FAILED: 1 failed, 0 blocking" in text


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "values", "extra", "message"),
    [
        ("AGG(ROW_COUNT) > :v", {":v": "1"}, {}, "unknown metric 'ROW_COUNT' (did you mean ROWS_COUNT?)"),
        (":c frobs :v", {":c": "`n`", ":v": "1"}, {}, "unknown operator 'frobs'"),
        (":c starts_wth :v", {":c": "`n`", ":v": "1"}, {}, "unknown operator 'starts_wth' (did you mean STARTS_WITH?)"),
        (":c > :w", {":c": "`n`", ":v": "1"}, {}, ":w is not in SubstitutionMap"),
        (":c > 5", {":c": "`n`"}, {}, "unexpected '5' in CheckExpression"),
        (":c > :v and", {":c": "`n`", ":v": "1"}, {}, "CheckExpression ends where a condition was expected"),
        (":c in", {":c": "`n`"}, {}, "expected a :variable but found 'end of expression'"),
        ("(:c > :v", {":c": "`n`", ":v": "1"}, {}, "expected ) but found 'end of expression'"),
        (":c > :v :v", {":c": "`n`", ":v": "1"}, {}, "unexpected ':v' after a complete check"),
        (":c is_between :v :v", {":c": "`n`", ":v": "1"}, {}, "expected and but found ':v'"),
        (":c > 'x'", {":c": "`n`"}, {}, "CheckExpression must be 4-1024 characters"),
        ("> :", {}, {}, "CheckExpression must be 4-1024 characters"),
        ("AGG(MIN) > :v and :c > :v", {":c": "`n`", ":v": "1"}, {}, "cannot be combined with value checks"),
        ("AGG(MIN) > :v", {":v": "1"}, {}, "AGG(MIN) needs ColumnSelectors"),
        ("AGG(ROWS_COUNT) > :v", {":v": "1"}, {"ColumnSelectors": on("n")}, "dataset metric and takes no ColumnSelectors"),
        ("> :v", {":v": "1"}, {}, "a check without a column (e.g. '> :v') needs ColumnSelectors"),
        (":c > :v", {":c": "`n`", ":v": "1"}, {"ColumnSelectors": on("n")}, "leave the column out of the check (:c)"),
        ("AGG(MIN) > :v", {":v": "low"}, {"ColumnSelectors": on("n")}, ":v = 'low' is not a number"),
        ("AGG(MIN) > :v", {":v": "1"}, {"ColumnSelectors": on("n"), "Threshold": {"Value": 1}}, "Threshold applies to value checks only"),
        ("AGG(MIN) starts_with :v", {":v": "1"}, {"ColumnSelectors": on("n")}, "takes a numeric comparison, not 'starts_with'"),
        ("AGG(QUANTILE, :p) > :v", {":p": "0.9", ":v": "1"}, {"ColumnSelectors": on("n")}, "needs :pct one of 0.25, 0.5, 0.75"),
        ("AGG(MEAN, :p) > :v", {":p": "1", ":v": "1"}, {"ColumnSelectors": on("n")}, "AGG(MEAN) takes no parameter :p"),
        (":c in :l", {":c": "`n`", ":l": "1, 2"}, {}, ":l must be a JSON list for 'in'"),
        (":c matches :r", {":c": "`s`", ":r": "(unclosed"}, {}, "is not a valid regex"),
    ],
)
def test_parse_errors(expression: str, values: dict[str, str], extra: dict[str, Any], message: str) -> None:
    with pytest.raises(RulesetError) as caught:
        parse_ruleset({"Name": "t", "Rules": [rule(expression, values, **extra)]})
    text = str(caught.value)
    assert "rule 'r'" in text and message in text
    assert "\n" not in text
    assert isinstance(caught.value, TerminalError)


@pytest.mark.parametrize(
    ("expression", "values", "extra", "message"),
    [
        (":c > :v", {":c": "`nope`", ":v": "1"}, {}, "rule 'r': unknown column 'nope' (:c)"),
        (":c > :v", {":c": "`n`", ":v": "`nope`"}, {}, "rule 'r': unknown column 'nope' (:v)"),
        ("> :v", {":v": "1"}, {"ColumnSelectors": on("nope")}, "rule 'r': unknown column 'nope'"),
        (":c > :v", {":c": "`n`", ":v": "big"}, {}, "rule 'r': :v = 'big' is not a Int64 value"),
        (":c > :v", {":c": "`day`", ":v": "someday"}, {}, "rule 'r': :v = 'someday' is not a Date value"),
        ("AGG(MEAN) > :v", {":v": "1"}, {"ColumnSelectors": on("day")}, "needs a numeric or text column; 'day' is Date"),
    ],
)
def test_evaluation_errors(expression: str, values: dict[str, str], extra: dict[str, Any], message: str) -> None:
    with pytest.raises(RulesetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(expression, values, **extra)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "a ruleset is a JSON object"),
        ({"Rules": [rule("> :v")]}, "needs a Name"),
        ({"Name": "t", "Rules": []}, "needs a non-empty Rules list"),
        ({"Name": "t", "Rules": [rule("AGG(ROWS_COUNT) > :v", {":v": "1"})], "Extra": 1}, "unknown key 'Extra'"),
        ({"Name": "t", "Rules": [rule("AGG(ROWS_COUNT) > :v", {":v": "1"}, Blocking=False)]}, "unknown key 'Blocking' (list non-blocking rules in the ruleset's NonBlockingRules)"),
        ({"Name": "t", "Rules": [rule("AGG(ROWS_COUNT) > :v", {":v": "1"})] * 2}, "two rules are named 'r'"),
        ({"Name": "t", "NonBlockingRules": ["x"], "Rules": [rule("AGG(ROWS_COUNT) > :v", {":v": "1"})]}, "NonBlockingRules names 'x', which is not a rule"),
        ({"Name": "t", "Rules": [{"CheckExpression": "AGG(ROWS_COUNT) > :v"}]}, "rule 1 needs a Name"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": "1"}, ColumnSelectors=[])]}, "ColumnSelectors must be a non-empty list"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": "1"}, ColumnSelectors=[{"Name": "a", "Regex": "b"}])]}, "a column selector is"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": "1"}, ColumnSelectors=[{"Regex": "("}])]}, "column selector Regex '(' is invalid"),
        ({"Name": "t", "Rules": [rule("> :v", {"v": "1"}, ColumnSelectors=on("n"))]}, "SubstitutionMap key 'v' must look like :name"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": 1}, ColumnSelectors=on("n"))]}, "SubstitutionMap value of :v must be a string"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": "1"}, ColumnSelectors=on("n"), Threshold={"Value": -1})]}, "Threshold Value must be a number >= 0"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": "1"}, ColumnSelectors=on("n"), Threshold={"Value": 1, "Type": "EQUAL"})]}, "Threshold Type 'EQUAL' is not one of"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": "1"}, ColumnSelectors=on("n"), Threshold={"Value": 1, "Unit": "ROWS"})]}, "Threshold Unit 'ROWS' is not COUNT or PERCENTAGE"),
        ({"Name": "t", "Rules": [rule("> :v", {":v": "1"}, ColumnSelectors=on("n"), Disabled="yes")]}, "Disabled must be true or false"),
    ],
)
def test_structure_errors(document: Any, message: str) -> None:
    with pytest.raises(RulesetError) as caught:
        parse_ruleset(document, where="rules.json")
    assert str(caught.value).startswith("rules.json: ") and message in str(caught.value)


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match="no such ruleset file"):
        load_ruleset(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope")
    with pytest.raises(RulesetError, match=r"bad.json: line 2: invalid JSON"):
        load_ruleset(bad)


# -- property: the ruleset and the profile agree on missing values ----------------------------

CELLS = {
    "text": st.one_of(st.none(), st.just(""), st.text(max_size=3)),
    "float": st.one_of(st.none(), st.just(float("nan")), st.floats(allow_nan=False, allow_infinity=False)),
    "int": st.one_of(st.none(), st.integers(-5, 5)),
}
DTYPES = {"text": pl.String(), "float": pl.Float64(), "int": pl.Int64()}


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    rows = draw(st.integers(0, 25))
    kinds = draw(st.lists(st.sampled_from(sorted(CELLS)), min_size=1, max_size=4))
    return pl.DataFrame(
        [pl.Series(f"c{i}", draw(st.lists(CELLS[kind], min_size=rows, max_size=rows)), dtype=DTYPES[kind]) for i, kind in enumerate(kinds)]
    )


@settings(max_examples=150, deadline=None)
@given(frames())
def test_missing_percentage_matches_profile(frame: pl.DataFrame) -> None:
    ruleset = parse_ruleset({"Name": "t", "Rules": [
        rule("AGG(MISSING_VALUES_PERCENTAGE) >= :v", {":v": "0"}, ColumnSelectors=[{"Regex": ".*"}]),
    ]})
    outcomes = evaluate_ruleset(ruleset, frame).rules[0].outcomes
    profile = profile_frame(frame)
    assert {o.target: o.observed for o in outcomes} == {c["name"]: c["missingValuesPercentage"] for c in profile["columns"]}
