"""Every deployed resource's name, derived from the settings (bucket prefix, database, region)."""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.config import Settings
from lakehouse.zones import RESULTS_ZONE

ACCOUNT_PLACEHOLDER = "<account-id>"  # what an offline plan shows where the account id goes
DEPLOYED_BUCKETS = ("raw", "landing", "curated", "catalog", RESULTS_ZONE)
VERSIONED_BUCKETS = ("curated",)


@dataclass(frozen=True)
class Names:
    settings: Settings
    account: str = ACCOUNT_PLACEHOLDER

    @property
    def prefix(self) -> str:
        return self.settings.bucket_prefix

    def bucket(self, zone: str) -> str:
        return self.settings.bucket(zone)

    def role(self, purpose: str) -> str:
        return f"{self.prefix}lakehouse-{purpose}"

    def role_arn(self, purpose: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.role(purpose)}"

    @property
    def instance_profile(self) -> str:
        return self.role("publisher")

    @property
    def launch_template(self) -> str:
        return self.role("publisher")

    @property
    def work_group(self) -> str:
        return f"{self.prefix}lakehouse"

    @property
    def plain_http_s3(self) -> bool:
        """A plain-HTTP S3 endpoint (a local emulator) cannot satisfy a TLS-only bucket policy:
        deploy would lock itself out of its own buckets, so the policy is left out there."""
        return (self.settings.s3_endpoint or "").startswith("http://")

    @property
    def database(self) -> str:
        return self.settings.database
