"""Start `cbsi-graph serve` as a real process on free ports, for benchmarks that measure it over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    data_dir: Path, log_level: str = "warning", extra_env: dict[str, str] | None = None,
    python: str | None = None,
) -> Iterator[str]:
    """Yield the base URL of a fresh `serve` (its own local Neo4j, seeded); stop both afterwards. `python`: the
    interpreter that runs the server (default this one), to compare interpreters with the client unchanged."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(CBSI_DATA_DIR=str(data_dir), CBSI_NEO4J_PORT=str(free_port()), CBSI_PORT=str(port),
               CBSI_LOG_LEVEL=log_level)
    env.update(extra_env or {})
    log_path = data_dir / "serve.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen([python or sys.executable, "-m", "app.cli", "serve"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited early; see {log_path}")
            try:
                if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve not ready after 300s; see {log_path}")
            time.sleep(0.5)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
