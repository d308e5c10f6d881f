"""`CBSI_NETWORK_SETTLE`: while the graph keeps changing (an import's batches), the network projection is not read
again for every version; the last complete one is served, and the answers say which version they describe."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase, Driver

from graph_seed import neo4j_writer
from graph_seed.records import load_dataset
from resolvers import network as resolvers_network
from resolvers.network import NetworkCache
from schema import QueryLimits, build_schema
from schema.context import GraphQLContext

pytestmark = pytest.mark.neo4j
SCHEMA = build_schema(QueryLimits())
QUERY = "{ network { graphVersion currentGraphVersion stale projectedAt centrality(top: 3) { graphId } } }"


class Clock:
    """A clock the test moves by hand: no sleeping, no timed assertions."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _bump(driver: Driver, n: int) -> None:
    """Change the graph (one write: the version moves by one), as one committed import batch does."""
    program = next(node for node in load_dataset().nodes if node.label == "Program")
    with driver.session() as session:
        neo4j_writer.write_records(session, [program.model_copy(update={"description": f"changed {n}"})], [])


def _in_one_loop(auth: tuple[str, str, str], work: Any) -> Any:
    uri, user, password = auth

    async def go() -> Any:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            async def run_query(cache: NetworkCache, query: str = QUERY) -> Any:
                result = await SCHEMA.execute(query, context_value=GraphQLContext.create(driver, None, 10.0, 100,
                                                                                         cache))
                assert result.errors is None, result.errors
                return result.data["network"]
            return await work(run_query)
        finally:
            await driver.close()

    return asyncio.run(go())


def test_versions_in_quick_succession_cause_one_projection_and_answers_say_they_are_stale(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
) -> None:
    clock = Clock()
    cache = NetworkCache(settle=30.0, clock=clock)

    async def work(run_query: Any) -> list[Any]:
        answers = [await run_query(cache)]  # no projection yet: read at once
        for n in range(5):  # five batches, one second apart
            await asyncio.to_thread(_bump, seeded_graph, n)
            clock.now += 1.0
            answers.append(await run_query(cache))
        assert cache.describe()["projecting"] is False  # the graph is moving: nothing read meanwhile
        clock.now += 30.0  # the graph has been still for 30 s
        answers.append(await run_query(cache))  # starts the one new read; answered from the last projection
        await cache.projection_done()
        answers.append(await run_query(cache))
        return answers

    answers = _in_one_loop(neo4j_auth, work)
    first = answers[0]["graphVersion"]
    assert [(a["graphVersion"], a["currentGraphVersion"], a["stale"]) for a in answers] == [
        (first, first, False),
        *[(first, first + n, True) for n in range(1, 6)],
        (first, first + 5, True),
        (first + 5, first + 5, False),
    ]
    assert cache.projections == 2  # the first read and one for the five versions, not six
    assert answers[-1]["projectedAt"] > answers[0]["projectedAt"]
    assert all(a["centrality"] == answers[0]["centrality"] for a in answers)  # a description change only


def test_a_read_the_graph_moved_past_is_abandoned(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = resolvers_network.graph_from_records
    builds: list[int] = []

    def held(*args: Any) -> Any:
        builds.append(1)
        if len(builds) == 2:  # the read started once the graph was still; hold it while the graph moves again
            entered.set()
            release.wait(60)
        return real(*args)

    monkeypatch.setattr(resolvers_network, "graph_from_records", held)
    clock = Clock()
    cache = NetworkCache(settle=30.0, clock=clock)

    async def work(run_query: Any) -> list[Any]:
        answers = [await run_query(cache)]
        await asyncio.to_thread(_bump, seeded_graph, 10)
        clock.now += 31.0
        await run_query(cache)  # the version is new to the cache: it has to stay still for 30 s first
        clock.now += 31.0
        answers.append(await run_query(cache))  # still now: the new read starts
        await asyncio.to_thread(entered.wait, 60)
        await asyncio.to_thread(_bump, seeded_graph, 11)  # the graph moves while that read is under way
        answers.append(await run_query(cache))
        release.set()
        assert cache.abandoned == 1 and cache.describe()["projecting"] is False
        clock.now += 31.0
        await run_query(cache)  # this version has not yet been seen still for 30 s
        clock.now += 31.0
        await run_query(cache)
        await cache.projection_done()
        answers.append(await run_query(cache))
        return answers

    answers = _in_one_loop(neo4j_auth, work)
    first = answers[0]["graphVersion"]
    assert [(a["graphVersion"], a["currentGraphVersion"], a["stale"]) for a in answers] == [
        (first, first, False), (first, first + 1, True), (first, first + 2, True), (first + 2, first + 2, False)]
    assert cache.projections == 2  # the abandoned read never became the served projection
    assert len(builds) == 3


def test_without_settle_every_new_version_is_read_at_once(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
) -> None:
    cache = NetworkCache()  # settle 0: scripts, tests and the CLI, as before

    async def work(run_query: Any) -> list[Any]:
        answers = [await run_query(cache)]
        await asyncio.to_thread(_bump, seeded_graph, 20)
        answers.append(await run_query(cache))
        return answers

    answers = _in_one_loop(neo4j_auth, work)
    first = answers[0]["graphVersion"]
    assert [(a["graphVersion"], a["stale"]) for a in answers] == [(first, False), (first + 1, False)]
    assert cache.projections == 2
