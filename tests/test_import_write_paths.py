"""The two ways a batch is written - the `cbsi.importBatch` procedure of the project's Neo4j and plain
`UNWIND ... MERGE` Cypher for any other Neo4j - must leave exactly the same graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from neo4j.exceptions import ClientError

from graph_seed.importers import batch_write, import_files
from graph_seed.importers import sink as sink_module
from graph_seed.importers import writer as writer_module
from graph_seed.seed import seed
from tests.import_helpers import SAMPLES, dump, without

FA = Path(__file__).parent / "fixtures" / "fa"
IATI = Path(__file__).parent / "fixtures" / "iati"
REAL_WRITE = batch_write.write_batch


def _import_with(driver: Driver, monkeypatch: pytest.MonkeyPatch, use_procedure: bool,
                 steps: list[tuple[str, list[Path]]]) -> tuple[Any, set[bool]]:
    """Seed afresh, run the imports in small batches through one write path; the dump and the paths used."""
    used: set[bool] = set()

    def recording(tx: Any, source: str, batch: batch_write.Batch) -> batch_write.Counts:
        used.add(batch.server_side)
        return REAL_WRITE(tx, source, batch)

    monkeypatch.setattr(writer_module, "USE_PROCEDURE", use_procedure)
    monkeypatch.setattr(batch_write, "write_batch", recording)
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 40)  # many batches: nodes and edges met again later
    seed(driver, reset=True, progress=lambda _message: None)
    for kind, files in steps:
        import_files(driver, kind, files)  # type: ignore[arg-type]
    return without(dump(driver), "importedAt"), used


@pytest.mark.neo4j
def test_procedure_and_cypher_write_the_same_graph(seeded_graph: Driver,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    steps = [
        ("fa-csv", [SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv", FA / "new_layout.csv"]),
        ("iati", [SAMPLES / "iati-2.03-activity-standard-example-annotated.xml", IATI / "legacy_105.xml"]),
        ("fa-csv", [FA / "bad_rows.csv"]),  # a later file that touches what earlier ones created
    ]
    by_procedure, used_procedure = _import_with(seeded_graph, monkeypatch, True, steps)
    by_cypher, used_cypher = _import_with(seeded_graph, monkeypatch, False, steps)
    assert used_procedure == {True} and used_cypher == {False}  # each run really took its own path
    nodes, rels = by_procedure
    assert len(nodes) > 300 and len(rels) > 600  # the comparison covers a real import, not an empty graph
    assert by_procedure == by_cypher


@pytest.mark.neo4j
def test_procedure_refuses_a_label_that_is_not_a_name(empty_graph: Driver) -> None:
    batch = {"nodes": [{"labels": ["Entity", "Program`) DETACH DELETE (n"], "properties": ["name"],
                        "rows": [{"id": "program:x", "props": {"name": "x"}, "aliases": []}]}]}
    with pytest.raises(ClientError, match="not a label"):
        empty_graph.execute_query("CALL cbsi.importBatch($source, $batch)", source="src:test", batch=batch)
    records, _, _ = empty_graph.execute_query("MATCH (n:Entity) RETURN count(n) AS n")
    assert records[0]["n"] == 0


@pytest.mark.neo4j
def test_procedure_refuses_to_set_bookkeeping_properties(empty_graph: Driver) -> None:
    batch = {"nodes": [{"labels": ["Entity", "Program"], "properties": ["name", "createdBy"],
                        "rows": [{"id": "program:x", "props": {"name": "x", "createdBy": "someone"}}]}]}
    with pytest.raises(ClientError, match="not a settable property: createdBy"):
        empty_graph.execute_query("CALL cbsi.importBatch($source, $batch)", source="src:test", batch=batch)
