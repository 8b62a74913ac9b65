from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulator_support import RunningEmulator, emulator_process


@pytest.fixture(scope="module")
def running_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One in-memory emulator process for a test module."""
    with emulator_process("--in-memory", cwd=tmp_path_factory.mktemp("emulator")) as emulator:
        yield emulator
