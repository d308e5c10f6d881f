"""The Strawberry schema: types, inputs, enums and the `Schema` object, with its limits and error masking."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter

from schema.cost import QueryCostLimiter
from schema.errors import LoggedSchema, MaskInternalErrors
from schema.query import Query
from schema.types import TYPES
from schema.validation_cache import CachedValidation, ValidationResults


@dataclass(frozen=True)
class QueryLimits:
    """Limits a request must stay within; each rejection names the limit."""

    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 50_000
    max_page_size: int = 100


def build_schema(limits: QueryLimits | None = None) -> strawberry.Schema:
    """The schema with depth, alias, token and cost limits and masked internal errors."""
    limits = limits or QueryLimits()
    validated = ValidationResults()  # one per schema: its limits decide what is valid
    return LoggedSchema(
        query=Query,
        types=list(TYPES.values()),
        extensions=[
            lambda: ParserCache(maxsize=512),
            lambda: QueryDepthLimiter(max_depth=limits.max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: QueryCostLimiter(max_cost=limits.max_cost, max_page_size=limits.max_page_size),
            lambda: CachedValidation(validated),
            MaskInternalErrors,
        ],
    )
