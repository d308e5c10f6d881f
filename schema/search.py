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


@strawberry.type(description="One search result: the node and Lucene's relevance score (higher is better).")
class SearchHit:
    node: Entity
    score: float


async def search_field(
    info: Info[GraphQLContext, None], text: str, types: list[NodeType] | None, first: int  # type: ignore[valid-type]
) -> list[SearchHit]:
    if first > min(MAX_SEARCH_RESULTS, info.context.max_page_size) or first < 1:
        raise LimitExceededError(f"first: {first} is outside 1..{min(MAX_SEARCH_RESULTS, info.context.max_page_size)}")
    labels = None
    if types:
        labels = sorted({label for t in types for label in catalog.labels_of(t.value)})  # type: ignore[attr-defined]
    hits = await search_resolver.search(info.context.runner, text, labels, first)
    return [SearchHit(node=to_node(row), score=score) for row, score in hits]
