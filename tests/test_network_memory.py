"""A projection too large to hold twice is not kept while its successor is read (issue #15's like-with-like soak:
two grown-graph projections alive at once after a version move); a small one is still served stale meanwhile."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from typing import Any

import pytest
from neo4j import Driver

from resolvers import network as resolvers_network
from resolvers.network import NetworkCache
from tests.test_network_settle import Clock, _bump, _in_one_loop

pytestmark = pytest.mark.neo4j


def _old_graph_alive_during_the_next_read(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                                          monkeypatch: pytest.MonkeyPatch, keep_stale_max: int) -> dict[str, Any]:
    """Project, move the graph, let the next read start and hold its builder: is the first graph still referenced
    while the second is built? Then release it and ask again."""
    entered, release = threading.Event(), threading.Event()
    real = resolvers_network.graph_from_records
    builds: list[int] = []

    def held(*args: Any) -> Any:
        builds.append(1)
        if len(builds) == 2:  # the read after the version move
            entered.set()
            release.wait(60)
        return real(*args)

    monkeypatch.setattr(resolvers_network, "graph_from_records", held)
    clock = Clock()
    cache = NetworkCache(settle=30.0, clock=clock, keep_stale_max=keep_stale_max)

    async def work(run_query: Any) -> dict[str, Any]:
        first = await run_query(cache)
        assert cache.graph is not None
        old = weakref.ref(cache.graph)
        await asyncio.to_thread(_bump, seeded_graph, 30)
        clock.now += 31.0
        await run_query(cache)  # the new version has to stay still for 30 s first
        clock.now += 31.0
        during = await run_query(cache)  # starts the read (in the background), answered from the first graph
        await asyncio.to_thread(entered.wait, 60)
        gc.collect()
        alive = old() is not None  # while the second graph is being built
        # kept: a request now is answered stale at once; dropped: it waits for the read (started before the release,
        # so it cannot be answered from anything but the new graph)
        waiting = None if keep_stale_max else asyncio.create_task(run_query(cache))
        release.set()
        await cache.projection_done()
        after = await waiting if waiting is not None else await run_query(cache)
        return {"first": first, "during": during, "alive": alive, "after": after, "dropped": cache.dropped,
                "projections": cache.projections}

    return _in_one_loop(neo4j_auth, work)


def test_a_large_projection_is_dropped_before_its_successor_is_read(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    got = _old_graph_alive_during_the_next_read(seeded_graph, neo4j_auth, monkeypatch, keep_stale_max=0)
    assert got["alive"] is False  # only the projection being built is referenced
    assert got["dropped"] == 1 and got["projections"] == 2
    version = got["first"]["graphVersion"]
    assert (got["after"]["graphVersion"], got["after"]["stale"]) == (version + 1, False)  # the request waited for it


def test_a_small_projection_is_served_stale_while_its_successor_is_read(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    got = _old_graph_alive_during_the_next_read(seeded_graph, neo4j_auth, monkeypatch, keep_stale_max=10**9)
    assert got["alive"] is True and got["dropped"] == 0
    version = got["first"]["graphVersion"]
    assert (got["during"]["graphVersion"], got["during"]["stale"]) == (version, True)
    assert (got["after"]["graphVersion"], got["after"]["stale"]) == (version + 1, False)
