"""Download whole-dataset exports from an Opendatasoft portal (Explore API v2.1).

The City of Vancouver's portal runs Opendatasoft. Endpoints used, as documented in the
Explore API v2.1 reference (https://help.opendatasoft.com/apis/ods-explore-v2/explore_v2.1.html)
and its generated SDK docs
(https://github.com/opendatasoft/opendatasoft-explore-sdk/blob/main/python-async/docs/DatasetApi.md):

- ``GET {base}/api/explore/v2.1/catalog/datasets/{dataset_id}/exports/{format}`` returns the
  whole dataset (no row limit, unlike ``/records``). Generic export parameters include
  ``use_labels`` (labels instead of field names in headers, default false), ``select``,
  ``where``, ``limit`` (-1 = all), ``lang``, ``timezone``, ``compressed``.
- CSV-specific parameters: ``delimiter`` (default ``;``), ``list_separator`` (default ``,``),
  ``quote_all`` (default false), ``with_bom`` (default true from v2.1, false in v2.0).
- ``GET .../datasets/{dataset_id}/records`` pages at most ``limit=100`` rows per call
  (``offset + limit`` < 10000) and answers ``{"total_count": N, "results": [...]}``; that cap
  is why bulk loads use the export endpoint instead.
- Errors answer JSON ``{"error_code": "...", "message": "..."}`` (documented for 400, 401,
  429 and 500; we read the same shape from a 404 when present).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, Self
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from lakehouse import __version__
from lakehouse.errors import ConfigError, PortalError, SourceError

DEFAULT_PORTAL = "https://opendata.vancouver.ca"
_API = "/api/explore/v2.1"

ExportFormat = Literal["csv", "json"]

_DATASET_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
_EXPORT_PARAMS: dict[str, dict[str, str]] = {
    # Exactly what the portal's own "Export" button produces, so files match the ones
    # people download by hand (and our recorded fixtures). with_bom is explicit because
    # its default flipped between v2.0 and v2.1.
    "csv": {"delimiter": ";", "use_labels": "true", "with_bom": "true"},
    # Field ids (not labels) are stable keys for JSON consumers.
    "json": {"use_labels": "false"},
}
# Longest Retry-After worth sleeping through; beyond it we fail (transiently) at once.
MAX_RETRY_AFTER = 60.0
_RETRY_STATUSES = frozenset({429, *range(500, 600)})
_CONNECT_TIMEOUT = 10.0
_CHUNK = 64 * 1024
_ERROR_BODY_LIMIT = 64 * 1024


class _PortalRetry(Retry):
    """urllib3 Retry that gives up instead of sleeping through a very long Retry-After.

    Opendatasoft's 429 can mean a daily call quota is spent, so Retry-After may be hours
    away; blocking a pipeline that long is worse than failing (transiently) now.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if response is not None:
            wait = _retry_after(response.headers)
            if wait is not None and wait > MAX_RETRY_AFTER:
                # With raise_on_status=False urllib3 hands this response back to us.
                raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:.0f}s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)


@dataclass(frozen=True)
class Download:
    """One completed export download."""

    url: str
    path: Path
    size: int
    sha256: str
    content_type: str


class PortalClient:
    """Streams dataset exports to disk with retries, timeouts and integrity checks."""

    def __init__(
        self,
        base_url: str = DEFAULT_PORTAL,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = _validate_base_url(base_url)
        if timeout <= 0:
            raise ConfigError(f"portal timeout must be > 0 seconds, got {timeout!r}")
        if retries < 0:
            raise ConfigError(f"portal retries must be >= 0, got {retries!r}")
        self.retries = retries
        # Read timeout bounds each socket read, not the whole transfer, so big exports are fine.
        self._timeout = (min(_CONNECT_TIMEOUT, timeout), timeout)
        retry = _PortalRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            backoff_factor=backoff,
            status_forcelist=_RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            # Hand back the last 429/5xx so the error can name its status.
            raise_on_status=False,
        )
        self._session = session if session is not None else requests.Session()
        # Mounted for this portal's prefix only, so a caller's session keeps its own
        # behaviour for every other host.
        self._session.mount(self.base_url + "/", HTTPAdapter(max_retries=retry))

    def export_url(self, dataset_id: str, fmt: ExportFormat = "csv") -> str:
        """The full export URL (with query string) for a validated dataset id."""
        dataset_id = _validate_dataset_id(dataset_id)
        if fmt not in _EXPORT_PARAMS:
            raise ConfigError(f"export format must be 'csv' or 'json', got {fmt!r}")
        query = urlencode(_EXPORT_PARAMS[fmt])
        return f"{self.base_url}{_API}/catalog/datasets/{dataset_id}/exports/{fmt}?{query}"

    def download_export(
        self,
        dataset_id: str,
        dest: Path,
        fmt: ExportFormat = "csv",
        show_progress: bool = True,
    ) -> Download:
        """Stream an export to `dest`; the final name only ever holds a complete file."""
        url = self.export_url(dataset_id, fmt)
        dest = Path(dest)
        part = dest.with_suffix(dest.suffix + ".part")
        headers = {"User-Agent": f"vancouver-311-lakehouse/{__version__}"}
        try:
            response = self._session.get(url, headers=headers, timeout=self._timeout, stream=True)
        except requests.RequestException as exc:
            reason = _describe(exc)
            raise PortalError(f"GET {url} failed ({_retries(self.retries)}): {reason}") from exc

        with response:
            _raise_for_status(response, dataset_id, url, self.retries)
            expected = _content_length(response)
            encoded = bool(response.headers.get("Content-Encoding"))
            content_type = response.headers.get("Content-Type", "")
            digest = hashlib.sha256()
            size = 0
            done = False
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with part.open("wb") as out, _progress(show_progress) as progress:
                    task = progress.add_task(f"{dataset_id}.{fmt}", total=expected)
                    for chunk in response.iter_content(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                        # raw.tell() counts wire bytes, which is what Content-Length measures.
                        progress.update(task, completed=response.raw.tell())
                # urllib3 already enforces Content-Length; this also covers a server that
                # closes early on a body we could not otherwise measure.
                if expected is not None and not encoded and size != expected:
                    raise PortalError(f"GET {url} truncated: got {size} of {expected} bytes")
                os.replace(part, dest)
                done = True
            except requests.exceptions.ChunkedEncodingError as exc:
                # urllib3 raises this when the body ends before Content-Length.
                reason = _describe(exc)
                raise PortalError(f"GET {url} truncated after {size} bytes: {reason}") from exc
            except requests.RequestException as exc:
                reason = _describe(exc)
                raise PortalError(f"GET {url} interrupted after {size} bytes: {reason}") from exc
            finally:
                if not done:
                    part.unlink(missing_ok=True)
        return Download(
            url=url, path=dest, size=size, sha256=digest.hexdigest(), content_type=content_type
        )


def _validate_base_url(base_url: str) -> str:
    if not isinstance(base_url, str) or any(c.isspace() for c in base_url):
        raise ConfigError(f"portal base URL must be an http(s) URL without spaces: {base_url!r}")
    parts = urlsplit(base_url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise ConfigError(f"portal base URL has an invalid port: {base_url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"portal base URL must be http(s)://host[/path], got {base_url!r}")
    if parts.username is not None or parts.password is not None:
        # Never echo the URL here: it holds the secret.
        raise ConfigError("portal base URL must not carry credentials (user:password@host)")
    if parts.query or parts.fragment or base_url.endswith(("?", "#")):
        raise ConfigError(f"portal base URL must not have a query or fragment, got {base_url!r}")
    return base_url.rstrip("/")


def _validate_dataset_id(dataset_id: str) -> str:
    # fullmatch, not `$`: `$` would accept a trailing newline.
    if not isinstance(dataset_id, str) or not _DATASET_ID.fullmatch(dataset_id):
        raise ConfigError(
            f"dataset id must match ^[a-z0-9][a-z0-9_-]{{0,99}}$, got {dataset_id!r}"
        )
    return dataset_id


def _raise_for_status(response: requests.Response, dataset_id: str, url: str, retries: int) -> None:
    status = response.status_code
    if status < 400:
        return
    detail = _portal_message(response)
    suffix = f": {detail}" if detail else ""
    if status == 404:
        raise SourceError(f"dataset {dataset_id!r} not found (HTTP 404) at {url}{suffix}")
    if status in _RETRY_STATUSES:
        wait = _retry_after(response.headers)
        if wait is not None and wait > MAX_RETRY_AFTER:
            why = f"Retry-After {wait:.0f}s is beyond the {MAX_RETRY_AFTER:.0f}s we wait"
        else:
            why = _retries(retries)
        raise PortalError(f"GET {url} answered HTTP {status} ({why}){suffix}")
    raise SourceError(f"GET {url} answered HTTP {status}{suffix}")


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Retry-After in seconds (delta or HTTP-date), unclamped; None if absent or malformed.

    Parsed here rather than by urllib3 because recent urllib3 clamps it (to 6 h), which
    would hide how long the portal really asked us to wait.
    """
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _retries(count: int) -> str:
    return f"after {count} {'retry' if count == 1 else 'retries'}"


def _portal_message(response: requests.Response) -> str:
    """The `message` of an Opendatasoft error body, flattened to one line; else ''."""
    try:
        body = next(response.iter_content(_ERROR_BODY_LIMIT), b"")
        payload = json.loads(body.decode("utf-8-sig"))
    except (requests.RequestException, ValueError):
        return ""
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return " ".join(payload["message"].split())
    return ""


def _content_length(response: requests.Response) -> int | None:
    try:
        value = int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None
    return value if value >= 0 else None


def _describe(exc: requests.RequestException) -> str:
    """A short one-line reason: the innermost urllib3 cause, not requests' nested reprs."""
    if isinstance(exc, requests.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, requests.ReadTimeout):
        return "read timeout"
    reason: BaseException = exc
    while True:
        if isinstance(reason, MaxRetryError) and reason.reason is not None:
            reason = reason.reason
        elif reason.args and isinstance(reason.args[0], BaseException):
            reason = reason.args[0]
        else:
            break
    first = reason.args[0] if reason.args else ""
    text = " ".join((first if isinstance(first, str) else str(reason)).split())
    return f"{type(reason).__name__}: {text}" if text else type(reason).__name__


def _progress(show: bool) -> Progress:
    # Transient and on stderr: stdout stays clean for piping, nothing lingers once done.
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not show,
    )
