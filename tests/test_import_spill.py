"""Bounded per-file state of the importers: the spill store, and that spilling changes no id, count or code.

No Neo4j needed: a dry run and a stand-in writer show exactly what would be written.
"""

from __future__ import annotations

import csv
import glob
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from graph_seed.importers import import_files, pipeline, spill
from graph_seed.importers import sink as sink_module
from graph_seed.importers.common import OccurrenceCounter, content_key, source_id
from graph_seed.importers.errors import StrictModeError
from graph_seed.importers.resolve import Resolver
from graph_seed.importers.summary import MAX_PROBLEMS, ImportSummary

FA = Path(__file__).parent / "fixtures" / "fa"
IATI = Path(__file__).parent / "fixtures" / "iati"


# -- the store ------------------------------------------------------------------------------------------
def test_spill_map_is_a_dict_whatever_it_keeps_in_memory() -> None:
    small = spill.SpillMap(capacity=4, bloom_bits=64)  # tiny: most entries live on disk, many false positives
    reference: dict[Any, Any] = {}
    for i in range(500):
        key: Any = f"program:fa:{i % 137}" if i % 2 else (i * 7919) % 211 - 100
        value = small.get(key, 0) + 1 if isinstance(key, int) else (*small.get(key, ()), str(i), None, "x\x1ey")
        small[key] = value
        reference[key] = value
        if i % 5 == 0:
            assert small.get("hot") is None or small.get("hot") == "usaid"
            small["hot"] = "usaid"
            reference["hot"] = "usaid"
    assert small.spilled > 0
    for key, value in reference.items():
        assert small.get(key) == value and key in small
    assert small.get("never") is None and "never" not in small
    assert small.get(10**6, "default") == "default"
    small.close()


def test_spill_values_round_trip_through_disk() -> None:
    values = [None, 0, -5, "", "plain", "\x1estarts with the mark", (), ("15130",), (None, "15130", "a\x1fb")]
    store = spill.SpillMap(capacity=2, bloom_bits=1 << 10)
    for i, value in enumerate(values):
        store[i] = value
    for i in range(100, 120):  # push the first ones to disk
        store[i] = i
    assert store.spilled >= len(values)
    assert [store.get(i, "missing") for i in range(len(values))] == values
    store.close()


def test_spill_file_lives_in_the_temp_dir_and_is_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = spill.SpillMap(capacity=2, bloom_bits=64)
    for i in range(10):
        store[i] = i
    assert store.spilled > 0 and store.get(0) == 0
    assert glob.glob(os.path.join(tmp_path, "cbsi-import-*")) == []  # unlinked while open (POSIX)
    store.close()
    log = spill.SpillLog(capacity=3)
    items = [f"program:fa:{i}" for i in range(10)]
    for item in items:
        log.append(item)
    assert list(log) == items and len(log) == 10
    log.close()
    assert os.listdir(tmp_path) == []


def test_occurrences_number_identical_flows_after_eviction() -> None:
    counter = OccurrenceCounter(capacity=4, bloom_bits=64)
    keys = [content_key("activity", n % 3) for n in range(3)]
    seen = []
    for round_ in range(3):
        for key in keys:
            assert counter.peek(key) == round_
            seen.append(counter.next(key))
        for n in range(50):  # other flows push these out of memory
            counter.next(content_key("filler", round_, n))
    assert seen == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    counter.close()


# -- exactness of whole imports ---------------------------------------------------------------------------
class _Capture:
    """A stand-in writer keeping every batch."""

    def __init__(self) -> None:
        self.batches: list[Any] = []

    def submit(self, batch: Any) -> None:
        self.batches.append(batch)


def _map(kind: str, path: Path, batch_size: int) -> tuple[list[Any], ImportSummary]:
    summary = ImportSummary(kind=kind)
    writer = _Capture()
    sink = sink_module.RecordSink(writer, source_id("0" * 64), batch_size=batch_size)
    pipeline._map_file(kind, path, "0" * 64, Resolver.from_graph(None, pipeline._MARKERS[kind]), sink, summary,
                       None)
    pipeline._account(summary, sink.labels, sink.types)
    sink.close()
    return writer.batches, summary


def _everything(batches: list[Any]) -> dict[str, Any]:
    funding = [row for batch in batches for row in batch.funding]
    return {
        "funding": [(row["id"], row["program"], row["props"]) for row in funding],
        "nodes": sorted(row["id"] for batch in batches for rows in batch.nodes.values() for row in rows),
        "touch": sorted(node for batch in batches for node in batch.touch),
        "edges": {(t, e["start"], e["end"], str(e["props"])) for batch in batches  # repeats per batch: MERGE
                  for t, rows in batch.edges.items() for e in rows},
        "codes": [(row["id"], row["codes"]) for batch in batches for row in batch.sector_codes],
        "programs": {row["id"]: row["props"] for batch in batches for row in batch.nodes.get("Program", [])},
    }


def _summary_facts(summary: ImportSummary) -> tuple[Any, ...]:
    return (summary.rows_read, summary.transactions, summary.funding, summary.programs, summary.activities,
            summary.organisations, summary.rows_skipped, [str(p) for p in summary.problems], summary.notes,
            sorted(summary.nodes_by_label.items()), sorted(summary.relationships_by_type.items()))


def _fa_file(tmp_path: Path) -> Path:
    """Identical rows far apart and side by side, programs whose rows disagree on the DAC code."""
    with (FA / "new_layout.csv").open(newline="", encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(handle))
    column = {name: i for i, name in enumerate(header)}
    out = []
    for n in range(60):
        row = list(rows[n % len(rows)])
        row[column["Activity ID"]] = f"ACT-{n % 7}"
        row[column["International Purpose Code"]] = ("15130", "15210", "", "16063")[n % 4]
        row[column["Current Dollar Amount"]] = str(1000 + n % 5)
        out.append(row)
    out += out[:25] * 2  # the same rows twice more, after everything else
    path = tmp_path / "dupes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *out])
    return path


@pytest.mark.parametrize("kind", ["fa-csv", "iati"])
def test_spilling_changes_no_id_count_or_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    path = _fa_file(tmp_path) if kind == "fa-csv" else IATI / "legacy_105.xml"
    if kind == "iati":  # the activity four times: its transactions recur, numbered -0 to -3
        text = path.read_text(encoding="utf-8")
        start, end = text.index("<iati-activity"), text.rindex("</iati-activity>") + len("</iati-activity>")
        path = tmp_path / "four.xml"
        path.write_text(text[:end] + text[start:end] * 3 + text[end:], encoding="utf-8")
    one_batch, roomy = _map(kind, path, batch_size=50_000)
    small_batches, small = _map(kind, path, batch_size=7)  # many batch boundaries
    monkeypatch.setattr(spill, "CAPACITY", 2)  # evict nearly everything: every lookup may go to disk
    monkeypatch.setattr(spill, "BLOOM_BITS", 64)
    tight_batches, tight = _map(kind, path, batch_size=7)
    assert len(one_batch) == 1 and len(tight_batches) > 3
    assert tight_batches == small_batches  # spilling changes nothing, byte for byte
    assert _everything(tight_batches) == _everything(one_batch)  # nor do batch boundaries (ids, codes)
    assert _summary_facts(tight) == _summary_facts(small)
    assert _summary_facts(tight)[:9] == _summary_facts(roomy)[:9]  # relationship counts are per batch
    ids = [row_id for row_id, _, _ in _everything(tight_batches)["funding"]]
    assert len(ids) == len(set(ids)) == tight.funding
    assert any(row_id.endswith("-2") for row_id in ids)  # identical flows were numbered
    if kind == "fa-csv":
        assert _everything(tight_batches)["codes"]  # programs gained extra DAC codes


def test_summary_keeps_the_first_problems_and_counts_all(tmp_path: Path) -> None:
    with (FA / "new_layout.csv").open(newline="", encoding="utf-8-sig") as handle:
        header, row = list(csv.reader(handle))[:2]
    bad = list(row)
    bad[header.index("Current Dollar Amount")] = "lots"
    path = tmp_path / "bad.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *[bad] * (MAX_PROBLEMS + 30), row])
    summary = import_files(None, "fa-csv", [path], dry_run=True)
    assert len(summary.problems) == MAX_PROBLEMS and summary.problems_cut
    assert summary.problem_count == summary.rows_skipped == MAX_PROBLEMS + 30
    assert summary.skipped_by_reason["row skipped"] == MAX_PROBLEMS + 30 and summary.funding == 1
    assert f"{MAX_PROBLEMS + 30} problem(s)" in summary.describe()
    assert f"(only the first {MAX_PROBLEMS} are kept)" in summary.describe()
    error = StrictModeError(summary.problems, summary.problem_count)
    assert f"{MAX_PROBLEMS + 30} bad row(s)" in str(error) and f"... and {MAX_PROBLEMS + 10} more" in str(error)
