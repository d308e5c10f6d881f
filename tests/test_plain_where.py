"""The compiled planner reads a `where` argument with `filters.plain_where`, straight from graphql-core's coerced
value; it must be the very dict the resolvers get from Strawberry's input objects (`filters.to_dict`). Every
`where` in the cookbook and a set of harder ones (explicit nulls, nested AND/OR/NOT, lists, variables, numbers,
booleans, relationship filters) are read both ways and compared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import FieldNode, TypeInfo, TypeInfoVisitor, Visitor, parse, visit
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.types.arguments import convert_arguments

from schema import build_schema
from schema.filters import plain_where, to_dict

SCHEMA = build_schema()
GRAPHQL = SCHEMA._schema
COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "queries"
HARDER = [
    ('{ programs(where: {name: {contains: "x", eq: null}, OR: [{status: {eq: "active"}}, {name: null}, {}], '
     'NOT: {AND: [{level: {in: ["program", "project"]}}]}}) { totalCount } }', {}),
    ('{ fundings(where: {amountUsd: {gte: 1000.5}, fiscalYear: {lte: 2020}, cumulative: {eq: false}, '
     'provider: {some: {name: {startsWith: "U"}}}, recipient: {none: {}}}) { totalCount } }', {}),
    ("query($w: GovernmentWhere) { governments(where: $w) { totalCount } }",
     {"w": {"cbsiRole": {"eq": "partner"}, "OR": [{"name": {"contains": "a"}}, {"id": {"in": ["gov:JM"]}}],
            "description": None}}),
    ('{ government(id: "gov:JM") { programs(where: {name: {contains: "y"}, NOT: {status: null}}) { totalCount } } }',
     {}),
    ("{ actors(where: {partners: {some: {}}}) { totalCount } }", {}),
]


def where_arguments(query: str, variables: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(field definition, coerced arguments) of every field given a `where` in the query."""
    document = parse(query)
    operation = document.definitions[0]
    coerced = get_variable_values(GRAPHQL, operation.variable_definitions or (), variables)  # type: ignore[attr-defined]
    assert not isinstance(coerced, list), coerced
    variable_values = coerced
    type_info = TypeInfo(GRAPHQL)
    found: list[tuple[Any, Any]] = []

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            definition = type_info.get_field_def()
            if definition is not None and any(a.name.value == "where" for a in node.arguments or ()):
                found.append((definition, get_argument_values(definition, node, variable_values)))

    visit(document, TypeInfoVisitor(type_info, Fields()))
    return found


def cases() -> list[tuple[str, dict[str, Any]]]:
    return [(path.read_text(), {}) for path in sorted(COOKBOOK.glob("*.graphql"))] + HARDER


def test_the_cases_reach_where_arguments_in_the_cookbook_and_beyond() -> None:
    assert sum(len(where_arguments(query, variables)) for query, variables in cases()) >= 12


@pytest.mark.parametrize(("query", "variables"), cases())
def test_plain_where_is_what_the_input_objects_give(query: str, variables: dict[str, Any]) -> None:
    for definition, values in where_arguments(query, variables):
        strawberry_field = definition.extensions["strawberry-definition"]
        converted = convert_arguments(dict(values), strawberry_field.arguments,
                                      scalar_registry=SCHEMA.schema_converter.scalar_registry, config=SCHEMA.config)
        assert plain_where(values["where"]) == to_dict(converted["where"])
