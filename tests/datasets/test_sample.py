"""The synthetic `3-1-1-inquiry-volume` export: format, realism, determinism, faults."""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from lakehouse.datasets import sample_vocabulary as vocab
from lakehouse.datasets.sample import (
    CSV_HEADER,
    DEFAULT_ROWS,
    SampleReport,
    last_full_month,
    write_sample,
)
from lakehouse.datasets.sample_faults import FAULT_KINDS

END = "2026-10"
BOM = b"\xef\xbb\xbf"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
COUNT = re.compile(r"^[1-9][0-9]*$")
CURRENT = {s.name for s in vocab.load_department_shares()}
KNOWN_DEPARTMENTS = CURRENT | set(vocab.RENAMES)


def parse(path: Path) -> list[list[str]]:
    """Data rows as Python's csv module reads them (header line dropped)."""
    text = path.read_bytes().removeprefix(BOM).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleReport, list[list[str]]]:
    path = tmp_path_factory.mktemp("sample") / "inquiry-volume.csv"
    report = write_sample(path, end_month=END)
    return report, parse(path)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> SampleReport:
    return write_sample(tmp_path_factory.mktemp("dirty") / "d.csv", rows=20_000, seed=7,
                        dirty=True, end_month=END)


def test_exact_header_bom_and_crlf(default: tuple[SampleReport, list[list[str]]]) -> None:
    report, _ = default
    data = report.path.read_bytes()
    assert data.startswith(BOM + b"Department;Type;Year Month;Channel;Number of Records;BI_ID\r\n")
    assert CSV_HEADER == "Department;Type;Year Month;Channel;Number of Records;BI_ID"
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") == DEFAULT_ROWS + 1  # no bare LF


@pytest.mark.parametrize("rows", [2_000, 3_517])
def test_row_count_equals_rows(tmp_path: Path, rows: int) -> None:
    seen: list[int] = []
    report = write_sample(tmp_path / "s.csv", rows=rows, end_month=END, progress=seen.append)
    assert report.rows == rows == len(parse(report.path))
    assert sum(seen) == rows and report.faults == {}


def test_same_arguments_give_identical_bytes_and_seeds_differ(tmp_path: Path) -> None:
    first = write_sample(tmp_path / "a.csv", rows=5_000, seed=1, dirty=True, end_month=END)
    again = write_sample(tmp_path / "b.csv", rows=5_000, seed=1, dirty=True, end_month=END)
    other = write_sample(tmp_path / "c.csv", rows=5_000, seed=2, dirty=True, end_month=END)
    assert first.path.read_bytes() == again.path.read_bytes()
    assert first.path.read_bytes() != other.path.read_bytes()
    clean = write_sample(tmp_path / "d.csv", rows=5_000, seed=1, end_month=END)
    assert clean.path.read_bytes() != first.path.read_bytes()


def test_month_range_and_report(default: tuple[SampleReport, list[list[str]]]) -> None:
    report, rows = default
    months = {r[2] for r in rows}
    assert all(MONTH.match(m) for m in months)
    assert min(months) == report.first_month == "2009-01"
    assert max(months) == report.last_month == END
    assert len(months) == 17 * 12 + 10  # every month has rows


def test_end_month_and_last_full_month(tmp_path: Path) -> None:
    assert last_full_month(date(2024, 3, 1)) == "2024-02"
    assert last_full_month(date(2024, 1, 31)) == "2023-12"
    report = write_sample(tmp_path / "s.csv", rows=2_000, end_month="2015-06")
    assert {r[2] for r in parse(report.path)} <= {f"{y}-{m:02d}" for y in range(2009, 2016)
                                                  for m in range(1, 13) if (y, m) <= (2015, 6)}
    assert report.last_month == "2015-06"


@pytest.mark.parametrize("kwargs", [{"rows": 0}, {"end_month": "2024-13"},
                                    {"end_month": "2008-12"}, {"rows": 50, "dirty": True}])
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path / "s.csv", **{"end_month": END, **kwargs})  # type: ignore[arg-type]


def test_channels_and_their_shares(default: tuple[SampleReport, list[list[str]]]) -> None:
    _, rows = default
    totals: Counter[str] = Counter()
    chat_2023: Counter[str] = Counter()
    for r in rows:
        totals[r[3]] += int(r[4])
        if r[2].startswith("2023"):
            chat_2023[r[3]] += int(r[4])
    assert set(totals) == set(vocab.CHANNELS)
    assert 0.85 <= totals["Phone"] / sum(totals.values()) <= 0.91
    assert 0.08 <= chat_2023["Chat"] / sum(chat_2023.values()) <= 0.16  # Chat grew from 2018
    assert chat_2023["E-mail"] < chat_2023["Chat"] / 20
    assert min(r[2] for r in rows if r[3] == "Chat") >= "2018-01"


def test_count_distribution_is_realistic(default: tuple[SampleReport, list[list[str]]]) -> None:
    _, rows = default
    counts = [int(r[4]) for r in rows]
    assert min(counts) == 1
    assert 8 <= statistics.median(counts) <= 20
    assert 60 <= statistics.mean(counts) <= 150
    assert 10_000 <= max(counts) <= 25_000
    monthly: Counter[str] = Counter()
    for r in rows:
        monthly[r[2]] += int(r[4])
    assert 20_000 <= statistics.median(monthly.values()) <= 40_000


def test_departments_types_and_monthly_shape(
    default: tuple[SampleReport, list[list[str]]]
) -> None:
    _, rows = default
    departments = {r[0] for r in rows}
    assert departments <= KNOWN_DEPARTMENTS and len(departments & CURRENT) >= 84
    by_month: dict[str, set[str]] = defaultdict(set)
    rows_per_month: Counter[str] = Counter()
    for r in rows:
        by_month[r[2]].add(r[1])
        rows_per_month[r[2]] += 1
    assert 130 <= statistics.mean(len(t) for t in by_month.values()) <= 210
    assert 250 <= rows_per_month["2024-07"] <= 420
    fifa = [r[2] for r in rows if r[0] == "FIFA World Cup 2026"]
    assert fifa and min(fifa) >= "2023-01"
    assert max(r[2] for r in rows if r[0] == "PDS - Landscape") <= "2023-12"


def test_retired_types_and_renamed_departments(
    default: tuple[SampleReport, list[list[str]]]
) -> None:
    _, rows = default
    retired = [r for r in rows if r[1].startswith("ZZ OLD - ")]
    assert len({r[1] for r in retired}) >= 10
    assert max(r[2] for r in retired) < END  # a retired type stops before the export ends
    old, (new, since) = "ENG - Waste Management & Resource Recovery", vocab.RENAMES[
        "ENG - Waste Management & Resource Recovery"]
    old_months = [r[2] for r in rows if r[0] == old]
    new_months = [r[2] for r in rows if r[0] == new]
    assert old_months and new_months
    assert max(old_months) < since <= min(new_months)
    for old_name, (new_name, start) in vocab.RENAMES.items():
        assert all(r[2] < start for r in rows if r[0] == old_name)
        assert all(r[2] >= start for r in rows if r[0] == new_name)


def test_keys_and_bi_ids_unique(default: tuple[SampleReport, list[list[str]]]) -> None:
    _, rows = default
    keys = Counter((r[0], r[1], r[2], r[3]) for r in rows)
    assert keys.most_common(1)[0][1] == 1
    ids = [int(r[5]) for r in rows]
    assert len(set(ids)) == len(ids)


def test_large_months_relax_keys_but_not_bi_ids(tmp_path: Path) -> None:
    # 60,000 rows in 12 months is more rows than a month has combinations.
    report = write_sample(tmp_path / "s.csv", rows=60_000, end_month="2009-12")
    rows = parse(report.path)
    assert len(rows) == 60_000 and len({r[5] for r in rows}) == 60_000
    assert all(COUNT.match(r[4]) for r in rows)


def test_quoting_round_trips_through_csv_module(dirty: SampleReport) -> None:
    text = dirty.path.read_bytes().removeprefix(BOM).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert all(len(r) == 6 for r in rows)
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    assert out.getvalue() == text  # quoted exactly when needed, `"` doubled
    assert text.count('"""') == 2 * dirty.faults["quoted_value"]


def classify(path: Path) -> Counter[str]:
    """Count each fault kind by re-reading the file; every line has at most one."""
    lines = path.read_bytes().removeprefix(BOM).decode("utf-8").split("\r\n")[1:-1]
    found: Counter[str] = Counter()
    seen: set[str] = set()
    for line in lines:
        if line == CSV_HEADER:
            found["repeated_header"] += 1
            continue
        if line in seen:
            found["duplicate_row"] += 1
            continue
        seen.add(line)
        dept, typ, month, channel, count, _ = next(csv.reader([line], delimiter=";"))
        kinds = [
            kind for kind, hit in (
                ("missing_value", "" in (dept, typ, month, channel, count)),
                ("quoted_value", len(dept) > 1 and dept[0] == dept[-1] == '"'),
                ("whitespace", any(v != v.strip() for v in (dept, typ, channel))),
                ("channel_case", channel.strip() not in vocab.CHANNELS
                 and channel.strip().lower() in {c.lower() for c in vocab.CHANNELS}),
                ("malformed_month", month != "" and not MONTH.match(month)),
                ("bad_count", count != "" and not COUNT.match(count)),
            ) if hit
        ]
        assert len(kinds) <= 1, line
        found.update(kinds)
        if kinds and kinds[0] in ("whitespace", "channel_case", "quoted_value"):
            # Repairable: stripping, unquoting and fixing case gives a valid row.
            fixed = dept.strip().strip('"')
            assert fixed in KNOWN_DEPARTMENTS and MONTH.match(month) and COUNT.match(count)
            assert channel.strip().lower() in {c.lower() for c in vocab.CHANNELS}
    return found


def test_dirty_faults_are_all_present_and_counted_exactly(dirty: SampleReport) -> None:
    assert tuple(dirty.faults) == FAULT_KINDS == (
        "whitespace", "channel_case", "quoted_value", "missing_value", "duplicate_row",
        "malformed_month", "bad_count", "repeated_header")
    assert all(n >= 1 for n in dirty.faults.values())
    assert 0.005 <= sum(dirty.faults.values()) / dirty.rows <= 0.01
    assert classify(dirty.path) == Counter(dirty.faults)
    assert len(parse(dirty.path)) == dirty.rows == 20_000


def test_small_dirty_sample_has_every_fault(tmp_path: Path) -> None:
    report = write_sample(tmp_path / "s.csv", rows=2_000, dirty=True, end_month=END)
    assert set(report.faults) == set(FAULT_KINDS) and min(report.faults.values()) >= 1
    assert classify(report.path) == Counter(report.faults)
    text = report.path.read_bytes()
    assert not text[len(BOM) + len(CSV_HEADER) + 2:].startswith(CSV_HEADER.encode())
    assert not text.endswith(CSV_HEADER.encode() + b"\r\n")  # headers repeat mid-file
