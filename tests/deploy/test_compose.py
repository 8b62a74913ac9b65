"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the Compose
specification's JSON schema, loopback-only ports, pinned images, health checks, and every
`lakehouse` command in the file accepted by the CLI as it is today."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml

from lakehouse.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "compose" / "compose_spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(schema)  # the draft its $schema names
    problems = sorted(validator.iter_errors(compose), key=lambda error: list(error.path))
    assert not problems, "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in problems)


def test_the_topology_is_s3_emulator_pipeline_and_dashboard(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"s3", "emulator", "pipeline", "dashboard"}
    assert services["s3"]["image"] == "${LOCALSTACK_IMAGE:-localstack/localstack:4.14.0}"
    assert services["s3"]["environment"]["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"
    assert services["emulator"]["depends_on"]["s3"]["condition"] == "service_healthy"
    assert services["pipeline"]["depends_on"]["emulator"]["condition"] == "service_healthy"
    assert services["dashboard"]["depends_on"]["pipeline"]["condition"] == "service_completed_successfully"
    for name in ("s3", "emulator", "dashboard"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    for name in ("pipeline", "dashboard"):
        environment = services[name]["environment"]
        assert environment["LAKEHOUSE_BACKEND"] == "aws"
        assert environment["AWS_ENDPOINT_URL"] == "http://emulator:4567"
        assert environment["AWS_ENDPOINT_URL_S3"] == "http://s3:4566"


def test_every_published_port_is_on_loopback(compose: dict[str, Any]) -> None:
    published = [port for service in compose["services"].values() for port in service.get("ports", [])]
    assert published
    assert all(str(port).startswith("127.0.0.1:") for port in published), published


def _lakehouse_commands(compose: dict[str, Any]) -> list[list[str]]:
    commands = []
    for service in compose["services"].values():
        for command in (service.get("command"), service.get("healthcheck", {}).get("test")):
            if command and "lakehouse" in command:
                commands.append(command[command.index("lakehouse") + 1:])
    return commands


def test_every_lakehouse_command_in_the_file_parses(compose: dict[str, Any]) -> None:
    commands = _lakehouse_commands(compose)
    assert len(commands) >= 4
    for arguments in commands:
        command: click.Command = cli
        context = click.Context(cli, info_name="lakehouse")
        words = list(arguments)
        while isinstance(command, click.Group):
            assert words, f"{shlex.join(arguments)} names a group, not a command"
            name, *words = words
            found = command.get_command(context, name)
            assert found is not None, f"{shlex.join(arguments)}: no command {name!r}"
            command, context = found, click.Context(found, info_name=name, parent=context)
        command.make_context(context.info_name, words, parent=context.parent)  # raises on unknown options


def test_the_dockerfile_copies_what_exists_and_exposes_the_composed_ports(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.MULTILINE):
        for part in source.split():
            assert (ROOT / part).exists(), part
    exposed = {int(port) for line in re.findall(r"^EXPOSE (.+)$", dockerfile, flags=re.MULTILINE)
               for port in line.split()}
    container_ports = {int(str(port).rsplit(":", 1)[1]) for name in ("emulator", "dashboard")
                       for port in compose["services"][name]["ports"]}
    assert container_ports <= exposed
    assert "USER lakehouse" in dockerfile  # never runs as root
