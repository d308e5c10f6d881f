"""A throwaway local Neo4j for one benchmark run: a free port, a temporary folder, stopped and deleted after."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from neo4j import Driver, GraphDatabase

from app.local_neo4j import LocalNeo4j


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (/proc), to say what a run cost, not only how long it took."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def fresh_neo4j(heap: str = "2g", pagecache: str = "1g") -> Iterator[tuple[LocalNeo4j, Driver]]:
    """A new, empty local Neo4j (no schema) and a driver to it; stopped and deleted when the block ends."""
    with tempfile.TemporaryDirectory(prefix="cbsi-bench-neo4j-") as tmp:
        neo4j = LocalNeo4j(Path(tmp) / "neo4j", port=free_port(), heap=heap, pagecache=pagecache)
        neo4j.start()
        try:
            with GraphDatabase.driver(neo4j.uri, auth=("neo4j", neo4j.password())) as driver:
                yield neo4j, driver
        finally:
            neo4j.stop()
