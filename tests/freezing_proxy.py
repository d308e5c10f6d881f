"""A TCP relay in front of the test Neo4j that can stop passing bytes on: a Neo4j that accepts and never answers.

Why a relay: freezing the session's Neo4j itself (SIGSTOP) would stall every other test sharing it, and a fake
Bolt server would not be the real protocol. The relay forwards both directions byte for byte; while `frozen` is
set it holds what it reads instead of passing it on, so the driver's query reaches nobody and no answer comes,
with the sockets still open (as behind a dead link or a stopped process).
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class FreezingProxy:
    """Relay 127.0.0.1:`port` to `target`; `frozen.set()` stops the traffic both ways, `clear()` resumes it."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.frozen = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def __enter__(self) -> FreezingProxy:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self.frozen.clear()
        self._listener.close()
        for sock in self._sockets:
            sock.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                thread = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(0.2)
        while not self._stop.is_set():
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                sink.close()
                return
            while self.frozen.is_set() and not self._stop.is_set():  # held, as by a link that stopped
                self._stop.wait(0.05)
            try:
                sink.sendall(data)
            except OSError:
                return
