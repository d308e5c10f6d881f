"""The node types: one per label, the `Entity` and `Actor` interfaces, and their relationship fields.

Why every relationship is a connection: a link's facts (role, since, percentage) and its sources live on the
edge, and each hop is served by one batched DataLoader query however many parents ask for it.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.types import Info

from graph_seed import vocabulary as vocab
from resolvers import catalog
from resolvers.cursor import decode_cursor, encode_cursor
from resolvers.nodes import NodeRow
from schema.connections import (
    EDGE_BY_TYPE,
    AttendanceEdge,
    Connection,
    LinkEdge,
    MembershipEdge,
    PageInfo,
    ParticipationEdge,
    PartnershipEdge,
    PartOfEdge,
    ShareEdge,
    load_sources,
)
from schema.context import GraphQLContext
from schema.filters import (
    ActorWhere,
    AgencyWhere,
    FocusAreaWhere,
    FundingWhere,
    GovernmentWhere,
    IntergovernmentalOrganizationWhere,
    LegislationWhere,
    MechanismWhere,
    MeetingWhere,
    ObjectiveWhere,
    ProgramWhere,
    to_dict,
)
from schema.paging import graph_loaders, page_size

ParticipationRole = strawberry.enum(
    enum.Enum("ParticipationRole", {r.upper(): r for r in vocab.PARTICIPATION_ROLES}),  # type: ignore[misc]
    description="An actor's role in a program (IATI organisation roles and the roles CBSI sources name).",
)

DESCRIPTIONS = {
    "Government": "A national government: the 13 CBSI partners, the United States, observers and other donors.",
    "Agency": "A government agency or bureau (e.g. USAID, the State Department's INL bureau).",
    "IntergovernmentalOrganization": "A regional or international body (CARICOM, RSS, CARICOM IMPACS, UNODC...).",
    "CivilSocietyOrganization": "A non-governmental organization that implements or supports programs.",
    "PrivateSectorActor": "A company, e.g. a contractor that implements programs.",
    "Program": "An initiative, pillar, program, project or activity (CBSI itself is the top-level initiative).",
    "Funding": "One money flow as a source states it; figures of different flowTypes are never summed together.",
    "Objective": "A CBSI objective (e.g. reduce illicit trafficking).",
    "FocusArea": "A focus area a program addresses (e.g. youth violence prevention).",
    "Mechanism": "A standing cooperation mechanism, e.g. the Caribbean-U.S. Security Cooperation Dialogue.",
    "Meeting": "One meeting of a mechanism.",
    "Legislation": "A law or bill that authorizes programs or funding.",
    "Source": "A document the graph's facts come from.",
}


@strawberry.interface(description="Every node of the graph: a Relay node with its graph id, names and sources.")
class Entity(relay.Node):
    LABEL: ClassVar[str] = "Entity"
    id: relay.NodeID[str]
    name: str
    aliases: list[str] = strawberry.field(default_factory=list)
    description: str | None = None
    source_ids: strawberry.Private[list[str]] = dataclasses.field(default_factory=list)

    @strawberry.field(description="The graph id, e.g. `gov:JM` or `program:cbsi` (what the lookups take).")
    def graph_id(self) -> str:
        return self.id

    @strawberry.field(description="The sources that state this node's facts.")
    async def sources(self, info: Info[GraphQLContext, None]) -> list[Source]:
        return await load_sources(info, self.source_ids)


@strawberry.interface(description="A government, agency, regional body, civil-society organization or company.")
class Actor(Entity):
    LABEL: ClassVar[str] = "Actor"

    @strawberry.field(description='Programs the actor takes part in; edges carry its role.')
    async def programs(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: ParticipationRole | None = None, where: ProgramWhere | None = None,
    ) -> Connection[ParticipationEdge[Program]]:
        return await hop(self, info, 'programs', first, after, where, role.value if role else None)

    @strawberry.field(description='Bodies the actor is a member of; edges carry since/until/role.')
    async def memberships(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: IntergovernmentalOrganizationWhere | None = None,
    ) -> Connection[MembershipEdge[IntergovernmentalOrganization]]:
        return await hop(self, info, 'memberships', first, after, where, role)

    @strawberry.field(description='Mechanisms (e.g. the Dialogue) the actor is a member of.')
    async def mechanisms(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: MechanismWhere | None = None,
    ) -> Connection[MembershipEdge[Mechanism]]:
        return await hop(self, info, 'mechanisms', first, after, where, role)

    @strawberry.field(description='Actors this actor states a partnership with.')
    async def partners(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ActorWhere | None = None,
    ) -> Connection[PartnershipEdge[Actor]]:
        return await hop(self, info, 'partners', first, after, where, None)

    @strawberry.field(description='Actors that state a partnership with this actor.')
    async def partnered_by(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ActorWhere | None = None,
    ) -> Connection[PartnershipEdge[Actor]]:
        return await hop(self, info, 'partneredBy', first, after, where, None)

    @strawberry.field(description='Money flows this actor provides.')
    async def funding_provided(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: FundingWhere | None = None,
    ) -> Connection[LinkEdge[Funding]]:
        return await hop(self, info, 'fundingProvided', first, after, where, None)

    @strawberry.field(description='Money flows this actor receives.')
    async def funding_received(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: FundingWhere | None = None,
    ) -> Connection[LinkEdge[Funding]]:
        return await hop(self, info, 'fundingReceived', first, after, where, None)

    @strawberry.field(description='Meetings the actor attended; edges carry its role.')
    async def meetings_attended(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: MeetingWhere | None = None,
    ) -> Connection[AttendanceEdge[Meeting]]:
        return await hop(self, info, 'meetingsAttended', first, after, where, role)



@strawberry.type(description=DESCRIPTIONS['Government'])
class Government(Actor):
    LABEL: ClassVar[str] = 'Government'
    countryCode: str | None = None
    cbsiRole: str | None = None

    @strawberry.field(description='Programs that operate in this country; edges carry the percentage.')
    async def programs_operating(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ProgramWhere | None = None,
    ) -> Connection[ShareEdge[Program]]:
        return await hop(self, info, 'programsOperating', first, after, where, None)

    @strawberry.field(description='Laws this government enacted.')
    async def legislation(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: LegislationWhere | None = None,
    ) -> Connection[LinkEdge[Legislation]]:
        return await hop(self, info, 'legislation', first, after, where, None)

    @strawberry.field(description='Agencies that are part of this government.')
    async def agencies(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: AgencyWhere | None = None,
    ) -> Connection[PartOfEdge[Agency]]:
        return await hop(self, info, 'agencies', first, after, where, role)


@strawberry.type(description=DESCRIPTIONS['Agency'])
class Agency(Actor):
    LABEL: ClassVar[str] = 'Agency'
    acronym: str | None = None
    countryCode: str | None = None
    iatiRef: str | None = None
    faId: str | None = None

    @strawberry.field(description='The government, agency or body this agency is part of.')
    async def parent(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: ActorWhere | None = None,
    ) -> Connection[PartOfEdge[Actor]]:
        return await hop(self, info, 'parent', first, after, where, role)

    @strawberry.field(description='Agencies that are part of this agency.')
    async def sub_agencies(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: AgencyWhere | None = None,
    ) -> Connection[PartOfEdge[Agency]]:
        return await hop(self, info, 'subAgencies', first, after, where, role)


@strawberry.type(description=DESCRIPTIONS['IntergovernmentalOrganization'])
class IntergovernmentalOrganization(Actor):
    LABEL: ClassVar[str] = 'IntergovernmentalOrganization'
    acronym: str | None = None
    scope: str | None = None
    headquarters: str | None = None
    iatiRef: str | None = None

    @strawberry.field(description='Members of this body; edges carry since/until/role.')
    async def members(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: ActorWhere | None = None,
    ) -> Connection[MembershipEdge[Actor]]:
        return await hop(self, info, 'members', first, after, where, role)

    @strawberry.field(description='The body this one is part of (e.g. CARICOM IMPACS -> CARICOM).')
    async def parent(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: IntergovernmentalOrganizationWhere | None = None,
    ) -> Connection[PartOfEdge[IntergovernmentalOrganization]]:
        return await hop(self, info, 'parent', first, after, where, role)

    @strawberry.field(description='Bodies that are part of this one.')
    async def institutions(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: IntergovernmentalOrganizationWhere | None = None,
    ) -> Connection[PartOfEdge[IntergovernmentalOrganization]]:
        return await hop(self, info, 'institutions', first, after, where, role)


@strawberry.type(description=DESCRIPTIONS['CivilSocietyOrganization'])
class CivilSocietyOrganization(Actor):
    LABEL: ClassVar[str] = 'CivilSocietyOrganization'
    acronym: str | None = None
    kind: str | None = None
    countryCode: str | None = None
    iatiRef: str | None = None
    faId: str | None = None


@strawberry.type(description=DESCRIPTIONS['PrivateSectorActor'])
class PrivateSectorActor(Actor):
    LABEL: ClassVar[str] = 'PrivateSectorActor'
    acronym: str | None = None
    kind: str | None = None
    countryCode: str | None = None
    iatiRef: str | None = None
    faId: str | None = None


@strawberry.type(description=DESCRIPTIONS['Program'])
class Program(Entity):
    LABEL: ClassVar[str] = 'Program'
    level: str | None = None
    startDate: str | None = None
    endDate: str | None = None
    status: str | None = None
    iatiIdentifier: str | None = None
    faActivityId: str | None = None
    sectorCodes: list[str] | None = None

    @strawberry.field(description='Actors taking part; edges carry their role.')
    async def participants(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: ParticipationRole | None = None, where: ActorWhere | None = None,
    ) -> Connection[ParticipationEdge[Actor]]:
        return await hop(self, info, 'participants', first, after, where, role.value if role else None)

    @strawberry.field(description='Countries it operates in; edges carry percentage.')
    async def countries(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: GovernmentWhere | None = None,
    ) -> Connection[ShareEdge[Government]]:
        return await hop(self, info, 'countries', first, after, where, None)

    @strawberry.field(description='Money flows that fund it; edges carry percentage.')
    async def fundings(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: FundingWhere | None = None,
    ) -> Connection[ShareEdge[Funding]]:
        return await hop(self, info, 'fundings', first, after, where, None)

    @strawberry.field(description='The program this one is part of.')
    async def parent(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: ProgramWhere | None = None,
    ) -> Connection[PartOfEdge[Program]]:
        return await hop(self, info, 'parent', first, after, where, role)

    @strawberry.field(description='Programs that are part of this one.')
    async def children(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: ProgramWhere | None = None,
    ) -> Connection[PartOfEdge[Program]]:
        return await hop(self, info, 'children', first, after, where, role)

    @strawberry.field(description='Objectives it advances.')
    async def objectives(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ObjectiveWhere | None = None,
    ) -> Connection[LinkEdge[Objective]]:
        return await hop(self, info, 'objectives', first, after, where, None)

    @strawberry.field(description='Focus areas it addresses.')
    async def focus_areas(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: FocusAreaWhere | None = None,
    ) -> Connection[LinkEdge[FocusArea]]:
        return await hop(self, info, 'focusAreas', first, after, where, None)

    @strawberry.field(description='Laws that authorize it.')
    async def authorized_by(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: LegislationWhere | None = None,
    ) -> Connection[LinkEdge[Legislation]]:
        return await hop(self, info, 'authorizedBy', first, after, where, None)


@strawberry.type(description=DESCRIPTIONS['Funding'])
class Funding(Entity):
    LABEL: ClassVar[str] = 'Funding'
    amount: float | None = None
    currency: str | None = None
    amountUsd: float | None = None
    amountQualifier: str | None = None
    flowType: str | None = None
    fiscalYear: int | None = None
    fiscalYearStart: int | None = None
    fiscalYearEnd: int | None = None
    date: str | None = None

    @strawberry.field(description='Who provides the money.')
    async def provider(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ActorWhere | None = None,
    ) -> Connection[LinkEdge[Actor]]:
        return await hop(self, info, 'provider', first, after, where, None)

    @strawberry.field(description='What the money funds; edges carry percentage.')
    async def program(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ProgramWhere | None = None,
    ) -> Connection[ShareEdge[Program]]:
        return await hop(self, info, 'program', first, after, where, None)

    @strawberry.field(description='Who receives the money.')
    async def recipient(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ActorWhere | None = None,
    ) -> Connection[LinkEdge[Actor]]:
        return await hop(self, info, 'recipient', first, after, where, None)

    @strawberry.field(description='Laws that authorize it.')
    async def authorized_by(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: LegislationWhere | None = None,
    ) -> Connection[LinkEdge[Legislation]]:
        return await hop(self, info, 'authorizedBy', first, after, where, None)


@strawberry.type(description=DESCRIPTIONS['Objective'])
class Objective(Entity):
    LABEL: ClassVar[str] = 'Objective'

    @strawberry.field(description='Programs that advance it.')
    async def programs(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ProgramWhere | None = None,
    ) -> Connection[LinkEdge[Program]]:
        return await hop(self, info, 'programs', first, after, where, None)


@strawberry.type(description=DESCRIPTIONS['FocusArea'])
class FocusArea(Entity):
    LABEL: ClassVar[str] = 'FocusArea'

    @strawberry.field(description='Programs that address it.')
    async def programs(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ProgramWhere | None = None,
    ) -> Connection[LinkEdge[Program]]:
        return await hop(self, info, 'programs', first, after, where, None)


@strawberry.type(description=DESCRIPTIONS['Mechanism'])
class Mechanism(Entity):
    LABEL: ClassVar[str] = 'Mechanism'

    @strawberry.field(description='Meetings of this mechanism.')
    async def meetings(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: MeetingWhere | None = None,
    ) -> Connection[LinkEdge[Meeting]]:
        return await hop(self, info, 'meetings', first, after, where, None)

    @strawberry.field(description='Members of this mechanism.')
    async def members(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: ActorWhere | None = None,
    ) -> Connection[MembershipEdge[Actor]]:
        return await hop(self, info, 'members', first, after, where, role)

    @strawberry.field(description='The mechanism this one is part of.')
    async def parent(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: MechanismWhere | None = None,
    ) -> Connection[PartOfEdge[Mechanism]]:
        return await hop(self, info, 'parent', first, after, where, role)


@strawberry.type(description=DESCRIPTIONS['Meeting'])
class Meeting(Entity):
    LABEL: ClassVar[str] = 'Meeting'
    date: str | None = None
    location: str | None = None
    ordinal: int | None = None

    @strawberry.field(description='The mechanism this meeting belongs to.')
    async def mechanism(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: MechanismWhere | None = None,
    ) -> Connection[LinkEdge[Mechanism]]:
        return await hop(self, info, 'mechanism', first, after, where, None)

    @strawberry.field(description='Who attended; edges carry their role.')
    async def attendees(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        role: str | None = None, where: ActorWhere | None = None,
    ) -> Connection[AttendanceEdge[Actor]]:
        return await hop(self, info, 'attendees', first, after, where, role)


@strawberry.type(description=DESCRIPTIONS['Legislation'])
class Legislation(Entity):
    LABEL: ClassVar[str] = 'Legislation'
    number: str | None = None
    publicLaw: str | None = None
    congress: int | None = None
    status: str | None = None
    enacted: str | None = None
    introduced: str | None = None
    authorizedAmountPerYear: float | None = None
    authorizedFiscalYearStart: int | None = None
    authorizedFiscalYearEnd: int | None = None

    @strawberry.field(description='The government that enacted it.')
    async def enacted_by(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: GovernmentWhere | None = None,
    ) -> Connection[LinkEdge[Government]]:
        return await hop(self, info, 'enactedBy', first, after, where, None)

    @strawberry.field(description='Programs it authorizes.')
    async def authorizes(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: ProgramWhere | None = None,
    ) -> Connection[LinkEdge[Program]]:
        return await hop(self, info, 'authorizes', first, after, where, None)

    @strawberry.field(description='Money flows it authorizes.')
    async def authorizes_funding(
        self, info: Info[GraphQLContext, None], first: int | None = None, after: str | None = None,
        where: FundingWhere | None = None,
    ) -> Connection[LinkEdge[Funding]]:
        return await hop(self, info, 'authorizesFunding', first, after, where, None)


@strawberry.type(description=DESCRIPTIONS['Source'])
class Source(Entity):
    LABEL: ClassVar[str] = 'Source'
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    date: str | None = None
    sha256: str | None = None
    importedAt: str | None = None




TYPES: dict[str, type[Entity]] = {
    cls.LABEL: cls  # type: ignore[attr-defined]
    for cls in (Government, Agency, IntergovernmentalOrganization, CivilSocietyOrganization, PrivateSectorActor,
                Program, Funding, Objective, FocusArea, Mechanism, Meeting, Legislation, Source)
}
_INIT_FIELDS: dict[str, tuple[str, ...]] = {}


def to_node(row: NodeRow) -> Entity:
    """The Strawberry object for a node row, by its domain label."""
    cls = TYPES[row.label]
    names = _INIT_FIELDS.get(row.label)
    if names is None:
        names = _INIT_FIELDS[row.label] = tuple(
            f.name for f in cls.__dataclass_fields__.values() if f.name not in ("source_ids",) and f.init
        )
    props = row.props
    kwargs: dict[str, Any] = {name: props.get(name) for name in names if props.get(name) is not None}
    kwargs["aliases"] = list(props.get("aliases") or [])
    return cls(**kwargs, source_ids=list(props.get("sources") or []))


async def hop(
    root: Entity, info: Info[GraphQLContext, None], field: str, first: int | None, after: str | None,
    where: Any, role: str | None,
) -> Connection[Any]:
    """One relationship field: the batched loader's rows for this node, paged by (name, id) cursors."""
    relation = catalog.relation(root.LABEL, field)
    size = page_size(info, first)
    rows = await graph_loaders(info).hop(relation, role, to_dict(where) if where else None).load(root.id)
    total = len(rows)
    if after is not None:
        name, node_id = decode_cursor(after, "name")
        rows = [r for r in rows if (r.node.props.get("name") or "", r.node.props["id"]) > (name or "", node_id)]
    edge_cls = EDGE_BY_TYPE.get(relation.rel_type, LinkEdge)
    edge_props = tuple(catalog.EDGE_FIELDS[relation.rel_type])
    edges = [
        edge_cls(
            cursor=encode_cursor("name", row.node.props.get("name"), row.node.props["id"]),
            node=to_node(row.node),
            source_ids=list(row.edge.get("sources") or []),
            **{p: row.edge.get(p) for p in edge_props},
        )
        for row in rows[:size]
    ]
    end = edges[-1].cursor if edges else None
    return Connection(edges=edges, page_info=PageInfo(has_next_page=len(rows) > size, end_cursor=end), total=total)


async def load_node(info: Info[GraphQLContext, None], node_id: str | None) -> Entity | None:
    """One node by graph id through the request's node DataLoader."""
    if node_id is None:
        return None
    row = await graph_loaders(info).nodes.load(node_id)
    return to_node(row) if row is not None else None
