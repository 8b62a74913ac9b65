"""A corpus of malformed and unusual inquiry-volume exports, generated (not stored), each
named for what is wrong with it. Built from a small valid sample so each file differs from a
good export in one way."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

HEADER = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
BOM = "\ufeff"
ROWS = [
    "DBL - Property Use Inspections;Private Property Concern Case;2019-10;Phone;347;1",
    "ENG - Parking Management;Pay by Phone Inquiry;2019-11;Phone;19;2",
    "DBL - Building Inspections;Occupancy Permit Inquiry;2019-08;Phone;31;3",
    "VPD - False Alarm Reduction Program;Security Alarm Permit Case;2019-06;E-mail;3;4",
    "CMO - Risk Management;Claims Against the City Inquiry;2019-09;E-mail;14;5",
]
Maker = Callable[[Path], Path]


def _csv(lines: list[str], *, bom: bool = True, newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    return ((BOM if bom else "") + newline.join(lines) + newline).encode(encoding)


def _write(name: str, body: bytes) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(body)
        return path
    return make


def _zip_bomb() -> bytes:
    """A zip whose one member expands 1,000-fold (8 MB here; the point is that it is a zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", b"[" + b" " * 8_000_000 + b"]")
    return buffer.getvalue()


def _json_rows(records: list[dict[str, object]]) -> bytes:
    return json.dumps(records).encode()


GOOD_JSON = [{"department": "ENG - Parking Management", "type": "Pay by Phone Inquiry", "year_month": "2019-11",
              "channel": "Phone", "number_of_records": 19, "bi_id": 2}]

# name -> (maker, what a correct outcome is: "processed" or "refused")
CORPUS: dict[str, tuple[Maker, str]] = {
    "latin1-encoding": (_write("latin1.csv", _csv([HEADER, "DBL - Montréal Café Inquiry;Café Case;2019-10;Phone;3;1",
                                                   *ROWS[1:]], bom=False, encoding="latin-1")), "either"),
    "utf16-encoding": (_write("utf16.csv", _csv([HEADER, *ROWS], bom=False, encoding="utf-16")), "either"),
    "header-reordered": (_write("reordered.csv", _csv(
        ["Channel;Department;Type;Year Month;Number of Records;BI_ID",
         *[";".join([r.split(";")[3], *r.split(";")[:3], *r.split(";")[4:]]) for r in ROWS]])), "either"),
    "column-added": (_write("added.csv", _csv([HEADER + ";Extra", *[r + ";x" for r in ROWS]])), "either"),
    "column-missing": (_write("missing.csv", _csv([HEADER.rsplit(";", 1)[0], *[r.rsplit(";", 1)[0] for r in ROWS]])),
                       "either"),
    "embedded-newline": (_write("newline.csv", _csv([HEADER, 'DBL - X;"Two\nLines";2019-10;Phone;3;1', *ROWS[1:]])),
                         "either"),
    "embedded-separator": (_write("separator.csv", _csv([HEADER, 'DBL - X;"A;B";2019-10;Phone;3;1', *ROWS[1:]])),
                           "processed"),
    "one-megabyte-field": (_write("huge-field.csv", _csv([HEADER, f"DBL - X;{'y' * 1_048_576};2019-10;Phone;3;1",
                                                          *ROWS[1:]])), "either"),
    "ten-million-empty-lines": (_write("empty-lines.csv", _csv([HEADER, *ROWS]) + b"\r\n" * 10_000_000), "either"),
    "zip-bomb-as-json": (_write("export.json", _zip_bomb()), "refused"),
    "gzip-as-csv": (_write("gzipped.csv", gzip.compress(_csv([HEADER, *ROWS]))), "refused"),
    "duplicate-headers": (_write("dup-header.csv", _csv(["Department;Department;Year Month;Channel;Number of Records;"
                                                         "BI_ID", *ROWS])), "refused"),
    "thousands-separators": (_write("thousands.csv", _csv([HEADER, 'DBL - X;Case;2019-10;Phone;"1,234";1',
                                                           *ROWS[1:]])), "either"),
    "header-repeated-inside": (_write("repeated-header.csv", _csv([HEADER, *ROWS[:2], HEADER, *ROWS[2:]])), "processed"),
    "crlf-lf-mixed": (_write("mixed-newlines.csv", (BOM + HEADER + "\r\n" + "\n".join(ROWS) + "\r\n").encode()),
                      "processed"),
    "cr-only-newlines": (_write("cr-only.csv", _csv([HEADER, *ROWS], newline="\r")), "either"),
    "no-bom": (_write("no-bom.csv", _csv([HEADER, *ROWS], bom=False)), "processed"),
    "comma-separated": (_write("commas.csv", _csv([HEADER.replace(";", ","), *[r.replace(";", ",") for r in ROWS]])),
                        "either"),
    "header-only": (_write("header-only.csv", _csv([HEADER])), "either"),
    "empty-file": (_write("empty.csv", b""), "refused"),
    "nul-bytes": (_write("nul.csv", _csv([HEADER, ROWS[0].replace("Phone", "Ph\x00one"), *ROWS[1:]])), "either"),
    "truncated-mid-row": (_write("truncated.csv", _csv([HEADER, *ROWS])[:-20]), "either"),
    "unterminated-quote": (_write("open-quote.csv", _csv([HEADER, *ROWS[:2], 'DBL - X;"never closed;2019-10;Phone;3;9'])),
                           "either"),
    # DuckDB reads past a quote never closed: the rows after it would vanish, so it is refused.
    "unterminated-quote-mid-file": (_write("open-quote-mid.csv", _csv([HEADER, ROWS[0], 'DBL - X;"never closed;2019-10;'
                                                                       'Phone;3;9', *ROWS[1:]])), "refused"),
    "html-error-page": (_write("error.csv", b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n"),
                        "refused"),
    "excel-sep-line": (_write("excel.csv", _csv(["sep=;", HEADER, *ROWS])), "either"),
    "negative-and-text-counts": (_write("counts.csv", _csv([HEADER, "DBL - X;Case;2019-10;Phone;-5;1",
                                                            "DBL - Y;Case;2019-10;Phone;many;2", *ROWS[2:]])), "processed"),
    "bad-months": (_write("months.csv", _csv([HEADER, "DBL - X;Case;2019-13;Phone;5;1", "DBL - Y;Case;19-10;Phone;5;2",
                                              *ROWS[2:]])), "processed"),
    "whitespace-lines": (_write("blank-ish.csv", _csv([HEADER, ROWS[0], "   ", ";;;;;", *ROWS[1:]])), "processed"),
    "too-many-fields-in-a-row": (_write("ragged.csv", _csv([HEADER, ROWS[0] + ";extra;more", *ROWS[1:]])), "processed"),
    "too-few-fields-in-a-row": (_write("short-row.csv", _csv([HEADER, "DBL - X;Case;2019-10", *ROWS[1:]])), "processed"),
    "json-not-a-list": (_write("object.json", b'{"results": 5}'), "refused"),
    "json-wrong-fields": (_write("fields.json", _json_rows([{"dept": "x"}])), "refused"),
    "json-good": (_write("good.json", _json_rows(GOOD_JSON)), "processed"),
    "binary-garbage": (_write("garbage.csv", bytes(range(256)) * 200), "refused"),
}
