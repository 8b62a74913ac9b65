from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.datasets.inquiry_volume import INQUIRY_VOLUME
from lakehouse.datasets.source_check import check_source
from lakehouse.errors import SourceError

HEADER = "Department;Type;Year Month;Channel;Number of Records;BI_ID"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_portal_csv_export_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", f"\ufeff{HEADER}\r\nA;b;2024-01;Phone;1;1\r\n".encode())
    layout = check_source(path, INQUIRY_VOLUME)
    assert (layout.format, layout.separator, layout.header) == ("csv", ";", "labels")


def test_api_field_id_header_with_commas_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", b"department,type,year_month,channel,number_of_records,bi_id\nA,b,2024-01,Phone,1,1\n")
    layout = check_source(path, INQUIRY_VOLUME)
    assert (layout.separator, layout.header) == (",", "api_ids")


def test_json_export_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path / "e.json", b'[{"department": "A", "type": "T"}]')
    assert check_source(path, INQUIRY_VOLUME).format == "json"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "file is empty"),
        ("bom-only.csv", b"\xef\xbb\xbf\r\n", "file is empty"),
        ("garbage.bin", bytes(range(256)) * 4, "binary data"),
        ("latin1.csv", "Département;x\n".encode("latin-1"), "not UTF-8"),
        ("wrong.csv", b"Date;CallsOffered;CallsHandled\n2024-01-01;1;1\n", "line 1: header"),
    ],
)
def test_malformed_sources_fail_with_one_line_naming_the_file(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(SourceError) as error:
        check_source(path, INQUIRY_VOLUME)
    text = str(error.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        check_source(tmp_path, INQUIRY_VOLUME)
    with pytest.raises(SourceError, match="no such file"):
        check_source(tmp_path / "absent.csv", INQUIRY_VOLUME)


def test_real_contact_centre_export_is_refused_as_the_wrong_dataset() -> None:
    path = Path(__file__).parents[2] / "lakehouse/datasets/bundled/contact-centre-metrics_export-2024-09.csv"
    with pytest.raises(SourceError, match="does not match 3-1-1-inquiry-volume"):
        check_source(path, INQUIRY_VOLUME)
