"""What the server knows about Neo4j being reachable, so requests fail at once while it is gone.

Why: with the driver's retries, every query took 3-7 s to answer `DATABASE_UNAVAILABLE` while Neo4j was down,
and a client retrying kept that many requests waiting. Once a query fails because Neo4j cannot be reached,
`Neo4jHealth` marks it down; later queries fail at once (no round trip) with the same retryable error, and a
single background probe checks connectivity every `probe_interval` seconds and clears the mark as soon as
Neo4j answers again: recovery needs no restart. `/ready` reports the reason and since when.

A Neo4j that accepts a query and then never answers (frozen, or cut off without a reset) is caught by the
server's own bound: a guarded call given the Neo4j-side time limit it runs under gets that many seconds plus
`answer_grace`; past them it fails as `ServiceUnavailable` and marks Neo4j down. Why here and not in the driver:
the driver bounds each socket read only when the server sends a receive-timeout hint, and pays a timer task per
read for it (about 15% of the server's CPU on a small query); the Neo4j the project starts sends no hint
(`app/neo4j_launcher`), so one timer per call replaces several.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from neo4j import AsyncDriver
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

logger = logging.getLogger("cbsi_graph.neo4j_health")
UNREACHABLE = (ServiceUnavailable, SessionExpired, OSError)
ANSWER_GRACE = 5.0  # seconds; a healthy Neo4j answers (or reports its own timeout) within its time limit


class Neo4jHealth:
    """Down or up, with the reason; one probe task at most while down."""

    def __init__(self, probe_interval: float = 0.5, probe_timeout: float = 1.0,
                 answer_grace: float = ANSWER_GRACE) -> None:
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout
        self.answer_grace = answer_grace  # seconds past a call's Neo4j time limit before it counts as no answer
        self.reason: str | None = None
        self.since: float | None = None  # time.time() of the first failure of this outage
        self._probe: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return self.reason is not None

    def check(self) -> None:
        """Raise ServiceUnavailable at once while Neo4j is known to be unreachable."""
        if self.reason is not None:
            raise ServiceUnavailable(f"Neo4j unreachable since {self.describe_since()}: {self.reason}")

    def describe_since(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.since or time.time()))

    def report_failure(self, error: BaseException, driver: AsyncDriver) -> None:
        """A query could not reach Neo4j: mark it down and start probing (once)."""
        reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:200] if str(error).strip() else ''}"
        if self.reason is None:
            self.since = time.time()
            logger.warning("Neo4j unreachable (%s); requests fail at once until it answers again", reason)
        self.reason = reason
        if self._probe is None or self._probe.done():
            with contextlib.suppress(RuntimeError):  # no running loop: nothing to probe from
                self._probe = asyncio.get_running_loop().create_task(self._watch(driver))

    def report_success(self) -> None:
        if self.reason is not None:
            logger.warning("Neo4j answers again after being unreachable since %s", self.describe_since())
        self.reason = self.since = None

    async def _watch(self, driver: AsyncDriver) -> None:
        while self.reason is not None:
            await asyncio.sleep(self.probe_interval)
            try:
                await asyncio.wait_for(driver.verify_connectivity(), timeout=self.probe_timeout)
            except (*UNREACHABLE, TimeoutError, Neo4jError) as exc:
                self.reason = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
                continue
            except Exception:  # noqa: BLE001 - a closed driver at shutdown: stop probing
                return
            self.report_success()

    async def guarded(self, driver: AsyncDriver, call: Any, seconds: float) -> Any:
        """Await `call` unless Neo4j is known to be down; a failure to reach it marks it down.

        `seconds`: the time limit Neo4j enforces on the call's transaction; the call is cancelled (and Neo4j
        marked down) when no answer has come `answer_grace` seconds after that limit.
        """
        if self.reason is not None:
            call.close()  # never started: no "coroutine was never awaited"
            self.check()
        limit = seconds + self.answer_grace
        bound = asyncio.timeout(limit)
        try:
            try:
                async with bound:
                    return await call
            except TimeoutError as exc:
                if not bound.expired():  # the call's own timeout error (an OSError), not this bound's
                    raise
                raise ServiceUnavailable(f"Neo4j did not answer within {limit:g} s") from exc
        except UNREACHABLE as exc:
            self.report_failure(exc, driver)
            raise
