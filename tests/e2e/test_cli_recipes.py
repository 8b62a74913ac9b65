"""`lakehouse recipe …`, `lakehouse profile`, and the ruleset gate in prepare."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from cli_support import CliRunner, platform_for, zone_snapshot

from lakehouse.datasets.sample import SampleReport

RECIPE = [
    {"Action": {"Operation": "REMOVE_COMBINED", "Parameters": {"sourceColumn": "name", "removeLeadingAndTrailingWhitespace": "true"}}},
    {"Action": {"Operation": "UPPER_CASE", "Parameters": {"sourceColumn": "name"}}},
    {"Action": {"Operation": "CHANGE_DATA_TYPE", "Parameters": {"sourceColumn": "n", "columnDataType": "integer"}}},
    {"Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "n"}},
     "ConditionExpressions": [{"Condition": "LESS_THAN", "Value": "0", "TargetColumn": "n"}]},
]


@pytest.fixture
def recipe_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(RECIPE))
    return path


@pytest.mark.parametrize(("input_suffix", "output_suffix"), [(".csv", ".parquet"), (".parquet", ".csv"), (".csv", ".csv")])
def test_apply_reads_and_writes_by_extension(
    lakehouse: CliRunner, recipe_file: Path, tmp_path: Path, input_suffix: str, output_suffix: str
) -> None:
    source = pl.DataFrame({"name": ["  ada ", "bo", "cy"], "n": ["1", "-2", "3"]})
    input_path = tmp_path / f"in{input_suffix}"
    source.write_csv(input_path) if input_suffix == ".csv" else source.write_parquet(input_path)
    output = tmp_path / f"out{output_suffix}"
    outcome = lakehouse("recipe", "apply", str(recipe_file), str(input_path), "-o", str(output))
    assert outcome.code == 0, outcome.stderr
    read = pl.read_parquet if output_suffix == ".parquet" else pl.read_csv
    assert read(output).rows() == [("ADA", 1), ("CY", 3)]
    rejected = read(tmp_path / f"out.rejected{output_suffix}")
    assert rejected["record"].to_list() == [2] and "LESS_THAN 0" in rejected["reason"][0]
    assert "wrote 2 rows" in outcome.stdout and "1 rejected rows" in outcome.stdout


def test_invalid_recipe_fails_before_reading_data(lakehouse: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([RECIPE[0], {"Action": {"Operation": "UPPER_CASE", "Parameters": {"sourceColumn": "nmae"}}}]))
    data = tmp_path / "in.csv"
    data.write_text("name,n\n" + "x,1\n" * 10 + "\x00garbage that would fail a read\n")
    outcome = lakehouse("recipe", "apply", str(bad), str(data), "-o", str(tmp_path / "out.csv"))
    assert outcome.code == 1
    assert outcome.stderr.strip() == ("Error: step 2 (UPPER_CASE): parameter sourceColumn: column 'nmae' does not exist; "
                                      "did you mean 'name'?")
    assert not (tmp_path / "out.csv").exists()


def test_validate_against_the_dataset_and_a_file(lakehouse: CliRunner, recipe_file: Path, tmp_path: Path) -> None:
    shipped = Path(__file__).parents[2] / "lakehouse/recipes/definitions/inquiry-volume.recipe.json"
    ok = lakehouse("recipe", "validate", str(shipped))
    assert ok.code == 0 and "valid: 29 steps" in ok.stdout and "month_start (Date)" in ok.stdout
    data = tmp_path / "in.csv"
    data.write_text("name,n\nx,1\n")
    assert lakehouse("recipe", "validate", str(recipe_file), "--input", str(data)).code == 0
    wrong = lakehouse("recipe", "validate", str(recipe_file))  # the dataset export has no column 'name'
    assert wrong.code == 1 and "step 1 (REMOVE_COMBINED)" in wrong.stderr


def test_malformed_recipe_files(lakehouse: CliRunner, tmp_path: Path) -> None:
    cases = {
        "not json": "line 1: invalid JSON",
        "{}": "a recipe is a JSON list of steps",
        '[{"Action": {"Operation": "upper"}}]': "step 1: Operation 'upper' must match",
        '[{"Action": {"Operation": "TRIM", "Parameters": {"sourceColumn": 5}}}]': "parameter 'sourceColumn' must be a string",
        '[{"Action": {"Operation": "NOPE"}}]': "step 1 (NOPE): unknown operation",
    }
    for index, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"r{index}.json"
        path.write_text(text)
        outcome = lakehouse("recipe", "validate", str(path))
        assert outcome.code == 1 and message in outcome.stderr, (text, outcome.stderr)


def test_publish_versions_and_runs(lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert lakehouse("run", "--home", home, "--source", str(sample_export.path)).code == 0
    versions = lakehouse("recipe", "versions", "--home", home)
    assert "1.0" in versions.stdout and "1.1 (working)" in versions.stdout
    published = lakehouse("recipe", "publish", "--home", home)
    assert published.stdout.strip().endswith("LATEST_PUBLISHED is 1.0")  # unchanged: no new version
    runs = lakehouse("recipe", "runs", "--home", home)
    assert "SUCCEEDED" in runs.stdout
    run_id = next(word for word in runs.stdout.split() if word.startswith("db_"))
    log = lakehouse("recipe", "runs", "--home", home, "--log", run_id)
    assert "rule has-rows: passed" in log.stdout and "landing" in log.stdout


def test_profile_is_saved_beside_landing_and_shown(lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert lakehouse("run", "--home", str(home), "--source", str(sample_export.path)).code == 0
    saved = json.loads(platform_for(home).store.get_object("landing", "3-1-1-inquiry-volume/_profile.json"))
    assert saved["rowsCount"] == sample_export.rows
    columns = {c["name"]: c for c in saved["columns"]}
    assert columns["inquiries"]["min"] >= 1 and columns["department"]["missingValuesCount"] == 0
    shown = lakehouse("profile", "--home", str(home))
    assert shown.code == 0 and "inquiries" in shown.stdout and "month_start" in shown.stdout
    as_json = json.loads(lakehouse("profile", "--home", str(home), "--json").stdout)
    assert as_json["rowsCount"] == sample_export.rows


def test_failing_blocking_rule_stops_before_landing_is_published(
    lakehouse: CliRunner, sample_export: SampleReport, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    assert lakehouse("run", "--home", str(home), "--source", str(sample_export.path)).code == 0
    before = zone_snapshot(platform_for(home))
    every_row_bad = tmp_path / "bad-rows.csv"
    every_row_bad.write_bytes(b"\xef\xbb\xbfDepartment;Type;Year Month;Channel;Number of Records;BI_ID\r\n"
                              b";T;2024-01;Phone;1;1\r\nA - x;T;2024-13;Phone;1;2\r\n")
    assert lakehouse("ingest", "--home", str(home), "--source", str(every_row_bad)).code == 0
    outcome = lakehouse("prepare", "--home", str(home))
    assert outcome.code == 1
    assert "data-quality rules failed for 3-1-1-inquiry-volume (raw/3-1-1-inquiry-volume/sha256=" in outcome.stderr
    assert f"/{every_row_bad.name}), landing not published: has-rows" in outcome.stderr
    after = zone_snapshot(platform_for(home))
    assert {k: v for k, v in after.items() if k.startswith(("landing/", "curated/"))} == \
        {k: v for k, v in before.items() if k.startswith(("landing/", "curated/"))}
    runs = lakehouse("recipe", "runs", "--home", str(home)).stdout
    assert "FAILED" in runs
