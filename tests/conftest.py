"""Test fixtures: one real Neo4j per test session, started by the project's own launcher.

Every test that needs the database takes `neo4j_driver` (or `empty_graph` / `seeded_graph` for a known
state), so the suite passes in any order. Set NEO4J_URI to run the suite against another Neo4j instead.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from neo4j import Driver, GraphDatabase

from app.local_neo4j import LocalNeo4j
from graph_seed.neo4j_writer import delete_all, ensure_schema
from graph_seed.seed import seed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def local_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j | None]:
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    neo4j = LocalNeo4j(tmp_path_factory.mktemp("neo4j"), port=free_port(), heap="1g", pagecache="256m")
    neo4j.start()
    yield neo4j
    neo4j.stop()


@pytest.fixture(scope="session")
def launcher_neo4j(local_neo4j: LocalNeo4j | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    """A Neo4j run by the project's launcher, for tests of the launcher itself: the session's own, or (with
    NEO4J_URI set) a small one started for them."""
    if local_neo4j is not None:
        yield local_neo4j
        return
    neo4j = LocalNeo4j(tmp_path_factory.mktemp("launcher"), port=free_port(), heap="512m", pagecache="64m")
    neo4j.start()
    yield neo4j
    neo4j.stop()


@pytest.fixture(scope="session")
def neo4j_auth(local_neo4j: LocalNeo4j | None) -> tuple[str, str, str]:
    """(uri, user, password) of the test Neo4j."""
    if local_neo4j is None:
        return os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")
    return local_neo4j.uri, "neo4j", local_neo4j.password()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_auth: tuple[str, str, str]) -> Iterator[Driver]:
    uri, user, password = neo4j_auth
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        with driver.session() as session:
            ensure_schema(session)
        yield driver


@pytest.fixture
def empty_graph(neo4j_driver: Driver) -> Driver:
    """The test Neo4j with no CBSI nodes in it."""
    with neo4j_driver.session() as session:
        delete_all(session)
    return neo4j_driver


@pytest.fixture
def seeded_graph(neo4j_driver: Driver) -> Driver:
    """The test Neo4j holding exactly the curated seed dataset."""
    seed(neo4j_driver, reset=True, progress=lambda _message: None)
    return neo4j_driver
