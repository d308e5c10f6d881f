"""`graphStats`: nodes by label and relationships by type."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import stats
from schema.context import GraphQLContext


@strawberry.type(description="How many nodes carry a label.")
class LabelCount:
    label: str
    count: int


@strawberry.type(description="How many relationships have a type.")
class TypeCount:
    type: str
    count: int


@strawberry.type(description="Counts of what the graph holds.")
class GraphStats:
    @strawberry.field(description="Nodes by label (each node counted once per domain label).")
    async def nodes(self, info: Info[GraphQLContext, None]) -> list[LabelCount]:
        return [LabelCount(label=label, count=count) for label, count in await stats.node_counts(info.context.runner)]

    @strawberry.field(description="Relationships by type.")
    async def relationships(self, info: Info[GraphQLContext, None]) -> list[TypeCount]:
        rows = await stats.relationship_counts(info.context.runner)
        return [TypeCount(type=rel_type, count=count) for rel_type, count in rows]
