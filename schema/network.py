"""`network`: the researchers' measures (`analysis/`) as query fields, top-N, sliced, cached per graph version."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from analysis import leiden_available
from resolvers.network import Served
from schema.context import GraphQLContext
from schema.errors import BadFilterError, ClientError, LimitExceededError
from schema.types import Actor, load_node

MAX_TOP = 200


@strawberry.enum(description="A centrality measure of actors in the cooperation graph.")
class CentralityMeasure(enum.Enum):
    DEGREE = "degree"
    BETWEENNESS = "betweenness"
    EIGENVECTOR = "eigenvector"
    PAGERANK = "pagerank"


@strawberry.enum(description="What partitions actors into groups for brokerage.")
class BrokerageGroup(enum.Enum):
    ACTOR_TYPE = "label"
    COUNTRY = "countryCode"


@strawberry.enum(description="Community detection method (seeded, reproducible).")
class CommunityMethod(enum.Enum):
    LOUVAIN = "louvain"
    LEIDEN = "leiden"


@strawberry.enum(description="What funding concentration is measured over.")
class ConcentrationUnit(enum.Enum):
    COUNTRY = "country"
    FUNDER = "funder"
    IMPLEMENTER = "implementer"


@strawberry.enum(description="Actor labels, to slice the network by actor type.")
class ActorType(enum.Enum):
    GOVERNMENT = "Government"
    AGENCY = "Agency"
    INTERGOVERNMENTAL_ORGANIZATION = "IntergovernmentalOrganization"
    CIVIL_SOCIETY_ORGANIZATION = "CivilSocietyOrganization"
    PRIVATE_SECTOR_ACTOR = "PrivateSectorActor"


@strawberry.input(description="A slice of the network: fiscal years (inclusive), countries, actor types.")
class NetworkSlice:
    fiscal_year_from: int | None = None
    fiscal_year_to: int | None = None
    countries: list[str] | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 codes.")
    actor_types: list[ActorType] | None = None


def _options(where: NetworkSlice | None) -> dict[str, Any]:
    if where is None:
        return {}
    options: dict[str, Any] = {}
    if where.fiscal_year_from is not None or where.fiscal_year_to is not None:
        if (where.fiscal_year_from and where.fiscal_year_to and where.fiscal_year_from > where.fiscal_year_to):
            raise BadFilterError("where.fiscalYearFrom: must not be after fiscalYearTo")
        options["fiscal_years"] = (where.fiscal_year_from, where.fiscal_year_to)
    if where.countries:
        bad = [c for c in where.countries if len(c) != 2 or not c.isalpha() or not c.isupper()]
        if bad:
            raise BadFilterError(f"where.countries: not ISO 3166-1 alpha-2 codes: {', '.join(bad)}")
        options["countries"] = list(where.countries)
    if where.actor_types:
        options["actor_types"] = [t.value for t in where.actor_types]
    return options


def _top(top: int) -> int:
    if top < 1 or top > MAX_TOP:
        raise LimitExceededError(f"top: must be between 1 and {MAX_TOP}, got {top}")
    return top


@strawberry.interface(description="A row about one actor; `actor` resolves the node itself (batched).")
class ActorRow:
    graph_id: str
    name: str | None

    @strawberry.field(description="The actor node (loaded in one batch for all rows).")
    async def actor(self, info: Info[GraphQLContext, None]) -> Actor | None:
        return await load_node(info, self.graph_id)


@strawberry.type(description="An actor's centrality score in the cooperation graph.")
class CentralityScore(ActorRow):
    label: str | None
    score: float
    degree: int


@strawberry.type(description="A broker by betweenness, and the groups its neighbours belong to.")
class Broker(ActorRow):
    group: str | None
    betweenness: float
    degree: int
    neighbour_groups: int
    groups: list[str]


@strawberry.type(description="Gould-Fernandez (1989) brokerage role counts of one actor.")
class BrokerageRoles(ActorRow):
    group: str | None
    coordinator: int
    itinerant: int
    gatekeeper: int
    representative: int
    liaison: int
    total: int


@strawberry.type(description="One community: its actors.")
class Community:
    index: int
    size: int
    members: list[str] = strawberry.field(description="Graph ids of the community's actors.")


@strawberry.type(description="Communities of the cooperation graph, with their modularity.")
class Communities:
    method: str
    seed: int | None
    modularity: float
    communities: list[Community]


@strawberry.type(description="Concentration (HHI, Gini) of one flow type's USD over countries, funders or "
                             "implementers.")
class Concentration:
    flow_type: str
    by: str
    units: int
    total_usd: float
    hhi: float
    gini: float
    top_unit: str | None
    top_share: float


def _sampling(sample: int | None, seed: int) -> dict[str, int]:
    """Options for betweenness estimated from `sample` source actors (none: exact, and `seed` is not used)."""
    if sample is None:
        return {}
    if sample < 1:
        raise BadFilterError(f"sample: must be at least 1, got {sample}")
    return {"k": sample, "seed": seed}


async def request_graph_version(info: Info[GraphQLContext, None]) -> int:
    """The graph version this request works on: read once per request (or handed over by the HTTP cache);
    when Neo4j cannot say, the direct read in `read_version` reports the outage to the client."""
    context = info.context
    if context.graph_version is None:
        context.graph_version = await context.network.read_version(context.runner)
    return context.graph_version


async def request_projection(info: Info[GraphQLContext, None]) -> Served:
    """The network projection this request works on: chosen once, so every network field of one request (and
    `paths`, `coverage`) describes the same graph version. A stale one (the graph moved on; its new projection
    waits until the graph is still: `CBSI_NETWORK_SETTLE`) makes the answer one the HTTP cache must not keep."""
    context = info.context
    if context.network_served is None:
        context.network_served = asyncio.ensure_future(
            context.network.serve(context.runner, await request_graph_version(info)))
    served: Served = await asyncio.shield(context.network_served)
    if served.stale and context.response is not None:
        context.response.headers["cache-control"] = "no-store"  # `app/cached_graphql.py` stores no such answer
    return served


async def network_measure(info: Info[GraphQLContext, None], name: str, options: dict[str, Any]) -> Any:
    """A measure on the request's projection (`request_projection`)."""
    served = await request_projection(info)
    return await info.context.network.measure(info.context.runner, name, options, request=info.context,
                                              served=served)


@strawberry.type(description="Network measures of the cooperation graph, cached until the graph changes.")
class NetworkAnalysis:
    @strawberry.field(description="The graph version the results are computed on. It is older than "
                                  "`currentGraphVersion` (`stale`) while the graph is changing, e.g. during an "
                                  "import: the projection is read again once the graph has been still for "
                                  "CBSI_NETWORK_SETTLE seconds.")
    async def graph_version(self, info: Info[GraphQLContext, None]) -> int:
        return (await request_projection(info)).projection.version

    @strawberry.field(description="The graph's version when this request read it.")
    async def current_graph_version(self, info: Info[GraphQLContext, None]) -> int:
        return (await request_projection(info)).current

    @strawberry.field(description="True when the results describe an older graph version than the current one "
                                  "(the graph is changing; the newest complete projection is served meanwhile).")
    async def stale(self, info: Info[GraphQLContext, None]) -> bool:
        return (await request_projection(info)).stale

    @strawberry.field(description="When the graph the results are computed on was read from Neo4j (UTC).")
    async def projected_at(self, info: Info[GraphQLContext, None]) -> datetime:
        return datetime.fromtimestamp((await request_projection(info)).projection.read_at, UTC)

    @strawberry.field(description="Actors by centrality, highest first. `betweenness` is exact unless `sample` "
                                  "is given: then it is estimated from that many seeded source actors "
                                  "(Brandes & Pich 2007), for large graphs.")
    async def centrality(
        self, info: Info[GraphQLContext, None], measure: CentralityMeasure = CentralityMeasure.DEGREE,
        top: int = 10, where: NetworkSlice | None = None, sample: int | None = None, seed: int = 0,
    ) -> list[CentralityScore]:
        if sample is not None and measure is not CentralityMeasure.BETWEENNESS:
            raise BadFilterError("sample: only BETWEENNESS is estimated from a sample")
        table = await network_measure(
            info, measure.value, {**_options(where), "top": _top(top), **_sampling(sample, seed)})
        column = "degree_centrality" if measure is CentralityMeasure.DEGREE else measure.value
        return [CentralityScore(graph_id=r.node, name=r.name, label=r.label, score=float(getattr(r, column) or 0.0),
                                degree=r.degree) for r in table]

    @strawberry.field(description="Brokers by betweenness, with the groups (actor types or countries) they span; "
                                  "`sample` estimates betweenness from that many seeded source actors.")
    async def brokers(
        self, info: Info[GraphQLContext, None], top: int = 10, group: BrokerageGroup = BrokerageGroup.ACTOR_TYPE,
        where: NetworkSlice | None = None, sample: int | None = None, seed: int = 0,
    ) -> list[Broker]:
        table = await network_measure(
            info, "brokers", {**_options(where), "top": _top(top), "group": group.value, **_sampling(sample, seed)})
        return [Broker(graph_id=r.node, name=r.name, group=None if r.group is None else str(r.group),
                       betweenness=r.betweenness, degree=r.degree, neighbour_groups=r.neighbour_groups,
                       groups=[str(g) for g in r.groups]) for r in table]

    @strawberry.field(description="Gould-Fernandez brokerage roles on the directed resource-flow graph, "
                                  "most brokering first.")
    async def brokerage_roles(
        self, info: Info[GraphQLContext, None], top: int = 10, group: BrokerageGroup = BrokerageGroup.ACTOR_TYPE,
        where: NetworkSlice | None = None,
    ) -> list[BrokerageRoles]:
        table = await network_measure(
            info, "brokerage-roles", {**_options(where), "top": _top(top), "group": group.value})
        return [BrokerageRoles(graph_id=r.node, name=r.name, group=None if r.group is None else str(r.group),
                               coordinator=r.coordinator, itinerant=r.itinerant, gatekeeper=r.gatekeeper,
                               representative=r.representative, liaison=r.liaison, total=r.total) for r in table]

    @strawberry.field(description="Communities of the cooperation graph (seeded: the same seed, the same answer).")
    async def communities(
        self, info: Info[GraphQLContext, None], method: CommunityMethod = CommunityMethod.LOUVAIN, seed: int = 0,
        where: NetworkSlice | None = None,
    ) -> Communities:
        if method is CommunityMethod.LEIDEN and not leiden_available():
            raise ClientError("method: LEIDEN needs the optional packages leidenalg and igraph, which this server "
                              "does not have (pip install 'cbsi-graph[leiden]'); LOUVAIN needs nothing more",
                              code="UNAVAILABLE")
        result = await network_measure(
            info, "communities", {**_options(where), "method": method.value, "seed": seed})
        return Communities(
            method=result.method, seed=result.seed, modularity=result.modularity,
            communities=[Community(index=i, size=len(c), members=sorted(c)) for i, c in enumerate(result.communities)],
        )

    @strawberry.field(description="Funding concentration per flow type (flow types are never added together).")
    async def concentration(
        self, info: Info[GraphQLContext, None], by: ConcentrationUnit = ConcentrationUnit.COUNTRY,
        where: NetworkSlice | None = None,
    ) -> list[Concentration]:
        table = await network_measure(
            info, "concentration", {**_options(where), "by": by.value})
        return [Concentration(flow_type=r.flow_type, by=r.by, units=r.units, total_usd=r.total_usd, hhi=r.hhi,
                              gini=r.gini, top_unit=r.top_unit, top_share=r.top_share) for r in table]
