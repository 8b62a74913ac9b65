"""`lakehouse crawl`: tables inferred from files become queryable through the catalog."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from cli_support import CliRunner, platform_for


def test_crawl_then_query_and_schema_policy(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = platform_for(home).store
    store.create_bucket("curated")
    for year in (2023, 2024):
        local = tmp_path / f"{year}.parquet"
        pl.DataFrame({"department": ["A", "B"], "inquiries": [year - 2020, 1]}).write_parquet(local)
        store.upload_file(local, "curated", f"imports/visits/year={year}/part-0.parquet")
    crawled = lakehouse("crawl", "curated/imports/visits/", "--database", "imports", "--home", str(home))
    assert crawled.code == 0, crawled.stderr
    assert "visits" in crawled.stdout and "created" in crawled.stdout and "partitions added 2" in crawled.stdout
    answer = lakehouse("query", "--home", str(home), "--format", "csv",
                       "SELECT year, sum(inquiries) AS n FROM imports.visits GROUP BY year ORDER BY year")
    assert list(csv.DictReader(io.StringIO(answer.stdout))) == [{"year": "2023", "n": "4"}, {"year": "2024", "n": "5"}]

    # An incompatible change (inquiries becomes text) is refused by default, applied on request.
    local = tmp_path / "text.parquet"
    pl.DataFrame({"department": ["A"], "inquiries": ["many"]}).write_parquet(local)
    for year in (2023, 2024):
        store.upload_file(local, "curated", f"imports/visits/year={year}/part-0.parquet")
    refused = lakehouse("crawl", "curated/imports/visits/", "--database", "imports", "--home", str(home))
    assert refused.code == 1 and "inquiries" in refused.stderr
    applied = lakehouse("crawl", "curated/imports/visits/", "--database", "imports", "--home", str(home),
                        "--update-behavior", "UPDATE_IN_DATABASE")
    assert applied.code == 0 and "updated" in applied.stdout


def test_catalog_show_json_is_a_table_input_boto3_accepts(lakehouse: CliRunner, tmp_path: Path, moto_endpoint: str) -> None:
    import json

    import boto3

    home = str(tmp_path / "home")
    assert lakehouse("run", "--home", home, "--rows", "3000").code == 0
    shown = lakehouse("catalog", "show", "inquiry_volume", "--json", "--home", home)
    assert shown.code == 0
    table_input = json.loads(shown.stdout)
    glue = boto3.client("glue", endpoint_url=moto_endpoint, region_name="us-east-1")
    database = f"check_{tmp_path.name[-8:]}".replace("-", "_").lower()
    glue.create_database(DatabaseInput={"Name": database})
    glue.create_table(DatabaseName=database, TableInput=table_input)  # botocore validates every field
    stored = glue.get_table(DatabaseName=database, Name="inquiry_volume")["Table"]
    assert [k["Name"] for k in stored["PartitionKeys"]] == ["year"]
    assert [c["Name"] for c in stored["StorageDescriptor"]["Columns"]] == [
        "department", "department_code", "inquiry_type", "channel", "month_start", "inquiries"]
