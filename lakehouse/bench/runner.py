"""`lakehouse bench`: samples, one fresh child per (size, system, repeat), records with ratios."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakehouse.bench.harness import ChildFailed, ChildRun, run_child
from lakehouse.bench.samples import GENERATED, MAX_ROWS, ensure_sample
from lakehouse.bench.systems import FLOOR, SUPPORTED, SYSTEMS
from lakehouse.errors import ConfigError

DEFAULT_WORKDIR = Path("/tmp/lakehouse-bench-scale")
# pandas peaked at 5.3 GB for 10M rows (benchmarks/README.md): 50M would not fit in 24 GiB.
DEFAULT_MAX_ROWS = {"pandas": 20_000_000}


@dataclass(frozen=True)
class BenchOptions:
    rows: list[int]
    dataset: str
    systems: list[str]
    repeat: int = 1
    seed: int = 311
    workdir: Path = DEFAULT_WORKDIR
    max_rows: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_ROWS))  # system -> largest size
    keep_outputs: bool = False


@dataclass
class BenchRun:
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what was not run or failed, and why
    disagreements: list[str] = field(default_factory=list)


def spark_available() -> bool:
    return importlib.util.find_spec("pyspark") is not None and (
        shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME")))


def default_systems(dataset: str) -> list[str]:
    return [s for s in SYSTEMS if dataset in SUPPORTED[s] and (s != "pyspark" or spark_available())]


def check_options(options: BenchOptions) -> None:
    """One clear error for each bad argument, before any work."""
    if options.dataset not in GENERATED:
        raise ConfigError(f"--dataset {options.dataset!r}: bench can generate {', '.join(GENERATED)}")
    if not options.rows:
        raise ConfigError("--rows: give at least one size")
    for rows in options.rows:
        if not 1_000 <= rows <= MAX_ROWS:
            raise ConfigError(f"--rows {rows}: sizes go from 1,000 to {MAX_ROWS:,} rows")
    if options.repeat < 1:
        raise ConfigError(f"--repeat {options.repeat}: must be at least 1")
    for system in options.systems:
        if system not in SYSTEMS:
            raise ConfigError(f"--systems {system!r}: known systems are {', '.join(SYSTEMS)}")
        if options.dataset not in SUPPORTED[system]:
            raise ConfigError(f"--systems {system}: not implemented for {options.dataset}")
    if FLOOR not in options.systems:
        raise ConfigError("--systems must include floor: every ratio is to the floor of the same run")
    if "pyspark" in options.systems and not spark_available():
        raise ConfigError("--systems pyspark: PySpark is not importable or Java is missing")
    for system in options.max_rows:
        if system not in SYSTEMS:
            raise ConfigError(f"--max-rows {system}=…: known systems are {', '.join(SYSTEMS)}")
    if "pyspark" in options.systems and "lakehouse" not in options.systems:
        raise ConfigError("--systems pyspark needs lakehouse: the Glue script reads the landing zone it prepares")


def run_bench(options: BenchOptions, echo: Callable[[str], None] = print) -> BenchRun:
    check_options(options)
    run = BenchRun()
    # lakehouse before pyspark: the Glue script reads the landing zone lakehouse prepared.
    order = [s for s in SYSTEMS if s in options.systems]
    for rows in options.rows:
        sample = ensure_sample(options.workdir, options.dataset, rows, options.seed, echo)
        systems = []
        for system in order:
            if rows > options.max_rows.get(system, MAX_ROWS):
                run.skipped.append(f"{system} at {rows:,} rows: above --max-rows {system}="
                                   f"{options.max_rows[system]:,}")
            else:
                systems.append(system)
        runs: dict[str, list[ChildRun]] = {s: [] for s in systems}
        loads: dict[str, list[float]] = {s: [] for s in systems}
        for repeat in range(1, options.repeat + 1):
            for system in systems:
                out = options.workdir / "out" / options.dataset / str(rows) / system
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                source = options.workdir / "out" / options.dataset / str(rows) / "lakehouse" / "home" \
                    if system == "pyspark" else sample
                command = [sys.executable, "-m", "lakehouse.bench.child", system, "--sample", str(source),
                           "--out", str(out), "--dataset", options.dataset]
                if system == "pyspark" and not runs.get("lakehouse"):
                    continue  # the Glue script has no landing zone to read
                loads[system].append(os.getloadavg()[0])
                try:
                    measured = run_child(command, out, label=f"{system} at {rows:,} rows")
                except ChildFailed as failure:
                    # Reported, not fatal: where a system breaks (e.g. memory) is a result too.
                    run.skipped.append(f"{failure} (run {repeat}); see the output above")
                    echo(f"{rows:>11,} {system:<10} run {repeat}/{options.repeat}: FAILED ({failure})")
                    continue
                runs[system].append(measured)
                echo(f"{rows:>11,} {system:<10} run {repeat}/{options.repeat}: {measured.result['seconds']:8.2f}s "
                     f"peak {measured.peak_rss_mb:7,.0f} MB (load before {loads[system][-1]:.1f})")
        if not runs.get(FLOOR):
            raise ChildFailed(f"the floor failed at {rows:,} rows: no ratio can be computed")
        records = _records(rows, {s: m for s, m in runs.items() if m}, loads, options.repeat)
        run.disagreements += _check_answers(options.workdir / "out" / options.dataset / str(rows), systems, rows)
        run.records.extend(records)
        if not options.keep_outputs:
            shutil.rmtree(options.workdir / "out" / options.dataset / str(rows), ignore_errors=True)
    return run


def _records(rows: int, runs: dict[str, list[ChildRun]], loads: dict[str, list[float]],
             repeat: int) -> list[dict[str, Any]]:
    records = []
    for system, measured in runs.items():
        seconds = statistics.median(m.result["seconds"] for m in measured)
        last = measured[-1].result
        record: dict[str, Any] = {
            "rows": rows, "system": system, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds),
            "peak_rss_mb": round(max(m.peak_rss_mb for m in measured), 1), "ratio_to_floor": None,
            "repeat": repeat,
            "min_seconds": round(min(m.result["seconds"] for m in measured), 3),
            "runs_seconds": [round(m.result["seconds"], 3) for m in measured],
            "cpu_seconds": round(statistics.median(m.result["cpu_seconds"] for m in measured), 3),
            "process_seconds": round(statistics.median(m.process_seconds for m in measured), 3),
            "stages": {name: round(statistics.median(m.result["stages"][name] for m in measured), 3)
                       for name in last["stages"]},
            "load_before_runs": [round(load, 2) for load in loads[system]],
            "covers": last["covers"],
        }
        for key in ("landing_rows", "rejected_rows", "curated_rows"):
            if key in last:
                record[key] = last[key]
        records.append(record)
    floor = next(r for r in records if r["system"] == FLOOR)
    for record in records:
        record["ratio_to_floor"] = round(record["seconds"] / floor["seconds"], 2)
    return records


def _check_answers(folder: Path, systems: list[str], rows: int) -> list[str]:
    """The saved queries' answers of every system that gives them must agree with lakehouse's."""
    from lakehouse.bench.compare import differences

    reference = folder / "lakehouse" / "answers.json"
    if not reference.exists():
        return []
    expected = json.loads(reference.read_text(encoding="utf-8"))
    problems = []
    for system in systems:
        path = folder / system / "answers.json"
        if system == "lakehouse" or not path.exists():
            continue
        found = differences(expected, json.loads(path.read_text(encoding="utf-8")))
        problems += [f"{rows:,} rows, {system}: {problem}" for problem in found]
    return problems
