"""The executor every request runs on: Strawberry's, minus the reference cycle graphql-core leaves behind.

Why: graphql-core's executor keeps its own bound methods in `async_helpers` (for the resolvers' `info`), so
each request's executor was a reference cycle holding the operation's AST, its collected fields and its state
until the cyclic garbage collector came by; under load those collections stopped the event loop for 58-113 ms
(issue #14, session 12; `schema.document_limits.unlink_tokens` removes the other cycle, the document's tokens).
Both the compiled executor (`schema/compiled.py`) and the plain one (`CBSI_COMPILED_QUERIES=false`) build on it.
"""

from __future__ import annotations

from typing import Any

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class AcyclicExecution(StrawberryGraphQLCoreExecutionContext):
    """Lets go of its resolver helpers once a plain response is built and nothing runs on: the `info` objects
    already made keep their own reference; `@defer`/`@stream` results (not an `ExecutionResult`) keep them."""

    def build_response(self, data: dict[str, Any] | None) -> Any:
        result = super().build_response(data)
        if isinstance(result, ExecutionResult) and not self.background_futures:
            self.async_helpers = None  # type: ignore[assignment]
        return result
