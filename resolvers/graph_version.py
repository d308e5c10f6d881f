"""The graph version: read once for many concurrent requests, never older than a request's arrival.

Why here: the response caches (`app/cached_graphql.py`; `schema/response_cache.py` in-process) and the
network-measure cache (`resolvers/network.py`) all key on the version that every CBSI writer bumps
(`graph_seed.neo4j_writer`); reading it is Cypher, so it belongs with the resolvers, and one shared reader
keeps the caches to one round trip between them.
"""

from __future__ import annotations

import asyncio
import functools

from neo4j.exceptions import DriverError, Neo4jError

from graph_seed.neo4j_writer import GRAPH_VERSION
from resolvers.background import BackgroundTasks
from resolvers.cypher import CypherRunner


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
