"""Two runs never write the same file at once: the Source names its owning run and that run's last progress."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver

from graph_seed import neo4j_writer
from graph_seed.importers import (
    ImportInProgressError,
    ImportTakenOverError,
    bookkeeping,
    import_files,
)
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import file_sha256, source_id
from tests.import_helpers import SAMPLES, count, dump, one

SAMPLE = "fa_gov_El_Salvador_sample_100rows.csv"
REAL_WRITE = neo4j_writer.write_batch


@pytest.mark.neo4j
def test_a_file_another_run_is_importing_is_refused(seeded_graph: Driver) -> None:
    path = SAMPLES / SAMPLE
    sid = source_id(file_sha256(path))
    with seeded_graph.session() as session:
        assert bookkeeping.begin(session, sid, {"name": path.name}, owner="another-run")
        assert not bookkeeping.begin(session, sid, {"name": path.name}, owner="this-run")  # first one wins
    before = dump(seeded_graph)
    with pytest.raises(ImportInProgressError, match=f"{SAMPLE}: another import of this file is running"):
        import_files(seeded_graph, "fa-csv", [path])
    assert dump(seeded_graph) == before


@pytest.mark.neo4j
def test_a_run_taken_over_stops_and_leaves_its_successor_alone(seeded_graph: Driver,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = SAMPLES / SAMPLE
    sid = source_id(file_sha256(path))
    calls = {"n": 0}

    def paused_then_taken_over(tx: Any, source: str, batch: neo4j_writer.Batch) -> neo4j_writer.Counts:
        calls["n"] += 1
        if calls["n"] == 3:  # while this run was paused, another one took the file over
            seeded_graph.execute_query("MATCH (s:Source {id: $id}) SET s.importOwner = 'successor'", id=sid)
        return REAL_WRITE(tx, source, batch)

    monkeypatch.setattr(sink_module, "BATCH_SIZE", 60)
    monkeypatch.setattr(neo4j_writer, "write_batch", paused_then_taken_over)
    with pytest.raises(ImportTakenOverError, match="took it over"):
        import_files(seeded_graph, "fa-csv", [path])
    source = one(seeded_graph, "MATCH (s:Source {id: $id}) RETURN s.importOwner AS owner, s.importStatus AS st",
                 id=sid)
    assert source == {"owner": "successor", "st": "importing"}  # not undone, not marked complete
    # the two batches committed before the take-over stay for the successor (its compensation owns them now)
    assert count(seeded_graph, "MATCH (n:Entity {createdBy: $id}) RETURN count(n)", id=sid) > 1


@pytest.mark.neo4j
def test_a_finished_import_keeps_no_ownership_marks(seeded_graph: Driver) -> None:
    path = SAMPLES / SAMPLE
    import_files(seeded_graph, "fa-csv", [path])
    source = one(seeded_graph, "MATCH (s:Source {id: $id}) RETURN s.importStatus AS st, s.importOwner AS owner, "
                 "s.importHeartbeat AS beat", id=source_id(file_sha256(path)))
    assert source == {"st": "complete", "owner": None, "beat": None}
