"""One validation per query shape: texts that differ only in String and Int literals share a verdict, and a value
that could change the verdict is still checked (no database needed: validation runs before any resolver)."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path

import graphql
import pytest
import strawberry
import strawberry.schema.schema as strawberry_schema
from graphql import Lexer, Source, TokenKind

from schema import QueryLimits, build_schema
from schema.context import GraphQLContext
from schema.document_limits import DocumentBounds, DocumentLimits, ParsedDocuments
from schema.literal_template import INT_MARK, STRING_MARK, ValidTemplates, literals_fit, template

COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "queries"
TRICKY = [
    '{ search(text: "a \\"quoted\\" # not a comment", first: 3) { score } }',
    '{ search(text: "tab\\tand \\u00e9", first: 3) { score } } # a comment with "a quote and 12',
    "query($n: Int = 7) { programs(first: $n) { totalCount } }",
    '{ x0: government(id: "gov:JM") { name } x1: government(id: "gov:BB") { name } }',
    "{ programs(first: -1) { totalCount } }",
]


def literal_tokens(text: str) -> tuple[int, int]:
    """Strings and Ints as graphql-core's own lexer finds them."""
    lexer, strings, ints = Lexer(Source(text)), 0, 0
    while (token := lexer.advance()).kind != TokenKind.EOF:
        strings += token.kind == TokenKind.STRING
        ints += token.kind == TokenKind.INT
    return strings, ints


@pytest.mark.parametrize("text", [p.read_text() for p in sorted(COOKBOOK.glob("*.graphql"))] + TRICKY)
def test_the_template_blanks_exactly_the_lexers_string_and_int_literals(text: str) -> None:
    shape = template(text)
    assert shape is not None
    blanked, ints = shape
    strings, int_count = literal_tokens(text)
    assert (blanked.count(STRING_MARK), blanked.count(INT_MARK), len(ints)) == (strings, int_count, int_count)


def test_texts_differing_in_values_share_a_template_and_others_do_not() -> None:
    one = template('{ programs(first: 5, where: {name: {contains: "youth"}}) { totalCount } }')
    other = template('{ programs(first: 50, where: {name: {contains: "police"}}) { totalCount } }')
    assert one is not None and other is not None
    assert one[0] == other[0] and (one[1], other[1]) == ([5], [50])
    assert template('{ programs(first: 5) { totalCount } }') != template('{ programs(last: 5) { totalCount } }')
    assert template("{ a(x: 1.5) }") != template("{ a(x: 2.5) }")  # Floats stay as written
    assert template("{ a(x: RED) }") != template("{ a(x: BLUE) }")  # so do enum values
    assert template('{ a(x: """block""") }') is None


def test_literals_fit_only_at_positions_where_any_value_of_their_kind_is_valid() -> None:
    schema = graphql.build_schema("scalar Date  type Query { a(d: Date, s: String, i: ID, n: Int, f: Float, "
                                  "l: [String!]): Int }")
    document = graphql.parse('{ a(s: "x", i: "y", n: 3, f: 4, l: ["p", "q"]) }')
    assert literals_fit(schema, document)
    assert not literals_fit(schema, graphql.parse('{ a(d: "2020-01-01") }'))  # a custom scalar reads the value
    assert not literals_fit(schema, graphql.parse("{ a(d: 3) }"))


@strawberry.type
class DayQuery:
    """A schema with a custom scalar input (Date), which reads its literal's value."""

    @strawberry.field
    def day(self, on: datetime.date) -> str:
        return on.isoformat()


def count_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = strawberry_schema.validate_document

    def counted(schema, document, rules):  # type: ignore[no-untyped-def]
        seen.append(graphql.print_ast(document))
        return original(schema, document, rules)

    monkeypatch.setattr(strawberry_schema, "validate_document", counted)
    return seen


def errors_of(schema: object, query: str) -> list[str]:
    context = GraphQLContext(runner=None)  # type: ignore[arg-type] - only validation is looked at
    result = asyncio.run(schema.execute(query, context_value=context))  # type: ignore[attr-defined]
    return [error.message for error in result.errors or []]


def test_a_second_text_of_a_valid_template_is_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    validated = count_validations(monkeypatch)
    schema = build_schema(QueryLimits())
    errors_of(schema, '{ government(id: "gov:JM") { name programsOperating(first: 5) { totalCount } } }')
    errors_of(schema, '{ government(id: "gov:BB") { name programsOperating(first: 9) { totalCount } } }')
    assert len(validated) == 1
    assert len(schema.templates.entries) == 1  # type: ignore[attr-defined]


def test_values_that_change_the_verdict_are_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    validated = count_validations(monkeypatch)
    schema = build_schema(QueryLimits(max_cost=10**13))
    errors_of(schema, "{ programs(first: 5) { totalCount } }")
    too_big = errors_of(schema, "{ programs(first: 3000000000) { totalCount } }")  # not a 32-bit Int
    assert any("32-bit" in message for message in too_big), too_big
    over_page = errors_of(schema, "{ programs(first: 1000) { totalCount } }")  # the page limit reads the value
    assert any("1000" in message for message in over_page), over_page
    assert len(validated) == 2  # the 32-bit value went through the standard rules; the page size did not need to


def test_an_invalid_text_is_not_kept_as_a_template(monkeypatch: pytest.MonkeyPatch) -> None:
    validated = count_validations(monkeypatch)
    schema = build_schema(QueryLimits())
    for _ in range(2):
        assert errors_of(schema, '{ programs(first: "five") { totalCount } }')
    assert len(validated) == 1  # the second one answered from the exact-text cache, not the templates
    assert not schema.templates.entries  # type: ignore[attr-defined]


def test_a_valid_template_whose_literals_do_not_fit_is_validated_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """A String at a custom scalar's position: each text is validated in full; the template is walked once."""
    bounds = DocumentBounds(max_depth=10, max_aliases=10, max_cost=1000, max_page_size=100,
                            max_query_length=1000, max_selections=100, budget_seconds=1.0)
    templates = ValidTemplates()
    schema = strawberry.Schema(query=DayQuery,
                               extensions=[lambda: DocumentLimits(bounds, ParsedDocuments(), templates)])
    validated = count_validations(monkeypatch)
    walked = []
    monkeypatch.setattr("schema.document_limits.literals_fit",
                        lambda *args: walked.append(1) or literals_fit(*args))
    assert schema.execute_sync('{ day(on: "2020-01-02") }').data == {"day": "2020-01-02"}
    assert schema.execute_sync('{ day(on: "2021-03-04") }').data == {"day": "2021-03-04"}
    assert schema.execute_sync('{ day(on: "not a date") }').errors  # the value is read: still refused
    assert (len(validated), len(walked)) == (3, 1) and list(templates.entries.values()) == [False]
