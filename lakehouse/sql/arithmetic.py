"""Division as Athena does it: exact types decide the answer, not DuckDB's float division.

* integer / integer truncates toward zero: `5 / 2` is 2, `-7 / 2` is -3 (DuckDB: 2.5, -3.5);
* a DECIMAL operand (`100.0` is DECIMAL(4,1) in Athena) gives a DECIMAL rounded half up to
  the larger of the two scales: `1.0 / 3` is 0.3, `100.0 * 1 / 8` is 12.5 (DuckDB: doubles).

Integer-ness comes from `annotate_types` (literals, casts and, given the catalog schema,
columns); decimal scales are worked out here because sqlglot types `100.0` as DOUBLE.
"""

from __future__ import annotations

from sqlglot import exp

from lakehouse.sql.rewrites import duck

# (scale, is_decimal) of an exact numeric expression: integers are decimals of scale 0.
Exact = tuple[int, bool]


def exact_type(node: exp.Expr) -> Exact | None:
    """The exact type Athena gives `node`, or None when it is floating point or unknown."""
    if isinstance(node, (exp.Paren, exp.Neg)):
        return exact_type(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        text = node.this.lower()
        if "e" in text:
            return None  # 1E0 is a DOUBLE
        return (len(text.split(".")[1]), True) if "." in text else (0, False)
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DType.DECIMAL):
        return _decimal_scale(node.to), True
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv)):
        left, right = exact_type(node.left), exact_type(node.right)
        if left is None or right is None:
            return None
        if not (left[1] or right[1]):
            return 0, False
        return (left[0] + right[0] if isinstance(node, exp.Mul) else max(left[0], right[0])), True
    if node.type is not None and node.is_type(*exp.DataType.INTEGER_TYPES):
        return 0, False
    if node.type is not None and node.is_type(exp.DType.DECIMAL):
        return _decimal_scale(node.type), True
    return None


def _decimal_scale(decimal: exp.DataType) -> int:
    params = decimal.expressions
    return int(params[1].name) if len(params) > 1 else 0  # DECIMAL(p) and DECIMAL have scale 0


def fix_division(tree: exp.Expr) -> None:
    """Rewrite each `/` whose operands Athena types exactly, innermost first."""
    decisions = [(d, exact_type(d.left), exact_type(d.right)) for d in reversed(list(tree.find_all(exp.Div, bfs=True)))]
    for division, left, right in decisions:
        if left is None or right is None:
            continue
        if not (left[1] or right[1]):
            division.replace(exp.IntDiv(this=division.left, expression=division.right))
        else:
            division.replace(_decimal_division(division.left, division.right, left[0], right[0]))


def _decimal_division(dividend: exp.Expr, divisor: exp.Expr, dividend_scale: int, divisor_scale: int) -> exp.Expr:
    """Trino's decimal division on DuckDB integers: unscaled a·10^e / b, rounded half up.

    With a = dividend·10^s1 and b = divisor·10^s2 (both whole), the quotient at scale
    s = max(s1, s2) is a·10^(s + s2 - s1) / b units of 10^-s.
    """
    scale = max(dividend_scale, divisor_scale)
    a, b = _unscaled(dividend, dividend_scale), _unscaled(divisor, divisor_scale)
    factor = 10 ** (scale + divisor_scale - dividend_scale)
    numerator = "ABS(_a)" if factor == 1 else f"ABS(_a) * {factor}"
    unit = "1" if scale == 0 else "0." + "0" * (scale - 1) + "1"
    return duck(
        f"CAST(SIGN(_a) * SIGN(_b) * (({numerator} * 2 + ABS(_b)) // (2 * ABS(_b))) AS DECIMAL(38, 0)) * {unit}",
        _a=a, _b=b,
    )


def _unscaled(value: exp.Expr, scale: int) -> exp.Expr:
    """The whole number value·10^scale, as a 128-bit integer."""
    return duck("CAST(_x AS HUGEINT)" if scale == 0 else f"CAST(_x * {10 ** scale} AS HUGEINT)", _x=value)
