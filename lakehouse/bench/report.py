"""What `lakehouse bench` writes: the JSON records, a markdown table, a log-log chart, and the
slope of log time against log rows per system (1.0 = time grows linearly with rows)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

GOAL_RATIO_TO_FLOOR = 1.5  # lakehouse / floor at 10M rows (issue 9)
GOAL_SPEEDUP_VS_PANDAS = 5.0
GOAL_PEAK_RSS_MB = 2048.0  # at the largest size
GOAL_ROWS = 10_000_000


def slopes(records: list[dict[str, Any]], field: str = "seconds") -> dict[str, float]:
    """Least-squares slope of log(field) on log(rows), per system with two sizes or more."""
    by_system: dict[str, list[tuple[float, float]]] = {}
    for record in records:
        if record.get(field):
            by_system.setdefault(record["system"], []).append((math.log(record["rows"]), math.log(record[field])))
    fitted = {}
    for system, points in by_system.items():
        if len({x for x, _ in points}) < 2:
            continue
        mean_x = sum(x for x, _ in points) / len(points)
        mean_y = sum(y for _, y in points) / len(points)
        covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
        variance = sum((x - mean_x) ** 2 for x, _ in points)
        fitted[system] = round(covariance / variance, 3)
    return fitted


def document(records: list[dict[str, Any]], machine: dict[str, str], command: str, dataset: str,
             skipped: list[str], disagreements: list[str]) -> dict[str, Any]:
    return {"command": command, "dataset": dataset, "machine": machine, "records": records,
            "slope_log_seconds_vs_log_rows": slopes(records),
            "slope_log_cpu_seconds_vs_log_rows": slopes(records, "cpu_seconds"), "skipped": skipped,
            "disagreements": disagreements}


def merged(records: list[dict[str, Any]], previous: Path) -> list[dict[str, Any]]:
    """This run's records plus a previous report's for the (rows, system) pairs this run did not measure."""
    measured = {(r["rows"], r["system"]) for r in records}
    earlier = json.loads(previous.read_text(encoding="utf-8"))["records"]
    kept = [{**r, "from_previous_run": True} for r in earlier if (r["rows"], r["system"]) not in measured]
    return sorted([*records, *kept], key=lambda r: (r["rows"], r["system"] != "floor", r["system"]))


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    records = report["records"]
    repeat = records[0]["repeat"] if records else 1
    lines = [
        f"# lakehouse bench: {report['dataset']}",
        "",
        f"Command: `{report['command']}`",
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cpus', '?')} CPUs, {machine.get('memory', '?')} RAM; "
        f"Python {machine.get('python', '?')}, Polars {machine.get('polars', '?')}, DuckDB {machine.get('duckdb', '?')}, "
        f"pandas {machine.get('pandas', '?')}, PySpark {machine.get('pyspark', '?')}.",
        "",
        f"Seconds: median of {repeat} run(s), each in a fresh process, the work only (imports excluded). Peak RSS: "
        "the child process's (and its descendants') maximum resident memory. × floor: seconds / the floor's "
        "seconds at the same size, in the same run.",
        "",
        "| rows | system | seconds | rows/s | peak RSS MB | × floor | CPU s | × floor (CPU) | load before | stages (s) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in records:
        stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in r["stages"].items())
        floor = next(f for f in records if f["rows"] == r["rows"] and f["system"] == "floor")
        load = "–".join(f"{value:.1f}" for value in r.get("load_before_runs", []))
        lines.append(f"| {r['rows']:,} | {r['system']} | {r['seconds']:.2f} | {r['rows_per_s']:,} | "
                     f"{r['peak_rss_mb']:,.0f} | {r['ratio_to_floor']:.2f} | {r['cpu_seconds']:.1f} | "
                     f"{r['cpu_seconds'] / floor['cpu_seconds']:.2f} | {load} | {stages} |")
    lines += ["", "What each system covers:", ""]
    for system, covers in {r["system"]: r["covers"] for r in records}.items():
        lines.append(f"- **{system}**: {covers}")
    fitted = report["slope_log_seconds_vs_log_rows"]
    if fitted:
        lines += ["", "Slope of log(seconds) against log(rows) (1.0 = linear; below 1, fixed costs still "
                  "weigh at the small sizes):", ""]
        cpu = report.get("slope_log_cpu_seconds_vs_log_rows") or slopes(records, "cpu_seconds")
        lines += [f"- {system}: {slope:.2f} (CPU seconds: {cpu.get(system, float('nan')):.2f})"
                  for system, slope in fitted.items()]
    lines += ["", *goal_lines(records, fitted)]
    if report["skipped"]:
        lines += ["", "Not run:", "", *[f"- {item}" for item in report["skipped"]]]
    lines += ["", "Answers of the four saved queries: " + (
        "every system that answers them agrees with lakehouse." if not report["disagreements"]
        else "**DISAGREE**: " + "; ".join(report["disagreements"]))]
    return "\n".join(lines) + "\n"


def goal_lines(records: list[dict[str, Any]], fitted: dict[str, float]) -> list[str]:
    """Issue 9's goals, met or missed by how much."""
    def find(rows: int, system: str) -> dict[str, Any] | None:
        return next((r for r in records if r["rows"] == rows and r["system"] == system), None)

    lines = ["Goals (issue 9):", ""]
    at = GOAL_ROWS if find(GOAL_ROWS, "lakehouse") else max((r["rows"] for r in records), default=0)
    lakehouse = find(at, "lakehouse")
    if lakehouse:
        ratio = lakehouse["ratio_to_floor"]
        lines.append(f"- lakehouse within {GOAL_RATIO_TO_FLOOR}× of the floor at {at:,} rows: {ratio:.2f}× "
                     f"({'met' if ratio <= GOAL_RATIO_TO_FLOOR else f'MISSED by {ratio / GOAL_RATIO_TO_FLOOR:.2f}×'})")
        floor = find(at, "floor")
        if floor:
            lines.append(f"  (CPU seconds: {lakehouse['cpu_seconds'] / floor['cpu_seconds']:.2f}× the floor's)")
        pandas = find(at, "pandas")
        if pandas:
            speedup = pandas["seconds"] / lakehouse["seconds"]
            verdict = "met" if speedup >= GOAL_SPEEDUP_VS_PANDAS else f"MISSED by {GOAL_SPEEDUP_VS_PANDAS / speedup:.2f}×"
            lines.append(f"- at least {GOAL_SPEEDUP_VS_PANDAS:.0f}× faster than pandas at {at:,} rows: "
                         f"{speedup:.2f}× ({verdict}; CPU seconds: "
                         f"{pandas['cpu_seconds'] / lakehouse['cpu_seconds']:.2f}×)")
    largest = max((r["rows"] for r in records if r["system"] == "lakehouse"), default=0)
    biggest = find(largest, "lakehouse")
    if biggest:
        peak = biggest["peak_rss_mb"]
        lines.append(f"- peak memory under {GOAL_PEAK_RSS_MB:,.0f} MB at the largest size ({largest:,} rows): "
                     f"{peak:,.0f} MB ({'met' if peak < GOAL_PEAK_RSS_MB else 'MISSED'})")
    if "lakehouse" in fitted:
        lines.append(f"- time linear in rows: slope {fitted['lakehouse']:.2f} for lakehouse "
                     f"(floor {fitted.get('floor', float('nan')):.2f})")
    return lines


def chart(records: list[dict[str, Any]], path: Path, title: str) -> None:
    """Seconds against rows, log-log, one line per system."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=100)
    for system in dict.fromkeys(r["system"] for r in records):
        points = sorted((r["rows"], r["seconds"]) for r in records if r["system"] == system)
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=system)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("rows")
    axes.set_ylabel("seconds (median)")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    plt.close(figure)
