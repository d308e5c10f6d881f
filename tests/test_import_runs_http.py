"""`imports` and `importsUnfinished` over real HTTP, after a real `cbsi-graph import` (issue 15): the admin role
sees the runs (newest first, bounded by `first`), a reader is refused, and the answers move with the graph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from neo4j import Driver

from graph_seed.importers import bookkeeping
from graph_seed.importers.common import file_sha256, source_id
from graph_seed.seed import seed
from tests.http_server import HttpServer, serve
from tests.import_helpers import SAMPLES
from tests.test_access_http import created

pytestmark = [pytest.mark.e2e, pytest.mark.neo4j]
SAMPLE = SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"
RUNS = "{ imports(first: 5) { file source status started finished rows } importsUnfinished }"


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | Path]:
    path = tmp_path_factory.mktemp("tokens") / "tokens.json"
    return {"path": path, "reader": created(path, "alice", "--role", "reader"),
            "admin": created(path, "root", "--role", "admin")}


@pytest.fixture(scope="module")
def server(neo4j_driver: Driver, neo4j_auth: tuple[str, str, str], tokens: dict,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    seed(neo4j_driver, reset=True, progress=lambda _message: None)
    with serve(tmp_path_factory.mktemp("runs"), neo4j_auth, {"CBSI_TOKENS_FILE": str(tokens["path"])}) as srv:
        yield srv


def ask(server: HttpServer, token: str, query: str = RUNS) -> dict:
    response = httpx.post(f"{server.url}/graphql", json={"query": query},
                          headers={"authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_import_is_listed_for_the_admin_role_only(server: HttpServer, tokens: dict) -> None:
    assert ask(server, tokens["admin"]) == {"data": {"imports": [], "importsUnfinished": False}}
    imported = server.cli("import", "fa-csv", str(SAMPLE))
    assert imported.returncode == 0, imported.stderr
    rows_read = int(re.search(r"(\d+) rows read", imported.stdout).group(1))  # type: ignore[union-attr]

    answer = ask(server, tokens["admin"])  # the same request as before: the finished run moved the version
    assert "errors" not in answer, answer
    (run,) = answer["data"]["imports"]
    assert run["file"] == SAMPLE.name and run["source"] == source_id(file_sha256(SAMPLE))
    assert run["status"] == "COMPLETE" and run["rows"] == rows_read == 100
    assert run["started"] and run["finished"] and run["started"] <= run["finished"]
    assert answer["data"]["importsUnfinished"] is False

    for query in (RUNS, "{ importsUnfinished }", "{ ...F } fragment F on Query { imports { file } }"):
        refused = ask(server, tokens["reader"], query)
        assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused


def test_an_unfinished_import_shows_until_it_is_gone(server: HttpServer, tokens: dict, neo4j_driver: Driver) -> None:
    sid = "src:file:00000000feedbeef"
    with neo4j_driver.session() as session:
        assert bookkeeping.begin(session, sid, {"name": "half.csv"}, owner="elsewhere",
                                 started_at="2999-01-01T00:00:00+00:00")  # the newest run
    try:
        answer = ask(server, tokens["admin"])
        assert answer["data"]["importsUnfinished"] is True
        newest = answer["data"]["imports"][0]
        assert newest == {"file": "half.csv", "source": sid, "status": "IMPORTING",
                          "started": "2999-01-01T00:00:00+00:00", "finished": None, "rows": 0}
    finally:
        with neo4j_driver.session() as session:
            bookkeeping.compensate(session, sid)
    assert ask(server, tokens["admin"])["data"]["importsUnfinished"] is False


def test_first_is_bounded(server: HttpServer, tokens: dict) -> None:
    answer = ask(server, tokens["admin"], "{ imports(first: 1000) { file } }")
    assert answer["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED", answer
