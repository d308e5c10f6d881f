"""The Neo4j warm-up (`app/warm_neo4j.py`): when it stops, and what it replays, against the session's Neo4j."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase

from app.warm_neo4j import MIN_ROUNDS, WINDOW, Neo4jWarmUp, replay_until_settled, settled
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


def replay(neo4j_auth: tuple[str, str, str], statements: list[tuple[str, dict[str, Any]]],
           seconds: float) -> tuple[Neo4jWarmUp, CypherRunner]:
    uri, user, password = neo4j_auth
    state = Neo4jWarmUp()

    async def run() -> CypherRunner:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            runner = CypherRunner(driver, None, 10.0)
            await replay_until_settled(runner, statements, state, seconds)
            return runner
        finally:
            await driver.close()

    return state, asyncio.run(run())


@pytest.mark.neo4j
def test_each_distinct_statement_is_replayed_once_a_round_and_failures_are_counted(
        neo4j_auth: tuple[str, str, str]) -> None:
    statements = [("RETURN $x AS x", {"x": 1}), ("RETURN $x AS x", {"x": 1}), ("RETURN $x AS x", {"x": 2}),
                  ("RETURN 1 / $zero AS x", {"zero": 0})]
    state, runner = replay(neo4j_auth, statements, 20.0)
    assert state.statements == 3  # the repeated one once
    assert state.rounds == len(state.round_ms) >= MIN_ROUNDS
    assert runner.queries_sent == 3 * state.rounds
    assert state.failed == state.rounds  # the division by zero, every round, never raised
    assert state.settled or state.seconds >= 20.0
    described = state.describe()
    assert described["rounds"] == state.rounds and described["statements"] == 3


@pytest.mark.neo4j
def test_no_time_or_no_statements_replays_nothing(neo4j_auth: tuple[str, str, str]) -> None:
    state, runner = replay(neo4j_auth, [("RETURN 1 AS x", {})], 0.0)
    assert (state.rounds, runner.queries_sent) == (0, 0)
    state, runner = replay(neo4j_auth, [], 5.0)
    assert (state.statements, state.rounds, runner.queries_sent) == (0, 0, 0)
