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
        shaped = f"RETURN [{edge}, {_projection(node, link.node, params, names)}{sources}] }}"
        plain = f"MATCH {pattern} WHERE ({condition}) AND ({after}) WITH {rel}, {node} ORDER BY {order} LIMIT {limit}"
        if not _hub_eligible(link):
            return f"COLLECT {{ {plain} {shaped}"
        hub = _hub_condition(var, link, params)
        walk = _name_walk(var, link, n, f"({condition}) AND ({after})", order, limit, params)
        return (f"COLLECT {{ UNWIND [{hub}] AS g{n} CALL ({var}, g{n}) {{ "
                f"UNWIND CASE WHEN g{n} THEN [] ELSE [1] END AS e{n} {plain} RETURN {rel}, {node} UNION ALL "
                f"UNWIND CASE WHEN g{n} THEN [1] ELSE [] END AS e{n} {walk} }} "
                f"WITH {rel}, {node} ORDER BY {order} LIMIT {limit} {shaped}")
    # Each node once, with how many levels away it is: the shortest of its paths, found after the page is cut
    # (an aggregation such as `min` is refused by Neo4j inside a subquery that sits in a projection).
    path, length = relation.pattern(var, f"q{n}", node), f"k{n}"
    depth = f"head(COLLECT {{ MATCH {path} RETURN size(q{n}) AS {length} ORDER BY {length} LIMIT 1 }})"
    return (f"COLLECT {{ MATCH {pattern} WHERE {condition} WITH DISTINCT {node} "
            f"WHERE {after} WITH {node} ORDER BY {order} LIMIT {limit} "
            f"RETURN [{{depth: {depth}}}, {_projection(node, link.node, params, names)}] }}")


# A hub's page (`first: 5` of an agency's 100,000 programs by name) sorted every neighbour to return five. Where
# the anchor has at least `HUB_MIN_DEGREE` relationships of the page's type and they reach at least one in
# `HUB_SHARE` of the far label's nodes, the page instead walks the `entity_name` range index in name order and
# keeps the nodes linked to the anchor (checked from the neighbour's side), stopping at the page's size. The
# choice is made per request inside the statement, from the anchor's degree and the label's count (both read
# from counts Neo4j keeps, not by visiting nodes). Settings of the module so tests can force either plan.
HUB_MIN_DEGREE = 1_000
HUB_SHARE = 20
NAME_INDEX = "Entity(name)"  # `entity_name` in graph_seed/neo4j_writer.py


def _hub_eligible(link: LinkShape) -> bool:
    """Whether the name walk gives exactly the plain page: a page without a filter (a walk that finds few matches
    could visit the whole index; a role is allowed, as the hub test counts the relationships of that role),
    ordered by `name` alone, where no row without a name can come before the walk's rows (nulls sort last
    ascending; descending, only once a named cursor is past them)."""
    spec = link.spec
    if link.relation.hops is not None or link.where or spec.keys != (("name",),):
        return False
    named_cursor = spec.after is not None and spec.after[0][0] is not None
    return named_cursor or (spec.direction == "ASC" and spec.after is None)


def _hub_condition(var: str, link: LinkShape, params: Params) -> str:
    """True when the anchor is a hub for this page: many relationships of the type (its degree), and those the
    page keeps (with a role: counted, reading each relationship's role) reach a fair share of the far label."""
    relation = link.relation
    left, right = ("-", "->") if relation.direction == "out" else ("<-", "-")
    degree = f"COUNT {{ ({var}){left}[:{relation.rel_type}]{right}() }}"
    kept = degree
    if link.role is not None:
        kept = f"COUNT {{ ({var}){left}[h:{relation.rel_type}]{right}() WHERE h.role = {params.add(link.role)} }}"
    return (f"({degree} >= {params.add(HUB_MIN_DEGREE)} AND "
            f"{kept} * {params.add(HUB_SHARE)} >= COUNT {{ (:{relation.target}) }})")


def _name_walk(var: str, link: LinkShape, n: int, kept: str, order: str, limit: str, params: Params) -> str:
    """The hub page from the name index: named rows in index order from the cursor on, checked against the
    anchor; ascending, then the rows without a name (ordered by id) only if the named ones did not fill it."""
    relation, spec = link.relation, link.spec
    node, rel = f"x{n}", f"r{n}"
    seek = f"{node}.name IS NOT NULL"
    if spec.after is not None:
        seek = f"{node}.name {'>=' if spec.direction == 'ASC' else '<='} {params.add(spec.after[0][0])}"
    named = (f"COLLECT {{ MATCH ({node}:Entity) USING INDEX {node}:{NAME_INDEX} WHERE {seek} "
             f"MATCH {relation.pattern(var, rel, node)} WHERE {kept} "
             f"WITH {rel}, {node} ORDER BY {order} LIMIT {limit} RETURN [{rel}, {node}] }}")
    tail = "[]"
    if spec.direction == "ASC":
        tail = (f"COLLECT {{ UNWIND CASE WHEN size(h{n}) < {limit} THEN [1] ELSE [] END AS t{n} "
                f"MATCH {relation.pattern(var, rel, node)} WHERE {node}.name IS NULL AND {kept} "
                f"WITH {rel}, {node} ORDER BY {node}.id ASC LIMIT {limit} RETURN [{rel}, {node}] }}")
    return (f"WITH {named} AS h{n} UNWIND h{n} + {tail} AS p{n} "
            f"RETURN p{n}[0] AS {rel}, p{n}[1] AS {node}")


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


# A root page sorted by one property and filtered only by a range on another (`fundings(where: {fiscalYear: {gte,
# lte}}, sort: AMOUNT_USD)`) read and sorted every node in the range (1,658 fundings, two properties each, for a
# page of 20). For the (label, filter, sort) triples of `catalog.ORDERED_RANGES` the statement has a second plan:
# walk the sort property's range index in order from the cursor and keep the nodes in range, stopping at the page
# size. It is chosen per request inside the statement from two counts the indexes answer without reading a node
# (nodes in range; those of them with the sort property, from the composite index) and the label's count: only
# when no node in range lacks the sort property (a null sorts first descending and last ascending, and the index
# holds none) and the range holds at least 1/`RANGE_SHARE` of the label (so the walk meets a page of them early).
RANGE_SHARE = 20
_RANGE_OPERATORS = frozenset({"eq", "gt", "gte", "lt", "lte"})


def _ordered_range(page: RootPage) -> bool:
    """Whether the page is one whose order may be walked in an index: a filter that is a range on one property
    only, of a (label, filter, sort) triple the writer indexes, sorted by a property other than the graph id."""
    if page.where is None or len(page.where) != 1:
        return False
    ((prop, ops),) = page.where.items()
    if (page.label, prop, page.sort) not in catalog.ORDERED_RANGES or not isinstance(ops, dict):
        return False
    given = {op for op, value in ops.items() if value is not None}
    return bool(given) and given <= _RANGE_OPERATORS


def _range_walk(page: RootPage, plain: str, condition: str, after: str, order: str, limit: str,
                params: Params) -> str:
    """The page's rows (`x0`) from whichever plan the counts choose (see `RANGE_SHARE`); both give the same rows."""
    var, label, sort = "x0", page.label, page.sort
    counted = compile_expression(label, page.where, "c0", params, "where")
    in_range = f"COUNT {{ MATCH (c0:{label}) WHERE {counted} }}"
    with_sort = f"COUNT {{ MATCH (c0:{label}) WHERE ({counted}) AND c0.{sort} IS NOT NULL }}"
    seek = "true"
    if page.after is not None and page.after[0] is not None:
        seek = f"{var}.{sort} {'<=' if page.direction == 'DESC' else '>='} {params.add(page.after[0])}"
    # in a COLLECT of its own, so Neo4j plans it alone: an ordered index scan cut by the LIMIT (`PartialTop`)
    walk = (f"COLLECT {{ MATCH ({var}:{label}) USING INDEX {var}:{label}({sort}) WHERE {var}.{sort} IS NOT NULL "
            f"AND ({seek}) AND ({condition}) AND ({after}) WITH {var} ORDER BY {order} LIMIT {limit} RETURN {var} }}")
    return (f"UNWIND [{in_range}] AS n0 "
            f"UNWIND [n0 = {with_sort} AND n0 * {params.add(RANGE_SHARE)} >= COUNT {{ (:{label}) }}] AS g0 "
            f"CALL (g0) {{ UNWIND CASE WHEN g0 THEN [] ELSE [1] END AS e0 {plain} RETURN {var} UNION ALL "
            f"UNWIND CASE WHEN g0 THEN [1] ELSE [] END AS e0 UNWIND {walk} AS {var} RETURN {var} }} "
            f"WITH {var} ORDER BY {order} LIMIT {limit}")


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
        order = f"{var}.{page.sort} {page.direction}, {var}.id {page.direction}"
        limit = params.add(page.limit)
        rows = f"{nodes} ({condition}) AND ({after}) WITH {var} ORDER BY {order} LIMIT {limit}"
        if _ordered_range(page):
            rows = _range_walk(page, rows, condition, after, order, limit, params)
        columns.append(f"COLLECT {{ {rows} RETURN {_projection(var, shape, params, names)} }} AS rows")
    if page.with_total:
        columns.append(f"COUNT {{ {nodes} {condition} RETURN {var} }} AS total")
    return f"RETURN {', '.join(columns) or 'null AS nothing'}", params.values
