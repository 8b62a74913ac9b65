"""The EC2 user data (cloud-init) that installs the platform and runs the dashboard.

It is assembled from the files in `deploy/` (systemd unit, nginx site, install script), so
the user data and the files people read are the same text. `python -m dashboards.userdata`
prints it; `deploy/user-data.yaml` is its output with placeholder settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

DEPLOY = Path(__file__).parent / "deploy"
PARTS = {  # file in deploy/ -> where cloud-init writes it
    "lakehouse-dashboard.service": ("/etc/lakehouse/lakehouse-dashboard.service", "0644"),
    "nginx-lakehouse.conf": ("/etc/lakehouse/nginx-lakehouse.conf", "0644"),
    "install.sh": ("/etc/lakehouse/install.sh", "0755"),
}


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the user data reads like the files it carries."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _string)


def render_user_data(package: str, region: str, bucket_prefix: str, database: str = "vancouver_311") -> str:
    environment = (
        "# Read by the systemd unit. No credentials: boto3 takes the instance role's.\n"
        "LAKEHOUSE_BACKEND=aws\n"
        f"AWS_REGION={region}\n"
        f"LAKEHOUSE_BUCKET_PREFIX={bucket_prefix}\n"
        f"LAKEHOUSE_DATABASE={database}\n"
        "LAKEHOUSE_HOME=/var/lib/lakehouse\n"
    )
    files = [{"path": "/etc/lakehouse/lakehouse.env", "permissions": "0644", "content": environment}]
    for name, (path, mode) in PARTS.items():
        files.append({"path": path, "permissions": mode, "content": (DEPLOY / name).read_text(encoding="utf-8")})
    document = {
        "package_update": True,
        "write_files": files,
        "runcmd": [["env", f"LAKEHOUSE_PACKAGE={package}", "bash", "/etc/lakehouse/install.sh"]],
    }
    return "#cloud-config\n" + yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="s3://YOUR-ARTIFACTS-BUCKET/vancouver_311_lakehouse-0.1.0-py3-none-any.whl")
    parser.add_argument("--region", default="ca-central-1")
    parser.add_argument("--bucket-prefix", default="vancouver-311-")
    arguments = parser.parse_args()
    print(render_user_data(arguments.package, arguments.region, arguments.bucket_prefix), end="")


if __name__ == "__main__":
    main()
