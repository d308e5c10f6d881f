"""The Neo4j warm-up (`app/warm_neo4j.py`): when it stops, and what it replays, against the session's Neo4j."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase, Driver
from neo4j.exceptions import ClientError

from app.warm_neo4j import (
    COMPILATION_MS,
    MIN_ROUNDS,
    WINDOW,
    Neo4jWarmUp,
    jit_quiet,
    replay_until_settled,
    settled,
)
from resolvers import aggregates
from resolvers.cypher import CypherRunner


def test_rounds_that_keep_getting_faster_have_not_settled() -> None:
    cooling = [100.0 * 0.97 ** i for i in range(60)]  # 3% faster every round: a compiler still at work
    assert not any(settled(cooling[:n]) for n in range(1, 61))


def test_flat_rounds_settle_as_soon_as_they_are_compared() -> None:
    flat = [50.0, 52.0, 49.0, 51.0, 50.0, 50.5] * 10  # a Neo4j already warm: noise, no trend
    first = next(n for n in range(1, 61) if settled(flat[:n]))
    assert first == max(MIN_ROUNDS, 2 * WINDOW)


def test_rounds_that_level_off_settle_once_the_gain_is_gone() -> None:
    rounds = [100.0 * 0.9 ** i for i in range(20)] + [12.0] * 40
    first = next(n for n in range(1, 61) if settled(rounds[:n]))
    assert 20 < first <= 20 + 4 * WINDOW


def test_a_compiler_at_work_is_not_quiet_and_an_idle_one_is() -> None:
    rounds = [80.0] * 30
    busy = [40.0] * 30  # half of each round's wall time compiling
    assert not any(jit_quiet(rounds[:n], busy[:n]) for n in range(1, 31))
    idle_after_20 = [40.0] * 20 + [0.5] * 10
    first = next(n for n in range(1, 31) if jit_quiet(rounds[:n], idle_after_20[:n]))
    assert first == 20 + WINDOW  # as soon as the newest window holds idle rounds only
    assert not jit_quiet([80.0] * (MIN_ROUNDS - 1), [0.0] * (MIN_ROUNDS - 1))  # too few rounds to say


class NoJmxRunner(CypherRunner):
    """A runner on a Neo4j that refuses `dbms.queryJmx` to its user, as one without the admin role would."""

    async def read_quiet(self, cypher: Any, params: Any = None) -> list[dict[str, Any]]:
        if cypher == COMPILATION_MS:
            raise ClientError("Executing admin procedure 'dbms.queryJmx' permission has not been granted")
        return await super().read_quiet(cypher, params)


def replay(neo4j_auth: tuple[str, str, str], statements: list[tuple[str, dict[str, Any]]],
           seconds: float, runner_class: type[CypherRunner] = CypherRunner,
           heavy_ms: float = 200.0) -> tuple[Neo4jWarmUp, CypherRunner]:
    uri, user, password = neo4j_auth
    state = Neo4jWarmUp()

    async def run() -> CypherRunner:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            runner = runner_class(driver, None, 10.0)
            await replay_until_settled(runner, statements, state, seconds, heavy_ms=heavy_ms)
            return runner
        finally:
            await driver.close()

    return state, asyncio.run(run())


@pytest.mark.neo4j
def test_each_distinct_statement_is_replayed_once_a_round_and_failures_are_counted(
        neo4j_auth: tuple[str, str, str]) -> None:
    statements = [("RETURN $x AS x", {"x": 1}), ("RETURN $x AS x", {"x": 1}), ("RETURN $x AS x", {"x": 2}),
                  ("RETURN 1 / $zero AS x", {"zero": 0})]
    state, runner = replay(neo4j_auth, statements, 8.0)
    assert state.statements == 3  # the repeated one once
    assert state.rounds == len(state.round_ms) >= MIN_ROUNDS
    # the compiler's time is read before the first round and after each one (this user may read it)
    assert len(state.compile_ms) == state.rounds and min(state.compile_ms) >= 0.0
    assert runner.queries_sent == 3 * state.rounds + state.rounds + 1
    assert state.failed == state.rounds  # the division by zero, every round, never raised
    assert state.settled or state.seconds >= 8.0
    described = state.describe()
    assert described["rounds"] == state.rounds and described["statements"] == 3
    assert described["rule"] == "compiler"


@pytest.mark.neo4j
def test_without_the_compilers_time_the_wall_time_rule_decides(neo4j_auth: tuple[str, str, str]) -> None:
    state, runner = replay(neo4j_auth, [("RETURN $x AS x", {"x": 1})], 8.0, runner_class=NoJmxRunner)
    assert state.compile_ms == [] and state.describe()["rule"] == "wall time"
    assert state.rounds >= MIN_ROUNDS and runner.queries_sent == state.rounds
    assert state.settled == settled(state.round_ms)  # stopped by the wall-time rule, or else by the time limit
    assert state.settled or state.seconds >= 8.0


@pytest.mark.neo4j
def test_a_slow_statement_is_replayed_in_the_first_round_only(neo4j_auth: tuple[str, str, str]) -> None:
    statements = [("UNWIND range(1, $n) AS x RETURN x", {"n": 5000}), ("RETURN $x AS x", {"x": 1})]
    # every statement counts as slow (heavy_ms 0): both run once, then nothing is left to replay
    state, runner = replay(neo4j_auth, statements, 8.0, heavy_ms=0.0)
    assert (state.rounds, state.heavy, state.failed) == (1, 2, 0)
    assert runner.queries_sent == 2 + 1  # the two statements and the compiler's time before the round
    assert not state.settled and state.seconds < 8.0


@pytest.mark.neo4j
def test_no_time_or_no_statements_replays_nothing(neo4j_auth: tuple[str, str, str]) -> None:
    state, runner = replay(neo4j_auth, [("RETURN 1 AS x", {})], 0.0)
    assert (state.rounds, runner.queries_sent) == (0, 0)
    state, runner = replay(neo4j_auth, [], 5.0)
    assert (state.statements, state.rounds, runner.queries_sent) == (0, 0, 0)


@pytest.mark.neo4j
def test_the_aggregates_streamed_read_is_recorded_and_its_replay_reads_the_same_rows(
        seeded_graph: Driver, neo4j_auth: tuple[str, str, str]) -> None:
    uri, user, password = neo4j_auth

    async def run() -> tuple[list[tuple[str, dict[str, Any]]], int, int]:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            runner = CypherRunner(driver, None, 30.0)
            recorded: list[tuple[str, dict[str, Any]]] = []
            runner.recorder = recorded
            await aggregates.funding_aggregate(runner, ["country"], None, None)
            runner.recorder = None
            batches = await aggregates.funding_batches(runner, ["flowType", "country"], None, None)
            return recorded, len(batches), await runner.replay(*recorded[0])
        finally:
            await driver.close()

    recorded, batches, replayed_rows = asyncio.run(run())
    assert len(recorded) == 1 and "MATCH (n:Funding)" in recorded[0][0]
    assert recorded[0][1]["countries"] is True  # the parameters of the grouping asked for
    assert replayed_rows == batches > 0  # counted as streamed, none kept
