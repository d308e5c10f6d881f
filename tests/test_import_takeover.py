"""Taking over an unfinished import (issue 15): a run whose process is gone from this machine is taken over at
once by the next import of its file, and `--take-over` takes over a run that is alive (or merely looks so).
In both cases the old run's partial writes are compensated first, so the end state is a clean import's."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph_seed import neo4j_writer
from graph_seed.importers import ImportTakenOverError, import_files
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import file_sha256, source_id
from graph_seed.seed import seed
from tests.import_helpers import SAMPLES, WALL_CLOCK, count, dump, one, without

pytestmark = pytest.mark.neo4j
SAMPLE = SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"
SID = source_id(file_sha256(SAMPLE))
REAL_WRITE = neo4j_writer.write_batch
CLI = [sys.executable, "-m", "app.cli"]

# An import in a child process that commits two batches, says so, then hangs inside its third transaction.
CHILD = """
import pathlib, sys, time
from neo4j import GraphDatabase
from graph_seed import neo4j_writer
from graph_seed.importers import import_files, sink
uri, user, password, path, ready = sys.argv[1:6]
real, calls = neo4j_writer.write_batch, [0]
def write_then_hang(tx, source, batch):
    calls[0] += 1
    if calls[0] == 3:
        pathlib.Path(ready).write_text("two batches committed")
        time.sleep(3600)
    return real(tx, source, batch)
sink.BATCH_SIZE = 60
neo4j_writer.write_batch = write_then_hang
with GraphDatabase.driver(uri, auth=(user, password)) as driver:
    import_files(driver, "fa-csv", [pathlib.Path(path)])
"""


def _clean_import(driver: Driver) -> Any:
    seed(driver, reset=True, progress=lambda _message: None)
    import_files(driver, "fa-csv", [SAMPLE])
    return without(dump(driver), *WALL_CLOCK)


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 300  # a guard against a hang, not a measurement
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def _partial(driver: Driver) -> dict[str, Any]:
    return one(driver, "MATCH (s:Source {id: $id}) OPTIONAL MATCH (n:Entity {createdBy: $id}) "
                       "RETURN s.importStatus AS status, count(n) AS written", id=SID)


def test_an_import_killed_with_sigkill_is_taken_over_at_once(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                                                             tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", CHILD, *neo4j_auth, str(SAMPLE), str(ready)],
                             cwd=Path(__file__).resolve().parents[1])
    try:
        _wait_for(lambda: ready.exists() or child.poll() is not None, "the child's first two batches")
        assert child.poll() is None, "the child import ended early"
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead, not yet reaped (a zombie)
        partial = _partial(seeded_graph)
        assert partial["status"] == "importing" and partial["written"] > 0  # fresh heartbeat, partial writes

        summary = import_files(seeded_graph, "fa-csv", [SAMPLE])  # before: refused for 10 minutes
    finally:
        child.kill()
        child.wait()
    assert any(f"pid {child.pid}" in note and "no longer running" in note for note in summary.notes), summary.notes
    taken_over = without(dump(seeded_graph), *WALL_CLOCK)
    assert taken_over == _clean_import(seeded_graph)


def test_take_over_takes_a_live_run_which_then_stops(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    paused, release = threading.Event(), threading.Event()
    calls = {"n": 0}

    def write_then_pause(tx: Any, source: str, batch: neo4j_writer.Batch) -> neo4j_writer.Counts:
        calls["n"] += 1
        if calls["n"] == 3:
            paused.set()
            release.wait(300)
        return REAL_WRITE(tx, source, batch)

    monkeypatch.setattr(sink_module, "BATCH_SIZE", 60)
    monkeypatch.setattr(neo4j_writer, "write_batch", write_then_pause)
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            import_files(seeded_graph, "fa-csv", [SAMPLE])
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    live = threading.Thread(target=run)
    live.start()
    try:
        _wait_for(paused.is_set, "the live run's first two batches")
        assert _partial(seeded_graph)["written"] > 0
        uri, user, password = neo4j_auth
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "CBSI_"))}
        env.update(NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=password, CBSI_DATA_DIR=str(tmp_path))

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*CLI, "import", "fa-csv", str(SAMPLE), *args], env=env, capture_output=True,
                                  text=True, timeout=300, check=False)

        refused = cli()
        assert refused.returncode != 0
        assert "another import of this file is running" in refused.stderr and "--take-over" in refused.stderr
        taken = cli("--take-over")
        assert taken.returncode == 0, taken.stderr
        assert "taken over (--take-over)" in taken.stdout and "partial writes were removed first" in taken.stdout
    finally:
        release.set()
        live.join(300)
    assert isinstance(outcome.get("error"), ImportTakenOverError), outcome  # it stopped at its next batch
    assert one(seeded_graph, "MATCH (s:Source {id: $id}) RETURN s.importStatus AS st", id=SID) == {"st": "complete"}
    assert count(seeded_graph, "MATCH (s:Source {id: $id}) RETURN count(s.importOwner)", id=SID) == 0
    monkeypatch.setattr(neo4j_writer, "write_batch", REAL_WRITE)
    taken_over = without(dump(seeded_graph), *WALL_CLOCK)
    assert taken_over == _clean_import(seeded_graph)
