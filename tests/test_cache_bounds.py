"""The server's caches stay bounded under varied queries and a graph version that moves with every import batch.

Pure tests on the cache classes (no Neo4j, no clock): each bound is one that the soak (`bench/bench_soak.py`)
showed missing or too loose.
"""

from __future__ import annotations

import gc
import weakref

from graphql import parse

from resolvers.measure_store import MeasureStore, rows_of
from schema.bounded_lru import SEEN_PER_ENTRY
from schema.document_limits import PARSED_MAX_ENTRIES, ParsedDocuments


class Ranking(list[int]):
    """A stand-in for an `analysis` `Table`: a sized result (weak-referenceable, unlike a plain list)."""


def test_parsed_documents_are_bounded_by_count() -> None:
    parsed = ParsedDocuments()
    for n in range(PARSED_MAX_ENTRIES + 100):  # every text new, as varied page sizes and ids make them
        text = f"{{ programs(first: {n}) {{ totalCount }} }}"
        parsed.put(text, parse(text))
        parsed.put(text, parse(text))  # a text is kept from its second sight
    assert len(parsed.entries) == PARSED_MAX_ENTRIES
    assert parsed.get("{ programs(first: 0) { totalCount } }") is None  # least recently used first out
    assert parsed.get(f"{{ programs(first: {PARSED_MAX_ENTRIES + 99}) {{ totalCount }} }}") is not None


def test_parsed_documents_budget_counts_the_ast_not_the_text() -> None:
    # an AST costs ~64 bytes per character of its text: 2,000,000 characters held 121 MiB in the soak
    parsed = ParsedDocuments()
    field = "totalCount " * 180  # about 2,000 characters
    for n in range(200):
        text = f"{{ programs(first: {n}) {{ {field} }} }}"
        parsed.put(text, parse(text))
        parsed.put(text, parse(text))
    assert parsed.entries and parsed.chars == sum(len(text) for text in parsed.entries)
    assert parsed.chars * 64 <= 16 * 2**20


def test_a_text_seen_once_is_not_kept() -> None:
    # varied values make most texts one-off: a kept AST only fed the collector's oldest generation (session 10)
    parsed = ParsedDocuments()
    once, twice = "{ programs(first: 3) { totalCount } }", "{ programs(first: 4) { totalCount } }"
    parsed.put(once, parse(once))
    parsed.put(twice, parse(twice))
    assert parsed.get(twice) is None
    parsed.put(twice, parse(twice))
    assert parsed.get(once) is None and parsed.get(twice) is not None
    assert hash(twice) not in (parsed.seen or {})  # kept: no longer remembered as seen once


def test_the_texts_remembered_as_seen_once_are_bounded() -> None:
    parsed = ParsedDocuments(max_entries=4)
    for n in range(1_000):
        text = f"{{ programs(first: {n}) {{ totalCount }} }}"
        parsed.put(text, parse(text))
    assert not parsed.entries and parsed.seen is not None and len(parsed.seen) == SEEN_PER_ENTRY * 4
    oldest = "{ programs(first: 0) { totalCount } }"
    parsed.put(oldest, parse(oldest))  # forgotten: a first sight again
    assert parsed.get(oldest) is None


def test_measure_results_of_another_version_are_not_kept() -> None:
    store = MeasureStore()
    store.move_to(2)
    assert not store.put(1, "[1, \"paths\"]", Ranking([1]))  # a measure that ran on a superseded graph
    assert store.put(2, "[2, \"paths\"]", Ranking([1]))
    assert not store.fail(3, "[3, \"paths\"]", ValueError("from the future"))
    assert list(store.results) == ["[2, \"paths\"]"] and not store.failed


def test_moving_to_a_new_version_drops_results_and_errors() -> None:
    store = MeasureStore()
    for version in range(1, 50):  # every committed import batch moves the version
        store.move_to(version)
        store.put(version, f"{version}-degree", Ranking(range(10)))
        store.fail(version, f"{version}-paths", ValueError("no such node"))
    assert list(store.results) == ["49-degree"] and list(store.failed) == ["49-paths"]
    assert store.total_rows == 10


def test_measure_results_are_bounded_by_count_and_by_rows() -> None:
    store = MeasureStore(max_results=3, max_rows=1_000)
    store.move_to(1)
    for n in range(5):
        store.put(1, f"small-{n}", Ranking(range(10)))
    assert list(store.results) == ["small-2", "small-3", "small-4"]
    store.put(1, "ranking-a", Ranking(range(600)))
    assert list(store.results) == ["small-3", "small-4", "ranking-a"] and store.total_rows == 620
    store.put(1, "ranking-b", Ranking(range(600)))  # over both bounds: the least recently used go first
    assert list(store.results) == ["ranking-b"] and store.total_rows == 600
    store.put(1, "small-5", Ranking(range(10)))
    assert list(store.results) == ["ranking-b", "small-5"] and store.total_rows == 610
    store.put(1, "whole-graph", Ranking(range(5_000)))  # above the bound alone: kept, everything else goes
    assert list(store.results) == ["whole-graph"] and store.total_rows == 5_000


def test_rows_of_a_scalar_or_report_is_one() -> None:
    assert rows_of(Ranking(range(7))) == 7 and rows_of(Ranking()) == 1 and rows_of(3.5) == 1


def test_measure_errors_are_bounded_and_keep_no_frames() -> None:
    store = MeasureStore(max_failed=4)
    store.move_to(1)
    projection = Ranking(range(1_000))  # stands for the graph a failing measure's frame held
    held = weakref.ref(projection)

    def measure(graph: Ranking) -> None:
        raise ValueError(f"no path in a graph of {len(graph)} nodes")

    for n in range(10):
        try:
            measure(projection)
        except ValueError as error:
            store.fail(1, f"paths-{n}", error)
    assert list(store.failed) == [f"paths-{n}" for n in range(6, 10)]
    assert all(error.__traceback__ is None for error in store.failed.values())
    del projection
    gc.collect()
    assert held() is None  # the kept errors do not keep the graph alive
