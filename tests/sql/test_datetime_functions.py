"""Athena's date/time functions answer as in Athena (Joda-Time semantics, UTC session).

Expected values come from Python's datetime, computed independently of the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from emulation.athena.engine import DuckDBQueryEngine
from functions_support import engine, scalar  # noqa: F401 - fixtures
from lakehouse.errors import QueryError

MOMENT = datetime(2024, 7, 1, 13, 5, 9)
TS = "TIMESTAMP '2024-07-01 13:05:09'"
TS_MS = "TIMESTAMP '2024-07-01 13:05:09.123'"

CASES = [
    # date_diff counts whole units elapsed (Joda), not the boundaries DuckDB's date_diff counts.
    ("date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')", 0),
    ("date_diff('hour', TIMESTAMP '2024-01-01 10:30:00', TIMESTAMP '2024-01-01 12:29:59')", 1),
    ("date_diff('month', DATE '2024-01-31', DATE '2024-02-29')", 1),  # end of the shorter month counts
    ("date_diff('month', DATE '2024-01-31', DATE '2024-02-28')", 0),
    ("date_diff('month', DATE '2024-03-31', DATE '2024-01-31')", -2),
    ("date_diff('year', DATE '2023-12-31', DATE '2024-01-01')", 0),
    ("date_diff('year', DATE '2023-01-01', DATE '2024-01-01')", 1),
    ("date_diff('week', DATE '2024-01-01', DATE '2024-01-14')", 13 // 7),
    ("date_diff('quarter', DATE '2024-01-15', DATE '2024-04-14')", 0),
    ("date_diff('second', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:01:00.999')", 60),
    # A DATE stays a DATE.
    ("date_add('month', 1, DATE '2024-01-31')", date(2024, 2, 29)),
    ("date_add('day', 3, DATE '2024-02-27')", date(2024, 3, 1)),
    ("date_add('hour', 5, TIMESTAMP '2024-01-01 22:00:00')", datetime(2024, 1, 2, 3, 0)),
    ("date_trunc('month', DATE '2024-07-15')", date(2024, 7, 1)),
    ("date_trunc('week', DATE '2024-07-17')", date(2024, 7, 15)),
    ("date_trunc('hour', TIMESTAMP '2024-07-15 10:11:12')", datetime(2024, 7, 15, 10, 0)),
    ("date('2024-07-01')", date(2024, 7, 1)),
    # MySQL specifiers.
    (f"date_format({TS}, '%Y-%m-%d %H:%i:%s')", MOMENT.strftime("%Y-%m-%d %H:%M:%S")),
    (f"date_format({TS}, '%W %M %a %b %j %p %T %r %y')", MOMENT.strftime("%A %B %a %b %j %p %H:%M:%S %I:%M:%S %p %y")),
    (f"date_format({TS}, '%e/%c %k %l')", f"{MOMENT.day}/{MOMENT.month} {MOMENT.hour} {MOMENT.hour - 12}"),
    (f"date_format({TS}, '%x-%v')", "%d-%02d" % MOMENT.isocalendar()[:2]),
    ("date_format(TIMESTAMP '2024-07-01 13:05:09.123456', '%f')", "123456"),
    ("date_format(DATE '2024-07-01', 'Q%q %%')", "Qq %"),  # an unknown specifier is its letter
    ("date_parse('2024-07-01 13:05', '%Y-%m-%d %H:%i')", datetime(2024, 7, 1, 13, 5)),
    ("date_parse('1/7/2024', '%e/%c/%Y')", datetime(2024, 7, 1)),
    # Joda patterns.
    (f"format_datetime({TS}, 'yyyy-MM-dd HH:mm:ss')", MOMENT.strftime("%Y-%m-%d %H:%M:%S")),
    (f"format_datetime({TS}, 'EEEE, MMMM d, h:mm a')", f"{MOMENT:%A, %B} {MOMENT.day}, {MOMENT.hour - 12}:{MOMENT:%M %p}"),
    (f"format_datetime({TS}, 'yyyy-MM-dd''T''HH:mm ''o''''clock''')", "2024-07-01THH:mm o'clock".replace("HH:mm", "13:05")),
    (f"format_datetime({TS_MS}, 'ss.SSS EEE MMM yy D')", f"09.123 {MOMENT:%a %b %y} {MOMENT.timetuple().tm_yday}"),
    ("parse_datetime('2024-07-01 13:05', 'yyyy-MM-dd HH:mm')", datetime(2024, 7, 1, 13, 5)),
    ("parse_datetime('1/7/2024', 'd/M/yyyy')", datetime(2024, 7, 1)),
    # to_iso8601: the timestamp's precision decides the fraction digits.
    (f"to_iso8601({TS})", MOMENT.isoformat()),
    (f"to_iso8601({TS_MS})", MOMENT.isoformat() + ".123"),
    ("to_iso8601(CAST('2024-07-01 13:05:09' AS timestamp))", MOMENT.isoformat(timespec="milliseconds")),
    ("to_iso8601(DATE '2024-07-01')", date(2024, 7, 1).isoformat()),
    ("to_iso8601(date_parse('2024-07-01', '%Y-%m-%d'))", "2024-07-01T00:00:00.000"),
    ("from_iso8601_date('2024-07-01')", date(2024, 7, 1)),
    ("from_iso8601_timestamp('2024-07-01T10:00:00+02:00')", datetime(2024, 7, 1, 8, 0)),
    ("from_iso8601_timestamp('2024-07-01T10:00:00Z')", datetime(2024, 7, 1, 10, 0)),
    ("from_iso8601_timestamp('2024-07-01T10:00:00.5')", datetime(2024, 7, 1, 10, 0, 0, 500000)),
    ("from_iso8601_timestamp('2024-07-01')", datetime(2024, 7, 1)),
    ("from_unixtime(1719835200)", datetime.fromtimestamp(1719835200, UTC).replace(tzinfo=None)),
    ("from_unixtime(1.5)", datetime(1970, 1, 1) + timedelta(seconds=1.5)),
    ("to_unixtime(TIMESTAMP '2024-07-01 12:00:00')", datetime(2024, 7, 1, 12, tzinfo=UTC).timestamp()),
    # Fields.
    ("year(DATE '2024-07-15')", 2024),
    ("quarter(DATE '2024-07-15')", 3),
    ("month(DATE '2024-07-15')", 7),
    ("day(DATE '2024-07-15')", 15),
    ("day_of_month(DATE '2024-07-15')", 15),
    ("day_of_week(DATE '2024-07-14')", date(2024, 7, 14).isoweekday()),
    ("dow(DATE '2024-07-14')", 7),
    ("day_of_year(DATE '2024-02-01')", 32),
    ("doy(DATE '2024-02-01')", 32),
    ("extract(DOW FROM DATE '2024-07-14')", 7),  # DuckDB alone: 0
    ("extract(YEAR FROM DATE '2024-07-01')", 2024),
    ("extract(DAY_OF_WEEK FROM DATE '2024-07-14')", 7),
    ("extract(YEAR_OF_WEEK FROM DATE '2021-01-01')", 2020),
    ("hour(TIMESTAMP '2024-07-01 13:05:09')", 13),
    ("minute(TIMESTAMP '2024-07-01 13:05:09')", 5),
    ("second(TIMESTAMP '2024-07-01 13:05:09')", 9),
    (f"millisecond({TS_MS})", 123),  # DuckDB alone: 9123
    ("week(DATE '2021-01-01')", date(2021, 1, 1).isocalendar()[1]),
    ("week_of_year(DATE '2024-01-01')", 1),
    ("year_of_week(DATE '2021-01-01')", date(2021, 1, 1).isocalendar()[0]),
    ("yow(DATE '2021-01-01')", 2020),
    ("last_day_of_month(DATE '2024-02-10')", date(2024, 2, 29)),
]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0] for c in CASES])
def test_date_function_answers_as_athena(scalar: Callable[..., Any], expression: str, expected: Any) -> None:
    actual = scalar(expression)
    assert actual == expected and type(actual) is type(expected), (expression, actual)


def test_to_iso8601_of_a_value_typed_only_at_run_time(engine: DuckDBQueryEngine) -> None:
    assert engine.run_query("SELECT to_iso8601(?)", [date(2024, 7, 1)]).rows == [("2024-07-01",)]
    assert engine.run_query("SELECT to_iso8601(?)", [MOMENT]).rows == [(MOMENT.isoformat(timespec="milliseconds"),)]


def test_current_date_and_time_are_utc(scalar: Callable[..., Any]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    for expression in ("now()", "current_timestamp"):
        assert abs(scalar(expression) - now) < timedelta(minutes=1)
    assert scalar("current_date") in {(now - timedelta(minutes=1)).date(), (now + timedelta(minutes=1)).date()}


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT date_format(DATE '2024-07-01', '%u')", "INVALID_FUNCTION_ARGUMENT: %u not supported in date format string"),
        ("SELECT date_format(DATE '2024-07-01', '%D')", "%D not supported"),
        ("SELECT format_datetime(TIMESTAMP '2024-07-01 00:00:00', 'yyyy Z')", "NOT_SUPPORTED: Joda pattern letter 'Z'"),
        ("SELECT format_datetime(TIMESTAMP '2024-07-01 00:00:00', 'SS')", "NOT_SUPPORTED: Joda pattern 'SS'"),
        ("SELECT date_format(DATE '2024-07-01', concat('%', 'Y'))", "NOT_SUPPORTED: the format must be a string literal"),
        ("SELECT from_unixtime(0, 'UTC')", "NOT_SUPPORTED: from_unixtime with a time zone"),
    ],
)
def test_formats_duckdb_cannot_follow_are_errors(engine: DuckDBQueryEngine, sql: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(")):
        engine.run_query(sql)
