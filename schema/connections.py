"""Relay connections: page info, root edges, and one edge type per relationship type with its properties.

Why an edge type per relationship type: the facts about a link (a role in a program, a membership's dates, a
country's share of a program) belong on the edge, next to the sources that state them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import strawberry
from strawberry.types import Info

from schema.context import GraphQLContext

if TYPE_CHECKING:
    from schema.types import Source

N = TypeVar("N")
E = TypeVar("E")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    start_cursor: str | None = None
    has_previous_page: bool = False


@strawberry.type(description="One node of a root connection and its cursor.")
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(description="A page of nodes. `totalCount` is computed only when you ask for it.")
class Connection(Generic[E]):
    edges: list[E]
    page_info: PageInfo
    total: strawberry.Private[object] = None

    @strawberry.field(description="How many nodes match in all pages (a count query, run only when selected).")
    async def total_count(self) -> int:
        total = self.total
        if callable(total):
            total = await total()
        return int(total)  # type: ignore[call-overload]


async def load_sources(info: Info[GraphQLContext, None], ids: list[str]) -> list[Source]:
    """Source nodes for a list of ids, through the request's node DataLoader (one batched query)."""
    from schema.paging import graph_loaders
    from schema.types import to_node

    rows = await graph_loaders(info).nodes.load_many(ids)
    return [to_node(row) for row in rows if row is not None]  # type: ignore[misc]


@strawberry.type
class RelEdge(Generic[N]):
    """Common to every relationship edge: cursor, neighbour, and the sources that state the link."""

    cursor: str
    node: N
    source_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The sources that state this relationship.")
    async def sources(
        self, info: Info[GraphQLContext, None]
    ) -> list[Annotated[Source, strawberry.lazy("schema.types")]]:
        return await load_sources(info, self.source_ids)


@strawberry.type(description="A PARTICIPATES_IN link: the actor's role in the program.")
class ParticipationEdge(RelEdge[N], Generic[N]):
    role: str | None = None
    note: str | None = None


@strawberry.type(description="A MEMBER_OF link: since/until (partial dates) and the member's role.")
class MembershipEdge(RelEdge[N], Generic[N]):
    role: str | None = None
    since: str | None = None
    until: str | None = None


@strawberry.type(description="An OPERATES_IN or FUNDS link: the share (percentage) when a source gives one.")
class ShareEdge(RelEdge[N], Generic[N]):
    percentage: float | None = None


@strawberry.type(description="An ATTENDED link: the attendee's role at the meeting.")
class AttendanceEdge(RelEdge[N], Generic[N]):
    role: str | None = None


@strawberry.type(description="A PARTNERS_WITH link: the agreement and since when.")
class PartnershipEdge(RelEdge[N], Generic[N]):
    agreement: str | None = None
    since: str | None = None


@strawberry.type(description="A PART_OF link: the part's role in the whole.")
class PartOfEdge(RelEdge[N], Generic[N]):
    role: str | None = None


@strawberry.type(description="A relationship without properties of its own (besides its sources).")
class LinkEdge(RelEdge[N], Generic[N]):
    pass


EDGE_BY_TYPE: dict[str, type] = {
    "PARTICIPATES_IN": ParticipationEdge,
    "MEMBER_OF": MembershipEdge,
    "OPERATES_IN": ShareEdge,
    "FUNDS": ShareEdge,
    "ATTENDED": AttendanceEdge,
    "PARTNERS_WITH": PartnershipEdge,
    "PART_OF": PartOfEdge,
}
