"""One Cypher statement for a root field's whole selection: nested relationship pages as `COLLECT { ... }`
subqueries inside map projections that hold exactly the properties selected.

Why: answering a nested query one statement per hop (`loaders/graph.py`) costs a round trip per level and a
Python object per row and field; here Neo4j orders, cuts and shapes every page in one statement, and the schema
layer (`schema/compiled.py`) only turns the nested maps into the response. The pages follow the same rules as
`resolvers/hop_page.py` (order, keyset cursor, `LIMIT` of the page plus one row, counts only when selected) and
the root pages those of `resolvers/nodes.py`; every value is a parameter, every label, property and relationship
type comes from `resolvers/catalog.py`.

A node's map holds its selected properties, `_labels`, and one entry per selected relationship page (`_l<n>`:
a list of `[edge properties, node map]`), count (`_c<n>`) or source list (`_s<n>`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph_seed import vocabulary as vocab
from resolvers import catalog
from resolvers.hop_page import PageSpec, keyset_after, order_by
from resolvers.nodes import Direction
from resolvers.where import Params, compile_expression


@dataclass
class NodeShape:
    """What one node's map holds: its properties, and the pages, counts and sources below it."""

    props: set[str] = field(default_factory=lambda: {"id"})
    links: dict[str, LinkShape] = field(default_factory=dict)
    sources: dict[str, NodeShape] = field(default_factory=dict)  # key -> the source nodes' shape


@dataclass
class LinkShape:
    """One relationship field under a node: its page (when rows are wanted) and its count (when selected)."""

    relation: catalog.Relation
    role: str | None
    where: dict[str, Any] | None
    spec: PageSpec  # limit 0: no rows
    edge_props: set[str] = field(default_factory=set)
    edge_sources: NodeShape | None = None
    node: NodeShape = field(default_factory=NodeShape)


@dataclass
class _Names:
    """Fresh variable names for one statement (`x1`, `r1`, ...), apart from the where-compiler's `m<n>`."""

    count: int = 0

    def next(self) -> int:
        self.count += 1
        return self.count


def _projection(var: str, shape: NodeShape, params: Params, names: _Names) -> str:
    entries = [f".{prop}" for prop in sorted(shape.props)]
    entries.append(f"_labels: labels({var})")
    for key, link in shape.links.items():
        if link.spec.limit:
            entries.append(f"_l{key}: {_page(var, link, params, names)}")
        if link.spec.with_total:
            entries.append(f"_c{key}: {_count(var, link, params, names)}")
    for key, source_shape in shape.sources.items():
        entries.append(f"_s{key}: {_sources(f'{var}.sources', source_shape, params, names)}")
    return f"{var} {{{', '.join(entries)}}}"


def _sources(ids: str, shape: NodeShape, params: Params, names: _Names) -> str:
    """The nodes named by a `sources` list, in the list's order, skipping ids with no node (as the loader does)."""
    n = names.next()
    var, index, listed = f"s{n}", f"i{n}", f"l{n}"
    return (f"COLLECT {{ WITH coalesce({ids}, []) AS {listed} UNWIND range(0, size({listed}) - 1) AS {index} "
            f"MATCH ({var}:Entity {{id: {listed}[{index}]}}) WITH {var}, {index} ORDER BY {index} "
            f"RETURN {_projection(var, shape, params, names)} }}")


def _condition(link: LinkShape, node: str, rel: str, params: Params) -> str:
    condition = compile_expression(link.relation.target, link.where, node, params, "where")
    if link.role is not None:
        condition = f"({condition}) AND {rel}.role = {params.add(link.role)}"
    return condition


def _page(var: str, link: LinkShape, params: Params, names: _Names) -> str:
    n = names.next()
    node, rel = f"x{n}", f"r{n}"
    relation, spec = link.relation, link.spec
    pattern = relation.pattern(var, rel, node)
    condition = _condition(link, node, rel, params)
    after = "true"
    if spec.after is not None:
        after = keyset_after(spec.keys, spec.direction, spec.after[0], spec.after[1], params, node)
    order = order_by(spec.keys, spec.direction, node)
    limit = params.add(spec.limit)
    if relation.hops is None:
        sources = ""
        if link.edge_sources is not None:
            sources = f", {_sources(f'{rel}.sources', link.edge_sources, params, names)}"
        edge = f"{rel} {{{', '.join(f'.{p}' for p in sorted(link.edge_props))}}}"
        return (f"COLLECT {{ MATCH {pattern} WHERE ({condition}) AND ({after}) WITH {rel}, {node} "
                f"ORDER BY {order} LIMIT {limit} "
                f"RETURN [{edge}, {_projection(node, link.node, params, names)}{sources}] }}")
    # Each node once, with how many levels away it is: the shortest of its paths, found after the page is cut
    # (an aggregation such as `min` is refused by Neo4j inside a subquery that sits in a projection).
    path, length = relation.pattern(var, f"q{n}", node), f"k{n}"
    depth = f"head(COLLECT {{ MATCH {path} RETURN size(q{n}) AS {length} ORDER BY {length} LIMIT 1 }})"
    return (f"COLLECT {{ MATCH {pattern} WHERE {condition} WITH DISTINCT {node} "
            f"WHERE {after} WITH {node} ORDER BY {order} LIMIT {limit} "
            f"RETURN [{{depth: {depth}}}, {_projection(node, link.node, params, names)}] }}")


def _implied_target(relation: catalog.Relation) -> bool:
    """Whether every node at the far end of this relationship type is of the relation's target label by the
    vocabulary's endpoint rules (which every writer checks), so a count need not look at the far node."""
    starts, ends = vocab.RELATIONSHIP_ENDPOINTS[relation.rel_type]
    far = ends if relation.direction == "out" else starts
    return relation.hops is None and far <= catalog.labels_of(relation.target)


def _count(var: str, link: LinkShape, params: Params, names: _Names) -> str:
    n = names.next()
    node, rel = f"x{n}", f"r{n}"
    if not link.where and _implied_target(link.relation):
        # No label to check at the far end: Neo4j counts from the node's degree (a hub's 100,000 links cost
        # one read), or, with a role, looks at each relationship only.
        left, right = ("-", "->") if link.relation.direction == "out" else ("<-", "-")
        role = "" if link.role is None else f" WHERE {rel}.role = {params.add(link.role)}"
        return f"COUNT {{ ({var}){left}[{rel}:{link.relation.rel_type}]{right}(){role} }}"
    pattern = link.relation.pattern(var, rel, node)
    condition = _condition(link, node, rel, params)
    if link.relation.hops is None:
        return f"COUNT {{ MATCH {pattern} WHERE {condition} }}"
    return f"COUNT {{ MATCH {pattern} WHERE {condition} WITH DISTINCT {node} RETURN {node} }}"


def lookup_statement(label: str, node_id: str, shape: NodeShape) -> tuple[str, dict[str, Any]]:
    """One node of `label` by graph id with its whole selection (no row: no such node of that label)."""
    params, names = Params(), _Names()
    var = "x0"
    cypher = (f"MATCH ({var}:Entity {{id: {params.add(node_id)}}}) WHERE {var}:{label} "
              f"RETURN {_projection(var, shape, params, names)} AS row")
    return cypher, params.values


@dataclass(frozen=True)
class RootPage:
    """A root connection's page: filter, order, cursor and size, as `resolvers/nodes.page` takes them."""

    label: str
    where: dict[str, Any] | None
    sort: str
    direction: Direction
    after: tuple[Any, str] | None  # the cursor's sort value and graph id
    limit: int  # rows (the page size plus one); 0: none
    with_total: bool


def _root_after(var: str, page: RootPage, params: Params) -> str:
    """`resolvers/nodes._after` with parameters of this statement: nulls last ascending, first descending."""
    if page.after is None:
        return "true"
    value, node_id = page.after
    key, after_id = f"{var}.{page.sort}", params.add(node_id)
    if page.direction == "ASC":
        if value is None:
            return f"{key} IS NULL AND {var}.id > {after_id}"
        after_value = params.add(value)
        return f"{key} > {after_value} OR ({key} = {after_value} AND {var}.id > {after_id}) OR {key} IS NULL"
    if value is None:
        return f"{key} IS NOT NULL OR {var}.id < {after_id}"
    after_value = params.add(value)
    return f"{key} < {after_value} OR ({key} = {after_value} AND {var}.id < {after_id})"


def _anchor(label: str, where: dict[str, Any] | None, var: str, params: Params) -> str | None:
    """Where the filter names a neighbour by id (`countries: {some: {id: {eq: "gov:JM"}}}`), the nodes to look
    at: that neighbour's, found from its id, instead of every node of the label. The filter itself still
    applies in full; this only says where Neo4j starts (it cannot see it through the `EXISTS` subquery)."""
    for key, value in (where or {}).items():
        relation = catalog.RELATIONS[label].get(key)
        inner = value.get("some") if isinstance(value, dict) and set(value) == {"some"} else None
        if relation is None or not isinstance(inner, dict) or set(inner) != {"id"}:
            continue
        target = inner["id"]
        if isinstance(target, dict) and set(target) == {"eq"} and isinstance(target["eq"], str):
            return (f"MATCH (a0:Entity {{id: {params.add(target['eq'])}}}) MATCH {relation.pattern(var, '', 'a0')} "
                    f"WITH DISTINCT {var} WHERE {var}:{label}")
    return None


def connection_statement(page: RootPage, shape: NodeShape) -> tuple[str, dict[str, Any]]:
    """A root connection's page (`rows`) and count (`total`) in one row; each only when asked for."""
    params, names = Params(), _Names()
    var = "x0"
    condition = compile_expression(page.label, page.where, var, params, "where")
    anchor = _anchor(page.label, page.where, var, params)
    nodes = f"{anchor} AND" if anchor else f"MATCH ({var}:{page.label}) WHERE"
    columns = []
    if page.limit:
        after = _root_after(var, page, params)
        columns.append(
            f"COLLECT {{ {nodes} ({condition}) AND ({after}) WITH {var} "
            f"ORDER BY {var}.{page.sort} {page.direction}, {var}.id {page.direction} "
            f"LIMIT {params.add(page.limit)} RETURN {_projection(var, shape, params, names)} }} AS rows")
    if page.with_total:
        columns.append(f"COUNT {{ {nodes} {condition} RETURN {var} }} AS total")
    return f"RETURN {', '.join(columns) or 'null AS nothing'}", params.values
