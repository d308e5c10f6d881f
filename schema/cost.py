"""A query cost limit: estimated from `first` page sizes multiplied down the query's depth.

Why: depth, alias and token limits do not stop `programs(first: 100) { participants(first: 100) { programs
(first: 100) ... } }`, which asks for a million rows. Each field costs the number of rows it may be resolved
for; a paged field multiplies its children's rows by its `first` (or the default page), an unpaged list by
`UNPAGED_LIST_SIZE`. A query above `max_query_cost` is rejected before anything runs, with the cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from graphql.type.definition import GraphQLField
from strawberry.extensions import SchemaExtension

from schema.paging import DEFAULT_PAGE_SIZE

UNPAGED_LIST_SIZE = 10


def _is_list(field: GraphQLField) -> bool:
    field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(field_type, GraphQLList)


class CostEstimator:
    """Walks one operation with the schema's types; fragments are followed (each at most once per path)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any],
                 max_page_size: int) -> None:
        self.schema = schema
        self.variables = variables
        self.max_page_size = max_page_size
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def page(self, node: FieldNode, field: GraphQLField) -> int:
        """Rows a field's children may be resolved for, per row of the field itself."""
        if "first" not in field.args:
            return UNPAGED_LIST_SIZE if _is_list(field) and node.name.value != "edges" else 1
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode) and isinstance(self.variables.get(value.name.value), int):
                    return int(self.variables[value.name.value])
                return self.max_page_size
        default = field.args["first"].default_value
        return default if isinstance(default, int) else min(DEFAULT_PAGE_SIZE, self.max_page_size)

    def cost(self, selection_set: SelectionSetNode, parent: Any, rows: int, seen: frozenset[str] = frozenset()) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                field = getattr(parent, "fields", {}).get(name)
                if field is None or name.startswith("__"):
                    continue
                total += rows
                if selection.selection_set:
                    child_rows = rows * max(self.page(selection, field), 1)
                    total += self.cost(selection.selection_set, get_named_type(field.type), child_rows, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, target, rows, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.cost(fragment.selection_set, target, rows, seen | {name})
        return total

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self.cost(operation.selection_set, root, 1)


class QueryCostLimiter(SchemaExtension):
    """Adds a validation rule rejecting operations whose estimated cost is above `max_cost`."""

    def __init__(self, max_cost: int, max_page_size: int = 100) -> None:
        self.max_cost = max_cost
        self.max_page_size = max_page_size

    def on_operation(self) -> Iterator[None]:
        variables = self.execution_context.variables or {}
        max_cost, max_page_size = self.max_cost, self.max_page_size

        class CostRule(ValidationRule):
            def enter_document(self, node: DocumentNode, *_args: Any) -> None:
                estimator = CostEstimator(self.context.schema, node, variables, max_page_size)
                for definition in node.definitions:
                    if isinstance(definition, OperationDefinitionNode):
                        cost = estimator.operation_cost(definition)
                        if cost > max_cost:
                            self.report_error(GraphQLError(
                                f"Query cost {cost} is above the limit max_query_cost = {max_cost}: ask for "
                                "smaller pages (`first`) or fewer nested lists.",
                                definition, extensions={"code": "LIMIT_EXCEEDED", "cost": cost, "limit": max_cost},
                            ))

        self.execution_context.validation_rules = (*self.execution_context.validation_rules, CostRule)
        yield
