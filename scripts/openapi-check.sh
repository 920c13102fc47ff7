#!/usr/bin/env bash
# Checks the daemon's HTTP API against its OpenAPI document: starts a real `orbrec run` with a
# local fleet, a push pool and a pull pool, validates the document it serves at
# /api/v1/openapi.json, and runs schemathesis against every operation but the event stream.
# Exits with schemathesis's status.
#
#   ORBREC_BIN=.build/debug/orbrec scripts/openapi-check.sh [SCHEMATHESIS_ARGS...]
#
# SCHEMATHESIS_MAX_EXAMPLES (default 20) and SCHEMATHESIS_SEED tune the run; OPENAPI_FROM_SOURCE=1
# checks a binary serving an older document against the source tree's; KEEP=1 keeps the
# scratch directory (configuration, state, daemon log).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/schemathesis.sh
ensure_schemathesis

ORBREC_BIN="${ORBREC_BIN:-.build/debug/orbrec}"
[ -x "$ORBREC_BIN" ] || { echo "no orbrec binary at $ORBREC_BIN: swift build first, or set ORBREC_BIN" >&2; exit 2; }
ORBREC_BIN="$(cd "$(dirname "$ORBREC_BIN")" && pwd)/$(basename "$ORBREC_BIN")"

work=$(mktemp -d "${TMPDIR:-/tmp}/orbrec-openapi.XXXXXX")
config="$work/cfg"
state="$work/state/state.db"
mkdir -p "$config" "$work/state"
token="openapi-check-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

# A local provider with a fleet of one `sleep 300` machine (its template's maxMachines bounds
# what machine requests can add: past it they are 409 over-limit); a local scheduler with a push
# pool of two `true` tasks; and a pull pool for the lease API. Its 300 tasks outlast the run's
# claims (leases of up to an hour), so the stateful phase still gets 200s and follows the
# document's links to heartbeat, complete, fail and release with real tokens. The pool `feed`
# takes its tasks from the API (`source: api`), so the task routes answer more than 404: its
# command echoes the args of the document's example task (mesh, seed) on the local scheduler.
cat >"$config/openapi-check.yaml" <<'EOF'
apiVersion: orbrec/v1
kind: Provider
metadata: {name: here}
spec: {type: local}
---
apiVersion: orbrec/v1
kind: Template
metadata: {name: sleeper}
spec: {provider: here, command: ["sleep", "300"], stopTimeout: 2s, maxMachines: 4}
---
apiVersion: orbrec/v1
kind: Fleet
metadata: {name: workers}
spec: {template: sleeper, count: 1}
---
apiVersion: orbrec/v1
kind: Scheduler
metadata: {name: cpu}
spec: {type: local, slots: 2}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: letters}
spec: {scheduler: cpu, items: [a, b], command: ["true"]}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: feed}
spec: {scheduler: cpu, source: api, command: ["echo", "${args.mesh}", "${args.seed}"]}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: jobs}
spec:
  mode: pull
  range: {from: 1, to: 300}
EOF

daemon=""
# Stops the daemon, then kills the machines of this state: the daemon leaves them running
# when it stops. They are found as the test harness finds them, by the owner tag in their
# environment (ORBREC_MANAGED_BY), or by their output going to a log under the scratch directory.
cleanup() {
  local status=$?
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    kill -TERM "$daemon" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  local state_id=""
  state_id=$("$ORBREC_BIN" plan --json -c "$config" --state "$state" 2>/dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin).get("state_id", ""))' 2>/dev/null) || state_id=""
  local entry pid output
  for entry in /proc/[0-9]*; do
    pid=${entry#/proc/}
    [ "$pid" = "$$" ] && continue
    output=$(readlink "$entry/fd/1" 2>/dev/null) || output=""
    if [[ "$output" == "$work/"* ]] || { [ -n "$state_id" ] && { tr '\0' '\n' <"$entry/environ"; } 2>/dev/null \
        | grep -qxF "ORBREC_MANAGED_BY=$state_id"; }; then
      kill -KILL -- "-$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if [ "${KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then
    echo "scratch directory kept: $work (daemon log: $work/daemon.log)" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT

: >"$work/daemon.log"
ORBREC_TOKEN="$token" "$ORBREC_BIN" run -c "$config" --state "$state" --listen 127.0.0.1:0 \
  >"$work/daemon.out" 2>"$work/daemon.log" &
daemon=$!

# The daemon logs `msg=listening address=127.0.0.1:PORT` once it is bound.
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*msg=listening address=127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/daemon.log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$daemon" 2>/dev/null || { echo "the daemon exited:" >&2; cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "the daemon did not listen within 30 s:" >&2; cat "$work/daemon.log" >&2; exit 1; }
base="http://127.0.0.1:$port"

ready=""
for _ in $(seq 1 300); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "the daemon was not ready within 30 s:" >&2; curl -s "$base/readyz" >&2 || true; cat "$work/daemon.log" >&2; exit 1; }
echo "daemon ready at $base (log: $work/daemon.log)" >&2

# The document the daemon serves must be valid and the one in the source tree. With
# OPENAPI_FROM_SOURCE=1 a binary serving an older document is checked against the source
# tree's instead (while editing the document without rebuilding).
python3 -m json.tool Sources/OrbrecServer/OpenAPI/openapi.json >/dev/null  # fails loudly if the file is not JSON
cp Sources/OrbrecServer/OpenAPI/openapi.json "$work/openapi.source.json"
served=$(curl -s -o "$work/openapi.json" -w '%{http_code}' "$base/api/v1/openapi.json")
if [ "$served" = 200 ] && python3 - "$work/openapi.json" "$work/openapi.source.json" <<'EOF'
import json, sys
served, source = (json.load(open(path)) for path in sys.argv[1:3])
sys.exit(0 if served == source else 1)
EOF
then
  validate_openapi "$work/openapi.json"
elif [ "$served" = 200 ] && [ "${OPENAPI_FROM_SOURCE:-0}" != 1 ]; then
  echo "the daemon serves a different OpenAPI document than Sources/OrbrecServer/OpenAPI/openapi.json:" \
    "rebuild $ORBREC_BIN (or set OPENAPI_FROM_SOURCE=1)" >&2
  exit 1
else
  echo "warning: $ORBREC_BIN serves /api/v1/openapi.json with $served, not the source tree's document: using the source tree's" >&2
  validate_openapi "$work/openapi.source.json"
  export SCHEMATHESIS_SCHEMA="$work/openapi.source.json"
  # A binary built before the route answers 404 there.
  [ "$served" = 200 ] || set -- --exclude-path /api/v1/openapi.json "$@"
fi

status=0
run_schemathesis "$base" "$token" "$@" || status=$?
if grep -q 'msg="request failed"' "$work/daemon.log"; then
  echo "the daemon logged failed requests:" >&2
  grep 'msg="request failed"' "$work/daemon.log" | sort | uniq -c | sort -rn | head -n 20 >&2
fi
exit "$status"
