"""Access control over real HTTP (issue 15): bearer tokens with roles, per-token rate limits, the Host-header
allow-list, CORS off by default, and `serve` refusing a public address without tokens."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from neo4j import Driver

from graph_seed.seed import seed
from tests.http_server import CLI, HttpServer, serve

pytestmark = [pytest.mark.e2e, pytest.mark.neo4j]

STATS = "{ graphStats { nodes { label count } } }"
NETWORK = "{ network { __typename } }"


def token_cli(tokens: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"CBSI_TOKENS_FILE": str(tokens), "PATH": "/usr/bin:/bin"}
    return subprocess.run([*CLI, "token", *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def created(tokens: Path, *args: str) -> str:
    result = token_cli(tokens, "create", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | Path]:
    path = tmp_path_factory.mktemp("tokens") / "tokens.json"
    return {"path": path, "reader": created(path, "alice", "--role", "reader"),
            "admin": created(path, "root", "--role", "admin"),
            "slow": created(path, "slow", "--rate-limit", "3")}


@pytest.fixture(scope="module")
def server(neo4j_driver: Driver, neo4j_auth: tuple[str, str, str], tokens: dict,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    seed(neo4j_driver, reset=True, progress=lambda _message: None)
    env = {"CBSI_TOKENS_FILE": str(tokens["path"])}
    with serve(tmp_path_factory.mktemp("access"), neo4j_auth, env) as srv:
        yield srv


def post(server: HttpServer, query: str, token: str | None = None, **headers: str) -> httpx.Response:
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.post(f"{server.url}/graphql", json={"query": query}, headers=headers, timeout=30)


def test_tokens_are_stored_hashed_and_listed_without_secrets(tokens: dict) -> None:
    text = Path(tokens["path"]).read_text()
    assert tokens["reader"] not in text and tokens["admin"] not in text
    assert oct(Path(tokens["path"]).stat().st_mode & 0o777) == "0o600"
    listing = token_cli(tokens["path"], "list")
    assert "alice" in listing.stdout and "reader" in listing.stdout and "root" in listing.stdout
    assert tokens["reader"] not in listing.stdout


def test_no_token_or_a_wrong_one_is_401(server: HttpServer, tokens: dict) -> None:
    for token in (None, "cbsi_not-a-token"):
        response = post(server, STATS, token)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(f"{server.url}/health").status_code == 200  # probes stay open
    assert tokens["reader"] not in server.log_text()


def test_reader_reads_but_not_the_network_fields(server: HttpServer, tokens: dict) -> None:
    ok = post(server, STATS, tokens["reader"])
    assert ok.status_code == 200 and "errors" not in ok.json()
    for query in (NETWORK, "query { ...N } fragment N on Query { network { __typename } }"):
        body = post(server, query, tokens["reader"]).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body


def test_admin_may_use_the_network_fields_and_the_cache_keeps_roles_apart(server: HttpServer, tokens: dict) -> None:
    admin = post(server, NETWORK, tokens["admin"]).json()
    assert admin == {"data": {"network": {"__typename": "NetworkAnalysis"}}}
    again = post(server, NETWORK, tokens["reader"]).json()  # the same body: must not come from the cache
    assert again["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_revoked_token_stops_working_without_a_restart(server: HttpServer, tokens: dict) -> None:
    path = Path(tokens["path"])
    temporary = created(path, "temp")
    assert post(server, STATS, temporary).status_code == 200
    assert token_cli(path, "revoke", "temp").returncode == 0
    assert post(server, STATS, temporary).status_code == 401


def test_each_token_has_its_rate_limit(server: HttpServer, tokens: dict) -> None:
    statuses = [post(server, STATS, tokens["slow"]).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429, statuses
    limited = post(server, STATS, tokens["slow"])
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1
    assert post(server, STATS, tokens["reader"]).status_code == 200  # other tokens are not affected


def test_unknown_host_header_is_refused(server: HttpServer, tokens: dict) -> None:
    response = post(server, STATS, tokens["reader"], host="evil.example")
    assert response.status_code == 400
    assert post(server, STATS, tokens["reader"], host="localhost").status_code == 200


def test_cors_is_off_by_default(server: HttpServer, tokens: dict) -> None:
    response = post(server, STATS, tokens["reader"], origin="https://elsewhere.example")
    assert "access-control-allow-origin" not in response.headers
    preflight = httpx.options(f"{server.url}/graphql", headers={
        "origin": "https://elsewhere.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_serve_refuses_a_public_address_without_tokens(tmp_path: Path) -> None:
    env = {"CBSI_HOST": "0.0.0.0", "CBSI_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",  # noqa: S104
           "NEO4J_URI": "bolt://127.0.0.1:1"}
    result = subprocess.run([*CLI, "serve"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "refusing to serve on 0.0.0.0" in result.stderr and "--insecure" in result.stderr
