"""Rewrites for Athena's array, map, JSON and regexp functions (see rewrites.py)."""

from __future__ import annotations

import re

from sqlglot import exp

from lakehouse.errors import QueryError
from lakehouse.sql.rewrites import Rewrite, arguments, call, duck, is_type, literal_text


# --- array and map ----------------------------------------------------------------------

_DISTINCT = "LIST_FILTER(_l, LAMBDA __e, __i : LIST_POSITION(_l, __e) = __i)"  # keeps first appearances, in order


def array_distinct(node: exp.Func) -> exp.Expr:
    return duck(_DISTINCT, _l=node.this)


def array_union(node: exp.Func) -> exp.Expr:
    a, b = arguments(node)
    return duck(_DISTINCT, _l=duck("LIST_CONCAT(_a, _b)", _a=a, _b=b))


def array_except(node: exp.Func) -> exp.Expr:
    a, b = arguments(node)
    return duck(_DISTINCT, _l=duck("LIST_FILTER(_a, LAMBDA __x : LIST_POSITION(_b, __x) IS NULL)", _a=a, _b=b))


def array_intersect(node: exp.Func) -> exp.Expr:
    """Trino walks the longer array (the first on a tie) and keeps what the other holds."""
    a, b = arguments(node)
    walk = "LIST_FILTER(_x, LAMBDA __x : LIST_POSITION(_y, __x) IS NOT NULL)"
    return duck(
        "CASE WHEN LEN(_a) < LEN(_b) THEN _ba ELSE _ab END",
        _a=a, _b=b, _ab=duck(_DISTINCT, _l=duck(walk, _x=a, _y=b)), _ba=duck(_DISTINCT, _l=duck(walk, _x=b, _y=a)),
    )


def arrays_overlap(node: exp.Func) -> exp.Expr:
    a, b = arguments(node)
    return duck(
        "CASE WHEN _a IS NULL OR _b IS NULL THEN NULL WHEN LIST_HAS_ANY(_a, _b) THEN TRUE "
        "WHEN LIST_POSITION(_a, NULL) IS NOT NULL OR LIST_POSITION(_b, NULL) IS NOT NULL THEN NULL ELSE FALSE END",
        _a=a, _b=b,
    )


def array_extreme(function: str) -> Rewrite:
    """array_max / array_min are NULL when any element is NULL."""
    return lambda node: duck(f"CASE WHEN LIST_POSITION(_l, NULL) IS NULL THEN {function}(_l) END", _l=node.this)


def array_position(node: exp.Func) -> exp.Expr:
    return duck("CASE WHEN _x IS NOT NULL THEN COALESCE(LIST_POSITION(_l, _x), 0) END", _l=node.this, _x=node.expression)


def array_remove(node: exp.Func) -> exp.Expr:
    # NULL elements stay (they are not equal to anything); DuckDB's `<>` filter drops them.
    return duck(
        "CASE WHEN _x IS NOT NULL THEN LIST_FILTER(_l, LAMBDA __e : __e IS DISTINCT FROM _x) END", _l=node.this, _x=node.expression
    )


def array_sort(node: exp.Func) -> exp.Expr:
    if node.args.get("expression") is not None:
        raise QueryError("NOT_SUPPORTED: array_sort with a comparator lambda")
    return node


def slice_(node: exp.Func) -> exp.Expr:
    """slice(array, start, length); DuckDB's list_slice takes an inclusive end."""
    start, length = node.args["start"], node.args["end"]
    if start.is_int and length.is_int:
        first, count = start.to_py(), length.to_py()
        last = first + count - 1 if first > 0 else min(first + count - 1, -1)
        return call("LIST_SLICE", node.this, start, exp.Literal.number(last))
    return call(
        "LIST_SLICE", node.this, start,
        duck("CASE WHEN _s > 0 THEN _s + _n - 1 ELSE LEAST(_s + _n - 1, -1) END", _s=start, _n=length),
    )


def reduce(node: exp.Func) -> exp.Expr:
    reduced = call("LIST_REDUCE", node.this, node.args["merge"], node.args["initial"])
    finish = node.args.get("finish")
    if finish is None or (len(finish.expressions) == 1 and finish.this == finish.expressions[0]):
        return reduced  # `s -> s`
    return duck("LIST_TRANSFORM([_r], _f)[1]", _r=reduced, _f=finish)


def repeat(node: exp.Func) -> exp.Expr:
    return call("REPEAT", exp.Array(expressions=[node.this.copy()]), node.args["times"])  # an array, not a string


_MAP_RESULTS = {"map", "map_agg", "map_concat", "map_from_entries", "histogram"}


def cardinality(node: exp.Func) -> exp.Expr:
    """DuckDB counts a list with len() and a map with cardinality(); each refuses the other."""
    value = node.this
    is_map = is_type(value, exp.DType.MAP) or value.meta.get("athena_name") in _MAP_RESULTS
    return call("CARDINALITY" if is_map else "LEN", value)


def map_agg(node: exp.Func) -> exp.Expr:
    key, value = arguments(node)
    return duck("MAP_FROM_ENTRIES(LIST({'key': _k, 'value': _v}) FILTER (WHERE _k IS NOT NULL))", _k=key, _v=value)


# --- JSON -------------------------------------------------------------------------------


def json_extract_scalar(node: exp.Func) -> exp.Expr:
    """NULL for an object or an array; DuckDB's ->> returns their JSON text."""
    return duck("CASE WHEN JSON_TYPE(_j, _p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE _x END", _j=node.this, _p=node.expression, _x=node)


def json_size(node: exp.Func) -> exp.Expr:
    j, path = arguments(node)
    return duck(
        "CAST(CASE WHEN JSON_TYPE(_j, _p) IS NULL THEN NULL WHEN JSON_TYPE(_j, _p) = 'ARRAY' THEN JSON_ARRAY_LENGTH(_j, _p) "
        "WHEN JSON_TYPE(_j, _p) = 'OBJECT' THEN LEN(JSON_KEYS(_j, _p)) ELSE 0 END AS BIGINT)",
        _j=j, _p=path,
    )


# --- regexp -----------------------------------------------------------------------------


def _re2_pattern(pattern: exp.Expr) -> exp.Expr:
    """Java's named groups `(?<name>…)` are `(?P<name>…)` in RE2."""
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        return exp.Literal.string(re.sub(r"(?<!\\)\(\?<(?=[A-Za-z])", "(?P<", pattern.this))
    return pattern


def regexp(node: exp.Func) -> exp.Expr:
    node.set("expression", _re2_pattern(node.expression))
    return node


def regexp_extract(node: exp.Func) -> exp.Expr:
    """No match is NULL in Athena, '' in DuckDB."""
    pattern = _re2_pattern(node.expression)
    group = node.args.get("group") or exp.Literal.number(0)
    return duck("CASE WHEN REGEXP_MATCHES(_s, _p) THEN REGEXP_EXTRACT(_s, _p, _g) END", _s=node.this, _p=pattern, _g=group)


def regexp_replace(node: exp.Func) -> exp.Expr:
    """Java replacement syntax ($1, ${name}, \\$) → RE2's (\\1, \\\\)."""
    pattern = _re2_pattern(node.expression)
    node.set("expression", pattern)
    replacement = node.args.get("replacement")
    if replacement is not None:
        text = literal_text(replacement, "the regexp_replace replacement")
        node.set("replacement", exp.Literal.string(re2_replacement(text, pattern)))
    return node


def re2_replacement(text: str, pattern: exp.Expr) -> str:
    groups, names = _groups(pattern)
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 == len(text):
                raise QueryError("INVALID_FUNCTION_ARGUMENT: character to be escaped is missing in regexp_replace")
            out.append("\\\\" if text[i + 1] == "\\" else text[i + 1])  # a literal backslash is doubled in RE2
            i += 2
            continue
        if char != "$":
            out.append(char)
            i += 1
            continue
        named = re.match(r"\{(\w+)\}", text[i + 1 :])
        if named is not None:
            if named.group(1) not in names:
                raise QueryError(f"INVALID_FUNCTION_ARGUMENT: No group with name {{{named.group(1)}}}")
            number, i = names[named.group(1)], i + 1 + len(named.group(0))
        elif text[i + 1 : i + 2].isdigit():
            number, i = int(text[i + 1]), i + 2
            while i < len(text) and text[i].isdigit() and number * 10 + int(text[i]) <= groups:  # Java reads digits greedily
                number, i = number * 10 + int(text[i]), i + 1
        else:
            raise QueryError("INVALID_FUNCTION_ARGUMENT: Illegal group reference in regexp_replace replacement")
        if number > groups:
            raise QueryError(f"INVALID_FUNCTION_ARGUMENT: No group {number}")
        if number > 9:
            raise QueryError(f"NOT_SUPPORTED: regexp_replace group ${number} (DuckDB refers to groups 0-9 only)")
        out.append(f"\\{number}")
    return "".join(out)


def _groups(pattern: exp.Expr) -> tuple[int, dict[str, int]]:
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        return 99, {}
    try:
        compiled = re.compile(pattern.this)
    except re.error:  # RE2-only syntax: count the capturing parentheses instead
        return len(re.findall(r"(?<!\\)\((?!\?)", pattern.this)), {}
    return compiled.groups, dict(compiled.groupindex)
