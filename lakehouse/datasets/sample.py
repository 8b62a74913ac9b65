"""Deterministic, realistic synthetic export of `3-1-1-inquiry-volume`.

The file looks like the City of Vancouver portal's CSV export (UTF-8 BOM, `;`,
CRLF, quoting only when needed). Each month has an expected volume per
(department, type, channel) combination, lambda = monthly total x department share
x type share x channel share; a month's rows are drawn from those combinations and
their counts from a Poisson around lambda with extra noise, which gives the real
export's heavy tail (median ~13, mean ~100, max ~25,000). Rows are generated and
written a chunk of months at a time, so memory stays flat up to 50M rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from lakehouse.datasets import sample_faults as faults
from lakehouse.datasets import sample_vocabulary as vocab

DEFAULT_ROWS = 58_000
CSV_HEADER = "Department;Type;Year Month;Channel;Number of Records;BI_ID"
COLUMNS = CSV_HEADER.split(";")
CHUNK_ROWS = 1_000_000  # rows generated and written at a time
# Tuned so the default sample matches the real export: median count 13, mean ~100,
# ~300 rows and ~170-190 types a month, rare channels on few rows.
TYPE_ZIPF = 3.0  # a department's first-listed type dominates its volume
TYPE_JITTER = 0.5  # lognormal sigma on each type's weight, drawn from the seed
CHANNEL_REACH = (1.0, 0.5, 0.2, 0.1, 0.1)  # share of types offered per channel
MAX_COUNT = 25_000  # the largest single row seen in the real export
BASE_MONTHLY_TOTAL = 30_000.0
_BOM = b"\xef\xbb\xbf"
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Calendar-month factor of the whole contact centre's volume (quiet Decembers).
_GLOBAL_SEASON = np.array([1.04, 1.0, 1.05, 1.0, 1.02, 1.06, 1.08, 1.0, 0.99, 0.97, 0.92, 0.86])


@dataclass(frozen=True)
class SampleReport:
    path: Path
    rows: int  # data lines written (every line after the header, faults included)
    first_month: str  # "YYYY-MM"
    last_month: str
    faults: dict[str, int]  # injected fault kind -> count (empty when not dirty)


def last_full_month(today: date | None = None) -> str:
    """'YYYY-MM' of the month before today's."""
    today = today or date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class _Month:
    """The combinations of one month: display indices and expected volume."""

    dept: np.ndarray  # index into _Model.dept_names
    type: np.ndarray  # index into _Model.type_names
    chan: np.ndarray  # index into vocab.CHANNELS
    lam: np.ndarray  # expected inquiries


@dataclass(frozen=True)
class _Model:
    labels: list[str]  # "YYYY-MM" per month index
    dept_names: list[str]
    type_names: list[str]
    months: list[_Month]


def _month_index(label: str) -> int:
    match = _MONTH_RE.match(label)
    if not match:
        raise ValueError(f"month must be 'YYYY-MM', got {label!r}")
    return (int(match[1]) - vocab.FIRST_YEAR) * 12 + int(match[2]) - 1


@dataclass(frozen=True)
class _Calendar:
    years: np.ndarray  # calendar year per month index
    cal: np.ndarray  # calendar month 1-12 per month index
    frac: np.ndarray  # year + (month - 1) / 12

    @classmethod
    def until(cls, end_month: str) -> _Calendar:
        n_months = _month_index(end_month) + 1
        if n_months < 1:
            raise ValueError(f"end_month must be 2009-01 or later, got {end_month!r}")
        years = vocab.FIRST_YEAR + np.arange(n_months) // 12
        cal = np.arange(n_months) % 12 + 1
        return cls(years, cal, years + (cal - 1) / 12)


def _department_weights(
    shares: list[vocab.DepartmentShare], c: _Calendar, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weight per (month, department), and each department's first and last month:
    real 2023->2024 shares, a yearly random walk further back, a seasonal cycle."""
    names = [s.name for s in shares]
    p23 = np.array([s.pct_2023 for s in shares])
    p24 = np.array([s.pct_2024 for s in shares])
    weight = p23 + (p24 - p23) * np.clip(c.frac - 2023.5, 0.0, 1.0)[:, None]
    steps = rng.normal(0.0, 0.12, size=(2023 - vocab.FIRST_YEAR, len(names)))
    walk = np.vstack([np.cumsum(steps[::-1], axis=0)[::-1], np.zeros((1, len(names)))])
    weight *= np.exp(walk[np.minimum(c.years, 2023) - vocab.FIRST_YEAR])
    for d, name in enumerate(names):
        peak, amp = vocab.SEASONS.get(name, (1, 0.0))
        weight[:, d] *= 1 + amp * np.cos(2 * np.pi * (c.cal - peak) / 12)
    first = np.array([_month_index(vocab.DEPARTMENT_START.get(n, "2009-01")) for n in names])
    # 0% in 2024 means the department closed at the end of 2023.
    last = np.where(p24 > 0, len(c.cal) - 1, _month_index("2023-12"))
    t = np.arange(len(c.cal))[:, None]
    return weight * ((t >= first) & (t <= last)), first, last


def _build_model(end_month: str, rng: np.random.Generator) -> _Model:
    c = _Calendar.until(end_month)
    n_months = len(c.cal)
    t = np.arange(n_months)[:, None]
    shares = vocab.load_department_shares()
    names = [s.name for s in shares]
    weight, first, last = _department_weights(shares, c, rng)

    # Display name per (month, department): the name it had at the time.
    dept_names = list(names)
    display = np.tile(np.arange(len(names)), (n_months, 1))
    for old, (new, since) in vocab.RENAMES.items():
        dept_names.append(old)
        display[: max(_month_index(since), 0), names.index(new)] = len(dept_names) - 1

    # Types: Zipf-like weights within a department, active years, ZZ OLD once retired.
    t_dept, t_first, t_last, t_weight, type_names = [], [], [], [], []
    type_key: dict[tuple[str, str], int] = {}
    for d, name in enumerate(names):
        for rank, entry in enumerate(vocab.DEPARTMENT_TYPES[name]):
            tname, y0, y1 = vocab.parse_type(entry)
            lo = max(first[d], (y0 - vocab.FIRST_YEAR) * 12 if y0 else 0)
            hi = min(last[d], (y1 - vocab.FIRST_YEAR) * 12 + 11 if y1 else n_months - 1)
            type_key[(name, tname)] = len(type_names)
            type_names.append(vocab.ZZ_OLD + tname if hi < n_months - 1 else tname)
            t_dept.append(d)
            t_first.append(lo)
            t_last.append(hi)
            t_weight.append((rank + 1) ** -TYPE_ZIPF * rng.lognormal(0.0, TYPE_JITTER))
    t_dept_a = np.array(t_dept)
    t_active = (t >= np.array(t_first)) & (t <= np.array(t_last))
    t_w = np.array(t_weight) * t_active
    dept_sum = np.zeros((n_months, len(names)))
    np.add.at(dept_sum.T, t_dept_a, t_w.T)
    weight *= dept_sum > 0  # a department with no open type gets no inquiries
    p_dept = weight / weight.sum(axis=1, keepdims=True)
    p_type = t_w / np.where(dept_sum > 0, dept_sum, 1.0)[:, t_dept_a] * p_dept[:, t_dept_a]

    # Monthly totals: ramp-up after the 2009 launch, seasonality, a COVID dip.
    total = BASE_MONTHLY_TOTAL * _GLOBAL_SEASON[c.cal - 1] * rng.lognormal(0.0, 0.04, n_months)
    total *= np.clip(0.7 + 0.3 * (c.frac - 2009.0) / 1.5, 0.7, 1.0)
    total[(c.frac >= 2020.25) & (c.frac < 2020.5)] *= 0.85
    chan = np.array([vocab.channel_shares(int(y), int(m)) for y, m in zip(c.years, c.cal)])
    # Only some types are reachable by the minor channels: a channel's volume is
    # spread over the types that offer it, which keeps rare channels' rows few.
    offers = rng.random((len(type_names), len(vocab.CHANNELS))) < np.array(CHANNEL_REACH)
    reach = p_type[:, :, None] * offers
    reach_sum = reach.sum(axis=1, keepdims=True)
    lam = total[:, None, None] * chan[:, None, :] * reach / np.where(reach_sum > 0, reach_sum, 1)
    for dept, tname, month, extra in vocab.SURGES:
        m, k = _month_index(month), type_key[(dept, tname)]
        if m < n_months and t_active[m, k]:
            split = chan[m] * offers[k]
            lam[m, k] += extra * split / split.sum()

    months = []
    for m in range(n_months):
        ks, cs = np.nonzero(lam[m])
        months.append(_Month(display[m, t_dept_a[ks]], ks, cs, lam[m, ks, cs]))
    labels = [f"{y:04d}-{mo:02d}" for y, mo in zip(c.years, c.cal)]
    return _Model(labels, dept_names, type_names, months)


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integers proportional to `weights` (largest remainder);
    every slot gets at least one when there are enough to go round."""
    floor = np.ones(len(weights), dtype=np.int64) if total >= len(weights) else np.zeros(
        len(weights), dtype=np.int64)
    share = weights / weights.sum() * (total - floor.sum())
    counts = floor + np.floor(share).astype(np.int64)
    rest = total - counts.sum()
    counts[np.argsort(-(share - np.floor(share)), kind="stable")[:rest]] += 1
    return counts


def _inclusion(weight: np.ndarray, n: int) -> np.ndarray:
    """Inclusion probabilities proportional to `weight`, capped at 1, summing to n."""
    pi = np.zeros_like(weight)
    sure = np.zeros(len(weight), dtype=bool)
    while True:
        free = ~sure
        pi[free] = weight[free] * (n - sure.sum()) / weight[free].sum()
        over = free & (pi >= 1.0)
        if not over.any():
            return np.minimum(pi, 1.0)
        sure |= over
        pi[sure] = 1.0


def _draw(month: _Month, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pick `n` combinations of a month and their counts.

    A combination's weight is its chance of having any inquiry that month, so at
    the default size a month's rows are what the real export would hold, and a
    smaller sample is an even thinning of them (the per-row statistics hold).
    """
    nonzero = -np.expm1(-month.lam)
    if n <= len(nonzero):
        # Systematic PPS sampling: distinct rows with exact inclusion probabilities.
        pi = _inclusion(nonzero, n)
        order = rng.permutation(len(pi))
        edges = np.cumsum(pi[order])
        edges[-1] = n  # absorb rounding so every point lands in an interval
        idx = order[np.searchsorted(edges, rng.random() + np.arange(n), side="right")]
    else:
        # More rows than combinations (very large samples): the (department, type,
        # month, channel) uniqueness is relaxed and each row is an independent draw.
        idx = rng.choice(len(nonzero), size=n, p=nonzero / nonzero.sum())
    lam = month.lam[idx]
    # Overdispersion beyond Poisson, relatively smaller for the big, steady rows.
    sigma = 0.12 + 0.25 / (1.0 + lam / 300.0)
    noise = np.exp(rng.standard_normal(n) * sigma - sigma**2 / 2)
    counts = np.clip(rng.poisson(lam * noise), 1, MAX_COUNT)
    return idx, counts


def _chunks(per_month: np.ndarray) -> Iterator[list[tuple[int, int, int]]]:
    """Group (month, rows, part) slices into chunks of at most CHUNK_ROWS rows."""
    chunk: list[tuple[int, int, int]] = []
    size = 0
    for m, n in enumerate(per_month.tolist()):
        for part, start in enumerate(range(0, n, CHUNK_ROWS)):
            take = min(CHUNK_ROWS, n - start)
            if chunk and size + take > CHUNK_ROWS:
                yield chunk
                chunk, size = [], 0
            chunk.append((m, take, part))
            size += take
    if chunk:
        yield chunk


def _chunk_frame(
    model: _Model, chunk: list[tuple[int, int, int]], seed: int, first_id: int
) -> pl.DataFrame:
    parts = []
    for m, n, part in chunk:
        rng = np.random.default_rng([seed, 1, m, part])
        idx, counts = _draw(model.months[m], n, rng)
        month = model.months[m]
        parts.append((month.dept[idx], month.type[idx], month.chan[idx], np.full(n, m), counts))
    cols = [np.concatenate(c) for c in zip(*parts)]
    order = np.random.default_rng([seed, 2, first_id]).permutation(len(cols[0]))
    dept, typ, chan, month_idx, counts = (c[order] for c in cols)
    return pl.DataFrame(
        {
            COLUMNS[0]: pl.Series(model.dept_names).gather(dept),
            COLUMNS[1]: pl.Series(model.type_names).gather(typ),
            COLUMNS[2]: pl.Series(model.labels).gather(month_idx),
            COLUMNS[3]: pl.Series(vocab.CHANNELS).gather(chan),
            COLUMNS[4]: counts.astype(np.int64),
            # BI_ID numbers the export's rows in file order, as the portal does.
            COLUMNS[5]: np.arange(first_id, first_id + len(counts), dtype=np.int64),
        }
    )


def write_sample(
    path: Path,
    rows: int = DEFAULT_ROWS,
    seed: int = 311,
    dirty: bool = False,
    end_month: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SampleReport:
    """Write a synthetic portal export of `rows` data lines to `path`."""
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    end_month = end_month or last_full_month()
    seed %= 2**64  # numpy seeds are unsigned; this keeps distinct seeds distinct
    model = _build_model(end_month, np.random.default_rng([seed, 0]))
    plan = faults.plan(rows) if dirty else {}
    clean = rows - plan.get("duplicate_row", 0) - plan.get("repeated_header", 0)
    # Rows per month follow the expected number of non-empty combinations.
    expected = np.array([-np.expm1(-m.lam).sum() for m in model.months])
    per_month = _allocate(clean, expected)
    chunks = list(_chunks(per_month))
    chunk_faults = faults.split(plan, [sum(n for _, n, _ in c) for c in chunks])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    next_id = 1
    with path.open("wb") as fh:
        fh.write(_BOM + CSV_HEADER.encode() + b"\r\n")
        for i, chunk in enumerate(chunks):
            frame = _chunk_frame(model, chunk, seed, next_id)
            next_id += len(frame)
            if dirty:
                frame = faults.inject(frame, chunk_faults[i], np.random.default_rng([seed, 3, i]))
            frame.write_csv(
                fh, include_header=False, separator=";", line_terminator="\r\n",
                quote_style="necessary",
            )
            if progress is not None:
                progress(len(frame))
    used = np.nonzero(per_month)[0]
    return SampleReport(path, rows, model.labels[used[0]], model.labels[used[-1]], dict(plan))
