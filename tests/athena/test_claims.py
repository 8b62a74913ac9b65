"""A statement's claimed output (emulation/athena/claims.py) is trusted only inside its location:
the doctor removes claimed files, so a record edited by hand must not name anything else."""

from __future__ import annotations

import pytest

from emulation.athena.claims import OutputClaim, claimed_objects
from lakehouse.errors import InvalidObjectKey

LOCATION = "s3://curated/vancouver_311/copy/"


def test_files_under_the_claimed_location_are_its_objects() -> None:
    claim = OutputClaim("CREATE_TABLE_AS_SELECT", LOCATION, [f"{LOCATION}year=2024/x_00000.parquet"], "db.copy")
    assert claimed_objects(claim, "catalog") == [("curated", "vancouver_311/copy/year=2024/x_00000.parquet")]
    assert OutputClaim.from_document(claim.to_document()) == claim


@pytest.mark.parametrize(("location", "files"), [
    (LOCATION, ["s3://curated/vancouver_311/other/x.parquet"]),  # outside the location
    (LOCATION, ["s3://raw/vancouver_311/copy/x.parquet"]),  # another bucket
    (LOCATION, [f"{LOCATION}../../raw/x.csv"]),  # traversal
    (LOCATION, [f"{LOCATION}a\\b.parquet"]),  # a backslash
    ("s3://catalog/databases/", ["s3://catalog/databases/db/database.json"]),  # the catalog's own bucket
    ("file:///etc/", ["file:///etc/passwd"]),
])
def test_a_claim_naming_anything_else_is_not_trusted(location: str, files: list[str]) -> None:
    with pytest.raises(InvalidObjectKey):
        claimed_objects(OutputClaim("UNLOAD", location, files), "catalog")
