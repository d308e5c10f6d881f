"""Run read queries for one GraphQL request: parameters only, a transaction timeout, and a query counter.

Why a runner object: resolvers and loaders never see the driver's session management, every query gets the
configured Neo4j transaction timeout, and tests can count round trips to prove the loaders batch (no N+1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, LiteralString, TypeVar

from neo4j import READ_ACCESS, AsyncDriver, AsyncManagedTransaction, AsyncResult, Query, Record, unit_of_work
from neo4j.exceptions import DriverError, Neo4jError

from resolvers.neo4j_health import Neo4jHealth

MAX_ATTEMPTS = 3  # a read is tried at most this often after retryable failures (a lost connection, a transient error)
FIRST_RETRY_DELAY = 0.05  # seconds before the second attempt; doubled before each later one
T = TypeVar("T")


async def all_records(result: AsyncResult) -> list[Record]:
    """Every row of a result, as the driver decoded it."""
    return [record async for record in result]


async def count_records(result: AsyncResult) -> int:
    """How many rows a result has, none kept (a replayed aggregate on a grown graph streams tens of thousands)."""
    rows = 0
    async for _ in result:
        rows += 1
    return rows


class CypherRunner:
    """Read-only Cypher for one request (one per GraphQL context)."""

    def __init__(self, driver: AsyncDriver, database: str | None, timeout: float,
                 health: Neo4jHealth | None = None) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.health = health  # the server's: fail at once while Neo4j is known to be down
        self.queries_sent = 0
        self.retries = 0  # reads tried again after a retryable failure (tests read it)
        # the statements sent, with their parameters, when a list is given (the warm-up replays them:
        # `app/warm_neo4j.py`)
        self.recorder: list[tuple[str, dict[str, Any]]] | None = None

    async def guarded(self, call: Any, seconds: float | None = None) -> Any:
        """Await `call` (a read of this runner's driver) under the server's view of Neo4j (`Neo4jHealth`),
        bounded by the Neo4j time limit it runs under (default: the runner's)."""
        if self.health is None:
            return await call
        return await self.health.guarded(self.driver, call, self.timeout if seconds is None else seconds)

    async def read(self, cypher: LiteralString, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one read query and return its rows as dicts."""
        return [record.data() for record in await self._execute(cypher, params)]

    async def read_maps(self, cypher: LiteralString, params: Mapping[str, Any] | None = None
                        ) -> list[dict[str, Any]]:
        """`read` for a statement that returns maps, lists and scalars only, never node objects: the rows as the
        driver decoded them, without `Record.data()`'s deep copy (about 1 ms of client CPU for search's couple of
        hundred candidate rows). Same query and retries as `read`."""
        return [dict(record.items()) for record in await self._execute(cypher, params)]

    async def _execute(self, cypher: LiteralString, params: Mapping[str, Any] | None) -> list[Record]:
        """One auto-commit read, tried again (`MAX_ATTEMPTS` in all) after a failure the driver calls retryable.

        Why not the driver's `execute_query`: its managed transaction sends BEGIN and, after the rows, COMMIT, a
        second round trip for every read; a quarter of the server's CPU on `paths` went to it (py-spy, issue #14
        session 13). A read changes nothing, so running it again whole after a lost connection or a transient
        error is safe, as `execute_query` does; this driver never writes, so it has no bookmarks to wait for.
        """
        values = dict(params or {})
        self.sending(cypher, values)
        return await self.guarded(self._read_with_retries(Query(cypher, timeout=self.timeout), values, all_records))

    def sending(self, cypher: str, values: dict[str, Any]) -> None:
        """Count a statement about to be sent and, when a recorder is set, note it for the warm-up's replay
        (`app/warm_neo4j.py`)."""
        self.queries_sent += 1
        if self.recorder is not None:
            self.recorder.append((cypher, values))

    async def _read_with_retries(self, query: Query, values: dict[str, Any],
                                 take: Callable[[AsyncResult], Awaitable[T]], attempts: int = MAX_ATTEMPTS,
                                 notifications: str | None = None) -> T:
        """One auto-commit read in a session of its own, its result handed to `take`, tried up to `attempts`
        times (`notifications`: the least severity Neo4j reports, None for the driver's default)."""
        delay = FIRST_RETRY_DELAY
        options: dict[str, Any] = {} if notifications is None else {"notifications_min_severity": notifications}
        for attempt in range(1, attempts + 1):
            try:
                async with self.driver.session(database=self.database, default_access_mode=READ_ACCESS,
                                               **options) as session:
                    return await take(await session.run(query, values))
            except (Neo4jError, DriverError) as exc:
                if attempt == attempts or not exc.is_retryable():
                    raise
                self.retries += 1
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def read_auto_commit(self, cypher: LiteralString) -> list[dict[str, Any]]:
        """Run one tiny read as an auto-commit query, once: `read` without its retries.

        Why: the graph-version read runs for every request, including cache hits, where it is most of the cost;
        the caller treats a failure as "cannot say", so a retry would only make it wait.
        """
        self.queries_sent += 1

        async def run() -> list[dict[str, Any]]:
            async with self.driver.session(database=self.database, default_access_mode=READ_ACCESS) as session:
                result = await session.run(Query(cypher, timeout=self.timeout))
                return [record.data() async for record in result]

        return await self.guarded(run())

    async def read_snapshot(self, *cyphers: LiteralString, timeout: float | None = None) -> list[list[Record]]:
        """Run several parameterless reads, in order, in one read transaction (one time limit, one session).

        Neo4j reads are read-committed: a write committed between two of the queries can show in the later
        ones. Records are returned as the driver gives them, so a caller with hundreds of thousands of rows can
        turn them into dicts off the event loop. `timeout` replaces the runner's own for this transaction.
        """
        self.queries_sent += len(cyphers)

        @unit_of_work(timeout=self.timeout if timeout is None else timeout)
        async def work(tx: AsyncManagedTransaction) -> list[list[Record]]:
            results = []
            for cypher in cyphers:
                result = await tx.run(cypher)
                results.append([record async for record in result])
            return results

        async def run() -> list[list[Record]]:
            async with self.driver.session(database=self.database, default_access_mode=READ_ACCESS) as session:
                return await session.execute_read(work)

        return await self.guarded(run(), timeout)

    async def read_quiet(self, cypher: LiteralString, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """A read as one auto-commit query with the server's notifications off, for the compiled statements.

        Why: a compiled statement (`resolvers/selection_cypher.py`) names each property a selection asks for,
        and Neo4j warns, on every run, about a property key no node holds yet (a catalog field still empty).
        Auto-commit costs less client CPU than `read`'s managed transaction; it gives up the driver's retries,
        which the caller does not need (a failed compiled statement falls back to the resolvers, which retry).
        Rows are returned as the driver decoded them, without `Record.data()`'s deep copy (a compiled
        statement returns maps, lists and scalars only, never node objects).
        """
        values = dict(params or {})
        self.sending(cypher, values)
        records = await self.guarded(self._read_with_retries(Query(cypher, timeout=self.timeout), values, all_records,
                                                             attempts=1, notifications="OFF"))
        return [dict(record.items()) for record in records]

    async def replay(self, cypher: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a recorded statement again for the warm-up (`app/warm_neo4j.py`) and count its rows without keeping
        them: `read_quiet`'s one attempt, notifications off, under the runner's time limit and health guard."""
        self.queries_sent += 1
        query = Query(cypher, timeout=self.timeout)
        return int(await self.guarded(self._read_with_retries(query, dict(params or {}), count_records, attempts=1,
                                                              notifications="OFF")))
