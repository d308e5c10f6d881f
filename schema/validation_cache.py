"""Remember validation results (standard rules, depth, aliases, cost) per query text and variables.

Why our own cache: validation walks the whole document several times and costs more than a cookbook query's
Cypher. Strawberry's `ValidationCache` keys on the rule classes, and the cost rule is built per request (it
reads the variables), so it would never hit. The limits are fixed for a schema, so (query, variables) decides
the outcome; variables are part of the key because `first: $n` changes the cost.

Bounded by the total length of the keys as well as by a count: a key holds the whole query text and variables,
so 512 entries of 10 MB each would keep 5 GB alive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from schema.bounded_lru import BoundedLRU

MAX_ENTRIES = 512
MAX_CHARS = 4_000_000  # total length of the query texts and variables held


class ValidationResults(BoundedLRU[tuple[str, str], list[GraphQLError]]):
    """A bounded LRU of validation errors (an empty list: the document is valid)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        # one huge text would evict everything else: it is validated every time instead
        super().__init__(max_entries, max_chars, lambda key: len(key[0]) + len(key[1]), max_chars // 8)
        self.hits = 0

    def get(self, key: tuple[str, str]) -> list[GraphQLError] | None:
        errors = super().get(key)
        if errors is not None:
            self.hits += 1
        return errors

    def put(self, key: tuple[str, str], errors: list[GraphQLError]) -> None:
        super().put(key, list(errors))


class CachedValidation(SchemaExtension):
    """Serve a known (query, variables) pair's validation result without validating again."""

    def __init__(self, results: ValidationResults) -> None:
        self.results = results

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        key: tuple[str, str] | None = None
        if context.query is not None:
            try:
                key = (context.query, json.dumps(context.variables or {}, sort_keys=True))
            except (TypeError, ValueError):
                key = None  # variables that do not serialise: validate every time
        cached = self.results.get(key) if key is not None else None
        if cached is not None:
            context.pre_execution_errors = list(cached)
        yield
        errors = context.pre_execution_errors
        # an aborted validation (a time budget spent under load) says nothing about the next attempt: not kept
        aborted = errors is not None and any(isinstance(error, ValidationAbortedError) for error in errors)
        if key is not None and cached is None and errors is not None and not aborted:
            self.results.put(key, errors)
