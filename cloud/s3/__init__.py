"""S3's role on AWS or any S3-compatible endpoint."""

from __future__ import annotations

from cloud.s3.store import S3ObjectStore

__all__ = ["S3ObjectStore"]
