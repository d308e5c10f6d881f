"""Run read queries for one GraphQL request: parameters only, a transaction timeout, and a query counter.

Why a runner object: resolvers and loaders never see the driver's session management, every query gets the
configured Neo4j transaction timeout, and tests can count round trips to prove the loaders batch (no N+1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, LiteralString

from neo4j import AsyncDriver, Query, RoutingControl


class CypherRunner:
    """Read-only Cypher for one request (one per GraphQL context)."""

    def __init__(self, driver: AsyncDriver, database: str | None, timeout: float) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.queries_sent = 0

    async def read(self, cypher: LiteralString, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one read query and return its rows as dicts."""
        self.queries_sent += 1
        records, _, _ = await self.driver.execute_query(
            Query(cypher, timeout=self.timeout),
            parameters_=dict(params or {}),
            database_=self.database,
            routing_=RoutingControl.READ,
        )
        return [record.data() for record in records]
