"""The Strawberry schema: types, inputs, enums and the `Schema` object, with its limits and error masking."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from schema.errors import MaskInternalErrors
from schema.stats import GraphStats


@dataclass(frozen=True)
class QueryLimits:
    """Limits a request must stay within; each rejection names the limit."""

    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000


@strawberry.type
class Query:
    @strawberry.field(description="Counts of nodes by label and relationships by type.")
    def graph_stats(self) -> GraphStats:
        return GraphStats()


def build_schema(limits: QueryLimits | None = None) -> strawberry.Schema:
    """The schema with depth, alias and token limits and masked internal errors."""
    limits = limits or QueryLimits()
    return strawberry.Schema(
        query=Query,
        extensions=[
            QueryDepthLimiter(max_depth=limits.max_depth),
            MaxAliasesLimiter(max_alias_count=limits.max_aliases),
            MaxTokensLimiter(max_token_count=limits.max_tokens),
            MaskInternalErrors,
        ],
    )
