"""Fixtures of tests/cloud: the emulator and a moto server as one AWS (see cloud_support.py)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cloud_support import ACCESS_KEY, OTHER_SERVICES, SECRET_KEY, CloudStack
from emulator_support import emulator_process


@pytest.fixture
def cloud_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CloudStack]:
    """A fresh emulator and moto server per test, so that "nothing left behind" means nothing.
    No bucket prefix: the emulator's jobs read the unprefixed zones (`emulator start` has no prefix option)."""
    from moto.server import ThreadedMotoServer

    prefix = ""
    monkeypatch.delenv("LAKEHOUSE_BUCKET_PREFIX", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.delenv("LAKEHOUSE_BACKEND", raising=False)
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / "home"))
    # DataBrew as on AWS: recipe jobs write their output files only, no landing manifest.
    monkeypatch.setenv("LAKEHOUSE_EMULATOR_DATABREW", "aws")
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    moto_url = f"http://{host}:{port}"
    # moto keeps its accounts in process-wide state: start each test from an empty one.
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10).close()
    try:
        with emulator_process("--in-memory", cwd=tmp_path) as emulator:
            monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
            for service in OTHER_SERVICES:
                monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
            yield CloudStack(emulator, moto_url, prefix, tmp_path / "home")
    finally:
        moto.stop()
