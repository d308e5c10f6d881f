"""Root connections and lookups: one page of nodes of a label, filtered, sorted, with stable cursors.

Why keyset pagination: `(sortValue, id)` cursors resume exactly after the last node seen. `totalCount` is a
separate count query that the schema runs only when the client selected it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from resolvers import catalog
from resolvers.cursor import decode_cursor, encode_cursor
from resolvers.cypher import CypherRunner
from resolvers.errors import BadFilterError
from resolvers.where import compile_where

# `{label}`, `{where}`, `{after}`, `{sort}` and `{direction}` are filled from catalog allow-lists only.
PAGE = """
MATCH (n:{label})
WHERE ({where}) AND ({after})
RETURN n {{.*}} AS props, labels(n) AS labels
ORDER BY n.{sort} {direction}, n.id {direction}
LIMIT $limit
"""
COUNT = """
MATCH (n:{label})
WHERE {where}
RETURN count(n) AS count
"""
NODES_BY_ID = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN id, n {.*} AS props, labels(n) AS labels
"""

Direction = Literal["ASC", "DESC"]


@dataclass(frozen=True)
class NodeRow:
    """A node as the schema layer receives it: its properties and its labels."""

    props: dict[str, Any]
    labels: tuple[str, ...]

    @property
    def label(self) -> str:
        """The domain label (not `Entity` / `Actor`)."""
        return next(label for label in self.labels if label not in ("Entity", "Actor"))


@dataclass(frozen=True)
class Page:
    rows: list[tuple[str, NodeRow]]  # (cursor, node)
    has_next: bool
    where: str
    params: dict[str, Any]


def _after(sort: str, direction: Direction, cursor: str | None, params: dict[str, Any]) -> str:
    """The keyset condition `(n.sort, n.id) > (value, id)` that respects where Neo4j puts nulls."""
    if cursor is None:
        return "true"
    value, node_id = decode_cursor(cursor, sort)
    params["afterValue"], params["afterId"] = value, node_id
    key = f"n.{sort}"
    if direction == "ASC":  # nulls sort last
        if value is None:
            return f"{key} IS NULL AND n.id > $afterId"
        return f"{key} > $afterValue OR ({key} = $afterValue AND n.id > $afterId) OR {key} IS NULL"
    if value is None:  # DESC: nulls sort first
        return f"{key} IS NOT NULL OR n.id < $afterId"
    return f"{key} < $afterValue OR ({key} = $afterValue AND n.id < $afterId)"


def check_sort(label: str, sort: str) -> str:
    if sort not in catalog.fields_of(label) or catalog.fields_of(label)[sort] == catalog.LIST:
        raise BadFilterError(f"sort: {label} cannot be sorted by {sort!r}")
    return sort


async def page(
    runner: CypherRunner,
    label: str,
    where: dict[str, Any] | None,
    first: int,
    after: str | None,
    sort: str = "name",
    direction: Direction = "ASC",
) -> Page:
    """One page of `first` nodes after the cursor, plus whether more follow."""
    if label not in catalog.QUERYABLE_LABELS or direction not in ("ASC", "DESC"):
        raise BadFilterError(f"cannot list {label!r}")
    check_sort(label, sort)
    condition, params = compile_where(label, where)
    after_condition = _after(sort, direction, after, params)
    cypher = PAGE.format(label=label, where=condition, after=after_condition, sort=sort, direction=direction)
    rows = await runner.read_maps(cypher, {**params, "limit": first + 1})
    nodes = [NodeRow(row["props"], tuple(row["labels"])) for row in rows]
    out = [(encode_cursor(sort, node.props.get(sort), node.props["id"]), node) for node in nodes[:first]]
    return Page(out, len(nodes) > first, condition, params)


async def count(runner: CypherRunner, label: str, where: dict[str, Any] | None) -> int:
    condition, params = compile_where(label, where)
    rows = await runner.read(COUNT.format(label=label, where=condition), params)
    return int(rows[0]["count"])


async def nodes_by_id(runner: CypherRunner, ids: list[str]) -> dict[str, NodeRow]:
    """Nodes by graph id in one query (the node loader's batch function)."""
    rows = await runner.read_maps(NODES_BY_ID, {"ids": ids})
    return {row["id"]: NodeRow(row["props"], tuple(row["labels"])) for row in rows}
