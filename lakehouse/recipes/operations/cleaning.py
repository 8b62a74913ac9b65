"""Data-cleaning steps: character removal, replacement, trimming and letter case.

In-place steps rewrite `sourceColumn` (as text); DataBrew's text *functions* (TRIM, UPPER,
LOWER, PROPER, REMOVE_WHITESPACE, REMOVE_SYMBOLS) write a new `targetColumn` from
`sourceColumn` or a literal `value`. Nulls stay null everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from lakehouse.recipes.operations import operation
from lakehouse.recipes.operations.base import DOCS, StepContext

FUNCTIONS = f"{DOCS}functions."
SOURCE = ["sourceColumn"]
TARGET = ["targetColumn"]
SOURCE_OR_VALUE = [["sourceColumn", "value"]]

# DataBrew's REMOVE_COMBINED character classes (recipe-actions.REMOVE_COMBINED).
SPECIAL = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
PUNCTUATION = ".!,?"
QUOTES = "'\""
# Letters, digits, accented Latin letters (Latin-1 and Latin Extended-A/B) and white space.
_NOT_SYMBOL_FREE = r"[^A-Za-z0-9À-ÖØ-öø-ɏ\s]"
# Exactly the characters Rust regex's Unicode `\s` matches (the White_Space property), so
# strip_chars(WHITESPACE) removes what `^\s+|\s+$` does, without a regex pass.
WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


# shared helpers (also used by text.py, numbers.py and dates.py) -------------------------

# A batch whose first _PROBE values hold more than _PROBE // _FEW distinct ones is transformed
# row by row: encoding it would cost more than the transform saves.
_PROBE = 1024
_FEW = 4


def by_distinct_value(value: pl.Expr, transform: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType) -> pl.Expr:
    """`transform(value)`, computed once per distinct value of each batch.

    For a transform of the value alone (no other column, no row position), which is what
    regex passes over low-cardinality text are: a column of 10 million department names
    holds a few hundred distinct texts, so the regex runs a few hundred times per batch
    instead of once per row. Elementwise, so the streaming engine still runs it batch by batch.
    """
    return value.map_batches(lambda values: _by_distinct(values, transform, dtype), return_dtype=dtype,
                             is_elementwise=True)


def _by_distinct(values: pl.Series, transform: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType) -> pl.Series:
    def apply(series: pl.Series) -> pl.Series:
        return series.to_frame("value").select(transform(pl.col("value")).cast(dtype)).to_series()

    if values.dtype == pl.String and values.head(_PROBE).n_unique() <= _PROBE // _FEW:
        # A fresh Categories per batch: codes number this batch's own distinct texts from 0.
        categories = pl.Categories.random()
        coded = values.cast(pl.Categorical(categories))
        distinct = categories.to_series()
        if distinct.len() <= max(values.len() // _FEW, _PROBE):
            result = apply(distinct).gather(coded.to_physical())
            if values.null_count():
                # Nulls have no code (they gather null); give them what the transform makes of a null.
                of_null = apply(pl.Series([None], dtype=pl.String))[0]
                if of_null is not None:
                    result = result.scatter(values.is_null().arg_true(), of_null)
            return result.alias(values.name)
    return apply(values).alias(values.name)
def text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String)


def source_or_value(ctx: StepContext, source: str = "sourceColumn", value: str = "value") -> pl.Expr:
    """The source column as text, or the literal `value` on every row."""
    column = ctx.param(source)
    return text(column) if column is not None else pl.lit(ctx.required(value), pl.String)


def rewrite_text(ctx: StepContext, column: str, transform: Callable[[pl.Expr], pl.Expr]) -> pl.LazyFrame:
    """Rewrite a column in place as text; rows outside the conditions keep their value (as text)."""
    original = text(column)
    return ctx.frame.with_columns(ctx.where(transform(original), original).alias(column))


def derive(ctx: StepContext, expression: pl.Expr, source: str = "sourceColumn") -> pl.LazyFrame:
    """Write `targetColumn`, placed after the source column when there is one."""
    return ctx.add(ctx.required("targetColumn"), expression, after=ctx.param(source))


def checked_regex(ctx: StepContext, parameter: str, pattern: str | None = None) -> str:
    """A pattern Polars (Rust regex) accepts; checked now so a bad recipe fails before data."""
    pattern = ctx.required(parameter) if pattern is None else pattern
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        reason = next((line for line in lines if line.startswith("error:")), lines[0] if lines else "")
        raise ctx.error(parameter, f"is not a valid regular expression ({reason.removeprefix('error: ')})") from None
    return pattern


def char_class(characters: str) -> str:
    return "[" + "".join(re.escape(c) for c in characters) + "]"


def _first_letter_upper(part: pl.Expr) -> pl.Expr:
    """Upper-case the first letter or digit of `part`, lower-case the rest (leading symbols kept)."""
    lead = part.str.extract(r"^([^\p{L}\p{N}]*)", 1)
    body = part.str.slice(lead.str.len_chars())
    first = body.str.slice(0, 1)
    upper = first.str.to_uppercase()
    # One character in, one out (as Java's Character.toUpperCase): "ß" stays, not "SS"/"Ss".
    first = pl.when(upper.str.len_chars() == 1).then(upper).otherwise(first)
    return lead + first + body.str.slice(1).str.to_lowercase()


def capital_case(value: pl.Expr) -> pl.Expr:
    # Words are runs of non-space characters, so "don't" stays "Don't" (Polars' titlecase gives "Don'T").
    return value.str.extract_all(r"\s+|\S+").list.eval(_first_letter_upper(pl.element())).list.join("")


def sentence_case(value: pl.Expr) -> pl.Expr:
    # A sentence ends at . ! or ? ; the text after it (spaces included) starts the next one.
    return value.str.extract_all(r"[^.!?]*[.!?]*").list.eval(_first_letter_upper(pl.element())).list.join("")


# REMOVE_COMBINED -----------------------------------------------------------------------
_FLAGS = (
    "collapseConsecutiveWhitespace", "removeAllPunctuation", "removeAllQuotes", "removeAllWhitespace",
    "removeCustomCharacters", "removeCustomValue", "removeLeadingAndTrailingPunctuation",
    "removeLeadingAndTrailingQuotes", "removeLeadingAndTrailingWhitespace", "removeLetters",
    "removeNumbers", "removeSpecialCharacters",
)


@operation(
    "REMOVE_COMBINED",
    required=SOURCE,
    optional=[*_FLAGS, "customCharacters", "customValue"],
    existing_columns=SOURCE,
)
def remove_combined(ctx: StepContext) -> pl.LazyFrame:
    flags = {name: ctx.flag(name) for name in _FLAGS}
    # Removals first, then white-space collapsing, then the ends, so that "a , b" without
    # punctuation collapses to "a b" and the trimmed ends stay trimmed.
    removed = ""
    for flag, characters in (("removeSpecialCharacters", SPECIAL), ("removeAllPunctuation", PUNCTUATION),
                             ("removeAllQuotes", QUOTES)):
        if flags[flag]:
            removed += characters
    if flags["removeCustomCharacters"]:
        custom = ctx.param("customCharacters")
        if not custom:
            raise ctx.error("customCharacters", "is required when removeCustomCharacters is true")
        removed += custom
    if flags["removeCustomValue"] and not ctx.param("customValue"):
        raise ctx.error("customValue", "is required when removeCustomValue is true")
    classes = [char_class(removed)] if removed else []
    classes += [name for flag, name in (("removeLetters", "[A-Za-z]"), ("removeNumbers", "[0-9]")) if flags[flag]]
    # The ends are a plain character set, so strip_chars does what `^[ends]+|[ends]+$` would,
    # in a third of the time.
    ends = ""
    if flags["removeLeadingAndTrailingWhitespace"]:
        ends += WHITESPACE
    if flags["removeLeadingAndTrailingPunctuation"]:
        ends += PUNCTUATION
    if flags["removeLeadingAndTrailingQuotes"]:
        ends += QUOTES

    def transform(value: pl.Expr) -> pl.Expr:
        if flags["removeCustomValue"]:
            value = value.str.replace_all(ctx.required("customValue"), "", literal=True)
        if classes:
            value = value.str.replace_all("|".join(classes), "")
        if flags["removeAllWhitespace"]:
            value = value.str.replace_all(r"\s+", "")
        elif flags["collapseConsecutiveWhitespace"]:
            value = value.str.replace_all(r"\s{2,}", " ")
        if ends:
            value = value.str.strip_chars(ends)
        return value

    if classes or flags["removeCustomValue"] or flags["removeAllWhitespace"] or flags["collapseConsecutiveWhitespace"]:
        # Regex passes: once per distinct text. A strip alone is cheaper than encoding the batch.
        return rewrite_text(ctx, ctx.required("sourceColumn"),
                            lambda value: by_distinct_value(value, transform, pl.String()))
    return rewrite_text(ctx, ctx.required("sourceColumn"), transform)


@operation("REPLACE_TEXT", required=[*SOURCE, "pattern", "value"], existing_columns=SOURCE)
def replace_text(ctx: StepContext) -> pl.LazyFrame:
    # `pattern` is a regular expression (a plain string is one too); `value` may use $1 references.
    pattern = checked_regex(ctx, "pattern")
    return rewrite_text(ctx, ctx.required("sourceColumn"), lambda v: v.str.replace_all(pattern, ctx.required("value")))


def _between(ctx: StepContext) -> str:
    start, end = checked_regex(ctx, "startPattern"), checked_regex(ctx, "endPattern")
    # Named groups keep the numbering right whatever groups the delimiters contain.
    return f"(?s)(?P<lh_start>{start})(?P<lh_body>.*?)(?P<lh_end>{end})"


@operation(
    "REPLACE_BETWEEN_DELIMITERS", required=[*SOURCE, "startPattern", "endPattern", "value"],
    existing_columns=SOURCE,
)
def replace_between_delimiters(ctx: StepContext) -> pl.LazyFrame:
    # Every delimited stretch is replaced; the delimiters themselves stay.
    replacement = "${lh_start}" + ctx.required("value").replace("$", "$$") + "${lh_end}"
    regex = _between(ctx)
    return rewrite_text(ctx, ctx.required("sourceColumn"), lambda v: v.str.replace_all(regex, replacement))


def positions(ctx: StepContext) -> tuple[int, int]:
    """startPosition/endPosition: 0-based, end exclusive (as DataBrew's JavaScript console slices)."""
    start, end = ctx.integer("startPosition"), ctx.integer("endPosition")
    if start < 0:
        raise ctx.error("startPosition", f"must be 0 or more (got {start})")
    if end < start:
        raise ctx.error("endPosition", f"must not be before startPosition (got {end} < {start})")
    return start, end


@operation(
    "REPLACE_BETWEEN_POSITIONS", required=[*SOURCE, "startPosition", "endPosition", "value"],
    existing_columns=SOURCE,
)
def replace_between_positions(ctx: StepContext) -> pl.LazyFrame:
    start, end = positions(ctx)
    value = ctx.required("value")
    # Positions past the end of a shorter value clamp to its end (the value is appended).
    return rewrite_text(ctx, ctx.required("sourceColumn"),
                        lambda v: v.str.slice(0, start) + pl.lit(value) + v.str.slice(end))


# letter case, in place -------------------------------------------------------------------
_IN_PLACE_CASES: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "UPPER_CASE": lambda v: v.str.to_uppercase(),
    "LOWER_CASE": lambda v: v.str.to_lowercase(),
    "CAPITAL_CASE": capital_case,
    "SENTENCE_CASE": sentence_case,
}


def _register_in_place(name: str, transform: Callable[[pl.Expr], pl.Expr]) -> None:
    @operation(name, required=SOURCE, existing_columns=SOURCE)
    def apply(ctx: StepContext) -> pl.LazyFrame:
        return rewrite_text(ctx, ctx.required("sourceColumn"), transform)


for _name, _transform in _IN_PLACE_CASES.items():
    _register_in_place(_name, _transform)


# text functions into a new column ---------------------------------------------------------
_FUNCTIONS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "TRIM": lambda v: v.str.strip_chars(),  # ends only; inner spaces stay
    "REMOVE_WHITESPACE": lambda v: v.str.replace_all(r"\s+", ""),
    "REMOVE_SYMBOLS": lambda v: v.str.replace_all(_NOT_SYMBOL_FREE, ""),
    "UPPER": lambda v: v.str.to_uppercase(),
    "LOWER": lambda v: v.str.to_lowercase(),
    "PROPER": capital_case,
}


def _register_function(name: str, transform: Callable[[pl.Expr], pl.Expr]) -> None:
    @operation(
        name, doc=f"{FUNCTIONS}{name}.html", optional=["sourceColumn", "value"], required=TARGET,
        existing_columns=SOURCE, new_columns=TARGET, one_of=SOURCE_OR_VALUE,
    )
    def apply(ctx: StepContext) -> pl.LazyFrame:
        return derive(ctx, transform(source_or_value(ctx)))


for _name, _transform in _FUNCTIONS.items():
    _register_function(_name, _transform)
