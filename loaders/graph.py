"""DataLoaders for one request: nodes by id, and one loader per relationship hop (and its filter).

Why: a GraphQL query over 100 programs asking for each program's participants must not send 100 queries.
Each hop's loader collects every parent id asked for in one tick and sends ONE `UNWIND $ids` query, so the
number of Cypher round trips grows with the query's depth, not with the number of rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers import catalog
from resolvers.cypher import CypherRunner
from resolvers.nodes import NodeRow, nodes_by_id
from resolvers.where import Params, compile_expression

# `{pattern}` comes from `catalog.Relation.pattern`, `{where}` from the where-compiler; values are parameters.
HOP = """
UNWIND $ids AS id
MATCH (n:Entity {{id: id}})
MATCH {pattern}
WHERE {where}
RETURN id, properties(r) AS edge, m {{.*}} AS props, labels(m) AS labels
ORDER BY m.name, m.id
"""
# A variable-length hop (the program hierarchy): each node once, with how many levels away it is.
PATH_HOP = """
UNWIND $ids AS id
MATCH (n:Entity {{id: id}})
MATCH {pattern}
WHERE {where}
WITH id, m, min(size(r)) AS depth
RETURN id, {{depth: depth}} AS edge, m {{.*}} AS props, labels(m) AS labels
ORDER BY m.name, m.id
"""


@dataclass(frozen=True)
class EdgeRow:
    """One neighbour: the relationship's properties (role, since, percentage, sources...) and the node."""

    edge: dict[str, Any]
    node: NodeRow


def hop_query(relation: catalog.Relation, role: str | None, where: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The batched Cypher for one hop, filtered by the edge role and a `where` on the neighbour."""
    params = Params()
    condition = compile_expression(relation.target, where, "m", params, "where")
    if role is not None:
        condition = f"({condition}) AND r.role = {params.add(role)}"
    template = HOP if relation.hops is None else PATH_HOP
    return template.format(pattern=relation.pattern("n", "r", "m"), where=condition), params.values


class Loaders:
    """The request's loaders, created lazily; a new `Loaders` per request keeps caches from going stale."""

    def __init__(self, runner: CypherRunner) -> None:
        self.runner = runner
        self.nodes: DataLoader[str, NodeRow | None] = DataLoader(load_fn=self._load_nodes)
        self._hops: dict[str, DataLoader[str, list[EdgeRow]]] = {}

    async def _load_nodes(self, ids: list[str]) -> list[NodeRow | None]:
        found = await nodes_by_id(self.runner, list(dict.fromkeys(ids)))
        return [found.get(node_id) for node_id in ids]

    def hop(self, relation: catalog.Relation, role: str | None = None, where: dict[str, Any] | None = None
            ) -> DataLoader[str, list[EdgeRow]]:
        """The loader for `relation` with this role/where (one loader, hence one query, per distinct filter)."""
        # Not keyed by the parent's label: Jamaica's and USAID's `programs` are one hop, hence one query.
        key = json.dumps([relation.rel_type, relation.direction, relation.target, relation.hops, role, where],
                         sort_keys=True, default=str)
        if key not in self._hops:
            cypher, params = hop_query(relation, role, where)

            async def load(ids: list[str]) -> list[list[EdgeRow]]:
                rows = await self.runner.read(cypher, {**params, "ids": list(dict.fromkeys(ids))})
                by_id: dict[str, list[EdgeRow]] = defaultdict(list)
                for row in rows:
                    by_id[row["id"]].append(EdgeRow(row["edge"], NodeRow(row["props"], tuple(row["labels"]))))
                return [by_id.get(node_id, []) for node_id in ids]

            self._hops[key] = DataLoader(load_fn=load)
        return self._hops[key]
