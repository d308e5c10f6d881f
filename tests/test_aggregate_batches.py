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
                out.append((None, None, len(batches)))
            return out
        finally:
            await driver.close()

    results = asyncio.run(go())
    for got, expected, _rows in results:
        assert got == expected
    rows = [n for _g, _e, n in results if n]
    assert max(rows) < len(facts), "Fundings that split alike come back as one row"
    assert rows[0] < len(facts) / 2  # by flow type alone: one row per flow type and period
