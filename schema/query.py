"""The Query root: `node`, a lookup and a connection per type (generated from the catalog), search, funding
aggregates, cooperation, paths and the coverage report."""

from __future__ import annotations

import types
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from graph_seed import vocabulary as vocab
from resolvers import catalog, nodes, suggest
from schema import filters
from schema.aggregates import (
    AGGREGATE_DESCRIPTION,
    FlowType,
    FundingAggregate,
    FundingDimension,
    PeriodKind,
    funding_aggregate_field,
)
from schema.connections import Connection, Edge, PageInfo
from schema.context import GraphQLContext
from schema.cooperation import Cooperation, cooperation_field
from schema.errors import ClientError, NotFoundError
from schema.explore import CoverageReport, GraphPath, coverage_field, paths_field
from schema.filters import FundingWhere, sort_args, to_dict
from schema.imports import ImportRun, imports_field, imports_unfinished_field
from schema.network import NetworkAnalysis
from schema.paging import graph_loaders, page_size
from schema.search import NodeType, SearchHit, search_field
from schema.stats import GraphStats
from schema.types import TYPES, Actor, Entity, to_node

# The root fields whose answers are read from the network projection (`schema/network.py`): the whole graph
# read into memory, not one Cypher statement. The warm-up (`app/warm_up.py`) leaves queries asking them out.
PROJECTION_ROOT_FIELDS = frozenset({"network", "paths", "coverage"})


async def lookup(info: Info[GraphQLContext, None], label: str, node_id: str) -> Entity:
    """One node of `label` by graph id, through the node DataLoader; NOT_FOUND names the id and the type."""
    row = await graph_loaders(info).nodes.load(node_id)
    if row is None or (label not in row.labels):
        raise await _not_found(info, label, node_id, row)
    return to_node(row)


async def _not_found(info: Info[GraphQLContext, None], label: str, node_id: str, row: Any) -> NotFoundError:
    """NOT_FOUND naming the closest ids and names of the type, and the id format expected."""
    if label not in catalog.QUERYABLE_LABELS:
        return NotFoundError(f"id: no node of type {label!r}")
    found = await suggest.suggestions(info.context.runner, label, node_id)
    expected = suggest.expected_format(label)
    message = f"id: no {label} with id {node_id!r}"
    if row is not None:
        other = next((lab for lab in row.labels if lab not in ("Entity", "Actor")), "node")
        message += f" ({node_id} is a {other})"
    message += f". {expected}."
    if found:
        message += f" Did you mean: {', '.join(found)}?"
    return NotFoundError(message, suggestions=[s.split(" (")[0] for s in found], expected=expected)


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
class _QueryBase:
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
        periods: list[PeriodKind] | None = None, include_estimates: bool = True,
    ) -> FundingAggregate:
        return await funding_aggregate_field(info, group_by, where, flow_type, periods, include_estimates)

    @strawberry.field(description="What links the given actors (graph ids like gov:JM, or node ids): shared "
                                  "programs, meetings, memberships, funding flows and partnerships, with sources.")
    async def cooperation(self, info: Info[GraphQLContext, None], between: list[strawberry.ID]) -> Cooperation:
        return await cooperation_field(info, [str(value) for value in between])

    @strawberry.field(description="The shortest chains between two nodes (graph ids), direction ignored, each hop "
                                  "with its relationships and their sources; the same paths as `cbsi-graph analyze "
                                  "paths`. Objectives, focus areas and sources are not passed through. Paths longer "
                                  "than `maxLength` are left out; at most `first` paths.")
    async def paths(
        self, info: Info[GraphQLContext, None], from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID, max_length: int = 4, first: int = 5,
        relationship_types: list[str] | None = None,
    ) -> list[GraphPath]:
        return await paths_field(info, str(from_), str(to), max_length, first, relationship_types)

    @strawberry.field(description="What the graph does not know: FY2010-FY2025 CBSI-wide figures per flow type and "
                                  "account (figures 0 = no figure held, not zero dollars), cumulative statements, "
                                  "and meetings, bills, regional bodies and programs with the fields they lack "
                                  "(`kinds` filters the gaps: meeting, bill, body, program).")
    async def coverage(self, info: Info[GraphQLContext, None], kinds: list[str] | None = None) -> CoverageReport:
        return await coverage_field(info, kinds)

    @strawberry.field(description="Import runs (`cbsi-graph import`), newest first, at most `first` (default 20). "
                                  "Admin role when tokens are configured.")
    async def imports(self, info: Info[GraphQLContext, None], first: int | None = None) -> list[ImportRun]:
        return await imports_field(info, first)

    @strawberry.field(description="True while the graph holds an unfinished import: a run still writing, or one "
                                  "that died; its partial writes are visible. Admin role when tokens are "
                                  "configured.")
    async def imports_unfinished(self, info: Info[GraphQLContext, None]) -> bool:
        return await imports_unfinished_field(info)


def _lookup_field(label: str) -> Any:
    prefix = "gov" if label == "Actor" else vocab.ID_PREFIXES[label]

    async def resolve(self: Any, info: Any, id: strawberry.ID) -> Any:  # noqa: A002 - the GraphQL argument name
        return await lookup(info, label, id)

    resolve.__annotations__ = {"info": "Info[GraphQLContext, None]", "id": "strawberry.ID", "return": label}
    return strawberry.field(resolver=resolve,
                            description=f"One {label} by graph id (`{prefix}:...`); NOT_FOUND if there is none.")


def _list_field(label: str) -> Any:
    async def resolve(self: Any, info: Any, first: Any = None, after: Any = None, where: Any = None,
                      sort: Any = None) -> Any:
        return await list_nodes(info, label, first, after, where, sort)

    resolve.__annotations__ = {
        "info": "Info[GraphQLContext, None]", "first": "int | None", "after": "str | None",
        "where": f"{label}Where | None", "sort": f"{label}Sort | None", "return": f"Connection[Edge[{label}]]",
    }
    return strawberry.field(resolver=resolve,
                            description=f"{label} nodes, filtered, sorted (default: by name) and paged.")


# Names the generated annotations use, resolved by Strawberry in this module's namespace.
globals().update(TYPES)
globals()["Actor"] = Actor
globals().update({f"{label}Where": cls for label, cls in filters.WHERE.items()})
globals().update({f"{label}Sort": cls for label, cls in filters.SORT.items()})

_ROOTS: dict[str, Any] = {}
for _label, (_one, _many) in catalog.ROOT_FIELDS.items():
    _ROOTS[_one] = _lookup_field(_label)
    _ROOTS[_many] = _list_field(_label)

Query = strawberry.type(types.new_class("Query", (_QueryBase,), {}, lambda ns: ns.update(
    {"__module__": __name__, **_ROOTS})))
