"""A query cost estimate: `first` page sizes multiplied down the query's depth, linear in the document.

Why: depth, alias and token limits do not stop `programs(first: 100) { participants(first: 100) { programs
(first: 100) ... } }`, which asks for a million rows. Each field costs the number of rows it may be resolved
for; a paged field multiplies its children's rows by its `first` (or the default page), an unpaged list by
`UNPAGED_LIST_SIZE`. A query above `max_query_cost` is rejected before anything runs, with the cost.

Why memoised: the cost of a selection set is linear in the rows it is resolved for (every term is `rows x
something`), so a fragment's cost per row is computed once and multiplied at each spread. Walking every path
instead doubles the work with each level of a fragment bomb (20 fragments each spreading the previous one
twice took 14 s of event-loop CPU). `schema/document_limits.py` runs this before validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.definition import GraphQLField

from schema.paging import DEFAULT_PAGE_SIZE

UNPAGED_LIST_SIZE = 10


def _is_list(field: GraphQLField) -> bool:
    field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(field_type, GraphQLList)


class CostEstimator:
    """Costs one document's operations with the schema's types; each fragment's cost per row is computed once.

    A fragment spread inside its own expansion (a cycle, reported by validation) costs nothing here; unknown
    fields and fragments cost nothing either (validation reports them).
    """

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any],
                 max_page_size: int) -> None:
        self.schema = schema
        self.variables = variables
        self.max_page_size = max_page_size
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self._fragment_costs: dict[str, int] = {}
        self._in_progress: set[str] = set()

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

    def fragment_cost(self, name: str) -> int:
        """A fragment's cost for one row, computed on first use."""
        cost = self._fragment_costs.get(name)
        if cost is not None:
            return cost
        fragment = self.fragments.get(name)
        if fragment is None or name in self._in_progress:
            return 0
        self._in_progress.add(name)
        try:
            cost = self.unit_cost(fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value))
        finally:
            self._in_progress.discard(name)
        self._fragment_costs[name] = cost
        return cost

    def unit_cost(self, selection_set: SelectionSetNode, parent: Any) -> int:
        """The cost of a selection set resolved for one row of `parent`."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                field = getattr(parent, "fields", {}).get(name)
                if field is None or name.startswith("__"):
                    continue
                total += 1
                if selection.selection_set:
                    child = self.unit_cost(selection.selection_set, get_named_type(field.type))
                    total += max(self.page(selection, field), 1) * child
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.unit_cost(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_cost(selection.name.value)
        return total

    def cost(self, selection_set: SelectionSetNode, parent: Any, rows: int) -> int:
        return rows * self.unit_cost(selection_set, parent)

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self.unit_cost(operation.selection_set, root) if root is not None else 0
