"""Starting `lakehouse emulator start` as a real process and building boto3 clients for it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

_LISTENING = re.compile(r"listening on (http://[0-9.]+:\d+)")
DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@dataclass
class RunningEmulator:
    url: str
    process: subprocess.Popen[str]
    output: list[str]  # what it printed after starting, drained so its pipe never fills

    def client(self, service: str) -> Any:
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
        return boto3.client(service, endpoint_url=self.url, config=config, **DUMMY)  # type: ignore[call-overload]


@contextmanager
def emulator_process(*arguments: str, cwd: Path) -> Iterator[RunningEmulator]:
    """`lakehouse emulator start --port 0 ARGS…`; stopped with SIGTERM (a clean shutdown) on exit."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "lakehouse", "emulator", "start", "--port", "0", *arguments],
        cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = _wait_for_url(process)
        output: list[str] = []
        threading.Thread(target=_drain, args=(process, output), daemon=True).start()
        yield RunningEmulator(url, process, output)
    finally:
        stop(process)


def _drain(process: subprocess.Popen[str], into: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        into.append(line)


def stop(process: subprocess.Popen[str]) -> None:
    """Stop with SIGTERM (a clean shutdown that saves state), or kill after 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        match = _LISTENING.search(line)
        if match:
            return match.group(1)
    raise AssertionError(f"the emulator did not start: {''.join(seen)}")
