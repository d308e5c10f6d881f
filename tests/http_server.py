"""`cbsi-graph serve` as a real process on the session's test Neo4j, for tests that talk HTTP to it.

Unlike `tests/test_server_e2e.py` (which starts its own Neo4j to stop and restart it), these servers share the
session Neo4j, so a module costs one server start, not a Neo4j start. The graph is seeded by the caller.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import free_port

CLI = [sys.executable, "-m", "app.cli"]


@dataclass
class HttpServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[str]
    log: Path

    def post(self, query: str, variables: Any = None, **kwargs: Any) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return httpx.post(f"{self.url}/graphql", json=body, timeout=kwargs.pop("timeout", 30), **kwargs)

    def graphql(self, query: str, variables: Any = None, **kwargs: Any) -> dict:
        response = self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def raw(self, body: bytes, content_type: str = "application/json", **kwargs: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/graphql", content=body, headers={"content-type": content_type},
                          timeout=kwargs.pop("timeout", 30), **kwargs)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve(home: Path, neo4j_auth: tuple[str, str, str], extra_env: dict[str, str] | None = None,
          args: tuple[str, ...] = ()) -> Iterator[HttpServer]:
    uri, user, password = neo4j_auth
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "CBSI_"))}
    env.update(NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=password, CBSI_DATA_DIR=str(home / "var"),
               CBSI_PORT=str(port), CBSI_AUTO_SEED="false", CBSI_LOG_LEVEL="warning")
    env.update(extra_env or {})
    log = home / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*CLI, "serve", *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   text=True)
    server = HttpServer(f"http://127.0.0.1:{port}", env, process, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited with {process.returncode}:\n{server.log_text()[-3000:]}")
            try:
                if httpx.get(f"{server.url}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start:\n{server.log_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
