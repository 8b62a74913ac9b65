"""Hostile and drifting exports: each is processed correctly (raw rows = landing rows +
rejected rows) or refused with one line that names the file and the problem, never a
traceback, and a refusal changes no zone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import reliability_figures
from cli_support import CliRunner, platform_for, zone_snapshot
from hostile_corpus import CORPUS

from lakehouse.datasets.registry import dataset
from lakehouse.landing import landing_manifest

STATS: dict[str, int] = {"inputs": 0, "processed": 0, "refused": 0}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_a_hostile_export_is_processed_or_refused_cleanly(case: str, lakehouse: CliRunner, tmp_path: Path) -> None:
    make, expected = CORPUS[case]
    source = make(tmp_path)
    home = tmp_path / "home"
    before = zone_snapshot(platform_for(home))
    ingested = lakehouse("ingest", "--home", str(home), "--source", str(source))
    outcome = lakehouse("prepare", "--home", str(home)) if ingested.code == 0 else ingested
    text = outcome.stdout + outcome.stderr
    assert "Traceback" not in text and "unexpected" not in text, text
    if outcome.code == 0:
        assert expected != "refused", f"{case} should have been refused"
        manifest = landing_manifest(platform_for(home).zones, dataset("3-1-1-inquiry-volume"))
        assert manifest is not None
        lost = abs(manifest.raw_rows - manifest.landing_rows - manifest.rejected_rows)
        reliability_figures.add("hostile-corpus", inputs_tried=1, rows_lost=lost)
        assert lost == 0
    else:
        assert expected != "processed", f"{case} should have been processed: {outcome.stderr}"
        errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, outcome.stderr
        assert source.name in errors[0], errors[0]
        reliability_figures.add("hostile-corpus", inputs_tried=1, refused=1)
        if case == "unterminated-quote-mid-file":
            assert "line 3: a quote opened there is never closed, so 4 later lines cannot be read" in errors[0]
        if ingested.code != 0:
            assert zone_snapshot(platform_for(home)) == before


# Hypothesis mutates a good export line by line (quotes, separators, newlines, NULs, fields
# dropped or doubled); whatever it makes must be processed with every row accounted for, or
# refused in one line.
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hostile_corpus import BOM, HEADER, ROWS  # noqa: E402

_NOISE = st.sampled_from(['"', ";", "\n", "\r", "\x00", "é", "  ", ",", "'", "\\", "\ufeff", "2019-13", "-1"])


@st.composite
def _mutated_export(draw: st.DrawFn) -> bytes:
    lines = [HEADER, *draw(st.lists(st.sampled_from(ROWS), min_size=1, max_size=12))]
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(1, len(lines) - 1))
        line = lines[at]
        kind = draw(st.sampled_from(["insert", "drop-field", "double-field", "blank"]))
        if kind == "insert":
            spot = draw(st.integers(0, len(line)))
            line = line[:spot] + draw(_NOISE) + line[spot:]
        elif kind == "drop-field":
            fields = line.split(";")
            fields.pop(draw(st.integers(0, len(fields) - 1)))
            line = ";".join(fields)
        elif kind == "double-field":
            fields = line.split(";")
            fields.insert(draw(st.integers(0, len(fields))), draw(st.sampled_from(fields)))
            line = ";".join(fields)
        else:
            line = ""
        lines[at] = line
    return (BOM + "\r\n".join(lines) + "\r\n").encode()


@settings(max_examples=int(os.environ.get("LAKEHOUSE_HYPOTHESIS_EXAMPLES", "30")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_mutated_export())
def test_mutated_exports_are_accounted_for(body: bytes, lakehouse: CliRunner, tmp_path_factory: pytest.TempPathFactory
                                           ) -> None:
    folder = tmp_path_factory.mktemp("mutated")
    source = folder / "mutated.csv"
    source.write_bytes(body)
    home = folder / "home"
    ingested = lakehouse("ingest", "--home", str(home), "--source", str(source))
    outcome = lakehouse("prepare", "--home", str(home)) if ingested.code == 0 else ingested
    assert "Traceback" not in outcome.stderr and "unexpected" not in outcome.stderr, outcome.stderr
    if outcome.code == 0:
        manifest = landing_manifest(platform_for(home).zones, dataset("3-1-1-inquiry-volume"))
        assert manifest is not None
        lost = abs(manifest.raw_rows - manifest.landing_rows - manifest.rejected_rows)
        reliability_figures.add("hostile-hypothesis", inputs_tried=1, rows_lost=lost)
        assert lost == 0
    else:
        errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, outcome.stderr
        reliability_figures.add("hostile-hypothesis", inputs_tried=1, refused=1)
