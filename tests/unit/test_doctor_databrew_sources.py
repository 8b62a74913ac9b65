"""A source prepared by a real DataBrew job has no rejected-rows file: the doctor accepts that,
and still reports a missing rejected file for a locally prepared source."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from cli_support import CliRunner, platform_for

from lakehouse.datasets.registry import DEFAULT_DATASET, dataset
from lakehouse.landing import NOT_ITEMISED, landing_sources, rejected_key, write_manifest


def _findings(lakehouse: CliRunner, home: Path) -> list[dict[str, object]]:
    outcome = lakehouse("doctor", "--home", str(home), "--json")
    return json.loads(outcome.stdout)["findings"]


def test_rejects_a_databrew_job_dropped_need_no_rejected_file(lakehouse: CliRunner, tmp_path: Path) -> None:
    home, export = tmp_path / "home", tmp_path / "dirty.csv"
    assert lakehouse("sample", "--rows", "2000", "--dirty", "-o", str(export)).code == 0
    assert lakehouse("run", "--home", str(home), "--source", str(export)).code == 0
    zones, spec = platform_for(home).zones, dataset(DEFAULT_DATASET)
    manifest = landing_sources(zones, spec)[-1]
    assert manifest.rejected_rows > 0
    zones.store.delete_object(zones.bucket("landing"), rejected_key(spec, manifest.raw_sha256))
    missing = _findings(lakehouse, home)
    assert [f["problem"] for f in missing if "rejected" in str(f["problem"])] == ["rejected rows file missing"]

    dropped = [{"step": None, "operation": NOT_ITEMISED, "rows": manifest.rejected_rows, "example": ""}]
    write_manifest(zones, spec, replace(manifest, rejected_by_step=dropped))
    assert _findings(lakehouse, home) == []
