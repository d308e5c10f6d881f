"""Committed batches with compensation: a failure after batches committed, a crash, a re-run, a no-op re-import,
import bookkeeping kept off the seed, and negative amounts (de-obligations, reversals)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph_seed import neo4j_writer
from graph_seed.importers import ImportInProgressError, bookkeeping, import_files, pipeline, writer
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import file_sha256, source_id
from graph_seed.seed import seed
from tests.import_helpers import SAMPLES, WALL_CLOCK, count, dump, one, without

FA = Path(__file__).parent / "fixtures" / "fa"
IATI = Path(__file__).parent / "fixtures" / "iati"
SAMPLE = "fa_gov_El_Salvador_sample_100rows.csv"
REAL_WRITE = neo4j_writer.write_batch


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, driver: Driver, n: int) -> dict[str, int]:
    """Make the n-th batch raise; records how many Funding nodes had committed at that moment."""
    calls = {"n": 0, "committed_funding": -1}

    def failing(tx: Any, source: str, batch: neo4j_writer.Batch) -> neo4j_writer.Counts:
        calls["n"] += 1
        if calls["n"] == n:
            calls["committed_funding"] = count(driver, "MATCH (f:Funding) RETURN count(f)")
            raise RuntimeError("injected failure")
        return REAL_WRITE(tx, source, batch)

    monkeypatch.setattr(sink_module, "BATCH_SIZE", 60)
    monkeypatch.setattr(neo4j_writer, "write_batch", failing)
    return calls


def _clean_run(driver: Driver, files: list[Path]) -> tuple[Any, Any]:
    """The state a clean import of `files` into the seeded graph ends in (wall-clock times left out)."""
    seed(driver, reset=True, progress=lambda _message: None)
    import_files(driver, "fa-csv", files)
    return without(dump(driver), *WALL_CLOCK)


@pytest.mark.neo4j
def test_failure_after_committed_batches_is_undone_then_rerun_equals_clean_run(
        seeded_graph: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [SAMPLES / SAMPLE, FA / "new_layout.csv"]
    before = dump(seeded_graph)
    calls = _fail_on_call(monkeypatch, seeded_graph, 5)
    with pytest.raises(RuntimeError, match="injected"):
        import_files(seeded_graph, "fa-csv", files)
    assert calls["committed_funding"] > 0  # batches had committed before the failure ...
    assert dump(seeded_graph) == before  # ... and were undone, `sources` of seed nodes included
    monkeypatch.setattr(neo4j_writer, "write_batch", REAL_WRITE)
    import_files(seeded_graph, "fa-csv", files)
    assert without(dump(seeded_graph), *WALL_CLOCK) == _clean_run(seeded_graph, files)


@pytest.mark.neo4j
def test_crash_leaves_importing_and_the_next_import_cleans_up(
        seeded_graph: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [SAMPLES / SAMPLE]
    sid = source_id(file_sha256(files[0]))
    _fail_on_call(monkeypatch, seeded_graph, 4)
    monkeypatch.setattr(pipeline, "_undo", lambda session, ids, owner: None)  # killed: no compensation ran
    with pytest.raises(RuntimeError, match="injected"):
        import_files(seeded_graph, "fa-csv", files)
    assert one(seeded_graph, "MATCH (s:Source {id: $id}) RETURN s.importStatus AS st", id=sid)["st"] == "importing"
    assert count(seeded_graph, "MATCH (n:Entity {createdBy: $id}) RETURN count(n)", id=sid) > 1  # partial data
    monkeypatch.setattr(neo4j_writer, "write_batch", REAL_WRITE)
    crashed = dump(seeded_graph)
    # Right after the crash the file still looks busy: a re-import is refused and writes nothing ...
    with pytest.raises(ImportInProgressError, match="another import of this file is running"):
        import_files(seeded_graph, "fa-csv", files)
    assert dump(seeded_graph) == crashed
    # ... until the dead run has made no progress for STALE_AFTER_SECONDS (here: its heartbeat is made older).
    seeded_graph.execute_query("MATCH (s:Source {id: $id}) SET s.importHeartbeat = timestamp() - $ms", id=sid,
                               ms=int(bookkeeping.STALE_AFTER_SECONDS * 1000) + 1000)
    summary = import_files(seeded_graph, "fa-csv", files)
    assert any("did not finish" in note for note in summary.notes)
    assert one(seeded_graph, "MATCH (s:Source {id: $id}) RETURN s.importStatus AS st", id=sid)["st"] == "complete"
    assert without(dump(seeded_graph), *WALL_CLOCK) == _clean_run(seeded_graph, files)


@pytest.mark.neo4j
def test_same_bytes_twice_is_a_noop_and_dry_run_still_validates(seeded_graph: Driver) -> None:
    files = [SAMPLES / SAMPLE, FA / "bad_rows.csv"]
    import_files(seeded_graph, "fa-csv", files)
    first = dump(seeded_graph)
    again = import_files(seeded_graph, "fa-csv", files)
    assert dump(seeded_graph) == first
    assert again.already_imported == [str(f) for f in files] and again.rows_read == 0
    assert (again.nodes_created, again.relationships_created) == (0, 0)
    checked = import_files(seeded_graph, "fa-csv", files, dry_run=True)
    assert checked.rows_read == 107 and checked.rows_skipped == 2 and len(checked.already_imported) == 2
    assert dump(seeded_graph) == first


@pytest.mark.neo4j
def test_bookkeeping_is_on_imported_records_only(seeded_graph: Driver) -> None:
    assert count(seeded_graph, "MATCH (n:Entity) WHERE n.createdBy IS NOT NULL OR n.importStatus IS NOT NULL "
                               "RETURN count(n)") == 0
    seed_ids = one(seeded_graph, "MATCH (n:Entity) RETURN collect(n.id) AS ids")["ids"]
    import_files(seeded_graph, "fa-csv", [SAMPLES / SAMPLE])
    assert count(seeded_graph, "MATCH (n:Entity) WHERE n.id IN $ids AND n.createdBy IS NOT NULL RETURN count(n)",
                 ids=seed_ids) == 0
    assert count(seeded_graph, "MATCH (n:Entity) WHERE NOT n:Source AND NOT n.id IN $ids AND n.createdBy IS NULL "
                               "RETURN count(n)", ids=seed_ids) == 0
    assert count(seeded_graph, "MATCH ()-[r]->() WHERE r.createdBy IS NULL AND 'src:file' IN "
                               "[s IN r.sources | substring(s, 0, 8)] RETURN count(r)") == 0


def _with_amounts(tmp_path: Path, changes: dict[int, tuple[str, str]]) -> Path:
    """new_layout.csv with (transaction type, amount) replaced on the given data rows."""
    with (FA / "new_layout.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows, header = list(reader), reader.fieldnames
    for index, (flow, amount) in changes.items():
        rows[index]["Transaction Type Name"], rows[index]["Current Dollar Amount"] = flow, amount
    path = tmp_path / "negative.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header or [])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.neo4j
def test_negative_adjustments_are_kept_and_negative_appropriations_refused(empty_graph: Driver,
                                                                          tmp_path: Path) -> None:
    path = _with_amounts(tmp_path, {0: ("Obligations", "-1250.50"), 1: ("Appropriated", "-10")})
    summary = import_files(empty_graph, "fa-csv", [path])
    assert [(p.line, p.field) for p in summary.problems] == [(3, "amount")]
    assert "greater than or equal to 0" in summary.problems[0].reason
    stored = one(empty_graph, "MATCH (f:Funding) WHERE f.amount < 0 RETURN f.flowType AS t, f.amountUsd AS usd")
    assert (stored["t"], stored["usd"]) == ("obligation", -1250.5)


@pytest.mark.neo4j
@pytest.mark.parametrize("name", ["xxe_file.xml", "malformed.xml"])
def test_bad_xml_after_a_good_file_leaves_no_source_behind(empty_graph: Driver, name: str) -> None:
    with pytest.raises(Exception, match=name):
        import_files(empty_graph, "iati", [IATI / "legacy_105.xml", IATI / name])
    assert count(empty_graph, "MATCH (n:Entity) RETURN count(n)") == 0


def test_import_sessions_do_not_print_missing_property_warnings(empty_graph: Driver) -> None:
    """A fresh graph has never stored `importHeartbeat`: the import's own sessions must not print Neo4j's
    "property key does not exist" warning over the progress bar (a plain session gets it: the check can fail)."""
    query = "MATCH (s:Source) RETURN s.neverStoredByAnyTestKey AS value"
    with empty_graph.session() as session:
        plain = session.run(query).consume()
    with writer.import_session(empty_graph, None) as session:
        quiet = session.run(query).consume()
    assert [status.gql_status for status in plain.gql_status_objects if status.is_notification] == ["01N52"]
    assert not [status for status in quiet.gql_status_objects if status.is_notification]
