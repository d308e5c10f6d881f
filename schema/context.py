"""The per-request GraphQL context: the Cypher runner and (lazily) the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncDriver

from resolvers.cypher import CypherRunner
from resolvers.network import NetworkCache


@dataclass
class GraphQLContext:
    """What every resolver receives as `info.context`. A new one per request, so loader caches never go stale."""

    runner: CypherRunner
    max_page_size: int = 100
    loaders: dict[str, Any] = field(default_factory=dict)
    network: NetworkCache = field(default_factory=NetworkCache)  # shared by every request of one app
    graph_version: int | None = None  # read at most once per request (`schema/network.py`), or handed over
    # by the HTTP response cache (`app/cached_graphql.py`)
    network_served: Any = None  # the network projection this request works on, one for all its fields
    # (an asyncio task of `NetworkCache.serve`, started by the first field that needs it: `schema/network.py`)
    request: Any = None
    response: Any = None

    @classmethod
    def create(cls, driver: AsyncDriver, database: str | None, timeout: float, max_page_size: int,
               network: NetworkCache | None = None) -> GraphQLContext:
        return cls(runner=CypherRunner(driver, database, timeout), max_page_size=max_page_size,
                   network=network or NetworkCache())
