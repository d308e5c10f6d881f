"""DataLoaders for one request: nodes by id, and one loader per relationship hop (and its filter).

Why: a GraphQL query over 100 programs asking for each program's participants must not send 100 queries.
Each hop's loader collects every parent id asked for in one tick and sends ONE `UNWIND $ids` query, so the
number of Cypher round trips grows with the query's depth, not with the number of rows; that query returns only
each parent's page (`resolvers/hop_page.py`), not every neighbour.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers import catalog
from resolvers.cypher import CypherRunner
from resolvers.hop_page import PageSpec, page_query
from resolvers.nodes import NodeRow, nodes_by_id


@dataclass(frozen=True)
class EdgeRow:
    """One neighbour: the relationship's properties (role, since, percentage, sources...) and the node."""

    edge: dict[str, Any]
    node: NodeRow


@dataclass(frozen=True)
class HopPage:
    """One parent's page of a relationship field: at most `PageSpec.limit` neighbours, in order, and the number
    of all matching neighbours when it was asked for."""

    rows: list[EdgeRow]
    total: int | None


class Loaders:
    """The request's loaders, created lazily; a new `Loaders` per request keeps caches from going stale."""

    def __init__(self, runner: CypherRunner) -> None:
        self.runner = runner
        self.nodes: DataLoader[str, NodeRow | None] = DataLoader(load_fn=self._load_nodes)
        self._hops: dict[str, DataLoader[str, HopPage]] = {}

    async def _load_nodes(self, ids: list[str]) -> list[NodeRow | None]:
        found = await nodes_by_id(self.runner, list(dict.fromkeys(ids)))
        return [found.get(node_id) for node_id in ids]

    def hop(self, relation: catalog.Relation, role: str | None, where: dict[str, Any] | None, spec: PageSpec
            ) -> DataLoader[str, HopPage]:
        """The loader for one page of `relation` with this role/where/order/cursor (one loader, hence one query,
        per distinct set of arguments: the same field under many parents shares one)."""
        # Not keyed by the parent's label: Jamaica's and USAID's `programs` are one hop, hence one query.
        key = json.dumps([relation.rel_type, relation.direction, relation.target, relation.hops, role, where,
                          spec.keys, spec.direction, spec.limit, spec.after, spec.with_total],
                         sort_keys=True, default=str)
        if key not in self._hops:
            cypher, params = page_query(relation, role, where, spec)

            async def load(ids: list[str]) -> list[HopPage]:
                rows = await self.runner.read_maps(cypher, {**params, "ids": list(dict.fromkeys(ids))})
                by_id = {
                    row["id"]: HopPage([EdgeRow(edge, NodeRow(props, tuple(labels))) for edge, props, labels
                                        in row["rows"]], row.get("total"))
                    for row in rows
                }
                empty = HopPage([], 0 if spec.with_total else None)
                return [by_id.get(node_id, empty) for node_id in ids]

            self._hops[key] = DataLoader(load_fn=load)
        return self._hops[key]
