"""`lakehouse serve` (the web app under waitress) and `lakehouse report` (one offline HTML file)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from lakehouse import cli_output as out
from lakehouse.cli_options import platform_options
from lakehouse.errors import ConfigError
from lakehouse.platform import Platform


def _check_host(host: str) -> None:
    if host == "localhost":
        return
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(f"--host {host!r}: give an IP address such as 127.0.0.1 or 0.0.0.0") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 to serve other machines, e.g. on EC2 behind a security group).")
@click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="WSGI worker threads.")
@platform_options
def serve(platform: Platform, host: str, port: int, threads: int) -> None:
    """Serve the web app (Dash under the waitress WSGI server), reading the lakehouse read-only."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    _check_host(host)
    from waitress import serve as waitress_serve

    from dashboards.app import MAX_REQUEST_BYTES, create_app, warm

    app = create_app(platform.settings)
    warm(app)  # cold queries now rather than on the first visitor's page
    out.console.print(f"3-1-1 dashboard on http://{host}:{port}/ (home {platform.settings.home}, "
                      f"backend {platform.settings.backend}); Ctrl-C stops it")
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="lakehouse",
                   max_request_body_size=MAX_REQUEST_BYTES + 1)  # waitress refuses at its limit itself


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@platform_options
def report(platform: Platform, output: Path) -> None:
    """Write one self-contained HTML file with the app's charts, tables and answers (readable offline)."""
    from dashboards.report import write_report

    written = write_report(platform.settings, output)
    out.console.print(f"wrote {written.path} ({written.bytes:,} bytes, {written.charts} charts, "
                      f"{written.tables} tables)")
