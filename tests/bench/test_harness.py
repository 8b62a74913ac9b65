"""The child-process harness measures what the child and its descendants really hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.bench.harness import ChildFailed, run_child
from lakehouse.bench.report import merged, slopes

HOLD_MB = 300
# Allocates and touches HOLD_MB, then writes the result file the harness reads.
HOLDER = (
    "import json, sys, time; block = bytearray({mb} * 1024 * 1024); time.sleep(0.8); "
    "open(sys.argv[1], 'w').write(json.dumps({{'seconds': 0.8}}))"
)


def test_peak_rss_is_the_childs(tmp_path: Path) -> None:
    run = run_child([sys.executable, "-c", HOLDER.format(mb=HOLD_MB), str(tmp_path / "result.json")], tmp_path)
    assert run.result == {"seconds": 0.8}
    # The child's block and interpreter; a loaded CI machine has shown 125 MB above the block.
    assert HOLD_MB <= run.peak_rss_mb < HOLD_MB * 2
    assert run.process_seconds >= 0.8


def test_peak_rss_counts_a_grandchild_the_child_waits_on(tmp_path: Path) -> None:
    # The child stays small; its own child (as a Spark JVM is) holds the memory.
    grandchild = HOLDER.format(mb=HOLD_MB).replace("sys.argv[1]", "sys.argv[1] + '.unused'")
    child = (f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}, sys.argv[1]], "
             "check=True); open(sys.argv[1], 'w').write('{}')")
    run = run_child([sys.executable, "-c", child, str(tmp_path / "result.json")], tmp_path)
    assert run.peak_rss_mb >= HOLD_MB


def test_a_failing_child_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ChildFailed, match=r"^pandas at 2,000 rows failed \(exit 3\)$"):
        run_child([sys.executable, "-c", "raise SystemExit(3)"], tmp_path, label="pandas at 2,000 rows")


def test_slope_of_log_time_against_log_rows() -> None:
    linear = [{"rows": n, "system": "a", "seconds": n / 1e5} for n in (10**6, 10**7, 5 * 10**7)]
    constant = [{"rows": n, "system": "b", "seconds": 3.0} for n in (10**6, 10**7)]
    quadratic = [{"rows": n, "system": "c", "seconds": (n / 1e6) ** 2} for n in (10**6, 10**7)]
    single = [{"rows": 10**6, "system": "d", "seconds": 1.0}]
    assert slopes(linear + constant + quadratic + single) == {"a": 1.0, "b": 0.0, "c": 2.0}


def test_merge_keeps_this_runs_records_and_adds_the_others(tmp_path: Path) -> None:
    earlier = [{"rows": 10**6, "system": "floor", "seconds": 9.0}, {"rows": 5 * 10**7, "system": "floor", "seconds": 90.0},
               {"rows": 5 * 10**7, "system": "lakehouse", "seconds": 99.0}]
    (tmp_path / "earlier.json").write_text(json.dumps({"records": earlier}))
    now = [{"rows": 10**6, "system": "lakehouse", "seconds": 2.0}, {"rows": 10**6, "system": "floor", "seconds": 1.0}]
    combined = merged(now, tmp_path / "earlier.json")
    assert [(r["rows"], r["system"], r["seconds"], r.get("from_previous_run", False)) for r in combined] == [
        (10**6, "floor", 1.0, False), (10**6, "lakehouse", 2.0, False),
        (5 * 10**7, "floor", 90.0, True), (5 * 10**7, "lakehouse", 99.0, True)]


def test_the_lakehouse_run_imports_nothing_its_preload_did_not(tmp_path: Path) -> None:
    """The bench times the work, not the loading of libraries: after PRELOAD, a lakehouse run
    in a fresh interpreter must import no module of the project and no third-party package."""
    from lakehouse.datasets.sample import write_sample

    sample = tmp_path / "export.csv"
    write_sample(sample, rows=2_000, seed=311, dirty=True, end_month="2026-10")
    script = f"""
import importlib, json, sys
from pathlib import Path
from lakehouse.bench.systems import PRELOAD, RUNNERS
for module in PRELOAD["lakehouse"]:
    importlib.import_module(module)
before = set(sys.modules)
RUNNERS["lakehouse"](Path({str(sample)!r}), Path({str(tmp_path / "out")!r}), "3-1-1-inquiry-volume")
print(json.dumps(sorted(set(sys.modules) - before)))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    # The project's modules, any new package, and sqlglot's dialects (its heaviest lazy part).
    late = [name for name in imported if name.startswith(("lakehouse.", "emulation.", "sqlglot.dialects."))
            or ("." not in name and not name.startswith("_"))]
    assert late == []
