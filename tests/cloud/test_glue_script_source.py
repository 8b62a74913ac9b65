"""The Glue script as a file Glue can run alone: what it imports and its generated model block.

No Spark needed: these run (and catch drift) even where pyspark is not installed.
"""

from __future__ import annotations

import ast
import sys

from cloud.glue_jobs import generate

# What a Glue 5.0 worker has besides the standard library.
GLUE_WORKER_MODULES = {"pyspark", "awsglue", "boto3"}


def test_the_script_imports_only_what_a_glue_worker_has() -> None:
    tree = ast.parse(generate.SCRIPT.read_text("utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    assert "pyspark" in imported and "lakehouse" not in imported
    assert imported - set(sys.stdlib_module_names) <= GLUE_WORKER_MODULES


def test_the_scripts_model_block_is_generated_from_the_current_models() -> None:
    script = generate.SCRIPT.read_text("utf-8")
    assert generate.with_block(script) == script, "run: python -m cloud.glue_jobs.generate"


def test_the_model_block_names_every_curated_table_with_its_glue_columns() -> None:
    from lakehouse.etl.models import ALL_TABLES

    namespace: dict[str, object] = {"Any": object}
    exec(generate.models_block(), namespace)  # noqa: S102 - our own generated literal
    models = namespace["MODELS"]
    assert isinstance(models, dict)
    tables = {t["name"]: t for model in models.values() for t in model["tables"]}
    assert set(tables) == {t.name for t in ALL_TABLES}
    for table in ALL_TABLES:
        assert [c["glue_type"] for c in tables[table.name]["columns"]] == [c.glue_type for c in table.columns]
