"""The suite's figures: every reliability test adds what it did (trials, faults injected,
kills, inputs tried, rows lost) to one collector, written once at the end of the session to
`test-artifacts/reliability.json` (or $LAKEHOUSE_RELIABILITY_FIGURES) by conftest.py."""

from __future__ import annotations

import json
import os
import platform
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability.json"
# What each figure means, in the order docs/reliability.md lists them.
FIGURE_NAMES = ("trials", "faults_injected", "kills", "kills_mid_write", "inputs_tried", "refused",
                "requests_refused", "canary_files_searched", "rows_lost")

_figures: defaultdict[str, Counter[str]] = defaultdict(Counter)
_started = time.time()


def add(area: str, **counts: int) -> None:
    """Add counts to an area's figures (an area is one aspect: `kill:ingest`, `s3-faults`, …)."""
    _figures[area].update({name: int(value) for name, value in counts.items()})
    _figures[area].update({name: 0 for name in ("rows_lost",) if name not in _figures[area]})


def collected() -> dict[str, dict[str, int]]:
    return {area: dict(sorted(counts.items())) for area, counts in sorted(_figures.items())}


def totals(areas: dict[str, dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for counts in areas.values():
        total.update(counts)
    return dict(sorted(total.items()))


def output_path() -> Path:
    return Path(os.environ.get("LAKEHOUSE_RELIABILITY_FIGURES") or DEFAULT_PATH)


def write(outcomes: dict[str, int]) -> Path | None:
    """The session's figures as JSON, or None when no reliability test ran."""
    areas = collected()
    if not areas:
        return None
    path = output_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {
        "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.time() - _started, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.system()},
        "tests": outcomes,
        "totals": totals(areas),
        "areas": areas,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
