"""The HTTP response cache's pure parts: request keys, the bounded store, and the middleware with a fake app."""

from __future__ import annotations

import asyncio
import json

from starlette.types import Message, Receive, Scope, Send

from app.cached_graphql import CachedGraphQL, VersionSource, is_plain_json_post
from app.response_bytes import MAX_REQUEST_BYTES, ResponseBytes, StoredResponse, request_key

JSON_HEADERS = [(b"content-length", b"16"), (b"content-type", b"application/json")]
QUERY = "{ graphStats { nodes { count } } }"


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def stored(text: bytes = b'{"data":{"a":1}}') -> StoredResponse:
    return StoredResponse([(b"content-length", str(len(text)).encode()), (b"content-type", b"application/json")], text)


# request_key


def test_key_ignores_variable_order_spacing_and_missing_variables() -> None:
    a = request_key(b'{"query": "q", "variables": {"b": 2, "a": [1, {"y": 1, "x": 2}]}}')
    b = request_key(b'{"variables":{"a":[1,{"x":2,"y":1}],"b":2},"query":"q"}')
    assert a == b == ("q", '{"a":[1,{"x":2,"y":1}],"b":2}', None, "{}")
    assert request_key(body(query="q")) == request_key(body(query="q", variables=None)) \
        == request_key(body(query="q", variables={}))


def test_key_tells_apart_what_changes_the_answer() -> None:
    keys = {
        request_key(body(query="q")),
        request_key(body(query="q ")),
        request_key(body(query="q", variables={"n": 1})),
        request_key(body(query="q", variables={"n": 1.0})),
        request_key(body(query="q", operationName="A")),
        request_key(body(query="q", operationName="")),
        request_key(body(query="q", extensions={"x": 1})),
    }
    assert None not in keys and len(keys) == 7


def test_no_key_for_what_strawberry_should_answer_itself() -> None:
    for raw in (b"not json", b"\xff\xfe", b"[]", json.dumps([{"query": "q"}]).encode(), b'"q"',
                body(query=None), body(query=1), body(query="q", variables=[1]), body(query="q", operationName=3),
                body(query="q", extensions="x"), body(query="x" * MAX_REQUEST_BYTES)):
        assert request_key(raw) is None, raw


# ResponseBytes


def test_store_counts_hits_and_misses() -> None:
    cache = ResponseBytes()
    key = ("q", "{}", None, "{}")
    assert cache.get(1, key) is None
    assert cache.put(1, key, stored())
    assert cache.get(1, key) == stored()
    assert (cache.hits, cache.misses) == (1, 1)


def test_store_is_bounded_by_entries_least_recently_used_first() -> None:
    cache = ResponseBytes(max_entries=2)
    a, b, c = (("a", "{}", None, "{}"), ("b", "{}", None, "{}"), ("c", "{}", None, "{}"))
    cache.put(1, a, stored())
    cache.put(1, b, stored())
    assert cache.get(1, a) is not None  # a is now the most recently used
    cache.put(1, c, stored())
    assert list(cache.entries) == [a, c]


def test_store_is_bounded_by_bytes_and_counts_them_exactly() -> None:
    one = stored(b"x" * 1000)
    key_size = len("a") + len("{}") + len("{}")
    cache = ResponseBytes(max_bytes=2 * (one.size + key_size) + 10, max_entry_bytes=10_000)
    for name in "abc":
        assert cache.put(1, (name, "{}", None, "{}"), one)
    assert [k[0] for k in cache.entries] == ["b", "c"]
    assert cache.total_bytes == 2 * (one.size + key_size) <= cache.max_bytes
    assert not cache.put(1, ("big", "{}", None, "{}"), stored(b"x" * 20_000)), "larger than max_entry_bytes"
    cache.put(1, ("b", "{}", None, "{}"), stored(b"y"))  # replacing an entry gives its bytes back
    assert cache.total_bytes == one.size + stored(b"y").size + 2 * key_size


def test_a_newer_version_drops_older_entries_and_older_results_are_not_kept() -> None:
    cache = ResponseBytes()
    key = ("q", "{}", None, "{}")
    cache.put(1, key, stored(b"old"))
    assert cache.get(2, key) is None, "an entry is served only for its own version"
    cache.put(2, ("r", "{}", None, "{}"), stored())
    assert list(cache.entries) == [("r", "{}", None, "{}")] and cache.version == 2
    assert not cache.put(1, key, stored(b"late")), "a result computed on version 1 arrives after version 2"
    assert cache.get(1, key) is None and cache.get(2, key) is None


# CachedGraphQL with a fake inner app


class FakeStrawberry:
    """Records what reached it and answers with a fixed response."""

    def __init__(self, status: int = 200, answer: bytes = b'{"data":{"a":1}}',
                 extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.calls: list[bytes] = []
        self.status, self.answer, self.extra_headers = status, answer, extra_headers or []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        self.calls.append(message.get("body", b""))
        headers = [(b"content-length", str(len(self.answer)).encode()), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": self.status, "headers": headers + self.extra_headers})
        await send({"type": "http.response.body", "body": self.answer})


def http_scope(method: str = "POST", path: str = "/graphql", content_type: bytes = b"application/json",
               accept: bytes = b"*/*") -> Scope:
    return {"type": "http", "method": method, "path": path,
            "headers": [(b"content-type", content_type), (b"accept", accept)]}


def call(app: CachedGraphQL, scope: Scope, chunks: list[bytes]) -> list[Message]:
    sent: list[Message] = []
    incoming = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def versions(*values: int | None) -> VersionSource:
    remaining = list(values)

    async def version() -> int | None:
        return remaining.pop(0)

    return version


def test_second_request_is_served_without_the_inner_app_and_is_identical() -> None:
    inner = FakeStrawberry()
    app = CachedGraphQL(inner, ResponseBytes(), versions(7, 7))
    request = body(query=QUERY, variables={"a": 1, "b": 2})
    first = call(app, http_scope(), [request[:10], request[10:]])  # a body in two chunks
    second = call(app, http_scope(), [body(query=QUERY, variables={"b": 2, "a": 1})])
    assert inner.calls == [request], "the inner app got the whole body, replayed"
    assert first == second
    assert second[0] == {"type": "http.response.start", "status": 200, "headers": JSON_HEADERS}


def test_no_version_means_no_cache() -> None:
    inner = FakeStrawberry()
    app = CachedGraphQL(inner, ResponseBytes(), versions(None, None))
    call(app, http_scope(), [body(query=QUERY)])
    call(app, http_scope(), [body(query=QUERY)])
    assert len(inner.calls) == 2 and not app.responses.entries


def test_errors_other_statuses_and_personal_headers_are_not_stored() -> None:
    for inner in (FakeStrawberry(answer=b'{"data":null,"errors":[{"message":"x"}]}'),
                  FakeStrawberry(answer=b'{"data":{"a":1},"errors":[{"message":"partial"}]}'),
                  FakeStrawberry(status=400, answer=b'{"data":{"a":1}}'),
                  FakeStrawberry(extra_headers=[(b"set-cookie", b"a=b")]),
                  FakeStrawberry(answer=b"[]")):
        app = CachedGraphQL(inner, ResponseBytes(), versions(1, 1))
        call(app, http_scope(), [body(query=QUERY)])
        call(app, http_scope(), [body(query=QUERY)])
        assert len(inner.calls) == 2 and not app.responses.entries, inner.answer


def test_other_requests_pass_through_untouched() -> None:
    cases = [http_scope(method="GET"), http_scope(path="/other"), http_scope(content_type=b"multipart/form-data"),
             http_scope(content_type=b"text/plain"), http_scope(accept=b"text/event-stream"),
             http_scope(accept=b"multipart/mixed;subscriptionSpec=1.0, application/json")]
    for scope in cases:
        inner = FakeStrawberry()
        app = CachedGraphQL(inner, ResponseBytes(), versions())  # reading a version would fail: none left
        call(app, scope, [body(query=QUERY)])
        call(app, scope, [body(query=QUERY)])
        assert len(inner.calls) == 2, scope
    assert is_plain_json_post(http_scope(content_type=b"Application/JSON; charset=utf-8"), "/graphql")


def test_a_batch_is_replayed_to_strawberry_without_reading_the_version() -> None:
    inner = FakeStrawberry(answer=b'[{"data":{"a":1}}]')
    app = CachedGraphQL(inner, ResponseBytes(), versions())
    batch = json.dumps([{"query": QUERY}]).encode()
    call(app, http_scope(), [batch])
    assert inner.calls == [batch] and not app.responses.entries


def test_a_client_that_leaves_before_its_body_gets_nothing() -> None:
    inner = FakeStrawberry()
    app = CachedGraphQL(inner, ResponseBytes(), versions())
    assert call(app, http_scope(), []) == [] and inner.calls == []
