"""Athena's date/time format strings → DuckDB strftime/strptime formats.

Athena has two pattern languages: MySQL specifiers (`date_format`, `date_parse`, e.g.
`%Y-%m-%d %H:%i`) and Joda-Time patterns (`format_datetime`, `parse_datetime`, e.g.
`yyyy-MM-dd HH:mm`). DuckDB only knows strftime, so both are rewritten once, when the
query is planned; a specifier DuckDB cannot express is an error rather than a silently
different string.
"""

from __future__ import annotations

from lakehouse.errors import QueryError

# sqlglot has already turned Athena's MySQL specifiers into Python strftime ones
# (`%i` → `%M`, `%e` → `%-d`, `%u` → `%W` …); these are the results DuckDB prints the
# way Athena does. Anything else Athena reads as the literal character after `%`.
_STRFTIME_KEPT = {
    "a", "b", "-m", "d", "-d", "f", "H", "I", "M", "j", "-H", "-I", "B", "m", "p", "S", "G", "A", "Y", "y",
}
_STRFTIME_RENAMED = {"v": "V"}  # Athena's %v is the ISO week, DuckDB's %V
# Athena refuses these (sqlglot's spelling → the specifier the user wrote).
_MYSQL_REFUSED = {"W": "%u", "w": "%w", "U": "%U", "V": "%V", "X": "%X", "D": "%D"}


def mysql_format(converted: str) -> str:
    """DuckDB format for a `date_format`/`date_parse` pattern sqlglot already converted."""
    out: list[str] = []
    i = 0
    while i < len(converted):
        char = converted[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        spec = converted[i + 1 : i + 3] if converted[i + 1 : i + 2] == "-" else converted[i + 1 : i + 2]
        i += 1 + len(spec)
        if not spec:
            continue  # a trailing lone % prints nothing in Athena
        if spec in _MYSQL_REFUSED:
            raise QueryError(f"INVALID_FUNCTION_ARGUMENT: {_MYSQL_REFUSED[spec]} not supported in date format string")
        if spec == "%":
            out.append("%%")
        elif spec in _STRFTIME_KEPT or spec in _STRFTIME_RENAMED:
            out.append("%" + _STRFTIME_RENAMED.get(spec, spec))
        else:
            out.append(spec[-1].replace("%", "%%"))  # `%q` is a literal q in Athena
    return "".join(out)


# Joda letter → strftime by run length (the longest run listed applies to longer runs).
_JODA: dict[str, dict[int, str]] = {
    "y": {1: "%Y", 2: "%y", 3: "%Y"},
    "Y": {1: "%Y", 2: "%y", 3: "%Y"},
    "u": {1: "%Y", 2: "%y", 3: "%Y"},
    "x": {1: "%G", 3: "%G"},
    "w": {2: "%V"},
    "e": {1: "%u"},
    "E": {1: "%a", 4: "%A"},
    "D": {1: "%-j", 3: "%j"},
    "M": {1: "%-m", 2: "%m", 3: "%b", 4: "%B"},
    "d": {1: "%-d", 2: "%d"},
    "a": {1: "%p"},
    "h": {1: "%-I", 2: "%I"},
    "H": {1: "%-H", 2: "%H"},
    "m": {1: "%-M", 2: "%M"},
    "s": {1: "%-S", 2: "%S"},
    "S": {3: "%g", 6: "%f"},
}

_EXACT_LENGTH = "SweD"


def _joda_field(letter: str, count: int, pattern: str) -> str:
    runs = _JODA.get(letter)
    if runs is None:
        if letter.isascii() and letter.isalpha():
            raise QueryError(f"NOT_SUPPORTED: Joda pattern letter '{letter}' in '{pattern}' has no DuckDB equivalent")
        return letter * count
    fitting = [length for length in runs if length <= count]
    # Fixed-width fields only exist at the listed lengths (`SS` would be centiseconds).
    if not fitting or (letter in _EXACT_LENGTH and count not in runs):
        raise QueryError(f"NOT_SUPPORTED: Joda pattern '{letter * count}' in '{pattern}' has no DuckDB equivalent")
    return runs[max(fitting)]


def joda_format(pattern: str) -> str:
    """DuckDB strftime/strptime format for a Joda-Time pattern (`format_datetime`, `parse_datetime`)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            if pattern[i + 1 : i + 2] == "'":  # '' is a quote character
                out.append("'")
                i += 2
                continue
            i += 1
            while True:  # quoted text, in which '' is a quote
                if i >= len(pattern):
                    raise QueryError(f"INVALID_FUNCTION_ARGUMENT: unterminated quote in Joda pattern '{pattern}'")
                if pattern[i] == "'" and pattern[i + 1 : i + 2] == "'":
                    out.append("'")
                    i += 2
                elif pattern[i] == "'":
                    i += 1
                    break
                else:
                    out.append(pattern[i].replace("%", "%%"))
                    i += 1
            continue
        count = 1
        while i + count < len(pattern) and pattern[i + count] == char:
            count += 1
        out.append(_joda_field(char, count, pattern) if char.isalpha() else (char * count).replace("%", "%%"))
        i += count
    return "".join(out)


def iso8601_format(kind: str, precision: int | None) -> str:
    """strftime format `to_iso8601` prints for a DATE or a TIMESTAMP(p) (p = 3 unless known)."""
    if kind == "DATE":
        return "%Y-%m-%d"
    digits = 3 if precision is None else precision
    fraction = {0: "", 3: ".%g", 6: ".%f"}.get(digits)
    if fraction is None:
        raise QueryError(f"NOT_SUPPORTED: to_iso8601 of timestamp({digits})")
    return "%Y-%m-%dT%H:%M:%S" + fraction
