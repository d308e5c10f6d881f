"""Network measures for GraphQL: the graph projected from Neo4j once per graph version, results cached.

Why a cache keyed by the graph version: a measure such as betweenness reads the whole graph and costs far
more than any lookup. Writers bump `GraphMeta.version` whenever they change the graph (see
`graph_seed.neo4j_writer`), so a cached projection or result is served until the graph really changes, and
never after. Measures run in a worker thread so the event loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import networkx as nx

from analysis.measures import MEASURES
from analysis.projection import EDGES_QUERY, INTERNAL_NODE_PROPERTIES, NODES_QUERY
from graph_seed.neo4j_writer import GRAPH_VERSION
from graph_seed.to_networkx import graph_from_rows
from resolvers.cypher import CypherRunner
from resolvers.graph_version import VersionReads


class NetworkCache:
    """The projection of the newest graph version and up to `max_results` measure results for it."""

    def __init__(self, max_results: int = 256) -> None:
        self.max_results = max_results
        self.version: int | None = None
        self.graph: nx.MultiDiGraph | None = None
        self.results: OrderedDict[str, Any] = OrderedDict()
        self.projections = 0  # how many times the graph was read (tests check the cache works)
        self.computations = 0
        self.reads = VersionReads()
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def _loop_lock(self) -> asyncio.Lock:
        """One lock per event loop (a server has one loop; scripts and tests may run several in turn)."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def current_graph(self, runner: CypherRunner, version: int | None = None) -> tuple[int, nx.MultiDiGraph]:
        """The projection for the graph's current version, read from Neo4j only when the version moved.

        `version`: one the request already read (the HTTP cache reads it first), so it is not read twice.
        """
        if version is None:
            version = await self.reads.version(runner)
        if version is None:  # Neo4j could not say: read directly so the outage reaches the client as such
            version = int((await runner.read(GRAPH_VERSION))[0]["version"])
        async with self._loop_lock():
            if self.graph is None or version != self.version:
                node_rows = await runner.read(NODES_QUERY)
                edge_rows = await runner.read(EDGES_QUERY)
                self.graph = graph_from_rows(
                    ((r["id"], r["label"], {k: v for k, v in r["props"].items() if k not in INTERNAL_NODE_PROPERTIES})
                     for r in node_rows),
                    ((r["start"], r["type"], r["end"], r["props"]) for r in edge_rows),
                )
                self.version = version
                self.results.clear()
                self.projections += 1
            return version, self.graph

    async def measure(self, runner: CypherRunner, name: str, options: dict[str, Any],
                      version: int | None = None) -> Any:
        """`analysis.MEASURES[name](graph, **options)`, computed once per graph version and options."""
        function: Callable[..., Any] = MEASURES[name]
        version, graph = await self.current_graph(runner, version)
        key = json.dumps([version, name, options], sort_keys=True, default=str)
        if key in self.results:
            self.results.move_to_end(key)
            return self.results[key]
        result = await asyncio.to_thread(function, graph, **options)
        self.computations += 1
        self.results[key] = result
        while len(self.results) > self.max_results:
            self.results.popitem(last=False)
        return result
