"""Athena views: stored in Glue as Athena stores them, expanded by the engine when a query reads them."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from statements_support import DB, Athena, make_athena

from lakehouse.errors import QueryError

ROWS = [(1, "Phone", 3), (2, "Web", 5), (3, "Phone", 7), (4, "Email", 1)]


@pytest.fixture
def athena(tmp_path: Path) -> Athena:
    athena = make_athena(tmp_path)
    values = ", ".join(f"({i}, '{c}', {n})" for i, c, n in ROWS)
    athena.run(f"CREATE TABLE calls AS SELECT * FROM (VALUES {values}) AS v(id, channel, minutes)")
    return athena


def test_view_is_a_presto_view_in_glue(athena: Athena) -> None:
    athena.run("CREATE VIEW phone AS SELECT id, minutes * 2 AS doubled FROM calls WHERE channel = 'Phone'")
    view = athena.table("phone")
    assert view["TableType"] == "VIRTUAL_VIEW"
    assert view["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    assert view["ViewExpandedText"] == "/* Presto View */"
    assert view["PartitionKeys"] == [] and view["StorageDescriptor"]["Location"] == ""
    assert view["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "int"}, {"Name": "doubled", "Type": "int"}]
    text = view["ViewOriginalText"]
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    definition = json.loads(base64.b64decode(text[len("/* Presto View: "):-len(" */")]))
    assert definition["catalog"] == "awsdatacatalog" and definition["schema"] == DB
    assert definition["columns"] == [{"name": "id", "type": "integer"}, {"name": "doubled", "type": "integer"}]
    assert "FROM calls WHERE channel = 'Phone'" in definition["originalSql"]


def test_queries_read_views_and_views_of_views(athena: Athena) -> None:
    athena.run("CREATE VIEW phone AS SELECT id, minutes FROM calls WHERE channel = 'Phone'")
    athena.run("CREATE VIEW long_phone AS SELECT id FROM phone WHERE minutes > 4")
    expected = [(i, n) for i, c, n in ROWS if c == "Phone"]
    assert athena.run("SELECT id, minutes FROM phone ORDER BY id").rows == expected
    assert athena.run("SELECT p.id FROM long_phone AS p JOIN calls USING (id)").rows == [(3,)]
    athena.run("INSERT INTO calls VALUES (5, 'Phone', 9)")  # a view reads the data as it is now
    assert athena.run("SELECT count(*) FROM long_phone").rows == [(2,)]
    athena.run("CREATE TABLE from_view AS SELECT * FROM long_phone")
    assert athena.run("SELECT id FROM from_view ORDER BY id").rows == [(3,), (5,)]


def test_view_tables_resolve_in_the_database_it_was_created_from(athena: Athena) -> None:
    athena.run("CREATE DATABASE reports")
    athena.run("CREATE VIEW reports.by_channel AS SELECT channel, sum(minutes) AS total FROM calls GROUP BY channel")
    assert "by_channel" not in [t["Name"] for t in athena.catalog.get_tables(DB)]
    result = athena.run("SELECT channel, total FROM by_channel ORDER BY channel", database="reports")
    totals: dict[str, int] = {}
    for _, channel, minutes in ROWS:
        totals[channel] = totals.get(channel, 0) + minutes
    assert result.rows == sorted(totals.items())


def test_create_or_replace_and_its_refusals(athena: Athena) -> None:
    athena.run("CREATE VIEW v AS SELECT id FROM calls")
    with pytest.raises(QueryError, match="^AlreadyExistsException: View already exists$"):
        athena.run("CREATE VIEW v AS SELECT 1 AS x")
    athena.run("CREATE OR REPLACE VIEW v AS SELECT channel FROM calls WHERE id = 2")
    assert athena.table("v")["VersionId"] == "2"
    assert athena.run("SELECT * FROM v").rows == [("Web",)]
    with pytest.raises(QueryError, match="^VIEW_IS_RECURSIVE: View 'awsdatacatalog.vancouver_311.v' is recursive$"):
        athena.run("CREATE OR REPLACE VIEW v AS SELECT * FROM v")
    athena.run("CREATE VIEW w AS SELECT * FROM v")
    with pytest.raises(QueryError, match="^VIEW_IS_RECURSIVE"):
        athena.run("CREATE OR REPLACE VIEW v AS SELECT * FROM w")
    with pytest.raises(QueryError, match="^AlreadyExistsException: Table already exists: 'vancouver_311.calls' is a table"):
        athena.run("CREATE OR REPLACE VIEW calls AS SELECT 1 AS x")
    with pytest.raises(QueryError, match="^TABLE_NOT_FOUND: Table 'awsdatacatalog.vancouver_311.nope' does not exist"):
        athena.run("CREATE VIEW broken AS SELECT * FROM nope")
    with pytest.raises(QueryError, match="^NOT_SUPPORTED: execution parameters apply only to"):
        athena.run("CREATE VIEW p AS SELECT * FROM calls WHERE id = ?", 1)
    with pytest.raises(QueryError, match="^NOT_SUPPORTED: a view cannot take execution parameters"):
        athena.run("CREATE VIEW p AS SELECT * FROM calls WHERE id = ?")
    assert sorted(t["Name"] for t in athena.catalog.get_tables(DB)) == ["calls", "v", "w"]


def test_drop_view(athena: Athena) -> None:
    athena.run("CREATE VIEW v AS SELECT id FROM calls")
    with pytest.raises(QueryError, match="^SYNTAX_ERROR: 'vancouver_311.v' is a view, not a table: use DROP VIEW"):
        athena.run("DROP TABLE v")
    with pytest.raises(QueryError, match="^SYNTAX_ERROR: 'vancouver_311.calls' is a table, not a view"):
        athena.run("DROP VIEW calls")
    athena.run("DROP VIEW v")
    athena.run("DROP VIEW IF EXISTS v")
    with pytest.raises(QueryError, match="^TABLE_NOT_FOUND: View 'awsdatacatalog.vancouver_311.v' does not exist"):
        athena.run("DROP VIEW v")
    with pytest.raises(QueryError, match="^TABLE_NOT_FOUND"):
        athena.run("SELECT * FROM v")


def test_views_have_no_versions_to_travel_to(athena: Athena) -> None:
    athena.run("CREATE VIEW v AS SELECT id FROM calls")
    with pytest.raises(QueryError, match="^NOT_SUPPORTED: view 'vancouver_311.v' has no versions"):
        athena.run("SELECT * FROM v FOR VERSION AS OF 1")
