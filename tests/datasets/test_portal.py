"""PortalClient against a real local HTTP server speaking the Explore API v2.1 export shapes."""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from lakehouse.datasets.portal import DEFAULT_PORTAL, Download, PortalClient
from lakehouse.errors import ConfigError, PortalError, SourceError

DATASET = "3-1-1-inquiry-volume"
EXPORT_PATH = f"/api/explore/v2.1/catalog/datasets/{DATASET}/exports"

# The portal's CSV export button: UTF-8 BOM, `;` delimiter, CRLF, label headers.
CSV_BODY = (
    "\ufeff"
    "Department;Type;Year Month;Channel;Number of Records;BI_ID\r\n"
    "FSC - Property Tax;Property Tax Account Balance Inquiry;2018-03;E-mail;2;9452\r\n"
    "ENG - Streets;Abandoned Vehicle Case;2018-03;Phone;41;9453\r\n"
    "PDS - Licensing;Business Licence General Inquiry;2018-04;Web;7;9454\r\n"
).encode("utf-8")

# JSON export: a list of objects keyed by field id.
JSON_BODY = json.dumps(
    [
        {
            "department": "FSC - Property Tax",
            "type": "Property Tax Account Balance Inquiry",
            "year_month": "2018-03",
            "channel": "E-mail",
            "number_of_records": 2,
            "bi_id": 9452,
        },
        {
            "department": "ENG - Streets",
            "type": "Abandoned Vehicle Case",
            "year_month": "2018-03",
            "channel": "Phone",
            "number_of_records": 41,
            "bi_id": 9453,
        },
    ]
).encode("utf-8")


@dataclass
class Reply:
    """One scripted response; the server pops one per request and repeats the last."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    declared_length: int | None = None  # Content-Length to claim (to simulate truncation)
    delay: float = 0.0  # seconds to wait before answering (to trigger read timeouts)


@dataclass
class Portal:
    base_url: str
    replies: list[Reply] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # request paths with query strings

    def script(self, *replies: Reply) -> None:
        self.replies[:] = replies


def _handler(portal: Portal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            portal.seen.append(self.path)
            reply = portal.replies.pop(0) if len(portal.replies) > 1 else portal.replies[0]
            if reply.delay:
                time.sleep(reply.delay)
            length = len(reply.body) if reply.declared_length is None else reply.declared_length
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test); nothing to answer
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep pytest output clean

    return Handler


@pytest.fixture
def portal() -> Iterator[Portal]:
    state = Portal(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    host, port = server.server_address[:2]
    state.base_url = f"http://{host}:{port}"
    # A short poll interval keeps shutdown (and so each test) fast.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def client(portal: Portal, **kwargs: object) -> PortalClient:
    options: dict[str, object] = {"timeout": 2.0, "retries": 3, "backoff": 0.01}
    options.update(kwargs)
    return PortalClient(portal.base_url, **options)  # type: ignore[arg-type]


def csv_reply(**kwargs: object) -> Reply:
    headers = {"Content-Type": "text/csv; charset=utf-8"}
    return Reply(body=CSV_BODY, headers=headers, **kwargs)  # type: ignore[arg-type]


def error_reply(status: int, code: str, message: str, **headers: str) -> Reply:
    body = json.dumps({"error_code": code, "message": message}).encode()
    return Reply(status=status, body=body, headers={"Content-Type": "application/json", **headers})


def query_of(path: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(path)
    return parts.path, parse_qs(parts.query, keep_blank_values=True)


# --- happy paths -----------------------------------------------------------------------


def test_csv_export_is_byte_exact_and_requested_like_the_export_button(
    portal: Portal, tmp_path: Path
) -> None:
    portal.script(csv_reply())
    dest = tmp_path / "raw" / "inquiry.csv"

    result = client(portal).download_export(DATASET, dest, show_progress=False)

    assert dest.read_bytes() == CSV_BODY
    assert result == Download(
        url=f"{portal.base_url}{EXPORT_PATH}/csv?delimiter=%3B&use_labels=true&with_bom=true",
        path=dest,
        size=len(CSV_BODY),
        sha256=hashlib.sha256(CSV_BODY).hexdigest(),
        content_type="text/csv; charset=utf-8",
    )
    [request] = portal.seen
    path, query = query_of(request)
    assert path == f"{EXPORT_PATH}/csv"
    assert query == {"delimiter": [";"], "use_labels": ["true"], "with_bom": ["true"]}
    assert not dest.with_suffix(".csv.part").exists()


def test_json_export_uses_field_ids(portal: Portal, tmp_path: Path) -> None:
    portal.script(Reply(body=JSON_BODY, headers={"Content-Type": "application/json; charset=utf-8"}))
    dest = tmp_path / "inquiry.json"

    result = client(portal).download_export(DATASET, dest, fmt="json", show_progress=False)

    assert dest.read_bytes() == JSON_BODY
    assert result.sha256 == hashlib.sha256(JSON_BODY).hexdigest()
    assert json.loads(dest.read_bytes())[0]["year_month"] == "2018-03"
    path, query = query_of(portal.seen[0])
    assert path == f"{EXPORT_PATH}/json"
    assert query == {"use_labels": ["false"]}


def test_gzip_transfer_is_stored_decoded(portal: Portal, tmp_path: Path) -> None:
    # Content-Length then counts compressed bytes; the file and its hash are the CSV itself.
    portal.script(Reply(body=gzip.compress(CSV_BODY), headers={"Content-Encoding": "gzip"}))
    dest = tmp_path / "x.csv"

    result = client(portal).download_export(DATASET, dest, show_progress=False)

    assert dest.read_bytes() == CSV_BODY
    assert (result.size, result.sha256) == (len(CSV_BODY), hashlib.sha256(CSV_BODY).hexdigest())


def test_progress_bar_runs_on_stderr(
    portal: Portal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portal.script(csv_reply())

    client(portal).download_export(DATASET, tmp_path / "x.csv", show_progress=True)

    assert capsys.readouterr().out == ""  # stdout stays clean for piping


def test_export_url_defaults_to_vancouver() -> None:
    url = PortalClient().export_url("3-1-1-contact-centre-metrics")
    assert url == (
        f"{DEFAULT_PORTAL}/api/explore/v2.1/catalog/datasets/3-1-1-contact-centre-metrics"
        "/exports/csv?delimiter=%3B&use_labels=true&with_bom=true"
    )


# --- retries ---------------------------------------------------------------------------


def test_retries_after_two_503s_then_succeeds(portal: Portal, tmp_path: Path) -> None:
    busy = error_reply(503, "ServiceUnavailable", "try later")
    portal.script(busy, busy, csv_reply())
    dest = tmp_path / "x.csv"

    result = client(portal).download_export(DATASET, dest, show_progress=False)

    assert len(portal.seen) == 3
    assert dest.read_bytes() == CSV_BODY
    assert result.size == len(CSV_BODY)


def test_429_waits_for_retry_after(portal: Portal, tmp_path: Path) -> None:
    slow_down = error_reply(429, "TooManyRequests", "slow down", **{"Retry-After": "1"})
    portal.script(slow_down, csv_reply())

    started = time.monotonic()
    client(portal, backoff=0.0).download_export(DATASET, tmp_path / "x.csv", show_progress=False)

    assert len(portal.seen) == 2
    assert time.monotonic() - started >= 0.9  # slept for Retry-After, not the ~0s backoff


def test_429_with_retry_after_beyond_cap_fails_fast(portal: Portal, tmp_path: Path) -> None:
    quota = error_reply(429, "TooManyRequests", "daily quota exceeded", **{"Retry-After": "86400"})
    portal.script(quota)

    with pytest.raises(PortalError) as caught:
        client(portal).download_export(DATASET, tmp_path / "x.csv", show_progress=False)

    assert len(portal.seen) == 1
    message = str(caught.value)
    assert "429" in message and "86400" in message and "daily quota exceeded" in message


def test_exhausted_retries_raise_portal_error(portal: Portal, tmp_path: Path) -> None:
    portal.script(error_reply(503, "ServiceUnavailable", "maintenance"))
    dest = tmp_path / "x.csv"

    with pytest.raises(PortalError) as caught:
        client(portal, retries=2).download_export(DATASET, dest, show_progress=False)

    assert len(portal.seen) == 3  # first try + 2 retries
    message = str(caught.value)
    assert "503" in message and portal.base_url in message and "\n" not in message
    assert caught.value.transient
    assert list(tmp_path.iterdir()) == []


def test_connection_refused_raises_portal_error(tmp_path: Path) -> None:
    with socket.socket() as sock:  # grab a free port, then free it so nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(PortalError) as caught:
        PortalClient(f"http://127.0.0.1:{port}", retries=1, backoff=0.01).download_export(
            DATASET, tmp_path / "x.csv", show_progress=False
        )

    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_read_timeout_raises_portal_error(portal: Portal, tmp_path: Path) -> None:
    portal.script(csv_reply(delay=1.0))

    started = time.monotonic()
    with pytest.raises(PortalError) as caught:
        client(portal, timeout=0.2, retries=1).download_export(
            DATASET, tmp_path / "x.csv", show_progress=False
        )

    assert time.monotonic() - started < 1.5
    assert len(portal.seen) == 2  # read timeouts are retried too
    assert "timeout" in str(caught.value).lower()
    assert list(tmp_path.iterdir()) == []


# --- terminal errors -------------------------------------------------------------------


def test_404_names_dataset_and_portal_message(portal: Portal, tmp_path: Path) -> None:
    portal.script(error_reply(404, "NotFound", "Unknown dataset: 3-1-1-nope"))

    with pytest.raises(SourceError) as caught:
        client(portal).download_export("3-1-1-nope", tmp_path / "x.csv", show_progress=False)

    message = str(caught.value)
    assert "Unknown dataset: 3-1-1-nope" in message
    assert f"{portal.base_url}/api/explore/v2.1/catalog/datasets/3-1-1-nope/exports/csv" in message
    assert "\n" not in message
    assert len(portal.seen) == 1  # not retried
    assert list(tmp_path.iterdir()) == []


def test_404_without_json_body_still_one_line(portal: Portal, tmp_path: Path) -> None:
    html = b"<html>\n<h1>Not Found</h1>\n</html>"
    portal.script(Reply(status=404, body=html, headers={"Content-Type": "text/html"}))

    with pytest.raises(SourceError, match="not found") as caught:
        client(portal).download_export(DATASET, tmp_path / "x.csv", show_progress=False)

    assert "<html>" not in str(caught.value)


def test_other_4xx_is_source_error_with_status(portal: Portal, tmp_path: Path) -> None:
    portal.script(error_reply(400, "ODSQLError", "Invalid ODSQL query"))

    with pytest.raises(SourceError) as caught:
        client(portal).download_export(DATASET, tmp_path / "x.csv", show_progress=False)

    assert "400" in str(caught.value) and "Invalid ODSQL query" in str(caught.value)
    assert len(portal.seen) == 1


def test_truncated_body_raises_and_leaves_no_file(portal: Portal, tmp_path: Path) -> None:
    portal.script(csv_reply(declared_length=len(CSV_BODY) + 500))
    dest = tmp_path / "x.csv"

    with pytest.raises(PortalError) as caught:
        client(portal).download_export(DATASET, dest, show_progress=False)

    assert portal.base_url in str(caught.value)
    assert not dest.exists()
    assert not dest.with_suffix(".csv.part").exists()
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_kept_when_download_fails(portal: Portal, tmp_path: Path) -> None:
    dest = tmp_path / "x.csv"
    dest.write_bytes(b"previous good export")
    portal.script(csv_reply(declared_length=len(CSV_BODY) + 1))

    with pytest.raises(PortalError):
        client(portal).download_export(DATASET, dest, show_progress=False)

    assert dest.read_bytes() == b"previous good export"


# --- input validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://opendata.vancouver.ca",
        "opendata.vancouver.ca",
        "https://",
        "https://user:secret@opendata.vancouver.ca",
        "https://opendata.vancouver.ca?x=1",
        "https://opendata.vancouver.ca#frag",
        "https://opendata.vancouver.ca:notaport",
        "https://opendata.vancouver.ca/ api",
        "",
    ],
)
def test_invalid_base_urls_are_config_errors(base_url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        PortalClient(base_url)
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)


def test_base_url_trailing_slash_is_normalised() -> None:
    assert PortalClient("https://opendata.vancouver.ca/").export_url("a").startswith(
        "https://opendata.vancouver.ca/api/explore/v2.1/catalog/datasets/a/exports/csv?"
    )


@pytest.mark.parametrize(
    "dataset_id",
    ["", "-leading-dash", "Upper-Case", "../etc/passwd", "a/b", "a?b=c", "a b", "abc\n", "a" * 101, "é"],
)
def test_invalid_dataset_ids_are_config_errors(
    portal: Portal, tmp_path: Path, dataset_id: str
) -> None:
    portal.script(csv_reply())
    with pytest.raises(ConfigError):
        client(portal).download_export(dataset_id, tmp_path / "x.csv", show_progress=False)
    assert portal.seen == []  # rejected before any request


def test_unknown_format_is_config_error() -> None:
    with pytest.raises(ConfigError):
        PortalClient().export_url("a", fmt="xlsx")  # type: ignore[arg-type]


def test_callers_session_gets_retries_for_the_portal_only(portal: Portal, tmp_path: Path) -> None:
    session = requests.Session()
    portal.script(csv_reply())

    client(portal, session=session, retries=2).download_export(
        DATASET, tmp_path / "x.csv", show_progress=False
    )

    assert session.get_adapter(f"{portal.base_url}/api").max_retries.total == 2
    assert session.get_adapter("https://example.org/").max_retries.total == 0
