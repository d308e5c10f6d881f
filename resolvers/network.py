"""Network measures for GraphQL: the graph projected from Neo4j once per graph version, results cached.

Why a cache keyed by the graph version: a measure such as betweenness reads the whole graph and costs far
more than any lookup. Writers bump `GraphMeta.version` whenever they change the graph (see
`graph_seed.neo4j_writer`), so a cached projection or result is served until the graph really changes, and
never after.

Why background tasks: after a large import the projection and some measures take longer than a request may
wait (a 100k-row FA file: about a minute until the first answer in the server, minutes for exact betweenness;
`docs/benchmarks.md`). So the projection and each measure run as one task shared by every request that needs
it. A request waits up to `wait_seconds`; if the work is not done it gets a `COMPUTING` error, the work goes
on, and a later request gets the result - or the error it ended with (kept for the graph version, or
`FAILURE_TTL` seconds for a projection). The projection reads with its own Neo4j time limit
(`projection_timeout`), one read at a time (a newer version waits for the read in flight, then one follow-up
serves every request that arrived meanwhile); at most `max_computing` measures run at once. The limit is across
requests: a request whose own measures hold the slots is never refused (its further measures wait for a slot);
another request then gets `BUSY`. A result is kept without its `top` (the whole ranking), so asking for the top 5
and then the top 10 computes once. Turning records into a graph and the measures run in worker threads, so the
event loop keeps serving other requests (they still share the interpreter lock with those threads).

Why `settle` (the server's `CBSI_NETWORK_SETTLE`): every committed import batch moves the version, so during an
import a projection read for one version is out of date before it ends, and reading the whole growing graph
again for every batch never finishes (issue #15's soak: RSS followed the rows in flight). With `settle` > 0 and
a complete projection at hand, a newer version is projected only once it has stayed the same for `settle`
seconds (as this cache saw it), and at most one projection starts per `settle` seconds; a read in flight for a
version the graph has since moved past is cancelled (its rows are dropped with it). Meanwhile requests get the
last complete projection at once, and `Served` says which version it describes and whether it is stale, so
answers never pass for newer than they are. `settle` = 0 (scripts, tests, the CLI) reads each new version
as soon as it is asked for, as before.

Why a large projection is not kept while its successor is read (`keep_stale_max`): the grown graph's projection is
~257 MiB (43,966 nodes, 168,239 relationships), and keeping it to serve stale answers while the next version's
graph was built held two of them at once (issue #15's like-with-like soak, session 9: RSS 553 -> 695 MiB while the
second was built, `docs/benchmarks.md`). A projection of more than `keep_stale_max` nodes and relationships is
dropped when the next read starts; requests meanwhile wait for that read (up to `wait_seconds`, then `COMPUTING`)
and get its projection, stale if the graph moved on during the read (such a read is not cancelled: there is
nothing else to serve). A small one (the curated graph: a few thousand) is still served stale meanwhile.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from neo4j import READ_ACCESS, Record

from analysis.measures import MEASURES
from analysis.projection import EDGES_QUERY, INTERNAL_NODE_PROPERTIES, NODES_QUERY
from graph_seed.neo4j_writer import GRAPH_VERSION
from graph_seed.to_networkx import graph_from_rows
from resolvers.background import BackgroundTasks
from resolvers.cypher import CypherRunner
from resolvers.errors import BusyError, ProjectionTimeoutError, StillComputingError, is_timeout
from resolvers.graph_version import GraphVersion
from resolvers.measure_store import MAX_RESULTS, MAX_ROWS, MeasureStore
from resolvers.release_memory import release_freed_memory
from resolvers.row_feed import RowFeed

PROJECTION_TIMEOUT = 600.0  # seconds Neo4j may take to hand over the whole graph
MAX_COMPUTING = 4  # measures computed at once (each may hold a core for minutes on a large graph)
FAILURE_TTL = 60.0  # seconds a failed projection is reported as such before it is tried again
CHUNK_ROWS = 2_000  # rows handed to the graph builder at once (`read_projection`)
MAX_CHUNKS_QUEUED = 4  # chunks waiting for the builder: at most this many times CHUNK_ROWS rows held besides the graph
# the largest projection (nodes + relationships) kept to be served stale while its successor is read: ~1,300 bytes
# each, so at most ~130 MiB held twice; a larger one is dropped as the next read starts (see `NetworkCache`)
KEEP_STALE_MAX = 100_000


def _head(result: Any, top: int | None) -> Any:
    """The first `top` rows of a ranked result (a `Table`); other results as they are."""
    if top is None or not hasattr(result, "head"):
        return result
    return result.head(int(top))


def graph_from_records(node_records: Iterable[Record], edge_records: Iterable[Record]) -> nx.MultiDiGraph:
    """The projection from the rows of `NODES_QUERY` and `EDGES_QUERY` (CPU-bound: run it in a thread).

    The rows may be iterators that are still being read (`read_projection`): every node row is consumed before
    the first edge row, and each row is dropped once it is in the graph. Neo4j reads are read-committed: a
    relationship committed between the two queries can name a node the first did not return. Such edges are
    left out rather than adding a node without its label.
    """
    ids: set[str] = set()

    def nodes() -> Iterator[tuple[str, str, dict[str, Any]]]:
        for r in node_records:
            ids.add(r["id"])
            yield r["id"], r["label"], {k: v for k, v in r["props"].items() if k not in INTERNAL_NODE_PROPERTIES}

    def edges() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        for r in edge_records:
            if r["start"] in ids and r["end"] in ids:
                yield r["start"], r["type"], r["end"], r["props"]

    return graph_from_rows(nodes(), edges())


async def read_projection(runner: CypherRunner, timeout: float) -> tuple[int, nx.MultiDiGraph]:
    """The graph version and the whole graph, read in one transaction and built while it is read.

    Why streamed: the rows of a grown graph (the soak's 30,000-row import: 43,966 nodes, 168,239 edges) held all
    at once added 128 MiB to the 257 MiB of the graph built from them (`docs/benchmarks.md`, "Where the memory
    goes", session 7). Rows are read `CHUNK_ROWS` at a time and handed to a worker thread that adds them to the graph
    (`graph_from_records`), so the event loop only decodes and the rows held at once stay bounded. One explicit
    transaction, not a retried transaction function: a retry would feed the builder the same rows twice (the feed
    starts it again only after a transient failure before the first row, `resolvers.row_feed`).
    """
    runner.queries_sent += 3
    feed = RowFeed(MAX_CHUNKS_QUEUED)

    async def read() -> int:
        async with runner.driver.session(database=runner.database, default_access_mode=READ_ACCESS) as session:
            tx = await session.begin_transaction(timeout=timeout)
            try:
                version = int((await (await tx.run(GRAPH_VERSION)).single(strict=True))["version"])
                for cypher in (NODES_QUERY, EDGES_QUERY):
                    await feed.read_chunks(await tx.run(cypher), CHUNK_ROWS)
            finally:
                await tx.close()
            return version

    version, graph = await feed.build_while(read, runner, graph_from_records, feed.rows(), feed.rows(),
                                            seconds=timeout)
    return version, graph


@dataclass(frozen=True)
class Projection:
    """A complete projection: the graph version it was read at, the graph, when it was read (epoch seconds)."""

    version: int
    graph: nx.MultiDiGraph
    read_at: float


@dataclass(frozen=True)
class Served:
    """The projection one request works on (every network field of the request uses the same one)."""

    projection: Projection
    current: int  # the graph version the request saw
    deadline: float | None  # when the request stops waiting for the projection or a measure

    @property
    def stale(self) -> bool:
        """True when the graph has moved past the projection (a newer one is read once the graph is still)."""
        return self.projection.version < self.current


@dataclass
class _Work:
    """One projection or measure in the background, and what requests need to know about it."""

    started: float
    task: asyncio.Task[Any] | None = None  # set right after the work is created (the task needs the work)
    floor: int = 0  # a projection: the version it reads at least (it reads the version when it starts)
    reading: bool = False  # a projection: has started its read (newer versions need a follow-up)
    owners: set[int] = field(default_factory=set)  # a measure: the requests (ids of their tokens) waiting for it


@dataclass
class _ProjectionFailure:
    error: BaseException
    version: int  # the version the failed read would have covered
    when: float


class NetworkCache:
    """The projection of the newest graph version and up to `max_results` measure results for it.

    `wait_seconds`: how long one request waits for a projection or measure still being computed before it is
    told to come back (None: wait to the end, as scripts and tests want). `projection_timeout`: the Neo4j
    transaction time limit of the projection's read. `max_computing`: measures computed at once; a request for
    another one meanwhile gets `BUSY`.
    """

    def __init__(self, max_results: int = MAX_RESULTS, wait_seconds: float | None = None,
                 projection_timeout: float = PROJECTION_TIMEOUT, max_computing: int = MAX_COMPUTING,
                 versions: GraphVersion | None = None, max_rows: int = MAX_ROWS, settle: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, keep_stale_max: int = KEEP_STALE_MAX) -> None:
        self.wait_seconds = wait_seconds
        self.settle = settle  # see the module docstring; `clock` lets tests move time without sleeping
        self.keep_stale_max = keep_stale_max  # with `settle`: see the module docstring
        self.dropped = 0  # projections dropped before their successor was read (too large to keep twice)
        self.clock = clock
        self.projection_timeout = projection_timeout
        self.max_computing = max_computing
        self.version: int | None = None
        self.graph: nx.MultiDiGraph | None = None
        self.read_at = 0.0  # when `graph` was read (epoch seconds)
        self.abandoned = 0  # projections cancelled because the graph moved past them during their read
        self._seen: int | None = None  # the newest version asked for, and since when (`clock`) it is the newest
        self._seen_since = 0.0
        self._last_start: float | None = None  # `clock` when the last projection started
        # results and errors of `version` only, bounded (`resolvers/measure_store.py`)
        self.store = MeasureStore(max_results=max_results, max_rows=max_rows)
        self.projections = 0  # how many times the graph was read (tests check the cache works)
        self.computations = 0
        self.versions = versions or GraphVersion()  # the app's own (`app/server.py`), shared with the HTTP cache
        # one read at a time, each started after the previous ended: they finish in order, the last one wins
        self._projecting: _Work | None = None
        self._projection_failure: _ProjectionFailure | None = None
        self._computing: dict[str, _Work] = {}
        self._tasks = BackgroundTasks()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None

    def describe(self) -> dict[str, object]:
        """What the cache holds now (diagnostics: `app/memory_trace.py`)."""
        graph = self.graph
        return {"network_version": self.version,
                "projection": None if graph is None else f"{graph.number_of_nodes()}n/{graph.number_of_edges()}e",
                "results": len(self.store.results), "result_rows": self.store.total_rows,
                "computing": len(self._computing), "failed": len(self.store.failed),
                "projecting": self._projecting is not None, "projections": self.projections,
                "abandoned": self.abandoned, "dropped": self.dropped}

    def _this_loop(self) -> asyncio.AbstractEventLoop:
        """Background work belongs to one event loop (a server has one; scripts and tests may run several in
        turn): what an earlier loop was computing, or saw fail, is forgotten with it."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._projecting, self._computing = loop, None, {}
            self._projection_failure = None
            self.store.failed.clear()
            self._slots = asyncio.Semaphore(self.max_computing)
        return loop

    async def read_version(self, runner: CypherRunner) -> int:
        """The graph version now (shared reads); if Neo4j cannot say, a direct read reports the outage."""
        version = await self.versions.reads.version(runner)
        if version is None:
            version = int((await runner.read(GRAPH_VERSION))[0]["version"])
        return version

    async def serve(self, runner: CypherRunner, version: int | None = None) -> Served:
        """The projection a request works on, with the version the request saw (see `Served`)."""
        deadline = None if self.wait_seconds is None else time.monotonic() + self.wait_seconds
        if version is None:
            version = await self.read_version(runner)
        return Served(await self.current_graph(runner, version, deadline), version, deadline)

    async def current_graph(self, runner: CypherRunner, version: int | None = None,
                            deadline: float | None = None) -> Projection:
        """The projection for the graph's current version, read from Neo4j only when the version moved.

        `version`: one the request already read (the HTTP cache reads it first), so it is not read twice.
        Returns the projection, whose version may be newer than `version` (the graph moved meanwhile) or, with
        `settle` > 0, older (the graph is still moving, or its new projection is being read).
        """
        if version is None:
            version = await self.read_version(runner)
        if self.graph is not None and version == self.version:
            return self._current()
        self._this_loop()
        if version != self._seen:
            self._seen, self._seen_since = version, self.clock()
        if self.settle > 0 and self.graph is not None:
            self._settle(runner, version)
            return self._current()
        work = self._projecting
        if self.settle > 0 and self.version is not None and work is not None and work.reading:
            # the last projection was dropped for this read (too large to keep twice): it is all there is to serve
            return await self._wait(work, deadline, "the graph's projection")
        failure = self._projection_failure
        if failure and failure.version >= version and time.monotonic() - failure.when < FAILURE_TTL:
            raise failure.error.with_traceback(None)
        work = self._projecting
        if work is None or (work.reading and work.floor < version):
            work = self._start(runner, version)
        elif not work.reading:
            work.floor = max(work.floor, version)  # its read, still to come, will see this version
        return await self._wait(work, deadline, "the graph's projection")

    async def projection_done(self) -> None:
        """Wait until the projection being read (if any) has ended, however it ends (scripts and tests)."""
        work = self._projecting
        if work is not None and work.task is not None:
            await asyncio.wait({work.task})

    def _current(self) -> Projection:
        assert self.graph is not None and self.version is not None
        return Projection(self.version, self.graph, self.read_at)

    def _start(self, runner: CypherRunner, version: int) -> _Work:
        previous, work = self._projecting, _Work(started=time.monotonic(), floor=version)
        work.task = self._tasks.start(self._this_loop(), self._project(runner, work, previous))
        self._projecting, self._last_start = work, self.clock()
        return work

    def _settle(self, runner: CypherRunner, version: int) -> None:
        """With a projection to serve meanwhile: abandon a read the graph has moved past; start one for
        `version` once it has been the newest for `settle` seconds and no projection started in that time."""
        work = self._projecting
        if work is not None and work.reading and work.floor < version and work.task is not None:
            work.task.cancel()  # its rows would describe a version already gone; the driver drops the read
            self._projecting, work = None, None
            self.abandoned += 1
        if work is not None:
            return  # a read of this version (or one still to start) is under way
        now = self.clock()
        if now - self._seen_since < self.settle:
            return  # the graph is still moving
        if self._last_start is not None and now - self._last_start < self.settle:
            return  # at most one projection per `settle` seconds
        failure = self._projection_failure
        if failure and failure.version >= version and time.monotonic() - failure.when < FAILURE_TTL:
            return  # failed lately for this version: the last complete projection is served meanwhile
        self._start(runner, version)

    async def _project(self, runner: CypherRunner, work: _Work, previous: _Work | None) -> Projection:
        try:
            if previous is not None and previous.task is not None:
                await asyncio.wait({previous.task})  # one whole-graph read at a time
            previous = None  # its task's result is the previous graph: not this frame's to keep alive
            self._drop_if_large()
            work.reading = True
            try:
                read_version, graph = await read_projection(runner, self.projection_timeout)
            except Exception as exc:
                if not is_timeout(exc):
                    raise
                raise ProjectionTimeoutError(
                    f"reading the whole graph for network measures took longer than {self.projection_timeout:g} s "
                    "(CBSI_NETWORK_TIMEOUT); raise that limit for a graph this large") from None
            self.projections += 1
            # also a version that went back (GraphMeta deleted): reads end in order. The superseded graph is
            # dropped here, with its results and errors; only measures still running on it hold it until they end.
            self.store.move_to(read_version)
            self.graph, self.version, self.read_at = graph, read_version, time.time()
            del graph
            await asyncio.to_thread(release_freed_memory)  # the superseded graph's memory back to the system
            self._projection_failure = None
            return self._current()
        except Exception as exc:
            # without its traceback: the frames hold the rows read and the previous work (and its graph)
            self._projection_failure = _ProjectionFailure(exc.with_traceback(None), work.floor, time.monotonic())
            raise
        finally:
            if self._projecting is work:
                self._projecting = None

    def _drop_if_large(self) -> None:
        """With `settle`, drop the served projection before its successor is read when it is too large to hold
        twice (`keep_stale_max`); its version stays known, so requests wait for the read instead of starting one."""
        graph = self.graph
        if self.settle > 0 and graph is not None and \
                graph.number_of_nodes() + graph.number_of_edges() > self.keep_stale_max:
            self.graph = None
            self.dropped += 1

    async def measure(self, runner: CypherRunner, name: str, options: dict[str, Any],
                      version: int | None = None, request: object | None = None, served: Served | None = None) -> Any:
        """`analysis.MEASURES[name](graph, **options)`, computed once per graph version and options.

        `top` is applied to the kept result (the whole ranking), not part of what is computed. `request`: a token
        of the asking request (its GraphQL context); its own measures never make it `BUSY`. `served`: the
        projection the request works on (`serve`); without it, the current one.
        """
        function: Callable[..., Any] = MEASURES[name]
        options = dict(options)
        top = options.pop("top", None)
        if served is None:
            served = await self.serve(runner, version)
        deadline = served.deadline
        version, graph = served.projection.version, served.projection.graph
        del served
        key = json.dumps([version, name, options], sort_keys=True, default=str)
        kept = self.store.get(key)  # the key holds the version
        if kept is not None:
            return _head(kept, top)
        self._this_loop()
        failure = self.store.failure(key)
        if failure is not None:  # the same measure on the same graph fails the same way: not run again
            raise failure.with_traceback(None)
        owner = id(request) if request is not None else None
        work = self._computing.get(key)
        if work is None:
            mine = owner is not None and any(owner in w.owners for w in self._computing.values())
            if len(self._computing) >= self.max_computing and not mine:
                raise BusyError(f"the server is already computing {len(self._computing)} network measures; ask "
                                "again when they are done (each finished one is kept until the graph changes)")
            work = _Work(started=time.monotonic())
            whole = {**options, "top": None} if "top" in inspect.signature(function).parameters else options
            work.task = self._tasks.start(self._this_loop(), self._compute(key, version, function, graph, whole))
            self._computing[key] = work
        del graph  # this request may wait for seconds: it must not keep a graph the cache has moved past
        if owner is not None:
            work.owners.add(owner)
        return _head(await self._wait(work, deadline, f"{name} on graph version {version}"), top)

    async def _compute(self, key: str, version: int, function: Callable[..., Any], graph: nx.MultiDiGraph,
                       options: dict[str, Any]) -> Any:
        try:
            assert self._slots is not None
            async with self._slots:  # at most `max_computing` in worker threads; one request's extra ones wait
                result = await asyncio.to_thread(function, graph, **options)
        except Exception as exc:
            self.store.fail(version, key, exc)  # not kept for a graph that has moved on meanwhile
            raise
        finally:
            del graph  # the thread is done with it; a superseded graph is freed as soon as its last measure ends
            self._computing.pop(key, None)
        self.computations += 1
        self.store.put(version, key, result)  # not kept for a graph that has moved on meanwhile
        return result

    @staticmethod
    async def _wait(work: _Work, deadline: float | None, what: str) -> Any:
        """The work's result, or `StillComputingError` at the deadline (the work itself goes on)."""
        assert work.task is not None
        if deadline is None:
            return await asyncio.shield(work.task)
        done, _ = await asyncio.wait({work.task}, timeout=max(0.0, deadline - time.monotonic()))
        if not done:
            raise StillComputingError(
                f"{what} is still being computed ({time.monotonic() - work.started:.0f} s so far); it goes on "
                "without this request: ask again shortly, the result is kept until the graph changes")
        return work.task.result()
