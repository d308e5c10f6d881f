"""In-process cost of each peer question with the compiled path on and off, and a hub of 100,000 neighbours.

Runs `schema.execute` (the whole Strawberry schema with its extensions, a real context, no HTTP) on a fresh
local Neo4j holding the seed plus a generated FA.gov import (as `bench/bench_peer.py` sets it up), alternating
compiled on/off per question, and reports per request: the Python process's CPU time, the wall time and the
Cypher round trips (medians of `--repeat` runs after 2 warm-ups). Then it adds one agency taking part in
100,000 programs (`--hub`) and times a nested `first: 5` page of that hub both ways.

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_compiled.py --output bench/results/compiled.md
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neo4j import AsyncGraphDatabase  # noqa: E402

from bench.peer_questions import QUESTIONS  # noqa: E402
from schema import QueryLimits, build_schema  # noqa: E402
from schema.compiled import STATE_KEY  # noqa: E402
from schema.context import GraphQLContext  # noqa: E402

HUB_QUERY = ('{ agency(id: "agency:bench-hub") { graphId programs(first: 5) { totalCount '
             "edges { role node { graphId name } } } } }")
ADD_HUB = """
MERGE (a:Entity:Actor:Agency {id: 'agency:bench-hub'}) SET a.name = 'Bench hub agency', a.sources = []
WITH a
UNWIND range(1, $n) AS i
CREATE (p:Entity:Program {id: 'program:bench-hub-' + toString(i), name: 'Hub program ' + toString(i),
                          sources: []})
CREATE (a)-[:PARTICIPATES_IN {role: 'funding', sources: []}]->(p)
"""


async def measure(uri: str, password: str, query: str, compiled: bool, repeat: int) -> dict[str, Any]:
    schema = build_schema(QueryLimits(), compiled=compiled)
    driver = AsyncGraphDatabase.driver(uri, auth=("neo4j", password))
    cpu, wall, trips, state, errors = [], [], 0, "", None
    try:
        for i in range(repeat + 2):
            context = GraphQLContext.create(driver, None, 30.0, 100)
            c0, w0 = time.process_time(), time.perf_counter()
            result = await schema.execute(query, context_value=context)
            c1, w1 = time.process_time(), time.perf_counter()
            if i >= 2:
                cpu.append((c1 - c0) * 1000)
                wall.append((w1 - w0) * 1000)
            trips, state, errors = context.runner.queries_sent, context.loaders.get(STATE_KEY, "-"), result.errors
    finally:
        await driver.close()
    return {"cpu": statistics.median(cpu), "wall": statistics.median(wall), "trips": trips, "state": state,
            "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="FA.gov rows to generate and import")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--hub", type=int, default=100_000, help="neighbours of the hub (0: no hub)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    from bench.fresh_neo4j import fresh_neo4j
    from bench.gen_aid_files import generate_fa
    from graph_seed.importers import import_files
    from graph_seed.seed import seed

    lines = [f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}", "",
             "| question | compiled | round trips | CPU ms | wall ms | served by |", "|---|---|---:|---:|---:|---|"]
    with tempfile.TemporaryDirectory() as tmp, fresh_neo4j() as (neo4j, driver):
        seed(driver)
        path = Path(tmp) / "fa.csv"
        generate_fa(args.rows, path, 7)
        import_files(driver, "fa-csv", [path])
        uri, password = neo4j.uri, neo4j.password()
        cases = [(q.name, q.ours) for q in QUESTIONS]
        if args.hub:
            with driver.session() as session:
                session.run(ADD_HUB, n=args.hub).consume()
            cases.append((f"hub-{args.hub}-first5", HUB_QUERY))
        for name, query in cases:
            for compiled in (False, True):
                figures = asyncio.run(measure(uri, password, query, compiled, args.repeat))
                if figures["errors"]:
                    raise SystemExit(f"{name}: {figures['errors']}")
                line = (f"| {name} | {'on' if compiled else 'off'} | {figures['trips']} | {figures['cpu']:.1f} | "
                        f"{figures['wall']:.1f} | {figures['state'] if compiled else 'resolvers'} |")
                print(line, flush=True)
                lines.append(line)
    lines += ["", f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}"]
    print("\n".join(lines))
    if args.output:
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
