"""Node rows to Strawberry objects: the label -> type registry, and node and source look-ups through the loader.

Why a module of its own: edges, interfaces and root fields all turn rows into typed objects; keeping the
registry here lets `schema.connections` and `schema.types` both use it without importing each other.
`schema.types` fills `TYPES` when it is imported.
"""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from resolvers.nodes import NodeRow
from schema.context import GraphQLContext
from schema.paging import graph_loaders

TYPES: dict[str, type] = {}
_INIT_FIELDS: dict[str, tuple[str, ...]] = {}


def to_node(row: NodeRow) -> Any:
    """The Strawberry object for a node row, by its domain label."""
    cls = TYPES[row.label]
    names = _INIT_FIELDS.get(row.label)
    if names is None:
        names = _INIT_FIELDS[row.label] = tuple(
            f.name for f in cls.__dataclass_fields__.values() if f.name != "source_ids" and f.init  # type: ignore[attr-defined]
        )
    props = row.props
    kwargs: dict[str, Any] = {name: props.get(name) for name in names if props.get(name) is not None}
    kwargs["aliases"] = list(props.get("aliases") or [])
    return cls(**kwargs, source_ids=list(props.get("sources") or []))


async def load_node(info: Info[GraphQLContext, None], node_id: str | None) -> Any:
    """One node by graph id through the request's node DataLoader (None if there is none)."""
    if node_id is None:
        return None
    row = await graph_loaders(info).nodes.load(node_id)
    return to_node(row) if row is not None else None


async def load_sources(info: Info[GraphQLContext, None], ids: list[str]) -> list[Any]:
    """Source nodes for a list of ids, through the request's node DataLoader (one batched query)."""
    rows = await graph_loaders(info).nodes.load_many(ids)
    return [to_node(row) for row in rows if row is not None]
