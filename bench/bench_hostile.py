"""Hostile requests against `cbsi-graph serve` (issue 15): how fast each is refused, and whether `/health`
and a small query stay fast while it is.

For each attack (fragment bombs and variants, a body over the limit, a 10 MB field name, deep JSON, a long
search, invalid UTF-8), sends it `--repeat` times and reports the median and worst answer time, the status and
error code, and the median `/health` and small-query times measured by a second client during the attack.
Also the server's RSS before and after sending `--big` large bodies. Traffic goes to 127.0.0.1 only; every
loop is bounded in count.

    .venv/bin/python bench/bench_hostile.py --repeat 20 --output bench/results/hostile.md
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_process import running_server  # noqa: E402


def bomb(levels: int, leaf: str = "graphStats { nodes { label } }") -> str:
    fragments = [f"fragment F0 on Query {{ {leaf} }}"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f"{{ ...F{levels - 1} }}\n" + "\n".join(fragments)


def attacks() -> dict[str, bytes]:
    def body(query: str, variables: object = None) -> bytes:
        return json.dumps({"query": query, "variables": variables}).encode()

    return {
        "bomb 20 levels": body(bomb(20)),
        "bomb 40 levels": body(bomb(40)),
        "bomb on __typename": body(bomb(30, "__typename")),
        "bomb with aliases": body(bomb(30, "a: __typename b: __typename")),
        "10 MB field name": body("{ " + "q" * 10_000_000 + " }"),
        "15k field name": body("{ " + "q" * 15_000 + " }"),
        "JSON 100k deep": b'{"query": "{ __typename }", "variables": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "search 50k letters": body("query($t: String!) { search(text: $t) { score } }", {"t": "a" * 50_000}),
        "search 1,100 words": body("query($t: String!) { search(text: $t) { score } }", {"t": "word " * 1_100}),
        "invalid UTF-8": b'{"query": "{ __typename }", "x": "\xff"}',
        "wrong variable type": body("query($n: Int!) { programs(first: $n) { edges { node { name } } } }",
                                    {"n": "x"}),
    }


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_pid(port: int) -> int | None:
    """The pid of the process listening on `port` (our own serve), from /proc."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
                inode = fields[9]
    if inode is None:
        return None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if any(os.readlink(fd) == f"socket:[{inode}]" for fd in (entry / "fd").iterdir()):
                    return int(entry.name)
            except OSError:
                continue
    return None


def probe(url: str, stop: threading.Event, health: list[float], small: list[float]) -> None:
    with httpx.Client(timeout=30) as client:
        for _ in range(10_000):
            if stop.is_set():
                return
            started = time.perf_counter()
            client.get(f"{url}/health")
            health.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.post(f"{url}/graphql", json={"query": '{ program(id: "program:cfyr") { name } }'})
            small.append(time.perf_counter() - started)
            time.sleep(0.01)


def run(url: str, repeat: int, big: int) -> str:
    lines = ["| attack | request bytes | status / code | median ms | worst ms | /health median ms | small query "
             "median ms |", "|---|---:|---|---:|---:|---:|---:|"]
    with httpx.Client(timeout=60) as client:
        for name, payload in attacks().items():
            times: list[float] = []
            health: list[float] = []
            small: list[float] = []
            stop = threading.Event()
            prober = threading.Thread(target=probe, args=(url, stop, health, small))
            prober.start()
            outcome = ""
            for _ in range(repeat):
                started = time.perf_counter()
                try:
                    response = client.post(f"{url}/graphql", content=payload,
                                           headers={"content-type": "application/json"})
                except httpx.HTTPError as exc:  # refused and closed before the whole body was sent
                    times.append(time.perf_counter() - started)
                    outcome = f"closed ({type(exc).__name__})"
                    continue
                times.append(time.perf_counter() - started)
                try:
                    code = response.json()["errors"][0]["extensions"]["code"]
                except (ValueError, KeyError, IndexError, TypeError):
                    code = "-"
                outcome = f"{response.status_code} {code}"
            stop.set()
            prober.join()
            lines.append(f"| {name} | {len(payload):,} | {outcome} | {statistics.median(times) * 1000:.1f} | "
                         f"{max(times) * 1000:.1f} | {statistics.median(health or [0]) * 1000:.1f} | "
                         f"{statistics.median(small or [0]) * 1000:.1f} |")
    port = int(url.rsplit(":", 1)[1])
    pid = server_pid(port)
    if pid is not None:
        before = rss_mib(pid)
        with httpx.Client(timeout=120) as client:
            for index in range(big):
                big_body = b'{"query": "{ ' + str(index).encode() * 5_000_000 + b' }"}'
                with contextlib.suppress(httpx.HTTPError):  # answered 413 and closed before the body was sent
                    client.post(f"{url}/graphql", content=big_body, headers={"content-type": "application/json"})
        lines.append("")
        lines.append(f"Server RSS: {before:.0f} MiB before, {rss_mib(pid):.0f} MiB after {big} different "
                     "5-10 MB bodies (each refused with 413).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one on a fresh local Neo4j)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--big", type=int, default=12, help="large bodies sent for the memory check")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--in-process", action="store_true", help="only time the document checks, no server")
    args = parser.parse_args()
    load = os.getloadavg()
    if args.in_process:
        report = in_process(args.repeat)
    elif args.url:
        report = run(args.url, args.repeat, args.big)
    else:
        with tempfile.TemporaryDirectory() as home, running_server(Path(home)) as url:
            report = run(url, args.repeat, args.big)
    report += f"\n\nLoad average before: {load[0]:.1f}; after: {os.getloadavg()[0]:.1f} (2 cores, shared).\n"
    print(report)
    if args.output:
        args.output.write_text(report)



def in_process(repeat: int = 20) -> str:
    """The document checks alone (no HTTP, no Neo4j, no caches): a fresh schema for every attempt."""
    import asyncio

    from schema import build_schema
    from schema.context import GraphQLContext

    rows = ["| document | median ms | worst ms | code |", "|---|---:|---:|---|"]
    for name, query in [("bomb 20 levels", bomb(20)), ("bomb 40 levels", bomb(40)),
                        ("bomb on __typename", bomb(30, "__typename"))]:
        times, code = [], ""
        for _ in range(repeat):
            schema = build_schema()
            started = time.perf_counter()
            result = asyncio.run(schema.execute(query, context_value=GraphQLContext(runner=None)))  # type: ignore[arg-type]
            times.append(time.perf_counter() - started)
            code = (result.errors or [None])[0].extensions["code"]  # type: ignore[union-attr]
        rows.append(f"| {name} | {statistics.median(times) * 1000:.1f} | {max(times) * 1000:.1f} | {code} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
