"""A new user's first run: Maven's downloads reported as they happen, a busy port said first with the `--port`
hint, `serve` up while Neo4j is down and recovering when it comes, a refused password naming where to look,
client mistakes logged on one line, and a description for every command. Real processes and HTTP throughout.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from neo4j import Driver, GraphDatabase

from app.local_neo4j import LocalNeo4j, LocalNeo4jError, run_maven
from tests.conftest import free_port

CLI = [sys.executable, "-m", "app.cli"]
STATS = "{ graphStats { nodes { label count } } }"


def test_maven_downloads_are_reported_with_size_and_speed() -> None:
    script = (
        "for i in range(4):\n"
        "    print(f'[INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/neo4j/n{i}.jar')\n"
        "    print(f'[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/neo4j/n{i}.jar"
        " (2,500 kB at 1.2 MB/s)', flush=True)\n"
        "print('[ERROR] the last words'); raise SystemExit(3)\n"
    )
    lines: list[str] = []
    returncode, tail = run_maven([sys.executable, "-c", script], lines.append, every=0)
    assert returncode == 3 and tail.endswith("[ERROR] the last words")
    assert lines[-1].startswith("  downloaded 4 files, 10.0 of about") and "MB/s" in lines[-1]
    assert [line.rsplit("; now ", 1)[-1] for line in lines[:-1]] == ["n0.jar", "n1.jar", "n2.jar", "n3.jar"]
    assert lines[1].startswith("  downloaded 2 files, 5.0 of about")


def test_every_command_has_a_one_line_description() -> None:
    result = subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    from app.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    described = {action.dest: action.help for action in commands._choices_actions}
    assert set(described) == set(commands.choices)
    for name, text in described.items():
        assert text and "\n" not in text, f"`cbsi-graph {name}` has no one-line description"
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.M), f"{name} is not described in --help"


def test_a_busy_port_is_reported_first_with_the_port_hint() -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        env = {**os.environ, "NEO4J_URI": "bolt://127.0.0.1:1", "CBSI_AUTO_SEED": "false"}
        result = subprocess.run([*CLI, "serve", "--port", str(port)], env=env, capture_output=True, text=True,
                                timeout=120, check=False)
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "CBSI Graph on" not in result.stdout and "serving" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


class Forwarder:
    """A TCP relay from a port of its own to the test Neo4j, switched on later: "Neo4j comes up"."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self._server: socket.socket | None = None

    def start(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        assert self._server is not None
        with contextlib.suppress(OSError):
            while True:
                client, _ = self._server.accept()
                upstream = socket.create_connection(self.target)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()


@pytest.fixture
def server_before_neo4j(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                        tmp_path: Path) -> Iterator[tuple[str, Forwarder, Path]]:
    """`serve` pointed (NEO4J_URI) at a port where no Neo4j answers yet; the forwarder makes it answer."""
    uri, user, password = neo4j_auth
    parts = urlsplit(uri)
    forwarder = Forwarder((parts.hostname or "127.0.0.1", parts.port or 7687))
    port = free_port()
    env = {**os.environ, "NEO4J_URI": f"bolt://127.0.0.1:{forwarder.port}", "NEO4J_USER": user,
           "NEO4J_PASSWORD": password, "CBSI_PORT": str(port), "CBSI_RESPONSE_CACHE": "false"}
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*CLI, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"serve exited:\n{log.read_text()[-3000:]}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"serve did not answer /health:\n{log.read_text()[-3000:]}"
            time.sleep(0.3)
        yield url, forwarder, log
    finally:
        process.terminate()
        process.wait(timeout=60)
        forwarder.stop()


@pytest.mark.neo4j
@pytest.mark.e2e
def test_serve_starts_with_neo4j_down_and_recovers(server_before_neo4j: tuple[str, Forwarder, Path]) -> None:
    url, forwarder, log = server_before_neo4j
    ready = httpx.get(f"{url}/ready", timeout=30)
    assert ready.status_code == 503 and "does not answer" in ready.json()["reason"]
    body = httpx.post(f"{url}/graphql", json={"query": STATS}, timeout=60).json()
    assert body["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert f"Neo4j at bolt://127.0.0.1:{forwarder.port} does not answer" in log.read_text()

    forwarder.start()  # Neo4j "comes up": no restart of the server
    deadline = time.monotonic() + 120
    while httpx.get(f"{url}/ready", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the server did not recover when Neo4j came up"
        time.sleep(0.5)
    body = httpx.post(f"{url}/graphql", json={"query": STATS}, timeout=60).json()
    assert "errors" not in body and body["data"]["graphStats"]["nodes"]

    # Client mistakes: one WARNING line each, with the code; no traceback anywhere for them.
    unknown = httpx.post(f"{url}/graphql", json={"query": '{ program(id: "program:no-such") { name } }'},
                         timeout=60).json()
    bad_filter = httpx.post(f"{url}/graphql", json={
        "query": '{ governments(where: {cbsiRole: {eq: "emperor"}}) { edges { cursor } } }'}, timeout=60).json()
    assert unknown["errors"] and bad_filter["errors"]
    text = log.read_text()
    client_lines = [line for line in text.splitlines() if "graphql NOT_FOUND" in line or "graphql BAD_FILTER" in line]
    assert len(client_lines) >= 2 and all(" WARNING " in line for line in client_lines), client_lines
    assert "Traceback" not in text


@pytest.mark.neo4j
def test_a_refused_password_names_the_server(neo4j_auth: tuple[str, str, str]) -> None:
    uri, user, password = neo4j_auth
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": "not-the-password"}
    result = subprocess.run([*CLI, "seed"], env=env, capture_output=True, text=True, timeout=300, check=False)
    _log_in_again(uri, user, password)
    assert result.returncode == 1
    assert f"Neo4j at {uri} refused user {user!r}" in result.stderr and "NEO4J_PASSWORD" in result.stderr
    assert "not-the-password" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.neo4j
def test_the_local_neo4j_names_its_password_file_when_refused(neo4j_auth: tuple[str, str, str],
                                                              tmp_path: Path) -> None:
    uri, user, password = neo4j_auth
    port = urlsplit(uri).port
    assert port is not None
    wrong = LocalNeo4j(tmp_path / "neo4j", port=port, progress=lambda _m: None)
    wrong.password()  # a fresh generated password, not the one that Neo4j holds
    with pytest.raises(LocalNeo4jError) as refused:
        wrong.bolt_answers()
    _log_in_again(uri, user, password)
    assert str(wrong.password_file) in str(refused.value) and f"127.0.0.1:{port}" in str(refused.value)


def _log_in_again(uri: str, user: str, password: str) -> None:
    """A good login after a refused one, so Neo4j's failed-attempt counter never locks the suite's user out."""
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        driver.verify_connectivity()
