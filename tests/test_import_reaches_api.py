"""After an import, the GraphQL API and the analysis see the new data, and cached answers move on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase, Driver

from analysis import from_neo4j
from graph_seed.importers import import_files
from resolvers.network import NetworkCache
from schema import QueryLimits, build_schema
from schema.context import GraphQLContext
from tests.import_helpers import SAMPLES

pytestmark = pytest.mark.neo4j
SCHEMA = build_schema(QueryLimits())
QUERY = """{
  government(id: "gov:SV") { name programsOperating(first: 100) { totalCount } }
  network { graphVersion }
}"""


def execute(auth: tuple[str, str, str], network: NetworkCache, query: str = QUERY) -> Any:
    uri, user, password = auth

    async def go() -> Any:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            context = GraphQLContext.create(driver, None, 10.0, 100, network)
            return await SCHEMA.execute(query, context_value=context)
        finally:
            await driver.close()

    return asyncio.run(go())


def test_fa_import_is_seen_by_graphql_and_analysis(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                                                   ) -> None:
    network = NetworkCache()
    missing = execute(neo4j_auth, network)
    assert missing.errors[0].message.startswith("id: no Government with id 'gov:SV'."), "El Salvador comes later"
    before = execute(neo4j_auth, network, "{ network { graphVersion } }")
    summary = import_files(seeded_graph, "fa-csv", [SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"])
    assert summary.programs > 0

    after = execute(neo4j_auth, network)
    assert after.errors is None, after.errors
    assert after.data["government"]["name"]
    assert after.data["government"]["programsOperating"]["totalCount"] == summary.programs
    assert after.data["network"]["graphVersion"] > before.data["network"]["graphVersion"]

    graph = from_neo4j(seeded_graph)
    imported = [n for n, attrs in graph.nodes(data=True) if attrs["label"] == "Program" and n.startswith("program:fa:")]
    assert len(imported) == summary.programs
    assert all(graph.has_edge(p, "gov:SV") for p in imported)
