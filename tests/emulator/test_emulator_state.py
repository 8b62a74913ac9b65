"""The emulator keeps its state across a restart (unless --in-memory) and resets on request."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from emulator_support import emulator_process


def _post(url: str) -> dict[str, object]:
    request = urllib.request.Request(url, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _write_state(url_client: object) -> None:
    s3, glue = url_client("s3"), url_client("glue")  # type: ignore[operator]
    s3.create_bucket(Bucket="kept")
    s3.put_object(Bucket="kept", Key="a/b c/ünïcode ../key.txt", Body=b"survives")
    glue.create_database(DatabaseInput={"Name": "kept_db"})


def test_state_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "state"
    with emulator_process("--data-dir", str(data), cwd=tmp_path) as first:
        _write_state(first.client)
    with emulator_process("--data-dir", str(data), cwd=tmp_path) as second:
        body = second.client("s3").get_object(Bucket="kept", Key="a/b c/ünïcode ../key.txt")["Body"].read()
        assert body == b"survives"
        assert second.client("glue").get_database(Name="kept_db")["Database"]["Name"] == "kept_db"


def test_in_memory_state_is_gone_after_a_restart(tmp_path: Path) -> None:
    with emulator_process("--in-memory", cwd=tmp_path) as first:
        _write_state(first.client)
    with emulator_process("--in-memory", cwd=tmp_path) as second:
        assert "kept" not in [b["Name"] for b in second.client("s3").list_buckets()["Buckets"]]
    assert not (tmp_path / ".lakehouse").exists()


def test_reset_clears_buckets_and_catalog(tmp_path: Path) -> None:
    with emulator_process("--data-dir", str(tmp_path / "state"), cwd=tmp_path) as emulator:
        _write_state(emulator.client)
        assert _post(f"{emulator.url}/_lakehouse/reset") == {"reset": True}
        assert emulator.client("s3").list_buckets()["Buckets"] == []
        with pytest.raises(ClientError) as missing:
            emulator.client("glue").get_database(Name="kept_db")
        assert missing.value.response["Error"]["Code"] == "EntityNotFoundException"
    with emulator_process("--data-dir", str(tmp_path / "state"), cwd=tmp_path) as restarted:
        assert restarted.client("s3").list_buckets()["Buckets"] == []


def test_a_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "lakehouse", "emulator", "start", "--in-memory", "--port", str(port)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: cannot listen on 127.0.0.1:")
    assert "Traceback" not in result.stderr
