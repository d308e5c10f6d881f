"""`CypherRunner.read` is one auto-commit query, run again after a failure the driver calls retryable
(`resolvers/cypher.py`). The failure here is real: the runner talks to the session's Neo4j through a TCP proxy
that cuts the connection when a chosen statement goes by, so the driver loses its connection mid-query."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from neo4j import AsyncGraphDatabase
from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired

from resolvers.cypher import MAX_ATTEMPTS, CypherRunner

pytestmark = pytest.mark.neo4j


@dataclass
class CuttingProxy:
    """Forwards bytes both ways; cuts a connection (both sides) when the client sends `marker`, `cuts` times."""

    target: tuple[str, int]
    marker: bytes = b""
    cuts: int = 0
    cut: int = 0
    server: asyncio.Server | None = None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def start(self) -> int:
        self.server = await asyncio.start_server(self.connection, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, up_writer]

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter, watch: bool) -> None:
            try:
                while data := await source.read(65536):
                    if watch and self.cuts and self.marker in data:
                        self.cuts -= 1
                        self.cut += 1
                        break  # the statement never reaches Neo4j: both sides are closed below
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                for side in (writer, up_writer):
                    side.close()

        await asyncio.gather(pump(reader, up_writer, True), pump(up_reader, writer, False))

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in self.writers:
            writer.close()


Scenario = Callable[[CypherRunner, CuttingProxy], Awaitable[None]]


def through_proxy(neo4j_auth: tuple[str, str, str], scenario: Scenario) -> None:
    """Run `scenario` with a runner whose driver reaches the session's Neo4j through a `CuttingProxy`."""
    uri, user, password = neo4j_auth
    address = urlparse(uri)

    async def run() -> None:
        proxy = CuttingProxy((address.hostname or "127.0.0.1", address.port or 7687))
        port = await proxy.start()
        driver = AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=(user, password))
        try:
            await scenario(CypherRunner(driver, None, 10.0), proxy)
        finally:
            await driver.close()
            await proxy.close()

    asyncio.run(run())


def test_a_read_whose_connection_is_lost_is_read_again(neo4j_auth: tuple[str, str, str]) -> None:
    async def scenario(runner: CypherRunner, proxy: CuttingProxy) -> None:
        assert await runner.read("RETURN 1 AS x") == [{"x": 1}]  # a pooled connection
        proxy.marker, proxy.cuts = b"RETURN 2 AS x", 1
        assert await runner.read("RETURN 2 AS x") == [{"x": 2}]
        assert proxy.cut == 1 and runner.retries == 1 and runner.queries_sent == 2

    through_proxy(neo4j_auth, scenario)


def test_a_read_gives_up_after_its_attempts(neo4j_auth: tuple[str, str, str]) -> None:
    async def scenario(runner: CypherRunner, proxy: CuttingProxy) -> None:
        proxy.marker, proxy.cuts = b"RETURN 3 AS x", MAX_ATTEMPTS + 1
        with pytest.raises((ServiceUnavailable, SessionExpired)):
            await runner.read_maps("RETURN 3 AS x")
        assert proxy.cut == MAX_ATTEMPTS and runner.retries == MAX_ATTEMPTS - 1

    through_proxy(neo4j_auth, scenario)


def test_an_error_that_is_not_retryable_is_not_read_again(neo4j_auth: tuple[str, str, str]) -> None:
    async def scenario(runner: CypherRunner, _proxy: CuttingProxy) -> None:
        with pytest.raises(ClientError):
            await runner.read("RETURN 1 / 0 AS x")
        assert runner.retries == 0

    through_proxy(neo4j_auth, scenario)
