"""The EC2 deployment files, checked offline: YAML, systemd unit fields, shell syntax, IAM policy."""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess

import pytest
import yaml

from dashboards.userdata import DEPLOY, render_user_data


def test_user_data_is_the_rendered_deploy_files() -> None:
    committed = (DEPLOY / "user-data.yaml").read_text(encoding="utf-8")
    assert committed == render_user_data(
        "s3://YOUR-ARTIFACTS-BUCKET/vancouver_311_lakehouse-0.1.0-py3-none-any.whl", "ca-central-1", "vancouver-311-")


def test_user_data_is_cloud_config_that_installs_and_starts_the_service() -> None:
    text = render_user_data("s3://artifacts/lakehouse.whl", "ca-central-1", "city-")
    assert text.startswith("#cloud-config\n")
    document = yaml.safe_load(text)
    files = {entry["path"]: entry for entry in document["write_files"]}
    assert files["/etc/lakehouse/install.sh"]["permissions"] == "0755"
    assert files["/etc/lakehouse/lakehouse-dashboard.service"]["content"] == \
        (DEPLOY / "lakehouse-dashboard.service").read_text(encoding="utf-8")
    environment = dict(line.split("=", 1) for line in files["/etc/lakehouse/lakehouse.env"]["content"].splitlines()
                       if line and not line.startswith("#"))
    assert environment["LAKEHOUSE_BACKEND"] == "aws"
    assert environment["LAKEHOUSE_BUCKET_PREFIX"] == "city-"
    assert not any(name.startswith("AWS_ACCESS") or "SECRET" in name for name in environment)  # the role's credentials
    assert document["runcmd"] == [["env", "LAKEHOUSE_PACKAGE=s3://artifacts/lakehouse.whl", "bash",
                                   "/etc/lakehouse/install.sh"]]
    install = files["/etc/lakehouse/install.sh"]["content"]
    for step in ("python3 -m venv /opt/lakehouse/venv", "pip install", "systemctl enable --now lakehouse-dashboard.service"):
        assert step in install


def test_systemd_unit_runs_lakehouse_serve_as_an_unprivileged_user() -> None:
    unit = configparser.ConfigParser(strict=True, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((DEPLOY / "lakehouse-dashboard.service").read_text(encoding="utf-8"))
    service = unit["Service"]
    assert service["ExecStart"].startswith("/opt/lakehouse/venv/bin/lakehouse serve ")
    assert "--host 127.0.0.1" in service["ExecStart"]  # nginx is the only way in
    assert service["User"] == "lakehouse" and service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/lakehouse/lakehouse.env"
    assert service["NoNewPrivileges"] == "true" and service["ProtectSystem"] == "strict"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in unit["Unit"]["After"]
    nginx = (DEPLOY / "nginx-lakehouse.conf").read_text(encoding="utf-8")
    assert "proxy_pass http://127.0.0.1:8050;" in nginx


def test_install_script_is_valid_bash() -> None:
    result = subprocess.run(["bash", "-n", str(DEPLOY / "install.sh")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_accepts_the_unit_syntax(tmp_path) -> None:  # type: ignore[no-untyped-def]
    unit = tmp_path / "lakehouse-dashboard.service"
    unit.write_text((DEPLOY / "lakehouse-dashboard.service").read_text(encoding="utf-8"))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    problems = [line for line in result.stderr.splitlines()
                if line.strip() and "/opt/lakehouse/venv/bin/lakehouse" not in line  # not installed here
                and "Failed to prepare filename" not in line and "Command " not in line
                and "System has not been booted with systemd" not in line and "Unit " not in line]
    assert not [line for line in problems if "Unknown key" in line or "Invalid" in line or "Failed to parse" in line], \
        result.stderr


def test_instance_role_policy_reads_and_only_writes_athena_results() -> None:
    policy = json.loads((DEPLOY / "iam-policy.json").read_text(encoding="utf-8"))
    actions = [action for statement in policy["Statement"] for action in statement["Action"]
               if statement["Effect"] == "Allow"]
    assert all("*" not in action for action in actions)
    assert not any(action.startswith(("s3:Delete", "glue:Create", "glue:Update", "glue:Delete")) for action in actions)
    writes = [s for s in policy["Statement"] if "s3:PutObject" in s["Action"]]
    assert [s["Resource"] for s in writes] == ["arn:aws:s3:::LAKEHOUSE_PREFIXathena-results/*"]
