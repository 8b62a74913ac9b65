"""Faults a real `3-1-1-inquiry-volume` export can carry, injected into the sample.

Each faulty line carries exactly one fault, so the counts in the report are exact.
Repairable faults only change formatting (the repaired row is the clean row);
rejected faults make a line that a loader must set aside. Duplicates copy a clean
line, BI_ID included, and are emitted after it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

REPAIRABLE: tuple[str, ...] = ("whitespace", "channel_case", "quoted_value")
REJECTED: tuple[str, ...] = (
    "missing_value", "duplicate_row", "malformed_month", "bad_count", "repeated_header")
FAULT_KINDS: tuple[str, ...] = REPAIRABLE + REJECTED
# Share of lines per kind: ~0.8% in total, headers the rarest (one per re-export).
RATES: dict[str, float] = {
    "whitespace": 0.0015, "channel_case": 0.0015, "quoted_value": 0.001,
    "missing_value": 0.001, "duplicate_row": 0.001, "malformed_month": 0.001,
    "bad_count": 0.001, "repeated_header": 0.0001,
}
MIN_DIRTY_ROWS = 100  # room for at least one fault of each kind among clean lines

_HEADER = ("Department", "Type", "Year Month", "Channel", "Number of Records", "BI_ID")
_PADS = ((" ", ""), ("", " "), ("  ", ""), ("\t", ""), ("", "\t"), (" ", " "))
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def plan(rows: int) -> dict[str, int]:
    """How many lines of each kind a dirty sample of `rows` lines carries."""
    if rows < MIN_DIRTY_ROWS:
        raise ValueError(f"a dirty sample needs at least {MIN_DIRTY_ROWS} rows, got {rows}")
    return {kind: max(1, round(rows * RATES[kind])) for kind in FAULT_KINDS}


def split(total: dict[str, int], sizes: list[int]) -> list[dict[str, int]]:
    """Spread the planned faults over chunks in proportion to their sizes."""
    weights = np.array(sizes, dtype=np.float64)
    out: list[dict[str, int]] = [{} for _ in sizes]
    for kind, count in total.items():
        share = weights / weights.sum() * count
        per = np.floor(share).astype(np.int64)
        per[np.argsort(-(share - per), kind="stable")[: count - per.sum()]] += 1
        for i, n in enumerate(per.tolist()):
            out[i][kind] = n
    return out


def inject(frame: pl.DataFrame, counts: dict[str, int], rng: np.random.Generator) -> pl.DataFrame:
    """Return `frame` (one chunk of clean rows) with the given faults injected."""
    frame = frame.with_columns(pl.all().cast(pl.String))
    n = frame.height
    modifying = [k for k in FAULT_KINDS if k not in ("duplicate_row", "repeated_header")]
    n_mod = sum(counts.get(k, 0) for k in modifying)
    n_dup, n_head = counts.get("duplicate_row", 0), counts.get("repeated_header", 0)
    if n_mod + n_dup > n or (n_head and n < 2):
        raise ValueError(f"a chunk of {n} rows cannot carry {counts}")
    picked = rng.choice(n, size=n_mod + n_dup, replace=False)
    start = 0
    for kind in modifying:
        rows = picked[start : start + counts.get(kind, 0)]
        start += len(rows)
        if len(rows):
            frame = _modify(frame, kind, rows, rng)
    sources = picked[start:]
    extra = [frame[sources]] if n_dup else []
    if n_head:
        extra.append(pl.DataFrame([list(_HEADER)] * n_head, schema=frame.columns, orient="row"))
    if not extra:
        return frame
    # A duplicate lands after its source; a repeated header strictly inside the chunk.
    where = np.concatenate([rng.integers(sources + 1, n + 1), rng.integers(1, n, n_head)])
    order = np.insert(np.arange(n), where.astype(np.int64), np.arange(n, n + n_dup + n_head))
    return pl.concat([frame, *extra])[order]


def _modify(frame: pl.DataFrame, kind: str, rows: np.ndarray, rng: np.random.Generator
            ) -> pl.DataFrame:
    """Apply one fault kind to the given row positions."""
    if kind == "whitespace":
        fields = rng.choice(["Department", "Type", "Channel"], size=len(rows))
        for field in np.unique(fields):
            at = rows[fields == field]
            pads = [_PADS[i] for i in rng.integers(0, len(_PADS), len(at))]
            values = [f"{a}{v}{b}" for v, (a, b) in zip(frame[field].gather(at), pads)]
            frame = _scatter(frame, field, at, values)
        return frame
    if kind == "channel_case":
        styles = rng.integers(0, 3, len(rows))
        values = [(v.upper(), v.lower(), v.swapcase())[s]
                  for v, s in zip(frame["Channel"].gather(rows), styles)]
        return _scatter(frame, "Channel", rows, values)
    if kind == "quoted_value":
        values = [f'"{v}"' for v in frame["Department"].gather(rows)]
        return _scatter(frame, "Department", rows, values)
    if kind == "missing_value":
        fields = rng.choice(list(_HEADER[:5]), size=len(rows))
        for field in np.unique(fields):
            at = rows[fields == field]
            frame = _scatter(frame, field, at, [None] * len(at))
        return frame
    if kind == "malformed_month":
        values = [_bad_month(v, rng) for v in frame["Year Month"].gather(rows)]
        return _scatter(frame, "Year Month", rows, values)
    if kind == "bad_count":
        values = [_bad_count(v, rng) for v in frame["Number of Records"].gather(rows)]
        return _scatter(frame, "Number of Records", rows, values)
    raise ValueError(f"unknown fault kind {kind!r}")


def _scatter(frame: pl.DataFrame, field: str, rows: np.ndarray, values: list[str | None]
             ) -> pl.DataFrame:
    series = frame[field].scatter(rows, pl.Series(values, dtype=pl.String))
    return frame.with_columns(series)


def _bad_month(label: str, rng: np.random.Generator) -> str:
    year, month = int(label[:4]), int(label[5:7])
    variants = [f"{year}-13", f"{year}/{month:02d}", f"{_MONTH_NAMES[month - 1]} {year}",
                f"{year % 100:02d}-{month:02d}"]
    if month < 10:
        variants.append(f"{year}-{month}")  # month without its leading zero
    return variants[int(rng.integers(len(variants)))]


def _bad_count(value: str, rng: np.random.Generator) -> str:
    variants = [f"-{int(rng.integers(1, 50))}", "abc", f"{value}.5",
                f"{int(rng.integers(1, 10))}e{int(rng.integers(1, 4))}", "0"]
    return variants[int(rng.integers(len(variants)))]
