"""Counts of nodes by label and relationships by type: the smallest question that proves the whole pipe."""

from __future__ import annotations

from resolvers.cypher import CypherRunner

NODE_COUNTS = """
MATCH (n:Entity)
UNWIND [l IN labels(n) WHERE NOT l IN ['Entity', 'Actor']] AS label
RETURN label, count(*) AS count
ORDER BY label
"""

RELATIONSHIP_COUNTS = """
MATCH (:Entity)-[r]->(:Entity)
RETURN type(r) AS type, count(*) AS count
ORDER BY type
"""


async def node_counts(runner: CypherRunner) -> list[tuple[str, int]]:
    return [(row["label"], row["count"]) for row in await runner.read(NODE_COUNTS)]


async def relationship_counts(runner: CypherRunner) -> list[tuple[str, int]]:
    return [(row["type"], row["count"]) for row in await runner.read(RELATIONSHIP_COUNTS)]
