"""Security checks over the running parts: a canary credential never reaches anything the
platform writes or prints; object keys with traversal never leave their bucket, through the
CLI, the query engine and the emulator's HTTP S3; the query engine refuses file, network and
settings access from every entry point; the web app and the emulator refuse oversized
requests and listen on loopback by default.

Unit-level checks live beside their modules (tests/unit/test_keys.py, the object-store
contract's hostile keys, tests/athena/test_guard.py); these go through real processes and
real HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
import reliability_figures
from botocore.config import Config
from cli_support import CliRunner

from emulation.endpoint.server import Emulator, EmulatorConfig
from emulation.faults.s3_proxy import FaultPlan, FaultProxy
from lakehouse.datasets.sample import write_sample

CANARY = f"LAKEHOUSE-CANARY-{uuid.uuid4().hex}"  # never an AWS key id shape (no AKIA/ASIA)
SECRETS = {f"{CANARY}-secret", f"{CANARY}-token", f"{CANARY}-profile-secret", f"{CANARY}-toml"}
DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


# -- (a) the canary credential ------------------------------------------------------------

def _lakehouse(environment: dict[str, str], cwd: Path, *arguments: str) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "lakehouse", *arguments], capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=300)
    return done.returncode, done.stdout + done.stderr


def _s3_texts(endpoint: str, prefix: str) -> Iterator[tuple[str, bytes]]:
    s3 = boto3.client("s3", endpoint_url=endpoint, **DUMMY)
    for bucket in s3.list_buckets()["Buckets"]:
        if not bucket["Name"].startswith(prefix):
            continue
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for item in page.get("Contents", []):
                yield f"s3://{bucket['Name']}/{item['Key']}", s3.get_object(Bucket=bucket["Name"],
                                                                            Key=item["Key"])["Body"].read()


@pytest.mark.s3
def test_a_canary_credential_appears_in_nothing_the_platform_writes_or_prints(moto_endpoint: str,
                                                                             tmp_path: Path) -> None:
    prefix = f"k{uuid.uuid4().hex[:8]}-"
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(f"[canary]\naws_access_key_id = lakehouse-canary-id\n"
                           f"aws_secret_access_key = {CANARY}-profile-secret\n")
    home = tmp_path / "home"
    base = {**os.environ, "COLUMNS": "200", "LAKEHOUSE_HOME": str(home), "LAKEHOUSE_BACKEND": "emulator",
            "LAKEHOUSE_BUCKET_PREFIX": prefix, "AWS_ENDPOINT_URL": moto_endpoint,
            "AWS_ACCESS_KEY_ID": "lakehouse-canary-id", "AWS_SECRET_ACCESS_KEY": f"{CANARY}-secret",
            "AWS_SESSION_TOKEN": f"{CANARY}-token", "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}
    outputs: list[str] = []

    def run(environment: dict[str, str], *arguments: str) -> int:
        code, text = _lakehouse(environment, tmp_path, *arguments)
        outputs.append(text)
        return code

    small = tmp_path / "export.csv"
    write_sample(small, rows=1000, seed=5, end_month="2024-12")
    assert run(base, "run", "--rows", "1500", "--debug") == 0, outputs[-1]
    assert run(base, "query", "--debug", "SELECT count(*) FROM inquiry_volume") == 0, outputs[-1]
    assert run(base, "query", "--debug", "SELECT * FROM no_such_table") == 1
    assert run(base, "doctor", "--json") == 0, outputs[-1]
    # The credentials of a named profile (the shared credentials file), with a failing query.
    profiled = {k: v for k, v in base.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                           "AWS_SESSION_TOKEN")} | {"AWS_PROFILE": "canary"}
    assert run(profiled, "query", "--debug", "SELECT * FROM read_csv('/etc/passwd')") == 1
    # Failures: an endpoint that is not S3 (a plain web server), transient S3 faults retried to a
    # success, an S3 that keeps failing (its retry budget spent), a config file holding a secret.
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "webroot").mkdir()
    web = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: SimpleHTTPRequestHandler(*a, directory=str(tmp_path / "webroot")))
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        not_s3 = f"http://127.0.0.1:{web.server_address[1]}"
        assert run(base | {"AWS_ENDPOINT_URL": not_s3}, "ingest", "--source", str(small), "--debug") == 1
    finally:
        web.shutdown()
    faults = 0
    for plan, expected in ((FaultPlan(error_500=0.2, truncate=0.1, reset=0.1, seed=3), 0),
                           (FaultPlan(error_500=1.0), 1)):
        proxy = FaultProxy(moto_endpoint, plan)
        proxy.start()
        try:
            code = run(base | {"AWS_ENDPOINT_URL": proxy.url}, "ingest", "--source", str(small), "--debug")
            assert code == expected, outputs[-1]
        finally:
            proxy.stop()
        faults += sum(count for name, count in plan.counts.items() if name != "forwarded")
    (tmp_path / "lakehouse.toml").write_text(f'[aws]\naws_secret_access_key = "{CANARY}-toml"\n')
    assert run(base, "status", "--debug") == 1
    assert "unknown setting 'aws_secret_access_key'" in outputs[-1]

    searched = 0
    for path in [p for p in tmp_path.rglob("*") if p.is_file() and p.name not in ("aws-credentials", "lakehouse.toml")]:
        body = path.read_bytes()
        searched += 1
        assert CANARY.encode() not in body, f"the canary is in {path}"
    for where, body in _s3_texts(moto_endpoint, prefix):
        searched += 1
        assert CANARY.encode() not in body, f"the canary is in {where}"
    for text in outputs:
        assert CANARY not in text, text
    assert searched > 20, searched  # the run really wrote zones, manifests, run records and results
    reliability_figures.add("security:canary", trials=len(outputs), faults_injected=faults,
                            canary_files_searched=searched + len(outputs))


# -- the emulator, in this process on a free loopback port ---------------------------------

@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    running = Emulator(EmulatorConfig(port=0, data_dir=tmp_path / "emulator", max_s3_body=64 * 1024))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _client(emulator: Emulator, service: str) -> object:
    return boto3.client(service, endpoint_url=emulator.url, config=Config(retries={"max_attempts": 1}),  # type: ignore[call-overload]
                        **DUMMY)


# -- (b) traversal keys ---------------------------------------------------------------------

TRAVERSAL_KEYS = ["../escape.txt", "../../escape.txt", "a/../../escape.txt", "/etc/escape.txt", "..\\escape.txt",
                  "a\\..\\..\\escape.txt", "%2e%2e/escape.txt", "%2e%2e%2fescape.txt", "..%2fescape.txt",
                  "%252e%252e%252fescape.txt", "..%c0%afescape.txt", "．．/escape.txt", "../other-bucket/escape.txt"]
RAW_PATHS = ["/{bucket}/../other-bucket/escape.txt", "/{bucket}/..%2Fother-bucket%2Fescape.txt",
             "/{bucket}/%2e%2e/other-bucket/escape.txt", "/{bucket}/a/../../other-bucket/escape.txt"]


def _files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def test_traversal_keys_through_the_emulators_s3_stay_in_their_bucket(emulator: Emulator, tmp_path: Path) -> None:
    s3 = _client(emulator, "s3")
    s3.create_bucket(Bucket="target-bucket")  # type: ignore[attr-defined]
    s3.create_bucket(Bucket="other-bucket")  # type: ignore[attr-defined]
    outside = {path for path in _files(tmp_path) if tmp_path / "emulator" not in path.parents}
    tried = 0
    for key in TRAVERSAL_KEYS:
        tried += 1
        try:
            s3.put_object(Bucket="target-bucket", Key=key, Body=b"evil")  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - refusing is fine; landing elsewhere is not
            continue
        assert s3.get_object(Bucket="target-bucket", Key=key)["Body"].read() == b"evil"  # type: ignore[attr-defined]
    host, port = urlsplit(emulator.url).hostname, urlsplit(emulator.url).port
    for template in RAW_PATHS:  # paths a client library would normalise, sent as they are
        tried += 1
        connection = http.client.HTTPConnection(str(host), port, timeout=30)
        connection.request("PUT", template.format(bucket="target-bucket"), body=b"evil",
                           headers={"Content-Length": "4"})
        connection.getresponse().read()
        connection.close()
    assert s3.list_objects_v2(Bucket="other-bucket").get("KeyCount", 0) == 0  # type: ignore[attr-defined]
    emulator.s3_state.flush() if hasattr(emulator.s3_state, "flush") else None  # type: ignore[union-attr]
    # One scan: the emulator renames its index into place as it flushes, so two scans can disagree.
    data_folder = tmp_path / "emulator"
    assert {path for path in _files(tmp_path) if data_folder not in path.parents} == outside  # nothing outside it
    reliability_figures.add("security:traversal", trials=1, inputs_tried=tried)


TRAVERSAL_COMMANDS = [
    ["crawl", "../"], ["crawl", "curated/../raw/"], ["crawl", "s3://curated/%2e%2e/raw/"], ["crawl", "/etc/"],
    ["query", "CREATE TABLE escaped WITH (external_location = 's3://curated/../raw/x/') AS SELECT 1 AS a"],
    ["query", "CREATE TABLE escaped2 WITH (external_location = 's3://curated/a/%2e%2e/%2e%2e/x/') AS SELECT 1 AS a"],
    ["query", "UNLOAD (SELECT 1 AS a) TO 's3://curated/../../etc/' WITH (format = 'PARQUET')"],
    ["query", "UNLOAD (SELECT 1 AS a) TO 'file:///tmp/escape/' WITH (format = 'PARQUET')"],
    ["query", "CREATE EXTERNAL TABLE ext (a int) LOCATION 's3://curated/..\\\\raw/'"],
    ["query", "CREATE EXTERNAL TABLE ext2 (a int) LOCATION '/etc/'"],
]


def test_traversal_through_the_cli_and_the_query_engine_is_refused(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert lakehouse("run", "--home", str(home), "--rows", "2000").code == 0
    before = _files(tmp_path)
    for command in TRAVERSAL_COMMANDS:
        outcome = lakehouse(*command, "--home", str(home))
        assert outcome.code == 1, (command, outcome.stdout)
        errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "Traceback" not in outcome.stderr, (command, outcome.stderr)
    written = {path for path in _files(tmp_path) - before if "athena-results" not in path.parts
               and "catalog" not in path.parts}  # query records and their (failed) results are expected
    assert written == set(), written
    reliability_figures.add("security:traversal", trials=1, inputs_tried=len(TRAVERSAL_COMMANDS))


# -- (c) the query engine refuses file, network and settings access --------------------------

REFUSED_SQL = [
    "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_blob('/etc/passwd')", "SELECT * FROM glob('/etc/*')", "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", "SELECT * FROM read_json('s3://raw/x.json')",
    "COPY (SELECT 1) TO '/tmp/lakehouse-escape.csv'", "ATTACH '/tmp/lakehouse-escape.db' AS escape",
    "SET enable_external_access = true", "SET allowed_directories = ['/']", "RESET allowed_directories",
    "INSTALL httpfs", "LOAD httpfs", "FORCE INSTALL httpfs FROM 'http://127.0.0.1:9'", "SELECT getenv('HOME')",
    "SELECT current_setting('allowed_directories')", "PRAGMA enable_profiling", "CALL pragma_version()",
    "CREATE SECRET leak (TYPE s3, KEY_ID 'x', SECRET 'y')", "EXPORT DATABASE '/tmp/lakehouse-escape'",
    "SELECT * FROM duckdb_settings()", "SELECT * FROM sniff_csv('/etc/passwd')",
]


def test_the_query_cli_refuses_file_network_and_settings_access(lakehouse: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert lakehouse("run", "--home", str(home), "--rows", "2000").code == 0
    for sql in REFUSED_SQL:
        outcome = lakehouse("query", "--home", str(home), sql)
        assert outcome.code == 1, sql
        assert outcome.stderr.startswith("Error: ACCESS_DENIED: "), (sql, outcome.stderr)
        assert "root:" not in outcome.stdout + outcome.stderr  # nothing of /etc/passwd
    assert not Path("/tmp/lakehouse-escape.csv").exists() and not Path("/tmp/lakehouse-escape.db").exists()
    reliability_figures.add("security:query-engine", trials=1, inputs_tried=len(REFUSED_SQL),
                            refused=len(REFUSED_SQL))


def test_the_emulators_athena_refuses_them_too(emulator: Emulator) -> None:
    athena = _client(emulator, "athena")
    refused = 0
    for sql in REFUSED_SQL:
        query_id = athena.start_query_execution(QueryString=sql)["QueryExecutionId"]  # type: ignore[attr-defined]
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]  # type: ignore[attr-defined]
        assert status["State"] == "FAILED", sql
        assert status["StateChangeReason"].startswith("ACCESS_DENIED: "), (sql, status)
        refused += 1
    reliability_figures.add("security:query-engine", inputs_tried=len(REFUSED_SQL), refused=refused)


# -- (d) oversized requests and loopback defaults ------------------------------------------

def _declared(url: str, method: str, path: str, length: int, body: bytes = b"",
              headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Status and body answered to a request that declares `length` bytes and sends `body` (a
    server that refuses by the declared length answers before the body comes)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=60)
    try:
        connection.putrequest(method, path)
        for name, value in {"Content-Type": "application/json", **(headers or {}),
                            "Content-Length": str(length)}.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _status_of_declared(url: str, path: str, length: int, body: bytes = b"") -> int:
    return _declared(url, "POST", path, length, body)[0]


def test_the_emulator_refuses_oversized_requests_in_each_protocols_shape(emulator: Emulator) -> None:
    from emulation.endpoint.server import MAX_JSON_BODY_BYTES

    status, body = _declared(emulator.url, "POST", "/", MAX_JSON_BODY_BYTES + 1, headers={
        "X-Amz-Target": "AmazonAthena.StartQueryExecution", "Content-Type": "application/x-amz-json-1.1"})
    assert status == 413 and json.loads(body)["__type"] == "RequestEntityTooLargeException", body[:200]
    _client(emulator, "s3").create_bucket(Bucket="oversized-bucket")  # type: ignore[attr-defined]
    status, body = _declared(emulator.url, "PUT", "/oversized-bucket/big.bin", 64 * 1024 + 1)
    assert status == 400 and b"<Code>EntityTooLarge</Code>" in body, body[:300]
    s3 = _client(emulator, "s3")
    s3.put_object(Bucket="oversized-bucket", Key="small.bin", Body=b"x" * 1024)  # type: ignore[attr-defined]
    assert "big.bin" not in str(s3.list_objects_v2(Bucket="oversized-bucket"))  # type: ignore[attr-defined]
    # A normal call still works on the same server.
    assert _client(emulator, "athena").list_work_groups()["WorkGroups"]  # type: ignore[attr-defined]
    reliability_figures.add("security:request-size", trials=2, requests_refused=2)


def test_the_web_app_refuses_oversized_requests(tmp_path: Path) -> None:
    from waitress.server import create_server

    from dashboards.app import MAX_REQUEST_BYTES, create_app
    from lakehouse.config import Settings

    app = create_app(Settings(home=tmp_path / "home"))
    refused = 0
    # Flask's own limit (any WSGI server), then waitress's as `lakehouse serve` configures it.
    for limit in (None, MAX_REQUEST_BYTES + 1):
        options = {"max_request_body_size": limit} if limit else {}
        server = create_server(app.server, host="127.0.0.1", port=0, **options)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.effective_port}"
            oversized = MAX_REQUEST_BYTES + 1
            # Flask reads what waitress buffered and refuses it; waitress refuses by the declared length.
            body = b"{" + b" " * (oversized - 2) + b"}" if limit is None else b""
            assert _status_of_declared(url, "/_dash-update-component", oversized, body) == 413
            refused += 1
            status, _ = _declared(url, "POST", "/_dash-update-component", 2, b"{}")
            assert status != 413  # an ordinary body is read (and answered as Dash does)
        finally:
            server.close()
    reliability_figures.add("security:request-size", trials=1, requests_refused=refused)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on a TCP port (Linux /proc/net/tcp, IPv4)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_servers_listen_on_loopback_by_default(tmp_path: Path) -> None:
    from lakehouse.cli_emulator import start
    from lakehouse.cli_publish import serve

    defaults = {command.name: next(p.default for p in command.params if p.name == "host") for command in (serve, start)}
    assert defaults == {"serve": "127.0.0.1", "start": "127.0.0.1"}
    assert EmulatorConfig().host == "127.0.0.1"
    running = Emulator(EmulatorConfig(port=0, data_dir=None))
    try:
        assert running.start().startswith("http://127.0.0.1:")
        assert _listening_addresses(int(str(urlsplit(running.url).port))) == {"127.0.0.1"}
    finally:
        running.stop()

    # `lakehouse serve` as a user starts it: loopback only, and waitress refuses an oversized body.
    from dashboards.app import MAX_REQUEST_BYTES

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "lakehouse", "serve", "--home", str(tmp_path / "home"),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, line
        deadline = time.monotonic() + 60
        while not _listening_addresses(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _listening_addresses(port) == {"127.0.0.1"}
        assert _status_of_declared(f"http://127.0.0.1:{port}", "/_dash-update-component", MAX_REQUEST_BYTES + 1) == 413
    finally:
        server.terminate()
        server.wait(timeout=30)
    reliability_figures.add("security:loopback", trials=3, requests_refused=1)
