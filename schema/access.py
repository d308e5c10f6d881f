"""Role checks inside GraphQL: the `network` root field (whole-graph measures, the costliest work) and the
import-status fields (`imports`, `importsUnfinished`: the operator's work) are for the `admin` role when
bearer tokens are configured (`app/access.py` puts the role in the request's scope).

Checked just before execution, not in validation: validation results are cached per query text for everyone,
and a role is per request. No role in the request (tests, the schema used directly): nothing is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

ADMIN_FIELDS = frozenset({"network", "imports", "importsUnfinished"})
ROLE_STATE = "cbsi_role"


def root_fields(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode],
                seen: set[str] | None = None) -> set[str]:
    """Names of the root fields an operation selects, through inline fragments and spreads (each once)."""
    seen = set() if seen is None else seen
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                names |= root_fields(fragment.selection_set, fragments, seen)
    return names


def request_role(context: Any) -> str | None:
    request = getattr(context, "request", None)
    scope = getattr(request, "scope", None) or {}
    return (scope.get("state") or {}).get(ROLE_STATE)


class AdminFields(SchemaExtension):
    """Answer FORBIDDEN, before anything runs, when a non-admin request selects an admin-only root field."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        role = request_role(execution.context)
        document = execution.graphql_document
        if role is not None and role != "admin" and document is not None:
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            wanted = execution.operation_name
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)
                          and (wanted is None or (d.name is not None and d.name.value == wanted))]
            selected: set[str] = set()
            for operation in operations:
                selected |= root_fields(operation.selection_set, fragments)
            forbidden = sorted(selected & ADMIN_FIELDS)
            if forbidden:
                execution.result = ExecutionResult(data=None, errors=[GraphQLError(
                    f"{', '.join(forbidden)}: needs a token with the admin role (this one is {role}).",
                    extensions={"code": "FORBIDDEN"})])
        yield
