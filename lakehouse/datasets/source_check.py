"""Decide, before any zone is touched, whether a file can be read as a dataset export.

Checks are cheap (the first 64 KiB): a malformed source must fail with one line that
names the file and the problem, and leave every zone as it was.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lakehouse.datasets.spec import DatasetSpec
from lakehouse.errors import SourceError

SourceFormat = Literal["csv", "json"]
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class SourceLayout:
    """How a checked source file is laid out."""

    path: Path
    format: SourceFormat
    separator: str = ";"
    header: Literal["labels", "api_ids", "none"] = "none"


def check_source(path: Path, spec: DatasetSpec) -> SourceLayout:
    """Return the file's layout, or raise SourceError naming the file and the problem."""
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a directory, expected a {spec.portal_id} export file")
    if not path.is_file():
        raise SourceError(f"{path}: not a regular file")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise SourceError(f"{path}: file is empty")
    if b"\x00" in head:
        raise SourceError(f"{path}: binary data (NUL bytes), not a CSV or JSON export")
    text = _decode_head(path, head)
    if text.lstrip().startswith(("[", "{")):
        # JSON has no line-level recovery: a broken document is refused whole, up front.
        check_json_records(path, load_json(path), spec)
        return SourceLayout(path, "json")
    return _csv_layout(path, text, spec)


def _decode_head(path: Path, head: bytes) -> str:
    # An incremental decoder tolerates a multi-byte character cut at the sniff boundary.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    return text.removeprefix("\ufeff")


def _csv_layout(path: Path, text: str, spec: DatasetSpec) -> SourceLayout:
    first_line = text.splitlines()[0] if text.splitlines() else ""
    for separator in (";", ","):
        cells = tuple(cell.strip().strip('"') for cell in first_line.split(separator))
        if cells == spec.labels:
            return SourceLayout(path, "csv", separator, "labels")
        if cells == spec.api_ids:
            return SourceLayout(path, "csv", separator, "api_ids")
    raise SourceError(
        f"{path}: line 1: header {first_line[:120]!r} does not match {spec.portal_id} "
        f"(expected {spec.header_line()!r})"
    )


def check_json_records(path: Path, records: object, spec: DatasetSpec) -> list[dict[str, object]]:
    """Accept a JSON export (a list of records) or an API page ({"results": [...]})."""
    if isinstance(records, dict) and isinstance(records.get("results"), list):
        records = records["results"]
    if not isinstance(records, list):
        raise SourceError(f"{path}: JSON export must be a list of records or an API page with 'results'")
    if not records:
        raise SourceError(f"{path}: JSON export holds no records")
    first = records[0]
    if not isinstance(first, dict) or not set(spec.api_ids) & set(first):
        raise SourceError(
            f"{path}: record 1: fields {sorted(first)[:8] if isinstance(first, dict) else first!r} "
            f"do not match {spec.portal_id} (expected {', '.join(spec.api_ids)})"
        )
    return records


def load_json(path: Path) -> object:
    """Parse a JSON export, with a one-line error that names the position."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})") from None
