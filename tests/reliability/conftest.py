"""Reliability suite: its figures collector, and the opt-in soak marker."""

from __future__ import annotations

import os

import pytest
import reliability_figures

SOAK_VARIABLE = "LAKEHOUSE_SOAK"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Soak tests run for as long as they are told to: only when asked (tests/reliability/soak.py).
    if os.environ.get(SOAK_VARIABLE) == "1":
        return
    skip = pytest.mark.skip(reason=f"soak: opt-in ({SOAK_VARIABLE}=1, or python -m tests.reliability.soak)")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    outcomes = {}
    if reporter is not None:
        outcomes = {key: len(reporter.stats.get(key, [])) for key in ("passed", "failed", "skipped", "error")}
    path = reliability_figures.write(outcomes)
    if path is not None and reporter is not None:
        reporter.write_line(f"reliability figures: {path}")
