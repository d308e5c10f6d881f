"""From a Source to the facts that cite it: the nodes and relationships whose `sources` name it.

Why: an analyst checking a document wants everything the graph took from it. Both reads scan the `sources`
lists (a list element cannot be indexed), bounded by `limit` and the query timeout; the id is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resolvers.cypher import CypherRunner
from resolvers.nodes import NodeRow

CITING_NODES = """
MATCH (n:Entity)
WHERE $id IN n.sources
RETURN n {.*} AS props, labels(n) AS labels
ORDER BY n.id
LIMIT $limit
"""
CITING_RELATIONSHIPS = """
MATCH (a:Entity)-[r]->(b:Entity)
WHERE $id IN r.sources
RETURN type(r) AS type, a.id AS start, b.id AS end, properties(r) AS props
ORDER BY type, start, end
LIMIT $limit
"""


@dataclass(frozen=True)
class CitingRelationship:
    type: str
    start: str
    end: str
    properties: dict[str, Any]


async def citing_nodes(runner: CypherRunner, source_id: str, limit: int) -> list[NodeRow]:
    rows = await runner.read_maps(CITING_NODES, {"id": source_id, "limit": limit})
    return [NodeRow(row["props"], tuple(row["labels"])) for row in rows]


async def citing_relationships(runner: CypherRunner, source_id: str, limit: int) -> list[CitingRelationship]:
    rows = await runner.read_maps(CITING_RELATIONSHIPS, {"id": source_id, "limit": limit})
    return [CitingRelationship(row["type"], row["start"], row["end"],
                               {k: v for k, v in row["props"].items() if k != "sources"}) for row in rows]
