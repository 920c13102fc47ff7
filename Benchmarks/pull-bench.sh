#!/usr/bin/env bash
# Pull mode over HTTP: how many claims plus completions per second the daemon serves with
# WORKERS (default 8) concurrent workers, each claim and completion a real POST with its
# token and fencing check, every lease change journaled (fsynced) in SQLite.
#
# The workers are wrk (Debian's, installed here when missing) with Benchmarks/pull-bench.lua:
# one keep-alive connection per worker, claim then complete, for DURATION (default 5s) on a
# pool of TASKS (default 30000) tasks offered up front, so the client is never the
# bottleneck. PULL_CLIENT=python uses the older Python client (pull-bench.py) instead, on
# TASKS tasks to the end. Also prints the share of a core the daemon used meanwhile.
# Usage: bash Benchmarks/pull-bench.sh   (ORBREC_BIN to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-8}
DURATION=${DURATION:-5s}
CLIENT=${PULL_CLIENT:-wrk}
TASKS=${TASKS:-$([ "$CLIENT" = python ] && echo 2000 || echo 30000)}
if [ -z "${ORBREC_BIN:-}" ]; then
  swift build -c release --product orbrec >/dev/null
  ORBREC_BIN="$PWD/.build/release/orbrec"
fi
if [ "$CLIENT" = wrk ] && ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (apt)" >&2
  { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } >/dev/null 2>&1 || { echo "wrk could not be installed; PULL_CLIENT=python runs without it" >&2; exit 1; }
fi
work=$(mktemp -d "${BENCH_DIR:-/tmp}/orbrec-pull-bench.XXXXXX")
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$work/cfg"
cat > "$work/cfg/pool.yaml" <<YAML
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: bench}
spec: {mode: pull, range: {from: 1, to: $TASKS}}
YAML
# STATE=postgres://… runs the daemon on a PostgreSQL state (BACKENDS="sqlite postgres" in
# Benchmarks/pull-bench-both.sh runs both in one go).
state=${STATE:-$work/state.db}
ORBREC_TOKEN=$token "$ORBREC_BIN" run -c "$work/cfg" --state "$state" --listen 127.0.0.1:0 --log-level ${LOG_LEVEL:-info} 2>"$work/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; [ -n "${KEEP_LOG:-}" ] && cp "$work/daemon.log" "$KEEP_LOG"; rm -rf "$work"' EXIT
port=""
for _ in $(seq 300); do
  port=$(grep -o 'msg=listening address=127.0.0.1:[0-9]*' "$work/daemon.log" 2>/dev/null | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the daemon did not listen"; cat "$work/daemon.log"; exit 1; }
# Wait until every task is offered (the first pass submits the pool).
if [ -n "${STATE:-}" ]; then
  # psql takes no schema parameter: the search path is given as an option instead.
  schema=$(printf '%s' "$STATE" | sed -n 's/.*[?&]schema=\([a-z0-9_]*\).*/\1/p')
  base=$(printf '%s' "$STATE" | sed 's/[?&]schema=[a-z0-9_]*//')
  count() { PGOPTIONS="-c search_path=${schema:-orbrec}" psql "$base" -Atc "$1" 2>/dev/null || echo 0; }
else
  count() { python3 -c "import sqlite3,sys; print(sqlite3.connect('file:$work/state.db?mode=ro', uri=True).execute(sys.argv[1]).fetchone()[0])" "$1" 2>/dev/null || echo 0; }
fi
for _ in $(seq 600); do
  [ "$(count "SELECT COUNT(*) FROM leases WHERE state = 'offered'")" = "$TASKS" ] && break
  sleep 0.1
done
echo "orbrec $("$ORBREC_BIN" --version), $(nproc) cores, $TASKS tasks offered, $WORKERS workers ($CLIENT), state: $([ -n "${STATE:-}" ] && echo PostgreSQL || echo SQLite)"
cpu() { awk '{ print $14 + $15 }' "/proc/$daemon/stat"; }
ticks=$(getconf CLK_TCK)
before=$(cpu)
started=$(date +%s.%N)
if [ "$CLIENT" = python ]; then
  python3 Benchmarks/pull-bench.py "http://127.0.0.1:$port" "$token" bench "$TASKS" "$WORKERS"
else
  out=$(wrk -t "$WORKERS" -c "$WORKERS" -d "$DURATION" --timeout 10s -s Benchmarks/pull-bench.lua "http://127.0.0.1:$port" -- "$token" bench)
  line=$(printf '%s\n' "$out" | grep '^claims ')
  read -r _ claims _ completes _ empty _ refused _ micros _ p50 _ p99 <<<"$line"
  rate=$(awk "BEGIN { printf \"%.0f\", $completes / ($micros / 1e6) }")
  echo "$completes tasks claimed and completed in $(awk "BEGIN { printf \"%.2f\", $micros / 1e6 }") s: $rate claims+completions/s ($(( claims + completes + empty + refused )) HTTP calls), $empty empty claims, $refused refused"
  echo "  latency (claim and complete) p50 $(awk "BEGIN { printf \"%.1f\", $p50 / 1000 }") ms, p99 $(awk "BEGIN { printf \"%.1f\", $p99 / 1000 }") ms"
  echo "  target >= 2000/s: $([ "$rate" -ge 2000 ] && echo yes || echo no)"
fi
elapsed=$(awk "BEGIN { print $(date +%s.%N) - $started }")
after=$(cpu)
echo "  daemon CPU: $(awk "BEGIN { printf \"%.0f\", ($after - $before) / $ticks / $elapsed * 100 }")% of one core over $(awk "BEGIN { printf \"%.1f\", $elapsed }") s"
# Every completion the workers were told of is journaled: the engine settled them all.
sleep 1
if [ "$CLIENT" = wrk ]; then
  journaled=$(count "SELECT COUNT(*) FROM tasks WHERE pool = 'bench' AND state = 'completed'")
  echo "  journaled as completed: $journaled (workers were told $completes)"
  [ "$journaled" -ge "$completes" ] || { echo "the journal lacks completions the workers were told of" >&2; exit 1; }
fi
