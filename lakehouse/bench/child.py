"""One measured run of one system: `python -m lakehouse.bench.child SYSTEM --sample S --out O --dataset D`.

Started by the harness in a fresh interpreter; writes its report to O/result.json.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from lakehouse.bench.harness import cpu_seconds, write_result
from lakehouse.bench.systems import PRELOAD, RUNNERS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lakehouse.bench.child")
    parser.add_argument("system", choices=sorted(RUNNERS))
    parser.add_argument("--sample", type=Path, required=True, help="the export (pyspark: a prepared home)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dataset", required=True)
    arguments = parser.parse_args(argv)
    for module in PRELOAD[arguments.system]:
        importlib.import_module(module)
    cpu = cpu_seconds()
    report = RUNNERS[arguments.system](arguments.sample, arguments.out, arguments.dataset)
    write_result(arguments.out, {**report, "cpu_seconds": cpu_seconds() - cpu})


if __name__ == "__main__":
    main()
