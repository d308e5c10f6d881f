"""Every relationship of one node, whatever its type: the generic view an entity page or a network view needs.

Why a query of its own: the typed connection fields follow one catalog relation each; an explorer showing a
node's whole neighbourhood would need one request per relation. Types come from the vocabulary's allow-list and
every value is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_seed import vocabulary as vocab
from resolvers.cypher import CypherRunner
from resolvers.nodes import NodeRow

RELATIONSHIPS = """
MATCH (n:Entity {id: $id})-[r]-(m:Entity)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($direction IS NULL OR ($direction = 'out') = (startNode(r) = n))
WITH r, m, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction
// the page first, so only its rows read their sources; ordered again below: Cypher promises no order after a
// projection that is not asked for (a sort of at most `limit` rows)
ORDER BY type(r), direction, m.name, m.id
LIMIT $limit
RETURN type(r) AS type, direction, properties(r) AS edge, m {.*} AS props, labels(m) AS labels,
       CASE WHEN $sources THEN COLLECT {
           UNWIND coalesce(r.sources, []) AS sourceId
           MATCH (s:Entity {id: sourceId})
           RETURN {props: s {.*}, labels: labels(s)}
       } ELSE [] END AS sourceNodes
ORDER BY type, direction, m.name, m.id
"""
DIRECTIONS = ("out", "in")


@dataclass(frozen=True)
class RelationshipRow:
    type: str
    direction: str
    edge: dict[str, Any]
    node: NodeRow
    source_nodes: tuple[NodeRow, ...] = ()  # the relationship's Source nodes, when asked for


def check_arguments(types: list[str] | None, direction: str | None) -> None:
    """ValueError naming the bad value and the allowed ones."""
    unknown = sorted(set(types or ()) - set(vocab.RELATIONSHIP_TYPES))
    if unknown:
        raise ValueError(f"types: unknown relationship type(s) {', '.join(unknown)}; "
                         f"known: {', '.join(vocab.RELATIONSHIP_TYPES)}")
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"direction: {direction!r} is not 'out' or 'in'")


async def relationships(runner: CypherRunner, node_id: str, types: list[str] | None, direction: str | None,
                        limit: int, sources: bool = False) -> list[RelationshipRow]:
    """Up to `limit` relationships of `node_id`, ordered by type, direction and neighbour name; with `sources`,
    each with the Source nodes it cites (read in the same statement: no second round trip for them)."""
    check_arguments(types, direction)
    rows = await runner.read_maps(RELATIONSHIPS, {"id": node_id, "types": types, "direction": direction,
                                                  "limit": limit, "sources": sources})
    return [RelationshipRow(row["type"], row["direction"], row["edge"], NodeRow(row["props"], tuple(row["labels"])),
                            tuple(NodeRow(s["props"], tuple(s["labels"])) for s in row["sourceNodes"]))
            for row in rows]
