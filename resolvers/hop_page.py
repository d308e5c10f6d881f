"""The Cypher for one page of a relationship field, per parent: order, keyset cursor and LIMIT inside Neo4j.

Why in the statement: a relationship field used to load every neighbour of every parent and sort and slice in
Python, so a hub with thousands of neighbours cost thousands of rows for a page of five. Here each parent's
page is a `CALL (n) { ... ORDER BY ... LIMIT }` subquery, for a whole batch of parents in one statement (the
DataLoader batching stays), and the count runs, in the same statement, only when `totalCount` is selected.

The order is the one the schema promises (`catalog.DEFAULT_SORT` or the `sort` argument): each key is the first
present of its properties (`coalesce`), missing values last in ascending order and first in descending order
(Neo4j's null ordering, which is also the Python sort key's in `schema/types.py`), then the graph id. The
keyset condition resumes strictly after the cursor's `(key values..., id)` in that same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from resolvers import catalog
from resolvers.errors import ClientError
from resolvers.where import Params, compile_expression

Direction = Literal["ASC", "DESC"]
Keys = tuple[tuple[str, ...], ...]

# `{pattern}` comes from `catalog.Relation.pattern`, `{where}`/`{after}` from the compilers below (values are
# parameters), `{order}` from catalog property names. One row per parent: its page and, if asked, its count.
PAGE = """
UNWIND $ids AS id
MATCH (n:Entity {{id: id}})
CALL (n) {{
  MATCH {pattern}
  WHERE ({where}) AND ({after})
  WITH r, m ORDER BY {order} LIMIT $limit
  RETURN collect([properties(r), m {{.*}}, labels(m)]) AS rows
}}{count}
RETURN id, rows{total}
"""
# A variable-length hop (the program hierarchy): each node once, with how many levels away it is.
PATH_PAGE = """
UNWIND $ids AS id
MATCH (n:Entity {{id: id}})
CALL (n) {{
  MATCH {pattern}
  WHERE {where}
  WITH m, min(size(r)) AS depth
  WHERE {after}
  WITH m, depth ORDER BY {order} LIMIT $limit
  RETURN collect([{{depth: depth}}, m {{.*}}, labels(m)]) AS rows
}}{count}
RETURN id, rows{total}
"""
# Only `totalCount` selected: no neighbour is ordered or returned.
NO_PAGE = """
UNWIND $ids AS id
MATCH (n:Entity {{id: id}}){count}
RETURN id, [] AS rows{total}
"""
COUNT = """
CALL (n) {{
  MATCH {pattern}
  WHERE {where}
  RETURN count({counted}) AS total
}}"""


@dataclass(frozen=True)
class PageSpec:
    """Which page of a relationship field: the order, how many rows, after which cursor, and the count."""

    keys: Keys
    direction: Direction
    limit: int  # rows per parent (the page size plus one, to tell whether more follow); 0: none
    after: tuple[tuple[Any, ...], str] | None = None  # the cursor's key values and graph id
    with_total: bool = False


def _key_expression(key: tuple[str, ...], var: str = "m") -> str:
    props = [f"{var}.{prop}" for prop in key]
    return props[0] if len(props) == 1 else f"coalesce({', '.join(props)})"


def order_by(keys: Keys, direction: Direction, var: str = "m") -> str:
    """`m.name ASC, m.id ASC`, or `coalesce(m.fiscalYear, m.fiscalYearStart) ASC, ...` for a multi-property key."""
    return ", ".join([*(f"{_key_expression(key, var)} {direction}" for key in keys), f"{var}.id {direction}"])


_NUMBER, _TEXT = "number", "text"
_CLASS_OF_KIND = {catalog.INT: _NUMBER, catalog.FLOAT: _NUMBER, catalog.BOOL: _NUMBER,
                  catalog.STRING: _TEXT, catalog.DATE: _TEXT}


def _value_class(value: Any) -> str:
    if isinstance(value, bool | int | float):
        return _NUMBER
    return _TEXT if isinstance(value, str) else type(value).__name__


def check_cursor_values(label: str, keys: Keys, values: Sequence[Any], sort_field: str) -> None:
    """A cursor's values must compare with the properties they stand for (a forged cursor is a client error)."""
    fields = catalog.fields_of(label)
    if len(values) != len(keys):
        raise ClientError(f"after: the cursor does not fit sorting by {sort_field!r}")
    for key, value in zip(keys, values, strict=True):
        kinds = {_CLASS_OF_KIND.get(fields.get(prop, catalog.STRING), "list") for prop in key}
        if value is not None and _value_class(value) not in kinds:
            raise ClientError(f"after: the cursor does not fit sorting by {sort_field!r}")


def keyset_after(keys: Keys, direction: Direction, values: Sequence[Any], node_id: str, params: Params,
                 node: str = "m") -> str:
    """Rows strictly after `(values..., node_id)` in the order of `order_by` (nulls last ascending, first
    descending), as a Cypher condition on `m` whose values are parameters."""
    condition = f"{node}.id {'>' if direction == 'ASC' else '<'} {params.add(node_id)}"
    for key, value in reversed(list(zip(keys, values, strict=True))):
        expr = _key_expression(key, node)
        if value is None:  # the cursor row sits among the nulls
            beyond = "false" if direction == "ASC" else f"{expr} IS NOT NULL"
            same = f"{expr} IS NULL"
        else:
            var = params.add(value)
            beyond = f"{expr} > {var} OR {expr} IS NULL" if direction == "ASC" else f"{expr} < {var}"
            same = f"{expr} = {var}"
        condition = f"({beyond}) OR (({same}) AND ({condition}))"
    return condition


def page_query(relation: catalog.Relation, role: str | None, where: dict[str, Any] | None,
               spec: PageSpec) -> tuple[str, dict[str, Any]]:
    """The batched statement (parameters `$ids` and the returned dict) for one page of `relation` per parent."""
    params = Params()
    condition = compile_expression(relation.target, where, "m", params, "where")
    if role is not None:
        condition = f"({condition}) AND r.role = {params.add(role)}"
    after = "true"
    if spec.after is not None:
        after = keyset_after(spec.keys, spec.direction, spec.after[0], spec.after[1], params)
    pattern = relation.pattern("n", "r", "m")
    count, total = "", ""
    if spec.with_total:
        counted = "*" if relation.hops is None else "DISTINCT m"
        count, total = COUNT.format(pattern=pattern, where=condition, counted=counted), ", total"
    template = PAGE if relation.hops is None else PATH_PAGE
    if spec.limit == 0:  # only the count was asked for: no page to order
        template = NO_PAGE
    cypher = template.format(pattern=pattern, where=condition, after=after, count=count, total=total,
                             order=order_by(spec.keys, spec.direction))
    return cypher, {**params.values, "limit": spec.limit}
