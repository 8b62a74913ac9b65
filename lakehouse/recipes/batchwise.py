"""Lookups that stay inside the streaming engine's row-by-row projection.

Polars' streaming engine runs `is_in` against a Series and `replace_strict` as columnar
functions: it buffers the whole input column (and, through a multiplexer, every column
beside it) before calling them. `is_in` with a literal list becomes a join-like node that
buffers as well. Both are elementwise in truth, so here they run on each batch as it
passes: the plan keeps streaming in bounded memory.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def is_in(value: pl.Expr, candidates: pl.Series | Sequence[object]) -> pl.Expr:
    """Whether each value is one of `candidates` (null where the value is null)."""
    wanted = candidates if isinstance(candidates, pl.Series) else pl.Series(list(candidates), strict=False)
    # An empty list has no type of its own: it takes the batch's.
    return value.map_batches(lambda batch: batch.is_in(wanted.cast(batch.dtype).implode() if wanted.dtype == pl.Null
                                                       else wanted.implode()),
                             return_dtype=pl.Boolean, is_elementwise=True)


def lookup(value: pl.Expr, keys: Sequence[object], found: Sequence[object], dtype: pl.DataType) -> pl.Expr:
    """`found[i]` where the value equals `keys[i]`, null elsewhere (a null value finds nothing)."""
    keys, found = list(keys), list(found)
    return value.map_batches(
        lambda batch: batch.replace_strict(keys, found, default=None, return_dtype=dtype),
        return_dtype=dtype, is_elementwise=True,
    )
