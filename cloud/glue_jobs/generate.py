"""Write the curated models' schemas into the Glue script, which cannot import `lakehouse`.

    python -m cloud.glue_jobs.generate          rewrite the MODELS block of lakehouse_curate.py
    python -m cloud.glue_jobs.generate --check  exit 1 when the block is out of date

The block holds what the script needs besides its Spark builders: each model's dataset,
natural key, summed measures and tables (name, description, Glue columns, partition keys),
in the models' own order (the base table first).
"""

from __future__ import annotations

import pprint
import sys
from pathlib import Path
from typing import Any

from lakehouse.etl.models import MODELS
from lakehouse.etl.tables import Column, CuratedModel, CuratedTable

SCRIPT = Path(__file__).with_name("lakehouse_curate.py")
BEGIN = "# BEGIN GENERATED MODELS (python -m cloud.glue_jobs.generate; do not edit by hand)\n"
END = "# END GENERATED MODELS\n"


def _columns(columns: tuple[Column, ...]) -> list[dict[str, str]]:
    return [{"name": c.name, "glue_type": c.glue_type, "comment": c.comment} for c in columns]


def _table(table: CuratedTable) -> dict[str, Any]:
    return {"name": table.name, "description": table.description, "columns": _columns(table.columns),
            "partition_keys": _columns(table.partition_keys)}


def _model(model: CuratedModel) -> dict[str, Any]:
    return {"dataset": model.dataset, "natural_key": list(model.natural_key), "summed": list(model.summed),
            "tables": [_table(table) for table in model.tables]}


def models_block() -> str:
    """The MODELS assignment as the script holds it, between its BEGIN and END lines."""
    models = {dataset: _model(model) for dataset, model in MODELS.items()}
    return f"MODELS: dict[str, dict[str, Any]] = {pprint.pformat(models, width=116, sort_dicts=False)}\n"


def with_block(script: str) -> str:
    head, found, rest = script.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"{SCRIPT}: the BEGIN/END GENERATED MODELS lines are missing")
    return f"{head}{BEGIN}{models_block()}{END}{tail}"


def main(argv: list[str]) -> int:
    current = SCRIPT.read_text("utf-8")
    wanted = with_block(current)
    if "--check" in argv:
        if current != wanted:
            print(f"{SCRIPT}: the MODELS block is out of date (python -m cloud.glue_jobs.generate)", file=sys.stderr)
            return 1
        return 0
    SCRIPT.write_text(wanted, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
