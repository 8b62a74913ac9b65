"""The emulator against what it stands in for: an Athena query's round trip through boto3
(start, poll, results) on a small table, and the server's start-up time and idle memory
against moto's server. Every server is a child process started here, on 127.0.0.1.

    python benchmarks/emulator_roundtrip.py --queries 50 --starts 5 --json benchmarks/results/emulator_roundtrip.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3

from lakehouse.bench.harness import status_mb

ATHENA_FLOOR_SECONDS = 2.0  # real Athena's latency floor per query (1–3 s; shared/AWS_NOTES.md)
CLIENT = {"region_name": "us-east-1", "aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> float:
    return status_mb("VmRSS", pid)


def _start(command: list[str], ready_path: str) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start a server; (process, its URL, seconds until it answered `ready_path`)."""
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen([*command, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"})
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            with urllib.request.urlopen(url + ready_path, timeout=2):
                return process, url, time.perf_counter() - started
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{command[:4]} exited with {process.returncode}") from None
            time.sleep(0.01)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


SERVERS = {
    "lakehouse emulator": ([sys.executable, "-m", "lakehouse", "emulator", "start", "--in-memory", "--port"],
                           "/_lakehouse/health"),
    "moto server": ([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p"], "/moto-api/"),
}


def start_up(starts: int) -> list[dict[str, Any]]:
    records = []
    for name, (command, ready) in SERVERS.items():
        seconds, idle = [], []
        for _ in range(starts):
            process, _, took = _start(command, ready)
            time.sleep(3)  # let start-up work (the emulator imports its engines in the background) settle
            seconds.append(took)
            idle.append(_rss_mb(process.pid))
            _stop(process)
        records.append({"server": name, "starts": starts, "start_seconds_p50": statistics.median(seconds),
                        "idle_rss_mb_p50": statistics.median(idle)})
    return records


def round_trip(queries: int) -> dict[str, Any]:
    command, ready = SERVERS["lakehouse emulator"]
    process, url, _ = _start(command, ready)
    try:
        s3, glue, athena = (boto3.client(service, endpoint_url=url, **CLIENT) for service in ("s3", "glue", "athena"))
        s3.create_bucket(Bucket="bench-data")
        s3.put_object(Bucket="bench-data", Key="calls/part-0.csv",
                      Body=b"channel,calls\nphone,12\nweb,7\nchat,3\nemail,5\n")
        glue.create_database(DatabaseInput={"Name": "bench"})
        glue.create_table(DatabaseName="bench", TableInput={
            "Name": "calls", "Parameters": {"skip.header.line.count": "1"},
            "StorageDescriptor": {
                "Columns": [{"Name": "channel", "Type": "string"}, {"Name": "calls", "Type": "bigint"}],
                "Location": "s3://bench-data/calls/",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              "Parameters": {"field.delim": ","}}}})

        def once() -> float:
            started = time.perf_counter()
            query_id = athena.start_query_execution(
                QueryString="SELECT channel, calls FROM calls WHERE calls > 4 ORDER BY calls DESC",
                QueryExecutionContext={"Database": "bench"},
                ResultConfiguration={"OutputLocation": "s3://bench-data/results/"})["QueryExecutionId"]
            while athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] \
                    in ("QUEUED", "RUNNING"):
                time.sleep(0.005)
            rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
            assert len(rows) == 4, rows  # header + 3 rows
            return time.perf_counter() - started

        for _ in range(5):
            once()  # warm-up: connections, first translation
        seconds = sorted(once() for _ in range(queries))
    finally:
        _stop(process)
    p50 = statistics.median(seconds)
    return {"queries": queries, "p50_ms": p50 * 1000, "p95_ms": seconds[int(len(seconds) * 0.95) - 1] * 1000,
            "athena_floor_ms": ATHENA_FLOOR_SECONDS * 1000, "speedup_vs_athena_floor": ATHENA_FLOOR_SECONDS / p50}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    arguments = parser.parse_args()
    result = {"round_trip": round_trip(arguments.queries), "start_up": start_up(arguments.starts)}
    trip = result["round_trip"]
    print(f"Athena round trip through boto3 on the emulator: p50 {trip['p50_ms']:.1f} ms, p95 {trip['p95_ms']:.1f} ms "
          f"over {trip['queries']} queries ({trip['speedup_vs_athena_floor']:.0f}x under real Athena's ~2 s floor)")
    for record in result["start_up"]:
        print(f"{record['server']:<20} start-up p50 {record['start_seconds_p50']:.2f} s, "
              f"idle RSS p50 {record['idle_rss_mb_p50']:.0f} MB over {record['starts']} starts")
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
