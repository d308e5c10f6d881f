"""Funding totals grouped by any of country, fiscal period, funder, recipient, program, objective, focus area
and flow type: one Cypher statement that groups the Fundings inside Neo4j by what the rules read of them
(`FUNDING_BATCHES`), then `analysis.money` shares each batch out - the same rules as the analysis.

Why batches and not one row per Funding: on a graph grown by a 30,000-row import, shipping and splitting every
Funding one by one took longer than the query time limit (issue #15's soak: `TIMEOUT`); Fundings that split
alike (same flow type, period, funders, programs, countries...) are split once with their summed amount.

The rules (`analysis.money` says them in full): figures of different `flowType`s are never summed together
(unless one `flowType` is chosen, `flowType` is always a grouping key); a figure is keyed by its period as what
it is (`FY2016`, `FY2016-FY2018`, `FY2010-`, `-FY2022`, `cumulative ...`, `undated`) and only the period kinds
asked for are summed, the rest reported as left out; attribution to countries follows one fall-back order
(stated ALLOCATED_TO shares, then OPERATES_IN percentages, then an equal split marked as estimated).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, LiteralString

from neo4j import READ_ACCESS, Query, Record

from analysis import money
from resolvers.background import BackgroundTasks
from resolvers.cypher import CypherRunner
from resolvers.row_feed import RowFeed
from resolvers.where import compile_where

DIMENSIONS = money.DIMENSIONS
CHUNK_ROWS = 1_000  # rows handed to the thread that shares them out, at once
MAX_CHUNKS_QUEUED = 4  # chunks waiting for it

# One row per batch of Fundings that the money rules read alike, grouped inside Neo4j: the grouping keys are what
# `analysis.money.FundingFacts.from_row` reads (the shape `facts_from_graph` builds), cut to what the requested
# dimensions need (`$funders`, `$recipients`, ...: a list not needed is empty, so it does not split the batches);
# the aggregates are the ids, the sum, min and max of `amountUsd`. The period is kept as its parts (a `date` only
# as its year, and only when no fiscal year is set: all `period_of` reads of it) when grouped by period, else as
# stand-ins of the same kind (`period_of` then reads only the kind: which figures are summed or left out); the
# funders only when grouped by funder, else only those that are also recipients (self-funding); the `amount` only
# when an ALLOCATED_TO share is stated as an amount (all `allocation_shares` reads of it); a single funded program's id,
# name and percentage only when grouped by program (one program takes the whole share), recipients' ids only
# when grouped by recipient (else only their countries are read). So a 30,000-Funding graph comes back as as
# many rows as there are different (flow type, period, attribution) combinations.
# The Funding's outgoing links are read in one expansion and split by type: a Funding's relationships are one chain
# (about 3 per Funding), which each typed expansion walked again (PROFILE by COUNTRY on the soak's grown graph:
# 1,336,388 db hits before, 1,185,679 after, same rows).
_FUNDING_FACTS = """
MATCH (n:Funding)
WHERE ({where}) AND ($flowType IS NULL OR n.flowType = $flowType)
WITH n, CASE WHEN $recipients OR $countries OR $programs
        THEN [(n)-[r:RECEIVED_BY|ALLOCATED_TO|FUNDS]->(m) | {{type: type(r), r: r, m: m}}] ELSE [] END AS links
WITH n,
     CASE WHEN $funders THEN [(a:Actor)-[:PROVIDES]->(n) | {{id: a.id, name: a.name}}] ELSE [] END AS funders,
     CASE WHEN $recipients THEN [x IN links WHERE x.type = 'RECEIVED_BY' | x.m] ELSE [] END AS recipientNodes,
     CASE WHEN $countries THEN [x IN links WHERE x.type = 'ALLOCATED_TO' | x] ELSE [] END AS allocationLinks,
     CASE WHEN $programs THEN [x IN links WHERE x.type = 'FUNDS' | x] ELSE [] END AS programLinks
WITH n, funders,
     [a IN recipientNodes WHERE a:Actor | {{id: a.id, name: a.name, country:
         CASE WHEN NOT $countries THEN null
              WHEN a:Government OR a:IntergovernmentalOrganization THEN {{id: a.id, name: a.name}}
              ELSE head([(a)-[:PART_OF*1..3]->(g:Government) | {{id: g.id, name: g.name}}]) END}}] AS recipients,
     reduce(acc = [], x IN allocationLinks | acc + [g IN [x.m] WHERE g:Entity |
         {{id: g.id, name: g.name, percentage: x.r.percentage, amount: x.r.amount}}]) AS allocations,
     reduce(acc = [], x IN programLinks | acc + [p IN [x.m] WHERE p:Program | {{
         id: p.id, name: p.name, percentage: x.r.percentage,
         countries: CASE WHEN $countries THEN
             [(p)-[o:OPERATES_IN]->(g:Government) | {{id: g.id, name: g.name, percentage: o.percentage}}] ELSE [] END,
         objectives: CASE WHEN $objectives THEN [(p)-[:ADVANCES]->(o:Objective) | {{id: o.id, name: o.name}}]
             ELSE [] END,
         focusAreas: CASE WHEN $focusAreas THEN [(p)-[:ADDRESSES]->(o:FocusArea) | {{id: o.id, name: o.name}}]
             ELSE [] END
     }}]) AS programs
WITH n, funders, allocations,
     // one funded program, not grouped by: its share is the whole, whatever it is; only its links are read
     CASE WHEN NOT $programIds AND size(programs) = 1
          THEN [p IN programs | {{id: '', name: null, percentage: null, countries: p.countries,
                                  objectives: p.objectives, focusAreas: p.focusAreas}}]
          ELSE programs END AS programs,
     // recipients not grouped by: only the countries they stand for are read
     CASE WHEN $recipientIds THEN recipients
          ELSE [r IN recipients | {{id: '', name: null, country: r.country}}] END AS recipients
WITH n, recipients, allocations, programs,
     // funders not grouped by: only whether a recipient is also a funder is read (self-funding)
     CASE WHEN $funderIds THEN funders ELSE [f IN funders WHERE f.id IN [r IN recipients | r.id]] END AS funders,
     CASE WHEN any(x IN allocations WHERE x.percentage IS NULL AND x.amount IS NOT NULL) THEN n.amount END AS amount,
     CASE WHEN n.fiscalYear IS NULL AND n.fiscalYearStart IS NULL AND n.fiscalYearEnd IS NULL AND n.date IS NOT NULL
          THEN left(toString(n.date), 4) END AS date
// not grouped by period: only the period's kind is read, so the years are kept as the kind's stand-ins (a fiscal year
// as 0; a span's ends as 0 when equal, else 0 and 1; a missing end stays missing)
RETURN n.flowType AS flowType,
       CASE WHEN $periods OR n.fiscalYear IS NULL THEN n.fiscalYear ELSE 0 END AS fiscalYear,
       CASE WHEN $periods OR n.fiscalYearStart IS NULL THEN n.fiscalYearStart
            WHEN n.fiscalYear IS NOT NULL THEN null ELSE 0 END AS fiscalYearStart,
       CASE WHEN $periods OR n.fiscalYearEnd IS NULL THEN n.fiscalYearEnd
            WHEN n.fiscalYear IS NOT NULL THEN null
            WHEN n.fiscalYearEnd = n.fiscalYearStart THEN 0 ELSE 1 END AS fiscalYearEnd,
       date, coalesce(n.cumulative, false) AS cumulative, amount, funders, recipients, allocations, programs,
"""
FUNDING_BATCHES = _FUNDING_FACTS + """
       collect(CASE WHEN n.amountUsd IS NOT NULL THEN n.id END) AS ids,
       collect(CASE WHEN n.amountUsd IS NULL THEN n.id END) AS unconverted,
       sum(n.amountUsd) AS usd, min(n.amountUsd) AS minUsd, max(n.amountUsd) AS maxUsd
"""

# The same facts, one row per Funding, for groupings whose batches cannot shrink: grouped by program (10,976
# programs on the soak's grown graph: 29,933 groups for 30,129 Fundings), grouping inside Neo4j on keys of nested
# lists and maps only costs time (issue #15: by PROGRAM, COUNTRY, FISCAL_YEAR took longer grouped than the
# per-Funding code it replaced). A row of one Funding is a batch of one. By recipient the batches do shrink once
# the years (not grouped by) and the funders (only the self-funding ones) are left out of the key.
FUNDING_ROWS = _FUNDING_FACTS + """
       [x IN [n] WHERE x.amountUsd IS NOT NULL | x.id] AS ids,
       [x IN [n] WHERE x.amountUsd IS NULL | x.id] AS unconverted,
       n.amountUsd AS usd, n.amountUsd AS minUsd, n.amountUsd AS maxUsd
"""
UNGROUPED_DIMENSIONS = frozenset({"program"})  # one row per Funding when grouped by program


def group_dimensions(group_by: list[str], flow_type: str | None) -> list[str]:
    """The grouping keys actually used: `flowType` is added unless one flow type was chosen."""
    dims = list(dict.fromkeys(group_by))
    if flow_type is None and "flowType" not in dims:
        dims.insert(0, "flowType")
    return dims


def needs(dims: list[str]) -> dict[str, bool]:
    """Which facts the money rules read for these dimensions (`analysis.money.parts`), as `FUNDING_BATCHES`
    parameters: what is not read is not fetched, and does not split the batches."""
    by_program = any(d in dims for d in money.PROGRAM_DIMENSIONS)
    return {"funders": "funder" in dims or "recipient" in dims, "recipients": "recipient" in dims or "country" in dims,
            "countries": "country" in dims, "programs": by_program, "objectives": "objective" in dims,
            "focusAreas": "focusArea" in dims, "programIds": "program" in dims, "recipientIds": "recipient" in dims,
            "funderIds": "funder" in dims, "periods": "fiscalYear" in dims}


def batch_of(row: Mapping[str, Any]) -> money.FundingBatch:
    """One `FUNDING_BATCHES` row as the batch of Fundings it stands for."""
    ids, unconverted = tuple(row["ids"]), tuple(row["unconverted"])
    facts = money.FundingFacts.from_row({**row, "id": (ids or unconverted)[0], "amountUsd": None})
    usd = float(row["usd"]) if ids else 0.0
    low, high = row["minUsd"], row["maxUsd"]
    return money.FundingBatch(facts, ids, unconverted, usd, None if low is None else float(low),
                              None if high is None else float(high))


def _statement(dims: list[str], where: dict[str, Any] | None,
               flow_type: str | None) -> tuple[LiteralString, dict[str, Any]]:
    condition, params = compile_where("Funding", where)
    statement = FUNDING_ROWS if UNGROUPED_DIMENSIONS & set(dims) else FUNDING_BATCHES
    return statement.format(where=condition), {**params, "flowType": flow_type, **needs(dims)}


async def funding_batches(runner: CypherRunner, dims: list[str], where: dict[str, Any] | None,
                          flow_type: str | None) -> list[money.FundingBatch]:
    """Every batch at once (benchmarks and tests; `funding_aggregate` streams them instead)."""
    cypher, params = _statement(dims, where, flow_type)
    return [batch_of(row) for row in await runner.read(cypher, params)]


async def funding_aggregate(
    runner: CypherRunner, group_by: list[str], where: dict[str, Any] | None, flow_type: str | None,
    period_kinds: Iterable[str] | None = None, include_estimates: bool = True,
) -> money.Aggregate:
    """The groups (and what was left out) for the Fundings matching `where` (and `flowType`).

    Why streamed into a worker thread (`resolvers.row_feed`): on the soak's grown graph one read by recipient
    held 28,608 rows (91 MiB at its peak) and split them on the event loop, on up to 8 requests at once (issue
    #15). Now at most `MAX_CHUNKS_QUEUED` chunks of `CHUNK_ROWS` rows wait while a thread shares each batch out
    as it comes. One auto-commit read with the runner's time limit, started again by the feed after a transient
    failure before its first row (after it, the failure is answered as `TRANSIENT`: the rows are consumed as read).
    """
    dims = group_dimensions(group_by, flow_type)
    kinds = None if period_kinds is None else list(period_kinds)
    cypher, params = _statement(dims, where, flow_type)
    feed = RowFeed(MAX_CHUNKS_QUEUED)
    runner.sending(cypher, params)

    async def read() -> None:
        # notifications off: Neo4j warns on every run about a relationship property no link holds yet (`percentage`)
        async with runner.driver.session(database=runner.database, default_access_mode=READ_ACCESS,
                                         notifications_min_severity="OFF") as session:
            await feed.read_chunks(await session.run(Query(cypher, timeout=runner.timeout), params), CHUNK_ROWS)

    def consume(rows: Iterator[Record]) -> money.Aggregate:
        return money.aggregate_batches((batch_of(row) for row in rows), dims, kinds, include_estimates)

    _, result = await feed.build_while(read, runner, consume, feed.rows())
    return result


class SharedAggregates:
    """Identical `fundingAggregate` requests at the same graph version share one computation while it runs.

    Why: the HTTP response cache keeps an answer only once it is computed; on a graph grown by an import one
    aggregate takes seconds, and 8 clients asking the same one at once (the soak after each version change) ran
    it 8 times side by side, until all timed out (issue #15). A request joins a computation only if it was
    started for the same graph version the request read, so the rows are at least as new as the request's
    version; nothing is kept once the computation ends (the response cache keeps answers). The computation
    runs as a task of its own: a request that gives up does not cancel it for the others.
    """

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Task[money.Aggregate]] = {}
        self._tasks = BackgroundTasks()
        self.started = 0  # computations started (tests check identical requests share one)

    async def get(self, runner: CypherRunner, version: int, group_by: list[str], where: dict[str, Any] | None,
                  flow_type: str | None, period_kinds: Iterable[str] | None = None,
                  include_estimates: bool = True) -> money.Aggregate:
        kinds = None if period_kinds is None else sorted(period_kinds)
        loop = asyncio.get_running_loop()
        key = json.dumps([id(loop), version, group_by, where, flow_type, kinds, include_estimates], sort_keys=True,
                         default=str)
        task = self._running.get(key)
        if task is None or task.get_loop() is not loop:
            task = self._tasks.start(loop, funding_aggregate(runner, group_by, where, flow_type, kinds,
                                                             include_estimates))
            self.started += 1
            self._running[key] = task
            task.add_done_callback(lambda done: self._running.pop(key, None) if self._running.get(key) is done
                                   else None)
        return await asyncio.shield(task)


SHARED = SharedAggregates()  # one per process: keys hold the event loop, entries live only while they run


def aggregate(rows: Iterable[dict[str, Any]], dims: list[str]) -> list[money.Group]:
    """The groups of rows shaped as `money.FundingFacts.from_row` reads (default periods, estimates included)."""
    return money.aggregate([money.FundingFacts.from_row(row) for row in rows], dims).groups
