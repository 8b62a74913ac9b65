"""`lakehouse run --source portal` against a local server that answers like the Opendatasoft portal."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cli_support import CliRunner, platform_for

from lakehouse.datasets.sample import SampleReport

EXPORT_PATH = "/api/explore/v2.1/catalog/datasets/3-1-1-inquiry-volume/exports/csv"


@pytest.fixture
def portal(sample_export: SampleReport) -> Iterator[str]:
    body = sample_export.path.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if urlsplit(self.path).path != EXPORT_PATH:
                payload = json.dumps({"error_code": "NotFound", "message": "Unknown dataset"}).encode()
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_run_from_the_portal(
    lakehouse: CliRunner, portal: str, sample_export: SampleReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_PORTAL_URL", portal)
    home = tmp_path / "home"
    ran = lakehouse("run", "--home", str(home), "--source", "portal")
    assert ran.code == 0, ran.stderr
    assert f"Source: {portal}{EXPORT_PATH}?" in ran.stdout
    assert "synthetic" not in ran.stdout
    platform = platform_for(home)
    stored = [o for o in platform.store.list_objects_v2("raw") if o.key.endswith(".csv")]
    assert len(stored) == 1
    assert platform.store.get_object("raw", stored[0].key) == sample_export.path.read_bytes()


def test_portal_unknown_dataset_is_a_one_line_error(
    lakehouse: CliRunner, portal: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_PORTAL_URL", portal + "/elsewhere")
    outcome = lakehouse("ingest", "--home", str(tmp_path / "home"), "--source", "portal")
    assert outcome.code == 1
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "Unknown dataset" in errors[0], outcome.stderr
