"""The golden suite: Athena queries, statements, partition pruning and hostile SQL, with answers
computed independently of the engine (golden_cases.py, from the rows in golden_dataset.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from golden_cases import CASES, PARAMETERS, Case
from golden_dataset import DATABASE, PREFIX, ROWS, TABLE, write_requests

from emulation.athena.engine import DuckDBQueryEngine
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3.store import FileObjectStore
from lakehouse.config import Settings


class Golden:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.year_bytes = write_requests(home)
        store = FileObjectStore(home)
        self.engine = DuckDBQueryEngine(ObjectStoreCatalog(store, "catalog"), store, Settings(home=home))

    def execution(self, sql: str, parameters: list[Any] | None = None) -> dict[str, Any]:
        """Run through the Athena API, as `lakehouse query` does; GetQueryExecution's QueryExecution."""
        qid = self.engine.start_query_execution(sql, {"Database": DATABASE},
                                                execution_parameters=[_literal(p) for p in parameters or []] or None)
        return dict(self.engine.get_query_execution(qid)["QueryExecution"])

    def rows(self, execution: dict[str, Any]) -> list[list[str | None]]:
        """GetQueryResults' rows as text (header row first for queries), all pages."""
        rows: list[list[str | None]] = []
        token = None
        while True:
            page = self.engine.get_query_results(execution["QueryExecutionId"], token) if token else \
                self.engine.get_query_results(execution["QueryExecutionId"])
            rows += [[d.get("VarCharValue") for d in row["Data"]] for row in page["ResultSet"]["Rows"]]
            token = page.get("NextToken")
            if not token:
                return rows


def _literal(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Golden:
    return Golden(tmp_path_factory.mktemp("golden"))


def same(actual: Any, expected: Any) -> bool:
    """Equal values of the same Python type (so 3 ≠ 3.0 ≠ Decimal('3')), through lists and maps."""
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(same, actual, expected))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            same(actual[k], v) for k, v in expected.items())
    if isinstance(expected, tuple):
        return isinstance(actual, tuple) and len(actual) == len(expected) and all(map(same, actual, expected))
    return type(actual) is type(expected) and actual == expected


def test_the_suite_covers_every_category_with_at_least_sixty_queries() -> None:
    counts = Counter(case.category for case in CASES)
    assert len(CASES) >= 60, counts
    assert {"string", "date/time", "math", "aggregate", "window", "array", "map", "JSON", "regexp",
            "conditional"} <= counts.keys()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}: {c.sql[:70]}" for c in CASES])
def test_golden_query(golden: Golden, case: Case) -> None:
    parameters = PARAMETERS.get(case.sql, [])
    actual = golden.engine.run_query(case.sql, parameters, DATABASE).rows
    assert same(actual, case.expected), f"\n{case.sql}\n got      {actual}\n expected {case.expected}"
    execution = golden.execution(case.sql, parameters)  # the same query through the API
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert len(golden.rows(execution)) == 1 + len(case.expected)  # header row, then the rows


# -- partition pruning -------------------------------------------------------------------------

@pytest.mark.parametrize("years", [(2023,), (2022, 2024), (2022, 2023, 2024)])
def test_partition_filters_scan_only_their_partitions(golden: Golden, years: tuple[int, ...]) -> None:
    listed = ", ".join(map(str, years))
    execution = golden.execution(f"SELECT count(*), sum(minutes) FROM requests WHERE year IN ({listed})")
    chosen = [r for r in ROWS if r.year in years]
    assert golden.rows(execution)[1] == [str(len(chosen)), str(sum(r.minutes for r in chosen))]
    assert execution["Statistics"]["DataScannedInBytes"] == sum(golden.year_bytes[y] for y in years)


def test_a_filter_on_a_data_column_scans_every_partition(golden: Golden) -> None:
    execution = golden.execution("SELECT count(*) FROM requests WHERE minutes > 30")
    assert golden.rows(execution)[1] == [str(sum(r.minutes > 30 for r in ROWS))]
    assert execution["Statistics"]["DataScannedInBytes"] == sum(golden.year_bytes.values())


# -- hostile queries ---------------------------------------------------------------------------

HOSTILE = [
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    ("SELECT * FROM '/etc/passwd'", "/etc/passwd"),
    (f"SELECT * FROM read_parquet('s3://curated/{PREFIX}year=2023/part-00000.parquet')", "read_parquet"),
    ("SELECT * FROM glob('/etc/*')", "glob"),
    ("COPY (SELECT * FROM requests) TO '/tmp/golden-leak.csv'", "COPY"),
    ("ATTACH '/tmp/golden-leak.db' AS leak", "ATTACH"),
    ("INSTALL httpfs", "INSTALL"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("PRAGMA database_list", "PRAGMA"),
    ("SELECT getenv('HOME')", "getenv"),
    ("SELECT * FROM requests, LATERAL read_text('/etc/hostname')", "read_text"),
]


@pytest.mark.parametrize(("sql", "named"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_query_fails_with_access_denied(golden: Golden, sql: str, named: str) -> None:
    execution = golden.execution(sql)
    reason = execution["Status"].get("StateChangeReason", "")
    assert execution["Status"]["State"] == "FAILED"
    assert reason.startswith("ACCESS_DENIED: ") and named in reason, reason
    assert execution["Statistics"]["DataScannedInBytes"] == 0
    assert not Path("/tmp/golden-leak.csv").exists() and not Path("/tmp/golden-leak.db").exists()
