"""The opt-in soak: the reliability suite again and again, with more kill trials per stage, more
hypothesis examples and rounds of S3 faults, each round with new seeds, for a given time.

    python -m tests.reliability.soak --trials 20 --minutes 30

Each round is one pytest session over tests/reliability (soak tests included); the figures of
every round are added up in test-artifacts/reliability-soak.json (print them with
`python -m tests.reliability.figures test-artifacts/reliability-soak.json`). Stops at the first
failing round, exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="SIGKILL trials per stage and round (CI: 4)")
    parser.add_argument("--minutes", type=float, default=30, help="keep starting rounds until this much time passed")
    parser.add_argument("--emulator-kills", type=int, default=3,
                        help="kills of the command and of the emulator, each, per round (CI: 1)")
    parser.add_argument("--examples", type=int, default=200, help="hypothesis examples per round (CI: 30)")
    parser.add_argument("--fault-rounds", type=int, default=5, help="S3 fault runs per round")
    parser.add_argument("-k", dest="select", help="only the tests pytest -k selects (e.g. 'kill or soak')")
    parser.add_argument("--output", type=Path, default=ROOT / "test-artifacts" / "reliability-soak.json")
    options = parser.parse_args(argv)

    deadline = time.monotonic() + options.minutes * 60
    areas: dict[str, Counter[str]] = {}
    rounds, failed, started = 0, False, time.monotonic()
    while not failed and (rounds == 0 or time.monotonic() < deadline):
        round_file = options.output.with_suffix(f".round{rounds}.json")
        environment = {**os.environ, "LAKEHOUSE_SOAK": "1", "LAKEHOUSE_SOAK_SEED": str(rounds + 1),
                       "LAKEHOUSE_KILL_TRIALS": str(options.trials),
                       "LAKEHOUSE_EMULATOR_KILLS": str(options.emulator_kills),
                       "LAKEHOUSE_HYPOTHESIS_EXAMPLES": str(options.examples),
                       "LAKEHOUSE_SOAK_FAULT_ROUNDS": str(options.fault_rounds),
                       "LAKEHOUSE_RELIABILITY_FIGURES": str(round_file)}
        command = [sys.executable, "-m", "pytest", "tests/reliability", "-q", "-p", "no:cacheprovider", "-x",
                   *(["-k", options.select] if options.select else [])]
        print(f"soak round {rounds + 1}: {' '.join(command)}", flush=True)
        failed = subprocess.run(command, cwd=ROOT, env=environment).returncode != 0
        if round_file.exists():
            for area, counts in json.loads(round_file.read_text())["areas"].items():
                areas.setdefault(area, Counter()).update(counts)
            round_file.unlink()
        rounds += 1
    totals: Counter[str] = Counter()
    for counts in areas.values():
        totals.update(counts)
    document = {"written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "seconds": round(time.monotonic() - started, 1), "rounds": rounds, "failed": failed,
                "settings": {"trials": options.trials, "emulator_kills": options.emulator_kills, "examples": options.examples,
                             "fault_rounds": options.fault_rounds},
                "totals": dict(sorted(totals.items())),
                "areas": {area: dict(sorted(counts.items())) for area, counts in sorted(areas.items())}}
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"soak: {rounds} round(s), {'FAILED' if failed else 'passed'}; figures in {options.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
