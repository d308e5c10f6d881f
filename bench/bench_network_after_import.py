"""After a large import, how long until `network` measures answer, and does the server stay responsive meanwhile?

Why: the network measures project the whole graph (every node and relationship) into networkx. On the seed
that is instant; after importing a large FA file it takes tens of seconds, longer than a request may wait.
This starts a real `cbsi-graph serve` (its own local Neo4j, seeded), imports a generated FA file through the
CLI, then asks `network { centrality }` until it answers (`COMPUTING` until then; each ask waits up to the
server's `CBSI_QUERY_TIMEOUT`, the next comes 2 s after), while another client sends a cheap `search` 0.1 s
after each answer and records its latency.

    flock /tmp/cbsi-bench.lock .venv/bin/python bench/bench_network_after_import.py --rows 100000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.periodic import Periodic  # noqa: E402 (after the path the import needs)

NETWORK = "{ network { centrality(top: 5) { graphId score } } }"
PROBE = '{ search(text: "Jamaica", first: 1) { edges { node { id } } } }'


class Probe(Periodic):
    """Latency of a cheap query sent every 0.1 s from its own client, while the measure is awaited."""

    interval = 0.1

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.latencies, self.failures = url, list[float](), list[str]()
        self.client = httpx.Client(timeout=120)

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        self.client.close()

    def tick(self) -> None:
        started = time.monotonic()
        try:
            self.client.post(self.url + "/graphql", json={"query": PROBE}).raise_for_status()
        except httpx.HTTPError as exc:  # counted and shown, so a stall cannot hide as missing samples
            self.failures.append(f"{type(exc).__name__}: {exc}")
        self.latencies.append(time.monotonic() - started)


def _neo4j_port(log: Path) -> str:
    """The Bolt port the server's local Neo4j listens on (from its start-up message)."""
    for line in log.read_text().splitlines():
        if "bolt://127.0.0.1:" in line:
            return line.split("bolt://127.0.0.1:")[1].split()[0].rstrip(".)")
    raise SystemExit(f"no Bolt address in {log}")


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="FA rows in the imported file")
    parser.add_argument("--give-up", type=float, default=900, help="seconds to keep asking")
    args = parser.parse_args()

    from bench.gen_aid_files import generate_fa
    from bench.serve_process import running_server

    with tempfile.TemporaryDirectory(prefix="cbsi-network-") as tmp:
        data, csv = Path(tmp) / "data", Path(tmp) / f"fa-{args.rows}.csv"
        generate_fa(args.rows, csv, 7)
        with running_server(data) as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
            env.update(CBSI_DATA_DIR=str(data), CBSI_NEO4J_PORT=_neo4j_port(data / "serve.log"))
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "app.cli", "import", "fa-csv", str(csv)], env=env, cwd=ROOT,
                           check=True, capture_output=True)
            print(f"imported {args.rows} FA rows in {time.monotonic() - started:.1f} s", flush=True)
            answers: list[tuple[float, float, str]] = []
            with Probe(url) as probe, httpx.Client(timeout=args.give_up) as client:
                started = time.monotonic()
                while time.monotonic() - started < args.give_up:
                    asked = time.monotonic()
                    body = client.post(url + "/graphql", json={"query": NETWORK}).json()
                    code = "ok" if body.get("data") else body["errors"][0]["extensions"]["code"]
                    answers.append((asked - started, time.monotonic() - asked, code))
                    print(f"  at {asked - started:6.1f} s: {code} after {time.monotonic() - asked:.2f} s", flush=True)
                    if code != "COMPUTING":
                        break
                    time.sleep(2)
            pids = subprocess.run(["pgrep", "-f", "app.cli serve"], capture_output=True, text=True).stdout.split()
            rss = max((_peak_rss_mb(int(pid)) for pid in pids if Path(f"/proc/{pid}").exists()), default=0.0)
    latencies = sorted(probe.latencies)
    first_ok = next((at + took for at, took, code in answers if code == "ok"), None)
    print(f"centrality answered {first_ok:.1f} s after the first request" if first_ok is not None
          else f"no answer: the last reply was {answers[-1][2]} after {answers[-1][0] + answers[-1][1]:.0f} s")
    print(f"probe (search, every 0.1 s): n={len(latencies)}, p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
          f"{len(probe.failures)} failed{': ' + probe.failures[0] if probe.failures else ''}")
    print(f"serve peak RSS {rss:.0f} MB; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
