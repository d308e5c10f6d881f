"""Client errors that are shown as they are, and masking of everything else behind an error id.

Why: analysts need precise messages for their own mistakes (unknown id, bad cursor, page too large), and must
never see a stack trace, a Cypher text or a credential. Internal failures are logged with an id the client
can quote; a Neo4j outage gets its own clear, retryable message.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from strawberry.extensions import SchemaExtension

from resolvers.errors import (
    BadCursorError,
    BadFilterError,
    ClientError,
    LimitExceededError,
    NotFoundError,
    is_timeout,
)

__all__ = [
    "BadCursorError", "BadFilterError", "ClientError", "LimitExceededError", "LoggedSchema", "MaskInternalErrors",
    "NotFoundError",
]

logger = logging.getLogger("cbsi_graph.graphql")

UNAVAILABLE_MESSAGE = "The graph database is unavailable right now; the server keeps trying, retry shortly."


class MaskInternalErrors(SchemaExtension):
    """Keeps client and validation errors; replaces every other error's message with an id, logged in full."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._present(error) for error in result.errors]

    def _present(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            return error  # syntax and validation errors: already precise and safe
        if isinstance(original, ClientError):
            return self._copy(error, str(original), {"code": original.code, **getattr(original, "extensions", {})})
        if isinstance(original, ServiceUnavailable | SessionExpired):
            logger.warning("Neo4j unavailable at %s: %s", error.path, original)
            return self._copy(error, UNAVAILABLE_MESSAGE, {"code": "DATABASE_UNAVAILABLE"})
        if is_timeout(original):
            return self._copy(
                error,
                "The query took longer than the server's time limit; ask for less (smaller pages, fewer fields).",
                {"code": "TIMEOUT"},
            )
        error_id = uuid.uuid4().hex[:12]
        logger.error("internal error %s at %s", error_id, error.path, exc_info=original)
        return self._copy(error, f"Internal error; quote id {error_id} when reporting it.",
                          {"code": "INTERNAL", "errorId": error_id})

    @staticmethod
    def _copy(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
        return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                            path=error.path, original_error=None, extensions=extensions)


class LoggedSchema(strawberry.Schema):
    """Strawberry's schema, logging each error by kind instead of every one at ERROR with a traceback.

    A client's mistake (syntax, validation, unknown id, bad filter, a limit) is one INFO line; a time-out one
    WARNING line. Neo4j outages and internal errors are logged by `MaskInternalErrors` (a WARNING line; the
    traceback with the id the client was given), so only internal errors carry a traceback.
    """

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            original = error.original_error
            where = ".".join(str(step) for step in error.path) if error.path else "the document"
            message = " ".join(error.message.split())
            if original is None or isinstance(original, ClientError):
                code = original.code if isinstance(original, ClientError) else "INVALID_QUERY"
                logger.info("client error %s at %s: %s", code, where, message)
            elif is_timeout(original):
                logger.warning("query timed out at %s", where)
