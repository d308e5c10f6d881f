"""The graph version: read once for many concurrent requests, never older than a request's arrival.

Why here: the HTTP response cache (`app/cached_graphql.py`) and the network-measure cache
(`resolvers/network.py`) both key on the version that every CBSI writer bumps (`graph_seed.neo4j_writer`);
reading it is Cypher, so it belongs with the resolvers. The application owns one `GraphVersion` and hands it
to both caches (`app/server.py`), so they share one round trip between them.
"""

from __future__ import annotations

import asyncio
import functools

from neo4j.exceptions import DriverError, Neo4jError

from graph_seed.neo4j_writer import GRAPH_VERSION
from resolvers.background import BackgroundTasks
from resolvers.cypher import CypherRunner


class GraphVersion:
    """The graph version as one application reads it: one object, made by the app and handed to its HTTP
    response cache, its network cache and (through them) every request's context.

    `read()` is for callers outside a request (the HTTP cache, before Strawberry runs), with the runner the app
    gave at start-up (`connect`); `reads.version(runner)` is for a request's resolvers, with the request's own.
    Both go through the same `VersionReads`, so concurrent readers share reads.
    """

    def __init__(self) -> None:
        self.reads = VersionReads()
        self._runner: CypherRunner | None = None

    def connect(self, runner: CypherRunner) -> None:
        """The runner `read()` uses: the app's, once its driver exists."""
        self._runner = runner

    async def read(self) -> int | None:
        """The version for a request that has arrived; None when Neo4j cannot say, or before `connect`."""
        if self._runner is None:
            return None
        return await self.reads.version(self._runner)


class VersionReads:
    """Share graph-version reads between concurrent requests without ever serving an older version.

    A request may only use a read that *started after it arrived* (a write finished before the request must be
    seen). So at most one read is in flight; requests arriving meanwhile wait for the next read, which starts
    when the current one ends and answers all of them with one round trip.
    """

    def __init__(self) -> None:
        self._in_flight: asyncio.Future[int | None] | None = None
        self._next: asyncio.Future[int | None] | None = None
        self._tasks = BackgroundTasks()

    async def version(self, runner: CypherRunner) -> int | None:
        loop = asyncio.get_running_loop()
        if self._in_flight is None or self._in_flight.get_loop() is not loop:
            self._in_flight, self._next = loop.create_future(), None
            self._start(loop, runner, self._in_flight)
            return await asyncio.shield(self._in_flight)
        if self._next is None:
            self._next = loop.create_future()
            self._in_flight.add_done_callback(functools.partial(self._after, runner, self._next))
        return await asyncio.shield(self._next)

    def _after(self, runner: CypherRunner, future: asyncio.Future[int | None], _done: object) -> None:
        self._chain(runner, future)

    def _chain(self, runner: CypherRunner, future: asyncio.Future[int | None]) -> None:
        self._in_flight, self._next = future, None
        self._start(future.get_loop(), runner, future)

    def _start(self, loop: asyncio.AbstractEventLoop, runner: CypherRunner,
               future: asyncio.Future[int | None]) -> None:
        self._tasks.start(loop, self._read(runner, future))

    async def _read(self, runner: CypherRunner, future: asyncio.Future[int | None]) -> None:
        version: int | None = None  # Neo4j cannot say: the query then runs and reports the outage
        try:
            rows = await runner.read_auto_commit(GRAPH_VERSION)
            version = int(rows[0]["version"])
        except (Neo4jError, DriverError, OSError):
            pass
        finally:  # whatever happens (even cancellation), no waiting request is left hanging
            if not future.done():
                future.set_result(version)
            if self._in_flight is future and self._next is None:
                self._in_flight = None
