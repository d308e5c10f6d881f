"""A pure ASGI middleware that checks a GraphQL request's envelope before anything else reads it.

Why at the ASGI level, in front of the response cache and Strawberry: a 100 MB body was read whole (RSS +300
MiB), invalid UTF-8 and JSON nested 1,000 deep reached `json.loads` in two places and ended as plain-text
HTTP 500s. Here, for `/graphql` only:

- a body over `max_body_bytes` is refused with 413 as soon as its `Content-Length` (or the bytes received so
  far) says so; the rest is never read;
- a JSON body must be UTF-8 and one JSON object, nested at most `max_json_depth` deep, with a `query` string of
  at most `max_query_length` characters and `variables` an object or null; otherwise 400 (413 for the length);
- a GET's `query` parameter has the same length limit.

Every refusal is a JSON GraphQL error (`{"errors": [{"message", "extensions": {"code"}}]}`, codes
`BAD_REQUEST` and `LIMIT_EXCEEDED`), logged on one WARNING line that never quotes the body. Anything else
passes through with its body replayed unchanged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.cached_graphql import replay

logger = logging.getLogger("cbsi_graph.guard")


@dataclass(frozen=True)
class EnvelopeLimits:
    max_body_bytes: int = 1_000_000
    max_json_depth: int = 32
    max_query_length: int = 20_000


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str, **extensions: Any) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}).encode()


def json_depth(value: Any, limit: int) -> int:
    """How deep `value` nests (a scalar is 0), counting no further than `limit + 1`; no recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            stack.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_json_body(body: bytes, limits: EnvelopeLimits) -> None:
    """Raise `Refusal` unless the body is UTF-8 JSON within the depth and query-length limits."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(400, "BAD_REQUEST", f"The request body is not valid UTF-8 (byte {exc.start}).") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise Refusal(400, "LIMIT_EXCEEDED", f"The request's JSON is nested more than {limits.max_json_depth} "
                      "levels deep (max_json_depth).") from None
    except ValueError as exc:  # JSONDecodeError: its message gives a position, never the text
        raise Refusal(400, "BAD_REQUEST", f"The request body is not valid JSON: {exc}.") from None
    depth = json_depth(data, limits.max_json_depth)
    if depth > limits.max_json_depth:
        raise Refusal(400, "LIMIT_EXCEEDED", f"The request's JSON is nested more than {limits.max_json_depth} "
                      "levels deep (max_json_depth); send flatter variables.")
    if not isinstance(data, dict):
        raise Refusal(400, "BAD_REQUEST", "The request body must be one JSON object with a `query` (batches are "
                      "not supported).")
    query, variables, operation = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str):
        raise Refusal(400, "BAD_REQUEST", "The request has no `query` string.")
    if not isinstance(variables, dict | None):
        raise Refusal(400, "BAD_VARIABLES", "`variables` must be a JSON object (or null).")
    if not isinstance(operation, str | None):
        raise Refusal(400, "BAD_REQUEST", "`operationName` must be a string (or null).")
    check_query_length(query, limits)


def check_query_length(query: Any, limits: EnvelopeLimits) -> None:
    if isinstance(query, str) and len(query) > limits.max_query_length:
        raise Refusal(413, "LIMIT_EXCEEDED", f"The query text has {len(query)} characters; the limit is "
                      f"max_query_length = {limits.max_query_length}.")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestGuard:
    """Checks the size, encoding and shape of requests to `path` before the next app sees them."""

    def __init__(self, app: ASGIApp, limits: EnvelopeLimits, path: str = "/graphql") -> None:
        self.app = app
        self.limits = limits
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        try:
            if scope["method"] == "GET":
                query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("query", [None])[0]
                check_query_length(query, self.limits)
                await self.app(scope, receive, send)
                return
            if scope["method"] != "POST":
                await self.app(scope, receive, send)
                return
            body = await self.read_body(scope, receive)
            if body is None:
                return  # the client went away
            content_type = (_header(scope, b"content-type") or b"").split(b";", 1)[0].strip().lower()
            if content_type == b"application/json" or content_type.endswith(b"+json"):
                check_json_body(body, self.limits)
        except Refusal as refusal:
            await self.refuse(scope, send, refusal)
            return
        await self.app(scope, replay(body, receive), send)

    async def read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        limit = self.limits.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise Refusal(413, "LIMIT_EXCEEDED", f"The request body has {int(declared)} bytes; the limit is "
                          f"max_body_bytes = {limit}.")
        chunks: list[bytes] = []
        size = 0
        while True:
            message: Message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refusal(413, "LIMIT_EXCEEDED", f"The request body has more than {limit} bytes "
                              f"(max_body_bytes = {limit}).")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def refuse(self, scope: Scope, send: Send, refusal: Refusal) -> None:
        client = scope.get("client") or ("?", 0)
        logger.warning("refused %s %s from %s: %d %s: %s", scope["method"], scope["path"], client[0],
                       refusal.status, refusal.code, refusal.message)
        body = error_body(refusal.code, refusal.message)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if refusal.status == 413:
            headers.append((b"connection", b"close"))  # the unread rest of the body is not worth reading
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
