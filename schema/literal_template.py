"""Validate a query's shape once, whatever values are written into it: the text with its literals blanked out.

Why: analysts, GraphiQL users and the soak benchmark write values into the query text (`first: 7`,
`between: ["gov:JM", "gov:BB"]`), so nearly every text is new, and the standard validation rules ran on each one:
a fifth of the server's CPU in the varied soak (py-spy, session 11). Those rules read a literal's value in one
place only, when they check that it fits the input type at its position. A String literal at a String or ID
position fits whatever it says; an Int literal at an Int, Float or ID position fits when it is within 32 bits.
So two texts that differ only in such literals get the same verdict, and the verdict can be kept under the
text's *template*: the text with each String and Int literal replaced by a mark of its kind.

What still runs on every request: parsing (cheap, and needed for execution), the 32-bit check of the Int
literals, and the limits that read values (page sizes in the cost estimate, `schema/document_limits.py`). Only a
valid verdict is kept, and only for a document whose every blanked literal sits at such a position
(`literals_fit`); any other document (a `DateTime` or `JSON` literal, an error) is validated in full as before.

The template is built with a regular expression that finds literals as GraphQL's lexer does (strings, comments,
names and numbers, left to right). It is only asked about a text the parser has accepted, so the two agree on
where each literal starts and ends; a text with a block string (`\"\"\"`) gets no template (one rule less to trust).
"""

from __future__ import annotations

import re
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

from schema.bounded_lru import BoundedLRU

_TOKENS = re.compile(r"""
    (?P<string>"(?:[^"\\\n\r]|\\.)*")
  | (?P<comment>\#[^\n\r]*)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
""", re.VERBOSE)
STRING_MARK = "\x00S"  # a NUL is refused outside a string or comment; a string is replaced whole, a comment kept
INT_MARK = "\x00I"
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
FITS_ANY_STRING = frozenset({"String", "ID"})
FITS_ANY_INT = frozenset({"Int", "Float", "ID"})


def template(query: str) -> tuple[str, list[int]] | None:
    """The text with its String and Int literals replaced by marks, and the Int literals' values; None for a text
    with a block string.

    >>> text, ints = template('{ a(first: 5, id: "gov:JM") { b(x: 1.5) } }')
    >>> text.replace(STRING_MARK, "<S>").replace(INT_MARK, "<I>"), ints
    ('{ a(first: <I>, id: <S>) { b(x: 1.5) } }', [5])
    >>> template('{ a(first: 7, id: "gov:BB") { b(x: 1.5) } }')[0] == text
    True
    >>> template('{ x0: a(n: -3) # a comment with "quotes" and 12\\n }')[1]
    [-3]
    """
    if '"""' in query:
        return None
    ints: list[int] = []

    def blank(match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind == "string":
            return STRING_MARK
        if kind == "number":
            number = match.group()
            if "." in number or "e" in number or "E" in number:
                return number  # a Float literal stays as written: not worth a rule of its own
            ints.append(int(number))
            return INT_MARK
        return match.group()  # names and comments as they are

    return _TOKENS.sub(blank, query), ints


def ints_fit(ints: list[int]) -> bool:
    """Whether every Int literal is within GraphQL's 32-bit Int (outside it, the verdict depends on the value)."""
    return all(INT_MIN <= value <= INT_MAX for value in ints)


def literals_fit(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Whether every String literal sits at a String or ID position and every Int literal at an Int, Float or ID
    position, so that no other value of the same kind could change the document's validation."""
    type_info = TypeInfo(schema)
    fits = True

    class Positions(Visitor):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            self.check(FITS_ANY_STRING)

        def enter_int_value(self, node: IntValueNode, *_args: Any) -> None:
            self.check(FITS_ANY_INT)

        @staticmethod
        def check(names: frozenset[str]) -> None:
            nonlocal fits
            expected = type_info.get_input_type()
            named = get_named_type(expected) if expected is not None else None
            if named is None or named.name not in names:
                fits = False

    visit(document, TypeInfoVisitor(type_info, Positions()))
    return fits


class ValidTemplates(BoundedLRU[str, bool]):
    """Templates of valid documents: True when any value of their blanked literals' kinds keeps them valid
    (`literals_fit`), False when not (validated in full each time, but not walked again); bounded by count and
    characters."""

    def __init__(self, max_entries: int = 512, max_chars: int = 2_000_000) -> None:
        super().__init__(max_entries, max_chars, len, max_chars // 8)
