"""Root fields for exploring the graph as a whole: `paths` between two nodes and the `coverage` report.

Why on the network cache: both run `analysis/` functions on the projection of the current graph version
(`resolvers.network.NetworkCache`), so GraphQL answers exactly what `cbsi-graph analyze paths` and
`cbsi-graph coverage` print, and each answer is computed once per graph version.
"""

from __future__ import annotations

import asyncio
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers.background import mark_seen
from resolvers.neighbourhood import check_arguments
from schema.context import GraphQLContext
from schema.errors import BadFilterError, LimitExceededError, NotFoundError
from schema.network import network_measure, request_graph_version, request_projection
from schema.paging import graph_loaders
from schema.registry import load_sources, to_node
from schema.types import Entity, Source

MAX_PATH_LENGTH = 6
MAX_PATHS = 20


@strawberry.type(description="One relationship on a hop, as recorded (`start -[type]-> end`).")
class PathRelationship:
    type: str
    start: str = strawberry.field(description="Graph id of the node the relationship was recorded from.")
    end: str = strawberry.field(description="Graph id of the node it was recorded to.")
    properties: JSON
    source_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The sources that state this relationship.")
    async def sources(self, info: Info[GraphQLContext, None]) -> list[Source]:
        return await load_sources(info, self.source_ids)


@strawberry.type(description="A step of a path from `from` to `to`, with every relationship between the two.")
class PathHop:
    from_: str = strawberry.field(name="from", description="Graph id where the step starts.")
    to: str = strawberry.field(description="Graph id where the step ends.")
    relationships: list[PathRelationship]

    @strawberry.field(description="The first relationship's type (all are in `relationships`).")
    def type(self) -> str:
        return self.relationships[0].type if self.relationships else ""

    @strawberry.field(description="The first relationship's properties.")
    def properties(self) -> JSON:
        return self.relationships[0].properties if self.relationships else cast(JSON, {})

    @strawberry.field(description="The sources of every relationship on this step.")
    async def sources(self, info: Info[GraphQLContext, None]) -> list[Source]:
        ids = list(dict.fromkeys(s for r in self.relationships for s in r.source_ids))
        return await load_sources(info, ids)


@strawberry.type(description="One shortest chain between two nodes (direction ignored, reported per hop).")
class GraphPath:
    length: int
    node_ids: list[str] = strawberry.field(description="Graph ids along the path, from `from` to `to`.")
    hops: list[PathHop]

    @strawberry.field(description="The nodes along the path (loaded in one batch).")
    async def nodes(self, info: Info[GraphQLContext, None]) -> list[Entity]:
        rows = await graph_loaders(info).nodes.load_many(self.node_ids)
        return [to_node(row) for row in rows if row is not None]


async def paths_field(info: Info[GraphQLContext, None], source: str, target: str, max_length: int,
                      first: int, relationship_types: list[str] | None) -> list[GraphPath]:
    if not 1 <= max_length <= MAX_PATH_LENGTH:
        raise LimitExceededError(f"maxLength: must be between 1 and {MAX_PATH_LENGTH}, got {max_length}")
    if not 1 <= first <= MAX_PATHS:
        raise LimitExceededError(f"first: must be between 1 and {MAX_PATHS}, got {first}")
    try:
        check_arguments(relationship_types, None)
    except ValueError as exc:
        raise BadFilterError(f"relationshipTypes: {exc}".replace("types: ", "")) from exc
    # both ends in one statement while the graph version is read (two round trips at once instead of three in
    # a row); the version read is left to finish when an end is missing (it may be shared with other requests)
    version = asyncio.ensure_future(request_graph_version(info))
    version.add_done_callback(mark_seen)
    rows = await graph_loaders(info).nodes.load_many([source, target])
    for name, node_id, row in zip(("from", "to"), (source, target), rows, strict=True):
        if row is None:
            raise NotFoundError(f"{name}: no node with graph id {node_id!r} (graph ids look like gov:JM, cso:padf)")
    await version
    options = {"source": source, "target": target, "max_paths": first,
               "relationship_types": ",".join(relationship_types) if relationship_types else None}
    result = await network_measure(info, "paths", options)
    return [
        GraphPath(length=path.length, node_ids=list(path.nodes), hops=[
            PathHop(from_=hop.start, to=hop.end, relationships=[
                PathRelationship(type=r.type, start=r.start, end=r.end, properties=cast(JSON, dict(r.properties)),
                                 source_ids=list(r.sources)) for r in hop.relationships])
            for hop in path.hops])
        for path in result.paths if path.length <= max_length
    ]


@strawberry.type(description="How many stated figures the graph holds for one fiscal year, flow type and account "
                             "(`account` null: any account). `figures = 0` means the graph has no figure, "
                             "not that the amount was zero.")
class FiscalYearCoverage:
    fiscal_year: int
    flow_type: str
    account: str | None
    figures: int
    funding_ids: list[str]


@strawberry.type(description="A cumulative statement: a total over a period, never one year's money.")
class CumulativeFigure:
    funding_id: str
    name: str
    flow_type: str
    amount_usd: float | None
    fiscal_year_start: int | None
    fiscal_year_end: int | None
    as_of: str | None


@strawberry.type(description="One record and the fields or links it still lacks.")
class CoverageGap:
    kind: str = strawberry.field(description="meeting, bill, body or program.")
    id: str
    name: str
    missing: list[str]


@strawberry.type(description="How many records of a kind there are and how many have every field filled.")
class CoverageCount:
    kind: str
    total: int
    complete: int


@strawberry.type(description="What the graph does not know: FY2010-FY2025 CBSI-wide figures by flow type and "
                             "account, cumulative statements, and records with unfilled fields.")
class CoverageReport:
    fiscal_years: list[FiscalYearCoverage]
    cumulative: list[CumulativeFigure]
    gaps: list[CoverageGap]
    summary: list[CoverageCount]
    graph_version: int = strawberry.field(description="The graph version the report describes (as `network { "
                                                      "graphVersion }`).")
    stale: bool = strawberry.field(description="True when the graph has changed since that version (as "
                                               "`network { stale }`).")


async def coverage_field(info: Info[GraphQLContext, None], kinds: list[str] | None) -> CoverageReport:
    served = await request_projection(info)
    report = await network_measure(info, "knowledge-coverage", {})
    wanted = set(kinds) if kinds else None
    return CoverageReport(
        fiscal_years=[FiscalYearCoverage(fiscal_year=c.fiscal_year, flow_type=c.flow_type, account=c.account,
                                         figures=c.figures, funding_ids=list(c.funding_ids))
                      for c in report.fiscal_years],
        cumulative=[CumulativeFigure(funding_id=c.funding_id, name=c.name, flow_type=c.flow_type,
                                     amount_usd=c.amount_usd, fiscal_year_start=c.fiscal_year_start,
                                     fiscal_year_end=c.fiscal_year_end, as_of=c.as_of) for c in report.cumulative],
        gaps=[CoverageGap(kind=g.kind, id=g.id, name=g.name, missing=list(g.missing))
              for g in report.gaps if wanted is None or g.kind in wanted],
        summary=[CoverageCount(kind=s.kind, total=s.total, complete=s.complete) for s in report.summary],
        graph_version=served.projection.version, stale=served.stale,
    )
