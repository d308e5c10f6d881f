"""`fundingAggregate` groups the Fundings inside Neo4j (one statement, one row per batch that splits alike), and
its totals are what the per-Funding money logic gives on the same graph (`analysis.money.aggregate`)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase, Driver

from analysis import from_neo4j, money
from graph_seed.importers import import_files
from resolvers import aggregates
from resolvers.cypher import CypherRunner
from tests.import_helpers import SAMPLES

pytestmark = pytest.mark.neo4j
GROUPINGS = [["flowType"], ["flowType", "fiscalYear"], ["flowType", "country"], ["flowType", "funder", "recipient"],
             ["flowType", "program", "country", "fiscalYear"], ["flowType", "objective", "focusArea"],
             ["flowType", "recipient", "country"]]


def _plain(result: money.Aggregate) -> Any:
    """The answer as GraphQL gives it (cents: batches sum the same amounts in another order)."""
    groups = [(g.key, round(g.stated_usd, 2), round(g.estimated_usd, 2), sorted(g.fundings), sorted(g.unconverted),
               g.min_usd, g.max_usd) for g in result.groups]
    left = [(x.reason, x.flow_type, sorted(x.fundings), round(x.amount_usd, 2)) for x in result.left_out]
    return groups, left


def test_grouped_read_equals_the_per_funding_money_logic(seeded_graph: Driver,
                                                         neo4j_auth: tuple[str, str, str]) -> None:
    import_files(seeded_graph, "fa-csv", [SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"])
    facts = money.all_facts(from_neo4j(seeded_graph))
    uri, user, password = neo4j_auth

    async def go() -> list[tuple[Any, Any, int]]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            runner = CypherRunner(driver, None, 30.0)
            out = []
            for dims in GROUPINGS:
                for kinds, estimates in ((None, True), (list(money.PERIOD_KINDS), False)):
                    got = await aggregates.funding_aggregate(runner, dims, None, None, kinds, estimates)
                    expected = money.aggregate(facts, dims, kinds, estimates)
                    out.append((_plain(got), _plain(expected), 0))
                batches = await aggregates.funding_batches(runner, dims, None, None)
                out.append((None, None, len(batches) if not aggregates.UNGROUPED_DIMENSIONS & set(dims) else 0))
                if aggregates.UNGROUPED_DIMENSIONS & set(dims):  # by program or recipient: one row per Funding
                    assert len(batches) == len(facts)
            return out
        finally:
            await driver.close()

    results = asyncio.run(go())
    for got, expected, _rows in results:
        assert got == expected
    rows = [n for _g, _e, n in results if n]
    assert max(rows) < len(facts), "Fundings that split alike come back as one row"
    assert rows[0] < len(facts) / 2  # by flow type alone: one row per flow type and period


def test_batches_are_shared_out_in_a_worker_thread_as_they_are_read(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    from collections.abc import Iterable, Iterator

    from tests.row_feeds import record_feeds

    import_files(seeded_graph, "fa-csv", [SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"])
    facts = money.all_facts(from_neo4j(seeded_graph))
    feeds = record_feeds(monkeypatch, aggregates, chunk_rows=2, max_chunks=1)
    real = money.aggregate_batches
    held: list[int] = []  # rows handed over but not yet shared out, each time one batch is taken
    threads: list[bool] = []

    def sharing(batches: Iterable[money.FundingBatch], *args: Any) -> money.Aggregate:
        threads.append(threading.current_thread() is threading.main_thread())

        def counting() -> Iterator[money.FundingBatch]:
            for n, batch in enumerate(batches, start=1):
                held.append(feeds[-1].handed - n)
                yield batch

        return real(counting(), *args)

    monkeypatch.setattr(money, "aggregate_batches", sharing)
    uri, user, password = neo4j_auth
    dims = ["flowType", "recipient", "country"]

    async def go() -> money.Aggregate:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            return await aggregates.funding_aggregate(CypherRunner(driver, None, 30.0), dims, None, None)
        finally:
            await driver.close()

    got = asyncio.run(go())
    assert _plain(got) == _plain(real((money.FundingBatch.of(f) for f in facts), dims))
    assert threads == [False]  # shared out in a worker thread, not on the event loop
    assert len(held) > 6 and max(held) <= 2 * (1 + 2)  # never all rows at once: one chunk queued, two in hand


def test_identical_aggregates_at_one_graph_version_share_one_computation(
    seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
) -> None:
    from resolvers.network import NetworkCache
    from schema import QueryLimits, build_schema
    from schema.context import GraphQLContext

    schema = build_schema(QueryLimits())
    query = "{ fundingAggregate(groupBy: [COUNTRY]) { groups { key { value } totalUsd count } } }"
    other = "{ fundingAggregate(groupBy: [FISCAL_YEAR]) { groups { key { value } totalUsd count } } }"
    uri, user, password = neo4j_auth

    async def go() -> tuple[list[Any], int, int]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        # one network cache for all, as the server has one: concurrent requests share its graph-version read, so
        # they reach the aggregate together (each with a cache of its own, a request whose version read came back
        # after the first computation had ended started one more: 3 == 2 once in CI, session 13)
        network = NetworkCache()
        try:
            def run(text: str) -> Any:
                return schema.execute(text, context_value=GraphQLContext.create(driver, None, 30.0, 100, network))
            before = aggregates.SHARED.started
            results = list(await asyncio.gather(run(query), run(query), run(query), run(other)))
            shared = aggregates.SHARED.started - before
            with seeded_graph.session() as session:  # the graph moves: the next request computes anew
                session.run("MATCH (m:GraphMeta) SET m.version = m.version + 1").consume()
            results.append(await run(query))
            return results, shared, aggregates.SHARED.started - before
        finally:
            await driver.close()

    results, shared, total = asyncio.run(go())
    assert all(r.errors is None for r in results), [r.errors for r in results]
    assert results[0].data == results[1].data == results[2].data == results[4].data
    assert results[3].data != results[0].data
    assert shared == 2  # three identical requests at one version: one computation; the other grouping its own
    assert total == 3  # after the version moved, a new computation


def test_every_period_kind_and_self_funding_grouped_alike(empty_graph: Driver,
                                                          neo4j_auth: tuple[str, str, str]) -> None:
    """Not grouped by FISCAL_YEAR, the statement keeps only stand-ins of each figure's period kind and only the
    funders that are also recipients: the answers stay the per-Funding logic's for every kind of period (a span of
    one year, open at either end, cumulative, a date only, undated) and for self-funding, in fewer rows."""
    from graph_seed.neo4j_writer import write_records
    from tests.money_graph import money_dataset
    from tests.test_graphql_helpers import edge, node

    nodes, edges = money_dataset()
    nodes += [
        node("cso:padf", "CivilSocietyOrganization", "PADF"),
        node("funding:span1", "Funding", "FY2015-FY2015", amount=70, flowType="obligation", fiscalYearStart=2015,
             fiscalYearEnd=2015),
        node("funding:span2", "Funding", "FY2012-FY2014", amount=30, flowType="obligation", fiscalYearStart=2012,
             fiscalYearEnd=2014),
        node("funding:through", "Funding", "Through 2020", amount=20, flowType="obligation", fiscalYearEnd=2020),
        node("funding:dated", "Funding", "Dated", amount=15, flowType="obligation", date="2019-05-01"),
        node("funding:self", "Funding", "Self", amount=50, flowType="obligation", fiscalYear=2019),
        node("funding:other", "Funding", "Other year", amount=25, flowType="obligation", fiscalYear=2014),
    ]
    edges += [
        *[edge("RECEIVED_BY", f"funding:{n}", "cso:padf") for n in ("span1", "span2", "through", "dated", "other")],
        edge("PROVIDES", "cso:padf", "funding:self"),
        edge("PROVIDES", "agency:inl", "funding:self"),
        edge("RECEIVED_BY", "funding:self", "cso:padf"),
        edge("RECEIVED_BY", "funding:self", "agency:jm-jcf"),
        edge("RECEIVED_BY", "funding:equal", "cso:padf"),
    ]
    with empty_graph.session() as session:
        write_records(session, nodes, edges)
    facts = money.all_facts(from_neo4j(empty_graph))
    uri, user, password = neo4j_auth

    async def go() -> list[tuple[Any, Any]]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            runner = CypherRunner(driver, None, 30.0)
            out = []
            for dims in [*GROUPINGS, ["flowType", "recipient"], ["flowType", "funder"]]:
                for kinds in (None, list(money.PERIOD_KINDS), ["range"], ["open", "undated"], ["year"]):
                    for estimates in (True, False):
                        got = await aggregates.funding_aggregate(runner, dims, None, None, kinds, estimates)
                        out.append((_plain(got), _plain(money.aggregate(facts, dims, kinds, estimates))))
            by_recipient = await aggregates.funding_batches(runner, ["flowType", "recipient"], None, None)
            out.append((len(by_recipient) < len(facts), True))
            return out
        finally:
            await driver.close()

    results = asyncio.run(go())
    assert any(x.reason == "self-funding" for x in money.aggregate(facts, ["flowType", "recipient"]).left_out)
    for got, expected in results:
        assert got == expected
