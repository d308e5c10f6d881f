"""Warm Neo4j's compiled code before `/ready` says ready: replay the cookbook's statements until they stop
getting faster.

Why: Neo4j runs on the JVM, whose just-in-time compiler turns hot code into machine code only after many
thousands of calls. On a fresh Neo4j a trivial `RETURN 1` cost 1.8 ms of Neo4j CPU in its first 5,000 runs and
0.2 ms once the compiler had finished, some 30,000 statements later; for those first minutes the compiler threads
alone took half a core of the two this box has. Under the varied soak that made the first 20 s of a fresh server
the slowest by far (issue #14, session 13: the 10 s slices' p99 fell from 250 ms to 100 ms as Neo4j warmed). The
cookbook warm-up (`app/warm_up.py`) plans each statement once, which is far from enough calls.

So the statements the cookbook warm-up sent are recorded (`CypherRunner.recorder`) and replayed, two at a time
(Neo4j's worker threads run them side by side, as under load), round after round, until the JIT compiler goes
quiet (see below) or `seconds` have passed. On a Neo4j that is already warm (a second server, a restart of the API
alone) it stops within seconds (session 14: 6.7 s, against 26.7 s on the same Neo4j fresh). The
statements are reads of the cookbook's own shapes, the funding aggregates' streamed reads among them; the network
projection never reaches the recorder, and a statement slower than `HEAVY_MS` is replayed in the first round only
(on a grown graph an aggregate takes seconds: it warms by being run, and the rounds must stay short).

When does the compiler stop? The rounds' wall time is a poor witness: the compiler threads take CPU from the
replay on a small box, so rounds flatten while the compiler is still busy (session 14: the wall-time rule
stopped after 42 rounds, 4.7 s; replaying the full 30 s instead lowered the fresh soak's p99 from 108.8 ms to
87.8 ms and Neo4j's CPU a request from 2.9 ms to 1.8 ms). So where Neo4j lets the replay read its JVM's
compilation time (`dbms.queryJmx`, an admin procedure), the replay stops once the compiler has been nearly idle
(`jit_quiet`) over the last rounds; elsewhere the wall-time rule (`settled`) decides. Each round's compiler time
is reported in `/ready`.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString

logger = logging.getLogger("cbsi_graph.warm_up")
MIN_ROUNDS = 12  # rounds replayed before the times are compared at all
WINDOW = 6  # rounds in each of the two windows compared
GAP_WINDOWS = 3  # the earlier window ends this many windows before the newest
SETTLED_GAIN = 0.03  # the newest window must be this much faster than the earlier one, or the warm-up stops
CONCURRENCY = 2  # statements in flight at once
JIT_QUIET_SHARE = 0.02  # the compiler is quiet when it compiled for less than this share of the window's wall time
HEAVY_MS = 200.0  # a statement slower than this in the first round is not replayed again
COMPILATION_MS: LiteralString = (
    "CALL dbms.queryJmx('java.lang:type=Compilation') YIELD attributes "
    "RETURN attributes.TotalCompilationTime.value AS ms")


@dataclass
class Neo4jWarmUp:
    """How far the replay is, for `/ready`."""

    statements: int = 0  # distinct statements replayed each round
    rounds: int = 0
    failed: int = 0  # replayed statements that failed (counted, never raised)
    settled: bool = False  # stopped by its rule (the compiler quiet, or the rounds flat), not by the time limit
    seconds: float = 0.0
    round_ms: list[float] = field(default_factory=list)
    compile_ms: list[float] = field(default_factory=list)  # the JIT's time compiling during each round (if read)
    heavy: int = 0  # statements replayed in the first round only (slower than HEAVY_MS)

    def describe(self) -> dict[str, object]:
        first = round(self.round_ms[0], 1) if self.round_ms else None
        last = round(statistics.median(self.round_ms[-WINDOW:]), 1) if self.round_ms else None
        return {"statements": self.statements, "rounds": self.rounds, "failed": self.failed,
                "settled": self.settled, "seconds": round(self.seconds, 1), "first_round_ms": first,
                "last_rounds_ms": last, "heavy": self.heavy,
                "rule": "compiler" if self.compile_ms else "wall time",
                "compile_ms_first_rounds": [round(ms) for ms in self.compile_ms[:WINDOW]],
                "compile_ms_last_rounds": [round(ms) for ms in self.compile_ms[-WINDOW:]]}


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


def jit_quiet(round_ms: Sequence[float], compile_ms: Sequence[float], min_rounds: int = MIN_ROUNDS,
              window: int = WINDOW, share: float = JIT_QUIET_SHARE) -> bool:
    """Whether the JIT compiler was nearly idle over the newest `window` rounds: it compiled for less than `share`
    of their wall time (`compile_ms[i]` is its compiling time during round `i`), after at least `min_rounds`.

    >>> jit_quiet([100.0] * 12, [900.0] * 6 + [1.0] * 6, min_rounds=12, window=6)
    True
    >>> jit_quiet([100.0] * 12, [900.0] * 6 + [30.0] * 6, min_rounds=12, window=6)
    False
    >>> jit_quiet([100.0] * 6, [0.0] * 6, min_rounds=12, window=6)
    False
    """
    if len(round_ms) < max(min_rounds, window) or len(compile_ms) < window:
        return False
    return sum(compile_ms[-window:]) < share * sum(round_ms[-window:])


async def compilation_ms(runner: Any) -> float | None:
    """The JVM's total time spent compiling so far (ms), or None where Neo4j does not let this user read it."""
    try:
        rows = await runner.read_quiet(COMPILATION_MS)
        return float(rows[0]["ms"]) if rows and rows[0].get("ms") is not None else None
    except Exception:  # noqa: BLE001 - a Neo4j without the procedure or the right: the wall-time rule decides
        return None


async def replay_until_settled(runner: Any, statements: Sequence[tuple[str, dict[str, Any]]], state: Neo4jWarmUp,
                               seconds: float, heavy_ms: float = HEAVY_MS) -> Neo4jWarmUp:
    """Replay `statements` (each a Cypher text and its parameters) through `runner.replay`, round after round,
    until the compiler is quiet (`jit_quiet`, where its time can be read; else `settled`) or `seconds` have
    passed. A statement slower than `heavy_ms` in the first round is left out of the later ones (when none is
    left, the replay ends). Failures are counted, never raised."""
    unique: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for cypher, params in statements:
        unique.setdefault((cypher, repr(sorted(params.items()))), (cypher, params))
    replayed = list(unique.values())
    state.statements = len(replayed)
    started = time.monotonic()
    if not replayed or seconds <= 0:
        return state
    slow: set[int] = set()

    async def one_round(first: bool) -> None:
        queue = [i for i in range(len(replayed)) if i not in slow]

        async def worker() -> None:
            while queue:
                index = queue.pop()
                cypher, params = replayed[index]
                began = time.perf_counter()
                try:
                    await runner.replay(cypher, params)
                except Exception:  # noqa: BLE001 - a warm-up failure is reported in /ready, never fatal
                    state.failed += 1
                if first and (time.perf_counter() - began) * 1000.0 > heavy_ms:
                    slow.add(index)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

    compiled_total = await compilation_ms(runner)  # None: this user may not read it (the wall-time rule)
    try:
        while time.monotonic() - started < seconds:
            began = time.perf_counter()
            await asyncio.wait_for(one_round(state.rounds == 0),
                                   timeout=max(0.1, seconds - (time.monotonic() - started)))
            state.round_ms.append((time.perf_counter() - began) * 1000.0)
            state.rounds += 1
            if len(slow) == len(replayed):
                break
            if compiled_total is not None:
                now = await compilation_ms(runner)
                if now is not None:
                    state.compile_ms.append(max(0.0, now - compiled_total))
                compiled_total = now
            done = (jit_quiet(state.round_ms, state.compile_ms) if compiled_total is not None
                    else settled(state.round_ms))
            if done:
                state.settled = True
                break
    except TimeoutError:
        pass
    finally:
        state.seconds = time.monotonic() - started
        state.heavy = len(slow)
    logger.info("Neo4j warm-up: %d statements x %d rounds in %.1f s (first round %.1f ms, last %.1f ms; %s, %s)",
                state.statements, state.rounds, state.seconds, state.round_ms[0] if state.round_ms else 0.0,
                state.round_ms[-1] if state.round_ms else 0.0, "compiler" if state.compile_ms else "wall time",
                "settled" if state.settled else "time limit")
    return state
