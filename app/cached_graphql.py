"""An ASGI middleware that answers a repeated GraphQL POST with stored bytes, before Strawberry sees it.

Why at the ASGI level: on a cache hit, the work that remained inside Strawberry (a Starlette `Request`, the
view, a context with its Cypher runner, the parser and validation caches, every extension hook, and encoding
the result as JSON again) cost more than the answer itself. Here a hit is: read the body, read the graph
version, one dictionary look-up, two `send` calls.

Freshness: the graph version is read for every request through the app's `GraphVersion` (shared reads; a
read only answers requests that arrived before it started), and a response is only served for the version it
was computed on. The version read for a miss is handed to Strawberry's context (`hand_over` / `handed_over`),
so the request's resolvers do not read it again. When the version cannot be read (Neo4j down), the request goes to
Strawberry, which reports the outage. Only status-200 JSON answers without `errors` are stored, exactly as
Strawberry sent them, so a hit is byte for byte the response a miss gave.

Anything that is not a POST of a JSON body to the GraphQL path (GET, GraphiQL, multipart, streaming accepts)
passes through untouched; a POST whose body is not a single plain request (a batch, invalid JSON) is replayed
to Strawberry unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.response_bytes import Headers, ResponseBytes, StoredResponse, request_key

VersionSource = Callable[[], Awaitable[int | None]]
ROLE_STATE = "cbsi_role"  # set by `app/access.py`
_VERSION_STATE = "cbsi_graph_version"  # key in the ASGI scope's `state`: the version this request read
STORABLE_HEADERS = frozenset({b"content-length", b"content-type"})
STREAMING_ACCEPTS = (b"text/event-stream", b"multipart/mixed")


def hand_over(scope: Scope, version: int) -> None:
    """Leave the version this request was checked against for the request's GraphQL context."""
    scope.setdefault("state", {})[_VERSION_STATE] = version


def handed_over(scope: Scope) -> int | None:
    """The version `hand_over` left for this request (None: not read yet, e.g. the cache is off)."""
    version = scope.get("state", {}).get(_VERSION_STATE)
    return version if isinstance(version, int) else None


def is_plain_json_post(scope: Scope, path: str) -> bool:
    """A POST to `path` with a JSON body that does not ask for a streamed answer."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != path:
        return False
    json_body = False
    for name, value in scope["headers"]:
        if name == b"content-type":
            json_body = value.split(b";", 1)[0].strip().lower() == b"application/json"
        elif name == b"accept" and any(kind in value.lower() for kind in STREAMING_ACCEPTS):
            return False
    return json_body


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client went away first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the next app, then defers to the real one."""
    pending = True

    async def receive_again() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


class ResponseRecorder:
    """Pass every message through to the client, and keep a copy in case the response is worth storing."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 0
        self.headers: Headers = []
        self.chunks: list[bytes] = []
        self.complete = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            self.complete = not message.get("more_body", False)
        await self._send(message)

    def storable(self) -> StoredResponse | None:
        """The response, if it is a complete status-200 JSON answer with data and no errors."""
        if self.status != 200 or not self.complete:
            return None
        names = {name.lower() for name, _ in self.headers}
        content_types = [value for name, value in self.headers if name.lower() == b"content-type"]
        if not names <= STORABLE_HEADERS or content_types != [b"application/json"]:
            return None  # e.g. a cookie or a custom header: not the same for everyone
        body = b"".join(self.chunks)
        try:
            answer = json.loads(body)
        except ValueError:
            return None
        if not isinstance(answer, dict) or "data" not in answer or "errors" in answer:
            return None
        return StoredResponse(self.headers, body)


class CachedGraphQL:
    """Serve `POST path` from `responses` when the same request was answered on the current graph version."""

    def __init__(self, app: ASGIApp, responses: ResponseBytes, version: VersionSource, path: str = "/graphql") -> None:
        self.app = app
        self.responses = responses
        self.version = version
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_plain_json_post(scope, self.path):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return  # the client disconnected: nobody to answer
        key = request_key(body)
        role = scope.get("state", {}).get(ROLE_STATE)
        if key is not None and role is not None:  # roles see different answers (`schema/access.py`): apart
            key = (f"{role}\n{key[0]}", *key[1:])
        version = await self.version() if key is not None else None
        if key is None or version is None:
            await self.app(scope, replay(body, receive), send)
            return
        stored = self.responses.get(version, key)
        if stored is not None:
            await send({"type": "http.response.start", "status": 200, "headers": stored.headers})
            await send({"type": "http.response.body", "body": stored.body})
            return
        recorder = ResponseRecorder(send)
        hand_over(scope, version)  # the request's read, for its resolvers
        await self.app(scope, replay(body, receive), recorder.send)
        response = recorder.storable()
        if response is not None:
            self.responses.put(version, key, response)
