"""A response's head and body leave in one `send` (`app/coalesced_writes.py`), and nothing else changes: each test
runs a real uvicorn server with `OneSendHttpProtocol` and a real HTTP client, and counts the writes that reach
the socket."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.coalesced_writes import HeldHeadTransport, OneSendHttpProtocol
from tests.conftest import free_port
from tests.uvicorn_thread import uvicorn_on_a_thread


async def answer(_request: Request) -> Response:
    return JSONResponse({"data": {"x": list(range(200))}})


async def nothing(_request: Request) -> Response:
    return Response(status_code=204)


async def stream(_request: Request) -> Response:
    async def chunks() -> Any:
        for part in (b"one,", b"two,", b"three"):
            yield part
            await asyncio.sleep(0.05)  # the head must not wait for the whole stream

    return StreamingResponse(chunks(), media_type="text/plain")


APP = Starlette(routes=[Route("/answer", answer, methods=["GET", "HEAD"]), Route("/nothing", nothing),
                        Route("/stream", stream)])


class Served:
    def __init__(self, server: uvicorn.Server, url: str) -> None:
        self.server, self.url = server, url

    def sends(self) -> int:
        """Writes handed to the sockets by the connections open now."""
        return sum(protocol.transport.sends for protocol in self.server.server_state.connections
                   if isinstance(protocol.transport, HeldHeadTransport))


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(APP, host="127.0.0.1", port=port, log_level="warning",
                                          http=OneSendHttpProtocol))
    with uvicorn_on_a_thread(server):
        yield Served(server, f"http://127.0.0.1:{port}")


def test_each_answer_is_one_send_on_a_kept_alive_connection(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as client:
        for _ in range(3):
            response = client.get("/answer")
            assert response.status_code == 200 and response.json()["data"]["x"][199] == 199
        assert served.sends() == 3  # uvicorn alone sends 6: a head and a body each


def test_a_head_request_and_an_empty_answer_are_not_held_back(served: Served) -> None:
    # a head held back would go out only when uvicorn closes the idle connection, after 5 s: the client gives up first
    with httpx.Client(base_url=served.url, timeout=2) as client:
        head = client.head("/answer")
        assert head.status_code == 200 and int(head.headers["content-length"]) > 0 and head.content == b""
        assert client.get("/nothing").status_code == 204
        assert client.get("/answer").status_code == 200  # the connection still answers after both
        assert served.sends() == 3


def test_a_streamed_answer_sends_its_head_before_its_body(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as client, client.stream("GET", "/stream") as response:
        started = time.monotonic()
        assert response.status_code == 200 and response.headers["transfer-encoding"] == "chunked"
        body = b"".join(response.iter_bytes())
        assert body == b"one,two,three"
        assert time.monotonic() - started >= 0.09  # the head came before the chunks that wait
        assert served.sends() >= 4  # the head, then each chunk as it comes (and the end)


def test_a_connection_closed_after_the_answer_gets_the_whole_answer(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", int(served.url.rsplit(":", 1)[1])), timeout=10) as raw:
        raw.sendall(b"GET /answer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := raw.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"connection: close" in head.lower()
    assert body.endswith(b"199]}}") and len(body) == int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
