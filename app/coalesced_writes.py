"""Send a response's head and body in one system call: uvicorn's HTTP protocol with a transport that holds the head.

Why: uvicorn writes the status line and headers as soon as the app starts a response, and the body when it
comes, so every response cost two `send` calls, and on loopback each one woke the client for a read of its own
(three writes a request with the one to Neo4j; `strace -c`, issue #14 session 13). An answer is one JSON body
sent right after its head, in the same step of the same task, so the head can wait for it at no cost in latency:
the transport keeps back a head that announces a `content-length` (a whole body is coming, and a client can use
the head only with it) until the next write, and sends both as one. A head without one (a streamed, chunked
response; `100 Continue`) goes out at once, as before. No callback is scheduled for it: a pending callback costs
the event loop a step of its own. Everything else (closing, flow control, the peer's address) is the real
transport's; closing, and the end of a response (a HEAD request's answer has a length but no body), send a head
still held.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_START = b"HTTP/1."
HEAD_END = b"\r\n\r\n"
WHOLE_BODY = b"\r\ncontent-length:"  # uvicorn writes header names in lower case


class HeldHeadTransport:
    """A transport that holds back the head of a response with a `content-length` until the next write, then
    sends the two together; every other call goes to the real transport."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None
        self.sends = 0  # writes handed to the real transport (tests read it)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        head = self._take_head()
        if head is not None:
            self._send(head + bytes(data))
        elif (data[:len(HEAD_START)] == HEAD_START and data[-len(HEAD_END):] == HEAD_END
              and WHOLE_BODY in data):
            self._head = bytes(data)
        elif data:
            self._send(data)

    def writelines(self, lines: Any) -> None:
        self.write(b"".join(lines))

    def flush(self) -> None:
        """Send a head that is still held."""
        head = self._take_head()
        if head is not None:
            self._send(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._take_head()
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._head or b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def _take_head(self) -> bytes | None:
        head, self._head = self._head, None
        return head

    def _send(self, data: bytes | bytearray | memoryview) -> None:
        if not self._transport.is_closing():
            self.sends += 1
            self._transport.write(data)


class OneSendHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a `HeldHeadTransport` (pass it as `uvicorn.Config(http=...)`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(HeldHeadTransport(transport))  # type: ignore[arg-type]

    def on_response_complete(self) -> None:
        """A response ends: a head still held goes out (the answer to a HEAD request has a length and no body)."""
        if isinstance(self.transport, HeldHeadTransport):
            self.transport.flush()
        super().on_response_complete()
