"""`network { ... }`: the analysis measures through GraphQL, equal to `analysis/` on the same graph, cached
until the graph version moves."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase, Driver

from analysis import MEASURES, from_records, leiden_available
from graph_seed import neo4j_writer
from graph_seed.records import load_dataset
from resolvers import network as resolvers_network
from resolvers.network import NetworkCache
from schema import QueryLimits, build_schema
from schema import network as schema_network
from schema.context import GraphQLContext

pytestmark = pytest.mark.neo4j
LEIDEN_QUERY = "{ network { communities(method: LEIDEN, seed: 3) { method communities { members } } } }"
SCHEMA = build_schema(QueryLimits())


def execute(auth: tuple[str, str, str], query: str, cache: NetworkCache | None = None) -> Any:
    uri, user, password = auth

    async def go() -> Any:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            context = GraphQLContext.create(driver, None, 10.0, 100, cache or NetworkCache())
            return await SCHEMA.execute(query, context_value=context)
        finally:
            await driver.close()

    return asyncio.run(go())


def test_centrality_equals_the_analysis_layer(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    result = execute(neo4j_auth, """{ network { centrality(measure: BETWEENNESS, top: 5) {
        graphId name score degree actor { name } } } }""")
    assert result.errors is None, result.errors
    rows = result.data["network"]["centrality"]
    expected = MEASURES["betweenness"](from_records(), top=5)
    assert [r["graphId"] for r in rows] == [r.node for r in expected]
    assert [round(r["score"], 9) for r in rows] == [round(r.betweenness, 9) for r in expected]
    assert all(r["actor"]["name"] == r["name"] for r in rows)


def test_communities_are_seeded_and_cover_the_actors(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    query = "{ network { communities(seed: 7) { modularity communities { size members } } } }"
    first = execute(neo4j_auth, query)
    second = execute(neo4j_auth, query)
    assert first.errors is None, first.errors
    assert first.data == second.data
    expected = MEASURES["communities"](from_records(), seed=7)
    assert first.data["network"]["communities"]["modularity"] == pytest.approx(expected.modularity)
    members = sorted(m for c in first.data["network"]["communities"]["communities"] for m in c["members"])
    assert members == sorted(n for c in expected.communities for n in c)


def test_sliced_brokers_and_concentration(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    result = execute(neo4j_auth, """{ network {
        brokers(top: 3, where: {actorTypes: [AGENCY, CIVIL_SOCIETY_ORGANIZATION]}) { graphId group }
        concentration(by: COUNTRY) { flowType hhi gini units } } }""")
    assert result.errors is None, result.errors
    groups = {r["group"] for r in result.data["network"]["brokers"]}
    assert groups <= {"Agency", "CivilSocietyOrganization"}
    flow_types = [r["flowType"] for r in result.data["network"]["concentration"]]
    assert len(flow_types) == len(set(flow_types)), "one row per flow type: kinds are never added together"


def test_results_are_cached_until_the_graph_changes(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    cache = NetworkCache()
    query = "{ network { graphVersion centrality(top: 3) { graphId } } }"
    first = execute(neo4j_auth, query, cache)
    second = execute(neo4j_auth, query, cache)
    assert first.data == second.data
    assert (cache.projections, cache.computations) == (1, 1)
    program = next(n for n in load_dataset().nodes if n.label == "Program")
    with seeded_graph.session() as session:
        neo4j_writer.write_records(session, [program.model_copy(update={"description": "changed"})], [])
    third = execute(neo4j_auth, query, cache)
    assert third.data["network"]["graphVersion"] == first.data["network"]["graphVersion"] + 1
    assert (cache.projections, cache.computations) == (2, 2)


def test_bad_slice_and_top_are_client_errors(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    result = execute(neo4j_auth, '{ network { centrality(where: {countries: ["Jamaica"]}) { graphId } } }')
    assert result.errors[0].message == "where.countries: not ISO 3166-1 alpha-2 codes: Jamaica"
    assert result.errors[0].path == ["network", "centrality"]
    result = execute(neo4j_auth, "{ network { brokers(top: 5000) { graphId } } }")
    assert "top: must be between 1 and 200" in result.errors[0].message


@pytest.mark.skipif(not leiden_available(), reason="the optional [leiden] extra is not installed")
def test_leiden_through_graphql_equals_the_analysis_layer(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
) -> None:
    result = execute(neo4j_auth, LEIDEN_QUERY)
    assert result.errors is None, result.errors
    expected = MEASURES["communities"](from_records(), method="leiden", seed=3)
    assert result.data["network"]["communities"]["method"] == "leiden"
    assert [sorted(c["members"]) for c in result.data["network"]["communities"]["communities"]] == [
        sorted(c) for c in expected.communities]


def test_leiden_without_its_packages_is_a_client_error(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schema_network, "leiden_available", lambda: False)  # a server without the extra
    result = execute(neo4j_auth, LEIDEN_QUERY)
    assert result.data is None
    error = result.errors[0]
    assert error.path == ["network", "communities"]
    assert "leidenalg" in error.message and "LOUVAIN" in error.message
    assert error.extensions == {"code": "UNAVAILABLE"}


def _in_one_loop(auth: tuple[str, str, str], work: Any) -> Any:
    """Run `work(run_query)` in one event loop, so background work outlives the request that started it."""
    uri, user, password = auth

    async def go() -> Any:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            async def run_query(query: str, cache: NetworkCache) -> Any:
                return await SCHEMA.execute(query, context_value=GraphQLContext.create(driver, None, 10.0, 100, cache))
            return await work(run_query)
        finally:
            await driver.close()

    return asyncio.run(go())


def test_a_slow_measure_answers_computing_then_is_kept(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = MEASURES["degree"]

    def slow(graph: Any, **options: Any) -> Any:
        time.sleep(0.5)  # as a large graph would take
        return real(graph, **options)

    monkeypatch.setitem(resolvers_network.MEASURES, "degree", slow)
    cache = NetworkCache()
    query = "{ network { centrality(top: 3) { graphId } } }"

    async def work(run_query: Any) -> tuple[Any, Any]:
        warm = await run_query("{ network { concentration(by: COUNTRY) { hhi } } }", cache)  # projects the graph
        assert warm.errors is None, warm.errors
        cache.wait_seconds = 0.1  # as a server's request would: shorter than the measure takes
        first = await run_query(query, cache)
        for _ in range(100):  # the computation goes on without the request that gave up
            if cache.computations == 2:
                break
            await asyncio.sleep(0.1)
        return first, await run_query(query, cache)

    first, second = _in_one_loop(neo4j_auth, work)
    assert first.data is None
    assert first.errors[0].path == ["network", "centrality"]
    assert first.errors[0].extensions == {"code": "COMPUTING"}
    assert first.errors[0].message.startswith("degree on graph version ")
    assert second.errors is None, second.errors
    assert [r["graphId"] for r in second.data["network"]["centrality"]] == [
        r.node for r in real(from_records(), top=3)]
    assert (cache.projections, cache.computations) == (1, 2)  # the slow measure ran once, for both requests


def test_concurrent_requests_share_one_projection_built_off_the_event_loop(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[bool] = []
    real = resolvers_network.graph_from_records

    def recording(*args: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(resolvers_network, "graph_from_records", recording)
    cache = NetworkCache()
    query = "{ network { communities(seed: 5) { modularity } } }"

    async def work(run_query: Any) -> list[Any]:
        return list(await asyncio.gather(*(run_query(query, cache) for _ in range(4))))

    results = _in_one_loop(neo4j_auth, work)
    assert all(r.errors is None for r in results), [r.errors for r in results]
    assert len({json.dumps(r.data) for r in results}) == 1
    assert (cache.projections, cache.computations) == (1, 1)
    assert threads == [False]  # built once, in a worker thread


def test_a_failed_measure_is_reported_again_not_recomputed(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    def failing(graph: Any, **options: Any) -> Any:
        calls.append(1)
        raise ValueError("did not converge")

    monkeypatch.setitem(resolvers_network.MEASURES, "degree", failing)
    cache = NetworkCache()
    query = "{ network { centrality(top: 3) { graphId } } }"

    async def work(run_query: Any) -> list[Any]:
        return [await run_query(query, cache), await run_query(query, cache)]

    results = _in_one_loop(neo4j_auth, work)
    assert [r.errors[0].extensions["code"] for r in results] == ["INTERNAL", "INTERNAL"]  # logged with an id
    assert calls == [1]  # the second request got the kept failure; the graph had not changed


def test_measures_beyond_the_limit_are_busy_not_queued(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = MEASURES["degree"]

    def slow(graph: Any, **options: Any) -> Any:
        time.sleep(1.0)
        return real(graph, **options)

    monkeypatch.setitem(resolvers_network.MEASURES, "degree", slow)
    cache = NetworkCache(max_computing=1)

    async def work(run_query: Any) -> list[Any]:
        warm = await run_query("{ network { graphVersion concentration(by: COUNTRY) { hhi } } }", cache)
        assert warm.errors is None, warm.errors
        cache.wait_seconds = 0.1
        first = await run_query("{ network { centrality(top: 3) { graphId } } }", cache)
        second = await run_query('{ network { centrality(top: 4, where: {countries: ["JM"]}) { graphId } } }', cache)
        return [first, second]

    first, second = _in_one_loop(neo4j_auth, work)
    assert first.errors[0].extensions == {"code": "COMPUTING"}
    assert second.errors[0].extensions == {"code": "BUSY"}
    assert "already computing 1 network measures" in second.errors[0].message


def test_one_querys_measures_never_refuse_each_other(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
) -> None:
    cache = NetworkCache(max_computing=1)  # one slot: five measures of one request must wait, not be BUSY
    query = """{ network { a: centrality(measure: DEGREE, top: 3) { graphId } b: centrality(measure: PAGERANK, top: 3)
        { graphId } c: centrality(measure: EIGENVECTOR, top: 3) { graphId } d: brokers(top: 3) { graphId }
        e: communities(seed: 1) { modularity } } }"""
    result = execute(neo4j_auth, query, cache)
    assert result.errors is None, result.errors
    assert cache.computations == 5 and all(result.data["network"][k] for k in "abcde")


def test_results_are_cached_independently_of_top(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    cache = NetworkCache()
    three = execute(neo4j_auth, "{ network { brokers(top: 3) { graphId } } }", cache)
    thirty = execute(neo4j_auth, "{ network { brokers(top: 30) { graphId } } }", cache)
    assert three.errors is None and thirty.errors is None, (three.errors, thirty.errors)
    assert cache.computations == 1  # the whole ranking was kept; `top` only cuts it
    ids = [r["graphId"] for r in thirty.data["network"]["brokers"]]
    assert len(ids) > 20  # not cut at the measure's own default of 20
    assert [r["graphId"] for r in three.data["network"]["brokers"]] == ids[:3]


def test_edges_to_nodes_the_read_did_not_return_are_left_out() -> None:
    nodes = [{"id": "a", "label": "Agency", "props": {"name": "A"}}, {"id": "b", "label": "Program", "props": {}}]
    edges = [{"start": "a", "type": "PARTICIPATES_IN", "end": "b", "props": {}},
             {"start": "a", "type": "PROVIDES", "end": "funding:new", "props": {}}]  # committed between reads
    graph = resolvers_network.graph_from_records(nodes, edges)  # type: ignore[arg-type]
    assert sorted(graph.nodes) == ["a", "b"]
    assert [(u, v, d["type"]) for u, v, d in graph.edges(data=True)] == [("a", "b", "PARTICIPATES_IN")]


def test_sampled_betweenness_equals_the_analysis_layer_and_bad_samples_are_client_errors(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
) -> None:
    result = execute(neo4j_auth, """{ network {
        centrality(measure: BETWEENNESS, top: 5, sample: 10, seed: 4) { graphId score }
        brokers(top: 3, sample: 10, seed: 4) { graphId betweenness } } }""")
    assert result.errors is None, result.errors
    expected = MEASURES["betweenness"](from_records(), top=5, k=10, seed=4)
    assert [(r["graphId"], round(r["score"], 9)) for r in result.data["network"]["centrality"]] == [
        (r.node, round(r.betweenness, 9)) for r in expected]
    exact = MEASURES["betweenness"](from_records(), top=5)
    assert [round(r.betweenness, 9) for r in expected] != [round(r.betweenness, 9) for r in exact]  # a real sample
    brokers = MEASURES["brokers"](from_records(), top=3, k=10, seed=4)
    assert [r["graphId"] for r in result.data["network"]["brokers"]] == [r.node for r in brokers]

    bad = execute(neo4j_auth, "{ network { centrality(measure: DEGREE, sample: 10) { graphId } } }")
    assert bad.errors[0].message == "sample: only BETWEENNESS is estimated from a sample"
    assert bad.errors[0].extensions == {"code": "BAD_FILTER"}
    bad = execute(neo4j_auth, "{ network { brokers(sample: 0) { graphId } } }")
    assert bad.errors[0].message == "sample: must be at least 1, got 0"


def execute_counting(auth: tuple[str, str, str], query: str, cache: NetworkCache) -> tuple[Any, int]:
    """The result and how many statements the request sent (`CypherRunner.queries_sent`)."""
    uri, user, password = auth

    async def go() -> tuple[Any, int]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            context = GraphQLContext.create(driver, None, 10.0, 100, cache)
            result = await SCHEMA.execute(query, context_value=context)
            return result, context.runner.queries_sent
        finally:
            await driver.close()

    return asyncio.run(go())


PATHS = ('{ paths(from: "%s", to: "%s", maxLength: 4, first: 3) '
         '{ nodeIds hops { relationships { sources { graphId } } } } }')


def test_paths_reads_both_ends_in_one_statement_beside_the_version(
        seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    cache = NetworkCache()
    first, _ = execute_counting(neo4j_auth, PATHS % ("gov:SR", "cso:padf"), cache)
    again, sent = execute_counting(neo4j_auth, PATHS % ("gov:SR", "cso:padf"), cache)
    assert first.errors is None and again.data == first.data and first.data["paths"]
    assert all(path["nodeIds"][0] == "gov:SR" and path["nodeIds"][-1] == "cso:padf" for path in again.data["paths"])
    assert sent == 3  # the graph version, both ends, the sources (the projection and the paths are cached)


@pytest.mark.parametrize(("ends", "named"), [(("gov:XX", "cso:padf"), "from"), (("gov:SR", "cso:nobody"), "to")])
def test_paths_names_the_missing_end(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                                     ends: tuple[str, str], named: str) -> None:
    result, _ = execute_counting(neo4j_auth, PATHS % ends, NetworkCache())
    assert result.data is None and len(result.errors) == 1
    error = result.errors[0]
    assert error.extensions["code"] == "NOT_FOUND" and error.path == ["paths"]
    assert error.message.startswith(f"{named}: no node with graph id {ends[0 if named == 'from' else 1]!r}")
