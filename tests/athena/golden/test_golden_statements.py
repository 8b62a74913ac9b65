"""The golden suite's statements: Athena DDL and DML run in order through the API, each answer
(rows, UpdateCount, files written, catalog entries) computed from the dataset in Python."""

from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from golden_dataset import COLUMNS, PREFIX, ROWS
from test_golden_queries import Golden

REQUEST_COLUMNS = ", ".join(f"{c.name} {c.glue_type}" for c in COLUMNS)
YEARS = sorted({r.year for r in ROWS})


def _minutes_by_department_year() -> dict[tuple[str, int], int]:
    totals: dict[tuple[str, int], int] = defaultdict(int)
    for r in ROWS:
        totals[(r.department, r.year)] += r.minutes
    return dict(totals)


class Script:
    def __init__(self, golden: Golden) -> None:
        self.golden = golden

    def run(self, sql: str, statement_type: str | None = None) -> tuple[list[list[str | None]], dict[str, Any]]:
        execution = self.golden.execution(sql)
        assert execution["Status"]["State"] == "SUCCEEDED", (sql, execution["Status"])
        if statement_type is not None:
            assert (execution["StatementType"], execution["SubstatementType"]) == tuple(statement_type.split("/"))
        page = self.golden.engine.get_query_results(execution["QueryExecutionId"])
        return self.golden.rows(execution), page

    def values(self, sql: str) -> list[list[str | None]]:
        return self.run(sql)[0]


def test_statements_as_athena_answers_them(tmp_path: Path) -> None:
    golden = Golden(tmp_path)
    script = Script(golden)
    totals = _minutes_by_department_year()

    script.run("CREATE DATABASE golden COMMENT 'golden suite'", "DDL/CREATE_DATABASE")
    assert script.values("SHOW DATABASES") == [["golden"], ["vancouver_311"]]  # DDL results: no header row

    # CTAS, partitioned: one Parquet file per year folder, the rows and the partitions in the catalog.
    _, page = script.run("CREATE TABLE golden.department_minutes WITH (format = 'PARQUET', partitioned_by = "
                         "ARRAY['year']) AS SELECT department, sum(minutes) AS minutes, year FROM vancouver_311.requests "
                         "GROUP BY department, year", "DML/CREATE_TABLE_AS_SELECT")
    assert page["UpdateCount"] == len(totals)
    folder = tmp_path / "curated" / "golden" / "department_minutes"
    written = {(row["department"], int(path.parent.name.split("=")[1])): row["minutes"]
               for path in folder.glob("year=*/*.parquet") for row in pq.read_table(path).to_pylist()}
    assert written == totals
    assert script.values("SHOW PARTITIONS golden.department_minutes") == [[f"year={y}"] for y in YEARS]
    assert script.values("SELECT year, sum(minutes) FROM golden.department_minutes GROUP BY year ORDER BY year") == [
        ["year", "_col1"], *[[str(y), str(sum(r.minutes for r in ROWS if r.year == y))] for y in YEARS]]

    _, page = script.run("INSERT INTO golden.department_minutes SELECT 'TEST - Dept', 5, 2025", "DML/INSERT")
    assert page["UpdateCount"] == 1
    assert script.values("SHOW PARTITIONS golden.department_minutes")[-1] == ["year=2025"]
    assert script.values("SELECT count(*) FROM golden.department_minutes") == [["_col0"], [str(len(totals) + 1)]]

    script.run("CREATE VIEW golden.long_requests AS SELECT id, minutes FROM vancouver_311.requests "
               "WHERE minutes > 30", "DDL/CREATE_VIEW")
    assert script.values("SELECT count(*), min(minutes) FROM golden.long_requests") == [
        ["_col0", "_col1"], [str(sum(r.minutes > 30 for r in ROWS)), str(min(r.minutes for r in ROWS if r.minutes > 30))]]
    assert script.values("SHOW TABLES IN golden") == [["department_minutes"], ["long_requests"]]
    assert script.values("SHOW COLUMNS IN golden.department_minutes") == [["department"], ["minutes"], ["year"]]
    described = script.values("DESCRIBE golden.department_minutes")
    assert described[1:4] == [["department", "string", ""], ["minutes", "bigint", ""], ["year", "int", ""]]
    assert script.values("SHOW CREATE TABLE golden.department_minutes")[0] == [
        "CREATE EXTERNAL TABLE `golden`.`department_minutes`("]
    plan, _ = script.run("EXPLAIN SELECT count(*) FROM golden.department_minutes", "UTILITY/EXPLAIN")
    assert plan[0] == ["Query Plan"] and "plan" in str(plan[1][0])

    # UNLOAD: gzip text files with the rows, no catalog entry.
    _, page = script.run("UNLOAD (SELECT id, channel FROM vancouver_311.requests WHERE year = 2022) "
                         "TO 's3://curated/golden-unload/' WITH (format = 'TEXTFILE', field_delimiter = ',')",
                         "DML/UNLOAD")
    lines = [line for path in (tmp_path / "curated" / "golden-unload").glob("*.gz")
             for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    assert sorted(lines) == sorted(f"{r.id},{r.channel}" for r in ROWS if r.year == 2022)
    assert page["UpdateCount"] == len(lines)

    # An external table over the same files: MSCK REPAIR registers the Hive folders; ALTER TABLE drops one.
    script.run(f"CREATE EXTERNAL TABLE golden.requests_again ({REQUEST_COLUMNS.replace(', year int', '')}) "
               f"PARTITIONED BY (year int) STORED AS PARQUET LOCATION 's3://curated/{PREFIX}'", "DDL/CREATE_TABLE")
    repaired = script.values("MSCK REPAIR TABLE golden.requests_again")
    assert repaired[1:] == [[f"Repair: Added partition to metastore requests_again:year={y}"] for y in YEARS]
    assert script.values("SELECT count(*) FROM golden.requests_again WHERE year = 2023") == [
        ["_col0"], [str(sum(r.year == 2023 for r in ROWS))]]
    script.run("ALTER TABLE golden.requests_again DROP PARTITION (year = 2022)", "DDL/ALTER_TABLE")
    assert script.values("SHOW PARTITIONS golden.requests_again") == [[f"year={y}"] for y in YEARS if y != 2022]
    # Its files stay, but a dropped partition is no longer the table's (Athena reads registered ones).
    assert script.values("SELECT count(*) FROM golden.requests_again") == [
        ["_col0"], [str(sum(r.year != 2022 for r in ROWS))]]

    script.run("DROP VIEW golden.long_requests", "DDL/DROP_VIEW")
    script.run("DROP TABLE golden.department_minutes", "DDL/DROP_TABLE")
    assert script.values("SHOW TABLES IN golden") == [["requests_again"]]
    assert written == {(row["department"], int(path.parent.name.split("=")[1])): row["minutes"]  # data stays
                       for path in folder.glob("year=*/*.parquet") for row in pq.read_table(path).to_pylist()
                       if row["department"] != "TEST - Dept"}
    script.run("DROP DATABASE golden CASCADE", "DDL/DROP_DATABASE")
    assert script.values("SHOW DATABASES") == [["vancouver_311"]]
