"""Time `fundingAggregate` (cookbook 05 and 15, and a few more groupings) on the seed graph grown by a generated
ForeignAssistance.gov import, uncached, against `cbsi-graph serve` on a local Neo4j of its own.

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_aggregate.py --import-rows 30000 --home /tmp/agg

`--home` keeps the Neo4j store between runs (the import is done once), so the same grown graph can be timed
before and after a change. The query time limit is raised to 300 s so slow answers are timed, not cut off.

`--against REF` times instead the code of `REF` (its `resolvers/aggregates.py` and `analysis/money.py`, read with
`git show`) and the code here in turn, in this process on the same graph, `--repeat` times each interleaved, and
checks that both give the same answer (cents, as GraphQL rounds them) for each grouping: the Neo4j read and the
money split of `fundingAggregate`, without the GraphQL layer (which neither changes).

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_aggregate.py --home /tmp/agg --against d45bbae

`--memory` measures instead where a server's memory goes on that graph, in this process (`tracemalloc`, RSS and
glibc's malloc figures): the whole-graph read for the network projection (all rows held, as before session 7,
and streamed into the graph, as `resolvers.network.read_projection` does now), the projection itself, RSS after
dropping it with and without `malloc_trim`, and the rows one `fundingAggregate` read holds.

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_aggregate.py --home /tmp/agg --memory
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import types
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_aid_files import generate_fa  # noqa: E402
from serve_process import free_port, running_server  # noqa: E402

from app.memory_trace import malloc_summary, rss_mib  # noqa: E402
from app.neo4j_connection import async_driver, resolve_target, sync_driver  # noqa: E402
from app.settings import Settings  # noqa: E402
from resolvers import aggregates, network  # noqa: E402
from resolvers.cypher import CypherRunner  # noqa: E402
from resolvers.release_memory import release_freed_memory  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUERIES = {
    "05 by FISCAL_YEAR": "{ fundingAggregate(groupBy: [FISCAL_YEAR]) { groups { key { value } flowType totalUsd "
                         "count unconvertedCount minUsd maxUsd } leftOut { reason flowType count totalUsd } } }",
    "15 by COUNTRY": "{ fundingAggregate(groupBy: [COUNTRY]) { groups { key { value name } flowType totalUsd "
                     "statedUsd estimatedUsd count } leftOut { reason flowType count totalUsd } } }",
    "34 by RECIPIENT": "{ fundingAggregate(groupBy: [RECIPIENT]) { groupBy groups { key { dimension value name } "
                       "flowType totalUsd statedUsd estimatedUsd count } leftOut { reason flowType count totalUsd "
                       "fundingIds } } }",
    "by FUNDER, RECIPIENT": "{ fundingAggregate(groupBy: [FUNDER, RECIPIENT]) { groups { key { value } totalUsd "
                            "count } leftOut { reason count totalUsd } } }",
    "by PROGRAM, COUNTRY, FY": "{ fundingAggregate(groupBy: [PROGRAM, COUNTRY, FISCAL_YEAR]) { groups { key "
                               "{ value } totalUsd estimatedUsd count } leftOut { reason count } } }",
}


def profile(home: Path, neo4j_port: str) -> None:
    """PROFILE the statement `fundingAggregate(groupBy: [COUNTRY])` sends (whichever the code has), then time
    reading all its rows alone: the Neo4j and transfer share of the answer's time."""
    settings = Settings(_env_file=None, CBSI_DATA_DIR=home / "serve", CBSI_NEO4J_PORT=int(neo4j_port))
    driver = sync_driver(resolve_target(settings, start_local=False))
    dims = ["flowType", "country"]
    if hasattr(aggregates, "FUNDING_BATCHES"):
        name, cypher = "FUNDING_BATCHES", aggregates.FUNDING_BATCHES.format(where="true")
        params = {"flowType": None, **aggregates.needs(dims)}
    else:
        name, params = "FUNDING_FACTS", {"flowType": None}  # the code before the grouped statement
        cypher = str(getattr(aggregates, "FUNDING_FACTS")).format(where="true")  # noqa: B009
    try:
        with driver.session(notifications_min_severity="OFF") as session:
            profiled = session.run("PROFILE " + cypher, params)
            list(profiled)  # the profile is there once every row was read
            plan = profiled.consume().profile or {}

            def hits(node: dict) -> int:
                return int(node.get("dbHits", 0)) + sum(hits(c) for c in node.get("children", []))

            started = time.monotonic()
            rows = list(session.run(cypher, params))
            took = time.monotonic() - started
            funding = session.run("MATCH (n:Funding) RETURN count(n) AS n").single()["n"]  # type: ignore[index]
        print(f"{name} (groupBy COUNTRY): {len(rows):,} rows for {funding:,} Fundings, {hits(plan):,} db hits, "
              f"all rows read in {took * 1000:,.0f} ms", flush=True)
        if not hasattr(aggregates, "FUNDING_ROWS"):
            return
        # grouped inside Neo4j or one row per Funding, same load, in turn
        with driver.session(notifications_min_severity="OFF") as session:
            for dims in (["flowType", "program", "country", "fiscalYear"], ["flowType", "funder", "recipient"]):
                params = {"flowType": None, **aggregates.needs(dims)}
                spent: dict[str, list[float]] = {"FUNDING_BATCHES": [], "FUNDING_ROWS": []}
                counted: dict[str, int] = {}
                for _ in range(3):
                    for kind in spent:
                        cypher = getattr(aggregates, kind).format(where="true")
                        started = time.monotonic()
                        counted[kind] = len(list(session.run(cypher, params)))
                        spent[kind].append(time.monotonic() - started)
                print(f"groupBy {dims[1:]}: " + "; ".join(
                    f"{kind} {counted[kind]:,} rows read in {statistics.median(t) * 1000:,.0f} ms (median of 3)"
                    for kind, t in spent.items()), flush=True)
    finally:
        driver.close()


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


async def _memory(home: Path, neo4j_port: str) -> None:
    """Print where the memory goes (see the module docstring); every figure from this one process."""
    settings = Settings(_env_file=None, CBSI_DATA_DIR=home / "serve", CBSI_NEO4J_PORT=int(neo4j_port))
    driver = async_driver(resolve_target(settings, start_local=False))
    runner = CypherRunner(driver, None, 600.0)
    try:
        print(f"start: RSS {rss_mib():.0f} MiB; {malloc_summary()}", flush=True)
        tracemalloc.start()
        # 1. as before session 7: every row of both queries held, then the graph built from them
        _, nodes, edges = await runner.read_snapshot(network.GRAPH_VERSION, network.NODES_QUERY, network.EDGES_QUERY,
                                                     timeout=600.0)
        rows_held, _ = tracemalloc.get_traced_memory()
        graph = network.graph_from_records(nodes, edges)
        both, peak_all = tracemalloc.get_traced_memory()
        print(f"rows held: {len(nodes):,} node rows + {len(edges):,} edge rows = {_mib(rows_held)}; with the graph "
              f"built from them {_mib(both)} (peak {_mib(peak_all)})", flush=True)
        del nodes, edges
        gc.collect()
        graph_only, _ = tracemalloc.get_traced_memory()
        n, e = graph.number_of_nodes(), graph.number_of_edges()
        print(f"projection alone: {n:,} nodes, {e:,} edges = {_mib(graph_only)} "
              f"({graph_only / max(1, n + e):,.0f} bytes per node or edge)", flush=True)
        print(f"with both held: RSS {rss_mib():.0f} MiB; {malloc_summary()}", flush=True)
        del graph
        gc.collect()
        print(f"graph dropped: RSS {rss_mib():.0f} MiB; {malloc_summary()}", flush=True)
        released = release_freed_memory()
        print(f"after malloc_trim(0) (released: {released}): RSS {rss_mib():.0f} MiB; {malloc_summary()}", flush=True)
        # 2. streamed (resolvers.network.read_projection): rows a chunk at a time, built in a thread
        if hasattr(network, "read_projection"):
            tracemalloc.reset_peak()
            base, _ = tracemalloc.get_traced_memory()
            _, graph = await network.read_projection(runner, 600.0)
            now, peak = tracemalloc.get_traced_memory()
            print(f"streamed read: graph {_mib(now - base)}, peak during the read {_mib(peak - base)} "
                  f"(all rows held: peak {_mib(peak_all)}); RSS {rss_mib():.0f} MiB", flush=True)
            del graph
            gc.collect()
            release_freed_memory()
        # 3. one fundingAggregate: every batch held at once (as before session 7), then streamed (as now)
        await asyncio.sleep(0.5)  # let the executor drop its reference to the streamed graph
        gc.collect()
        for dims in (["flowType", "country"], ["flowType", "recipient"]):
            tracemalloc.reset_peak()
            base, _ = tracemalloc.get_traced_memory()
            batches = await aggregates.funding_batches(runner, dims, None, None)
            result = aggregates.money.aggregate_batches(batches, dims)
            now, peak = tracemalloc.get_traced_memory()
            print(f"fundingAggregate by {dims[1]}, all rows held: {len(batches):,} batches = {_mib(now - base)} "
                  f"with the result, peak {_mib(peak - base)}", flush=True)
            del batches, result
            gc.collect()
            tracemalloc.reset_peak()
            base, _ = tracemalloc.get_traced_memory()
            result = await aggregates.funding_aggregate(runner, dims, None, None)
            now, peak = tracemalloc.get_traced_memory()
            print(f"fundingAggregate by {dims[1]}, streamed: {len(result.groups):,} groups = {_mib(now - base)}, "
                  f"peak {_mib(peak - base)}", flush=True)
            del result
            gc.collect()
        tracemalloc.stop()
    finally:
        await driver.close()


COMPARED = {  # name -> groupBy (flowType is added unless one is chosen), as `fundingAggregate` takes them
    "05 by FISCAL_YEAR": ["fiscalYear"],
    "15 by COUNTRY": ["country"],
    "34 by RECIPIENT": ["recipient"],
    "by FUNDER, RECIPIENT": ["funder", "recipient"],
    "by PROGRAM, COUNTRY, FISCAL_YEAR": ["program", "country", "fiscalYear"],
}


def _code_at(ref: str) -> types.ModuleType:
    """`resolvers/aggregates.py` as it was at `ref`, calling `analysis/money.py` as it was at `ref`."""
    def load(path: str, name: str) -> types.ModuleType:
        text = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout
        module = types.ModuleType(name)
        module.__file__ = f"{ref}:{path}"
        sys.modules[name] = module  # dataclasses look their module up while the class is made
        exec(compile(text, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own code at a commit
        return module

    old_money = load("analysis/money.py", f"money_at_{ref}")
    old = load("resolvers/aggregates.py", f"aggregates_at_{ref}")
    old.money = old_money  # type: ignore[attr-defined]
    old.DIMENSIONS = old_money.DIMENSIONS  # type: ignore[attr-defined]
    return old


def _answer(result: Any) -> Any:
    """What GraphQL shows of an aggregate (amounts in cents), to compare two codes' answers."""
    groups = [(g.key, round(g.total_usd, 2), round(g.stated_usd, 2), round(g.estimated_usd, 2), g.count,
               len(g.unconverted), g.min_usd, g.max_usd) for g in result.groups]
    left = [(x.reason, x.flow_type, len(x.fundings), round(x.amount_usd, 2), sorted(x.fundings))
            for x in result.left_out]
    return groups, left


async def _compare(home: Path, neo4j_port: str, ref: str, repeat: int) -> None:
    """Time `REF`'s code and this code's in turn on one graph; print medians, rows read, and whether they agree."""
    settings = Settings(_env_file=None, CBSI_DATA_DIR=home / "serve", CBSI_NEO4J_PORT=int(neo4j_port))
    driver = async_driver(resolve_target(settings, start_local=False))
    runner = CypherRunner(driver, None, 600.0)
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)  # the statements' warnings, once per read
    codes = {ref: _code_at(ref), "this code": aggregates}
    print(f"| grouping | rows read: {ref} | rows read: this code | groups | {ref}: median (min) ms | this code: "
          "median (min) ms | same answer |\n|---|---:|---:|---:|---:|---:|---|", flush=True)
    try:
        for name, group_by in COMPARED.items():
            spent: dict[str, list[float]] = {label: [] for label in codes}
            answers: dict[str, Any] = {}
            for _ in range(repeat):
                for label, code in codes.items():
                    started = time.monotonic()
                    result = await code.funding_aggregate(runner, group_by, None, None)
                    spent[label].append(time.monotonic() - started)
                    answers[label] = _answer(result)
                    del result
            rows = {}
            for label, code in codes.items():
                dims = code.group_dimensions(group_by, None)
                rows[label] = len(await code.funding_batches(runner, dims, None, None))
            same = len({repr(a) for a in answers.values()}) == 1
            cells = " | ".join(f"{statistics.median(t) * 1000:,.0f} ({min(t) * 1000:,.0f})" for t in spent.values())
            print(f"| {name} | {rows[ref]:,} | {rows['this code']:,} | {len(answers[ref][0]):,} | {cells} | "
                  f"{'yes' if same else 'NO'} |", flush=True)
    finally:
        await driver.close()


def _hwm_mib() -> float:
    """This process's peak RSS so far (VmHWM), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _memory_untraced(home: Path, neo4j_port: str) -> None:
    """RSS, peak RSS and glibc's figures without `tracemalloc` (whose own bookkeeping is malloc'ed and would
    count as freed-but-kept memory): the streamed read first, then the read holding every row."""
    settings = Settings(_env_file=None, CBSI_DATA_DIR=home / "serve", CBSI_NEO4J_PORT=int(neo4j_port))
    driver = async_driver(resolve_target(settings, start_local=False))
    runner = CypherRunner(driver, None, 600.0)

    def show(what: str) -> None:
        print(f"{what}: RSS {rss_mib():.0f} MiB, peak {_hwm_mib():.0f} MiB; {malloc_summary()}", flush=True)

    try:
        show("start")
        _, graph = await network.read_projection(runner, 600.0)
        show(f"streamed read done ({graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges held)")
        del graph
        await asyncio.sleep(0.5)
        gc.collect()
        show("graph dropped")
        release_freed_memory()
        show("after malloc_trim(0)")
        _, nodes, edges = await runner.read_snapshot(network.GRAPH_VERSION, network.NODES_QUERY, network.EDGES_QUERY,
                                                     timeout=600.0)
        show("all rows held")
        graph = network.graph_from_records(nodes, edges)
        show("all rows and the graph held")
        del nodes, edges, graph
        gc.collect()
        show("all dropped")
        release_freed_memory()
        show("after malloc_trim(0)")
    finally:
        await driver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="data folder kept between runs")
    parser.add_argument("--import-rows", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="measure where the memory goes instead of timing")
    parser.add_argument("--against", metavar="REF", help="time the code at this git commit and this code in turn")
    parser.add_argument("--memory-untraced", action="store_true",
                        help="after the timings, RSS and glibc figures of the projection read without tracemalloc")
    args = parser.parse_args()
    home = args.home.resolve()
    neo4j_port = str(free_port())
    env_extra = {"CBSI_NEO4J_PORT": neo4j_port, "CBSI_RESPONSE_CACHE": "false", "CBSI_QUERY_TIMEOUT": "300"}
    marker = home / "imported.txt"
    with running_server(home / "serve", extra_env=env_extra) as url:
        if not marker.exists():
            fa = home / "fa.csv"
            generate_fa(args.import_rows, fa, 11)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "CBSI_"))}
            env.update(CBSI_DATA_DIR=str(home / "serve"), CBSI_NEO4J_PORT=neo4j_port)
            subprocess.run([sys.executable, "-m", "app.cli", "import", "fa-csv", str(fa)], env=env, cwd=ROOT,
                           check=True, capture_output=True)
            marker.write_text(f"{args.import_rows} rows\n")
        if args.memory:
            asyncio.run(_memory(home, neo4j_port))
            return
        if args.against:
            asyncio.run(_compare(home, neo4j_port, args.against, args.repeat))
            return
        try:
            profile(home, neo4j_port)
        except Exception as exc:  # a figure less, not a reason to lose the timings
            print(f"PROFILE failed: {type(exc).__name__}: {exc}", flush=True)
        for name, query in QUERIES.items():
            times, answer = [], {}
            for _ in range(args.repeat):
                started = time.monotonic()
                answer = httpx.post(f"{url}/graphql", json={"query": query}, timeout=600).json()
                times.append(time.monotonic() - started)
            groups = len(((answer.get("data") or {}).get("fundingAggregate") or {}).get("groups") or [])
            errors = [e.get("extensions", {}).get("code") for e in answer.get("errors") or []]
            print(f"| {name} | {statistics.median(times) * 1000:,.0f} | {min(times) * 1000:,.0f} | {groups} | "
                  f"{','.join(map(str, errors)) or '-'} |", flush=True)
        if args.memory_untraced:
            asyncio.run(_memory_untraced(home, neo4j_port))


if __name__ == "__main__":
    main()
