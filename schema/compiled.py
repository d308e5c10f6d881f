"""Answer a query from compiled statements: one Cypher statement per root field, the response shaped from it.

Why: resolving field by field cost a round trip per relationship level and graphql-core's per-field work for
every value of a wide answer. When every root field of a query is a lookup, a root connection or `node`, and
everything below it is a node's properties, `sources`, a catalog relationship page (with `first`, `after`,
`where`, `sort`, `role`), its edges' properties and sources, `totalCount`, `pageInfo` or `__typename`, the
executor below plans the selection (`resolvers/selection_cypher.py` writes the statement), runs one statement per
root field and builds the response itself, with the schema's own scalar serializers.

Anything else - another root field (search, aggregates, cooperation, paths, coverage, network, imports...),
`relationships`, `citedBy`/`citedIn`, mutations, `@defer` - and anything that would be an error (a bad cursor,
a page above the maximum, a bad filter, an unknown id, a null in a non-null field, a failed statement) falls
back to graphql-core's ordinary execution of the whole operation, so errors and their paths stay exactly those
of the resolvers. Strawberry's extensions run around both paths unchanged (this is its `execution_context_class`).
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    get_named_type,
    is_abstract_type,
)
from graphql.execution.collect_fields import FieldDetails, collect_subfields
from graphql.execution.values import get_argument_values
from strawberry import relay
from strawberry.types.arguments import convert_arguments

from graph_seed import vocabulary as vocab
from resolvers import catalog
from resolvers.cursor import decode_cursor, encode_cursor
from resolvers.hop_page import PageSpec
from resolvers.nodes import check_sort
from resolvers.selection_cypher import LinkShape, NodeShape, RootPage, connection_statement, lookup_statement
from schema import filters
from schema.bounded_lru import BoundedLRU
from schema.execution import AcyclicExecution
from schema.paging import page_size_within
from schema.types import cursor_value, page_order, props_sort_key

logger = logging.getLogger("cbsi_graph.compiled")
Details = list[FieldDetails]
Shaper = Callable[[dict[str, Any]], Any]
LOOKUPS = {one: label for label, (one, _many) in catalog.ROOT_FIELDS.items()}
LISTS = {many: label for label, (_one, many) in catalog.ROOT_FIELDS.items()}
NODE_LABELS = frozenset(vocab.NODE_LABELS)
STATE_KEY = "compiled"  # in the context's `loaders`: "served" or why the compiled path did not serve


class NotCompilable(Exception):
    """The selection (or a value in the answer) needs the ordinary resolvers."""


# built-in scalars whose serializer returns a value of exactly this Python type as it is (graphql-core's
# `serialize_string`, `serialize_id`, `serialize_boolean`); Int and Float check ranges and finiteness: not here
_SERIALIZED_AS_IS: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


def _completer(type_: GraphQLOutputType) -> Callable[[Any], Any]:
    """graphql-core's completion of a leaf value for one type: non-null checked, lists item by item, the scalar's
    serializer; the wrappers are looked at once, when the plan is made."""
    if isinstance(type_, GraphQLNonNull):
        inner = _completer(type_.of_type)

        def non_null(value: Any) -> Any:
            if value is None:
                raise NotCompilable("null in a non-null field")
            return inner(value)

        return non_null
    if isinstance(type_, GraphQLList):
        item = _completer(type_.of_type)
        return lambda value: None if value is None else [item(v) for v in value]
    serialize = type_.serialize  # type: ignore[union-attr]
    exact = _SERIALIZED_AS_IS.get(type_.name)
    if exact is not None:  # the serializer would return a value of this type unchanged: skip the call
        return lambda value: value if type(value) is exact else None if value is None else serialize(value)
    return lambda value: None if value is None else serialize(value)


def _domain_label(labels: list[str]) -> str:
    for label in labels:
        if label != "Entity" and label != "Actor":
            return label
    raise NotCompilable("a node with no domain label")


def _const(value: Any) -> Callable[..., Any]:
    return lambda *_args: value


def _on_rows(make: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    return lambda rows, *_args: make(rows)


def _each_row(make: Callable[[Any], Any], size: int) -> Callable[..., Any]:
    return lambda rows, *_args: [make(row) for row in rows[:size]]


def _item(make: Callable[[Any], Any], index: int) -> Callable[[Any], Any]:
    return lambda row: make(row[index])


def _each_item(make: Callable[[Any], Any], index: int) -> Callable[[Any], Any]:
    return lambda row: [make(item) for item in row[index]]


def _edge_value(name: str, kind: GraphQLOutputType) -> Callable[[Any], Any]:
    complete = _completer(kind)
    return lambda row: complete(row[0].get(name))


def _prop_value(name: str, kind: GraphQLOutputType) -> Callable[[Any], Any]:
    complete = _completer(kind)
    return lambda row: complete(row.get(name))


class Planner:
    """Plans one operation: the statement shape per root field and the functions that build the response."""

    def __init__(self, executor: CompiledExecution) -> None:
        self.executor = executor
        self.schema = executor.schema
        self.strawberry = executor.schema._strawberry_schema  # type: ignore[attr-defined]
        self.max_page_size = int(executor.context_value.max_page_size)
        self.next_key = 0

    def subfields(self, type_: GraphQLObjectType, details: Details) -> dict[str, Details]:
        grouped, new_defers, *_rest = collect_subfields(
            self.schema, self.executor.fragments, self.executor.variable_values, self.executor.operation, type_,
            details)
        if new_defers:
            raise NotCompilable("@defer")
        return grouped

    def args(self, field: GraphQLField, details: Details) -> dict[str, Any]:
        """The field's arguments as its resolver gets them, except `where`: the plain dict the Cypher compiler
        takes (`filters.plain_where`, what `filters.to_dict` gives for the input object), or None when not given."""
        values = get_argument_values(field, details[0].node, self.executor.variable_values,
                                     details[0].fragment_variable_values)
        definition = field.extensions.get("strawberry-definition")
        if definition is None:
            raise NotCompilable("not a Strawberry field")
        where = values.pop("where", None)
        arguments = [argument for argument in definition.arguments if argument.python_name != "where"]
        converted = convert_arguments(values, arguments, scalar_registry=self.strawberry.schema_converter
                                      .scalar_registry, config=self.strawberry.config)
        converted["where"] = filters.plain_where(where) if where is not None else None
        return converted

    def key(self) -> str:
        self.next_key += 1
        return str(self.next_key)

    # --- nodes -------------------------------------------------------------------------------------------------
    def node(self, static_type: Any, details: Details, shape: NodeShape) -> Shaper:
        """The function that builds a node's response from its map, per runtime type (interfaces included)."""
        types = self.schema.get_possible_types(static_type) if is_abstract_type(static_type) else [static_type]
        by_type: dict[str, list[tuple[str, Shaper]]] = {}
        reused: dict[tuple[Any, ...], Shaper] = {}  # an interface's field planned once for all its types
        for type_ in types:
            if type_.name not in NODE_LABELS:
                raise NotCompilable(f"type {type_.name}")
            by_type[type_.name] = [(key, self.node_field(type_, key, fields, shape, reused))
                                   for key, fields in self.subfields(type_, details).items()]

        if len(by_type) == 1:  # an object type: only check the node is one
            [(only, only_fields)] = by_type.items()

            def build_one(row: dict[str, Any]) -> dict[str, Any]:
                if _domain_label(row["_labels"]) != only:
                    raise NotCompilable("a node of another type")
                return {key: make(row) for key, make in only_fields}

            return build_one

        def build(row: dict[str, Any]) -> dict[str, Any]:
            fields = by_type.get(_domain_label(row["_labels"]))
            if fields is None:
                raise NotCompilable("a node of another type")
            return {key: make(row) for key, make in fields}

        return build

    def node_field(self, type_: GraphQLObjectType, key: str, details: Details, shape: NodeShape,
                   reused: dict[tuple[Any, ...], Shaper]) -> Shaper:
        name, label = details[0].node.name.value, type_.name
        if name == "__typename":
            return lambda _row: label
        field = type_.fields[name]
        if name == "id":
            return lambda row: relay.to_base64(label, row["id"])
        if name == "graphId":
            return _prop_value("id", field.type)
        if name == "aliases":
            shape.props.add("aliases")
            complete = _completer(field.type)
            return lambda row: complete(list(row.get("aliases") or []))
        signature: tuple[Any, ...] = (name, tuple(id(d.node) for d in details))
        relation = catalog.RELATIONS[label].get(name)
        if relation is not None:
            signature += (relation.rel_type, relation.direction, relation.target, relation.hops)
        if signature in reused:
            return reused[signature]
        if name == "sources":
            made = self.sources(field, details, shape)
        elif relation is not None:
            made = self.link(relation, field, details, shape)
        elif name in catalog.fields_of(label) and name != "sources":
            shape.props.add(name)
            made = _prop_value(name, field.type)
        else:
            raise NotCompilable(f"{label}.{name}")
        reused[signature] = made
        return made

    def sources(self, field: GraphQLField, details: Details, shape: NodeShape) -> Shaper:
        key = self.key()
        source_shape = shape.sources[key] = NodeShape()
        make = self.node(get_named_type(field.type), details, source_shape)
        return lambda row: [make(source) for source in row[f"_s{key}"]]

    # --- relationship pages ------------------------------------------------------------------------------------
    def link(self, relation: catalog.Relation, field: GraphQLField, details: Details, shape: NodeShape) -> Shaper:
        args = self.args(field, details)
        size = page_size_within(self.max_page_size, args.get("first"))
        keys, direction, sort_field, mark = page_order(relation, args.get("sort"), args.get("after"))
        role = args.get("role")
        role = role.value if isinstance(role, enum.Enum) else role
        where = args.get("where")
        connection = cast(GraphQLObjectType, get_named_type(field.type))
        grouped = self.subfields(connection, details)
        names = {fields[0].node.name.value for fields in grouped.values()}
        wants_rows = "edges" in names or "pageInfo" in names
        spec = PageSpec(keys, direction, size + 1 if wants_rows else 0, mark,  # type: ignore[arg-type]
                        "totalCount" in names)
        link = LinkShape(relation, role, where, spec)
        key = self.key()
        shape.links[key] = link
        link.node.props.update(prop for k in keys for prop in k)
        by_props = props_sort_key(keys)

        def page_rows(rows: list[Any]) -> tuple[bool, str | None]:
            if not rows[:size]:
                return len(rows) > size, None
            last = rows[:size][-1][1]
            return len(rows) > size, encode_cursor(sort_field, cursor_value(last, keys), last["id"])

        parts: list[tuple[str, Callable[[list[Any], dict[str, Any]], Any]]] = []
        for out_key, fields in grouped.items():
            name = fields[0].node.name.value
            if name == "__typename":
                parts.append((out_key, _const(connection.name)))
            elif name == "totalCount":
                parts.append((out_key, lambda _rows, row: int(row[f"_c{key}"])))
            elif name == "pageInfo":
                info = self.page_info(connection.fields[name], fields, False, page_rows)
                parts.append((out_key, _on_rows(info)))
            elif name == "edges":
                edge = self.edge(relation, connection.fields[name], fields, link, sort_field, keys)
                parts.append((out_key, _each_row(edge, size)))
            else:
                raise NotCompilable(f"connection field {name}")
        reverse = direction == "DESC"

        def build(row: dict[str, Any]) -> dict[str, Any]:
            rows = sorted(row.get(f"_l{key}") or [], key=lambda r: by_props(r[1]), reverse=reverse) \
                if wants_rows else []
            return {out_key: make(rows, row) for out_key, make in parts}

        return build

    def page_info(self, field: GraphQLField, details: Details, has_previous: bool,
                  rows_info: Callable[[list[Any]], tuple[bool, str | None]]) -> Callable[[list[Any]], dict[str, Any]]:
        info_type = cast(GraphQLObjectType, get_named_type(field.type))
        grouped = self.subfields(info_type, details)
        wanted = [(key, fields[0].node.name.value) for key, fields in grouped.items()]
        for _key, name in wanted:
            if name not in ("hasNextPage", "endCursor", "startCursor", "hasPreviousPage", "__typename"):
                raise NotCompilable(f"pageInfo.{name}")

        def build(rows: list[Any]) -> dict[str, Any]:
            has_next, end = rows_info(rows)
            values = {"hasNextPage": has_next, "endCursor": end, "startCursor": None,
                      "hasPreviousPage": has_previous, "__typename": info_type.name}
            return {key: values[name] for key, name in wanted}

        return build

    def edge(self, relation: catalog.Relation, field: GraphQLField, details: Details, link: LinkShape,
             sort_field: str, keys: tuple[tuple[str, ...], ...]) -> Callable[[list[Any]], dict[str, Any]]:
        edge_type = cast(GraphQLObjectType, get_named_type(field.type))
        edge_props = catalog.EDGE_FIELDS[relation.rel_type] if relation.hops is None else {"depth": catalog.INT}
        parts: list[tuple[str, Callable[[list[Any]], Any]]] = []
        for out_key, fields in self.subfields(edge_type, details).items():
            name = fields[0].node.name.value
            if name == "__typename":
                parts.append((out_key, _const(edge_type.name)))
            elif name == "cursor":
                parts.append((out_key, lambda r: encode_cursor(sort_field, cursor_value(r[1], keys), r[1]["id"])))
            elif name == "node":
                node_type = get_named_type(edge_type.fields[name].type)
                make = self.node(node_type, fields, link.node)
                parts.append((out_key, _item(make, 1)))
            elif name == "sources" and relation.hops is None:
                if link.edge_sources is None:
                    link.edge_sources = NodeShape()
                source = self.node(get_named_type(edge_type.fields[name].type), fields, link.edge_sources)
                parts.append((out_key, _each_item(source, 2)))
            elif name == "sources":  # a hierarchy edge: no sources of its own
                parts.append((out_key, _const([])))
            elif name in edge_props:
                if relation.hops is None:
                    link.edge_props.add(name)
                kind = edge_type.fields[name].type
                parts.append((out_key, _edge_value(name, kind)))
            else:
                raise NotCompilable(f"edge field {name}")
        return lambda r: {out_key: make(r) for out_key, make in parts}

    # --- root fields -------------------------------------------------------------------------------------------
    def root(self, root_type: GraphQLObjectType, key: str, details: Details
             ) -> Callable[[Any], Awaitable[Any]] | str:
        """A coroutine function answering one root field from one statement (or `__typename`'s value)."""
        name = details[0].node.name.value
        if name == "__typename":
            return root_type.name
        field = root_type.fields[name]
        if name in LOOKUPS or name == "node":
            args = self.args(field, details)
            if name == "node":
                global_id = relay.GlobalID.from_id(args["id"])
                label, node_id = global_id.type_name, global_id.node_id
                if label not in catalog.QUERYABLE_LABELS:
                    raise NotCompilable("node of an unknown type")
            else:
                label, node_id = LOOKUPS[name], str(args["id"])
            shape = NodeShape()
            make = self.node(get_named_type(field.type), details, shape)
            cypher, params = lookup_statement(label, node_id, shape)

            async def lookup(runner: Any) -> Any:
                rows = await runner.read_quiet(cypher, params)
                if not rows:
                    raise NotCompilable("no such node")  # NOT_FOUND with suggestions: the resolvers say it
                return make(rows[0]["row"])

            return lookup
        if name in LISTS:
            return self.root_connection(LISTS[name], field, details)
        raise NotCompilable(f"root field {name}")

    def root_connection(self, label: str, field: GraphQLField, details: Details
                        ) -> Callable[[Any], Awaitable[Any]]:
        args = self.args(field, details)
        size = page_size_within(self.max_page_size, args.get("first"))
        sort, direction = filters.sort_args(args.get("sort"))
        check_sort(label, sort)
        after = args.get("after")
        mark = decode_cursor(after, sort) if after is not None else None
        where = args.get("where")
        connection = cast(GraphQLObjectType, get_named_type(field.type))
        grouped = self.subfields(connection, details)
        names = {fields[0].node.name.value for fields in grouped.values()}
        shape = NodeShape()
        shape.props.add(sort)
        wants_rows = "edges" in names or "pageInfo" in names

        def rows_info(rows: list[Any]) -> tuple[bool, str | None]:
            if not rows[:size]:
                return len(rows) > size, None
            last = rows[:size][-1]
            return len(rows) > size, encode_cursor(sort, last.get(sort), last["id"])

        parts: list[tuple[str, Callable[[list[Any], Any], Any]]] = []
        for out_key, fields in grouped.items():
            name = fields[0].node.name.value
            if name == "__typename":
                parts.append((out_key, _const(connection.name)))
            elif name == "totalCount":
                parts.append((out_key, lambda _rows, total: int(total)))
            elif name == "pageInfo":
                info = self.page_info(connection.fields[name], fields, after is not None, rows_info)
                parts.append((out_key, _on_rows(info)))
            elif name == "edges":
                edge = self.root_edge(connection.fields[name], fields, shape, sort)
                parts.append((out_key, _each_row(edge, size)))
            else:
                raise NotCompilable(f"connection field {name}")
        page = RootPage(label, where, sort, direction,  # type: ignore[arg-type]
                        mark, size + 1 if wants_rows else 0, "totalCount" in names)
        cypher, params = connection_statement(page, shape)

        async def connection_page(runner: Any) -> Any:
            [row] = await runner.read_quiet(cypher, params)
            rows = row.get("rows") or []
            return {out_key: make(rows, row.get("total")) for out_key, make in parts}

        return connection_page

    def root_edge(self, field: GraphQLField, details: Details, shape: NodeShape, sort: str
                  ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        edge_type = cast(GraphQLObjectType, get_named_type(field.type))
        parts: list[tuple[str, Shaper]] = []
        for out_key, fields in self.subfields(edge_type, details).items():
            name = fields[0].node.name.value
            if name == "__typename":
                parts.append((out_key, _const(edge_type.name)))
            elif name == "cursor":
                parts.append((out_key, lambda r: encode_cursor(sort, r.get(sort), r["id"])))
            elif name == "node":
                make = self.node(get_named_type(edge_type.fields[name].type), fields, shape)
                parts.append((out_key, make))
            else:
                raise NotCompilable(f"edge field {name}")
        return lambda r: {out_key: make(r) for out_key, make in parts}


class PlanCache(BoundedLRU[tuple[Any, ...], dict[str, Any]]):
    """The plans of the last `size` distinct (query, variables) pairs: planning a nested selection costs about a
    quarter of a compiled request's CPU, and analysts repeat their queries. Bounded by count and by the
    characters of query text held (the plans themselves are a few closures and a statement)."""

    def __init__(self, size: int = 256, max_chars: int = 1_000_000) -> None:
        super().__init__(size, max_chars, lambda key: len(key[1]) + len(key[3]), second_sight=True)


PLANS = PlanCache()


class CompiledExecution(AcyclicExecution):
    """graphql-core's executor, answering a query from compiled statements when every root field compiles."""

    def execute_collected_root_fields(self, root_type: Any, root_value: Any, grouped_field_set: Any,
                                      serially: bool, new_defer_usages: Any) -> Any:
        def ordinary() -> Any:
            return super(CompiledExecution, self).execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages)

        loaders = getattr(self.context_value, "loaders", None)
        if serially or new_defer_usages or loaders is None:
            return ordinary()
        key = self._plan_key()
        plans = PLANS.get(key) if key is not None else None
        if plans is None:
            try:
                planner = Planner(self)
                plans = {key: planner.root(root_type, key, details) for key, details in grouped_field_set.items()}
            except Exception as exc:  # noqa: BLE001 - anything the plan cannot serve, errors included: resolvers
                loaders[STATE_KEY] = f"not compiled: {type(exc).__name__}: {exc}"
                return ordinary()
            if key is not None:
                PLANS.put(key, plans)
        return self._answer(plans, ordinary, loaders)

    def _plan_key(self) -> tuple[Any, ...] | None:
        """What a plan depends on: the schema, the query text and operation, the variables, the page maximum."""
        loc = self.operation.loc
        if loc is None:
            return None
        try:
            variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=repr)
        except (TypeError, ValueError):
            return None
        return (self.schema, loc.source.body, loc.start, variables, self.context_value.max_page_size)

    async def _answer(self, plans: dict[str, Any], ordinary: Callable[[], Any], loaders: dict[str, Any]) -> Any:
        runner = self.context_value.runner
        try:
            keys = [key for key, plan in plans.items() if not isinstance(plan, str)]
            if len(keys) == 1:  # the common case: no task and future for `gather` to make
                values = [await plans[keys[0]](runner)]
            else:
                values = await asyncio.gather(*(plans[key](runner) for key in keys))
            answers = dict(zip(keys, values, strict=True))
            data = {key: plan if isinstance(plan, str) else answers[key] for key, plan in plans.items()}
        except Exception as exc:  # noqa: BLE001 - a missing node, a null, a failed statement: the resolvers say it
            loaders[STATE_KEY] = f"fell back: {type(exc).__name__}: {exc}"
            result = ordinary()
            return await result if self.is_awaitable(result) else result
        loaders[STATE_KEY] = "served"
        return data
