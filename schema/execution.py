"""The executor every request runs on: Strawberry's, minus the reference cycle graphql-core leaves behind, and with
plain subtrees completed in one walk.

Why: graphql-core's executor keeps its own bound methods in `async_helpers` (for the resolvers' `info`), so
each request's executor was a reference cycle holding the operation's AST, its collected fields and its state
until the cyclic garbage collector came by; under load those collections stopped the event loop for 58-113 ms
(issue #14, session 12; `schema.document_limits.unlink_tokens` removes the other cycle, the document's tokens).
A value whose whole selection is plain data (`schema/plain_completion.py`) is completed by one shaper instead of
field by field (issue #14, session 13). Both the compiled executor (`schema/compiled.py`) and the plain one
(`CBSI_COMPILED_QUERIES=false`) build on it.
"""

from __future__ import annotations

from typing import Any

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.plain_completion import PlainShapers, Shaper

NOT_WALKED = object()


class AcyclicExecution(StrawberryGraphQLCoreExecutionContext):
    """Lets go of its resolver helpers once a plain response is built and nothing runs on: the `info` objects
    already made keep their own reference; `@defer`/`@stream` results (not an `ExecutionResult`) keep them."""

    plain_shapers: PlainShapers | None = None
    plain_completions = 0  # values completed by a shaper (tests read it)

    def build_response(self, data: dict[str, Any] | None) -> Any:
        result = super().build_response(data)
        if isinstance(result, ExecutionResult) and not self.background_futures:
            self.async_helpers = None  # type: ignore[assignment]
        return result

    def _plain_shaper(self, return_type: Any, field_details_list: Any) -> Shaper | None:
        """The one-walk completion of this selection, or None (a schema extension wraps the resolvers, or the
        selection is not plain)."""
        shapers = self.plain_shapers
        if shapers is None:
            middleware = self.middleware_manager
            if middleware is not None and middleware.middlewares:
                return None
            shapers = self.plain_shapers = PlainShapers()
        return shapers.get(return_type, field_details_list, self.collect_subfields)

    def _walk(self, return_type: Any, field_details_list: Any, result: Any) -> Any:
        """The value completed by its shaper, or `NOT_WALKED`: not plain, or in any doubt (a null where none may
        be, a value that does not coerce...), which the ordinary completion then answers, errors included."""
        shape = self._plain_shaper(return_type, field_details_list)
        if shape is None:
            return NOT_WALKED
        try:
            completed = shape(result)
        except Exception:  # noqa: BLE001 - see the docstring
            return NOT_WALKED
        AcyclicExecution.plain_completions += 1
        return completed

    def complete_object_value(self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any,
                              position_context: Any) -> Any:
        completed = self._walk(return_type, field_details_list, result)
        if completed is not NOT_WALKED:
            return completed
        return super().complete_object_value(return_type, field_details_list, info, path, result,
                                             position_context)

    def complete_list_value(self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any,
                            position_context: Any) -> Any:
        completed = self._walk(return_type, field_details_list, result)
        if completed is not NOT_WALKED:
            return completed
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)
