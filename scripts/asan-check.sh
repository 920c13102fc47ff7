#!/usr/bin/env bash
# The release binary under AddressSanitizer, on the workloads that crashed it (issue 15,
# defect 10: /proc read past readdir's buffer):
#   pool      a 1,000-task local pool of `true` (2 slots): orbrec apply --auto-approve --wait
#   machines  1,000 local machines (1,000 fleets over 20 templates, Benchmarks/generate-config.py)
#             provisioned, then all returned by an apply of an empty configuration --wait
# Every orbrec process (and the supervisors and attempt runners it starts, which are orbrec
# too) writes any ASan report to a file; the script fails when one exists or a command fails,
# and prints the reports.
# Builds `swift build -c release --sanitize=address --scratch-path .build-asan --product orbrec`
# first, unless ASAN_SKIP_BUILD=1 (or ORBREC_ASAN_BIN names a binary to use). ASAN_PARTS picks
# parts (default "pool machines"); TASKS and MACHINES change the sizes (default 1000 each).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ASAN_PARTS=${ASAN_PARTS:-pool machines}
TASKS=${TASKS:-1000}
MACHINES=${MACHINES:-1000}
scratch="$root/.build-asan"
bin=${ORBREC_ASAN_BIN:-$scratch/release/orbrec}

if [ "${ASAN_SKIP_BUILD:-0}" != 1 ] && [ -z "${ORBREC_ASAN_BIN:-}" ]; then
  started=$(date +%s)
  swift build -c release --sanitize=address --scratch-path "$scratch" --product orbrec 2>&1 \
    | grep -v "Cannot export local symbol" | grep -E "error|warning: unreachable|Compiling orbrec|Build" || true
  [ -x "$bin" ] || { echo "asan: building orbrec with --sanitize=address failed" >&2; exit 1; }
  echo "asan: built in $(( $(date +%s) - started ))s"
fi
[ "$(nm -D "$bin" 2>/dev/null | grep -c __asan_init)" -gt 0 ] \
  || { echo "asan: $bin is not built with AddressSanitizer" >&2; exit 1; }

work=$(mktemp -d /tmp/orbrec-asan.XXXXXX)
machines_cfg=""
cleanup() {
  # Machines left by a failed run are returned with the plain apply of an empty configuration.
  if [ -n "$machines_cfg" ]; then
    mkdir -p "$work/empty"
    "$bin" apply -c "$work/empty" --state "$work/machines.db" --auto-approve --allow-empty --wait --timeout 5m >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/asan"
# halt_on_error stays on: a report ends the process, and its file is what fails the run. Leaks
# count too (ASAN_DETECT_LEAKS=0 turns LeakSanitizer off).
export ASAN_OPTIONS="log_path=$work/asan/report:detect_leaks=${ASAN_DETECT_LEAKS:-1}:handle_segv=1:handle_abort=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export SWIFT_BACKTRACE=enable=no
status=0

# run LABEL COMMAND...: runs a step, timed, and fails the script (after the other parts) if it fails.
run() {
  local label=$1; shift
  local started; started=$(date +%s.%N)
  if "$@" >"$work/step.log" 2>&1; then
    printf 'asan: %-58s %6.1f s\n' "$label" "$(awk "BEGIN { print $(date +%s.%N) - $started }")"
  else
    local code=$?
    status=1
    echo "asan: $label FAILED (exit $code):" >&2
    tail -20 "$work/step.log" >&2
  fi
}

# live_machines FILE: how many of the machines in `get machines -o json` FILE still run (their
# process, by pid and start time, from the provider id local:PID:TICKS).
live_machines() {
  python3 - "$1" <<'PY'
import json, sys
alive = 0
for machine in json.load(open(sys.argv[1])):
    parts = machine.get("provider_id", "").split(":")
    if len(parts) != 3 or parts[0] != "local":
        continue
    try:
        stat = open(f"/proc/{parts[1]}/stat").read()
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    alive += fields[19] == parts[2] and fields[0] != "Z"
print(alive)
PY
}

for part in $ASAN_PARTS; do
  case $part in
    pool)
      mkdir -p "$work/pool"
      cat > "$work/pool/pool.yaml" <<YAML
apiVersion: orbrec/v1
kind: Scheduler
metadata: {name: here}
spec: {type: local, slots: 2}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: asan}
spec:
  scheduler: here
  range: {from: 1, to: $TASKS}
  command: ["true"]
  retry: {maxAttempts: 1}
YAML
      run "pool: apply --wait, $TASKS tasks" \
        "$bin" apply -c "$work/pool" --state "$work/pool.db" --auto-approve --wait --timeout 1h
      completed=$("$bin" get tasks asan -c "$work/pool" --state "$work/pool.db" -o json 2>/dev/null \
        | python3 -c 'import json, sys; print(sum(row["state"] == "completed" for row in json.load(sys.stdin)))' || echo 0)
      if [ "$completed" != "$TASKS" ]; then
        status=1
        echo "asan: pool: $completed of $TASKS tasks completed" >&2
      fi
      ;;
    machines)
      machines_cfg="$work/machines"
      python3 Benchmarks/generate-config.py "$machines_cfg" "$MACHINES" 20 1
      run "machines: apply, $MACHINES provisions" \
        "$bin" apply -c "$machines_cfg" --state "$work/machines.db" --auto-approve --parallelism 32 --wait --timeout 30m
      run "machines: plan, $MACHINES live machines observed" \
        "$bin" plan -c "$machines_cfg" --state "$work/machines.db"
      "$bin" get machines -c "$machines_cfg" --state "$work/machines.db" -o json >"$work/machines.json" 2>/dev/null || echo '[]' >"$work/machines.json"
      running=$(live_machines "$work/machines.json")
      [ "$running" -eq "$MACHINES" ] || { status=1; echo "asan: machines: $running of $MACHINES machines running after the apply" >&2; }
      mkdir -p "$work/empty"
      run "machines: apply --allow-empty --wait, $MACHINES returns" \
        "$bin" apply -c "$work/empty" --state "$work/machines.db" --auto-approve --allow-empty --wait --timeout 30m
      left=$(live_machines "$work/machines.json")
      [ "$left" -eq 0 ] || { status=1; echo "asan: machines: $left of the $MACHINES machines still running after the returns" >&2; }
      machines_cfg=""
      ;;
    *) echo "asan: unknown part '$part' (pool machines)" >&2; exit 2 ;;
  esac
done

mapfile -t reports < <(find "$work/asan" -type f -size +0)
if [ ${#reports[@]} -gt 0 ]; then
  status=1
  for report in "${reports[@]}"; do
    echo "asan: report $(basename "$report"):" >&2
    head -60 "$report" >&2
  done
fi
[ $status -eq 0 ] && echo "asan: no AddressSanitizer report ($ASAN_PARTS)"
exit $status
