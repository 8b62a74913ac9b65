"""AWS wire-protocol plumbing shared by the services: which service a request is for,
JSON bodies, and errors in the shape botocore parses (`__type` + `message`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from werkzeug.wrappers import Request, Response

from lakehouse.errors import LakehouseError, TransientError

Body = dict[str, Any]
Handler = Callable[[Body], Body]

# The credential scope of a SigV4 Authorization header: Credential=AKID/20261128/us-east-1/glue/aws4_request
_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([a-z0-9-]+)/aws4_request")


class AwsServiceError(Exception):
    """An error answered in AWS's shape: its code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def unsupported(service: str, operation: str) -> AwsServiceError:
    return AwsServiceError(
        "UnsupportedOperation" if service == "s3" else "UnknownOperationException",
        f"{service} operation {operation} is not supported by the lakehouse emulator",
    )


def signing_service(request: Request) -> str | None:
    """The service a SigV4-signed request was signed for (s3, glue, athena, databrew…)."""
    match = _SCOPE.search(request.headers.get("Authorization", ""))
    return match.group(1) if match else None


def json_body(request: Request) -> Body:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise AwsServiceError("SerializationException", "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise AwsServiceError("SerializationException", "the request body must be a JSON object")
    return body


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return value.timestamp()  # botocore reads JSON timestamps as epoch seconds
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(body: Body, status: int = 200, content_type: str = "application/x-amz-json-1.1") -> Response:
    return Response(json.dumps(body, default=_jsonable), status=status, content_type=content_type)


def error_response(error: AwsServiceError, content_type: str = "application/x-amz-json-1.1") -> Response:
    response = json_response({"__type": error.code, "message": error.message, "Message": error.message},
                             error.status, content_type)
    response.headers["x-amzn-ErrorType"] = error.code
    return response


def as_service_error(error: Exception) -> AwsServiceError:
    """The platform's exceptions keep AWS's names (EntityNotFoundException, …): answer with them."""
    if isinstance(error, AwsServiceError):
        return error
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    name = type(error).__name__
    # Messages of AWS-named errors may start with their own code ("EntityNotFoundException: …").
    message = message.removeprefix(f"{name}: ")
    if isinstance(error, LakehouseError):
        if name.endswith("Exception") or name in {"NoSuchKey", "NoSuchBucket", "PreconditionFailed"}:
            return AwsServiceError(name, message)
        if isinstance(error, TransientError):
            return AwsServiceError("ServiceUnavailableException", message, 503)
        return AwsServiceError("InvalidInputException", message)
    if isinstance(error, (KeyError, TypeError, ValueError)):
        return AwsServiceError("ValidationException", f"invalid request: {message}")
    return AwsServiceError("InternalServiceException", message, 500)


@dataclass(frozen=True)
class Field:
    """Reads one member of a request body, with AWS's validation message when it is missing."""

    name: str

    def of(self, body: Body) -> Any:
        if body.get(self.name) in (None, ""):
            raise AwsServiceError("ValidationException", f"1 validation error detected: {self.name} must not be null")
        return body[self.name]


def required(body: Body, name: str) -> Any:
    return Field(name).of(body)


def paged(items: list[Any], body: Body, key: str, default_page: int = 100) -> Body:
    """One page of `items` as `{key: […], "NextToken": …}`; tokens are offsets (opaque to clients)."""
    token = body.get("NextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise AwsServiceError("InvalidInputException", f"NextToken {token!r} is not valid") from None
    size = int(body.get("MaxResults") or default_page)
    page: Body = {key: items[start:start + size]}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return page
