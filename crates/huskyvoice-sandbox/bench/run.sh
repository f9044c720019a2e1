#!/usr/bin/env bash
# Cancel-endpoint throughput of the sandbox with wrk, at 1 and at 64 connections.
#   cargo build --release -p huskyvoice-sandbox
#   crates/huskyvoice-sandbox/bench/run.sh [SANDBOX FLAGS...]   e.g. --no-log, --latency-ms 20
# Env: DURATION (default 10s), HUSKYVOICE_SANDBOX_BIN (default target/release/huskyvoice-sandbox).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${HUSKYVOICE_SANDBOX_BIN:-../../target/release/huskyvoice-sandbox}
DURATION=${DURATION:-10s}

out=$(mktemp)
"$BIN" --port 0 --seed bench/seed.json "$@" >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$out" && break; sleep 0.05; done
url=$(sed -n '1s/^listening on //p' "$out")
[ -n "$url" ] || { cat "$out" >&2; exit 1; }

for conns in 1 64; do
  threads=$(( conns == 1 ? 1 : 2 ))
  echo "== wrk -t$threads -c$conns -d$DURATION -s bench/cancel.lua $url  (sandbox flags: ${*:-none})"
  wrk -t"$threads" -c"$conns" -d"$DURATION" -s bench/cancel.lua "$url"
  echo "stats: $(curl -s "$url/__sandbox/stats")  rss: $(awk '/VmRSS/{print $2" kB"}' /proc/$pid/status)"
  # Start each run with an empty request log, as a benchmark would.
  curl -s -X POST "$url/__sandbox/reset" >/dev/null
done
