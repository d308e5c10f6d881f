#!/usr/bin/env bash
# Every cookbook query through wrk (a C load generator, so the client costs little of the 2 cores) against a
# running `cbsi-graph serve`, at 1, 8 and 32 connections; prints a Markdown table.
#   bench/bench_graphql_wrk.sh http://127.0.0.1:8000 [seconds] [connections]
# Run it under `flock /tmp/cbsi-bench.lock` when other benchmarks share the machine.
set -euo pipefail
url=${1:?usage: bench_graphql_wrk.sh URL [seconds] [connections]}
seconds=${2:-5}
connections=${3:-"1 8 32"}
here=$(cd "$(dirname "$0")" && pwd)
bodies=$(mktemp -d)
trap 'rm -rf "$bodies"' EXIT
"$here/../.venv/bin/python" "$here/bench_graphql.py" --write-bodies "$bodies"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| query | connections | req/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
for body in "$bodies"/*.json; do
  name=$(basename "$body" .json)
  for c in $connections; do
    WRK_BODY_FILE=$body wrk -t1 -c"$c" -d1s -s "$here/wrk_post.lua" "$url/graphql" > /dev/null  # warm-up
    out=$(WRK_BODY_FILE=$body wrk -t1 -c"$c" -d"${seconds}s" --latency -s "$here/wrk_post.lua" "$url/graphql")
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
    p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    non2xx=$(awk '/Non-2xx/ {print $5}' <<< "$out")
    echo "| $name | $c | $rps | $p50 | $p99 | ${non2xx:-0} |"
  done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
