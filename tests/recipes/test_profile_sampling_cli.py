"""`lakehouse profile` and the pipeline's profile: DataBrew's JobSample, default and chosen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import CliRunner, platform_for

from lakehouse.datasets.sample import SampleReport, write_sample


@pytest.fixture(scope="module")
def larger_export(tmp_path_factory: pytest.TempPathFactory) -> SampleReport:
    # More rows than DataBrew's default sample, so the default profile is visibly a sample.
    return write_sample(tmp_path_factory.mktemp("sources") / "inquiry-volume.csv", rows=21_000, seed=5,
                        end_month="2024-12")


def test_pipeline_profiles_the_default_sample_and_the_cli_can_profile_every_row(
    lakehouse: CliRunner, larger_export: SampleReport, tmp_path: Path
) -> None:
    home = str(tmp_path / "home")
    assert lakehouse("run", "--home", home, "--source", str(larger_export.path)).code == 0
    saved = json.loads(platform_for(Path(home)).store.get_object("landing", "3-1-1-inquiry-volume/_profile.json"))
    landing_rows = saved["sample"]["totalRows"]
    assert landing_rows == larger_export.rows  # a clean export lands every row
    assert saved["sample"] == {"mode": "CUSTOM_ROWS", "size": 20_000, "rowsProfiled": 20_000, "totalRows": landing_rows}
    assert saved["rowsCount"] == 20_000

    small = json.loads(lakehouse("profile", "--home", home, "--json", "--sample-size", "500").stdout)
    assert (small["rowsCount"], small["sample"]["size"], small["sample"]["totalRows"]) == (500, 500, landing_rows)

    full = lakehouse("profile", "--home", home, "--sample-mode", "FULL_DATASET")
    assert full.code == 0 and f"JobSample FULL_DATASET: every row of {landing_rows:,}" in full.stdout
    stored = json.loads(platform_for(Path(home)).store.get_object("landing", "3-1-1-inquiry-volume/_profile.json"))
    assert stored["rowsCount"] == landing_rows and stored["sample"]["mode"] == "FULL_DATASET"
    inquiries = next(c for c in stored["columns"] if c["name"] == "inquiries")
    assert inquiries["valuesCount"] + inquiries["missingValuesCount"] == landing_rows


def test_size_with_full_dataset_is_a_usage_error(lakehouse: CliRunner, tmp_path: Path) -> None:
    refused = lakehouse("profile", "--home", str(tmp_path / "home"), "--sample-mode", "FULL_DATASET", "--sample-size", "5")
    assert refused.code == 2 and "--sample-size applies to --sample-mode CUSTOM_ROWS only" in refused.stderr
