"""The network projection is built while it is read (issue #15): the rows held at once stay bounded, a cancelled
read leaves no builder behind, the graph is the same as reading everything first, and a replaced projection's
memory is handed back to the system."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx
import pytest
from neo4j import AsyncGraphDatabase, Driver, Record

from analysis.projection import from_neo4j
from graph_seed import neo4j_writer
from graph_seed.records import load_dataset
from resolvers import network as resolvers_network
from resolvers.cypher import CypherRunner
from resolvers.network import NetworkCache, read_projection
from tests.row_feeds import record_feeds

pytestmark = pytest.mark.neo4j


def _with_runner(auth: tuple[str, str, str], work: Any) -> Any:
    uri, user, password = auth

    async def go() -> Any:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            return await work(CypherRunner(driver, None, 30.0))
        finally:
            await driver.close()

    return asyncio.run(go())


def _same(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    return (dict(a.nodes(data=True)) == dict(b.nodes(data=True))
            and sorted(a.edges(keys=True, data=True), key=repr) == sorted(b.edges(keys=True, data=True), key=repr))


def test_rows_held_while_the_projection_is_read_are_bounded_and_the_graph_is_the_same(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    feeds = record_feeds(monkeypatch, resolvers_network, chunk_rows=5, max_chunks=1)
    real = resolvers_network.graph_from_records
    held: list[int] = []  # rows handed over but not yet taken by the builder, each time it takes one
    consumed = [0]

    def counting(rows: Iterable[Record]) -> Iterator[Record]:
        for row in rows:
            consumed[0] += 1
            held.append(feeds[0].handed - consumed[0])
            yield row

    def building(nodes: Iterable[Record], edges: Iterable[Record]) -> Any:
        return real(counting(nodes), counting(edges))

    monkeypatch.setattr(resolvers_network, "graph_from_records", building)
    version, graph = _with_runner(neo4j_auth, lambda runner: read_projection(runner, 30.0))
    expected = from_neo4j(seeded_graph)
    assert _same(graph, expected)
    total = expected.number_of_nodes() + expected.number_of_edges()
    assert consumed[0] >= total > 100  # every row went through the builder
    assert max(held) <= 5 * (1 + 2)  # the queue's one chunk, one being handed over, one being built from
    assert version >= 0


def test_a_cancelled_read_waits_for_its_builder_to_stop(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(resolvers_network, "CHUNK_ROWS", 5)
    monkeypatch.setattr(resolvers_network, "MAX_CHUNKS_QUEUED", 1)
    started, stopped = threading.Event(), threading.Event()
    real = resolvers_network.graph_from_records

    def building(nodes: Iterable[Record], edges: Iterable[Record]) -> Any:
        def first_then_go_on(rows: Iterable[Record]) -> Iterator[Record]:
            for row in rows:
                started.set()
                yield row
        try:
            return real(first_then_go_on(nodes), edges)
        finally:
            stopped.set()

    monkeypatch.setattr(resolvers_network, "graph_from_records", building)

    async def work(runner: CypherRunner) -> str:
        task = asyncio.ensure_future(read_projection(runner, 30.0))
        await asyncio.to_thread(started.wait, 30)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "finished"  # the read was over before the cancel: nothing left to check

    outcome = _with_runner(neo4j_auth, work)
    assert outcome == "cancelled"
    assert stopped.is_set()  # the builder thread had ended before the cancelled read returned


def test_a_replaced_projection_is_handed_back_to_the_system(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(resolvers_network, "release_freed_memory",
                        lambda: calls.append(threading.current_thread() is threading.main_thread()) or True)
    cache = NetworkCache()

    async def work(runner: CypherRunner) -> None:
        await cache.current_graph(runner)
        program = next(node for node in load_dataset().nodes if node.label == "Program")
        with seeded_graph.session() as session:
            neo4j_writer.write_records(session, [program.model_copy(update={"description": "changed"})], [])
        await cache.current_graph(runner)

    _with_runner(neo4j_auth, work)
    assert cache.projections == 2
    assert calls == [False, False]  # after each new projection, in a worker thread
