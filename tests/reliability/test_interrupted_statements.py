"""A writing statement or a crawl killed at its most delicate points: a real process, killed with
SIGKILL at an exact step (the step's function is wrapped to kill its own process first).

After each kill the table reads as before the command; `lakehouse doctor` reports what the
killed command left (the files it claimed, partitions it staged) as repairable; after
`--repair` it reports nothing, and the command run again succeeds and leaves what an
uninterrupted command leaves. The random-point kill trials (test_kill_trials.py) cover the
rest of each command's work.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import reliability_figures
from cli_support import CliRunner, platform_for

from lakehouse.errors import EntityNotFoundException

CTAS = ("CREATE TABLE vancouver_311.kill_copy WITH (format = 'PARQUET', partitioned_by = ARRAY['year']) "
        "AS SELECT department, inquiry_type, channel, inquiries, year FROM inquiry_volume")
# Rows into the copy's existing year partitions and into ten new ones.
INSERT = ("INSERT INTO vancouver_311.kill_copy SELECT department, inquiry_type, channel, inquiries, "
          "CASE WHEN year % 2 = 0 THEN year ELSE year + 100 END FROM inquiry_volume")
UNLOAD = ("UNLOAD (SELECT department, inquiries, year FROM inquiry_volume) TO 's3://curated/exports/kill/' "
          "WITH (format = 'PARQUET', partitioned_by = ARRAY['year'])")
CRAWL = ["crawl", "curated/vancouver_311/", "--database", "crawled"]

_KILL = "import os, signal\ndef _die(*_, **__):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
# Where each case kills the command: Python run in the child before `main(args)`.
AFTER_FILES_BEFORE_CATALOG = _KILL + (
    "import emulation.athena.statements_write as w\nw.create_table_with_partitions = _die\n")
AFTER_STAGING_BEFORE_TABLE = _KILL + (
    "from emulation.glue.versions import VersionedDocument\n_create = VersionedDocument.create\n"
    "def create(self, number, document):\n"
    "    if '/tables/' in self.prefix and number == 1 and {table!r} in self.prefix: _die()\n"
    "    return _create(self, number, document)\n"
    "VersionedDocument.create = create\n")
AT_THIRD_DATA_FILE = _KILL + (
    "from emulation.s3.store import FileObjectStore\n_put = FileObjectStore.put_object\n_seen = []\n"
    "def put_object(self, bucket, key, body, **options):\n"
    "    if bucket == 'curated' and key.endswith('.parquet'):\n"
    "        _seen.append(key)\n"
    "        if len(_seen) == 3: _die()\n"
    "    return _put(self, bucket, key, body, **options)\n"
    "FileObjectStore.put_object = put_object\n")
BEFORE_PARTITIONS_REGISTERED = _KILL + (
    "import emulation.athena.statements_write as w\nw.change_partitions = _die\n")


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("interrupted") / "start"
    outcome = subprocess.run([sys.executable, "-m", "lakehouse", "run", "--home", str(home), "--rows", "3000"],
                             capture_output=True, text=True, timeout=600)
    assert outcome.returncode == 0, outcome.stderr
    return home


def killed(arguments: list[str], where: str) -> None:
    """Run `lakehouse ARGS` in a child that kills itself where `where` says."""
    script = f"import sys\n{where}\nfrom lakehouse.cli import main\nmain(sys.argv[1:])\n"
    child = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, timeout=600)
    assert child.returncode == -9, (child.returncode, child.stderr[-2000:])


def rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    return sorted(platform_for(home).engine.run_query(sql).rows, key=repr)


def findings(lakehouse: CliRunner, home: Path, *flags: str) -> list[dict[str, object]]:
    return json.loads(lakehouse("doctor", "--home", str(home), "--json", *flags).stdout)["findings"]


def repaired(lakehouse: CliRunner, home: Path) -> list[dict[str, object]]:
    """The doctor's findings, all of them repairable; after the repair it finds nothing."""
    found = findings(lakehouse, home)
    assert found and all(f["remedy"] == "lakehouse doctor --repair" for f in found), found
    findings(lakehouse, home, "--repair")
    assert findings(lakehouse, home) == []
    return found


def copy_home(started: Path, tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    shutil.copytree(started, home)
    return home


def table_absent(home: Path, database: str, table: str) -> bool:
    try:
        platform_for(home).catalog.get_table(database, table)
    except EntityNotFoundException:
        return True
    return False


@pytest.mark.parametrize("where", [AFTER_FILES_BEFORE_CATALOG, AFTER_STAGING_BEFORE_TABLE.format(table="/kill_copy/")],
                         ids=["after-files", "after-staged-partitions"])
def test_a_killed_ctas_is_rolled_back_and_its_rerun_succeeds(
    lakehouse: CliRunner, started: Path, tmp_path: Path, where: str,
) -> None:
    reference = copy_home(started, tmp_path, "reference")
    assert lakehouse("query", "--home", str(reference), CTAS).code == 0
    expected = rows(reference, "SELECT * FROM kill_copy")
    home = copy_home(started, tmp_path, "home")

    killed(["query", "--home", str(home), CTAS], where)
    assert table_absent(home, "vancouver_311", "kill_copy")  # the table reads as before: absent
    assert any((home / "curated" / "vancouver_311" / "kill_copy").rglob("*.parquet"))  # its files are left
    found = repaired(lakehouse, home)
    assert any("interrupted CREATE TABLE AS" in str(f["problem"]) for f in found), found
    assert not any((home / "curated" / "vancouver_311" / "kill_copy").rglob("*.parquet"))

    outcome = lakehouse("query", "--home", str(home), CTAS)  # no HIVE_PATH_ALREADY_EXISTS
    assert outcome.code == 0, outcome.stderr
    assert rows(home, "SELECT * FROM kill_copy") == expected
    reliability_figures.add("interrupted-statements", trials=1, kills=1, kills_mid_write=1)


@pytest.mark.parametrize("where", [AT_THIRD_DATA_FILE, BEFORE_PARTITIONS_REGISTERED],
                         ids=["mid-files", "before-partitions"])
def test_a_killed_insert_into_is_rolled_back(lakehouse: CliRunner, started: Path, tmp_path: Path, where: str) -> None:
    base = copy_home(started, tmp_path, "base")
    assert lakehouse("query", "--home", str(base), CTAS).code == 0
    before = rows(base, "SELECT * FROM kill_copy")
    reference = copy_home(base, tmp_path, "reference")
    assert lakehouse("query", "--home", str(reference), INSERT).code == 0
    expected = rows(reference, "SELECT * FROM kill_copy")

    killed(["query", "--home", str(base), INSERT], where)
    found = repaired(lakehouse, base)
    assert any("interrupted INSERT INTO" in str(f["problem"]) for f in found), found
    assert rows(base, "SELECT * FROM kill_copy") == before  # the rows before, none of the insert's
    assert lakehouse("query", "--home", str(base), INSERT).code == 0
    assert rows(base, "SELECT * FROM kill_copy") == expected
    reliability_figures.add("interrupted-statements", trials=1, kills=1, kills_mid_write=1)


def test_a_killed_unload_leaves_nothing_after_repair(lakehouse: CliRunner, started: Path, tmp_path: Path) -> None:
    home = copy_home(started, tmp_path, "home")
    killed(["query", "--home", str(home), UNLOAD], AT_THIRD_DATA_FILE)
    exports = home / "curated" / "exports" / "kill"
    assert len(list(exports.rglob("*.parquet"))) == 2
    found = repaired(lakehouse, home)
    assert any("interrupted UNLOAD" in str(f["problem"]) for f in found), found
    assert not list(exports.rglob("*.parquet"))
    outcome = lakehouse("query", "--home", str(home), UNLOAD)
    assert outcome.code == 0, outcome.stderr
    assert len(list(exports.rglob("*.parquet"))) == len(rows(home, "SELECT DISTINCT year FROM inquiry_volume"))
    reliability_figures.add("interrupted-statements", trials=1, kills=1, kills_mid_write=1)


def test_a_crawl_killed_before_its_table_is_created_leaves_no_partial_table(
    lakehouse: CliRunner, started: Path, tmp_path: Path,
) -> None:
    reference = copy_home(started, tmp_path, "reference")
    assert lakehouse(*CRAWL, "--home", str(reference)).code == 0
    expected = {t["Name"]: len(platform_for(reference).catalog.get_partitions("crawled", t["Name"]))
                for t in platform_for(reference).catalog.get_tables("crawled")}
    target = max(expected, key=lambda name: expected[name])  # a partitioned table: the case that matters
    assert expected[target] > 1, expected
    home = copy_home(started, tmp_path, "home")

    killed([*CRAWL, "--home", str(home)], AFTER_STAGING_BEFORE_TABLE.format(table=f"/{target}/"))
    assert table_absent(home, "crawled", target)  # not there, rather than there with some partitions
    catalog = platform_for(home).catalog
    for table in catalog.get_tables("crawled"):  # the tables crawled before it: whole
        assert len(catalog.get_partitions("crawled", table["Name"])) == expected[table["Name"]], table["Name"]
    found = repaired(lakehouse, home)
    assert any("staged for a table that was never created" in str(f["problem"]) for f in found), found
    assert lakehouse(*CRAWL, "--home", str(home)).code == 0
    catalog = platform_for(home).catalog
    assert {t["Name"]: len(catalog.get_partitions("crawled", t["Name"])) for t in catalog.get_tables("crawled")} == expected
    reliability_figures.add("interrupted-statements", trials=1, kills=1, kills_mid_write=1)
