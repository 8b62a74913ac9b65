"""One writer at a time: a second `lakehouse run` on the same home is refused with a clear
message (or waits with --wait), readers keep working while a run publishes, a killed writer
never leaves the lock behind, and the S3 lease lock behaves the same way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import reliability_figures
from cli_support import platform_for

from cloud.s3.store import S3ObjectStore
from lakehouse import writer_lock
from lakehouse.config import Settings
from lakehouse.writer_lock import LOCK_KEY, WriterBusy, exclusive_writer
from lakehouse.zones import Zones

ROWS = "300000"  # long enough (a few seconds) for the second command to arrive mid-run


def _lakehouse(home: Path, *arguments: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "LAKEHOUSE_HOME": str(home), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "lakehouse", *arguments], env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_until_locked(home: Path, seconds: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    lock = home / ".writer.lock"
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip():
            return json.loads(lock.read_text())
        time.sleep(0.05)
    raise AssertionError("the first run never took the writer lock")


def test_a_second_run_is_refused_then_waits_and_readers_keep_working(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _lakehouse(home, "run", "--rows", "5000").wait(timeout=300) == 0  # tables exist for the reader
    first = _lakehouse(home, "run", "--rows", ROWS, "--seed", "2")
    holder = _wait_until_locked(home)
    assert holder["command"] == "run" and holder["pid"] == first.pid

    refused = _lakehouse(home, "run", "--rows", "5000")
    _, refused_err = refused.communicate(timeout=120)
    assert refused.returncode == 1
    assert refused_err.strip().splitlines() == [refused_err.strip()]  # one line, no traceback
    assert f"`lakehouse run` (pid {first.pid}" in refused_err and "--wait SECONDS" in refused_err

    reader = _lakehouse(home, "query", "SELECT count(*) AS n FROM yearly_volume")
    reader_out, reader_err = reader.communicate(timeout=120)
    assert reader.returncode == 0, reader_err

    waiting = _lakehouse(home, "run", "--rows", "5000", "--seed", "3", "--wait", "600")
    assert first.wait(timeout=600) == 0, first.stderr.read() if first.stderr else ""
    _, waiting_err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0, waiting_err
    assert not (home / ".writer.lock").read_text()  # released
    reliability_figures.add("concurrency", trials=1, refused=1)


def test_a_killed_writer_leaves_no_lock(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _lakehouse(home, "run", "--rows", ROWS)
    _wait_until_locked(home)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    after = _lakehouse(home, "run", "--rows", "5000")
    _, err = after.communicate(timeout=300)
    assert after.returncode == 0, err
    reliability_figures.add("concurrency", trials=1, kills=1)


def test_nested_writers_in_one_process_share_the_lock(tmp_path: Path) -> None:
    zones = platform_for(tmp_path / "home").zones
    with exclusive_writer(zones, "run"), exclusive_writer(zones, "prepare"):
        pass
    with exclusive_writer(zones, "run"):  # released after nesting unwinds
        pass


@pytest.mark.s3
def test_the_s3_lease_refuses_a_second_writer_and_expires(moto_endpoint: str, unique_bucket: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(home=Path("unused"), backend="emulator", bucket_prefix=f"{unique_bucket[:20]}-",
                        endpoint_url=moto_endpoint)
    zones = Zones(S3ObjectStore(endpoint_url=moto_endpoint), settings)
    other = writer_lock._LeaseLock(zones)
    other.acquire({"command": "transform", "pid": 4242, "host": "elsewhere", "since": "t", "token": "theirs"}, 0)
    try:
        with pytest.raises(WriterBusy, match=r"`lakehouse transform` \(pid 4242 on elsewhere"):
            with exclusive_writer(zones, "run"):
                pass
    finally:
        other.release()
    assert not zones.store.object_exists(zones.bucket("catalog"), LOCK_KEY)

    # A lease nobody renews expires and is taken over.
    stale = {"command": "run", "pid": 1, "host": "gone", "since": "t", "token": "stale", "expires": time.time() - 1}
    zones.store.put_object(zones.bucket("catalog"), LOCK_KEY, json.dumps(stale).encode())
    with exclusive_writer(zones, "run"):
        lease = json.loads(zones.store.get_object(zones.bucket("catalog"), LOCK_KEY))
        assert lease["token"] != "stale" and lease["expires"] > time.time()
    assert not zones.store.object_exists(zones.bucket("catalog"), LOCK_KEY)
