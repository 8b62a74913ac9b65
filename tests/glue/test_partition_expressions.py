"""get_partitions with Glue's partition expressions, values compared by the key's declared type."""

from __future__ import annotations

from pathlib import Path

import pytest
from glue_support import DATABASE, partition, year_month_input

from emulation.glue.expressions import PartitionFilter
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3 import FileObjectStore
from lakehouse.errors import InvalidInputException

# year is an int key, month a string key: 999 < 2022 as numbers but not as text.
PARTITIONS = [
    ("999", "05"), ("2022", "01"), ("2022", "12"), ("2023", "02"), ("2023", "10"),
    ("2024", "01"), ("2024", "03"), ("2024", "11"), ("2025", "07"),
]
ALL = PARTITIONS

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("year = 2023", [("2023", "02"), ("2023", "10")]),
    ("year = '2023'", [("2023", "02"), ("2023", "10")]),
    ("YEAR = 2023", [("2023", "02"), ("2023", "10")]),
    ('"year" = 2023', [("2023", "02"), ("2023", "10")]),
    ("year < 2022", [("999", "05")]),
    ("year > 2023", [("2024", "01"), ("2024", "03"), ("2024", "11"), ("2025", "07")]),
    ("year >= 2024 AND month < '05'", [("2024", "01"), ("2024", "03")]),
    ("year <= 999", [("999", "05")]),
    ("2023 < year", [("2024", "01"), ("2024", "03"), ("2024", "11"), ("2025", "07")]),
    ("year <> 2024", [("999", "05"), ("2022", "01"), ("2022", "12"), ("2023", "02"), ("2023", "10"), ("2025", "07")]),
    ("year != 2024", [("999", "05"), ("2022", "01"), ("2022", "12"), ("2023", "02"), ("2023", "10"), ("2025", "07")]),
    ("month = '01' OR month = '12'", [("2022", "01"), ("2022", "12"), ("2024", "01")]),
    ("month >= '10'", [("2022", "12"), ("2023", "10"), ("2024", "11")]),
    ("month > 9", []),  # a string key compares as text: '9' sorts after '12'
    ("year BETWEEN 2022 AND 2023", [("2022", "01"), ("2022", "12"), ("2023", "02"), ("2023", "10")]),
    ("year NOT BETWEEN 2000 AND 2024", [("999", "05"), ("2025", "07")]),
    ("year IN (999, 2025)", [("999", "05"), ("2025", "07")]),
    ("month IN ('01', '11')", [("2022", "01"), ("2024", "01"), ("2024", "11")]),
    ("year NOT IN (2022, 2023, 2024)", [("999", "05"), ("2025", "07")]),
    ("month LIKE '1%'", [("2022", "12"), ("2023", "10"), ("2024", "11")]),
    ("month LIKE '_1'", [("2022", "01"), ("2024", "01"), ("2024", "11")]),
    ("month NOT LIKE '0%'", [("2022", "12"), ("2023", "10"), ("2024", "11")]),
    ("NOT (year = 2024 OR year = 2022)", [("999", "05"), ("2023", "02"), ("2023", "10"), ("2025", "07")]),
    ("(year = 2022 OR year = 2024) AND month = '01'", [("2022", "01"), ("2024", "01")]),
    ("year = 2022 OR year = 2024 AND month = '01'", [("2022", "01"), ("2022", "12"), ("2024", "01")]),
    ("year IS NOT NULL", ALL),
    ("year IS NULL", []),
    ("", ALL),
    ("   ", ALL),
]

BAD = [
    "year = ",
    "year = 1 AND",
    "nokey = 1",
    "year LIKE '20%'",
    "year = 'abc'",
    "year = 2.5",
    "year = month",
    "year + 1 = 2024",
    "lower(month) = '01'",
    "x.year = 2024",
    "month IN (SELECT '01')",
    "SELECT 1",
    "year = 2024; DROP TABLE t",
    "year",
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> ObjectStoreCatalog:
    catalog = ObjectStoreCatalog(FileObjectStore(tmp_path_factory.mktemp("lake")), "catalog")
    catalog.create_database({"Name": DATABASE})
    table = year_month_input()
    catalog.create_table(DATABASE, table)
    catalog.batch_create_partition(DATABASE, "events", [partition(table, *values) for values in PARTITIONS])
    return catalog


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0] or "blank" for c in CASES])
def test_expression_selects(catalog: ObjectStoreCatalog, expression: str, expected: list[tuple[str, str]]) -> None:
    found = {tuple(p["Values"]) for p in catalog.get_partitions(DATABASE, "events", expression)}
    assert found == set(expected)


@pytest.mark.parametrize("expression", BAD)
def test_bad_expression_is_invalid_input(catalog: ObjectStoreCatalog, expression: str) -> None:
    with pytest.raises(InvalidInputException, match="^InvalidInputException: ") as caught:
        catalog.get_partitions(DATABASE, "events", expression)
    assert "\n" not in str(caught.value)


def test_unknown_key_names_the_keys(catalog: ObjectStoreCatalog) -> None:
    with pytest.raises(InvalidInputException, match=r"'day' is not a partition key \(keys: year, month\)"):
        catalog.get_partitions(DATABASE, "events", "day = 1")


def test_errors_do_not_depend_on_there_being_partitions(tmp_path: Path) -> None:
    catalog = ObjectStoreCatalog(FileObjectStore(tmp_path), "catalog")
    catalog.create_database({"Name": DATABASE})
    catalog.create_table(DATABASE, year_month_input())
    assert catalog.get_partitions(DATABASE, "events", "year = 2024") == []
    with pytest.raises(InvalidInputException):
        catalog.get_partitions(DATABASE, "events", "nokey = 1")


TYPED_KEYS = [
    {"Name": "dt", "Type": "date"}, {"Name": "ts", "Type": "timestamp"},
    {"Name": "amount", "Type": "decimal(10,2)"}, {"Name": "n", "Type": "bigint"}, {"Name": "flag", "Type": "boolean"},
]
TYPED = [
    ["2024-01-31", "2024-01-31 08:00:00", "9.50", "1", "true"],
    ["2024-02-01", "2024-02-01 12:00:00.5", "10.50", "2", "false"],
    ["2024-12-01", "2024-12-01 00:00:00", "100", "10", "true"],
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("dt >= DATE '2024-02-01'", [1, 2]),
        ("dt < '2024-02-01'", [0]),
        ("dt BETWEEN '2024-01-01' AND '2024-06-30'", [0, 1]),
        ("ts > '2024-02-01 12:00:00'", [1, 2]),
        ("ts = TIMESTAMP '2024-02-01 12:00:00.500'", [1]),
        ("amount > 10", [1, 2]),
        ("amount = 10.5", [1]),
        ("n > 2", [2]),  # numerically: '10' > '2'
        ("n IN (1, 10)", [0, 2]),
        ("n = -1", []),
    ],
)
def test_typed_keys_compare_by_type(expression: str, expected: list[int]) -> None:
    keep = PartitionFilter(expression, TYPED_KEYS)
    assert [i for i, values in enumerate(TYPED) if keep(values)] == expected


@pytest.mark.parametrize("expression", ["flag = 'true'", "dt = '2024-13-01'", "ts = '2024-01-01'", "dt LIKE '2024%'"])
def test_typed_key_errors(expression: str) -> None:
    with pytest.raises(InvalidInputException):
        PartitionFilter(expression, TYPED_KEYS)


def test_stored_value_that_does_not_fit_its_type_is_reported() -> None:
    keep = PartitionFilter("n = 1", TYPED_KEYS)
    with pytest.raises(InvalidInputException, match="stored value of partition key n"):
        keep(["2024-01-31", "2024-01-31 08:00:00", "9.50", "one", "true"])
