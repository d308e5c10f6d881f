"""The managed local Neo4j: real process, real Bolt, auth on, loopback only."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from app.local_neo4j import LocalNeo4j, LocalNeo4jError
from tests.conftest import free_port

pytestmark = pytest.mark.neo4j


def test_password_file_is_private_and_stable(tmp_path: Path) -> None:
    neo4j = LocalNeo4j(tmp_path / "neo4j", port=free_port())
    first = neo4j.password()
    assert len(first) >= 24
    assert stat.S_IMODE(neo4j.password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(neo4j.home.stat().st_mode) == 0o700
    assert neo4j.password() == first


def test_session_neo4j_requires_the_generated_password(launcher_neo4j: LocalNeo4j) -> None:
    with GraphDatabase.driver(launcher_neo4j.uri, auth=("neo4j", "neo4j")) as driver, pytest.raises(AuthError):
        driver.verify_connectivity()
    with GraphDatabase.driver(launcher_neo4j.uri, auth=("neo4j", launcher_neo4j.password())) as driver:
        assert driver.execute_query("RETURN 41 + 1 AS answer").records[0]["answer"] == 42
    assert launcher_neo4j.status().running


def test_bolt_listens_on_loopback_only(launcher_neo4j: LocalNeo4j) -> None:
    conf = (launcher_neo4j.home / "conf" / "neo4j.conf").read_text()
    assert f"server.bolt.listen_address=127.0.0.1:{launcher_neo4j.port}" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert "db.tx_log.preallocate=false" in conf


def test_no_receive_timeout_hint_is_sent(launcher_neo4j: LocalNeo4j) -> None:
    """Keep-alive NOOPs only while streaming: Neo4j then sends drivers no `connection.recv_timeout_seconds` hint
    (with it the Python driver puts a timer task on every socket read; the server bounds its calls itself)."""
    with GraphDatabase.driver(launcher_neo4j.uri, auth=("neo4j", launcher_neo4j.password())) as driver:
        records = driver.execute_query("SHOW SETTINGS YIELD name, value "
                                       "WHERE name = 'server.bolt.connection_keep_alive_for_requests' "
                                       "RETURN value").records
    assert [r["value"] for r in records] == ["STREAMING"]


def test_start_reuses_the_running_instance(launcher_neo4j: LocalNeo4j) -> None:
    pid = launcher_neo4j.running_pid()
    again = LocalNeo4j(launcher_neo4j.home, port=launcher_neo4j.port, progress=lambda _m: None).start()
    assert again.pid == pid


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        neo4j = LocalNeo4j(tmp_path / "neo4j", port=port, progress=lambda _m: None)
        with pytest.raises(LocalNeo4jError, match=f"port {port} .* in use"):
            neo4j.start()
    assert neo4j.running_pid() is None


def test_stop_when_not_running_says_so(tmp_path: Path) -> None:
    neo4j = LocalNeo4j(tmp_path / "neo4j", port=free_port(), progress=lambda _m: None)
    assert neo4j.stop() is False
    assert not neo4j.status().running
