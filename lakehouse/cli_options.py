"""Options every platform command shares: --home, --backend, --bucket-prefix, --config, --debug."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from lakehouse.config import BACKENDS, load_settings
from lakehouse.platform import Platform


def platform_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--home, --backend, --config and --debug on every command."""

    @click.option("--home", type=click.Path(path_type=Path, file_okay=False), help="Lakehouse home (LAKEHOUSE_HOME).")
    @click.option("--backend", type=click.Choice(BACKENDS), help="Where it runs (LAKEHOUSE_BACKEND).")
    @click.option("--bucket-prefix", help="Prefix of the bucket names (LAKEHOUSE_BUCKET_PREFIX).")
    @click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                  help="A lakehouse.toml (default ./lakehouse.toml).")
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @functools.wraps(command)
    def wrapper(home: Path | None, backend: str | None, bucket_prefix: str | None,
                config_path: Path | None, debug: bool, **kwargs: Any) -> Any:
        settings = load_settings({"home": home, "backend": backend, "bucket_prefix": bucket_prefix},
                                 config_path=config_path)
        return command(Platform(settings), **kwargs)

    return wrapper
