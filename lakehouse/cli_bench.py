"""`lakehouse bench`: the pipeline against DuckDB alone, pandas and PySpark, size by size."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from lakehouse import cli_output as out
from lakehouse.errors import ConfigError

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([kKmM]?)$")
_MULTIPLIER = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_rows(text: str) -> int:
    """'1000000', '1_000_000', '1,000,000', '1M' or '500k' -> rows; a one-line error otherwise."""
    match = _SIZE.match(text.replace("_", "").replace(",", "").strip())
    if not match:
        raise ConfigError(f"--rows {text!r}: give a whole number of rows, e.g. 1000000 or 10M")
    value = float(match[1]) * _MULTIPLIER[match[2].lower()]
    if value != int(value):
        raise ConfigError(f"--rows {text!r}: not a whole number of rows")
    return int(value)


def parse_limit(text: str) -> tuple[str, int]:
    """'pandas=20M' -> ('pandas', 20000000)."""
    system, equals, rows = text.partition("=")
    if not equals or not system.strip():
        raise ConfigError(f"--max-rows {text!r}: give SYSTEM=ROWS, e.g. pandas=20M")
    return system.strip(), parse_rows(rows)


@click.command()
@click.option("--rows", "rows_text", multiple=True, metavar="N",
              help="Rows of a synthetic export (repeatable; 1000 to 50M; e.g. 1000000 or 10M). Default 1M.")
@click.option("--dataset", "dataset_name", default="3-1-1-inquiry-volume", show_default=True,
              help="3-1-1-inquiry-volume or 3-1-1-service-requests.")
@click.option("--systems", "systems_text", multiple=True, metavar="NAMES",
              help="floor, lakehouse, pandas, pyspark (comma-separated or repeated; default: every one "
                   "available for the dataset).")
@click.option("--repeat", type=str, default="1", show_default=True, help="Runs per system and size (median).")
@click.option("--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the records here as JSON.")
@click.option("--results", "results_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("benchmarks/results"), show_default=True, help="Folder for the markdown table and chart.")
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Samples and outputs (default /tmp/lakehouse-bench-scale).")
@click.option("--seed", type=int, default=311, show_default=True)
@click.option("--max-rows", "max_rows_text", multiple=True, metavar="SYSTEM=N",
              help="Skip a system above this size (repeatable; default pandas=20M: it holds the whole export "
                   "in memory).")
@click.option("--merge", "merge_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A previous run's JSON: its records for other sizes/systems join this report and chart.")
@click.option("--keep-outputs", is_flag=True, help="Keep each run's homes and Parquet files.")
def bench(rows_text: tuple[str, ...], dataset_name: str, systems_text: tuple[str, ...], repeat: str,
          json_path: Path | None, results_dir: Path, workdir: Path | None, seed: int, max_rows_text: tuple[str, ...],
          merge_path: Path | None, keep_outputs: bool) -> None:
    """Time the full pipeline against DuckDB alone (the floor), pandas and PySpark; ratios to the floor."""
    from lakehouse.bench import report as reports
    from lakehouse.bench.harness import environment
    from lakehouse.bench.runner import DEFAULT_MAX_ROWS, DEFAULT_WORKDIR, BenchOptions, default_systems, run_bench

    if merge_path is not None and not merge_path.is_file():
        raise ConfigError(f"--merge {merge_path}: no such file")
    if not repeat.isdigit():
        raise ConfigError(f"--repeat {repeat!r}: give a whole number of runs")
    systems = [name.strip() for text in systems_text for name in text.split(",") if name.strip()]
    options = BenchOptions(
        rows=[parse_rows(text) for text in rows_text] or [1_000_000], dataset=dataset_name,
        systems=systems or default_systems(dataset_name), repeat=int(repeat), seed=seed,
        workdir=workdir or DEFAULT_WORKDIR, max_rows={**DEFAULT_MAX_ROWS, **dict(parse_limit(text) for text in max_rows_text)},
        keep_outputs=keep_outputs,
    )
    run = run_bench(options, echo=lambda line: out.console.print(line, markup=False, highlight=False, soft_wrap=True))
    command = shlex.join(["lakehouse", "bench", *[f"--rows={rows}" for rows in options.rows],
                          f"--dataset={dataset_name}", f"--systems={','.join(options.systems)}",
                          f"--repeat={options.repeat}", *[f"--max-rows={text}" for text in max_rows_text],
                          *([f"--merge={merge_path}"] if merge_path else []),
                          *([f"--json={json_path}"] if json_path else [])])
    records = reports.merged(run.records, merge_path) if merge_path else run.records
    document = reports.document(records, environment(), command, dataset_name, run.skipped,
                                run.disagreements)
    stem = "bench" if dataset_name == "3-1-1-inquiry-volume" else f"bench-{dataset_name.removeprefix('3-1-1-')}"
    table = reports.markdown(document)
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{stem}.md").write_text(table, encoding="utf-8")
    reports.chart(records, results_dir / f"{stem}.png", f"lakehouse bench: {dataset_name}")
    if json_path is not None:
        reports.write_json(json_path, document)
    out.console.print(table, markup=False, highlight=False, soft_wrap=True)
    for problem in run.disagreements:
        out.errors.print(f"WARNING: answers differ: {problem}", markup=False, soft_wrap=True)
