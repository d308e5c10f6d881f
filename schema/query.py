"""The Query root: `node`, a lookup and a connection per type, search, funding aggregates, cooperation."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from resolvers import nodes
from schema.aggregates import (
    AGGREGATE_DESCRIPTION,
    FlowType,
    FundingAggregate,
    FundingDimension,
    funding_aggregate_field,
)
from schema.connections import Connection, Edge, PageInfo
from schema.context import GraphQLContext
from schema.cooperation import Cooperation, cooperation_field
from schema.errors import ClientError, NotFoundError
from schema.filters import (
    ActorSort,
    ActorWhere,
    AgencySort,
    AgencyWhere,
    CivilSocietyOrganizationSort,
    CivilSocietyOrganizationWhere,
    FocusAreaSort,
    FocusAreaWhere,
    FundingSort,
    FundingWhere,
    GovernmentSort,
    GovernmentWhere,
    IntergovernmentalOrganizationSort,
    IntergovernmentalOrganizationWhere,
    LegislationSort,
    LegislationWhere,
    MechanismSort,
    MechanismWhere,
    MeetingSort,
    MeetingWhere,
    ObjectiveSort,
    ObjectiveWhere,
    PrivateSectorActorSort,
    PrivateSectorActorWhere,
    ProgramSort,
    ProgramWhere,
    SourceSort,
    SourceWhere,
    sort_args,
    to_dict,
)
from schema.network import NetworkAnalysis
from schema.paging import graph_loaders, page_size
from schema.search import NodeType, SearchHit, search_field
from schema.stats import GraphStats
from schema.types import (
    Actor,
    Agency,
    CivilSocietyOrganization,
    Entity,
    FocusArea,
    Funding,
    Government,
    IntergovernmentalOrganization,
    Legislation,
    Mechanism,
    Meeting,
    Objective,
    PrivateSectorActor,
    Program,
    Source,
    to_node,
)


async def lookup(info: Info[GraphQLContext, None], label: str, node_id: str) -> Entity:
    """One node of `label` by graph id, through the node DataLoader; NOT_FOUND names the id and the type."""
    row = await graph_loaders(info).nodes.load(node_id)
    if row is None or (label not in row.labels):
        raise NotFoundError(f"id: no {label} with id {node_id!r}")
    return to_node(row)


async def list_nodes(
    info: Info[GraphQLContext, None], label: str, first: int | None, after: str | None, where: Any, sort: Any
) -> Connection[Any]:
    """A root connection page; the count query runs only if `totalCount` is resolved (i.e. selected)."""
    size = page_size(info, first)
    field, direction = sort_args(sort)
    where_dict = to_dict(where) if where else None
    result = await nodes.page(info.context.runner, label, where_dict, size, after, field, direction)  # type: ignore[arg-type]
    edges = [Edge(cursor=cursor, node=to_node(row)) for cursor, row in result.rows]

    async def total() -> int:
        return await nodes.count(info.context.runner, label, where_dict)

    end = edges[-1].cursor if edges else None
    return Connection(edges=edges, page_info=PageInfo(has_next_page=result.has_next, end_cursor=end,
                                                       has_previous_page=after is not None), total=total)


@strawberry.type
class Query:
    @strawberry.field(description="Counts of nodes by label and relationships by type.")
    def graph_stats(self) -> GraphStats:
        return GraphStats()

    @strawberry.field(description="Network measures (centrality, brokerage, communities, concentration) of the "
                                  "cooperation graph, computed by `analysis/` and cached until the graph changes.")
    def network(self) -> NetworkAnalysis:
        return NetworkAnalysis()

    @strawberry.field(description="Any node by its Relay global id (the `id` field of every node).")
    async def node(self, info: Info[GraphQLContext, None], id: strawberry.ID) -> Entity:  # noqa: A002
        try:
            global_id = relay.GlobalID.from_id(id)
        except ValueError as exc:
            raise ClientError(f"id: {id!r} is not a node id (use the `id` field of a node; graph ids like "
                              "gov:JM go to the typed lookups)") from exc
        return await lookup(info, global_id.type_name, global_id.node_id)

    @strawberry.field(description="Ranked full-text search over names, aliases and descriptions; ignores case and "
                                  "accents and tolerates small typos.")
    async def search(
        self, info: Info[GraphQLContext, None], text: str, types: list[NodeType] | None = None,  # type: ignore[valid-type]
        first: int = 10,
    ) -> list[SearchHit]:
        return await search_field(info, text, types, first)

    @strawberry.field(description=AGGREGATE_DESCRIPTION)
    async def funding_aggregate(
        self, info: Info[GraphQLContext, None], group_by: list[FundingDimension],
        where: FundingWhere | None = None, flow_type: FlowType | None = None,  # type: ignore[valid-type]
    ) -> FundingAggregate:
        return await funding_aggregate_field(info, group_by, where, flow_type)

    @strawberry.field(description="What links the given actors (graph ids like gov:JM, or node ids): shared "
                                  "programs, meetings, memberships, funding flows and partnerships, with sources.")
    async def cooperation(self, info: Info[GraphQLContext, None], between: list[strawberry.ID]) -> Cooperation:
        return await cooperation_field(info, [str(value) for value in between])

    @strawberry.field(description="One Government by graph id (`gov:...`); NOT_FOUND if there is none.")
    async def government(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Government:
        return await lookup(info, 'Government', id)  # type: ignore[return-value]

    @strawberry.field(description="Government nodes, filtered, sorted (default: by name) and paged.")
    async def governments(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: GovernmentWhere | None = None, sort: GovernmentSort | None = None,
    ) -> Connection[Edge[Government]]:
        return await list_nodes(info, 'Government', first, after, where, sort)

    @strawberry.field(description="One Agency by graph id (`agency:...`); NOT_FOUND if there is none.")
    async def agency(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Agency:
        return await lookup(info, 'Agency', id)  # type: ignore[return-value]

    @strawberry.field(description="Agency nodes, filtered, sorted (default: by name) and paged.")
    async def agencies(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: AgencyWhere | None = None, sort: AgencySort | None = None,
    ) -> Connection[Edge[Agency]]:
        return await list_nodes(info, 'Agency', first, after, where, sort)

    @strawberry.field(description="One IntergovernmentalOrganization by graph id (`igo:...`); NOT_FOUND if none.")
    async def intergovernmental_organization(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> IntergovernmentalOrganization:
        return await lookup(info, 'IntergovernmentalOrganization', id)  # type: ignore[return-value]

    @strawberry.field(description="IntergovernmentalOrganization nodes, filtered, sorted (default: by name) and paged.")
    async def intergovernmental_organizations(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: IntergovernmentalOrganizationWhere | None = None, sort: IntergovernmentalOrganizationSort | None = None,
    ) -> Connection[Edge[IntergovernmentalOrganization]]:
        return await list_nodes(info, 'IntergovernmentalOrganization', first, after, where, sort)

    @strawberry.field(description="One CivilSocietyOrganization by graph id (`cso:...`); NOT_FOUND if there is none.")
    async def civil_society_organization(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> CivilSocietyOrganization:
        return await lookup(info, 'CivilSocietyOrganization', id)  # type: ignore[return-value]

    @strawberry.field(description="CivilSocietyOrganization nodes, filtered, sorted (default: by name) and paged.")
    async def civil_society_organizations(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: CivilSocietyOrganizationWhere | None = None, sort: CivilSocietyOrganizationSort | None = None,
    ) -> Connection[Edge[CivilSocietyOrganization]]:
        return await list_nodes(info, 'CivilSocietyOrganization', first, after, where, sort)

    @strawberry.field(description="One PrivateSectorActor by graph id (`org:...`); NOT_FOUND if there is none.")
    async def private_sector_actor(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> PrivateSectorActor:
        return await lookup(info, 'PrivateSectorActor', id)  # type: ignore[return-value]

    @strawberry.field(description="PrivateSectorActor nodes, filtered, sorted (default: by name) and paged.")
    async def private_sector_actors(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: PrivateSectorActorWhere | None = None, sort: PrivateSectorActorSort | None = None,
    ) -> Connection[Edge[PrivateSectorActor]]:
        return await list_nodes(info, 'PrivateSectorActor', first, after, where, sort)

    @strawberry.field(description="One Program by graph id (`program:...`); NOT_FOUND if there is none.")
    async def program(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Program:
        return await lookup(info, 'Program', id)  # type: ignore[return-value]

    @strawberry.field(description="Program nodes, filtered, sorted (default: by name) and paged.")
    async def programs(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ProgramWhere | None = None, sort: ProgramSort | None = None,
    ) -> Connection[Edge[Program]]:
        return await list_nodes(info, 'Program', first, after, where, sort)

    @strawberry.field(description="One Funding by graph id (`funding:...`); NOT_FOUND if there is none.")
    async def funding(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Funding:
        return await lookup(info, 'Funding', id)  # type: ignore[return-value]

    @strawberry.field(description="Funding nodes, filtered, sorted (default: by name) and paged.")
    async def fundings(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: FundingWhere | None = None, sort: FundingSort | None = None,
    ) -> Connection[Edge[Funding]]:
        return await list_nodes(info, 'Funding', first, after, where, sort)

    @strawberry.field(description="One Objective by graph id (`objective:...`); NOT_FOUND if there is none.")
    async def objective(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Objective:
        return await lookup(info, 'Objective', id)  # type: ignore[return-value]

    @strawberry.field(description="Objective nodes, filtered, sorted (default: by name) and paged.")
    async def objectives(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ObjectiveWhere | None = None, sort: ObjectiveSort | None = None,
    ) -> Connection[Edge[Objective]]:
        return await list_nodes(info, 'Objective', first, after, where, sort)

    @strawberry.field(description="One FocusArea by graph id (`focus:...`); NOT_FOUND if there is none.")
    async def focus_area(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> FocusArea:
        return await lookup(info, 'FocusArea', id)  # type: ignore[return-value]

    @strawberry.field(description="FocusArea nodes, filtered, sorted (default: by name) and paged.")
    async def focus_areas(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: FocusAreaWhere | None = None, sort: FocusAreaSort | None = None,
    ) -> Connection[Edge[FocusArea]]:
        return await list_nodes(info, 'FocusArea', first, after, where, sort)

    @strawberry.field(description="One Mechanism by graph id (`mechanism:...`); NOT_FOUND if there is none.")
    async def mechanism(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Mechanism:
        return await lookup(info, 'Mechanism', id)  # type: ignore[return-value]

    @strawberry.field(description="Mechanism nodes, filtered, sorted (default: by name) and paged.")
    async def mechanisms(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: MechanismWhere | None = None, sort: MechanismSort | None = None,
    ) -> Connection[Edge[Mechanism]]:
        return await list_nodes(info, 'Mechanism', first, after, where, sort)

    @strawberry.field(description="One Meeting by graph id (`meeting:...`); NOT_FOUND if there is none.")
    async def meeting(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Meeting:
        return await lookup(info, 'Meeting', id)  # type: ignore[return-value]

    @strawberry.field(description="Meeting nodes, filtered, sorted (default: by name) and paged.")
    async def meetings(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: MeetingWhere | None = None, sort: MeetingSort | None = None,
    ) -> Connection[Edge[Meeting]]:
        return await list_nodes(info, 'Meeting', first, after, where, sort)

    @strawberry.field(description="One Legislation by graph id (`law:...`); NOT_FOUND if there is none.")
    async def law(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Legislation:
        return await lookup(info, 'Legislation', id)  # type: ignore[return-value]

    @strawberry.field(description="Legislation nodes, filtered, sorted (default: by name) and paged.")
    async def legislation(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: LegislationWhere | None = None, sort: LegislationSort | None = None,
    ) -> Connection[Edge[Legislation]]:
        return await list_nodes(info, 'Legislation', first, after, where, sort)

    @strawberry.field(description="One Source by graph id (`src:...`); NOT_FOUND if there is none.")
    async def source(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Source:
        return await lookup(info, 'Source', id)  # type: ignore[return-value]

    @strawberry.field(description="Source nodes, filtered, sorted (default: by name) and paged.")
    async def sources(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: SourceWhere | None = None, sort: SourceSort | None = None,
    ) -> Connection[Edge[Source]]:
        return await list_nodes(info, 'Source', first, after, where, sort)

    @strawberry.field(description="One Actor by graph id (`gov:...`); NOT_FOUND if there is none.")
    async def actor(
        self, info: Info[GraphQLContext, None], id: strawberry.ID  # noqa: A002
    ) -> Actor:
        return await lookup(info, 'Actor', id)  # type: ignore[return-value]

    @strawberry.field(description="Actor nodes, filtered, sorted (default: by name) and paged.")
    async def actors(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ActorWhere | None = None, sort: ActorSort | None = None,
    ) -> Connection[Edge[Actor]]:
        return await list_nodes(info, 'Actor', first, after, where, sort)

