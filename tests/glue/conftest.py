"""Catalog fixtures: the same catalog on the file store and on S3 (moto over HTTP)."""

from __future__ import annotations

from pathlib import Path

import pytest
from glue_support import DATABASE, serialize_moto_conditional_puts

from cloud.s3 import S3ObjectStore
from emulation.glue.models import ObjectStoreCatalog
from emulation.s3 import FileObjectStore
from lakehouse.ports.object_store import ObjectStore


@pytest.fixture(scope="module")
def s3_store(moto_endpoint: str) -> S3ObjectStore:
    serialize_moto_conditional_puts()
    return S3ObjectStore(endpoint_url=moto_endpoint)


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "file":
        return FileObjectStore(tmp_path / "lake")
    s3: S3ObjectStore = request.getfixturevalue("s3_store")
    return s3


@pytest.fixture
def catalog(store: ObjectStore, unique_bucket: str) -> ObjectStoreCatalog:
    catalog = ObjectStoreCatalog(store, unique_bucket)
    catalog.create_database({"Name": DATABASE, "Description": "tests"})
    return catalog
