"""A larger fuzzing campaign than the suite's (`tests/test_fuzz_http.py`), with random seeds: generated GraphQL
requests against `cbsi-graph serve`, reporting operations per second, answers by status and code, and every
failure (HTTP 5xx, an `INTERNAL` error, an uncoded error, an answer slower than `--budget`).

    PYTHONPATH=. .venv/bin/python bench/fuzz_graphql.py --examples 10000 --output bench/results/fuzz.md

Runs against `--url` or a server it starts on a fresh local Neo4j; traffic to 127.0.0.1 only, bounded by
`--examples` and `--seconds`.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_process import running_server  # noqa: E402

from tests.fuzz_strategies import Request, check_response, requests  # noqa: E402


def campaign(url: str, examples: int, seconds: float, budget: float) -> str:
    outcomes: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    started = time.monotonic()
    sent = 0

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request=requests())
    def one(request: Request) -> None:
        nonlocal sent
        if time.monotonic() - started > seconds:
            return
        sent += 1
        try:
            response = request.send(f"{url}/graphql", timeout=budget)
            check_response(request, response)
            codes = sorted({(e.get("extensions") or {}).get("code", "?")
                            for e in (response.json().get("errors") or [])}) if response.headers.get(
                "content-type", "").startswith("application/json") else []
            outcomes[f"{response.status_code} {','.join(codes) or 'ok'}"] += 1
        except (AssertionError, httpx.HTTPError) as failure:
            outcomes["FAILED"] += 1
            failures.append(f"{type(failure).__name__}: {str(failure)[:300]}")

    one()
    elapsed = time.monotonic() - started
    lines = [f"{sent} requests in {elapsed:.0f} s: {sent / elapsed:.1f} requests/s (generation included), "
             f"{len(failures)} failures.", "", "| answer | count |", "|---|---:|"]
    lines += [f"| {outcome} | {count} |" for outcome, count in outcomes.most_common()]
    lines += ["", *[f"- {failure}" for failure in failures[:20]]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=1_800)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds an answer may take")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.url:
        report = campaign(args.url, args.examples, args.seconds, args.budget)
    else:
        with tempfile.TemporaryDirectory() as home, running_server(Path(home)) as url:
            report = campaign(url, args.examples, args.seconds, args.budget)
    print(report)
    if args.output:
        args.output.write_text(report + "\n")


if __name__ == "__main__":
    main()
