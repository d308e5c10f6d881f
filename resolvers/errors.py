"""Errors that describe a mistake in the request; the schema shows their message with `extensions.code`.

Why here and not in `schema/`: the where-compiler, cursors and loaders detect these mistakes, and they must
not import the schema layer. `schema.errors` re-exports them for resolvers written in the schema layer.
"""

from __future__ import annotations

from neo4j.exceptions import ClientError as Neo4jClientError


def is_timeout(error: BaseException) -> bool:
    """Neo4j ended the transaction at its time limit."""
    return isinstance(error, Neo4jClientError) and "TransactionTimedOut" in (error.code or "")


class ClientError(Exception):
    """A mistake in the request; its message is shown to the client with `code` in the error's extensions."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class NotFoundError(ClientError):
    code = "NOT_FOUND"

    def __init__(self, message: str, code: str | None = None, suggestions: list[str] | None = None,
                 expected: str | None = None) -> None:
        super().__init__(message, code)
        self.extensions: dict[str, object] = {}
        if suggestions is not None:
            self.extensions["suggestions"] = suggestions
        if expected is not None:
            self.extensions["expectedIdFormat"] = expected


class LimitExceededError(ClientError):
    code = "LIMIT_EXCEEDED"


class BadFilterError(ClientError):
    code = "BAD_FILTER"


class BadCursorError(ClientError):
    code = "BAD_CURSOR"


class StillComputingError(ClientError):
    """A long computation shared by all requests (a network measure on a large graph) has not finished yet; it
    goes on without the request, so asking again later gets the result."""

    code = "COMPUTING"


class BusyError(ClientError):
    """As many long computations as the server allows are running; this one was not started."""

    code = "BUSY"


class ProjectionTimeoutError(ClientError):
    """Reading the whole graph for the network measures took longer than its own time limit."""

    code = "TIMEOUT"
