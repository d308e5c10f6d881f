"""The Strawberry schema: types, inputs, enums and the `Schema` object, with its limits and error masking."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter
from strawberry.types import ExecutionContext

from schema.access import AdminFields
from schema.compiled import CompiledExecution
from schema.document_limits import DocumentBounds, DocumentLimits, ParsedDocuments
from schema.errors import MaskInternalErrors, log_client_errors
from schema.execution import AcyclicExecution
from schema.literal_template import ValidTemplates
from schema.query import Query
from schema.types import TYPES
from schema.validation_cache import CachedValidation, ValidationResults


@dataclass(frozen=True)
class QueryLimits:
    """Limits a request must stay within; each rejection names the limit."""

    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 50_000
    max_page_size: int = 100
    max_query_length: int = 20_000  # characters of query text
    max_selections: int = 5_000  # field selections once every fragment spread is expanded
    validation_budget: float = 1.0  # seconds of parsing plus validation


class CbsiSchema(strawberry.Schema):
    """Strawberry's schema, logging client errors on one truncated WARNING line instead of a traceback each.

    Internal errors are logged by `MaskInternalErrors` (with the id the client sees), not here.
    """

    validated: ValidationResults
    parsed: ParsedDocuments
    templates: ValidTemplates

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_client_errors(errors, execution_context)


def build_schema(limits: QueryLimits | None = None, compiled: bool = True) -> strawberry.Schema:
    """The schema with length, depth, alias, token, selection, cost and time limits and masked internal errors.

    `compiled`: answer the queries that compile from one Cypher statement per root field (`schema/compiled.py`);
    off, every field goes through its resolver (the answers are the same).

    The order matters: a cached validation result is used before the shape limits are measured, and the shape
    limits run before the standard validation rules (`schema/document_limits.py`).
    """
    limits = limits or QueryLimits()
    validated = ValidationResults()  # one per schema: its limits decide what is valid
    parsed = ParsedDocuments()
    templates = ValidTemplates()  # valid whatever values are written into them (`schema/literal_template.py`)
    bounds = DocumentBounds(
        max_depth=limits.max_depth, max_aliases=limits.max_aliases, max_cost=limits.max_cost,
        max_page_size=limits.max_page_size, max_query_length=limits.max_query_length,
        max_selections=limits.max_selections, budget_seconds=limits.validation_budget,
    )
    schema = CbsiSchema(
        query=Query,
        types=list(TYPES.values()),
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: CachedValidation(validated),
            lambda: DocumentLimits(bounds, parsed, templates),
            AdminFields,
            MaskInternalErrors,
        ],
        execution_context_class=CompiledExecution if compiled else AcyclicExecution,
    )
    # for diagnostics (`app/memory_trace.py`)
    schema.validated, schema.parsed, schema.templates = validated, parsed, templates
    return schema
