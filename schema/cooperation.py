"""`cooperation(between:)`: what links the given actors, each link with the sources that state it."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection

from resolvers import cooperation
from schema.context import GraphQLContext
from schema.errors import ClientError, NotFoundError
from schema.paging import graph_loaders
from schema.registry import load_sources
from schema.types import Actor, Entity, Funding, Program, Source, load_node, to_node

MAX_ACTORS = 20


@strawberry.type(description="One actor's link to a shared program, meeting or body.")
class ActorLink:
    actor_id: strawberry.Private[str]
    role: str | None
    source_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def actor(self, info: Info[GraphQLContext, None]) -> Actor:
        return await load_node(info, self.actor_id)

    @strawberry.field(description="Sources of this link.")
    async def sources(self, info: Info[GraphQLContext, None]) -> list[Source]:
        return await load_sources(info, self.source_ids)


@strawberry.type(description="A program, meeting or body that two or more of the actors are linked to.")
class SharedNode:
    node_id: strawberry.Private[str]
    links: list[ActorLink]

    @strawberry.field
    async def node(self, info: Info[GraphQLContext, None]) -> Entity:
        return await load_node(info, self.node_id)


@strawberry.type(description="Money from one actor that reaches another: received directly or via a program.")
class FundingLink:
    funding_id: strawberry.Private[str]
    provider_id: strawberry.Private[str]
    recipient_id: strawberry.Private[str]
    program_id: strawberry.Private[str | None]
    how: str = strawberry.field(description="`received` (RECEIVED_BY) or `program:<role>` (funds a program the "
                                            "other actor takes part in, in that role).")
    source_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def funding(self, info: Info[GraphQLContext, None]) -> Funding:
        return await load_node(info, self.funding_id)

    @strawberry.field
    async def provider(self, info: Info[GraphQLContext, None]) -> Actor:
        return await load_node(info, self.provider_id)

    @strawberry.field
    async def recipient(self, info: Info[GraphQLContext, None]) -> Actor:
        return await load_node(info, self.recipient_id)

    @strawberry.field
    async def program(self, info: Info[GraphQLContext, None]) -> Program | None:
        return await load_node(info, self.program_id)

    @strawberry.field(description="Sources of every relationship on the path.")
    async def sources(self, info: Info[GraphQLContext, None]) -> list[Source]:
        return await load_sources(info, self.source_ids)


@strawberry.type(description="A stated partnership (PARTNERS_WITH) between two of the actors.")
class Partnership:
    start_id: strawberry.Private[str]
    end_id: strawberry.Private[str]
    agreement: str | None
    since: str | None
    source_ids: strawberry.Private[list[str]]

    @strawberry.field(name="from")
    async def from_(self, info: Info[GraphQLContext, None]) -> Actor:
        return await load_node(info, self.start_id)

    @strawberry.field
    async def to(self, info: Info[GraphQLContext, None]) -> Actor:
        return await load_node(info, self.end_id)

    @strawberry.field
    async def sources(self, info: Info[GraphQLContext, None]) -> list[Source]:
        return await load_sources(info, self.source_ids)


def _links(rows: list[dict]) -> list[SharedNode]:
    return [
        SharedNode(node_id=row["id"], links=[
            ActorLink(actor_id=link["actor"], role=link["role"], source_ids=list(link["sources"] or []))
            for link in row["links"]
        ])
        for row in rows
    ]


async def _fetch(info: Info[GraphQLContext, None], ids: list[str], parts: dict[str, bool]
                 ) -> dict[str, list[dict[str, Any]]]:
    """The rows of `parts` in one statement; the nodes they name go into the request's node loader, so the
    `node`, `actor`, `funding`, `sources`... fields below send no statement of their own."""
    rows, nodes = await cooperation.cooperation(info.context.runner, ids, parts)
    graph_loaders(info).nodes.prime_many(nodes)
    return rows


def _asks_for(selection: Selection, name: str) -> bool:
    """Whether `name` is selected anywhere under `selection` (through fragments too)."""
    return any((isinstance(child, SelectedField) and child.name == name) or _asks_for(child, name)
               for child in selection.selections)


def selected_parts(info: Info[GraphQLContext, None]) -> dict[str, bool]:
    """The parts the `cooperation` field selects, each with whether it asks for `sources` somewhere inside."""
    parts: dict[str, bool] = {}
    pending: list[Selection] = list(info.selected_fields)
    while pending:
        selection = pending.pop()
        for child in selection.selections:
            if not isinstance(child, SelectedField):  # a fragment spread or inline fragment: look inside
                pending.append(child)
            elif child.name in cooperation.PARTS:  # a part of `Cooperation` read from the graph
                parts[child.name] = parts.get(child.name, False) or _asks_for(child, "sources")
    return parts


@strawberry.type(description="What links the given actors; ask only for the parts you need (the parts selected "
                             "are read together, in one query).")
class Cooperation:
    ids: strawberry.Private[list[str]]
    actors: list[Actor]
    # Each selected part's rows, read with the actors (`cooperation_field`); a part missing here is read alone.
    rows: strawberry.Private[dict[str, list[dict[str, Any]]]]

    async def _rows(self, info: Info[GraphQLContext, None], part: str) -> list[dict[str, Any]]:
        if part not in self.rows:
            self.rows.update(await _fetch(info, self.ids, {part: True}))
        return self.rows[part]

    @strawberry.field(description="Programs two or more of the actors take part in, with each one's role.")
    async def programs(self, info: Info[GraphQLContext, None]) -> list[SharedNode]:
        return _links(await self._rows(info, "programs"))

    @strawberry.field(description="Meetings two or more of the actors attended.")
    async def meetings(self, info: Info[GraphQLContext, None]) -> list[SharedNode]:
        return _links(await self._rows(info, "meetings"))

    @strawberry.field(description="Bodies and mechanisms two or more of the actors are members of.")
    async def memberships(self, info: Info[GraphQLContext, None]) -> list[SharedNode]:
        return _links(await self._rows(info, "memberships"))

    @strawberry.field(description="Funding from one of the actors that reaches another.")
    async def funding_flows(self, info: Info[GraphQLContext, None]) -> list[FundingLink]:
        rows = await self._rows(info, "fundingFlows")
        return [FundingLink(funding_id=r["funding"], provider_id=r["provider"], recipient_id=r["recipient"],
                            program_id=r["program"], how=r["how"], source_ids=r["sources"]) for r in rows]

    @strawberry.field(description="Partnerships stated between the actors (direction as stated).")
    async def partnerships(self, info: Info[GraphQLContext, None]) -> list[Partnership]:
        rows = await self._rows(info, "partnerships")
        return [Partnership(start_id=r["start"], end_id=r["end"], agreement=r["agreement"], since=r["since"],
                            source_ids=list(r["sources"] or [])) for r in rows]


def graph_id(value: str) -> str:
    """A graph id (`gov:JM`) as given, or the graph id inside a Relay global id."""
    if ":" in value:
        return value
    try:
        return relay.GlobalID.from_id(value).node_id
    except ValueError as exc:
        raise ClientError(f"{value!r} is neither a graph id (like gov:JM) nor a node id") from exc


async def cooperation_field(info: Info[GraphQLContext, None], between: list[str]) -> Cooperation:
    ids = list(dict.fromkeys(graph_id(value) for value in between))
    if not 2 <= len(ids) <= MAX_ACTORS:
        raise ClientError(f"between: give 2 to {MAX_ACTORS} distinct actors, got {len(ids)}")
    # One statement: the actors (primed into the node loader) and every part the query selects.
    parts = await _fetch(info, ids, selected_parts(info))
    rows = await graph_loaders(info).nodes.load_many(ids)
    missing = [i for i, row in zip(ids, rows, strict=True) if row is None or "Actor" not in row.labels]
    if missing:
        raise NotFoundError(f"between: no actor with id {', '.join(missing)}")
    return Cooperation(ids=ids, actors=[to_node(row) for row in rows if row is not None], rows=parts)
