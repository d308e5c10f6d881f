"""Where the Neo4j is and how to reach it: the managed local one, or the one `NEO4J_URI` names.

Why one place: `serve`, `seed`, `import`, `analyze` and the tests all need the same answer, and the password
must never be printed; `Neo4jTarget.describe()` is the only text about a target that reaches a log.
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase
from pydantic import SecretStr

from app.local_neo4j import LocalNeo4j
from app.settings import Settings


@dataclass(frozen=True)
class Neo4jTarget:
    uri: str
    user: str
    password: SecretStr
    database: str
    managed: bool

    def describe(self) -> str:
        kind = "managed local Neo4j" if self.managed else "Neo4j"
        return f"{kind} at {self.uri} (database {self.database!r}, user {self.user!r})"


def local_neo4j(settings: Settings) -> LocalNeo4j:
    """The managed local Neo4j these settings describe (nothing is started)."""
    return LocalNeo4j(
        settings.neo4j_home,
        port=settings.neo4j_port,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
        start_timeout=settings.neo4j_start_timeout,
    )


def resolve_target(settings: Settings, start_local: bool = True) -> Neo4jTarget:
    """The Neo4j to use; with no `NEO4J_URI`, start (or reuse) the managed local one when `start_local`."""
    if settings.neo4j_uri:
        password = settings.neo4j_password or SecretStr("")
        return Neo4jTarget(settings.neo4j_uri, settings.neo4j_user, password, settings.neo4j_database, False)
    local = local_neo4j(settings)
    if start_local:
        local.start()
    return Neo4jTarget(local.uri, "neo4j", SecretStr(local.password()), "neo4j", True)


# Seconds: fail fast on a dead server, wait a little for a busy pool, retry a transient failure briefly.
CONNECTION_TIMEOUT, ACQUISITION_TIMEOUT, RETRY_TIME = 5.0, 10.0, 3.0


def sync_driver(target: Neo4jTarget) -> Driver:
    return GraphDatabase.driver(target.uri, auth=(target.user, target.password.get_secret_value()),
                                connection_timeout=CONNECTION_TIMEOUT,
                                connection_acquisition_timeout=ACQUISITION_TIMEOUT,
                                max_transaction_retry_time=RETRY_TIME)


def async_driver(target: Neo4jTarget) -> AsyncDriver:
    """The server's driver: shorter connect and retry times than the CLI's, so an outage is known within ~1 s
    (then `resolvers.neo4j_health` fails requests at once until Neo4j answers again)."""
    return AsyncGraphDatabase.driver(target.uri, auth=(target.user, target.password.get_secret_value()),
                                     connection_timeout=2.0,
                                     connection_acquisition_timeout=ACQUISITION_TIMEOUT,
                                     max_transaction_retry_time=1.0)
