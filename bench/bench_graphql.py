"""Requests per second and p50/p99 latency of every cookbook query at 1, 8 and 32 concurrent clients.

Runs against `cbsi-graph serve` on the local Neo4j (started here unless `--url` names a running server).
Each (query, concurrency) cell runs for `--seconds` after a short warm-up; every loop is bounded in time and
count, and traffic goes to 127.0.0.1 only. Prints a Markdown table (and writes it with `--output`).

    .venv/bin/python bench/bench_graphql.py --seconds 5 --output bench/results/graphql-cache.md

The report ends with the load average before and after the run (the client shares the 2 cores with the server
and Neo4j, so a busy machine shows in p99). `--write-bodies DIR` only writes each query's JSON body to
`DIR/<name>.json`, for `wrk -s bench/wrk_post.lua` to send the same bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_process import running_server

COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "queries"
MAX_REQUESTS_PER_CELL = 200_000


@dataclass(frozen=True)
class Cell:
    query: str
    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load_cookbook(folder: Path) -> dict[str, dict]:
    """Each `.graphql` file, with variables from a sibling `.json` file when there is one."""
    bodies = {}
    for path in sorted(folder.glob("*.graphql")):
        variables_file = path.with_suffix(".json")
        variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
        bodies[path.stem] = {"query": path.read_text(), "variables": variables}
    return bodies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run_cell(url: str, name: str, body: dict, clients: int, seconds: float) -> Cell:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        for _ in range(min(20, clients * 2)):  # warm-up
            await client.post("/graphql", json=body)
        stop_at = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop_at and len(latencies) < MAX_REQUESTS_PER_CELL:
                started = time.perf_counter()
                response = await client.post("/graphql", json=body)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    return Cell(name, clients, len(latencies), errors, elapsed,
                percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000)


def table(cells: list[Cell]) -> str:
    lines = ["| query | clients | requests | errors | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for c in cells:
        lines.append(f"| {c.query} | {c.clients} | {c.requests} | {c.errors} | {c.rps:.0f} | {c.p50_ms:.1f} | "
                     f"{c.p99_ms:.1f} |")
    return "\n".join(lines)


async def bench(url: str, bodies: dict[str, dict], concurrency: list[int], seconds: float) -> list[Cell]:
    cells = []
    for name, body in bodies.items():
        for clients in concurrency:
            cell = await run_cell(url, name, body, clients, seconds)
            print(f"{name:40} clients={clients:3} req/s={cell.rps:7.0f} p50={cell.p50_ms:6.1f}ms "
                  f"p99={cell.p99_ms:6.1f}ms errors={cell.errors}", flush=True)
            cells.append(cell)
    return cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one with its own local Neo4j)")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per query and concurrency")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--only", help="run only cookbook queries whose name contains this text")
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    parser.add_argument("--no-response-cache", action="store_true",
                        help="start the server with CBSI_RESPONSE_CACHE=false (every request runs its Cypher)")
    parser.add_argument("--write-bodies", type=Path, metavar="DIR",
                        help="only write each query's JSON request body to DIR/<name>.json (for wrk) and exit")
    args = parser.parse_args()
    bodies = load_cookbook(COOKBOOK)
    if args.only:
        bodies = {k: v for k, v in bodies.items() if args.only in k}
    if not bodies:
        print(f"no cookbook queries in {COOKBOOK}", file=sys.stderr)
        return 1
    if args.write_bodies:
        args.write_bodies.mkdir(parents=True, exist_ok=True)
        for name, body in bodies.items():
            encoded = json.dumps(body, separators=(",", ":"), ensure_ascii=False)  # as httpx's `json=` encodes
            (args.write_bodies / f"{name}.json").write_bytes(encoded.encode())
        return 0
    concurrency = [int(c) for c in args.concurrency.split(",")]
    load_before = os.getloadavg()
    if args.url:
        cells = asyncio.run(bench(args.url, bodies, concurrency, args.seconds))
    else:
        extra = {"CBSI_RESPONSE_CACHE": "false"} if args.no_response_cache else {}
        with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp) / "var", extra_env=extra) as url:
            cells = asyncio.run(bench(url, bodies, concurrency, args.seconds))
    report = table(cells)
    worst = max((c for c in cells if c.clients == 8), key=lambda c: c.p99_ms, default=None)
    if worst:
        report += f"\n\nWorst p99 at 8 clients: {worst.p99_ms:.1f} ms ({worst.query}); mean of all cells' p50: " \
                  f"{statistics.mean(c.p50_ms for c in cells):.1f} ms."
    load_after = os.getloadavg()
    report += f"\n\nLoad average (1, 5, 15 min) before: {' '.join(f'{x:.2f}' for x in load_before)}; " \
              f"after: {' '.join(f'{x:.2f}' for x in load_after)}."
    print(report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
