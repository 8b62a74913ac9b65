"""S3's role on local folders."""

from __future__ import annotations

from emulation.s3.store import FileObjectStore

__all__ = ["FileObjectStore"]
