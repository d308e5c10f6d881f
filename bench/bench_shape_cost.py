"""What each query of the varied soak costs on its own: server and Neo4j CPU per request, one client, in turn.

Why: the soak at 8 clients is bound by the CPU of two cores, and its p99 comes from the dear shapes; this names
them. Starts its own `cbsi-graph serve` on a fresh local Neo4j (seeded, response cache off, as the soak's
`--no-response-cache`), answers every shape `--warm` times (Neo4j's JIT and plan cache warm up), then sends each
shape `--requests` times in a row with the soak's varied values (`bench_soak.varied`; `--fixed`: one text, sent
again and again) and reads both processes' CPU time (`/proc`) around each shape's run. Every answer must have no
error.

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_shape_cost.py --output bench/results/shape-cost.md
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hostile import server_pid  # noqa: E402
from bench_soak import query_makers  # noqa: E402
from fresh_neo4j import cpu_seconds  # noqa: E402
from serve_process import free_port, running_server  # noqa: E402


def measure(url: str, pids: dict[str, int], warm: int, requests: int, fixed: bool) -> list[tuple[str, dict]]:
    rng = random.Random(1)
    made = query_makers()
    results = []
    with httpx.Client(base_url=url, timeout=60) as http:
        for _ in range(warm):
            for make in made.values():
                http.post("/graphql", json=make(rng))
        for name, make in made.items():
            bodies = [make(rng)] * requests if fixed else [make(rng) for _ in range(requests)]
            before = {who: cpu_seconds(pid) for who, pid in pids.items()}
            latencies = []
            for body in bodies:
                began = time.monotonic()
                answer = http.post("/graphql", json=body)
                latencies.append(time.monotonic() - began)
                if answer.status_code != 200 or answer.json().get("errors"):
                    raise SystemExit(f"{name}: {answer.status_code} {answer.text[:300]}")
            spent = {who: 1000 * (cpu_seconds(pid) - before[who]) / requests for who, pid in pids.items()}
            latencies.sort()
            results.append((name, {**spent, "p50": 1000 * latencies[len(latencies) // 2]}))
    return results


def report(results: list[tuple[str, dict]], warm: int, requests: int, fixed: bool) -> str:
    rows = sorted(results, key=lambda item: -(item[1]["server"] + item[1]["Neo4j"]))
    total = sum(cost["server"] + cost["Neo4j"] for _, cost in rows)
    lines = [f"CPU per request of each soak query alone: 1 client, {requests} requests per query "
             f"({'one text' if fixed else 'varied values'}), after {warm} warm-up rounds.", "",
             "| query | server ms | Neo4j ms | total ms | share | p50 ms |", "|---|---:|---:|---:|---:|---:|"]
    for name, cost in rows:
        both = cost["server"] + cost["Neo4j"]
        lines.append(f"| {name} | {cost['server']:.1f} | {cost['Neo4j']:.1f} | {both:.1f} | "
                     f"{100 * both / total:.0f}% | {cost['p50']:.1f} |")
    count = len(rows)
    lines += ["", f"Mean over the {count} queries: server {sum(c['server'] for _, c in rows) / count:.2f} ms, "
                  f"Neo4j {sum(c['Neo4j'] for _, c in rows) / count:.2f} ms, total {total / count:.2f} ms."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=15, help="warm-up rounds over every query (default 15)")
    parser.add_argument("--requests", type=int, default=40, help="requests per query (default 40)")
    parser.add_argument("--fixed", action="store_true", help="one text per query instead of varied values")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cbsi-shape-cost-") as tmp:
        neo4j_port = free_port()
        env = {"CBSI_NEO4J_PORT": str(neo4j_port), "CBSI_RESPONSE_CACHE": "false"}
        with running_server(Path(tmp) / "serve", extra_env=env) as url:
            server, neo4j = server_pid(int(url.rsplit(":", 1)[1])), server_pid(neo4j_port)
            if server is None or neo4j is None:
                raise SystemExit("the server or its Neo4j does not listen")
            results = measure(url, {"server": server, "Neo4j": neo4j}, args.warm, args.requests, args.fixed)
    text = report(results, args.warm, args.requests, args.fixed)
    print(text)
    if args.output:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
