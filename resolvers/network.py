"""Network measures for GraphQL: the graph projected from Neo4j once per graph version, results cached.

Why a cache keyed by the graph version: a measure such as betweenness reads the whole graph and costs far
more than any lookup. Writers bump `GraphMeta.version` whenever they change the graph (see
`graph_seed.neo4j_writer`), so a cached projection or result is served until the graph really changes, and
never after.

Why background tasks: after a large import the projection and some measures take longer than a request may
wait (a 100k-row FA file: ~30 s to project, minutes for betweenness; `docs/benchmarks.md`). So the projection
and each measure run as one task shared by every request that needs it. A request waits up to `wait_seconds`;
if the work is not done it gets a `COMPUTING` error, the work goes on, and a later request gets the result.
The projection reads with its own Neo4j time limit (`projection_timeout`), not the request's, and everything
CPU-bound (turning records into a graph, the measures) runs in worker threads, so the event loop keeps serving
other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import networkx as nx
from neo4j import Record

from analysis.measures import MEASURES
from analysis.projection import EDGES_QUERY, INTERNAL_NODE_PROPERTIES, NODES_QUERY
from graph_seed.neo4j_writer import GRAPH_VERSION
from graph_seed.to_networkx import graph_from_rows
from resolvers.cypher import CypherRunner
from resolvers.errors import StillComputingError
from resolvers.graph_version import VersionReads

PROJECTION_TIMEOUT = 600.0  # seconds Neo4j may take to hand over the whole graph


def graph_from_records(node_records: list[Record], edge_records: list[Record]) -> nx.MultiDiGraph:
    """The projection from the rows of `NODES_QUERY` and `EDGES_QUERY` (CPU-bound: run it in a thread)."""
    return graph_from_rows(
        ((r["id"], r["label"], {k: v for k, v in r["props"].items() if k not in INTERNAL_NODE_PROPERTIES})
         for r in node_records),
        ((r["start"], r["type"], r["end"], r["props"]) for r in edge_records),
    )


class NetworkCache:
    """The projection of the newest graph version and up to `max_results` measure results for it.

    `wait_seconds`: how long one request waits for a projection or measure still being computed before it is
    told to come back (None: wait to the end, as scripts and tests want). `projection_timeout`: the Neo4j
    transaction time limit of the projection's read.
    """

    def __init__(self, max_results: int = 256, wait_seconds: float | None = None,
                 projection_timeout: float = PROJECTION_TIMEOUT) -> None:
        self.max_results = max_results
        self.wait_seconds = wait_seconds
        self.projection_timeout = projection_timeout
        self.version: int | None = None
        self.graph: nx.MultiDiGraph | None = None
        self.results: OrderedDict[str, Any] = OrderedDict()
        self.projections = 0  # how many times the graph was read (tests check the cache works)
        self.computations = 0
        self.reads = VersionReads()
        self._projecting: tuple[int, float, asyncio.Task[tuple[int, nx.MultiDiGraph]]] | None = None
        self._computing: dict[str, tuple[float, asyncio.Task[Any]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _tasks_of_this_loop(self) -> asyncio.AbstractEventLoop:
        """Tasks belong to one event loop (a server has one; scripts and tests may run several in turn)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._projecting, self._computing = loop, None, {}
        return loop

    async def current_graph(self, runner: CypherRunner, version: int | None = None,
                            deadline: float | None = None) -> tuple[int, nx.MultiDiGraph]:
        """The projection for the graph's current version, read from Neo4j only when the version moved.

        `version`: one the request already read (the HTTP cache reads it first), so it is not read twice.
        Returns the version the projection was read at (newer than `version` if the graph moved meanwhile).
        """
        if version is None:
            version = await self.reads.version(runner)
        if version is None:  # Neo4j could not say: read directly so the outage reaches the client as such
            version = int((await runner.read(GRAPH_VERSION))[0]["version"])
        if self.graph is not None and self.version is not None and version <= self.version:
            return self.version, self.graph
        loop = self._tasks_of_this_loop()
        if self._projecting is None or self._projecting[0] < version:
            # an older read still in flight finishes for its own waiters; this request needs the newer one
            task = loop.create_task(self._project(runner, version))
            task.add_done_callback(_retrieve_outcome)
            self._projecting = (version, time.monotonic(), task)
        _, started, task = self._projecting
        return await self._wait(task, started, deadline, "the graph's projection")

    async def _project(self, runner: CypherRunner, version: int) -> tuple[int, nx.MultiDiGraph]:
        try:
            reader = CypherRunner(runner.driver, runner.database, self.projection_timeout)
            version_records, node_records, edge_records = await reader.read_snapshot(
                GRAPH_VERSION, NODES_QUERY, EDGES_QUERY)
            read_version = int(version_records[0]["version"])  # the version these rows really are
            graph = await asyncio.to_thread(graph_from_records, node_records, edge_records)
            self.projections += 1
            if self.version is None or read_version > self.version:
                self.graph, self.version = graph, read_version
                self.results.clear()
            return read_version, graph
        finally:
            if self._projecting is not None and self._projecting[0] == version:
                self._projecting = None

    async def measure(self, runner: CypherRunner, name: str, options: dict[str, Any],
                      version: int | None = None) -> Any:
        """`analysis.MEASURES[name](graph, **options)`, computed once per graph version and options."""
        function: Callable[..., Any] = MEASURES[name]
        deadline = None if self.wait_seconds is None else time.monotonic() + self.wait_seconds
        version, graph = await self.current_graph(runner, version, deadline)
        key = json.dumps([version, name, options], sort_keys=True, default=str)
        if key in self.results:
            self.results.move_to_end(key)
            return self.results[key]
        loop = self._tasks_of_this_loop()
        if key not in self._computing:
            task = loop.create_task(self._compute(key, version, function, graph, options))
            task.add_done_callback(_retrieve_outcome)
            self._computing[key] = (time.monotonic(), task)
        started, task = self._computing[key]
        return await self._wait(task, started, deadline, f"{name} on graph version {version}")

    async def _compute(self, key: str, version: int, function: Callable[..., Any], graph: nx.MultiDiGraph,
                       options: dict[str, Any]) -> Any:
        try:
            result = await asyncio.to_thread(function, graph, **options)
            self.computations += 1
            if version == self.version:  # not kept for a graph that has moved on meanwhile
                self.results[key] = result
                while len(self.results) > self.max_results:
                    self.results.popitem(last=False)
            return result
        finally:
            self._computing.pop(key, None)

    @staticmethod
    async def _wait(task: asyncio.Task[Any], started: float, deadline: float | None, what: str) -> Any:
        """The task's result, or `StillComputingError` at the deadline (the task itself goes on)."""
        if deadline is None:
            return await asyncio.shield(task)
        try:
            return await asyncio.wait_for(asyncio.shield(task), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise StillComputingError(
                f"{what} is still being computed ({time.monotonic() - started:.0f} s so far); it goes on without "
                "this request: ask again shortly, the result is kept until the graph changes") from None


def _retrieve_outcome(task: asyncio.Task[Any]) -> None:
    """Every waiter may have given up: mark the outcome as seen so asyncio does not log it as lost.

    A failure still reaches every request that was waiting, and the next request starts the work again.
    """
    if not task.cancelled():
        task.exception()
