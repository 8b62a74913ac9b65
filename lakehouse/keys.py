"""Validation of bucket names and object keys, done before any I/O.

Keys become filesystem paths in the embedded store, so a key is refused when any
form of it — as given, or after any number of rounds of percent-decoding — could
step out of its bucket. A valid key is returned unchanged, never normalised, so
the object lands under exactly the key the caller gave.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from lakehouse.errors import InvalidObjectKey

MAX_KEY_BYTES = 1024  # S3's limit on a key's UTF-8 length
_MAX_DECODE_ROUNDS = 8  # more layers of encoding than any sane key carries

_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IPV4_RE = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
# Prefixes and suffixes S3 reserves for its own endpoints (access points, aliases).
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3")
# `C:` or `c:x` at the start of a segment is a drive on Windows.
_DRIVE_RE = re.compile(r"[A-Za-z]:")


def validate_bucket_name(name: str) -> str:
    """Return name if it follows S3's bucket naming rules; raise InvalidObjectKey if not."""
    reason = _bucket_problem(name)
    if reason:
        raise InvalidObjectKey(f"invalid bucket name {_show(name)}: {reason}")
    return name


def validate_key(key: str) -> str:
    """Return key unchanged if it is a safe object key; raise InvalidObjectKey if not."""
    reason = _key_problem(key, prefix=False)
    if reason:
        raise InvalidObjectKey(f"invalid object key {_show(key)}: {reason}")
    return key


def validate_prefix(prefix: str) -> str:
    """Like validate_key, but the empty prefix and a trailing '/' are allowed."""
    if prefix == "":
        return prefix
    reason = _key_problem(prefix, prefix=True)
    if reason:
        raise InvalidObjectKey(f"invalid key prefix {_show(prefix)}: {reason}")
    return prefix


def _bucket_problem(name: str) -> str | None:
    if not isinstance(name, str):
        return "not a string"
    if not 3 <= len(name) <= 63:
        return "must be 3 to 63 characters long"
    if not _BUCKET_RE.fullmatch(name):
        return (
            "only lowercase letters, digits, '.' and '-' are allowed, "
            "starting and ending with a letter or digit"
        )
    if ".." in name:
        return "must not contain '..'"
    if _IPV4_RE.fullmatch(name):
        return "must not be formatted as an IP address"
    if name.startswith(_RESERVED_BUCKET_PREFIXES) or name.endswith(_RESERVED_BUCKET_SUFFIXES):
        return "uses a prefix or suffix S3 has reserved"
    return None


def _key_problem(key: str, *, prefix: bool) -> str | None:
    if not isinstance(key, str):
        return "not a string"
    if key == "":
        return "must not be empty"
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not valid Unicode (lone surrogate)"
    if size > MAX_KEY_BYTES:
        return f"is {size} UTF-8 bytes, more than {MAX_KEY_BYTES}"
    for depth, form in enumerate(_decoded_forms(key)):
        reason = _form_problem(form, prefix=prefix)
        if reason:
            return reason if depth == 0 else f"{reason} once percent-decoded"
    return None


def _decoded_forms(key: str) -> list[str]:
    """The key and each distinct result of decoding it again (catches %252e%252e)."""
    forms = [key]
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = unquote(forms[-1], errors="replace") if "%" in forms[-1] else forms[-1]
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    return forms


def _form_problem(form: str, *, prefix: bool) -> str | None:
    if any(unicodedata.category(ch) == "Cc" for ch in form):
        return "contains a NUL or control character"
    if "\\" in form:
        return "contains a backslash"
    if form.startswith("/"):
        return "starts with '/'"
    body = form[:-1] if prefix and form.endswith("/") else form
    if body.endswith("/"):
        return "ends with '/'"
    segments = body.split("/")
    for segment in segments:
        if segment in (".", ".."):
            return f"contains a {segment!r} path segment"
        if segment == "":
            return "contains an empty path segment ('//')"
        if _DRIVE_RE.match(segment):
            return "contains a Windows drive form like 'C:'"
    return None


def _show(value: object) -> str:
    # repr keeps the message on one line even when the key holds control characters.
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
