"""Let DuckDB read s3:// locations offline: httpfs from its PyPI package, credentials from boto3."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import boto3
import duckdb
import duckdb_extension_httpfs
from sqlglot import exp

from lakehouse.config import Settings
from lakehouse.errors import ConfigError


def _literal(value: str) -> str:
    return exp.Literal.string(value).sql(dialect="duckdb")


def load_httpfs(connection: duckdb.DuckDBPyConnection) -> None:
    """Install httpfs from the duckdb-extension-httpfs wheel (DuckDB cannot download it here)."""
    package = Path(duckdb_extension_httpfs.__file__).parent
    candidates = sorted(package.glob(f"extensions/v{duckdb.__version__}/httpfs.duckdb_extension"))
    if not candidates:
        raise ConfigError(
            f"duckdb-extension-httpfs carries no build for duckdb {duckdb.__version__}: "
            "install the same version of both"
        )
    connection.execute(f"INSTALL {_literal(str(candidates[0]))}")
    connection.execute("LOAD httpfs")


def configure_s3(connection: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """A DuckDB S3 secret for the configured endpoint, region and credentials (never logged)."""
    load_httpfs(connection)
    session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
    credentials = session.get_credentials()
    options = [f"REGION {_literal(settings.region)}"]
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options += [f"KEY_ID {_literal(frozen.access_key)}", f"SECRET {_literal(frozen.secret_key)}"]
        if frozen.token:
            options.append(f"SESSION_TOKEN {_literal(frozen.token)}")
    if settings.s3_endpoint:
        endpoint = urlsplit(settings.s3_endpoint)
        options += [
            f"ENDPOINT {_literal(endpoint.netloc)}",
            "URL_STYLE 'path'",
            f"USE_SSL {'true' if endpoint.scheme == 'https' else 'false'}",
        ]
    connection.execute(f"CREATE OR REPLACE SECRET lakehouse_s3 (TYPE s3, {', '.join(options)})")
