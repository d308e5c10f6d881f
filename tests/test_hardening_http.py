"""Hostile and careless requests over real HTTP against `cbsi-graph serve` on the test Neo4j (issue 15).

Each test is a finding of the issue: before the fix, the request froze the event loop for seconds, was read
whole into memory, or answered HTTP 500 / `INTERNAL`. Timeouts given to httpx here are generous bounds that
guard against a frozen server (the fixed server answers in milliseconds; the old one took 10-20 s), not
benchmarks: the measured figures are in docs/benchmarks.md (bench/bench_hostile.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from neo4j import Driver

from graph_seed.seed import seed
from tests.graph_dump import dump
from tests.http_server import HttpServer, serve

pytestmark = [pytest.mark.e2e, pytest.mark.neo4j]

FREEZE_GUARD = 5.0  # seconds: far above the few ms these answers take, far below the old 10-20 s


def bomb(levels: int, leaf: str = "graphStats { nodes { label } }", on: str = "Query") -> str:
    """`levels` fragments, each spreading the previous one twice: 2^levels paths through a ~1 KB text."""
    fragments = [f"fragment F0 on {on} {{ {leaf} }}"]
    fragments += [f"fragment F{i} on {on} {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f"{{ ...F{levels - 1} }}\n" + "\n".join(fragments)


@pytest.fixture(scope="module")
def graph(neo4j_driver: Driver) -> Driver:
    seed(neo4j_driver, reset=True, progress=lambda _message: None)
    return neo4j_driver


@pytest.fixture(scope="module")
def server(graph: Driver, neo4j_auth: tuple[str, str, str],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    with serve(tmp_path_factory.mktemp("hardening"), neo4j_auth, {"CBSI_MAX_BODY_BYTES": "200000"}) as srv:
        yield srv


def code_of(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize("query", [
    bomb(20),
    bomb(30),
    bomb(20, leaf="__typename"),  # no cost at all: only the expansion gives it away
    bomb(20, leaf="a: __typename b: __typename"),  # aliases counted once per fragment, not once per path
    bomb(20, leaf="programs { edges { node { name } } }"),
], ids=["20-levels", "30-levels", "typename", "aliases", "paged"])
def test_fragment_bombs_are_refused_at_once(server: HttpServer, query: str) -> None:
    assert len(query) < 2_000
    health: list[float] = []

    def probe() -> None:
        response = httpx.get(f"{server.url}/health", timeout=FREEZE_GUARD)
        health.append(response.elapsed.total_seconds())

    prober = threading.Thread(target=probe)
    prober.start()
    body = server.graphql(query, timeout=FREEZE_GUARD)
    prober.join()
    assert body["data"] is None
    assert code_of(body) == "LIMIT_EXCEEDED", body
    assert "field selections once fragments are spread" in body["errors"][0]["message"]
    assert health and health[0] < FREEZE_GUARD


def test_deep_query_through_fragments_names_the_depth_limit(server: HttpServer) -> None:
    chain = "fragment D0 on Program { name }\n" + "\n".join(
        f"fragment D{i} on Program {{ participants {{ edges {{ node {{ ... on Program {{ ...D{i - 1} }} }} }} }} }}"
        for i in range(1, 8))
    body = server.graphql("{ programs { edges { node { ...D7 } } } }\n" + chain)
    assert code_of(body) == "LIMIT_EXCEEDED"
    assert "exceeds maximum operation depth of 15" in body["errors"][0]["message"]


def test_body_over_the_limit_is_413_json(server: HttpServer) -> None:
    response = server.raw(json.dumps({"query": "{ __typename }", "pad": "x" * 300_000}).encode())
    assert response.status_code == 413
    assert code_of(response.json()) == "LIMIT_EXCEEDED"
    assert "max_body_bytes = 200000" in response.json()["errors"][0]["message"]


def test_body_over_the_limit_without_length_is_413(server: HttpServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(100):
            yield b"x" * 10_000
        yield b'"}'

    response = httpx.post(f"{server.url}/graphql", content=chunks(), headers={"content-type": "application/json"},
                          timeout=30)
    assert response.status_code == 413
    assert code_of(response.json()) == "LIMIT_EXCEEDED"


def test_query_text_over_the_limit(server: HttpServer) -> None:
    response = server.post("{ __typename }" + " " * 30_000)
    assert response.status_code == 413
    assert "max_query_length = 20000" in response.json()["errors"][0]["message"]


def test_long_names_are_neither_echoed_nor_logged_whole(server: HttpServer) -> None:
    name = "q" * 15_000
    body = server.graphql(f"{{ {name} }}")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"].startswith("Cannot query field 'qqq")
    assert "characters cut]" in error["message"] and len(error["message"]) < 300
    assert all(len(line) < 2_000 for line in server.log_text().splitlines()), "a log line quotes the whole name"


@pytest.mark.parametrize(("body", "code", "words"), [
    (b'{"query": "{ __typename }", "x": "\xff\xfe"}', "BAD_REQUEST", "not valid UTF-8"),
    (b'{"query": "{ __typename }"', "BAD_REQUEST", "not valid JSON"),
    (b'{"query": "{ __typename }", "variables": ' + b"[" * 1000 + b"]" * 1000 + b"}", "LIMIT_EXCEEDED",
     "nested more than 32"),
    (b'{"query": "{ __typename }", "variables": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "LIMIT_EXCEEDED",
     "nested more than 32"),
], ids=["utf8", "json", "deep-json", "very-deep-json"])
def test_malformed_bodies_are_400_json(server: HttpServer, body: bytes, code: str, words: str) -> None:
    response = server.raw(body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert code_of(response.json()) == code
    assert words in response.json()["errors"][0]["message"]


PROGRAMS = "query($n: Int!, $w: ProgramWhere) { programs(first: $n, where: $w) { edges { node { name } } } }"


@pytest.mark.parametrize(("variables", "words"), [
    ({"n": "three"}, "Int cannot represent non-integer value"),
    ({}, "'Int!' to be provided"),
    ({"n": 2, "w": {"bogus": 1}}, "unknown field 'bogus'"),
    ({"n": 2, "w": {"name": {"eq": 5}}}, "String cannot represent a non string value"),
], ids=["wrong-type", "missing", "unknown-input-field", "nested-wrong-type"])
def test_variable_mistakes_are_bad_variables(server: HttpServer, variables: dict, words: str) -> None:
    body = server.graphql(PROGRAMS, variables)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_VARIABLES"}
    assert error["message"].startswith("Variable '$") and words in error["message"]
    assert "Internal error" not in server.log_text()


def test_unknown_fragment_is_a_validation_error(server: HttpServer) -> None:
    body = server.graphql("{ graphStats { ...Nope } }")
    assert body["errors"][0]["message"] == "Unknown fragment 'Nope'."
    assert code_of(body) == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(("text", "words"), [
    (" ".join(["word"] * 1_100), "characters; a search takes at most 256"),  # Lucene's too-many-clauses before
    (" ".join("abcdefghijklmnopqrstuvwxyz0123456789"), "36 words; a search takes at most 32"),
    ("a" * 50_000, "characters; a search takes at most 256"),
    ("a" * 200, "a word of 200 characters"),
], ids=["too-many-clauses", "many-words", "too-long", "long-word"])
def test_expensive_searches_are_refused(server: HttpServer, text: str, words: str) -> None:
    body = server.graphql("query($t: String!) { search(text: $t) { score } }", {"t": text}, timeout=FREEZE_GUARD)
    assert code_of(body) == "LIMIT_EXCEEDED", body
    assert words in body["errors"][0]["message"]


def test_client_mistakes_are_logged_on_one_warning_line(server: HttpServer) -> None:
    marker = "zzmarkerfield"
    server.graphql(f"{{ {marker} }}")
    lines = [line for line in server.log_text().splitlines() if marker in line]
    assert len(lines) == 1, lines
    assert "WARNING" in lines[0] and "GRAPHQL_VALIDATION_FAILED" in lines[0]
    assert "Traceback" not in server.log_text()


def test_a_small_query_still_answers_and_nothing_was_written(server: HttpServer, graph: Driver) -> None:
    before = dump(graph)
    server.graphql(bomb(25))
    body = server.graphql("{ graphStats { nodes { label count } } }")
    assert "errors" not in body and body["data"]["graphStats"]["nodes"]
    assert dump(graph) == before
