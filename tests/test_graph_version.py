"""The app's one graph version (`resolvers.graph_version`): shared reads that never miss a finished write."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import AsyncGraphDatabase, Driver

from graph_seed import neo4j_writer
from graph_seed.records import load_dataset
from resolvers.cypher import CypherRunner
from resolvers.graph_version import GraphVersion
from resolvers.network import NetworkCache

pytestmark = pytest.mark.neo4j


def test_concurrent_readers_share_reads_but_never_miss_a_write(
        seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    uri, user, password = neo4j_auth

    async def go() -> tuple[list[int | None], int, int | None, int, int | None]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            versions, runner = GraphVersion(), CypherRunner(driver, None, 10.0)
            unconnected = await versions.read()  # before start-up the app cannot say
            versions.connect(runner)
            network = NetworkCache(versions=versions)  # handed the same object, as the server does
            seen = await asyncio.gather(*(versions.read() for _ in range(4)),
                                        *(network.read_version(runner) for _ in range(4)))
            shared = runner.queries_sent
            program = next(n for n in load_dataset().nodes if n.label == "Program")
            with seeded_graph.session() as session:  # a write that finishes before the next request arrives
                neo4j_writer.write_records(session, [program.model_copy(update={"description": "moved"})], [])
            return list(seen), shared, await versions.read(), len(seen), unconnected
        finally:
            await driver.close()

    seen, shared, after, readers, unconnected = asyncio.run(go())
    assert unconnected is None
    assert readers == 8 and len(set(seen)) == 1 and seen[0] is not None
    assert shared <= 2, "eight concurrent readers (HTTP cache and network cache) share one read, plus latecomers'"
    assert after == seen[0] + 1, "a read after a write sees the new version"
