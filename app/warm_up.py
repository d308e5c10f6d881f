"""Plan the cookbook's Cypher before `/ready` says ready: Neo4j plans every new statement text once, slowly.

Why: a compiled statement (one per root field, `resolvers/selection_cypher.py`) with nested pages costs Neo4j
0.1-1.5 s of CPU to plan the first time its text is seen, and about 1-50 ms to run once planned. The texts
depend on the query's shape, not its values, so they repeat; but at start every shape is new, and eight
clients asking eight new shapes at once on two cores waited 1-5 s each (the varied soak's p99, measured in
`docs/benchmarks.md`, issue #14 session 8). So the server asks each cookbook query (`docs/queries/`, the
ones GraphiQL offers in its side bar) once, one at a time, through the real schema with a fresh context,
and `/ready` answers 503 "warming up" until that is done or `WARM_UP_LIMIT` has passed. It does not hide
anything: a shape outside the cookbook still pays its planning once, on its first request. The queries that
need the network projection (paths, knowledge coverage) are left out: their cost is reading the whole graph
into memory, not planning, and the server reads it when first asked and as the graph settles, as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import FragmentDefinitionNode, GraphQLError, OperationDefinitionNode, parse

from app.warm_neo4j import Neo4jWarmUp, replay_until_settled
from resolvers.network import NetworkCache, Projection
from schema.access import root_fields as access_root_fields
from schema.query import PROJECTION_ROOT_FIELDS

logger = logging.getLogger("cbsi_graph.warm_up")
WARM_UP_LIMIT = 120.0  # seconds: past this the server says ready anyway (a slow Neo4j must not keep it out)


@dataclass
class WarmUp:
    """How far the warm-up is, for `/ready`."""

    done: bool = False
    asked: int = 0
    failed: int = 0
    left_out: int = 0  # asked for the network projection (`WarmUpNetwork`)
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)
    neo4j: Neo4jWarmUp = field(default_factory=Neo4jWarmUp)  # the statements replayed (`app/warm_neo4j.py`)

    def describe(self) -> dict[str, object]:
        return {"queries": self.asked, "failed": self.failed, "left_out": self.left_out,
                "seconds": round(self.seconds, 1), "done": self.done, "neo4j": self.neo4j.describe()}


class ProjectionLeftOut(Exception):
    """The warm-up does not read the network projection."""


def root_fields(query: str) -> set[str]:
    """The Query fields a document asks for, through fragments at the root (`schema.access.root_fields`, which
    the admin check walks too); empty if it does not parse.

    >>> sorted(root_fields("{ paths(from: 1, to: 2) { length } ...F } fragment F on Query { x: coverage { gaps } }"))
    ['coverage', 'paths']
    """
    try:
        document = parse(query)
    except GraphQLError:
        return set()
    fragments = {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}
    return {name for node in document.definitions if isinstance(node, OperationDefinitionNode)
            for name in access_root_fields(node.selection_set, fragments)}


def asks_projection(query: str) -> bool:
    """True when the query asks a root field answered from the network projection (`PROJECTION_ROOT_FIELDS`)."""
    return bool(root_fields(query) & PROJECTION_ROOT_FIELDS)


class WarmUpNetwork(NetworkCache):
    """The warm-up's network cache: refuses the projection, so warming never reads the whole graph at start."""

    refused = 0  # how many times a query asked for it (the answer's error may be masked: count here)

    async def current_graph(self, runner: Any, version: int | None = None,
                            deadline: float | None = None) -> Projection:
        self.refused += 1
        raise ProjectionLeftOut


async def warm_up(schema: Any, make_context: Callable[[], Any], queries: Sequence[str], state: WarmUp,
                  limit: float = WARM_UP_LIMIT, neo4j_seconds: float = 0.0) -> WarmUp:
    """Ask each query once, in order; a failure is counted, never raised (the server must start anyway). Then,
    for up to `neo4j_seconds` (within `limit`), replay the statements they sent until Neo4j's compiled code
    settles (`app/warm_neo4j.py`).

    A query asking for the network projection is left out before it is asked (`asks_projection`). Should one
    reach the projection anyway (a root field missing from `PROJECTION_ROOT_FIELDS`), `WarmUpNetwork` refuses
    it and it counts as failed.
    """
    recorded: list[tuple[str, dict[str, Any]]] = []

    async def ask_all() -> None:
        for query in queries:
            state.asked += 1
            if asks_projection(query):
                state.left_out += 1
                continue
            try:
                context = make_context()
                context.runner.recorder = recorded
                network = getattr(context, "network", None)
                refused = getattr(network, "refused", 0)
                result = await schema.execute(query, context_value=context)
                if getattr(network, "refused", 0) > refused:
                    state.failed += 1
                    logger.warning("warm-up: a query reached the network projection; add its root field to "
                                   "PROJECTION_ROOT_FIELDS (schema/query.py)")
                elif result.errors:
                    state.failed += 1
            except Exception:  # noqa: BLE001 - a warm-up failure is reported in /ready, never fatal
                state.failed += 1
                logger.debug("warm-up query failed", exc_info=True)

    try:
        await asyncio.wait_for(ask_all(), timeout=limit)
        left = min(neo4j_seconds, limit - (time.monotonic() - state.started))
        if left > 0 and recorded:
            await replay_until_settled(make_context().runner, recorded, state.neo4j, left)
    except TimeoutError:
        logger.warning("warm-up stopped after %.0f s (%d of %d queries asked)", limit, state.asked, len(queries))
    finally:
        state.seconds = time.monotonic() - state.started
        state.done = True
    logger.info("warm-up: %d queries in %.1f s (%d failed)", state.asked, state.seconds, state.failed)
    return state
