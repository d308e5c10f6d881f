"""A streamed read (`resolvers/row_feed.py`, used by `fundingAggregate` and the network projection) meets a real
Neo4j transient error (issue #15's soak: one INTERNAL): before its first row it is read again; after rows were
handed on it fails as it is, and the client sees the retryable `TRANSIENT` code, never INTERNAL.

The transient error is Neo4j's own `DeadlockDetected`, provoked for real: the read's transaction locks one test
node, a second transaction locks another and waits for the first, then the read asks for the second's node and
closes the cycle (Neo4j ends the transaction that closes it). Reads take no locks in Neo4j, so the read here writes
two nodes of a label nothing else uses, removed afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from graphql import GraphQLError
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncTransaction, Driver, Record
from neo4j.exceptions import TransientError

from resolvers.cypher import CypherRunner
from resolvers.row_feed import MAX_ATTEMPTS, RowFeed
from schema.errors import classify

pytestmark = pytest.mark.neo4j
LOCK = "MATCH (n:RowFeedLock {k: $k}) SET n.v = $v"
ROWS = "UNWIND range(1, 50) AS i RETURN i"


@pytest.fixture
def lock_nodes(neo4j_driver: Driver) -> Iterator[None]:
    with neo4j_driver.session() as session:
        session.run("UNWIND [1, 2] AS k MERGE (:RowFeedLock {k: k})").consume()
    yield
    with neo4j_driver.session() as session:
        session.run("MATCH (n:RowFeedLock) DELETE n").consume()


async def _lock(tx: AsyncTransaction, k: int) -> None:
    await asyncio.wait_for((await tx.run(LOCK, k=k, v=k)).consume(), 30)


def _read(driver: AsyncDriver, feed: RowFeed, deadlock_on: Callable[[int], bool],
          rows_first: bool) -> Callable[[], Coroutine[Any, Any, None]]:
    """A read factory: streams `ROWS` into `feed` in one write transaction, and on the attempts `deadlock_on` picks
    meets a real deadlock, before its rows or (`rows_first`) after them. The other transaction starts first, so
    the read's is the younger one, which Neo4j ends (its default resolution: abort the young)."""
    async def read() -> None:
        deadlock = deadlock_on(feed.attempts)
        async with driver.session() as other_session, driver.session() as session:
            other = await other_session.begin_transaction()
            tx = None
            try:
                await _lock(other, 2)  # the other holds node 2
                tx = await session.begin_transaction()
                if rows_first:  # every row handed on, the end marker not yet: the consumer is still reading
                    await feed.put([record async for record in await tx.run(ROWS)])
                if deadlock:
                    await _lock(tx, 1)  # the read holds node 1
                    waiting = asyncio.ensure_future(_lock(other, 1))  # the other waits for node 1
                    await asyncio.sleep(0.5)
                    try:
                        await _lock(tx, 2)  # the read asks for node 2: the cycle
                    finally:
                        await tx.close()  # rolled back: the other gets node 1
                        await asyncio.wait_for(waiting, 30)
                if rows_first:
                    await feed.put(None)
                else:
                    await feed.read_chunks(await tx.run(ROWS), 10)
            finally:
                if tx is not None:
                    await tx.close()
                await other.close()

    return read


def _run(auth: tuple[str, str, str], work: Callable[[AsyncDriver, CypherRunner], Coroutine[Any, Any, Any]]) -> Any:
    uri, user, password = auth

    async def go() -> Any:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            return await asyncio.wait_for(work(driver, CypherRunner(driver, None, 30.0)), 120)
        finally:
            await driver.close()

    return asyncio.run(go())


def _sum(rows: Iterator[Record]) -> tuple[int, int]:
    values = [row["i"] for row in rows]
    return len(values), sum(values)


@pytest.mark.usefixtures("lock_nodes")
def test_a_transient_error_before_the_first_row_is_read_again(neo4j_auth: tuple[str, str, str]) -> None:
    async def work(driver: AsyncDriver, runner: CypherRunner) -> tuple[RowFeed, tuple[int, int]]:
        feed = RowFeed(2)
        _, built = await feed.build_while(_read(driver, feed, lambda attempt: attempt == 1, rows_first=False),
                                          runner, _sum, feed.rows())
        return feed, built

    feed, built = _run(neo4j_auth, work)
    assert feed.attempts == 2  # the deadlocked first attempt, then one that read every row
    assert built == (50, sum(range(1, 51)))  # each row once


@pytest.mark.usefixtures("lock_nodes")
def test_a_transient_error_every_time_gives_up_after_the_last_attempt_as_transient(
    neo4j_auth: tuple[str, str, str],
) -> None:
    feed = RowFeed(2)

    async def work(driver: AsyncDriver, runner: CypherRunner) -> None:
        await feed.build_while(_read(driver, feed, lambda attempt: True, rows_first=False), runner, _sum, feed.rows())

    with pytest.raises(TransientError) as raised:
        _run(neo4j_auth, work)
    assert feed.attempts == MAX_ATTEMPTS
    assert "DeadlockDetected" in (raised.value.code or "")
    message, extensions = classify(GraphQLError("x", original_error=raised.value)) or ("", {})
    assert extensions == {"code": "TRANSIENT"} and "retry" in message  # not INTERNAL


@pytest.mark.usefixtures("lock_nodes")
def test_a_transient_error_after_rows_were_handed_on_is_not_read_again_and_is_transient(
    neo4j_auth: tuple[str, str, str],
) -> None:
    feed = RowFeed(2)
    consumer_done: list[bool] = []

    def consume(rows: Iterator[Record]) -> tuple[int, int]:
        try:
            return _sum(rows)
        finally:
            consumer_done.append(True)

    async def work(driver: AsyncDriver, runner: CypherRunner) -> None:
        await feed.build_while(_read(driver, feed, lambda attempt: True, rows_first=True), runner, consume,
                               feed.rows())

    with pytest.raises(TransientError) as raised:
        _run(neo4j_auth, work)
    assert feed.attempts == 1 and feed.handed == 50  # the consumer had rows: reading again would repeat them
    assert consumer_done == [True]  # its thread stopped (rows aborted) before the error was raised
    assert classify(GraphQLError("x", original_error=raised.value)) is not None  # shown with a code, not masked
    assert (classify(GraphQLError("x", original_error=raised.value)) or ("", {}))[1]["code"] == "TRANSIENT"
