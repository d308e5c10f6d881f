"""A soak test: N clients send mixed cookbook queries for minutes while a large import runs in the middle.

Starts its own `cbsi-graph serve` on a fresh local Neo4j (seeded, `serve_process.running_server`), unless `--url`
names a running server (then `--import-home` must name its data folder for the import). Each client loops over
the cookbook queries (`docs/queries/*.graphql`) in its own random order, with varied values: page sizes
(`first: N` lowered at random), the governments named (`gov:JM` -> another CBSI government) and search words,
plus three queries that take real GraphQL variables (a government by id, a page of programs, a search). So the
HTTP response cache answers some requests and Strawberry and Neo4j the rest.

At 40% of the run (or `--import-at` seconds), `cbsi-graph import fa-csv` imports a generated ForeignAssistance.gov file
(`gen_aid_files.py`, `--import-rows` rows) into the same Neo4j: each of its committed batches moves the graph
version, so the caches start over while the clients keep asking.

`--preload-rows N` compares memory like with like: before the clock starts, a generated N-row file (the same
generator and seed as the default import, so N = 30,000 is the graph the default run ends with) is imported and
the server's network projection of that grown graph is built and warm (`network` answered, not stale); the
concurrent import then adds a second, different file of `--import-rows` rows (seed 12), a small one on purpose,
so RSS is measured on a graph of nearly constant size from the first minute. The graph's node and relationship
counts at the start and the end are reported. The default run (no preload) is the issue's literal design.

Reports throughput, p50/p99 latency (overall and per minute), errors by code (HTTP status, GraphQL
`extensions.code`, or the client exception), the server's RSS every `--sample` seconds (first, last, max:
"flat" means last and max within 10% of first) and the import's duration and outcome, with the load average.

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_soak.py --clients 8 --duration 600 \
        --output bench/results/soak.md
    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_soak.py --clients 8 --duration 600 \
        --preload-rows 30000 --import-rows 3000 --output bench/results/soak-preload.md
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_graphql import load_cookbook, percentile  # noqa: E402
from bench_hostile import rss_mib, server_pid  # noqa: E402
from fresh_neo4j import cpu_seconds  # noqa: E402
from gen_aid_files import generate_fa  # noqa: E402
from serve_process import free_port, running_server  # noqa: E402
from soak_timeline import cpu_lines, timeline_lines, write_csv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COOKBOOK = ROOT / "docs" / "queries"
GOVERNMENTS = ["gov:JM", "gov:BB", "gov:TT", "gov:BS", "gov:DO", "gov:GY", "gov:SR", "gov:BZ", "gov:HT", "gov:AG",
               "gov:DM", "gov:GD", "gov:KN", "gov:LC", "gov:VC", "gov:US"]
WORDS = ["impacs", "Barbdos", "security", "youth", "police", "Jamaica", "maritime", "justice", "USAID", "firearms"]
WITH_VARIABLES = [
    ("government by id", "query G($id: ID!) { government(id: $id) { name cbsiRole "
                         "programsOperating(first: 10) { totalCount edges { node { name } } } } }",
     lambda rng: {"id": rng.choice([g for g in GOVERNMENTS if g != "gov:US"])}),
    ("programs page", "query P($n: Int) { programs(first: $n) { totalCount edges { node { graphId name status } } } }",
     lambda rng: {"n": rng.randint(1, 50)}),
    ("search", "query S($t: String!, $n: Int) { search(text: $t, first: $n) { score node { __typename } } }",
     lambda rng: {"t": rng.choice(WORDS), "n": rng.randint(1, 20)}),
]
MAX_REQUESTS = 2_000_000
SETTLED_AFTER = 90.0  # seconds after the import's end from which RSS is compared on the grown graph (settle + read)


def varied(query: str, rng: random.Random) -> str:
    """The cookbook query with other page sizes and governments (same shape, other values)."""
    query = re.sub(r"first: (\d+)", lambda m: f"first: {rng.randint(1, int(m.group(1)))}", query)
    named = iter(rng.sample(GOVERNMENTS[:-1], 4))  # distinct: `cooperation(between:)` refuses a repeated id
    query = re.sub(r'"gov:(JM|BB|SR)"', lambda _m: json.dumps(next(named)), query)
    return re.sub(r'text: "[^"]*"', lambda _m: f"text: {json.dumps(rng.choice(WORDS))}", query)


Maker = Callable[[random.Random], dict]


def query_makers() -> dict[str, Maker]:
    """Every soak query by name: a function of the random source giving one request body with varied values (the
    cookbook read once, not for every round of every client)."""
    def cookbook(body: dict) -> Maker:
        return lambda rng: {"query": varied(body["query"], rng), "variables": body["variables"]}

    def with_variables(query: str, make: Maker) -> Maker:
        return lambda rng: {"query": query, "variables": make(rng)}

    makers = {name: cookbook(body) for name, body in load_cookbook(COOKBOOK).items()}
    makers.update({name: with_variables(query, make) for name, query, make in WITH_VARIABLES})
    return makers


def requests(rng: random.Random, makers: dict[str, Maker]) -> list[tuple[str, dict]]:
    """One round: every cookbook query (varied) and every query with variables, in a random order."""
    bodies = [(name, make(rng)) for name, make in makers.items()]
    rng.shuffle(bodies)
    return bodies


@dataclass
class Tally:
    latencies: list[tuple[float, float, bool, str]] = field(default_factory=list)  # (seconds since start,
    # latency, failed, query name): the timeline (`soak_timeline.py`)
    errors: Counter[str] = field(default_factory=Counter)
    by_query: Counter[str] = field(default_factory=Counter)
    by_query_latency: dict[str, list[float]] = field(default_factory=dict)


def warm_up_line(url: str) -> str:
    """What the fresh server's warm-up did before it said ready (`/ready`'s `warm_up`), for the record."""
    try:
        return f"Server warm-up before the run (`/ready`): {json.dumps(httpx.get(f'{url}/ready').json()['warm_up'])}"
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return f"Server warm-up before the run: not read ({exc})"


def error_code(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        answer = response.json()
    except ValueError:
        return "not JSON"
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if errors:
        return str((errors[0].get("extensions") or {}).get("code", "no code"))
    return None


async def client(url: str, seed: int, started: float, stop_at: float, tally: Tally) -> None:
    rng = random.Random(seed)
    makers = query_makers()
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        while time.monotonic() < stop_at and len(tally.latencies) < MAX_REQUESTS:
            for name, body in requests(rng, makers):
                if time.monotonic() >= stop_at:
                    return
                begun = time.monotonic()
                try:
                    response = await http.post("/graphql", json=body)
                    code = error_code(response)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                tally.latencies.append((begun - started, time.monotonic() - begun, code is not None, name))
                tally.by_query[name] += 1
                tally.by_query_latency.setdefault(name, []).append(time.monotonic() - begun)
                if code is not None:
                    tally.errors[f"{code} ({name})"] += 1


def sample_rss(pid: int, started: float, stop: threading.Event, every: float, out: list[tuple[float, float]]) -> None:
    while not stop.is_set():
        try:
            out.append((time.monotonic() - started, rss_mib(pid)))
        except OSError:
            return
        stop.wait(every)


@dataclass
class ImportRun:
    began: float = 0.0
    ended: float = 0.0
    returncode: int | None = None
    tail: str = ""


def run_import(env: dict[str, str], path: Path, started: float, delay: float, out: ImportRun) -> None:
    time.sleep(delay)
    out.began = time.monotonic() - started
    result = subprocess.run([sys.executable, "-m", "app.cli", "import", "fa-csv", str(path)], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    out.ended = time.monotonic() - started
    out.returncode = result.returncode
    summary = [line for line in result.stdout.splitlines() if "file(s) imported" in line]
    out.tail = (summary or [""])[0][:300] if result.returncode == 0 else result.stderr.strip()[-300:]


def soak(url: str, import_env: dict[str, str], import_file: Path, clients: int, duration: float,
         sample_every: float, import_at: float | None = None, with_import: bool = True,
         timeline: Path | None = None) -> str:
    urls = url.split(",")  # several servers (`--url`): the clients are shared out among them in turn
    port = int(urls[0].rsplit(":", 1)[1])
    pid = server_pid(port)
    if pid is None:
        raise SystemExit(f"no process listens on port {port}")
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    neo4j_port = import_env.get("CBSI_NEO4J_PORT")
    found = {"server": pid, "Neo4j": server_pid(int(neo4j_port)) if neo4j_port else None, "client": os.getpid()}
    pids = {who: each for who, each in found.items() if each is not None}  # CPU per request of each (`cpu_lines`)
    cpu_before = {who: cpu_seconds(each) for who, each in pids.items()}
    tally, rss, imported, stop = Tally(), [], ImportRun(), threading.Event()
    started = time.monotonic()
    sampler = threading.Thread(target=sample_rss, args=(pid, started, stop, sample_every, rss), daemon=True)
    delay = 0.4 * duration if import_at is None else import_at
    importer = threading.Thread(target=run_import, args=(import_env, import_file, started, delay, imported),
                                daemon=True)
    sampler.start()
    if with_import:
        importer.start()

    async def everyone() -> None:
        stop_at = started + duration
        await asyncio.gather(*(client(urls[seed % len(urls)], seed, started, stop_at, tally)
                               for seed in range(clients)))

    asyncio.run(everyone())
    elapsed = time.monotonic() - started
    if with_import:
        importer.join()
    stop.set()
    sampler.join()
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    if timeline is not None:
        write_csv(tally.latencies, timeline)
    cpu = cpu_lines({who: cpu_seconds(each) - cpu_before[who] for who, each in pids.items()}, len(tally.latencies),
                    elapsed)
    return report(tally, rss, imported if with_import else None, clients, duration, elapsed, load_before,
                  load_after, cpu)


def report(tally: Tally, rss: list[tuple[float, float]], imported: ImportRun | None, clients: int, duration: float,
           elapsed: float, load_before: list[str], load_after: list[str], cpu: list[str] | None = None) -> str:
    latencies = [latency for _, latency, _, _ in tally.latencies]
    total, errors = len(latencies), sum(tally.errors.values())
    during = ("no import" if imported is None else f"an FA CSV import from {imported.began:.0f} s to "
              f"{imported.ended:.0f} s (exit {imported.returncode})")
    lines = [f"Soak: {clients} clients, {duration:.0f} s ({elapsed:.0f} s measured), {len(tally.by_query)} "
             f"different queries with varied values; {during}.", ""]
    if latencies:
        lines += [f"Requests: {total} ({total / elapsed:.1f}/s); p50 {1000 * percentile(latencies, 0.5):.1f} ms, "
                  f"p99 {1000 * percentile(latencies, 0.99):.1f} ms, max {1000 * max(latencies):.0f} ms; "
                  f"errors: {errors}.", ""]
    lines += ["| minute | requests/s | p50 ms | p99 ms | errors | import running | RSS MiB at the minute's end |",
              "|---|---|---|---|---|---|---|"]
    minutes = int(elapsed // 60) + 1
    for minute in range(minutes):
        rows = [(lat, failed) for at, lat, failed, _ in tally.latencies if minute * 60 <= at < (minute + 1) * 60]
        window = [lat for lat, _ in rows]
        if not window:
            continue
        span = min(60.0, elapsed - minute * 60)
        running = imported is not None and imported.began < (minute + 1) * 60 and imported.ended > minute * 60
        sampled = [value for at, value in rss if at <= (minute + 1) * 60]
        lines.append(f"| {minute + 1} | {len(window) / span:.1f} | {1000 * percentile(window, 0.5):.1f} | "
                     f"{1000 * percentile(window, 0.99):.1f} | {sum(failed for _, failed in rows)} | "
                     f"{'yes' if running else ''} | {sampled[-1] if sampled else float('nan'):.0f} |")
    lines += ["", "Per query, slowest p99 first (where the tail comes from):", "",
              "| query | requests | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|"]
    for name, spent in sorted(tally.by_query_latency.items(), key=lambda item: -percentile(item[1], 0.99)):
        lines.append(f"| {name} | {len(spent)} | {1000 * percentile(spent, 0.5):.1f} | "
                     f"{1000 * percentile(spent, 0.99):.1f} | {1000 * max(spent):.0f} |")
    lines += timeline_lines(tally.latencies, clients) + (cpu or [])
    lines += ["", "Errors by code (query): " + (", ".join(f"{key}: {n}" for key, n in tally.errors.most_common())
                                                  or "none"), ""]
    if rss:
        first, last, peak = rss[0][1], rss[-1][1], max(value for _, value in rss)
        flat = abs(last - first) <= 0.1 * first and peak <= 1.1 * first
        lines += [f"Server RSS (MiB, every {rss[1][0] - rss[0][0] if len(rss) > 1 else 0:.0f} s, {len(rss)} "
                  f"samples): first {first:.0f}, last {last:.0f}, max {peak:.0f} -> "
                  f"{'flat within 10%' if flat else 'NOT flat within 10%'}.",
                  "RSS over time (s: MiB): " + ", ".join(f"{at:.0f}: {value:.0f}" for at, value in rss[::6]), ""]
        settled = [value for at, value in rss if imported is not None and imported.ended > 0
                   and at >= imported.ended + SETTLED_AFTER]
        if len(settled) > 1:  # the grown graph once the import is over (the goal's line above stays as it is)
            low, high = min(settled), max(settled)
            lines += [f"After the import (from {SETTLED_AFTER:.0f} s after its end, the graph no longer growing): "
                      f"first {settled[0]:.0f}, last {settled[-1]:.0f}, min {low:.0f}, max {high:.0f} MiB -> "
                      f"{'flat within 10%' if high <= 1.1 * settled[0] else 'NOT flat within 10%'} on the grown graph.",
                      ""]
    lines += [f"Import: {imported.tail if imported else 'none (--no-import)'}", "",
              f"Load average before: {' '.join(load_before)}; after: {' '.join(load_after)} (2 cores, shared)."]
    return "\n".join(lines) + "\n"


GRAPH_SIZE = "{ graphStats { nodes { count } relationships { count } } }"
WARM = "{ network { graphVersion currentGraphVersion stale centrality(top: 1) { score } } }"


def graph_size(url: str) -> str:
    """Nodes and relationships in the graph now (`graphStats`), for the report."""
    stats = httpx.post(f"{url}/graphql", json={"query": GRAPH_SIZE}, timeout=120).json()["data"]["graphStats"]
    return (f"{sum(c['count'] for c in stats['nodes']):,} nodes, "
            f"{sum(c['count'] for c in stats['relationships']):,} relationships")


def preload(url: str, env: dict[str, str], path: Path, wait: float = 900.0) -> str:
    """Import `path` before the clock starts, then ask for a network measure until it answers from a projection
    of the current version (built and warm); what it took, for the report."""
    began = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "app.cli", "import", "fa-csv", str(path)], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"the preload import failed: {result.stderr.strip()[-300:]}")
    imported = time.monotonic()
    while time.monotonic() - imported < wait:
        answer = httpx.post(f"{url}/graphql", json={"query": WARM}, timeout=300).json()
        network = (answer.get("data") or {}).get("network")
        if not answer.get("errors") and network and not network["stale"]:
            return (f"Preload: {path.stat().st_size / 2**20:.1f} MiB imported in {imported - began:.0f} s, the grown "
                    f"graph's projection built and answering {time.monotonic() - imported:.0f} s later (version "
                    f"{network['graphVersion']}).")
        time.sleep(5)
    raise SystemExit(f"the projection of the preloaded graph was not ready after {wait:.0f} s")


def server_errors(log: Path, most: int = 5) -> str:
    """The first `most` internal errors of the server's log, with their tracebacks' last lines (the log lives in a
    temporary folder deleted with it: an `INTERNAL` in the report could not be traced without this)."""
    if not log.exists():
        return ""
    lines = log.read_text(errors="replace").splitlines()
    starts = [i for i, line in enumerate(lines) if "internal error" in line][:most]
    if not starts:
        return "\nServer log: no internal error.\n"
    out = ["", f"Server log: {sum('internal error' in line for line in lines)} internal error(s); the first:", ""]
    for i in starts:
        block = [lines[i]]
        for line in lines[i + 1:i + 200]:
            block.append(line)
            if line and not line.startswith((" ", "Traceback", "During", "The above")):
                break  # the exception's own line ends the traceback
        out += ["    " + line[:300] for line in [block[0], *block[-4:]]] + [""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, choices=range(1, 33), metavar="1-32")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--import-rows", type=int, default=30_000, help="rows of the generated FA CSV file")
    parser.add_argument("--import-at", type=float, help="seconds into the run the import starts (default: 40%%)")
    parser.add_argument("--no-import", action="store_true", help="no import: the varied queries alone")
    parser.add_argument("--preload-rows", type=int, default=0,
                        help="import a generated file of this many rows and warm the projection before the clock "
                             "starts; the concurrent import is then a second file (seed 12) of --import-rows rows")
    parser.add_argument("--no-response-cache", action="store_true",
                        help="the server started here runs with CBSI_RESPONSE_CACHE=false")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--url", help="a running server (default: start one on a fresh local Neo4j); several, "
                        "comma-separated, share the clients out in turn (RSS and server CPU: the first's)")
    parser.add_argument("--import-home", type=Path, help="with --url: that server's CBSI_DATA_DIR")
    parser.add_argument("--server-python", help="the interpreter that runs the server (default: this one); the "
                        "clients stay on this one")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--timeline", type=Path, help="a CSV file of every request (start, latency, query)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cbsi-soak-") as tmp:
        home = Path(tmp)
        import_file = home / "soak_fa.csv"
        generate_fa(args.import_rows, import_file, 12 if args.preload_rows else 11)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "CBSI_"))}
        if args.url:
            if args.import_home is None:
                raise SystemExit("--url needs --import-home (the server's data folder) for the import")
            env["CBSI_DATA_DIR"] = str(args.import_home)
            text = soak(args.url, env, import_file, args.clients, args.duration, args.sample, args.import_at,
                        not args.no_import, args.timeline)
        else:
            neo4j_port = str(free_port())
            env.update(CBSI_DATA_DIR=str(home / "serve"), CBSI_NEO4J_PORT=neo4j_port)
            server_env = {"CBSI_NEO4J_PORT": neo4j_port}
            if args.no_response_cache:
                server_env["CBSI_RESPONSE_CACHE"] = "false"
            with running_server(home / "serve", extra_env=server_env, python=args.server_python) as url:
                before = ""
                if args.preload_rows:
                    generate_fa(args.preload_rows, home / "preload_fa.csv", 11)
                    before = preload(url, env, home / "preload_fa.csv") + "\n\n"
                size = graph_size(url)
                warmed = warm_up_line(url)
                text = soak(url, env, import_file, args.clients, args.duration, args.sample, args.import_at,
                            not args.no_import, args.timeline)
                text = (f"{before}Graph at the start: {size}; at the end: {graph_size(url)}.\n\n{warmed}\n\n"
                        ) + text
            text += server_errors(home / "serve" / "serve.log")
    print(text)
    if args.output:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
