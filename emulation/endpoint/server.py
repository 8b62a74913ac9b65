"""The emulator's WSGI application and server: one port, every service.

Requests are told apart as AWS's own front door does: JSON 1.1 calls by `X-Amz-Target`
(`AWSGlue.*`, `AmazonAthena.*`), REST calls by the service in their SigV4 credential scope
(`databrew`), and everything else is S3 — moto's S3 in this process, or an external S3
endpoint (LocalStack) the platform's engines use directly. `/_lakehouse/health` and
`POST /_lakehouse/reset` are the emulator's own.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from emulation.endpoint.protocol import (
    AwsServiceError, Body, Handler, as_service_error, error_response, json_body, json_response, signing_service,
    unsupported,
)
from emulation.endpoint.s3_state import S3State, moto_s3
from lakehouse.config import Settings
from lakehouse.platform import Platform

log = logging.getLogger("lakehouse.emulator")

StartResponse = Callable[..., Any]
_S3_WRITES = frozenset({"PUT", "POST", "DELETE"})
# The emulator's own boto3 clients (its S3 zones, DuckDB's httpfs) talk to moto or LocalStack,
# which accept any credentials; a user's real ones are never needed.
_DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "lakehouse-emulator", "AWS_SECRET_ACCESS_KEY": "lakehouse-emulator"}
# Request size limits. JSON calls (Glue, Athena, DataBrew) are small (Athena's QueryString is at
# most 256 KiB): larger bodies are answered 413 RequestEntityTooLargeException without being
# read. An S3 PUT may carry up to 5 GiB, S3's single-request limit; beyond it S3 answers
# EntityTooLarge (HTTP 400, S3's XML error shape), and so does the emulator.
MAX_JSON_BODY_BYTES = 16 * 1024 * 1024
MAX_S3_BODY_BYTES = 5 * 1024 ** 3


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path | None = Path(".lakehouse/emulator")  # None: in memory, gone at exit
    external_s3: str | None = None  # e.g. LocalStack's http://localhost:4566
    region: str = "us-east-1"
    bucket_prefix: str = ""
    database: str = "vancouver_311"
    log_requests: bool = False
    max_json_body: int = MAX_JSON_BODY_BYTES
    max_s3_body: int = MAX_S3_BODY_BYTES


class Emulator:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._scratch = tempfile.TemporaryDirectory(prefix="lakehouse-emulator-")
        root = config.data_dir if config.data_dir is not None else Path(self._scratch.name)
        root.mkdir(parents=True, exist_ok=True)
        self.home = root / "home"
        self.s3_state = S3State(root / "s3") if config.data_dir is not None and not config.external_s3 else None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._platform_lock = threading.Lock()
        self._platform: Platform | None = None
        self._services: dict[str, dict[str, Handler]] = {}
        self._databrew: Any = None  # DataBrew's REST routes, built with the services
        self.started_at = 0.0
        from moto.server import DomainDispatcherApplication, create_backend_app

        # moto's dispatcher tells path-style from virtual-host-style S3 requests; only S3
        # requests reach it (other services are answered before).
        self._s3_app = DomainDispatcherApplication(create_backend_app)

    # -- lifecycle ---------------------------------------------------------------------
    def bind(self) -> str:
        """Open the port (0 picks a free one) and load saved state; the endpoint URL."""
        from moto.server import MotoRequestHandler

        if not self.config.log_requests:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        for name, value in _DUMMY_CREDENTIALS.items():
            os.environ.setdefault(name, value)
        _check_port_free(self.config.host, self.config.port)
        restored = self.s3_state.load() if self.s3_state is not None else 0
        self._server = make_server(self.config.host, self.config.port, self, threaded=True,
                                   request_handler=MotoRequestHandler)
        if self.s3_state is not None:
            self.s3_state.start()
        self.started_at = time.time()
        log.info("restored %d objects", restored)
        # Import the engines now, while nobody waits, rather than in the first request.
        threading.Thread(target=lambda: self.platform, name="warm-up", daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "bind() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        assert self._server is not None, "bind() first"
        self._server.serve_forever()

    def start(self) -> str:
        """Serve on a background thread (tests, benchmarks); the endpoint URL."""
        url = self.bind()
        self._thread = threading.Thread(target=self.serve_forever, name="emulator", daemon=True)
        self._thread.start()
        return url

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        if self.s3_state is not None:
            self.s3_state.stop()
        self._scratch.cleanup()

    # -- the platform the services run on ----------------------------------------------
    @property
    def platform(self) -> Platform:
        with self._platform_lock:
            if self._platform is None:
                settings = Settings(
                    home=self.home, backend="emulator", bucket_prefix=self.config.bucket_prefix,
                    database=self.config.database, endpoint_url=self.config.external_s3 or self.url,
                    region=self.config.region,
                )
                store = None
                if not self.config.external_s3:
                    from emulation.s3.moto_store import MotoBackendStore

                    # The services' own writes are durable before the service call is answered.
                    changed = self.s3_state.sync if self.s3_state is not None else (lambda: None)
                    store = MotoBackendStore(self.config.region, on_change=changed)
                platform = Platform(settings, given_store=store)
                # Clients bring their own buckets (CTAS and UNLOAD write where they say).
                platform.engine.clients_own_buckets = True  # type: ignore[attr-defined]
                self._services = self._build_services(platform)
                self._platform = platform  # only once every service is built
            return self._platform

    def _build_services(self, platform: Platform) -> dict[str, dict[str, Handler]]:
        from emulation.endpoint.athena_api import AthenaApi
        from emulation.endpoint.glue_api import GlueApi

        from emulation.endpoint.databrew_api import DataBrewApi

        self._databrew = DataBrewApi(platform)
        return {"AWSGlue": GlueApi(platform).operations, "AmazonAthena": AthenaApi(platform).operations}

    def reset(self) -> None:
        """Forget everything: buckets, catalog, jobs, queries (for tests)."""
        with self._platform_lock:
            if not self.config.external_s3:
                moto_s3().reset()
            if self.s3_state is not None:
                self.s3_state.clear()
            self._platform = None

    # -- WSGI --------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_lakehouse/"):
            return self._control(request)(environ, start_response)
        target = request.headers.get("X-Amz-Target")
        service = signing_service(request)
        too_large = self._refuse_oversized(request, json_call=bool(target) or service == "databrew")
        if too_large is not None:
            return too_large(environ, start_response)
        if target:
            return self._json_call(request, target)(environ, start_response)
        if service == "databrew":
            self.platform  # noqa: B018 - builds the services on first use
            return self._databrew.handle(request)(environ, start_response)
        if service not in (None, "s3"):
            return error_response(AwsServiceError(
                "UnknownServiceException", f"service {service} is not served by the lakehouse emulator"),
            )(environ, start_response)
        if self.config.external_s3:
            return error_response(AwsServiceError(
                "UnsupportedOperation",
                f"S3 is served by {self.config.external_s3}: point AWS_ENDPOINT_URL_S3 there"),
            )(environ, start_response)
        body = self._s3_app(environ, start_response)
        if request.method in _S3_WRITES and self.s3_state is not None:
            self.s3_state.sync()  # durable before the answer is sent (s3_state.py)
        return body

    def _refuse_oversized(self, request: Request, json_call: bool) -> Response | None:
        """The answer to a request whose declared body is over the limit (None: within it). A body
        sent without a length (chunked) is cut at the limit while it is read."""
        limit = self.config.max_json_body if json_call else self.config.max_s3_body
        request.max_content_length = limit  # werkzeug refuses a longer chunked body as it reads
        length = request.content_length
        if length is None or length <= limit:
            return None
        if json_call:
            return error_response(AwsServiceError(
                "RequestEntityTooLargeException", f"the request body is {length} bytes; the limit is {limit}", 413))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooLarge</Code>'
                "<Message>Your proposed upload exceeds the maximum allowed size</Message>"
                f"<ProposedSize>{length}</ProposedSize><MaxSizeAllowed>{limit}</MaxSizeAllowed></Error>")
        return Response(body, status=400, content_type="application/xml", headers={"Connection": "close"})

    def _json_call(self, request: Request, target: str) -> Response:
        prefix, _, operation = target.partition(".")
        try:
            self.platform  # noqa: B018 - builds the services on first use
            operations = self._services.get(prefix)
            if operations is None:
                raise AwsServiceError("UnknownOperationException", f"{target} is not served by the lakehouse emulator")
            handler = operations.get(operation)
            if handler is None:
                raise unsupported(prefix, operation)
            return json_response(handler(json_body(request)))
        except RequestEntityTooLarge:  # a chunked body longer than the limit
            return error_response(AwsServiceError(
                "RequestEntityTooLargeException", f"the request body is over {self.config.max_json_body} bytes", 413))
        except Exception as error:  # noqa: BLE001 - every failure is answered in AWS's shape
            answer = as_service_error(error)
            if answer.status >= 500:
                log.exception("%s failed", target)
            return error_response(answer)

    def _control(self, request: Request) -> Response:
        if request.path == "/_lakehouse/health" and request.method == "GET":
            body: Body = {"status": "running", "services": ["s3", "glue", "athena", "databrew"],
                          "s3": self.config.external_s3 or "in-process", "persistent": self.s3_state is not None,
                          "uptime_seconds": round(time.time() - self.started_at, 3)}
            return json_response(body, content_type="application/json")
        if request.path == "/_lakehouse/reset" and request.method == "POST":
            self.reset()
            return json_response({"reset": True}, content_type="application/json")
        return error_response(AwsServiceError("NotFound", f"{request.method} {request.path} is not an emulator route", 404),
                              content_type="application/json")


def _check_port_free(host: str, port: int) -> None:
    """OSError when the port is taken: werkzeug would print its own advice and exit instead."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
