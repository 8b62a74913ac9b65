"""Typed settings, resolved once: CLI flags > environment > lakehouse.toml > defaults.

Every value is validated here; a bad one is a `ConfigError` naming the setting and
where it came from, so the rest of the code trusts `Settings` as given.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from lakehouse.errors import ConfigError

Backend = Literal["local", "emulator", "aws"]
BACKENDS: tuple[Backend, ...] = ("local", "emulator", "aws")
CONFIG_FILE_NAME = "lakehouse.toml"
DEFAULT_PORTAL_URL = "https://opendata.vancouver.ca"

# Environment variable -> setting. AWS names are the standard ones boto3 reads too.
ENVIRONMENT: dict[str, str] = {
    "LAKEHOUSE_HOME": "home",
    "LAKEHOUSE_BACKEND": "backend",
    "LAKEHOUSE_BUCKET_PREFIX": "bucket_prefix",
    "LAKEHOUSE_DATABASE": "database",
    "LAKEHOUSE_PORTAL_URL": "portal_url",
    "AWS_ENDPOINT_URL": "endpoint_url",
    "AWS_ENDPOINT_URL_S3": "s3_endpoint_url",  # overrides AWS_ENDPOINT_URL for S3 alone
    "AWS_DEFAULT_REGION": "region",
    "AWS_REGION": "region",  # listed after AWS_DEFAULT_REGION so it wins, as in boto3
    "AWS_PROFILE": "profile",
}


@dataclass(frozen=True)
class Settings:
    """Where the platform keeps its data and which backend runs it."""

    home: Path = Path(".lakehouse")
    backend: Backend = "local"
    bucket_prefix: str = ""
    database: str = "vancouver_311"
    portal_url: str = DEFAULT_PORTAL_URL
    endpoint_url: str | None = None
    s3_endpoint_url: str | None = None
    region: str = "us-east-1"
    profile: str | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def bucket(self, zone: str) -> str:
        """The bucket name of a zone (raw, landing, curated, catalog)."""
        return f"{self.bucket_prefix}{zone}"

    @property
    def s3_endpoint(self) -> str | None:
        """The S3 endpoint: the S3-specific variable wins over the general one."""
        return self.s3_endpoint_url or self.endpoint_url


def load_settings(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge the four sources in precedence order and validate the result once."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    path = config_path or _config_path_from(environ)
    if path is not None:
        for key, value in _read_toml(path).items():
            values[key], sources[key] = value, f"{path}"
    for variable, name in ENVIRONMENT.items():
        if environ.get(variable):
            values[name], sources[name] = environ[variable], variable
    for name, value in (flags or {}).items():
        if value is not None:
            values[name], sources[name] = value, f"--{name.replace('_', '-')}"
    return _validate(values, sources)


def _config_path_from(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("LAKEHOUSE_CONFIG")
    if explicit:
        if not Path(explicit).is_file():
            raise ConfigError(f"LAKEHOUSE_CONFIG={explicit}: no such file")
        return Path(explicit)
    local = Path.cwd() / CONFIG_FILE_NAME
    return local if local.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    """Flatten lakehouse.toml: top-level keys plus an optional [aws] table."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    aws = document.pop("aws", {})
    if not isinstance(aws, dict):
        raise ConfigError(f"{path}: [aws] must be a table")
    flat = {**document, **aws}
    known = {f.name for f in fields(Settings)} - {"sources"}
    unknown = sorted(set(flat) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    return flat


_BUCKET_PREFIX = re.compile(r"^([a-z0-9][a-z0-9-]{0,40})?$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,127}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_PROFILE = re.compile(r"^[A-Za-z0-9_.+@-]{1,64}$")


def _validate(values: dict[str, Any], sources: dict[str, str]) -> Settings:
    def fail(name: str, message: str) -> ConfigError:
        where = sources.get(name, "default")
        return ConfigError(f"{where}: {name} {message} (got {values.get(name)!r})")

    for name, value in values.items():
        if not isinstance(value, str | Path):
            raise fail(name, "must be a string")
    checked: dict[str, Any] = {}
    if "home" in values:
        checked["home"] = Path(os.path.expanduser(str(values["home"])))
    if "backend" in values:
        if values["backend"] not in BACKENDS:
            raise fail("backend", f"must be one of {', '.join(BACKENDS)}")
        checked["backend"] = cast(Backend, values["backend"])
    if "bucket_prefix" in values:
        if not _BUCKET_PREFIX.match(values["bucket_prefix"]):
            raise fail("bucket_prefix", "must be lowercase letters, digits and hyphens, at most 41")
        checked["bucket_prefix"] = values["bucket_prefix"]
    if "database" in values:
        if not _IDENTIFIER.match(values["database"]):
            raise fail("database", "must be a lowercase identifier (letters, digits, _)")
        checked["database"] = values["database"]
    for name in ("portal_url", "endpoint_url", "s3_endpoint_url"):
        if name in values:
            if not _is_http_url(values[name]):
                raise fail(name, "must be an http(s) URL with a host and no credentials")
            checked[name] = values[name].rstrip("/")
    if "region" in values:
        if not _REGION.match(values["region"]):
            raise fail("region", "must look like an AWS region, e.g. us-east-1")
        checked["region"] = values["region"]
    if "profile" in values:
        if not _PROFILE.match(values["profile"]):
            raise fail("profile", "must be a plain AWS profile name")
        checked["profile"] = values["profile"]
    return replace(Settings(), **checked, sources=dict(sources))


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not (
        parts.username or parts.password or parts.query or parts.fragment
    )
