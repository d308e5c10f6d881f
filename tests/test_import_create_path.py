"""An import batch CREATEs what it creates and MERGEs the rest (`neo4j_writer.write_batch`, `split_batch`): the
graph must be the one MERGE alone writes, also when two imports of files sharing programs run at once.

Before: every row was MERGEd. The comparison test fails when the split is wrong (a relationship between two
nodes that existed CREATEd again doubles it); the concurrency test fails when a batch reads which ids exist
before it holds the version lock (two batches both CREATE one program: the id constraint refuses the second);
the seed test fails when the seed bumps the version only at its end.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from bench.gen_aid_files import generate_fa
from graph_seed import neo4j_writer
from graph_seed.importers import import_files
from graph_seed.importers import sink as sink_module
from graph_seed.neo4j_writer import Batch, split_batch
from graph_seed.seed import seed
from tests.import_helpers import SAMPLES, WALL_CLOCK, dump, without

SAMPLE = SAMPLES / "fa_gov_El_Salvador_sample_100rows.csv"


def _row(node_id: str, **props: Any) -> dict[str, Any]:
    return {"id": node_id, "props": props, "aliases": []}


def _edge(start: str, end: str, **props: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "props": props}


def test_split_creates_only_what_is_new_and_not_repeated() -> None:
    batch = Batch(
        nodes={"Program": [_row("program:new"), _row("program:old"), _row("program:new")]},
        funding=[{"id": "funding:new", "program": "program:old", "props": {}},
                 {"id": "funding:old", "program": "program:old", "props": {}}],
        edges={"PARTICIPATES_IN": [_edge("agency:a", "program:new", role="funding"),
                                   _edge("agency:a", "program:new", role="implementing"),  # another role: new
                                   _edge("agency:a", "program:new", role="funding"),  # a repeat: MERGEd after
                                   _edge("agency:a", "program:old", role="funding")],  # both ends existed
               "PROVIDES": [_edge("agency:a", "funding:new"), _edge("agency:a", "funding:old")]},
    )
    split = split_batch(batch, existing={"program:old", "funding:old"})
    assert split.create_nodes == {"Program": [_row("program:new")]}
    assert split.merge_nodes == {"Program": [_row("program:old"), _row("program:new")]}
    assert [row["id"] for row in split.create_funding] == ["funding:new"]
    assert [row["id"] for row in split.merge_funding] == ["funding:old"]
    assert split.create_edges["PARTICIPATES_IN"] == [_edge("agency:a", "program:new", role="funding"),
                                                     _edge("agency:a", "program:new", role="implementing")]
    assert split.merge_edges["PARTICIPATES_IN"] == [_edge("agency:a", "program:new", role="funding"),
                                                    _edge("agency:a", "program:old", role="funding")]
    assert split.create_edges["PROVIDES"] == [_edge("agency:a", "funding:new")]
    assert split.merge_edges["PROVIDES"] == [_edge("agency:a", "funding:old")]


def _files(tmp_path: Path) -> tuple[Path, Path]:
    """File A (300 generated rows) and file B: all of A's rows (its programs, Funding and relationships exist
    once A is in) followed by 200 rows of other programs (new)."""
    first, other = tmp_path / "a.csv", tmp_path / "other.csv"
    generate_fa(300, first, 7)
    generate_fa(200, other, 8)
    with first.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with other.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        column = next(reader).index("Activity ID")
        extra = [[*row[:column], str(int(row[column]) + 100_000), *row[column + 1:]] for row in reader]
    second = tmp_path / "b.csv"
    with second.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows + extra)
    return first, second


@pytest.mark.neo4j
def test_create_path_writes_the_graph_merge_alone_writes(
        seeded_graph: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample and A, then B (existing and new records, cut into batches of 7 records), both ways."""
    first, second = _files(tmp_path)
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 7)
    sides: dict[str, int] = {"created": 0, "merged": 0, "merged edges": 0}
    real_split = neo4j_writer.split_batch

    def counting(batch: Batch, existing: set[str]) -> neo4j_writer.Split:
        split = real_split(batch, existing)
        sides["created"] += sum(map(len, split.create_nodes.values())) + len(split.create_funding)
        sides["merged"] += sum(map(len, split.merge_nodes.values())) + len(split.merge_funding)
        sides["merged edges"] += sum(map(len, split.merge_edges.values()))
        return split

    monkeypatch.setattr(neo4j_writer, "split_batch", counting)
    import_files(seeded_graph, "fa-csv", [SAMPLE, first])
    import_files(seeded_graph, "fa-csv", [second])
    split_graph = without(dump(seeded_graph), *WALL_CLOCK)

    seed(seeded_graph, reset=True, progress=lambda _message: None)

    def merge_everything(batch: Batch, existing: set[str]) -> neo4j_writer.Split:
        return neo4j_writer.Split(merge_nodes=batch.nodes, merge_funding=batch.funding, merge_edges=batch.edges)

    monkeypatch.setattr(neo4j_writer, "split_batch", merge_everything)  # every row MERGEd, as before
    import_files(seeded_graph, "fa-csv", [SAMPLE, first])
    import_files(seeded_graph, "fa-csv", [second])
    assert without(dump(seeded_graph), *WALL_CLOCK) == split_graph
    assert min(sides.values()) > 0, sides  # both sides of the split were written


def _comparable(state: tuple[tuple[Any, ...], tuple[Any, ...]]) -> tuple[Any, ...]:
    """A dump without wall-clock times and who created a shared record (the import that got there first), with
    `sources` as a set; checks on the way that each record's creator is one of its sources."""
    def props(items: tuple[Any, ...]) -> tuple[Any, ...]:
        found = dict(items)
        assert found.get("createdBy") is None or found["createdBy"] in found["sources"], found
        found.pop("createdBy", None)
        if "sources" in found:
            found["sources"] = tuple(sorted(found["sources"]))
        return tuple(sorted(found.items()))

    nodes, rels = without(state, *WALL_CLOCK)
    return (tuple(sorted((i, labels, props(p)) for i, labels, p in nodes)),
            tuple(sorted((a, t, b, props(p)) for a, t, b, p in rels)))


@pytest.mark.neo4j
def test_two_imports_sharing_programs_at_once_write_what_one_after_the_other_does(
        seeded_graph: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _files(tmp_path)
    monkeypatch.setattr(sink_module, "BATCH_SIZE", 50)
    import_files(seeded_graph, "fa-csv", [first])
    import_files(seeded_graph, "fa-csv", [second])
    one_after_the_other = _comparable(dump(seeded_graph))

    seed(seeded_graph, reset=True, progress=lambda _message: None)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(path: Path) -> None:
        try:
            start.wait()
            import_files(seeded_graph, "fa-csv", [path])
        except BaseException as exc:  # reported by the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(path,)) for path in (second, first)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _comparable(dump(seeded_graph)) == one_after_the_other


@pytest.mark.neo4j
def test_the_seed_takes_the_version_lock_before_anything_else(seeded_graph: Driver) -> None:
    """A seed transaction that has run only its first statement already holds the version node's lock: an
    import batch's bump waits for it (seen as a blocked transaction in `SHOW TRANSACTIONS`)."""
    waiting = "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n"
    with seeded_graph.session() as session, session.begin_transaction() as tx:
        neo4j_writer.write_records_tx(tx, [], [])  # nothing to write: only what every seed does first
        bumped = threading.Thread(target=lambda: seeded_graph.execute_query(neo4j_writer.BUMP_GRAPH_VERSION))
        bumped.start()
        blocked = False
        for _ in range(600):  # a bound against a hang, not a speed check
            if seeded_graph.execute_query(waiting).records[0]["n"]:
                blocked = True
                break
            bumped.join(0.1)
            if not bumped.is_alive():
                break
        tx.commit()
    bumped.join()
    assert blocked


def test_two_first_writers_make_one_version_node(seeded_graph: Driver) -> None:
    """On a graph without its `GraphMeta` node, two writers' first `LOCK_GRAPH_VERSION` MERGEs must make one
    node: the second waits for the first (the id constraint on `GraphMeta`). Without the constraint each sees
    no node and creates its own, and each then holds a lock on a different node. The version is put back
    one higher than it was, so caches of other tests see a move, never a return."""
    count = "MATCH (m:GraphMeta) RETURN count(m) AS n, max(m.version) AS version"
    before = seeded_graph.execute_query(count).records[0]["version"]
    seeded_graph.execute_query("MATCH (m:GraphMeta) DELETE m")
    try:
        with seeded_graph.session() as session, session.begin_transaction() as tx:
            tx.run(neo4j_writer.LOCK_GRAPH_VERSION).consume()
            second = threading.Thread(target=lambda: seeded_graph.execute_query(neo4j_writer.LOCK_GRAPH_VERSION))
            second.start()
            second.join(2.0)  # the second writer, unconstrained, would be done by now
            tx.commit()
        second.join()
        assert seeded_graph.execute_query(count).records[0]["n"] == 1
    finally:
        seeded_graph.execute_query("MATCH (m:GraphMeta) DELETE m")
        seeded_graph.execute_query("CREATE (:GraphMeta {id: 'graph', version: $v})", v=(before or 0) + 1)
