"""One measurement = one fresh child process: its wall time, its peak resident memory, its report.

Every benchmark here runs each system in its own interpreter so that a figure belongs to that
system alone. The peak RSS is the larger of two readings: the child's own `ru_maxrss` from
`os.wait4` (exact for one process), and the peak of the RSS summed over the child's whole process
tree, polled from /proc (a Spark JVM is a grandchild; `ru_maxrss` would miss it).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULT_FILE = "result.json"  # what a child writes into its output folder
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 1024**2
_POLL_SECONDS = 0.2


class ChildFailed(RuntimeError):
    """A measured child process exited non-zero."""


@dataclass(frozen=True)
class ChildRun:
    process_seconds: float  # the whole child: interpreter start, imports and setup included
    peak_rss_mb: float  # the child's peak resident memory (its process tree's, when larger)
    result: dict[str, Any]  # what the child wrote to RESULT_FILE


def run_child(command: list[str], out: Path, cwd: Path | None = None, label: str = "child") -> ChildRun:
    """Run `command`, which writes `out/RESULT_FILE`, and measure it."""
    result_path = out / RESULT_FILE
    result_path.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd)
    poller = _TreeRssPoller(process.pid)
    poller.start()
    # wait4 gives this child's own rusage: its peak RSS, not the maximum over all children.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    tree_peak_mb = poller.stop()
    if process.returncode != 0:
        raise ChildFailed(f"{label} failed (exit {process.returncode})")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    return ChildRun(elapsed, max(usage.ru_maxrss / 1024, tree_peak_mb), result)


def write_result(out: Path, report: dict[str, Any]) -> None:
    """The child's side: its report, with its own peak RSS as it saw it."""
    report = {**report, "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    (out / RESULT_FILE).write_text(json.dumps(report, default=str), encoding="utf-8")


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (steadier than wall time when shared)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def status_mb(field: str, pid: int | str = "self") -> float:
    """A memory field of /proc/PID/status (VmRSS, VmHWM) in MB; NaN where there is none."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def phase(name: str, width: int = 58) -> Iterator[None]:
    """Print one piece of work's wall seconds, CPU seconds and its own peak RSS (for the profile scripts)."""
    # Writing 5 to clear_refs resets VmHWM to the current RSS, so each piece gets its own peak.
    # CPU seconds (all threads) are steadier than wall seconds on a shared machine.
    Path("/proc/self/clear_refs").write_text("5")
    started, cpu = time.perf_counter(), cpu_seconds()
    yield
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"{name:<{width}} {seconds:7.2f} s  cpu {cpu:7.2f} s  peak RSS {status_mb('VmHWM'):7.0f} MB  "
          f"now {status_mb('VmRSS'):7.0f} MB", flush=True)


class _TreeRssPoller:
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-poller-{pid}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self._peak_mb

    def _run(self) -> None:
        while not self._done.wait(_POLL_SECONDS):
            self._peak_mb = max(self._peak_mb, tree_rss_mb(self._pid))


def tree_rss_mb(root: int) -> float:
    """Resident MB of `root` and every descendant (0 when /proc is unavailable)."""
    parents: dict[int, int] = {}
    resident: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0.0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        # Fields after the command name, which may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry)] = int(fields[1])
        resident[int(entry)] = int(fields[21])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(resident.get(pid, 0) for pid in tree) * _PAGE_MB


def environment() -> dict[str, str]:
    """The machine and library versions, for the report's header."""
    import duckdb
    import polars as pl

    versions = {"polars": pl.__version__, "duckdb": duckdb.__version__}
    for name in ("pandas", "pyspark"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024**2:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cpus": str(os.cpu_count()), "memory": memory, "os": platform.platform(),
            "python": platform.python_version(), **versions}
