"""The import's mapping runs in a child process (`graph_seed/importers/mapping_process.py`): what crosses the
process boundary, and that no child outlives an import.

Before: the mapping ran in the importing process (no child at all), so the process checks here fail on it; the
batch-boundary test fails on a sink that forgot the previous batch's relationships."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from bench.gen_aid_files import generate_fa
from graph_seed import neo4j_writer
from graph_seed.importers import ImportWriteError, MalformedFileError, bookkeeping, import_files, mapping_process
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import file_sha256, source_id
from tests.import_helpers import SAMPLES, WALL_CLOCK, count, dump, without

SAMPLE = SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"
REAL_WRITE = neo4j_writer.write_batch


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _record_children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the mapping processes the imports of this test start."""
    pids: list[int] = []
    real_init = mapping_process.MappingProcess.__init__

    def recording(self: mapping_process.MappingProcess, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        assert self.process.pid is not None
        pids.append(self.process.pid)

    monkeypatch.setattr(mapping_process.MappingProcess, "__init__", recording)
    return pids


@pytest.mark.neo4j
def test_a_bad_byte_the_child_reads_names_file_and_line_and_leaves_nothing(
        seeded_graph: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"".join(lines[:90]) + b"\xff\xfe" + b"".join(lines[90:]))  # line 91, after batches
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 50)
    pids = _record_children(monkeypatch)
    before = dump(seeded_graph)
    with pytest.raises(MalformedFileError) as caught:
        import_files(seeded_graph, "fa-csv", [broken])
    assert str(caught.value).startswith(f"{broken}:91: not UTF-8 text")
    assert caught.value.line == 91
    assert dump(seeded_graph) == before
    assert pids and all(pid != os.getpid() and _gone(pid) for pid in pids)


@pytest.mark.neo4j
def test_a_refused_write_stops_the_mapping_process(
        seeded_graph: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fa-3000.csv"
    generate_fa(3000, path, 7)
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 2000)  # a batch is larger than the pipe holds
    pids = _record_children(monkeypatch)
    seen: dict[str, bool] = {}

    def failing(tx: Any, source: str, batch: neo4j_writer.Batch) -> neo4j_writer.Counts:
        REAL_WRITE(tx, source, batch)
        seen["child alive at the failure"] = not _gone(pids[0])
        raise RuntimeError("injected failure")

    monkeypatch.setattr(neo4j_writer, "write_batch", failing)
    before = dump(seeded_graph)
    with pytest.raises(RuntimeError, match="injected failure"):
        import_files(seeded_graph, "fa-csv", [path])
    assert seen == {"child alive at the failure": True}  # it was still mapping: it was stopped, not finished
    assert _gone(pids[0])
    assert dump(seeded_graph) == before


@pytest.mark.neo4j
def test_a_neo4j_error_is_reported_and_the_child_reaped(
        seeded_graph: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from neo4j.exceptions import ClientError

    path = tmp_path / "fa-3000.csv"
    generate_fa(3000, path, 7)
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 2000)
    pids = _record_children(monkeypatch)

    def refused(tx: Any, source: str, batch: neo4j_writer.Batch) -> neo4j_writer.Counts:
        raise ClientError("injected refusal")

    monkeypatch.setattr(neo4j_writer, "write_batch", refused)
    with pytest.raises(ImportWriteError):
        import_files(seeded_graph, "fa-csv", [path])
    assert pids and all(_gone(pid) for pid in pids)


@pytest.mark.neo4j
def test_the_graph_does_not_depend_on_where_batches_are_cut(
        seeded_graph: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relationships are not re-sent in the batch after the one that sent them; the graph is the same as one
    batch for the whole file writes, and a re-import changes nothing."""
    from graph_seed.seed import seed

    files = [SAMPLE, tmp_path / "fa-300.csv"]
    generate_fa(300, files[1], 7)
    import_files(seeded_graph, "fa-csv", files)
    whole = without(dump(seeded_graph), *WALL_CLOCK)
    seed(seeded_graph, reset=True, progress=lambda _message: None)
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 7)
    summary = import_files(seeded_graph, "fa-csv", files)
    assert without(dump(seeded_graph), *WALL_CLOCK) == whole
    again = import_files(seeded_graph, "fa-csv", files)
    assert again.nodes_created == 0 and again.relationships_created == 0
    assert without(dump(seeded_graph), *WALL_CLOCK) == whole
    assert summary.relationships_created > 0


def test_a_relationship_of_the_previous_batch_is_not_sent_again() -> None:
    class Capture:
        def __init__(self) -> None:
            self.batches: list[neo4j_writer.Batch] = []

        def submit(self, batch: neo4j_writer.Batch) -> None:
            self.batches.append(batch)

    target = Capture()
    sink = sink_module.RecordSink(target, source_id("0" * 64), batch_size=10)
    role = {"role": "implementing"}
    sink.relate("PARTICIPATES_IN", "agency:a", "program:fa:1", role)
    sink.flush()
    sink.relate("PARTICIPATES_IN", "agency:a", "program:fa:1", role)  # the next batch: already written
    sink.relate("PARTICIPATES_IN", "agency:a", "program:fa:1", {"role": "funding"})  # another role: new
    sink.flush()
    sink.flush()
    sink.relate("PARTICIPATES_IN", "agency:a", "program:fa:1", role)  # two batches later: sent (MERGE finds it)
    sink.flush()
    sink.close()
    sent = [[(row["start"], row["props"]["role"]) for row in batch.edges.get("PARTICIPATES_IN", [])]
            for batch in target.batches]
    assert sent == [[("agency:a", "implementing")], [("agency:a", "funding")], [("agency:a", "implementing")]]


# -- Ctrl-C and a killed importer, as a user's shell does them ---------------------------------------------
def _start_cli(path: Path, neo4j_auth: tuple[str, str, str]) -> subprocess.Popen[bytes]:
    uri, user, password = neo4j_auth
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": password}
    return subprocess.Popen([sys.executable, "-m", "app.cli", "import", "fa-csv", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_batches(driver: Driver, sid: str, cli: subprocess.Popen[bytes]) -> None:
    """Until the import committed a batch (its Source counts rows read), so the child is mapping."""
    while count(driver, "OPTIONAL MATCH (s:Source {id: $id}) RETURN coalesce(s.importRows, 0)", id=sid) == 0:
        assert cli.poll() is None, "the import ended before it could be interrupted"
        time.sleep(0.2)


def _group_gone(pgid: int) -> bool:
    """No running process left in the process group (an exited child not yet reaped by init is not running)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return False
    return True


@pytest.mark.neo4j
def test_ctrl_c_stops_the_import_and_its_child(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fa-40000.csv"
    generate_fa(40_000, path, 7)
    before = dump(seeded_graph)
    cli = _start_cli(path, neo4j_auth)
    _wait_for_batches(seeded_graph, source_id(file_sha256(path)), cli)
    os.killpg(cli.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group gets it
    assert cli.wait(timeout=300) == 130, cli.stderr.read().decode() if cli.stderr else ""
    assert _group_gone(cli.pid)  # the importer and its mapping child are both gone
    assert dump(seeded_graph) == before  # compensated


@pytest.mark.neo4j
def test_a_killed_importer_leaves_no_mapping_process(seeded_graph: Driver, neo4j_auth: tuple[str, str, str],
                                                     tmp_path: Path) -> None:
    path = tmp_path / "fa-40000.csv"
    generate_fa(40_000, path, 7)
    sid = source_id(file_sha256(path))
    cli = _start_cli(path, neo4j_auth)
    _wait_for_batches(seeded_graph, sid, cli)
    os.kill(cli.pid, signal.SIGKILL)  # only the importer: its child must notice on its own
    cli.wait(timeout=60)
    deadline = time.monotonic() + 120  # a wait for the child's exit, not a measurement
    while not _group_gone(cli.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        assert _group_gone(cli.pid)
    finally:  # the dead run's batches (a takeover would find them; test_import_takeover.py covers that)
        with seeded_graph.session() as session:
            bookkeeping.compensate(session, sid)
