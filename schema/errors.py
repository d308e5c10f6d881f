"""Client errors that are shown as they are, and masking of everything else behind an error id.

Why: analysts need precise messages for their own mistakes (unknown id, bad cursor, page too large), and must
never see a stack trace, a Cypher text or a credential. Internal failures are logged with an id the client
can quote; a Neo4j outage gets its own clear, retryable message, and so does a transient Neo4j failure
(`TRANSIENT`: a deadlock, a full memory pool, an operator's `TERMINATE TRANSACTION`) - the server's fault or
nobody's, never INTERNAL.

Every error shown has a code: the client's own (`BAD_REQUEST`, `BAD_VARIABLES`, `LIMIT_EXCEEDED`, ...), the
parser's (`GRAPHQL_PARSE_FAILED`) or validation's (`GRAPHQL_VALIDATION_FAILED`). A variable of the wrong type or
a missing required variable is the client's mistake, not an internal error. Messages quote the request's own
text (a field name, a value), so any long run of characters in them is cut with a marker, in the answer and
in the log: a 10 MB field name is neither echoed nor logged whole. Client errors are logged at WARNING on one
line each; internal ones at ERROR with their traceback and id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.errors import (
    BadCursorError,
    BadFilterError,
    ClientError,
    LimitExceededError,
    NotFoundError,
    is_timeout,
)

__all__ = [
    "BadCursorError", "BadFilterError", "ClientError", "LimitExceededError", "MaskInternalErrors",
    "NotFoundError",
]

logger = logging.getLogger("cbsi_graph.graphql")

UNAVAILABLE_MESSAGE = "The graph database is unavailable right now; the server keeps trying, retry shortly."
TIMEOUT_MESSAGE = "The query took longer than the server's time limit; ask for less (smaller pages, fewer fields)."
TRANSIENT_MESSAGE = ("The graph database could not finish this query just now (a passing condition such as a conflict "
                     "with concurrent writes or memory in use by other queries); retry it shortly.")
# Neo4j's own transient errors, and two it classifies as client errors that are not the client's: a transaction ended
# by an operator (`TERMINATE TRANSACTION`) or by the database shutting down while it waited.
TRANSIENT_CODES = frozenset({"Neo.ClientError.Transaction.Terminated", "Neo.ClientError.Transaction.LockClientStopped"})
MAX_RUN = 100  # characters of one word (a name, a value) quoted in a message
MAX_MESSAGE = 1_000
MAX_LOGGED_ERRORS = 5  # per request; the rest are counted
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")


def truncate(text: str) -> str:
    """`text` with every run of more than MAX_RUN non-space characters, and the whole, cut with a marker."""
    text = _LONG_RUN.sub(lambda m: f"{m[0][:MAX_RUN - 20]}...[{len(m[0]) - (MAX_RUN - 20)} characters cut]", text)
    if len(text) > MAX_MESSAGE:
        text = f"{text[:MAX_MESSAGE - 40]}...[{len(text) - (MAX_MESSAGE - 40)} characters cut]"
    return text


def classify(error: GraphQLError) -> tuple[str, dict[str, Any]] | None:
    """The message and extensions to show for a client-facing error; None for an internal one."""
    original = error.original_error
    extensions = dict(error.extensions or {})
    if original is None or isinstance(original, GraphQLError):
        if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
            aborted = error.message.endswith("Parsing aborted.") or "nested too deeply" in error.message
            extensions.setdefault("code", "LIMIT_EXCEEDED" if aborted else "GRAPHQL_PARSE_FAILED")
        elif original is not None or (error.message.startswith("Variable '$") and (
                "has invalid value" in error.message or "was not provided" in error.message)):
            extensions.setdefault("code", "BAD_VARIABLES")  # graphql-core's coercion of the variables
        else:
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
        return truncate(error.message), extensions
    if isinstance(original, ClientError):
        return truncate(str(original)), {"code": original.code, **getattr(original, "extensions", {})}
    if isinstance(original, ServiceUnavailable | SessionExpired):
        return UNAVAILABLE_MESSAGE, {"code": "DATABASE_UNAVAILABLE"}
    if is_timeout(original):
        return TIMEOUT_MESSAGE, {"code": "TIMEOUT"}
    if isinstance(original, Neo4jError) and (original.is_retryable() or original.code in TRANSIENT_CODES):
        return TRANSIENT_MESSAGE, {"code": "TRANSIENT"}  # e.g. failed after a streamed read handed rows on
    if isinstance(original, Neo4jError) and any(m in str(original) for m in ("TooManyClauses", "maxClauseCount")):
        return "The search asks Lucene for too many terms; search for fewer words.", {"code": "LIMIT_EXCEEDED"}
    if isinstance(original, RecursionError):
        return "The document or its variables are nested too deeply.", {"code": "LIMIT_EXCEEDED"}
    return None


def _one_line(text: str) -> str:
    return truncate(text).replace("\n", " ")


def log_client_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
    """One WARNING line per client error (at most MAX_LOGGED_ERRORS per request), truncated; no traceback."""
    shown = 0
    for error in errors:
        presented = classify(error)
        if presented is None:
            continue  # internal: `MaskInternalErrors` logs it with its id and traceback
        if shown == MAX_LOGGED_ERRORS:
            logger.warning("graphql: %d more client errors in the same request", len(errors) - shown)
            return
        shown += 1
        message, extensions = presented
        logger.warning("graphql %s at %s: %s", extensions.get("code"), error.path or "document", _one_line(message))


class MaskInternalErrors(SchemaExtension):
    """Keeps client and validation errors (with a code); replaces every other error's message with a logged id."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._present(error) for error in result.errors]

    def _present(self, error: GraphQLError) -> GraphQLError:
        presented = classify(error)
        if presented is not None:
            message, extensions = presented
            if extensions.get("code") == "DATABASE_UNAVAILABLE":
                logger.warning("Neo4j unavailable at %s: %s", error.path, _one_line(str(error.original_error)))
            elif extensions.get("code") == "TRANSIENT":  # which of Neo4j's transient errors, for the operator
                logger.warning("Neo4j transient failure at %s: %s", error.path, _one_line(str(error.original_error)))
            return self._copy(error, message, extensions)
        error_id = uuid.uuid4().hex[:12]
        logger.error("internal error %s at %s", error_id, error.path, exc_info=error.original_error)
        return self._copy(error, f"Internal error; quote id {error_id} when reporting it.",
                          {"code": "INTERNAL", "errorId": error_id})

    @staticmethod
    def _copy(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
        return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                            path=error.path, original_error=None, extensions=extensions)
