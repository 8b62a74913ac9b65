"""Kill trials against the emulator backend: `lakehouse run --backend emulator` talks to a real
`lakehouse emulator start` process (S3, kept on disk in its data folder) through boto3, and
either the command or the emulator itself is SIGKILLed at a seeded random point of the run.

After each kill (and, for the emulator, a restart on the same data folder) every table reads as
before the run or as an uninterrupted run leaves it; `lakehouse doctor --repair` (backend
emulator) leaves nothing to report; the run again converges to the uninterrupted run's state.
And a run that finished is durable: the emulator killed the moment the command has exited
keeps everything the command was told was written. A few kills only (LAKEHOUSE_EMULATOR_KILLS
per kind, CI: 1): the random-point trials of every stage run on the local backend
(test_kill_trials.py).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import reliability_figures
from cli_support import CliRunner
from test_kill_trials import ROWS, SEED, _start, assert_no_mix, kill_at, lakehouse_state, timed_run

from lakehouse.datasets.sample import write_sample

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))
from emulator_support import RunningEmulator, emulator_process  # noqa: E402 - the emulator tests' helper

KILLS = int(os.environ.get("LAKEHOUSE_EMULATOR_KILLS", "1"))  # per kind: the command, the emulator (CI: 1 each)


@contextmanager
def emulator(data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningEmulator]:
    """An emulator keeping its state in `data`; commands of this process and its children use it."""
    with emulator_process("--data-dir", str(data), cwd=data.parent) as running:
        monkeypatch.setenv("AWS_ENDPOINT_URL", running.url)
        yield running


def state(home: Path, running: RunningEmulator) -> dict[str, str]:
    return lakehouse_state(home, backend="emulator", endpoint_url=running.url)


def run_second(home: Path, second: Path) -> list[str]:
    return ["run", "--backend", "emulator", "--source", str(second), "--home", str(home)]


def doctor(lakehouse: CliRunner, home: Path, *flags: str) -> list[dict[str, object]]:
    outcome = lakehouse("doctor", "--backend", "emulator", "--home", str(home), "--json", *flags)
    assert outcome.stdout, outcome.stderr
    return json.loads(outcome.stdout)["findings"]


def test_kills_of_the_command_and_of_the_emulator_never_expose_a_mix_and_a_rerun_converges(
    lakehouse: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_sample(first, rows=ROWS, seed=1, end_month="2024-12")
    write_sample(second, rows=ROWS * 3 // 2, seed=2, end_month="2024-12")
    base, base_home = tmp_path / "base" / "emulator", tmp_path / "base" / "home"
    base.parent.mkdir()
    with emulator(base, monkeypatch):
        outcome = lakehouse("run", "--backend", "emulator", "--source", str(first), "--home", str(base_home))
        assert outcome.code == 0, outcome.stderr

    def trial_copy(name: str) -> tuple[Path, Path]:
        shutil.copytree(base.parent, tmp_path / name)
        return tmp_path / name / "emulator", tmp_path / name / "home"

    data, home = trial_copy("reference")
    with emulator(data, monkeypatch) as running:
        before = state(home, running)
        duration = timed_run(run_second(home, second))
        after = state(home, running)
        # Durability: what the emulator acknowledged is kept when it is killed right after.
        os.kill(running.process.pid, signal.SIGKILL)
        running.process.wait(timeout=60)
    assert after != before
    with emulator(data, monkeypatch) as running:
        assert state(home, running) == after, "the emulator lost writes it had acknowledged"

    seeded = random.Random(f"kill-emulator-{SEED}")
    kills = mid_write = 0
    for trial in range(2 * KILLS):
        kill_emulator = trial % 2 == 1
        data, home = trial_copy(f"trial{trial}")
        point = seeded.uniform(0.0, 1.0) * duration
        with emulator(data, monkeypatch) as running:
            if not kill_emulator:
                kills += kill_at(run_second(home, second), point)
            else:
                client = _start(run_second(home, second))
                time.sleep(point)
                kills += 1  # the emulator was serving, whether or not the run had finished
                os.kill(running.process.pid, signal.SIGKILL)
                running.process.wait(timeout=60)
                assert client.stdout is not None
                client.stdout.read()
                client.wait(timeout=600)  # fails after its retry budget, or had finished
                client.stdout.close()
        with emulator(data, monkeypatch) as running:  # restarted on what the killed one kept
            assert_no_mix(state(home, running), before, after, trial)
            findings = doctor(lakehouse, home)
            assert all(f["remedy"] == "lakehouse doctor --repair" for f in findings), (trial, findings)
            mid_write += bool(findings)
            doctor(lakehouse, home, "--repair")
            assert doctor(lakehouse, home) == [], trial
            outcome = lakehouse(*run_second(home, second))
            assert outcome.code == 0, (trial, outcome.stderr)
            assert state(home, running) == after, trial
        shutil.rmtree(data.parent)

    reliability_figures.add("kill:emulator-backend", trials=2 * KILLS + 1, kills=kills + 1,
                            kills_mid_write=mid_write, rows_lost=0)
    assert kills >= KILLS // 2, f"only {kills} kills found the run still running"
