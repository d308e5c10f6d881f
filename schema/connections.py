"""Relay connections: page info, root edges, and one edge type per relationship type, generated from the catalog.

Why an edge type per relationship type: the facts about a link (a role in a program, a membership's dates, a
country's share of a program) belong on the edge, next to the sources that state them. The edge types are
generated from `resolvers.catalog.EDGE_FIELDS` and `EDGE_TYPE_NAMES`, so a new relationship property is a
model change only.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Generic, TypeVar, cast

import strawberry
from strawberry.types import Info

from resolvers import catalog
from schema.context import GraphQLContext
from schema.registry import load_sources

# `Source` lives in schema.types, which imports this module: Strawberry resolves the name lazily.
SourceRef = Annotated["Source", strawberry.lazy("schema.types")]  # type: ignore[name-defined]  # noqa: F821
N = TypeVar("N")
E = TypeVar("E")

SCALAR_TYPES: dict[str, Any] = {
    catalog.STRING: str, catalog.DATE: str, catalog.INT: int, catalog.FLOAT: float, catalog.BOOL: bool,
    catalog.LIST: list[str],
}


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
        return int(cast(int, total))


@strawberry.type
class RelEdge(Generic[N]):
    """Common to every relationship edge: cursor, neighbour, and the sources that state the link."""

    cursor: str
    node: N
    source_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The sources that state this relationship.")
    async def sources(
        self, info: Info[GraphQLContext, None]
    ) -> list[SourceRef]:
        return await load_sources(info, self.source_ids)

_EDGE_DESCRIPTIONS: dict[str, str] = {
    "ParticipationEdge": "A PARTICIPATES_IN link: the actor's role in the program.",
    "MembershipEdge": "A MEMBER_OF link: since/until (partial dates) and the member's role.",
    "ShareEdge": "An OPERATES_IN or FUNDS link: the share (percentage) when a source gives one.",
    "AttendanceEdge": "An ATTENDED link: the attendee's role at the meeting.",
    "PartnershipEdge": "A PARTNERS_WITH link: the agreement and since when.",
    "PartOfEdge": "A PART_OF link: the part's role in the whole.",
    "AllocationEdge": "An ALLOCATED_TO link: the share a source states (percentage or amount), never computed.",
    "AuthorizationEdge": "An AUTHORIZED_BY link: whether the law authorizes, codifies or appropriates.",
    "SponsorshipEdge": "A SPONSORED link: sponsor or cosponsor, and the date.",
    "PositionEdge": "A HOLDS_POSITION link: the title, since and until.",
    "OutcomeEdge": "A PRODUCED link: the kind of outcome document.",
    "SeatEdge": "A HEADQUARTERED_IN link: the city of the seat.",
    "LocationEdge": "A LOCATED_IN link: the city and the office's role.",
    "LinkEdge": "A relationship without properties of its own (besides its sources).",
    "HierarchyEdge": "A program reached through the PART_OF hierarchy: `depth` levels away (0: the program "
                     "itself). No sources of its own: each PART_OF link on the way has them.",
}


def _make_edge(name: str, fields: dict[str, str]) -> type:
    """A generic edge type `name[N]` with the relationship's own properties as optional fields."""
    annotations = {prop: SCALAR_TYPES[kind] | None for prop, kind in fields.items()}

    def body(namespace: dict[str, Any]) -> None:
        namespace.update({"__module__": __name__, "__annotations__": annotations, **dict.fromkeys(fields)})

    cls = types.new_class(name, (RelEdge[N], Generic[N]), {}, body)  # type: ignore[valid-type, index]  # a generic base
    return strawberry.type(cls, description=_EDGE_DESCRIPTIONS.get(name, f"A relationship of type {name}."))


def _edge_fields() -> dict[str, dict[str, str]]:
    """Each edge type's properties; relationship types that share an edge type must share their properties."""
    found: dict[str, dict[str, str]] = {"LinkEdge": {}}
    for rel_type, props in catalog.EDGE_FIELDS.items():
        name = catalog.EDGE_TYPE_NAMES.get(rel_type, "LinkEdge")
        if found.setdefault(name, props) != props:
            raise AssertionError(f"{rel_type} and another type share {name} with different properties")
    return found


EDGE_TYPES: dict[str, type] = {name: _make_edge(name, fields) for name, fields in _edge_fields().items()}
HIERARCHY_EDGE = "HierarchyEdge"
EDGE_TYPES[HIERARCHY_EDGE] = _make_edge(HIERARCHY_EDGE, {"depth": catalog.INT})
EDGE_BY_TYPE: dict[str, type] = {
    rel_type: EDGE_TYPES[catalog.EDGE_TYPE_NAMES.get(rel_type, "LinkEdge")] for rel_type in catalog.EDGE_FIELDS
}
globals().update(EDGE_TYPES)  # the generated edge types by name, for the annotations that name them
LinkEdge = EDGE_TYPES["LinkEdge"]
