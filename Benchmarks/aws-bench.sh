#!/usr/bin/env bash
# The EC2 provider against a real moto_server (issue 4): provision INSTANCES instances across
# FLEETS fleets, refresh with a plan, return them all. Reports the wall time of each phase and
# the EC2 calls made, counted by Action at the test proxy between orbrec and moto.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/moto.sh
ensure_build_deps
ensure_moto

FLEETS=${FLEETS:-10}
INSTANCES=${INSTANCES:-500}
PARALLELISM=${PARALLELISM:-10}
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-10}
swift build -c release --product orbrec >/dev/null
bin="$PWD/.build/release/orbrec"
work=$(mktemp -d /tmp/orbrec-aws-bench.XXXXXX)
proxy_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  stop_motos
  rm -rf "$work"
}
trap cleanup EXIT

start_moto MOTO
python3 scripts/lib/ec2-proxy.py --upstream "$MOTO" --port-file "$work/proxy.port" &
proxy_pid=$!
until [ -s "$work/proxy.port" ]; do sleep 0.05; done
endpoint="http://127.0.0.1:$(cat "$work/proxy.port")/"
export AWS_ACCESS_KEY_ID=AKIABENCHMARK0000000 AWS_SECRET_ACCESS_KEY=benchmark-secret

# write_config PER_FLEET: one aws provider, one template, FLEETS fleets of PER_FLEET machines.
write_config() {
  mkdir -p "$work/cfg"
  cat > "$work/cfg/aws.yaml" <<YAML
apiVersion: orbrec/v1
kind: Provider
metadata: {name: ec2}
spec: {type: aws, region: us-east-1, endpoint: "$endpoint", maxInFlight: $MAX_IN_FLIGHT}
---
apiVersion: orbrec/v1
kind: Template
metadata: {name: compute}
spec: {provider: ec2, imageId: ami-0abcdef1234567890, instanceType: c6i.large, tags: {bench: "true"}}
YAML
  : > "$work/cfg/fleets.yaml"
  for i in $(seq 1 "$FLEETS"); do
    printf -- '---\napiVersion: orbrec/v1\nkind: Fleet\nmetadata: {name: fleet-%02d}\nspec: {template: compute, count: %d}\n' "$i" "$1" >> "$work/cfg/fleets.yaml"
  done
}

# calls: the proxy's count of EC2 calls since the last reset, by Action; then reset.
calls() {
  curl -s "${endpoint}_proxy/stats" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["total"], "calls:", ", ".join("%s %d" % kv for kv in sorted(d["calls"].items())))'
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data '{"reset": true}' "${endpoint}_proxy/config"
}

# phase LABEL COMMAND...: runs once, prints the wall time and the calls it made.
phase() {
  local label=$1; shift
  local started ended
  started=$(date +%s.%N)
  "$@" > "$work/out.txt" 2>&1 || { echo "$label failed:"; tail -20 "$work/out.txt"; exit 1; }
  ended=$(date +%s.%N)
  printf '%-44s %7.2f s   %s\n' "$label" "$(echo "$ended - $started" | bc -l)" "$(calls)"
}

per_fleet=$((INSTANCES / FLEETS))
write_config "$per_fleet"
state="$work/state.db"
echo "orbrec $($bin --version) against moto_server $MOTO_VERSION, $(nproc) cores; $FLEETS fleets x $per_fleet instances;"
echo "apply --parallelism $PARALLELISM, provider maxInFlight $MAX_IN_FLIGHT"
phase "provision $((per_fleet * FLEETS)) instances (apply)" "$bin" apply -c "$work/cfg" --state "$state" --auto-approve --parallelism "$PARALLELISM"
phase "refresh: plan, converged" "$bin" plan -c "$work/cfg" --state "$state" --detailed-exitcode
running=$("$bin" get machines -c "$work/cfg" --state "$state" -o json | python3 -c 'import json, sys; print(sum(1 for m in json.load(sys.stdin) if m["state"] == "running"))')
echo "  running machines in the journal: $running"
write_config 0
phase "return all (apply)" "$bin" apply -c "$work/cfg" --state "$state" --auto-approve --parallelism "$PARALLELISM"
phase "refresh after return: plan" "$bin" plan -c "$work/cfg" --state "$state" --detailed-exitcode
