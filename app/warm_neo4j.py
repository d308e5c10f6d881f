"""Warm Neo4j's compiled code before `/ready` says ready: replay the cookbook's statements until they stop
getting faster.

Why: Neo4j runs on the JVM, whose just-in-time compiler turns hot code into machine code only after many
thousands of calls. On a fresh Neo4j a trivial `RETURN 1` cost 1.8 ms of Neo4j CPU in its first 5,000 runs and
0.2 ms once the compiler had finished, some 30,000 statements later; for those first minutes the compiler threads
alone took half a core of the two this box has. Under the varied soak that made the first 20 s of a fresh server
the slowest by far (issue #14, session 13: the 10 s slices' p99 fell from 250 ms to 100 ms as Neo4j warmed). The
cookbook warm-up (`app/warm_up.py`) plans each statement once, which is far from enough calls.

So the statements the cookbook warm-up sent are recorded (`CypherRunner.recorder`) and replayed, two at a time
(Neo4j's worker threads run them side by side, as under load), round after round, until a round is no longer
faster than the rounds before it (`settled`) or `seconds` have passed. On a Neo4j that is already warm (a second
server, a restart of the API alone) the rounds are flat from the start and it stops after `MIN_ROUNDS`. The
statements are reads of the cookbook's own shapes; the heavy ones (the network projection, the funding
aggregates' streamed reads) never reach the recorder.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("cbsi_graph.warm_up")
MIN_ROUNDS = 12  # rounds replayed before the times are compared at all
WINDOW = 6  # rounds in each of the two windows compared
GAP_WINDOWS = 3  # the earlier window ends this many windows before the newest
SETTLED_GAIN = 0.03  # the newest window must be this much faster than the earlier one, or the warm-up stops
CONCURRENCY = 2  # statements in flight at once


@dataclass
class Neo4jWarmUp:
    """How far the replay is, for `/ready`."""

    statements: int = 0  # distinct statements replayed each round
    rounds: int = 0
    failed: int = 0  # replayed statements that failed (counted, never raised)
    settled: bool = False  # stopped because the rounds stopped getting faster (not by the time limit)
    seconds: float = 0.0
    round_ms: list[float] = field(default_factory=list)

    def describe(self) -> dict[str, object]:
        first = round(self.round_ms[0], 1) if self.round_ms else None
        last = round(statistics.median(self.round_ms[-WINDOW:]), 1) if self.round_ms else None
        return {"statements": self.statements, "rounds": self.rounds, "failed": self.failed,
                "settled": self.settled, "seconds": round(self.seconds, 1), "first_round_ms": first,
                "last_rounds_ms": last}


def settled(round_ms: Sequence[float], min_rounds: int = MIN_ROUNDS, window: int = WINDOW,
            gain: float = SETTLED_GAIN, gap: int = GAP_WINDOWS) -> bool:
    """Whether the rounds stopped getting faster: the median of the newest `window` rounds is not `gain` below the
    median of the `window` rounds that ended `gap` windows earlier (or, while fewer rounds exist, the first
    `window`), after at least `min_rounds`. The gap gives the compiler time to show progress through the noise.

    >>> settled([50, 40, 30, 20, 10, 9, 8, 7, 6, 5, 5, 5], min_rounds=6, window=3, gap=2)
    False
    >>> settled([10, 9, 8, 6, 6, 6, 6, 6, 6, 6, 6, 6], min_rounds=6, window=3, gap=2)
    True
    >>> settled([6, 6, 6], min_rounds=6, window=3)
    False
    """
    if len(round_ms) < max(min_rounds, 2 * window):
        return False
    newest = statistics.median(round_ms[-window:])
    end = max(window, len(round_ms) - gap * window)
    earlier = statistics.median(round_ms[end - window:end])
    return newest > earlier * (1.0 - gain)


async def replay_until_settled(runner: Any, statements: Sequence[tuple[str, dict[str, Any]]], state: Neo4jWarmUp,
                               seconds: float) -> Neo4jWarmUp:
    """Replay `statements` (each a Cypher text and its parameters) through `runner.read_quiet`, round after
    round, until `settled` or `seconds` have passed. Failures are counted, never raised."""
    unique: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for cypher, params in statements:
        unique.setdefault((cypher, repr(sorted(params.items()))), (cypher, params))
    replayed = list(unique.values())
    state.statements = len(replayed)
    started = time.monotonic()
    if not replayed or seconds <= 0:
        return state

    async def one_round() -> None:
        queue = list(replayed)

        async def worker() -> None:
            while queue:
                cypher, params = queue.pop()
                try:
                    await runner.read_quiet(cypher, params)
                except Exception:  # noqa: BLE001 - a warm-up failure is reported in /ready, never fatal
                    state.failed += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

    try:
        while time.monotonic() - started < seconds:
            began = time.perf_counter()
            await asyncio.wait_for(one_round(), timeout=max(0.1, seconds - (time.monotonic() - started)))
            state.round_ms.append((time.perf_counter() - began) * 1000.0)
            state.rounds += 1
            if settled(state.round_ms):
                state.settled = True
                break
    except TimeoutError:
        pass
    finally:
        state.seconds = time.monotonic() - started
    logger.info("Neo4j warm-up: %d statements x %d rounds in %.1f s (first round %.1f ms, last %.1f ms; %s)",
                state.statements, state.rounds, state.seconds, state.round_ms[0] if state.round_ms else 0.0,
                state.round_ms[-1] if state.round_ms else 0.0, "settled" if state.settled else "time limit")
    return state
