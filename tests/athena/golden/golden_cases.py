"""Golden Athena queries over `golden_dataset.ROWS`, each with the answer Athena gives.

Every expected value is computed here in plain Python from the same rows (or, for a
function applied to literals, is the result the Trino/Athena documentation gives for
that example): none comes from the engine under test. Values carry Athena's types as
Python sees them — bigint/integer → int, double → float, decimal → Decimal, date, timestamp
→ datetime, array → list, map → dict — and the test compares types as well as values.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from golden_dataset import ROWS, Request

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Case:
    category: str
    sql: str
    expected: list[Row]


def by_id(*ids: int) -> list[Request]:
    return [r for r in sorted(ROWS, key=lambda r: r.id) if r.id in ids] if ids else sorted(ROWS, key=lambda r: r.id)


def where(predicate: Callable[[Request], bool]) -> list[Request]:
    return [r for r in by_id() if predicate(r)]


def groups(key: Callable[[Request], Any], rows: Iterable[Request] = ROWS) -> dict[Any, list[Request]]:
    found: dict[Any, list[Request]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: r.id):
        found[key(r)].append(r)
    return dict(sorted(found.items()))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Trino's date_diff('month', …): whole months from start to end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def last_day_of_month(day: date) -> date:
    return add_months(date(day.year, day.month, 1), 1) - timedelta(days=1)


def rank(values: list[Any], value: Any, descending: bool = False) -> int:
    return 1 + sum(1 for v in values if (v > value if descending else v < value))


def dense_rank(values: list[Any], value: Any, descending: bool = False) -> int:
    return 1 + len({v for v in values if (v > value if descending else v < value)})


def ntile(position: int, total: int, buckets: int) -> int:
    """Trino's ntile for the 0-based position of a row among `total` rows."""
    size, extra = divmod(total, buckets)
    boundary = extra * (size + 1)
    return position // (size + 1) + 1 if position < boundary else (position - boundary) // size + extra + 1


def code_of(department: str) -> str:
    return department.split(" - ", 1)[0]


def priority(r: Request) -> str:
    return str(json.loads(r.payload)["priority"])


def tags(r: Request) -> list[str]:
    return list(json.loads(r.payload)["tags"])


N = len(ROWS)
MINUTES = sorted(r.minutes for r in ROWS)
COSTS = [r.cost for r in ROWS]
FIRST3, FIRST5 = by_id(1, 2, 3), by_id(1, 2, 3, 4, 5)

STRING = [
    Case("string", "SELECT id, upper(channel), lower(department), length(department) FROM requests "
         "WHERE id <= 3 ORDER BY id",
         [(r.id, r.channel.upper(), r.department.lower(), len(r.department)) for r in FIRST3]),
    Case("string", "SELECT id, substr(department, 1, strpos(department, ' - ') - 1), split_part(department, ' - ', 2) "
         "FROM requests WHERE id <= 4 ORDER BY id",
         [(r.id, code_of(r.department), r.department.split(" - ")[1]) for r in by_id(1, 2, 3, 4)]),
    Case("string", "SELECT DISTINCT concat(channel, '/', department) FROM requests ORDER BY 1",
         [(v,) for v in sorted({f"{r.channel}/{r.department}" for r in ROWS})]),
    Case("string", "SELECT lpad(CAST(id AS varchar), 4, '0'), rpad(channel, 8, '.') FROM requests "
         "WHERE id IN (1, 2, 12) ORDER BY id",
         [(str(r.id).rjust(4, "0"), r.channel.ljust(8, ".")[:8]) for r in by_id(1, 2, 12)]),
    Case("string", "SELECT replace(department, ' - ', ':'), reverse(channel), replace(channel, 'o') FROM requests "
         "WHERE id = 5",
         [(r.department.replace(" - ", ":"), r.channel[::-1], r.channel.replace("o", "")) for r in by_id(5)]),
    Case("string", "SELECT trim('  ' || channel || '  '), ltrim('  ' || channel), rtrim(channel || '  ') "
         "FROM requests WHERE id = 2", [(r.channel, r.channel, r.channel) for r in by_id(2)]),
    Case("string", "SELECT count(*) FROM requests WHERE starts_with(department, 'ENG')",
         [(len(where(lambda r: r.department.startswith("ENG"))),)]),
    Case("string", "SELECT channel || ' (' || CAST(count(*) AS varchar) || ')' FROM requests "
         "GROUP BY channel ORDER BY channel", [(f"{c} ({len(rs)})",) for c, rs in groups(lambda r: r.channel).items()]),
    Case("string", "SELECT concat_ws(',', channel, note), concat(channel, note) FROM requests "
         "WHERE id IN (5, 6) ORDER BY id",
         [(",".join(v for v in (r.channel, r.note) if v is not None), None if r.note is None else r.channel + r.note)
          for r in by_id(5, 6)]),
    # Trino documentation examples
    Case("string", "SELECT levenshtein_distance('kitten', 'sitting'), hamming_distance('abc', 'abd'), "
         "codepoint('A'), chr(66), position('b' IN 'abc')", [(3, 1, 65, "B", 2)]),
]

DATE_TIME = [
    Case("date/time", "SELECT id, year(opened), month(opened), day(opened), day_of_week(opened), day_of_year(opened), "
         "quarter(opened) FROM requests WHERE id <= 5 ORDER BY id",
         [(r.id, r.opened.year, r.opened.month, r.opened.day, r.opened.isoweekday(), r.opened.timetuple().tm_yday,
           (r.opened.month - 1) // 3 + 1) for r in FIRST5]),
    Case("date/time", "SELECT date_trunc('month', opened), count(*) FROM requests WHERE year = 2023 "
         "GROUP BY 1 ORDER BY 1",
         [(m, len(rs)) for m, rs in groups(lambda r: r.opened.replace(day=1), where(lambda r: r.year == 2023)).items()]),
    Case("date/time", "SELECT id, date_add('day', 10, opened), date_add('month', 1, opened), "
         "date_add('year', -1, opened) FROM requests WHERE id IN (2, 12) ORDER BY id",
         [(r.id, r.opened + timedelta(days=10), add_months(r.opened, 1), add_months(r.opened, -12))
          for r in by_id(2, 12)]),
    Case("date/time", "SELECT id, date_diff('day', opened, DATE '2025-01-01'), "
         "date_diff('month', opened, DATE '2025-01-01') FROM requests WHERE id IN (3, 14) ORDER BY id",
         [(r.id, (date(2025, 1, 1) - r.opened).days, months_between(r.opened, date(2025, 1, 1))) for r in by_id(3, 14)]),
    Case("date/time", "SELECT date_format(opened_at, '%Y-%m-%d %H:%i:%s'), format_datetime(opened_at, 'yyyy/MM/dd HH:mm') "
         "FROM requests WHERE id = 4",
         [(r.opened_at.strftime("%Y-%m-%d %H:%M:%S"), r.opened_at.strftime("%Y/%m/%d %H:%M")) for r in by_id(4)]),
    Case("date/time", "SELECT to_iso8601(opened), to_iso8601(opened_at) FROM requests WHERE id = 6",
         [(r.opened.isoformat(), r.opened_at.isoformat(timespec="milliseconds")) for r in by_id(6)]),
    Case("date/time", "SELECT hour(opened_at), minute(opened_at), second(opened_at) FROM requests WHERE id = 9",
         [(r.opened_at.hour, r.opened_at.minute, r.opened_at.second) for r in by_id(9)]),
    Case("date/time", "SELECT date_parse('2024-03-05 07:08:09', '%Y-%m-%d %H:%i:%s'), from_unixtime(86400 * 365), "
         "from_iso8601_date('2024-02-29')", [(datetime(2024, 3, 5, 7, 8, 9), datetime(1971, 1, 1), date(2024, 2, 29))]),
    Case("date/time", "SELECT extract(year FROM opened), week_of_year(opened) FROM requests WHERE id = 12",
         [(r.opened.year, r.opened.isocalendar()[1]) for r in by_id(12)]),
    Case("date/time", "SELECT last_day_of_month(opened) FROM requests WHERE id IN (5, 14) ORDER BY id",
         [(last_day_of_month(r.opened),) for r in by_id(5, 14)]),
    Case("date/time", "SELECT count(*) FROM requests WHERE opened BETWEEN DATE '2023-03-01' AND DATE '2023-09-01'",
         [(len(where(lambda r: date(2023, 3, 1) <= r.opened <= date(2023, 9, 1))),)]),
    Case("date/time", "SELECT id, to_unixtime(opened_at) FROM requests WHERE id = 7",
         [(r.id, (r.opened_at - datetime(1970, 1, 1)).total_seconds()) for r in by_id(7)]),
]

MATH = [
    Case("math", "SELECT id, minutes / 7, minutes % 7, mod(minutes, 5) FROM requests WHERE id <= 4 ORDER BY id",
         [(r.id, r.minutes // 7, r.minutes % 7, r.minutes % 5) for r in by_id(1, 2, 3, 4)]),
    Case("math", "SELECT sum(minutes) / count(*), sum(minutes) FROM requests",
         [(sum(MINUTES) // N, sum(MINUTES))]),
    Case("math", "SELECT department, sum(minutes) / count(*), avg(minutes) FROM requests GROUP BY department "
         "ORDER BY department",
         [(d, sum(r.minutes for r in rs) // len(rs), sum(r.minutes for r in rs) / len(rs))
          for d, rs in groups(lambda r: r.department).items()]),
    Case("math", "SELECT round(cost / 3, 2), ceil(cost), floor(cost), abs(cost - 5) FROM requests WHERE id = 3",
         [(round(r.cost / 3, 2), float(-(-r.cost // 1)), float(r.cost // 1), abs(r.cost - 5)) for r in by_id(3)]),
    Case("math", "SELECT power(2, 10), sqrt(16), sign(-3), truncate(4.25E0), round(2.5E0), round(-2.5E0)",
         [(1024.0, 4.0, -1, 4.0, 3.0, -3.0)]),  # Athena rounds half away from zero
    Case("math", "SELECT id, greatest(minutes, 30), least(minutes, 30) FROM requests WHERE id IN (1, 2) ORDER BY id",
         [(r.id, max(r.minutes, 30), min(r.minutes, 30)) for r in by_id(1, 2)]),
    Case("math", "SELECT ln(e()), log10(1000), log2(8), pi() > 3.14, degrees(pi())", [(1.0, 3.0, 3.0, True, 180.0)]),
    Case("math", "SELECT 7 / 2, -7 / 2, 7.0 / 2, CAST(7 AS double) / 2", [(3, -3, Decimal("3.5"), 3.5)]),
    Case("math", "SELECT id, minutes * 100 / (SELECT sum(minutes) FROM requests) FROM requests WHERE id IN (2, 7) "
         "ORDER BY id", [(r.id, r.minutes * 100 // sum(MINUTES)) for r in by_id(2, 7)]),
]

BY_DEPARTMENT = groups(lambda r: r.department)
BY_CHANNEL = groups(lambda r: r.channel)
AGGREGATE = [
    Case("aggregate", "SELECT count(*), count(note), count(DISTINCT department), sum(minutes), min(opened), "
         "max(opened_at) FROM requests",
         [(N, sum(r.note is not None for r in ROWS), len(BY_DEPARTMENT), sum(MINUTES), min(r.opened for r in ROWS),
           max(r.opened_at for r in ROWS))]),
    Case("aggregate", "SELECT channel, count(*), sum(cost), min(minutes), max(minutes) FROM requests "
         "GROUP BY channel ORDER BY channel",
         [(c, len(rs), sum(r.cost for r in rs), min(r.minutes for r in rs), max(r.minutes for r in rs))
          for c, rs in BY_CHANNEL.items()]),
    Case("aggregate", "SELECT department, count(*) FROM requests GROUP BY department HAVING sum(minutes) > 120 "
         "ORDER BY 1", [(d, len(rs)) for d, rs in BY_DEPARTMENT.items() if sum(r.minutes for r in rs) > 120]),
    Case("aggregate", "SELECT count_if(minutes > 30), bool_and(minutes > 5), bool_or(cost > 7.5), "
         "every(cost >= 0.75) FROM requests",
         [(sum(r.minutes > 30 for r in ROWS), all(r.minutes > 5 for r in ROWS), any(r.cost > 7.5 for r in ROWS),
           all(r.cost >= 0.75 for r in ROWS))]),
    Case("aggregate", "SELECT max_by(id, minutes), min_by(id, minutes), max_by(department, opened_at) FROM requests",
         [(max(ROWS, key=lambda r: r.minutes).id, min(ROWS, key=lambda r: r.minutes).id,
           max(ROWS, key=lambda r: r.opened_at).department)]),
    Case("aggregate", "SELECT department, array_agg(id ORDER BY id) FROM requests GROUP BY department "
         "ORDER BY department", [(d, [r.id for r in rs]) for d, rs in BY_DEPARTMENT.items()]),
    Case("aggregate", "SELECT year, count(*), round(avg(cost), 3) FROM requests GROUP BY year ORDER BY year",
         [(y, len(rs), round(sum(r.cost for r in rs) / len(rs), 3)) for y, rs in groups(lambda r: r.year).items()]),
    Case("aggregate", "SELECT round(stddev_pop(minutes), 6), round(var_samp(minutes), 6) FROM requests",
         [(round(statistics.pstdev(MINUTES), 6), round(statistics.variance(MINUTES), 6))]),
    Case("aggregate", "SELECT histogram(channel) FROM requests", [(dict(sorted(Counter(r.channel for r in ROWS).items())),)]),
    Case("aggregate", "SELECT listagg(channel, ',') WITHIN GROUP (ORDER BY channel) FROM "
         "(SELECT DISTINCT channel FROM requests)", [(",".join(sorted(BY_CHANNEL)),)]),
    Case("aggregate", "SELECT count(*) FILTER (WHERE channel = 'Web'), sum(CASE WHEN year = 2024 THEN 1 ELSE 0 END) "
         "FROM requests", [(len(BY_CHANNEL["Web"]), sum(r.year == 2024 for r in ROWS))]),
]


def _window_rows() -> dict[str, list[Row]]:
    ordered = by_id()
    row_number = {}
    for rs in BY_DEPARTMENT.values():
        for position, r in enumerate(sorted(rs, key=lambda r: r.opened_at), start=1):
            row_number[r.id] = position
    y2022 = where(lambda r: r.year == 2022)
    running: dict[int, int] = {}
    for rs in groups(lambda r: r.year).values():
        total = 0
        for r in rs:  # ordered by id
            total += r.minutes
            running[r.id] = total
    by_minutes = sorted(ROWS, key=lambda r: r.minutes)
    first_last = {}
    for rs in BY_CHANNEL.values():
        ranked = sorted(rs, key=lambda r: r.minutes)
        for r in rs:
            first_last[r.id] = (ranked[0].id, ranked[-1].id)
    return {
        "row_number": [(r.id, row_number[r.id]) for r in ordered],
        "rank": [(r.id, rank(COSTS, r.cost, True), dense_rank(COSTS, r.cost, True)) for r in ordered],
        "lag": [(r.id, y2022[i - 1].minutes if i > 0 else None, y2022[i + 2].minutes if i + 2 < len(y2022) else None)
                for i, r in enumerate(y2022)],
        "running": [(r.id, running[r.id]) for r in ordered],
        "ntile": [(r.id, ntile(by_minutes.index(r), N, 4)) for r in ordered],
        "first_last": [(r.id, *first_last[r.id]) for r in ordered],
        "percent": [(r.id, round((rank(MINUTES, r.minutes) - 1) / (N - 1), 4),
                     round(sum(m <= r.minutes for m in MINUTES) / N, 4)) for r in ordered],
    }


_WINDOWS = _window_rows()
WINDOW = [
    Case("window", "SELECT id, row_number() OVER (PARTITION BY department ORDER BY opened_at) FROM requests ORDER BY id",
         _WINDOWS["row_number"]),
    Case("window", "SELECT id, rank() OVER (ORDER BY cost DESC), dense_rank() OVER (ORDER BY cost DESC) "
         "FROM requests ORDER BY id", _WINDOWS["rank"]),
    Case("window", "SELECT id, lag(minutes) OVER (ORDER BY id), lead(minutes, 2) OVER (ORDER BY id) FROM requests "
         "WHERE year = 2022 ORDER BY id", _WINDOWS["lag"]),
    Case("window", "SELECT id, sum(minutes) OVER (PARTITION BY year ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING "
         "AND CURRENT ROW) FROM requests ORDER BY id", _WINDOWS["running"]),
    Case("window", "SELECT id, ntile(4) OVER (ORDER BY minutes) FROM requests ORDER BY id", _WINDOWS["ntile"]),
    Case("window", "SELECT id, first_value(id) OVER (PARTITION BY channel ORDER BY minutes), last_value(id) OVER "
         "(PARTITION BY channel ORDER BY minutes ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) "
         "FROM requests ORDER BY id", _WINDOWS["first_last"]),
    Case("window", "SELECT id, round(percent_rank() OVER (ORDER BY minutes), 4), round(cume_dist() OVER "
         "(ORDER BY minutes), 4) FROM requests ORDER BY id", _WINDOWS["percent"]),
]

ARRAY = [  # literal examples are the Trino documentation's
    Case("array", "SELECT cardinality(ARRAY[1, 2, 3]), contains(ARRAY['a', 'b'], 'b'), element_at(ARRAY[10, 20, 30], -1), "
         "array_join(ARRAY['x', 'y', 'z'], '-')", [(3, True, 30, "x-y-z")]),
    Case("array", "SELECT sequence(1, 5), sequence(1, 9, 4), repeat('ab', 2)", [([1, 2, 3, 4, 5], [1, 5, 9], ["ab", "ab"])]),
    Case("array", "SELECT transform(ARRAY[1, 2, 3], x -> x * x), filter(ARRAY[5, -6, NULL, 7], x -> x > 0), "
         "reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s)", [([1, 4, 9], [5, 7], 75)]),
    Case("array", "SELECT array_sort(ARRAY[3, 1, 2]), array_distinct(ARRAY[1, 1, 2]), array_max(ARRAY[4, 9, 2]), "
         "slice(ARRAY[1, 2, 3, 4], 2, 2)", [([1, 2, 3], [1, 2], 9, [2, 3])]),
    Case("array", "SELECT id, word FROM requests CROSS JOIN UNNEST(split(channel, ' ')) AS t(word) "
         "WHERE id IN (2, 3) ORDER BY id, word",
         [(r.id, word) for r in by_id(2, 3) for word in sorted(r.channel.split(" "))]),
    Case("array", "SELECT array_position(ARRAY[10, 20], 20), array_remove(ARRAY[1, 2, 1], 1), "
         "array_union(ARRAY[1, 2], ARRAY[2, 3]), flatten(ARRAY[ARRAY[1], ARRAY[2, 3]])",
         [(2, [2], [1, 2, 3], [1, 2, 3])]),
    Case("array", "SELECT department, cardinality(array_agg(DISTINCT channel)) FROM requests GROUP BY 1 ORDER BY 1",
         [(d, len({r.channel for r in rs})) for d, rs in BY_DEPARTMENT.items()]),
    Case("array", "SELECT array_intersect(ARRAY[1, 2, 3], ARRAY[2, 3, 4]), array_except(ARRAY[1, 2, 3], ARRAY[2]), "
         "arrays_overlap(ARRAY[1, 2], ARRAY[3])", [([2, 3], [1, 3], False)]),
]

MAP = [
    Case("map", "SELECT element_at(MAP(ARRAY['a', 'b'], ARRAY[1, 2]), 'b'), cardinality(MAP(ARRAY['a', 'b'], "
         "ARRAY[1, 2])), map_keys(MAP(ARRAY['a', 'b'], ARRAY[1, 2])), map_values(MAP(ARRAY['a', 'b'], ARRAY[1, 2]))",
         [(2, 2, ["a", "b"], [1, 2])]),
    Case("map", "SELECT element_at(m, 'Phone'), element_at(m, 'Fax') FROM (SELECT map_agg(channel, n) AS m "
         "FROM (SELECT channel, count(*) AS n FROM requests GROUP BY channel))", [(len(BY_CHANNEL["Phone"]), None)]),
    Case("map", "SELECT element_at(histogram(department), 'ENG - Streets') FROM requests",
         [(len(BY_DEPARTMENT["ENG - Streets"]),)]),
    Case("map", "SELECT map_from_entries(ARRAY[('x', 1), ('y', 2)]), "
         "map_concat(MAP(ARRAY['a'], ARRAY[1]), MAP(ARRAY['b'], ARRAY[2]))", [({"x": 1, "y": 2}, {"a": 1, "b": 2})]),
]

JSON = [
    Case("JSON", "SELECT id, json_extract_scalar(payload, '$.priority'), json_array_length(json_extract(payload, "
         "'$.tags')) FROM requests WHERE id <= 4 ORDER BY id",
         [(r.id, priority(r), len(tags(r))) for r in by_id(1, 2, 3, 4)]),
    Case("JSON", "SELECT count(*) FROM requests WHERE json_extract_scalar(payload, '$.priority') = 'high'",
         [(sum(priority(r) == "high" for r in ROWS),)]),
    Case("JSON", "SELECT json_format(json_parse('{\"a\": [1, 2]}')), json_size('{\"x\": {\"a\": 1, \"b\": 2}}', '$.x'), "
         "json_array_length('[1, 2, 3]')", [('{"a":[1,2]}', 2, 3)]),
    Case("JSON", "SELECT json_extract_scalar('{\"a\": {\"b\": \"c\"}}', '$.a.b'), json_extract_scalar('[1, 2]', '$[1]'), "
         "json_extract_scalar(payload, '$.tags[0]') FROM requests WHERE id = 3",
         [("c", "2", tags(r)[0]) for r in by_id(3)]),
]

_TICKET = re.compile(r"#(\d+)")
REGEXP = [
    Case("regexp", "SELECT id, regexp_extract(note, '#(\\d+)', 1), regexp_like(note, 'urgent$') FROM requests "
         "WHERE id IN (4, 5, 6) ORDER BY id",
         [(r.id, None if r.note is None else _TICKET.search(r.note).group(1),  # type: ignore[union-attr]
           None if r.note is None else r.note.endswith("urgent")) for r in by_id(4, 5, 6)]),
    Case("regexp", "SELECT regexp_replace(department, '^(\\w+) - (.*)$', '$2 ($1)') FROM requests WHERE id = 1",
         [(re.sub(r"^(\w+) - (.*)$", r"\2 (\1)", r.department),) for r in by_id(1)]),
    Case("regexp", "SELECT regexp_extract_all('1a 2b 14m', '\\d+'), regexp_count('1a 2b 14m', '\\d+'), "
         "regexp_split('a1b2c', '\\d')", [(["1", "2", "14"], 3, ["a", "b", "c"])]),
    Case("regexp", "SELECT count(*) FROM requests WHERE regexp_like(department, '^ENG')",
         [(sum(bool(re.match("^ENG", r.department)) for r in ROWS),)]),
    Case("regexp", "SELECT regexp_replace(channel, '[aeiou]') FROM requests WHERE id = 2",
         [(re.sub("[aeiou]", "", r.channel),) for r in by_id(2)]),
]


def _size(minutes: int) -> str:
    return "long" if minutes >= 30 else "medium" if minutes >= 15 else "short"


CONDITIONAL = [
    Case("conditional", "SELECT id, CASE WHEN minutes >= 30 THEN 'long' WHEN minutes >= 15 THEN 'medium' "
         "ELSE 'short' END, if(cost > 5, 'dear', 'cheap') FROM requests WHERE id <= 6 ORDER BY id",
         [(r.id, _size(r.minutes), "dear" if r.cost > 5 else "cheap") for r in by_id(1, 2, 3, 4, 5, 6)]),
    Case("conditional", "SELECT id, coalesce(note, 'none'), nullif(channel, 'Phone') FROM requests "
         "WHERE id IN (5, 6) ORDER BY id",
         [(r.id, r.note or "none", None if r.channel == "Phone" else r.channel) for r in by_id(5, 6)]),
    Case("conditional", "SELECT try_cast('12' AS integer), try_cast('x' AS integer), try(CAST('y' AS integer)), "
         "if(false, 1)", [(12, None, None, None)]),
    Case("conditional", "SELECT count(*) FROM requests WHERE (CASE channel WHEN 'Web' THEN 1 ELSE 0 END) = 1 "
         "AND note IS NOT NULL", [(sum(r.channel == "Web" and r.note is not None for r in ROWS),)]),
]

_MOST = max(BY_DEPARTMENT.items(), key=lambda item: sum(r.minutes for r in item[1]))[0]
RELATIONAL = [
    Case("query", "WITH per_department AS (SELECT department, sum(minutes) AS m FROM requests GROUP BY 1) "
         "SELECT department FROM per_department WHERE m = (SELECT max(m) FROM per_department)", [(_MOST,)]),
    Case("query", "SELECT a.id, b.id FROM requests a JOIN requests b ON a.opened = b.opened AND a.id < b.id "
         "ORDER BY 1, 2", [(a.id, b.id) for a in by_id() for b in by_id() if a.opened == b.opened and a.id < b.id]),
    Case("query", "SELECT channel FROM requests WHERE year = 2022 UNION SELECT channel FROM requests "
         "WHERE year = 2024 ORDER BY 1", [(c,) for c in sorted({r.channel for r in ROWS if r.year in (2022, 2024)})]),
    Case("query", "SELECT year, count(*) FROM requests WHERE year IN (2022, 2024) GROUP BY year ORDER BY year",
         [(y, len(rs)) for y, rs in groups(lambda r: r.year).items() if y in (2022, 2024)]),
    Case("query", "SELECT id FROM requests ORDER BY minutes DESC LIMIT 3",
         [(r.id,) for r in sorted(ROWS, key=lambda r: -r.minutes)[:3]]),
    Case("query", "SELECT id FROM requests WHERE id > ? AND channel = ? ORDER BY id",
         [(r.id,) for r in where(lambda r: r.id > 10 and r.channel == "Web")]),
]
PARAMETERS = {RELATIONAL[-1].sql: [10, "Web"]}  # bound to the ? in order

CASES: list[Case] = [*STRING, *DATE_TIME, *MATH, *AGGREGATE, *WINDOW, *ARRAY, *MAP, *JSON, *REGEXP, *CONDITIONAL,
                     *RELATIONAL]
