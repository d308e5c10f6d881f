"""Benchmark the `analysis` layer: wall time and peak memory of the projections and measures, per graph size.

Graphs: the curated seed (`analysis.from_records()`) and synthetic CBSI-shaped graphs from
`bench/gen_cooperation_graph.py` with N actors. Views (`cooperation_graph`, ...) are built in this process
(the measures need them); every measure runs in a forked child so a step that runs away is killed at the
`--budget` instead of hanging the benchmark, and its memory is its own. Steps known to be super-linear
(exact betweenness, Burt's constraint) are first timed on a sample and skipped when the estimate exceeds the
budget; the table then says "skipped: estimated ...".

Seconds: `time.perf_counter`, best of 3 when one run takes under a second, else one run. Peak MB: the peak
resident memory above the resident memory at the start of the step (Linux `VmHWM` after resetting it through
`/proc/self/clear_refs`; no tracemalloc, so the timings are not slowed down).

    .venv/bin/python bench/bench_analysis.py --sizes seed,10000 --output /tmp/analysis.md
    .venv/bin/python bench/bench_analysis.py --sizes seed,10000,100000 --neo4j --output bench/results/analysis.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import (  # noqa: E402
    affiliation_graph,
    affiliation_ties,
    brokerage_roles,
    centrality,
    cooperation_graph,
    coverage_gaps,
    from_records,
    funding_concentration,
    funding_graph,
    louvain,
    modularity,
    resource_flow_graph,
    structural_holes,
)
from bench.gen_cooperation_graph import generate  # noqa: E402

FAST = 1.0  # a run under this many seconds is repeated, and the best of 3 kept
SAMPLE_K = 100


@dataclass
class Row:
    """One line of the results table."""

    graph: str
    nodes: int
    edges: int
    step: str
    seconds: float | None
    peak_mb: float | None
    note: str = ""


# --- memory --------------------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> int:
    """Reset this process's peak RSS to its current RSS (Linux >= 4.0) and return the current RSS in kB."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass  # then VmHWM is the lifetime peak: the figure is an upper bound
    return _status_kb("VmRSS")


def _timed(fn: Callable[[], Any], repeats: int = 3) -> tuple[float, float, Any]:
    """(best seconds, peak MB above the start, result): one run, or best of `repeats` if it is fast."""
    base = _reset_peak()
    best, result = float("inf"), None
    for attempt in range(repeats):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
        if attempt == 0 and best >= FAST:
            break
    return best, max(0, _status_kb("VmHWM") - base) / 1024, result


def _in_child(fn: Callable[[], Any], budget: float) -> tuple[float | None, float | None, str]:
    """Run `_timed(fn)` in a forked child; kill it after `budget` seconds. Returns (seconds, MB, note)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        try:
            seconds, mb, result = _timed(fn)
            payload = {"seconds": seconds, "mb": mb, "note": _describe(result)}
        except BaseException as exc:
            payload = {"seconds": None, "mb": None, "note": f"failed: {type(exc).__name__}: {exc}"[:200]}
        os.write(write_end, json.dumps(payload).encode())
        os.close(write_end)
        os._exit(0)
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], budget)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        return None, None, f"killed after {budget:.0f} s (budget)"
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return None, None, f"child died (status {status})"
    payload = json.loads(b"".join(chunks))
    return payload["seconds"], payload["mb"], payload["note"]


def _describe(result: Any) -> str:
    """A short note on what a step returned (row count, or the text a step chose)."""
    if isinstance(result, str):
        return result
    if hasattr(result, "modularity") and hasattr(result, "communities"):
        return f"{len(result.communities)} communities, modularity {result.modularity:.3f}"
    if hasattr(result, "gaps"):
        return f"{len(result.themes)} themes x {len(result.countries)} countries, {len(result.gaps())} gaps"
    try:
        return f"{len(result)} rows"
    except TypeError:
        return ""


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


# --- the steps -----------------------------------------------------------------------------------------


class Bench:
    """Collects rows; writes the table after every graph so a late failure keeps the earlier results."""

    def __init__(self, budget: float, output: Path | None, command: str) -> None:
        self.budget = budget
        self.output = output
        self.command = command
        self.rows: list[Row] = []
        self.loads: list[str] = [f"start: {_uptime()}"]

    def add(self, row: Row) -> None:
        self.rows.append(row)
        secs = "-" if row.seconds is None else f"{row.seconds:.3f}"
        mb = "-" if row.peak_mb is None else f"{row.peak_mb:.1f}"
        print(f"  {row.graph:>12} {row.step:<44} {secs:>9} s {mb:>8} MB  {row.note}", flush=True)

    def step(self, graph: str, view: nx.Graph, name: str, fn: Callable[[], Any], note: str = "") -> float | None:
        seconds, mb, result_note = _in_child(fn, self.budget)
        self.add(Row(graph, view.number_of_nodes(), view.number_of_edges(), name, seconds, mb,
                     "; ".join(x for x in (note, result_note) if x)))
        return seconds

    def in_parent(self, graph: str, name: str, fn: Callable[[], Any], note: str = "", repeats: int = 3) -> Any:
        seconds, mb, result = _timed(fn, repeats)
        self.add(Row(graph, result.number_of_nodes(), result.number_of_edges(), name, seconds, mb, note))
        return result

    def run_graph(self, label: str, G: nx.MultiDiGraph) -> None:
        """Views, then every measure, on one graph."""
        coop = self.in_parent(label, "cooperation_graph", lambda: cooperation_graph(G))
        affil = self.in_parent(label, "affiliation_graph", lambda: affiliation_graph(G))
        flow = self.in_parent(label, "resource_flow_graph", lambda: resource_flow_graph(G))
        self.in_parent(label, "funding_graph", lambda: funding_graph(G))

        view_note = "on cooperation view"
        self.step(label, coop, "degree", lambda: centrality(coop, measures=["degree"]), view_note)
        k = min(SAMPLE_K, coop.number_of_nodes())
        sampled = self.step(label, coop, f"betweenness sampled (k={k}, seed=0)",
                            lambda: centrality(coop, measures=["betweenness"], k=k, seed=0), view_note)
        self._exact_betweenness(label, coop, k, sampled)
        self.step(label, coop, "eigenvector", lambda: centrality(coop, measures=["eigenvector"]), view_note)
        self.step(label, coop, "pagerank", lambda: centrality(coop, measures=["pagerank"]), view_note)
        self.step(label, coop, "louvain (seed=0) + modularity", lambda: _louvain_note(coop), view_note)
        self._constraint(label, coop)
        self.step(label, flow, "brokerage roles (Gould-Fernandez, label)", lambda: brokerage_roles(flow),
                  "on resource-flow view")
        self.step(label, affil, "affiliation ties (count/Newman/Jaccard)", lambda: affiliation_ties(affil),
                  "on affiliation view")
        for by in ("country", "funder"):
            self.step(label, G, f"concentration HHI/Gini by {by}", lambda by=by: funding_concentration(G, by=by),
                      "on full graph")
        self.step(label, G, "coverage gaps (objective+focus x country)", lambda: coverage_gaps(G), "on full graph")
        self.loads.append(f"after {label}: {_uptime()}")
        self.write()

    def _exact_betweenness(self, label: str, coop: nx.Graph, k: int, sampled: float | None) -> None:
        n = coop.number_of_nodes()
        name = "betweenness exact"
        if sampled is None:
            self.add(Row(label, n, coop.number_of_edges(), name, None, None, "skipped: the sampled run did not finish"))
            return
        estimate = sampled * n / max(k, 1)
        if estimate > self.budget:
            self.add(Row(label, n, coop.number_of_edges(), name, None, None,
                         f"skipped: estimated {_minutes(estimate)} (sampled time x n/k)"))
            return
        self.step(label, coop, name, lambda: centrality(coop, measures=["betweenness"]),
                  f"on cooperation view; estimated {_minutes(estimate)}")

    def _constraint(self, label: str, coop: nx.Graph) -> None:
        """Burt's measures, after a cost-model estimate: per node ~ d * (d^2 + sum of neighbour degrees)."""
        name = "constraint + effective size (Burt)"
        estimate, how = _constraint_estimate(coop, min(self.budget / 4, 60))
        if estimate is not None and estimate > self.budget:
            self.add(Row(label, coop.number_of_nodes(), coop.number_of_edges(), name, None, None,
                         f"skipped: estimated {_minutes(estimate)} ({how})"))
        else:
            note = "on cooperation view" + (f"; estimated {_minutes(estimate)}" if estimate is not None else "")
            self.step(label, coop, name, lambda: structural_holes(coop), note)
        self.step(label, coop, "  reference: nx.constraint(G) (nodes=None)", lambda: nx.constraint(coop),
                  "networkx sparse-matrix path, not analysis/")

    def write(self) -> None:
        if self.output is None:
            return
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.output.write_text(render(self), encoding="utf-8")


def _louvain_note(coop: nx.Graph) -> str:
    result = louvain(coop, seed=0)
    started = time.perf_counter()
    modularity(coop, result.communities)
    alone = time.perf_counter() - started
    return (f"{len(result.communities)} communities, modularity {result.modularity:.3f} "
            f"(modularity() alone {alone:.3f} s)")


def _constraint_cost(coop: nx.Graph, node: str) -> float:
    degree = coop.degree(node)
    return degree * (degree * degree + sum(coop.degree(m) for m in coop[node]))


def _constraint_estimate(coop: nx.Graph, sample_budget: float) -> tuple[float | None, str]:
    """Estimated seconds of `structural_holes(coop)`, from a sample and a two-part cost model.

    `structural_holes` passes its node list to networkx, which then takes the per-node pure-Python paths:
    `effective_size` builds an ego graph per node through `ego_graph(..., undirected=True)`, which copies the
    whole graph (`G.to_undirected()`) each time, so ~ n * (n + m); `constraint` recomputes every normalised
    mutual weight from scratch, ~ d * (d^2 + sum of neighbour degrees) per node. We time effective size on a
    few nodes (per-node constant) and constraint on the cheapest sampled nodes (seconds per cost unit), then
    scale each to the whole graph.
    """
    nodes = [n for n in coop if coop.degree(n) > 0]
    if not nodes:
        return None, "no ties"
    rng = random.Random(0)
    sample = sorted(rng.sample(nodes, min(300, len(nodes))), key=lambda n: _constraint_cost(coop, n))
    _, _, note = _in_child(lambda: _time_sample(coop, sample, sample_budget / 3), sample_budget)
    if not note.startswith("sample "):
        return float("inf"), f"the calibration sample did not finish in {sample_budget:.0f} s"
    _, eff_each, seconds, cost, count = note.split()
    total_cost = sum(_constraint_cost(coop, n) for n in nodes)
    effective = float(eff_each) * len(nodes)
    constraint = float(seconds) * total_cost / max(float(cost), 1.0)
    top = max(nodes, key=coop.degree)
    return effective + constraint, (
        f"effective size {float(eff_each):.3f} s/node x {len(nodes)} nodes = {_minutes(effective)}; constraint "
        f"{_minutes(constraint)} from {count} cheapest sampled nodes, cost ~ d*(d^2 + sum of neighbour degrees), "
        f"max degree {coop.degree(top)}"
    )


def _time_sample(coop: nx.Graph, sample: list[str], stop_after: float) -> str:
    """Effective size on 3 nodes (seconds each), then constraint node by node, cheapest first, for a while."""
    started = time.perf_counter()
    nx.effective_size(coop, sample[:3])
    eff_each = (time.perf_counter() - started) / 3
    spent, cost, count = 0.0, 0.0, 0
    for node in sample:
        started = time.perf_counter()
        nx.constraint(coop, [node])
        spent += time.perf_counter() - started
        cost += _constraint_cost(coop, node)
        count += 1
        if spent > stop_after:
            break
    return f"sample {eff_each:.6f} {spent:.4f} {cost} {count}"


# --- Neo4j -----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_neo4j(bench: Bench, reference: nx.MultiDiGraph) -> None:
    """Start a throwaway local Neo4j, seed it, time `from_neo4j` and check it equals `from_records`."""
    from neo4j import GraphDatabase

    from analysis import from_neo4j
    from app.local_neo4j import LocalNeo4j
    from graph_seed.seed import seed

    with tempfile.TemporaryDirectory(prefix="cbsi-bench-analysis-") as tmp:
        neo = LocalNeo4j(Path(tmp) / "neo4j", port=_free_port(), heap="1g", pagecache="256m")
        started = time.perf_counter()
        neo.start()
        start_s = time.perf_counter() - started
        try:
            with GraphDatabase.driver(neo.uri, auth=("neo4j", neo.password())) as driver:
                report = seed(driver, progress=lambda _: None)
                graph = bench.in_parent("seed (Neo4j)", "from_neo4j", lambda: from_neo4j(driver),
                                        note=f"Neo4j start {start_s:.1f} s, seed {report.seconds:.1f} s")
                same = nx.utils.graphs_equal(graph, reference) and sorted(graph.edges(keys=True)) == sorted(
                    reference.edges(keys=True))
                bench.rows[-1].note += "; same graph as from_records" if same else "; DIFFERS from from_records"
        finally:
            neo.stop()


# --- output ------------------------------------------------------------------------------------------------


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def render(bench: Bench) -> str:
    """The Markdown report: how it was run, the machine and its load, then the table."""
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Analysis layer benchmark",
        "",
        f"Command: `{bench.command}`",
        "",
        f"Machine: {os.cpu_count()} cores, {mem_gb:.0f} GiB; Python {platform.python_version()}, "
        f"networkx {nx.__version__}. Per-step budget {bench.budget:.0f} s.",
        "",
        "Load (other work shares the machine):",
        "",
        *[f"- {load}" for load in bench.loads],
        "",
        "Seconds: best of 3 for runs under 1 s, else one run. Peak MB: peak resident memory above the start "
        "of the step. Views run in the benchmark process; measures each in a forked child (killed at the "
        "budget). nodes/edges are those of the graph the step runs on. `seed` is `analysis.from_records()`; "
        "`gen-N` is `bench/gen_cooperation_graph.generate(N, seed=0)` (N actors).",
        "",
        "| graph | nodes | edges | step | seconds | peak MB | note |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for row in bench.rows:
        secs = "-" if row.seconds is None else f"{row.seconds:.3f}"
        mb = "-" if row.peak_mb is None else f"{row.peak_mb:.1f}"
        lines.append(f"| {row.graph} | {row.nodes} | {row.edges} | {row.step.strip()} | {secs} | {mb} | "
                     f"{row.note.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="seed,10000", help="comma-separated: seed and/or actor counts")
    parser.add_argument("--neo4j", action="store_true", help="also time from_neo4j on a seeded local Neo4j")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds a step may take before it is killed")
    parser.add_argument("--output", type=Path, help="write the Markdown table here")
    args = parser.parse_args()
    command = " ".join([".venv/bin/python", "bench/bench_analysis.py", *sys.argv[1:]])
    bench = Bench(args.budget, args.output, command)
    print(bench.loads[0], flush=True)

    seed_graph = bench.in_parent("seed", "from_records", from_records, note="read + build MultiDiGraph")
    if args.neo4j:
        bench_neo4j(bench, seed_graph)
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        if size == "seed":
            print("== seed", flush=True)
            bench.run_graph("seed", seed_graph)
            continue
        label = f"gen-{int(size)}"
        print(f"== {label}", flush=True)
        graph = bench.in_parent(label, "generate (bench generator)", lambda size=size: generate(int(size), seed=0),
                                note="not analysis/: synthetic input", repeats=1)
        bench.run_graph(label, graph)
        del graph
    bench.loads.append(f"end: {_uptime()}")
    bench.write()
    if args.output:
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
