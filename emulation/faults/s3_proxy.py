"""A fault-injecting HTTP proxy for S3 on 127.0.0.1: each request is forwarded to the real
S3 endpoint, or instead answered with one of the faults production sees, at configurable
rates — 500 InternalError and 503 SlowDown (nothing reaches S3), a connection reset, a slow
response, or a body cut short after full headers. Faults are drawn from a seeded random
stream, so a trial can be replayed; each kind is counted."""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = ("error_500", "slow_down_503", "reset", "slow", "truncate")
_ERROR_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message>"
               "<RequestId>fault-proxy</RequestId></Error>")


@dataclass
class FaultPlan:
    """Probability of each fault per request (the rest are forwarded untouched)."""

    error_500: float = 0.0
    slow_down_503: float = 0.0
    reset: float = 0.0
    slow: float = 0.0
    truncate: float = 0.0
    slow_seconds: float = 0.5
    seed: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        if sum(getattr(self, name) for name in FAULTS) > 1:
            raise ValueError("fault rates add up to more than 1")

    def draw(self) -> str | None:
        with self._lock:
            roll = self._random.random()
            for name in FAULTS:
                roll -= getattr(self, name)
                if roll < 0:
                    self.counts[name] += 1
                    return name
            self.counts["forwarded"] += 1
            return None


class FaultProxy:
    def __init__(self, upstream: str, plan: FaultPlan, host: str = "127.0.0.1", port: int = 0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be http://host:port (got {upstream!r})")
        self.plan = plan
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
                return

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy.plan.draw()
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault in ("error_500", "slow_down_503"):
                    status, code = (500, "InternalError") if fault == "error_500" else (503, "SlowDown")
                    payload = _ERROR_BODY.format(code=code, message=f"injected {code}").encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault == "slow":
                    time.sleep(proxy.plan.slow_seconds)
                upstream_connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    upstream_connection.request(self.command, self.path, body=body, headers=headers)
                    response = upstream_connection.getresponse()
                    data = response.read()
                finally:
                    upstream_connection.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                # HEAD answers carry the object's length without its bytes.
                self.send_header("Content-Length", response.getheader("Content-Length", "0")
                                 if self.command == "HEAD" else str(len(data)))
                if fault == "truncate" and len(data) > 1 and self.command == "GET":
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])  # the promised length never arrives
                    self.close_connection = True
                    return
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        self._thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join()
