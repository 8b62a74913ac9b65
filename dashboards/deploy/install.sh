#!/usr/bin/env bash
# Install the platform and start the dashboard on a fresh Debian or Ubuntu EC2 instance.
# cloud-init runs it as root from user-data.yaml; it can also be run by hand.
# LAKEHOUSE_PACKAGE: a pip requirement for the platform: an s3:// URI of the wheel the
# release uploads (fetched with the instance role), a local path, or a git URL.
set -euo pipefail
: "${LAKEHOUSE_PACKAGE:?set LAKEHOUSE_PACKAGE to the platform wheel (s3://…/vancouver_311_lakehouse-….whl) or a path}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip nginx

id lakehouse >/dev/null 2>&1 || useradd --system --home-dir /var/lib/lakehouse --shell /usr/sbin/nologin lakehouse
install -d -o lakehouse -g lakehouse -m 0750 /var/lib/lakehouse
python3 -m venv /opt/lakehouse/venv

package="$LAKEHOUSE_PACKAGE"
if [[ "$package" == s3://* ]]; then
  # boto3 fetches the wheel with the instance role's credentials (no AWS CLI needed).
  workdir="$(mktemp -d)"
  /opt/lakehouse/venv/bin/pip install --quiet "boto3>=1.40,<2"
  /opt/lakehouse/venv/bin/python - "$package" "$workdir" <<'PY'
import sys
from pathlib import Path
import boto3
bucket, _, key = sys.argv[1].removeprefix("s3://").partition("/")
boto3.client("s3").download_file(bucket, key, str(Path(sys.argv[2]) / Path(key).name))
PY
  package="$workdir/$(basename "$package")"
fi
/opt/lakehouse/venv/bin/pip install --quiet "$package"

install -m 0644 /etc/lakehouse/lakehouse-dashboard.service /etc/systemd/system/lakehouse-dashboard.service
install -m 0644 /etc/lakehouse/nginx-lakehouse.conf /etc/nginx/sites-available/lakehouse
ln -sf /etc/nginx/sites-available/lakehouse /etc/nginx/sites-enabled/lakehouse
rm -f /etc/nginx/sites-enabled/default
systemctl daemon-reload
systemctl enable --now lakehouse-dashboard.service
nginx -t && systemctl reload nginx
