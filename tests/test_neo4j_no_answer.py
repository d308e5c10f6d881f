"""A Neo4j that takes a query and never answers: the server bounds the wait itself and says so.

The Neo4j the project starts sends no receive-timeout hint (so the driver adds no timer per socket read), and a
remote one may not either; without the server's own bound a request would wait forever. Here `cbsi-graph serve`
talks to the session's Neo4j through a relay that can stop passing bytes (`tests/freezing_proxy.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
from neo4j import Driver

from tests.freezing_proxy import FreezingProxy
from tests.http_server import serve

QUERY = '{ government(id: "gov:JM") { name } }'


def _wait(check: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_neo4j_that_stops_answering_fails_the_request_and_recovers(
        seeded_graph: Driver, neo4j_auth: tuple[str, str, str], tmp_path: Path) -> None:
    uri, user, password = neo4j_auth
    host, port = uri.rsplit("//", 1)[1].rsplit(":", 1)
    with FreezingProxy((host, int(port))) as proxy, \
            serve(tmp_path, (f"bolt://127.0.0.1:{proxy.port}", user, password),
                  {"CBSI_QUERY_TIMEOUT": "1", "CBSI_WARM_UP": "false", "CBSI_RESPONSE_CACHE": "false"}) as server:
        assert server.graphql(QUERY)["data"]["government"]["name"] == "Jamaica"

        proxy.frozen.set()
        # the query timeout (1 s) plus the answer grace (5 s); without the server's bound this read would wait
        # for ever, and httpx gives up at 30 s
        body = server.graphql(QUERY, timeout=30)
        assert body["data"] is None or body["data"]["government"] is None, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["DATABASE_UNAVAILABLE"], body
        ready = httpx.get(f"{server.url}/ready", timeout=30)
        assert ready.status_code == 503
        assert "did not answer within 6 s" in ready.json()["reason"], ready.json()
        # known down: the next request fails at once instead of waiting again
        assert server.graphql(QUERY)["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"

        proxy.frozen.clear()  # the probe finds Neo4j again; no restart
        assert _wait(lambda: httpx.get(f"{server.url}/ready", timeout=30).status_code == 200)
        assert server.graphql(QUERY)["data"]["government"]["name"] == "Jamaica"
        assert "Traceback" not in server.log_text()
