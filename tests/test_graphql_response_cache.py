"""Whole-response cache: a repeated query is served from memory until the graph version moves."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase, Driver

from graph_seed import neo4j_writer
from graph_seed.records import load_dataset
from schema import QueryLimits, build_schema
from schema.context import GraphQLContext
from schema.response_cache import ResponseCache

pytestmark = pytest.mark.neo4j
SCHEMA = build_schema(QueryLimits())
QUERY = '{ program(id: "program:cfyr") { name description } }'


def execute(auth: tuple[str, str, str], query: str, cache: ResponseCache) -> tuple[Any, GraphQLContext]:
    uri, user, password = auth

    async def go() -> tuple[Any, GraphQLContext]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            context = GraphQLContext.create(driver, None, 10.0, 100, responses=cache)
            return await SCHEMA.execute(query, context_value=context), context
        finally:
            await driver.close()

    return asyncio.run(go())


def test_repeat_is_served_from_cache_until_the_graph_changes(seeded_graph: Driver,
                                                             neo4j_auth: tuple[str, str, str]) -> None:
    cache = ResponseCache()
    first, first_context = execute(neo4j_auth, QUERY, cache)
    second, second_context = execute(neo4j_auth, QUERY, cache)
    assert first.errors is None and first.data == second.data
    assert (cache.hits, cache.misses) == (1, 1)
    assert second_context.runner.queries_sent == 1, "a hit costs only the graph-version read"
    assert first_context.runner.queries_sent > 1

    program = next(n for n in load_dataset().nodes if n.id == "program:cfyr")
    with seeded_graph.session() as session:
        neo4j_writer.write_records(session, [program.model_copy(update={"description": "new text"})], [])
    third, _ = execute(neo4j_auth, QUERY, cache)
    assert third.data["program"]["description"] == "new text"
    assert cache.misses == 2


def test_errors_are_never_cached(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    cache = ResponseCache()
    query = '{ program(id: "program:nope") { name } }'
    execute(neo4j_auth, query, cache)
    execute(neo4j_auth, query, cache)
    assert cache.hits == 0 and not cache.entries


def test_concurrent_requests_share_version_reads_but_never_miss_a_write(
        seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    from resolvers.cypher import CypherRunner
    from schema.response_cache import VersionReads

    uri, user, password = neo4j_auth

    async def go() -> tuple[list[int | None], int, int | None, int | None]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            runner, reads = CypherRunner(driver, None, 10.0), VersionReads()
            versions = await asyncio.gather(*(reads.version(runner) for _ in range(8)))
            shared = runner.queries_sent
            program = next(n for n in load_dataset().nodes if n.label == "Program")
            with seeded_graph.session() as session:  # a write that finishes before the next request arrives
                neo4j_writer.write_records(session, [program.model_copy(update={"description": "moved"})], [])
            after = await reads.version(runner)
            return versions, shared, after, versions[0]
        finally:
            await driver.close()

    versions, shared, after, before = asyncio.run(go())
    assert len(set(versions)) == 1
    assert shared <= 2, "eight concurrent requests share one read (plus at most one for latecomers)"
    assert after == before + 1, "a request after a write sees the new version"
