"""What every boto3 adapter shares: clients built from the settings, and AWS errors turned
into the platform's (same names, marked transient or terminal, so runners retry by type)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from lakehouse import errors
from lakehouse.config import Settings
from lakehouse.errors import LakehouseError, TerminalError, TransientError

TRANSIENT_CODES = frozenset(
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
        "RequestThrottledException", "TooManyRequestsException", "SlowDown",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestTimeout",
        "RequestTimeoutException", "PriorRequestNotComplete", "InternalError",
        "InternalServiceException", "InternalServerException", "ServiceUnavailable",
        "ServiceUnavailableException", "OperationAborted", "OperationTimeoutException",
        "ConditionalRequestConflict",  # 409: a conditional write raced a delete; S3 says retry
    }
)


def aws_client(settings: Settings, service: str) -> Any:
    """A boto3 client for the configured region, profile and endpoint (AWS_ENDPOINT_URL and
    AWS_ENDPOINT_URL_<SERVICE> are read by boto3 itself), with standard retries."""
    session = boto3.session.Session(profile_name=settings.profile, region_name=settings.region)
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    endpoint = settings.s3_endpoint if service == "s3" else settings.endpoint_url
    return session.client(service, endpoint_url=endpoint, config=config)  # type: ignore[call-overload]


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def translate(error: Exception, where: str) -> LakehouseError:
    """The platform's error for a botocore one: AWS-named classes keep their names."""
    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        return TransientError(f"{where}: cannot reach AWS: {one_line(str(error))}")
    if not isinstance(error, ClientError):
        return TerminalError(f"{where}: {type(error).__name__}: {one_line(str(error))}")
    code = error_code(error)
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    message = one_line(error.response.get("Error", {}).get("Message") or str(error))
    named = getattr(errors, code, None)
    if isinstance(named, type) and issubclass(named, LakehouseError):
        return named(f"{code}: {message}")
    if code in TRANSIENT_CODES or status >= 500 or status == 429:
        return TransientError(f"{code}: {where}: {message}")
    return TerminalError(f"{code}: {where}: {message}")


@contextmanager
def aws_errors(where: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise translate(error, where) from error


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def one_line(text: str) -> str:
    return " ".join(text.split())
