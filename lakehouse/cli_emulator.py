"""`lakehouse emulator …`: the AWS-compatible endpoint (S3, Glue, Athena, DataBrew) on one port."""

from __future__ import annotations

import json
import signal
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

import click

from lakehouse import cli_output as out
from lakehouse.config import load_settings
from lakehouse.errors import ConfigError


@click.group()
def emulator() -> None:
    """An AWS endpoint on this machine: boto3, PyAthena and awswrangler run against it unchanged."""


@emulator.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback exposes the endpoint to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=4566, show_default=True, help="0 picks a free port.")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=Path(".lakehouse/emulator"),
              show_default=True, help="Where state is kept across restarts.")
@click.option("--in-memory", is_flag=True, help="Keep nothing: state is gone when the emulator stops.")
@click.option("--s3-endpoint", default=None, metavar="URL",
              help="Use this S3 (e.g. LocalStack's) instead of the in-process one.")
@click.option("--region", default="us-east-1", show_default=True)
@click.option("--bucket-prefix", default="", help="The platform's bucket prefix, as the clients' LAKEHOUSE_BUCKET_PREFIX "
              "(the zones its DataBrew and Glue jobs read and write).")
@click.option("--log-requests", is_flag=True, help="Print one line per request.")
def start(host: str, port: int, data_dir: Path, in_memory: bool, s3_endpoint: str | None, region: str,
          bucket_prefix: str, log_requests: bool) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), then save state."""
    from emulation.endpoint.server import Emulator, EmulatorConfig

    load_settings({"bucket_prefix": bucket_prefix}, environ={})  # the platform's own rule for prefixes
    if s3_endpoint is not None and not s3_endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"--s3-endpoint must be an http(s):// URL (got {s3_endpoint!r})")
    config = EmulatorConfig(host=host, port=port, data_dir=None if in_memory else data_dir,
                            external_s3=s3_endpoint, region=region, bucket_prefix=bucket_prefix,
                            log_requests=log_requests)
    server = Emulator(config)
    try:
        url = server.bind()
    except OSError as error:
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    kept = "in memory only" if in_memory else f"kept in {data_dir}"
    # Plain echo, never wrapped: scripts and tests read the URL from this line.
    click.echo(f"lakehouse emulator listening on {url} (S3: {s3_endpoint or 'in process'}; state {kept})")
    click.echo(f"  export AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
               f"AWS_DEFAULT_REGION={region}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        click.echo("lakehouse emulator stopped")


@emulator.command()
@click.option("--endpoint", default="http://127.0.0.1:4566", show_default=True)
def status(endpoint: str) -> None:
    """Whether an emulator answers at ENDPOINT, and how it is set up."""
    out.console.print(json.dumps(_control(endpoint, "/_lakehouse/health", "GET"), indent=2), markup=False)


@emulator.command()
@click.option("--endpoint", default="http://127.0.0.1:4566", show_default=True)
def reset(endpoint: str) -> None:
    """Clear every bucket, table, job and query of the emulator at ENDPOINT."""
    _control(endpoint, "/_lakehouse/reset", "POST")
    out.console.print(f"reset {endpoint}", markup=False)


def _control(endpoint: str, path: str, method: str) -> dict[str, object]:
    if not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"--endpoint must be an http(s):// URL (got {endpoint!r})")
    request = urllib.request.Request(endpoint.rstrip("/") + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - scheme checked above
            return json.loads(response.read())
    except (urllib.error.URLError, OSError) as error:
        raise ConfigError(f"no lakehouse emulator answers at {endpoint}: {getattr(error, 'reason', error)}") from None
