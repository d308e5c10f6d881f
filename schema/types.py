"""The node types, generated from the catalog: one per label, the `Entity` and `Actor` interfaces, and a
connection field per navigable relationship.

Why generated: `resolvers.catalog` already says which relationship each field follows, in which direction, to
which label, with which edge properties; writing the fields by hand repeated it (and could drift from it).
Adding a relationship is one `catalog._RELATIONS` entry. Every relationship is a connection because a link's
facts (role, since, percentage) and its sources live on the edge; each hop is served by one batched DataLoader
query however many parents ask for it.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from graph_seed import vocabulary as vocab
from resolvers import catalog, citations, neighbourhood
from resolvers.cursor import decode_cursor, encode_cursor
from resolvers.hop_page import PageSpec, check_cursor_values
from resolvers.nodes import NodeRow
from schema import filters
from schema.connections import EDGE_BY_TYPE, EDGE_TYPES, HIERARCHY_EDGE, SCALAR_TYPES, Connection, PageInfo
from schema.context import GraphQLContext
from schema.errors import ClientError
from schema.paging import graph_loaders, page_size, selected_names
from schema.registry import TYPES, load_node, load_sources, to_node

ParticipationRole = strawberry.enum(  # type: ignore[call-overload]  # the functional Enum API is invisible to mypy
    enum.Enum("ParticipationRole", {r.upper().replace("-", "_"): r for r in vocab.PARTICIPATION_ROLES}),
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
    "BillAction": "One committee or floor action on a bill, with its date.",
    "Person": "An official or legislator: positions held, meetings attended, bills sponsored.",
    "Source": "A document the graph's facts come from.",
}


@strawberry.type(description="One relationship of a node, whatever its type: the neighbour, the link's "
                             "properties and its sources.")
class EntityRelationship:
    type: str = strawberry.field(description="The relationship type, e.g. PARTICIPATES_IN.")
    direction: str = strawberry.field(description="`out` if this node is the start of the link, else `in`.")
    properties: JSON = strawberry.field(description="The link's own properties (role, since, percentage...).")
    other_row: strawberry.Private[NodeRow]
    source_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The node at the other end.")
    def other(self) -> Entity:
        return to_node(self.other_row)

    @strawberry.field(description="The sources that state this relationship.")
    async def sources(self, info: Info[GraphQLContext, None]) -> list[Source]:
        return await load_sources(info, self.source_ids)


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

    @strawberry.field(description="Every relationship of this node, of any type (or of the given types), with "
                                  "the neighbour, the link's properties and sources; ordered by type, direction "
                                  "and neighbour name. For typed paging and filters use the named fields.")
    async def relationships(
        self, info: Info[GraphQLContext, None], types: list[str] | None = None, direction: str | None = None,
        first: int = 100,
    ) -> list[EntityRelationship]:
        size = page_size(info, first)
        with_sources = "sources" in selected_names(info)
        try:
            rows = await neighbourhood.relationships(info.context.runner, self.id, types, direction, size,
                                                     sources=with_sources)
        except ValueError as exc:
            raise ClientError(str(exc)) from exc
        if with_sources:  # `sources` below finds them in the node loader: no statement of its own
            graph_loaders(info).nodes.prime_many({n.props["id"]: n for row in rows for n in row.source_nodes})
        return [
            EntityRelationship(type=row.type, direction=row.direction,
                               properties=cast(JSON, {k: v for k, v in row.edge.items() if k != "sources"}),
                               other_row=row.node, source_ids=list(row.edge.get("sources") or []))
            for row in rows
        ]


@strawberry.type(description="A relationship that cites a source: `start -[type]-> end` and its properties.")
class CitingRelationship:
    type: str
    start_id: str = strawberry.field(description="Graph id of the start node.")
    end_id: str = strawberry.field(description="Graph id of the end node.")
    properties: JSON

    @strawberry.field(description="The start node.")
    async def start(self, info: Info[GraphQLContext, None]) -> Entity | None:
        return await load_node(info, self.start_id)

    @strawberry.field(description="The end node.")
    async def end(self, info: Info[GraphQLContext, None]) -> Entity | None:
        return await load_node(info, self.end_id)


async def _cited_by(self: Any, info: Info[GraphQLContext, None], first: int = 50) -> list[Entity]:
    rows = await citations.citing_nodes(info.context.runner, self.id, page_size(info, first))
    return [to_node(row) for row in rows]


async def _cited_in(self: Any, info: Info[GraphQLContext, None], first: int = 50) -> list[CitingRelationship]:
    rows = await citations.citing_relationships(info.context.runner, self.id, page_size(info, first))
    return [CitingRelationship(type=r.type, start_id=r.start, end_id=r.end, properties=cast(JSON, r.properties))
            for r in rows]


# Fields of one label that are not a property or a catalog relation.
EXTRA_FIELDS: dict[str, dict[str, Any]] = {
    "Source": {
        "citedBy": strawberry.field(resolver=_cited_by, description="Nodes that name this source (by id)."),
        "citedIn": strawberry.field(resolver=_cited_in,
                                    description="Relationships that name this source, with their ends."),
    },
}


def _key_value(props: dict[str, Any], key: tuple[str, ...]) -> Any:
    return next((props[p] for p in key if props.get(p) is not None), None)


def props_sort_key(keys: tuple[tuple[str, ...], ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Order node properties by each key in turn (a key: the first present of its properties; missing values
    last), then id - the order the cursor resumes in."""

    def part(value: Any) -> tuple[Any, ...]:
        return (value is None, value if value is not None else 0)

    def key(props: dict[str, Any]) -> tuple[Any, ...]:
        return (*[part(_key_value(props, k)) for k in keys], props["id"])

    return key


def _sort_key(keys: tuple[tuple[str, ...], ...]) -> Callable[[Any], tuple[Any, ...]]:
    by_props = props_sort_key(keys)
    return lambda row: by_props(row.node.props)


def cursor_value(props: dict[str, Any], keys: tuple[tuple[str, ...], ...]) -> Any:
    """What a relationship page's cursor holds besides the id: the key's value, or the list of them."""
    values = [_key_value(props, k) for k in keys]
    return values[0] if len(keys) == 1 else values


def page_order(relation: catalog.Relation, sort: Any, after: str | None
               ) -> tuple[tuple[tuple[str, ...], ...], str, str, tuple[tuple[Any, ...], str] | None]:
    """`(keys, direction, sort field named in cursors, resume mark)` of a relationship page: by `sort`, else the
    target type's default order; a cursor that does not fit is a client error."""
    if sort is not None:
        sort_field, direction = filters.sort_args(sort)
        keys: tuple[tuple[str, ...], ...] = ((sort_field,),)
    else:
        keys, direction = catalog.default_sort(relation.target), "ASC"
        sort_field = "+".join("|".join(k) for k in keys) if len(keys) > 1 else keys[0][0]
    mark = None
    if after is not None:
        value, node_id = decode_cursor(after, sort_field)
        values = tuple([value] if len(keys) == 1 else value if isinstance(value, list) else [])
        check_cursor_values(relation.target, keys, values, sort_field)
        mark = (values, node_id)
    return keys, direction, sort_field, mark


async def hop(
    root: Any, info: Info[GraphQLContext, None], field: str, first: int | None, after: str | None,
    where: Any, role: str | None, sort: Any = None,
) -> Connection[Any]:
    """One relationship field: this node's page from the batched loader, ordered (by `sort`, else the target
    type's default order, `catalog.DEFAULT_SORT`), cut and resumed inside Neo4j (`resolvers/hop_page.py`) by
    cursors that hold the sort values and the id; the count only when `totalCount` is selected."""
    relation = catalog.relation(root.LABEL, field)
    size = page_size(info, first)
    keys, direction, sort_field, mark = page_order(relation, sort, after)
    selected = selected_names(info)
    wants_rows = "edges" in selected or "pageInfo" in selected
    spec = PageSpec(keys, direction, size + 1 if wants_rows else 0, mark,  # type: ignore[arg-type]
                    "totalCount" in selected)
    loader = graph_loaders(info).hop(relation, role, filters.to_dict(where) if where else None, spec)
    found = await loader.load(root.id)
    # Neo4j already ordered and cut the page; sorting its few rows again here keeps the order exactly the one the
    # cursors encode, whatever order `collect` hands them back in.
    rows = sorted(found.rows, key=_sort_key(keys), reverse=direction == "DESC")

    if relation.hops is None:
        edge_cls, edge_props = EDGE_BY_TYPE[relation.rel_type], tuple(catalog.EDGE_FIELDS[relation.rel_type])
    else:
        edge_cls, edge_props = EDGE_TYPES[HIERARCHY_EDGE], ("depth",)
    edges = [
        edge_cls(
            cursor=encode_cursor(sort_field, cursor_value(row.node.props, keys), row.node.props["id"]),
            node=to_node(row.node),
            source_ids=list(row.edge.get("sources") or []),
            **{p: row.edge.get(p) for p in edge_props},
        )
        for row in rows[:size]
    ]
    end = edges[-1].cursor if edges else None
    return Connection(edges=edges, page_info=PageInfo(has_next_page=len(rows) > size, end_cursor=end),
                      total=found.total)


def _relation_field(relation: catalog.Relation) -> Any:
    """The connection field for one catalog relation, with `role` where the edge has one, `where` and `sort`."""
    name = relation.field
    edge = catalog.EDGE_TYPE_NAMES.get(relation.rel_type, "LinkEdge") if relation.hops is None else HIERARCHY_EDGE
    annotations = {
        "info": "Info[GraphQLContext, None]",
        "first": "int | None",
        "after": "str | None",
        "where": f"{relation.target}Where | None",
        "sort": f"{relation.target}Sort | None",
        "return": f"Connection[{edge}[{relation.target}]]",
    }
    if "role" in catalog.EDGE_FIELDS[relation.rel_type] and relation.hops is None:
        enum_role = relation.rel_type in catalog.ENUM_ROLE_TYPES

        async def resolve_with_role(
            self: Any, info: Any, first: Any = None, after: Any = None, role: Any = None, where: Any = None,
            sort: Any = None,
        ) -> Any:
            value = role.value if isinstance(role, enum.Enum) else role
            return await hop(self, info, name, first, after, where, value, sort)

        annotations["role"] = "ParticipationRole | None" if enum_role else "str | None"
        resolver: Any = resolve_with_role
    else:

        async def resolve(self: Any, info: Any, first: Any = None, after: Any = None, where: Any = None,
                          sort: Any = None) -> Any:
            return await hop(self, info, name, first, after, where, None, sort)

        resolver = resolve
    resolver.__annotations__ = annotations
    resolver.__name__ = name
    return strawberry.field(resolver=resolver, description=relation.description)


def _class_body(label: str, props: dict[str, str], relations: dict[str, catalog.Relation]) -> dict[str, Any]:
    annotations = {prop: SCALAR_TYPES[kind] | None for prop, kind in props.items()}
    return {
        "__module__": __name__,
        "__annotations__": annotations,
        "LABEL": label,
        **dict.fromkeys(props),
        **{field: _relation_field(relation) for field, relation in relations.items()},
        **EXTRA_FIELDS.get(label, {}),
    }


def _make(label: str, base: type, props: dict[str, str], relations: dict[str, catalog.Relation],
          decorate: Callable[..., Any], description: str) -> type:
    body = _class_body(label, props, relations)
    cls = types.new_class(label, (base,), {}, lambda ns: ns.update(body))
    return decorate(cls, description=description)


def _own_props(label: str) -> dict[str, str]:
    return {p: k for p, k in catalog.fields_of(label).items() if p not in catalog.COMMON_PROPS}


# Names the generated annotations use, resolved by Strawberry in this module's namespace.
globals().update(EDGE_TYPES)
globals().update({f"{label}Where": cls for label, cls in filters.WHERE.items()})
globals().update({f"{label}Sort": cls for label, cls in filters.SORT.items()})

if TYPE_CHECKING:
    # The generated classes exist only at run time; to the type checker each is what it subclasses, an Entity.
    Actor = Entity
    Source = Entity
    Government = Entity
    Program = Entity
    Funding = Entity
else:
    Actor = _make("Actor", Entity, {}, catalog.RELATIONS["Actor"], strawberry.interface,
                  "A government, agency, regional body, civil-society organization or company.")
    for _label in vocab.NODE_LABELS:
        _is_actor = _label in vocab.ACTOR
        _relations = {f: r for f, r in catalog.RELATIONS[_label].items()
                      if not (_is_actor and f in catalog.RELATIONS["Actor"])}
        TYPES[_label] = _make(_label, Actor if _is_actor else Entity, _own_props(_label), _relations, strawberry.type,
                              DESCRIPTIONS[_label])
        globals()[_label] = TYPES[_label]

    Source = TYPES["Source"]
    Government = TYPES["Government"]
    Program = TYPES["Program"]
    Funding = TYPES["Funding"]

__all__ = ["TYPES", "Actor", "Entity", "EntityRelationship", "Funding", "Government", "Program", "Source", "hop",
           "load_node", "to_node"]
