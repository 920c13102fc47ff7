#!/usr/bin/env bash
# Pull mode over HTTP: how many claims plus completions per second the daemon serves with
# WORKERS (default 8) concurrent workers, each claim and completion a real POST with its
# token and fencing check, every lease change journaled (fsynced) in SQLite.
# Usage: bash Benchmarks/pull-bench.sh   (TASKS=2000 WORKERS=8; ORBREC_BIN to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${TASKS:-2000}
WORKERS=${WORKERS:-8}
if [ -z "${ORBREC_BIN:-}" ]; then
  swift build -c release --product orbrec >/dev/null
  ORBREC_BIN="$PWD/.build/release/orbrec"
fi
work=$(mktemp -d /tmp/orbrec-pull-bench.XXXXXX)
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$work/cfg"
cat > "$work/cfg/pool.yaml" <<YAML
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: bench}
spec: {mode: pull, range: {from: 1, to: $TASKS}}
YAML
ORBREC_TOKEN=$token "$ORBREC_BIN" run -c "$work/cfg" --state "$work/state.db" --listen 127.0.0.1:0 --log-level info 2>"$work/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$work"' EXIT
port=""
for _ in $(seq 300); do
  port=$(grep -o 'msg=listening address=127.0.0.1:[0-9]*' "$work/daemon.log" 2>/dev/null | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the daemon did not listen"; cat "$work/daemon.log"; exit 1; }
# Wait until every task is offered (the first pass submits the pool).
for _ in $(seq 300); do
  offered=$(curl -s "http://127.0.0.1:$port/api/v1/tasks?pool=bench" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [ "$offered" = "$TASKS" ] && break
  sleep 0.1
done
echo "orbrec $("$ORBREC_BIN" --version), $(nproc) cores, $TASKS tasks offered"
python3 Benchmarks/pull-bench.py "http://127.0.0.1:$port" "$token" bench "$TASKS" "$WORKERS"
