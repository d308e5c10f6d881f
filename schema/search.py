"""`search`: ranked full-text hits over every node type, through the `entity_search` index."""

from __future__ import annotations

import enum

import strawberry
from strawberry.types import Info

from resolvers import catalog
from resolvers import search as search_resolver
from schema.context import GraphQLContext
from schema.errors import LimitExceededError
from schema.types import Entity, to_node

NodeType = strawberry.enum(  # type: ignore[call-overload]  # the functional Enum API is invisible to mypy
    enum.Enum("NodeType", {label: label for label in catalog.QUERYABLE_LABELS}),
    description="A node type to restrict a search to (`Actor` stands for the five actor types).",
)
MAX_SEARCH_RESULTS = 100
# Bounds on what one search may ask of Lucene: each word becomes up to two clauses (exact and fuzzy), Lucene
# refuses more than 1,024 clauses, and a fuzzy term costs with its length (one 50,000-letter word took 10 s of
# Neo4j CPU, past the transaction timeout). Checked before any Cypher runs.
MAX_SEARCH_LENGTH = 256  # characters of search text
MAX_SEARCH_WORDS = 32
MAX_SEARCH_WORD_LENGTH = 64


def check_search_text(text: str) -> None:
    """Raise LimitExceededError when the text is longer, or has more or longer words, than a search allows."""
    if len(text) > MAX_SEARCH_LENGTH:
        raise LimitExceededError(f"text: {len(text)} characters; a search takes at most {MAX_SEARCH_LENGTH}")
    words = text.split()
    if len(words) > MAX_SEARCH_WORDS:
        raise LimitExceededError(f"text: {len(words)} words; a search takes at most {MAX_SEARCH_WORDS}")
    longest = max((len(word) for word in words), default=0)
    if longest > MAX_SEARCH_WORD_LENGTH:
        raise LimitExceededError(
            f"text: a word of {longest} characters; search words have at most {MAX_SEARCH_WORD_LENGTH}")


@strawberry.type(description="One search result: the node, its relevance score (higher is better) and whether "
                             "the whole text matched its id, name, an alias or a bill number exactly.")
class SearchHit:
    node: Entity
    score: float = strawberry.field(description="Lucene's relevance; exact matches have the best candidate's "
                                                "score added, so they come first.")
    exact: bool = strawberry.field(description="The whole text (case, accents and punctuation ignored) equals the "
                                               "node's graph id, name, an alias or its bill number.")
    matched_on: str | None = strawberry.field(description="For an exact hit: id, name, alias or number.")


async def search_field(
    info: Info[GraphQLContext, None], text: str, types: list[NodeType] | None, first: int  # type: ignore[valid-type]
) -> list[SearchHit]:
    if first > min(MAX_SEARCH_RESULTS, info.context.max_page_size) or first < 1:
        raise LimitExceededError(f"first: {first} is outside 1..{min(MAX_SEARCH_RESULTS, info.context.max_page_size)}")
    check_search_text(text)
    labels = None
    if types:
        labels = sorted({label for t in types for label in catalog.labels_of(t.value)})  # type: ignore[attr-defined]
    hits = await search_resolver.search(info.context.runner, text, labels, first)
    return [SearchHit(node=to_node(hit.row), score=hit.score, exact=hit.exact, matched_on=hit.matched_on)
            for hit in hits]
