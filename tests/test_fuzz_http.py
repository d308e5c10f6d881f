"""Fuzzing the running server with generated GraphQL (hypothesis + hypothesis-graphql) over real HTTP.

Valid and invalid operations generated from the schema, texts with a few characters broken, odd variables and
raw bodies: no answer may be an HTTP 5xx or an `INTERNAL` error, each comes within a generous time budget (a
guard against a request that freezes the server, not a benchmark: the server's own query timeout is 10 s), and
the graph is the same afterwards. About 1,000 examples here, derandomised so a failure reproduces;
`bench/fuzz_graphql.py` runs a larger random campaign and reports operations per second.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from neo4j import Driver

from graph_seed.seed import seed
from tests.fuzz_strategies import Request, check_response, requests
from tests.graph_dump import dump
from tests.http_server import HttpServer, serve

pytestmark = [pytest.mark.e2e, pytest.mark.neo4j]

RESPONSE_BUDGET = 20.0  # seconds: twice the query timeout; only a frozen or runaway request takes longer
EXAMPLES = 1_000


@pytest.fixture(scope="module")
def graph(neo4j_driver: Driver) -> Iterator[Driver]:
    seed(neo4j_driver, reset=True, progress=lambda _message: None)
    yield neo4j_driver


@pytest.fixture(scope="module")
def server(graph: Driver, neo4j_auth: tuple[str, str, str],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    with serve(tmp_path_factory.mktemp("fuzz"), neo4j_auth) as srv:
        yield srv


def test_generated_requests_get_client_answers_and_change_nothing(server: HttpServer, graph: Driver) -> None:
    before = dump(graph)
    url = f"{server.url}/graphql"
    kinds: dict[str, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(request=requests())
    def one(request: Request) -> None:
        kinds[request.kind] = kinds.get(request.kind, 0) + 1
        response = request.send(url, timeout=RESPONSE_BUDGET)  # httpx raises ReadTimeout past the budget
        check_response(request, response)

    one()
    assert server.process.poll() is None, "the server must survive the fuzzing"
    assert set(kinds) == {"valid", "invalid", "mangled", "variables", "raw"}, kinds
    assert dump(graph) == before, "a generated request changed the graph"
