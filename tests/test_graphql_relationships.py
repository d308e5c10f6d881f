"""`relationships` on a node: every link whatever its type, ordered, with its sources read in the same statement
(`resolvers/neighbourhood.py`), on the curated seed."""

from __future__ import annotations

import pytest
from neo4j import Driver

from tests.test_graphql_helpers import run_query

pytestmark = pytest.mark.neo4j
NODE = "igo:caricom-impacs"
FIELDS = "type direction other { graphId }"
QUERY = '{ intergovernmentalOrganization(id: "%s") { relationships(first: 100) { %s } } }'
EXPECTED = """
MATCH (n:Entity {id: $id})-[r]-(m:Entity)
RETURN type(r) AS type, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction, m.id AS other,
       [sid IN coalesce(r.sources, []) WHERE EXISTS { MATCH (:Entity {id: sid}) }] AS sources
ORDER BY type, direction, m.name, m.id
"""


def relationships(auth: tuple[str, str, str], fields: str) -> tuple[list[dict], int]:
    result, context = run_query(auth, QUERY % (NODE, fields))
    assert result.errors is None, result.errors
    return result.data["intergovernmentalOrganization"]["relationships"], context.runner.queries_sent


def test_sources_come_with_the_relationships(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    rows, sent = relationships(neo4j_auth, FIELDS + " sources { graphId title }")
    assert sent == 2  # the node, then its relationships with their sources: none for `sources` itself
    expected, _, _ = seeded_graph.execute_query(EXPECTED, {"id": NODE})
    assert [(r["type"], r["direction"], r["other"]["graphId"], [s["graphId"] for s in r["sources"]])
            for r in rows] == [(e["type"], e["direction"], e["other"], e["sources"]) for e in expected]
    assert any(r["sources"] for r in rows) and all(s["title"] for r in rows for s in r["sources"])


def test_without_sources_the_same_relationships(seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    with_sources, _ = relationships(neo4j_auth, FIELDS + " sources { graphId }")
    without, sent = relationships(neo4j_auth, FIELDS)
    assert sent == 2
    assert without == [{key: value for key, value in row.items() if key != "sources"} for row in with_sources]
