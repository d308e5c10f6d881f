"""Whole-response caching keyed by the graph version: a repeated query costs one tiny Cypher round trip.

Why it is safe: every CBSI writer (seed, import, reset) bumps `GraphMeta.version` when it changes the graph,
and the version is read on every request before a cached response is served, so an answer is never served
for a graph it was not computed on. Only error-free results are kept. A write made around CBSI Graph's
writers (raw Cypher on the database) does not move the version: turn the cache off (CBSI_RESPONSE_CACHE=false)
when other programs write to the same database.

Who uses this one: callers that execute the schema in-process with a `GraphQLContext` carrying `responses`
(scripts, tests). The HTTP server does not: it caches finished response bytes in front of Strawberry
(`app/cached_graphql.py`), with the same version rule, and leaves `context.responses` unset.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from strawberry.extensions import SchemaExtension

from resolvers.graph_version import VersionReads

MAX_ENTRIES = 1024


class ResponseCache:
    """A bounded LRU of execution results by (graph version, query, variables, operation)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[int, str, str, str], Any] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.reads = VersionReads()

    def get(self, key: tuple[int, str, str, str]) -> Any:
        result = self.entries.get(key)
        if result is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return result

    def put(self, key: tuple[int, str, str, str], result: Any) -> None:
        self.entries[key] = result
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)


class CachedResponses(SchemaExtension):
    """Serve a cached result for the same query on the same graph version; store fresh error-free results."""

    @staticmethod
    async def _version(context: Any, cache: ResponseCache) -> int | None:
        """The graph version, or None when Neo4j cannot say (the query then runs and reports the outage)."""
        return await cache.reads.version(context.runner)

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        cache: ResponseCache | None = getattr(context, "responses", None)
        key = None
        if cache is not None and execution.query is not None:
            try:
                variables = json.dumps(execution.variables or {}, sort_keys=True)
            except (TypeError, ValueError):
                variables = None
            version = await self._version(context, cache) if variables is not None else None
            if version is not None:
                key = (version, execution.query, variables, execution.operation_name or "")
                cached = cache.get(key)
                if cached is not None:
                    execution.result = cached
                    key = None  # served from the cache: nothing to store
        yield
        result = execution.result
        if key is not None and result is not None and not getattr(result, "errors", None):
            cache.put(key, result)  # type: ignore[union-attr]
