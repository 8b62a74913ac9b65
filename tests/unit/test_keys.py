"""The key and bucket-name validator on its own."""

from __future__ import annotations

import pytest

from lakehouse.errors import InvalidObjectKey, TerminalError
from lakehouse.keys import validate_bucket_name, validate_key, validate_prefix

VALID_KEYS = [
    "raw/3-1-1-inquiry-volume/sha256=ab12/export.csv",
    "curated/t/year=2024/part-0.parquet",
    "landing/inquiry_volume/rejected.parquet",
    "with space/file name (1).csv",
    "unicode/données-é/東京.csv",
    "emoji/📈.json",
    "a..b/c...d",
    ".hidden",
    "...",
    "100%",
    "pct/a%2Fb",  # decodes to 'a/b': safe, so kept as given
    "time=12:30",
    "x" * 1024,
    "é" * 512,  # 1024 UTF-8 bytes
]

HOSTILE = {
    "": "empty",
    "../x": "'..'",
    "a/../../x": "'..'",
    "a/..": "'..'",
    "./x": "'.'",
    "a/./b": "'.'",
    "/etc/passwd": "starts with '/'",
    "//server/share": "starts with '/'",
    "a\\b": "backslash",
    "..\\x": "backslash",
    "%2e%2e/x": "percent-decoded",
    "a/%2E%2E/%2e%2e/x": "percent-decoded",
    "..%2fx": "percent-decoded",
    "%2Fetc%2Fpasswd": "percent-decoded",
    "%252e%252e%252fx": "percent-decoded",
    "%25252e%25252e%25252fx": "percent-decoded",
    "..%5cx": "percent-decoded",
    "a%5c..%5cb": "percent-decoded",
    "a%00b": "percent-decoded",
    "a%0ab": "percent-decoded",
    "C:/x": "drive",
    "c:x": "drive",
    "a/D:/x": "drive",
    "%43%3a/x": "drive",
    "a\x00b": "control",
    "a\nb": "control",
    "a\x7fb": "control",
    "a\x85b": "control",
    "a//b": "empty path segment",
    "a/": "ends with '/'",
    "x" * 1025: "1025 UTF-8 bytes",
    "é" * 513: "1026 UTF-8 bytes",
    "bad\udc80surrogate": "surrogate",
}


@pytest.mark.parametrize("key", VALID_KEYS)
def test_ordinary_keys_pass_unchanged(key: str) -> None:
    assert validate_key(key) is key
    assert validate_prefix(key) is key


@pytest.mark.parametrize(("key", "reason"), list(HOSTILE.items()))
def test_hostile_keys_are_refused_with_a_one_line_reason(key: str, reason: str) -> None:
    with pytest.raises(InvalidObjectKey) as caught:
        validate_key(key)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message and "\x00" not in message
    assert repr(key)[:40] in message  # names the key, as repr so it stays printable


def test_invalid_key_is_a_terminal_error() -> None:
    with pytest.raises(TerminalError):
        validate_key("../x")


@pytest.mark.parametrize("prefix", ["", "raw/", "raw/3-1-1", "curated/t/year=2024/", "a"])
def test_prefixes_may_be_empty_or_end_with_a_slash(prefix: str) -> None:
    assert validate_prefix(prefix) is prefix


@pytest.mark.parametrize("prefix", ["/", "../", "a/../", "%2e%2e%2f", "a//", "/raw/", "a\\", "C:/"])
def test_hostile_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(InvalidObjectKey, match="prefix"):
        validate_prefix(prefix)


@pytest.mark.parametrize(
    "name", ["abc", "vancouver-311-raw", "my.bucket.name", "a" * 63, "0bucket9", "1-2"]
)
def test_valid_bucket_names(name: str) -> None:
    assert validate_bucket_name(name) is name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ab", "3 to 63"),
        ("a" * 64, "3 to 63"),
        ("Upper", "lowercase"),
        ("under_score", "lowercase"),
        ("-start", "starting and ending"),
        ("end-", "starting and ending"),
        ("end.", "starting and ending"),
        ("a..b", "'..'"),
        ("192.168.5.4", "IP address"),
        ("xn--bucket", "S3 has reserved"),
        ("bucket-s3alias", "S3 has reserved"),
        ("has space", "lowercase"),
        ("../etc", "lowercase"),
    ],
)
def test_invalid_bucket_names(name: str, reason: str) -> None:
    with pytest.raises(InvalidObjectKey, match="bucket name") as caught:
        validate_bucket_name(name)
    assert reason in str(caught.value)
