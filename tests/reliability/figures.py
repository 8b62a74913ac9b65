"""Print the reliability figures as the Markdown table docs/reliability.md shows.

    python -m pytest tests/reliability            # writes test-artifacts/reliability.json
    python -m tests.reliability.figures           # the table (or give another JSON file)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability.json"
COLUMNS = ("trials", "faults_injected", "kills", "kills_mid_write", "inputs_tried", "refused", "requests_refused",
           "canary_files_searched", "rows_lost")


def table(document: dict[str, object]) -> str:
    areas: dict[str, dict[str, int]] = document["areas"]  # type: ignore[assignment]
    totals: dict[str, int] = document["totals"]  # type: ignore[assignment]
    lines = ["| area | " + " | ".join(c.replace("_", " ") for c in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for area, counts in areas.items():
        lines.append(f"| {area} | " + " | ".join(str(counts.get(c, 0)) for c in COLUMNS) + " |")
    lines.append("| **total** | " + " | ".join(f"**{totals.get(c, 0)}**" for c in COLUMNS) + " |")
    others = [f"{area}: {name.replace('_', ' ')} {value}" for area, counts in areas.items()
              for name, value in counts.items() if name not in COLUMNS]
    return "\n".join(lines + ([""] + [f"- {other}" for other in others] if others else []))


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    if not path.exists():
        print(f"{path}: no figures yet; run python -m pytest tests/reliability first", file=sys.stderr)
        return 1
    document = json.loads(path.read_text())
    print(table(document))
    extra = {key: document[key] for key in ("written", "seconds", "tests", "rounds", "machine") if key in document}
    print("\n" + json.dumps(extra))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
