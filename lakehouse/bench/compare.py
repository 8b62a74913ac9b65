"""Do two systems give the same answers to the saved queries? (So that timing them is fair.)"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

RELATIVE_TOLERANCE = 1e-9  # floating-point sums in another order; rounding is the same on both sides


def differences(expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]]) -> list[str]:
    """What differs, one line per query (empty when every answer agrees)."""
    problems = []
    for name in sorted(set(expected) | set(found)):
        if name not in found or name not in expected:
            problems.append(f"{name}: answered by one system only")
            continue
        want, got = expected[name], found[name]
        if list(want["columns"]) != list(got["columns"]):
            problems.append(f"{name}: columns {got['columns']} != {want['columns']}")
        elif len(want["rows"]) != len(got["rows"]):
            problems.append(f"{name}: {len(got['rows'])} rows != {len(want['rows'])}")
        else:
            for index, (a, b) in enumerate(zip(want["rows"], got["rows"])):
                if not all(_same(x, y) for x, y in zip(a, b)):
                    problems.append(f"{name}: row {index + 1} {b} != {a}")
                    break
    return problems


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b) and type(a) is type(b)
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return math.isclose(x, y, rel_tol=RELATIVE_TOLERANCE, abs_tol=RELATIVE_TOLERANCE)
    return str(a) == str(b)


def _number(value: Any) -> float | None:
    """A number, or a decimal the JSON carries as text (Athena's DECIMAL results)."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(Decimal(str(value)))
    except ArithmeticError:
        return None
