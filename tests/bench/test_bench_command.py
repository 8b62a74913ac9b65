"""`lakehouse bench` end to end at a tiny size: real children, real DuckDB/Polars/pandas, real files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from cli_support import CliRunner

pytest.importorskip("pandas", reason="the pandas system needs the bench extra: pip install -e '.[bench]'")
pytest.importorskip("matplotlib", reason="the chart needs the bench extra: pip install -e '.[bench]'")

REQUIRED = ("rows", "system", "seconds", "rows_per_s", "peak_rss_mb", "ratio_to_floor")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_tiny_run_writes_records_table_and_chart(lakehouse: CliRunner, tmp_path: Path) -> None:
    results, report_path = tmp_path / "results", tmp_path / "bench.json"
    outcome = lakehouse("bench", "--rows", "2000", "--systems", "floor,lakehouse,pandas", "--workdir",
                        str(tmp_path / "work"), "--results", str(results), "--json", str(report_path))
    assert outcome.code == 0, outcome.stderr

    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["machine"]["cpus"] and report["machine"]["duckdb"]
    records = report["records"]
    assert [(r["rows"], r["system"]) for r in records] == [(2000, "floor"), (2000, "lakehouse"), (2000, "pandas")]
    floor_seconds = records[0]["seconds"]
    for record in records:
        assert all(record[key] is not None for key in REQUIRED), record
        assert 0 < record["seconds"] < 120
        assert record["rows_per_s"] == pytest.approx(2000 / record["seconds"], rel=0.01)
        # A Python child holds tens of MB at least; none of these should need gigabytes for 2,000 rows.
        assert 20 < record["peak_rss_mb"] < 2048
        assert record["ratio_to_floor"] == pytest.approx(record["seconds"] / floor_seconds, abs=0.01)
        assert record["stages"] and all(seconds >= 0 for seconds in record["stages"].values())
    assert records[0]["ratio_to_floor"] == 1.0
    lakehouse_record = records[1]
    assert list(lakehouse_record["stages"]) == ["ingest", "prepare", "transform", "analyse"]
    # Every line of the dirty sample is accounted for: landing + rejected = the export's data lines.
    assert lakehouse_record["landing_rows"] + lakehouse_record["rejected_rows"] == 2000
    assert records[2]["landing_rows"] == lakehouse_record["landing_rows"]
    assert report["disagreements"] == []  # pandas answers the saved queries as lakehouse does

    table = (results / "bench.md").read_text(encoding="utf-8")
    assert "| 2,000 | lakehouse |" in table and "| 2,000 | pandas |" in table
    assert "agrees with lakehouse" in table
    png = (results / "bench.png").read_bytes()
    assert png[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (700, 450) and len(png) > 5_000


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--rows", "lots"), "Error: --rows 'lots': give a whole number of rows, e.g. 1000000 or 10M"),
        (("--rows", "10"), "Error: --rows 10: sizes go from 1,000 to 50,000,000 rows"),
        (("--rows", "60M"), "Error: --rows 60000000: sizes go from 1,000 to 50,000,000 rows"),
        (("--repeat", "0"), "Error: --repeat 0: must be at least 1"),
        (("--repeat", "two"), "Error: --repeat 'two': give a whole number of runs"),
        (("--systems", "floor,excel"), "Error: --systems 'excel': known systems are floor, lakehouse, pandas, pyspark"),
        (("--systems", "lakehouse"), "Error: --systems must include floor: every ratio is to the floor of the same run"),
        (("--dataset", "3-1-1-contact-centre-metrics"),
         "Error: --dataset '3-1-1-contact-centre-metrics': bench can generate 3-1-1-inquiry-volume, "
         "3-1-1-service-requests"),
        (("--max-rows", "excel=1M"), "Error: --max-rows excel=…: known systems are floor, lakehouse, pandas, pyspark"),
        (("--max-rows", "20M"), "Error: --max-rows '20M': give SYSTEM=ROWS, e.g. pandas=20M"),
        (("--merge", "no-such.json"), "Error: --merge no-such.json: no such file"),
        (("--dataset", "3-1-1-service-requests", "--systems", "floor,pandas"),
         "Error: --systems pandas: not implemented for 3-1-1-service-requests"),
    ],
)
def test_bad_arguments_fail_in_one_line_before_any_work(
    lakehouse: CliRunner, tmp_path: Path, arguments: tuple[str, ...], message: str,
) -> None:
    workdir = tmp_path / "work"
    outcome = lakehouse("bench", "--workdir", str(workdir), "--results", str(tmp_path / "results"), *arguments)
    assert outcome.code == 1
    assert outcome.stderr.strip() == message
    assert not workdir.exists() and not (tmp_path / "results").exists()
