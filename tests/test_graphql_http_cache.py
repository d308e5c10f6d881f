"""The HTTP response cache through real HTTP: a uvicorn server in a thread, the session's Neo4j, the real app.

Two servers on the same Neo4j: one as `serve` runs it (cache on) and one with CBSI_RESPONSE_CACHE=false, which
is plain Strawberry; a cached answer must be byte for byte what plain Strawberry says.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from neo4j import Driver
from pydantic import SecretStr
from starlette.applications import Starlette

from app.cached_graphql import CachedGraphQL
from app.neo4j_connection import Neo4jTarget
from app.server import CbsiGraphQL, create_app
from app.settings import Settings
from graph_seed import neo4j_writer
from graph_seed.records import load_dataset
from graph_seed.seed import seed
from tests.conftest import free_port
from tests.uvicorn_thread import uvicorn_on_a_thread

pytestmark = pytest.mark.neo4j
COOKBOOK = sorted((Path(__file__).resolve().parents[1] / "docs" / "queries").glob("*.graphql"))
PROGRAM = '{ program(id: "program:cfyr") { name description } }'


@dataclass
class Served:
    url: str
    app: Starlette
    contexts: list[Any]  # one per request that reached Strawberry

    @property
    def graphql(self) -> CbsiGraphQL:
        return self.app.state.graphql

    def post(self, content: bytes | str, content_type: str = "application/json") -> httpx.Response:
        return httpx.post(f"{self.url}/graphql", content=content, headers={"content-type": content_type}, timeout=30)

    def query(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return self.post(json.dumps({"query": query, "variables": variables or {}}))


@contextmanager
def serving(settings: Settings, target: Neo4jTarget) -> Iterator[Served]:
    app = create_app(settings, target)
    contexts: list[Any] = []
    graphql: CbsiGraphQL = app.state.graphql
    real_get_context = graphql.get_context

    async def counting_get_context(request: Any, response: Any) -> Any:
        context = await real_get_context(request, response)
        contexts.append(context)
        return context

    graphql.get_context = counting_get_context  # type: ignore[method-assign]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    with uvicorn_on_a_thread(server):
        deadline = time.monotonic() + 150
        while not graphql.warm.done:  # as `/ready` does: requests start once the cookbook is planned (app/warm_up.py)
            assert not server.should_exit and time.monotonic() < deadline, "the warm-up did not end"
            time.sleep(0.05)
        yield Served(f"http://127.0.0.1:{port}", app, contexts)


@pytest.fixture(scope="module")
def target(neo4j_auth: tuple[str, str, str]) -> Neo4jTarget:
    uri, user, password = neo4j_auth
    return Neo4jTarget(uri, user, SecretStr(password), "neo4j", managed=False)


# The network projection is read for each new version at once here (CBSI_NETWORK_SETTLE=0): every test re-seeds
# the graph, and these tests are about the response cache. `settling` runs it as `serve` does by default.
@pytest.fixture(scope="module")
def cached(target: Neo4jTarget) -> Iterator[Served]:
    with serving(Settings(_env_file=None, CBSI_NETWORK_SETTLE=0), target) as served:
        yield served


@pytest.fixture(scope="module")
def uncached(target: Neo4jTarget) -> Iterator[Served]:
    with serving(Settings(_env_file=None, CBSI_RESPONSE_CACHE=False, CBSI_NETWORK_SETTLE=0), target) as served:
        yield served


@pytest.fixture(scope="module")
def settling(target: Neo4jTarget) -> Iterator[Served]:
    with serving(Settings(_env_file=None), target) as served:
        yield served


@pytest.mark.parametrize("path", COOKBOOK, ids=lambda p: p.stem)
def test_a_hit_is_byte_for_byte_what_strawberry_answers(seeded_graph: Driver, cached: Served, uncached: Served,
                                                        path: Path) -> None:
    request = json.dumps({"query": path.read_text()})
    reached, hits, misses = len(cached.contexts), cached.graphql.responses.hits, cached.graphql.responses.misses
    miss = cached.post(request)
    hit = cached.post(request)
    plain = uncached.post(request)
    assert miss.status_code == hit.status_code == plain.status_code == 200
    assert "errors" not in miss.json(), miss.text
    assert hit.content == miss.content == plain.content
    for name in ("content-type", "content-length"):
        assert hit.headers[name] == miss.headers[name] == plain.headers[name]
    assert hit.headers["content-type"] == "application/json"
    assert len(cached.contexts) == reached + 1, "the hit never reached Strawberry"
    assert (cached.graphql.responses.hits, cached.graphql.responses.misses) == (hits + 1, misses + 1)


def test_same_request_in_other_spelling_hits(seeded_graph: Driver, cached: Served) -> None:
    query = "query Get($role: String, $n: Int) { governments(first: $n, where: {cbsiRole: {eq: $role}}) " \
            "{ edges { node { name } } } }"
    first = cached.post(json.dumps({"query": query, "variables": {"role": "partner", "n": 2},
                                    "operationName": "Get"}))
    reached = len(cached.contexts)
    again = cached.post(f' {{ "operationName":"Get", "variables" : {{"n":2, "role":"partner"}}, '
                        f'"query": {json.dumps(query)} }}')
    assert len(first.json()["data"]["governments"]["edges"]) == 2, first.text
    assert again.content == first.content and len(cached.contexts) == reached


def test_a_write_that_bumps_the_version_is_seen_at_once(seeded_graph: Driver, cached: Served) -> None:
    before = cached.query(PROGRAM)
    assert cached.query(PROGRAM).content == before.content
    misses = cached.graphql.responses.misses
    program = next(n for n in load_dataset().nodes if n.id == "program:cfyr")
    with seeded_graph.session() as session:
        neo4j_writer.write_records(session, [program.model_copy(update={"description": "rewritten"})], [])
    after = cached.query(PROGRAM)
    assert after.json()["data"]["program"]["description"] == "rewritten"
    assert cached.graphql.responses.misses == misses + 1
    with seeded_graph.session() as session:
        neo4j_writer.delete_all(session)
    gone = cached.query(PROGRAM).json()
    assert gone["data"] is None and "program:cfyr" in gone["errors"][0]["message"]


def test_a_seed_moves_the_version_and_the_cached_answer_with_it(seeded_graph: Driver, cached: Served) -> None:
    query = "{ network { graphVersion } }"
    before = cached.query(query)
    assert cached.query(query).content == before.content
    seed(seeded_graph, reset=True, progress=lambda _message: None)
    after = cached.query(query)
    assert after.json()["data"]["network"]["graphVersion"] > before.json()["data"]["network"]["graphVersion"]
    assert cached.query(query).content == after.content


def test_a_stale_network_answer_says_so_and_is_not_stored(seeded_graph: Driver, settling: Served) -> None:
    cached = settling
    query = "{ network { graphVersion currentGraphVersion stale centrality(top: 2) { graphId } } }"
    fresh = cached.query(query)
    assert fresh.json()["data"]["network"]["stale"] is False, fresh.text
    assert cached.query(query).content == fresh.content  # stored
    program = next(n for n in load_dataset().nodes if n.id == "program:cfyr")
    with seeded_graph.session() as session:  # the graph moves: its projection is read again only once still
        neo4j_writer.write_records(session, [program.model_copy(update={"description": "moved again"})], [])
    reached = len(cached.contexts)
    stale = cached.query(query)
    answer = stale.json()["data"]["network"]
    assert answer["stale"] is True and answer["graphVersion"] < answer["currentGraphVersion"], stale.text
    assert answer["graphVersion"] == fresh.json()["data"]["network"]["graphVersion"]
    assert stale.headers["cache-control"] == "no-store"
    assert cached.query(query).json() == stale.json()
    assert len(cached.contexts) == reached + 2, "a stale answer must not be served from the response cache"


def test_errors_are_never_cached(seeded_graph: Driver, cached: Served) -> None:
    query = '{ program(id: "program:nope") { name } }'
    reached = len(cached.contexts)
    first, second = cached.query(query), cached.query(query)
    assert first.json()["errors"] and first.content == second.content
    assert len(cached.contexts) == reached + 2
    assert all(key[0] != query for key in cached.graphql.responses.entries)


def test_other_requests_are_answered_by_strawberry_and_not_stored(seeded_graph: Driver, cached: Served) -> None:
    cached.graphql.responses.clear()
    get = httpx.get(f"{cached.url}/graphql", params={"query": PROGRAM}, timeout=30)
    post = cached.query(PROGRAM)
    assert get.status_code == 200 and get.json() == post.json()
    stored = dict(cached.graphql.responses.entries)
    assert len(stored) == 1, "only the POST was stored"

    page = httpx.get(f"{cached.url}/graphql", headers={"accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    batch = cached.post(json.dumps([{"query": PROGRAM}]))
    assert batch.status_code == 400 and "batches are not supported" in batch.json()["errors"][0]["message"]
    invalid = cached.post("{not json")
    assert invalid.status_code == 400 and "JSON" in invalid.text
    unsupported = cached.post(json.dumps({"query": PROGRAM}), content_type="text/plain")
    assert unsupported.status_code == 400
    assert dict(cached.graphql.responses.entries) == stored


def test_cache_off_sends_every_request_to_strawberry(seeded_graph: Driver, uncached: Served) -> None:
    assert uncached.graphql.responses is None
    assert CachedGraphQL not in {middleware.cls for middleware in uncached.app.user_middleware}
    reached = len(uncached.contexts)
    assert uncached.query(PROGRAM).content == uncached.query(PROGRAM).content
    assert len(uncached.contexts) == reached + 2
    assert all(context.graph_version is None for context in uncached.contexts[reached:])  # none handed over
