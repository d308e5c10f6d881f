"""A request leaves no cyclic garbage from its parsed document or its executor, and the server's interpreter
settings are in force (`schema.document_limits.unlink_tokens`, `schema/execution.py`,
`app.interpreter`). Each check also runs the unfixed case, so it shows the garbage it rules out."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable, Iterator

import pytest
from graphql import DocumentNode, build_schema, execute, parse
from graphql.execution.incremental import IncrementalExecutor

from app.interpreter import SWITCH_INTERVAL, YOUNGEST_THRESHOLD, settle_before_serving
from schema.compiled import CompiledExecution
from schema.document_limits import unlink_tokens
from schema.execution import AcyclicExecution

QUERY = '{ government(id: "gov:JM") { name programs(first: 5) { edges { node { name } } } } }'
TOY = build_schema("type Query { a: String b(n: Int): [Int] }")


@pytest.fixture
def no_automatic_collection() -> Iterator[None]:
    """The collector runs only when the test says so, so what it finds is what the test left."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def unreachable_after(make: Callable[[], object]) -> int:
    """How many unreachable objects a full collection finds once what `make()` built is dropped."""
    gc.collect()
    built = make()
    del built
    return gc.collect()


def parsed(unlink: bool) -> DocumentNode:
    document = parse(QUERY)
    if unlink:
        unlink_tokens(document)
    return document


def test_a_parsed_document_is_freed_without_the_collector_once_unlinked(no_automatic_collection: None) -> None:
    tokens = unlink_tokens(parse(QUERY))
    assert unreachable_after(lambda: parsed(unlink=False)) >= tokens > 20  # its tokens, linked both ways
    assert unreachable_after(lambda: parsed(unlink=True)) == 0


def test_unlink_tokens_keeps_every_token_and_the_locations() -> None:
    document = parse(QUERY)
    before = []
    token = document.loc.start_token if document.loc else None
    while token is not None:
        before.append((token.kind, token.start, token.value))
        token = token.next
    assert unlink_tokens(document) == len(before)
    after = []
    token = document.loc.start_token if document.loc else None
    while token is not None:
        assert token.prev is None
        after.append((token.kind, token.start, token.value))
        token = token.next
    assert after == before
    assert (document.loc.start, document.loc.end) == (0, len(QUERY)) if document.loc else False


def run(executor_class: type, document: DocumentNode) -> object:
    result = execute(TOY, document, root_value={"a": "x", "b": lambda _info, n: list(range(n))},
                     executor_class=executor_class)
    assert not asyncio.iscoroutine(result)
    assert result.data == {"a": "x", "b": [0, 1, 2]} and result.errors is None  # type: ignore[union-attr]
    return result


def test_the_executor_lets_go_of_itself_once_the_response_is_built(no_automatic_collection: None) -> None:
    document = parse("{ a b(n: 3) }")
    unlink_tokens(document)  # the document stays alive: what is found below is the executor's alone
    assert unreachable_after(lambda: run(IncrementalExecutor, document)) > 0  # graphql-core's own executor
    assert unreachable_after(lambda: run(CompiledExecution, document)) == 0
    assert unreachable_after(lambda: run(AcyclicExecution, document)) == 0  # the plain path's (not compiled)


def test_the_server_freezes_what_it_built_collects_the_young_less_often_and_switches_threads_sooner() -> None:
    before, interval = gc.get_threshold(), sys.getswitchinterval()
    try:
        settle_before_serving()
        assert gc.get_threshold() == (YOUNGEST_THRESHOLD, before[1], before[2]) != before
        assert gc.get_freeze_count() > 0
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL) and interval > SWITCH_INTERVAL
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
        sys.setswitchinterval(interval)
