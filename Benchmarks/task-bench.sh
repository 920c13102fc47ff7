#!/usr/bin/env bash
# Local task pools, side by side in one run: TASKS tasks of `true` (default 1000), at most
# SLOTS (default 2) at once, run by
#   xargs   the spawn limit of this host: seq TASKS | xargs -P SLOTS -n1 true
#   psij    psij-python's local executor (psij-bench.py; no journal, no slot limit: it starts
#           every job it is given), from a venv at .build/psij-venv made here if missing
#   apply   orbrec apply --auto-approve --wait on a local Scheduler (slots: SLOTS) and a
#           TaskPool (range 1..TASKS, command ["true"], retry.maxAttempts 1): wall time and
#           peak RSS from GNU time
#   run     orbrec run (the daemon) on the same configuration and a fresh state: from the
#           first attempt journaled to the last one ended (attempts.created_at/ended_at), and
#           wall time from the daemon's start until every task is completed
# then a table of the rates, the ratios orbrec/psij and orbrec/xargs, and the targets
# (>= 800 tasks/s and >= 4x psij, for apply --wait and for run alike).
# MODES (default "xargs psij apply run") picks the parts; RUN_ARGS adds flags to `orbrec run`
# (e.g. RUN_ARGS="--task-interval 100ms"). The binary is not built here:
# ORBREC_BIN, else .build/release/orbrec (swift build -c release --product orbrec).
# Exits non-zero when a part failed or was skipped (psij without a network), so a partial
# run is never taken for a full one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
TASKS=${TASKS:-1000}
SLOTS=${SLOTS:-2}
MODES=${MODES:-xargs psij apply run}
bin=$(realpath -ms -- "${ORBREC_BIN:-.build/release/orbrec}")
command -v python3 >/dev/null 2>&1 || { echo "python3 is not on PATH" >&2; exit 1; }

want() { [[ " $MODES " == *" $1 "* ]]; }
for mode in $MODES; do
  case $mode in xargs|psij|apply|run) ;; *) echo "unknown mode '$mode' in MODES (xargs psij apply run)" >&2; exit 1 ;; esac
done
if { want apply || want run; } && [ ! -x "$bin" ]; then
  echo "no orbrec binary at $bin: build it first (swift build -c release --product orbrec) or set ORBREC_BIN" >&2
  exit 1
fi

work=$(mktemp -d "${BENCH_DIR:-/tmp}/orbrec-task-bench.XXXXXX")
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then kill -KILL "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
# calc EXPR [FORMAT]: floating-point arithmetic (awk: bc may be absent).
calc() { awk "BEGIN { printf \"${2:-%.1f}\", $1 }"; }
status=0
skipped=()
xargs_rate="" psij_rate="" apply_rate="" apply_journal_rate="" run_rate="" run_wall_rate=""

echo "task-bench: $TASKS tasks of 'true', $SLOTS slots, $(nproc) cores, modes: $MODES"
if want apply || want run; then echo "orbrec $("$bin" --version) at $bin"; fi
echo

# ---- 1. xargs: the spawn limit ------------------------------------------------------------
if want xargs; then
  started=$(now)
  seq "$TASKS" | xargs -P "$SLOTS" -n1 true
  ended=$(now)
  seconds=$(calc "$ended - $started" %.3f)
  xargs_rate=$(calc "$TASKS / $seconds")
  printf '%-44s %8.3f s  %9s tasks/s\n' "xargs -P$SLOTS -n1 true" "$seconds" "$xargs_rate"
fi

# ---- 2. psij-python's local executor --------------------------------------------------------
if want psij; then
  venv="$root/.build/psij-venv"
  why=""
  if ! "$venv/bin/python" -c 'import psij' >/dev/null 2>&1; then
    echo "installing psij-python into $venv" >&2
    mkdir -p "$root/.build"
    if ! { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } >"$work/psij-install.log" 2>&1; then
      why="python3 -m venv failed: $(tail -1 "$work/psij-install.log")"
    elif ! "$venv/bin/pip" install -q psij-python >>"$work/psij-install.log" 2>&1; then
      why="pip install psij-python failed (no network?): $(grep -m1 -i 'error' "$work/psij-install.log" || tail -1 "$work/psij-install.log")"
      rm -rf "$venv"   # so that the next run tries again
    fi
  fi
  if [ -n "$why" ]; then
    echo "psij: SKIPPED: $why"
    skipped+=("psij ($why)")
  elif ! "$venv/bin/python" Benchmarks/psij-bench.py "$TASKS" >"$work/psij.json" 2>"$work/psij.err"; then
    echo "psij: FAILED:"; cat "$work/psij.json" "$work/psij.err" | tail -5
    skipped+=("psij (psij-bench.py failed)")
  else
    read -r seconds version < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["seconds"], d["version"])' "$work/psij.json")
    psij_rate=$(calc "$TASKS / $seconds")
    printf '%-44s %8.3f s  %9s tasks/s\n' "psij-python $version local executor" "$seconds" "$psij_rate"
  fi
fi

# ---- orbrec: configuration and checks -------------------------------------------------------
write_config() {  # DIR
  mkdir -p "$1"
  cat > "$1/pool.yaml" <<YAML
apiVersion: orbrec/v1
kind: Scheduler
metadata: {name: here}
spec: {type: local, slots: $SLOTS}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: bench}
spec:
  scheduler: here
  range: {from: 1, to: $TASKS}
  command: ["true"]
  retry: {maxAttempts: 1}
YAML
}

# verify_completed LABEL DIR: every one of the TASKS tasks is completed, as `get tasks -o json` says.
verify_completed() {
  local label=$1 dir=$2
  "$bin" get tasks bench -c "$dir/cfg" --state "$dir/state.db" -o json >"$dir/tasks.json" 2>"$dir/get.err" \
    || { echo "$label: FAILED: orbrec get tasks failed:"; tail -5 "$dir/get.err"; exit 1; }
  python3 - "$dir/tasks.json" "$TASKS" "$label" <<'PY' || exit 1
import collections, json, sys
rows = json.load(open(sys.argv[1]))
n, label = int(sys.argv[2]), sys.argv[3]
states = collections.Counter(row["state"] for row in rows)
if len(rows) != n or states["completed"] != n:
    print(f"{label}: FAILED: expected {n} completed tasks, get tasks shows {len(rows)}: {dict(states)}")
    bad = [row for row in rows if row["state"] != "completed"][:3]
    for row in bad:
        print("  ", json.dumps(row)[:300])
    sys.exit(1)
PY
}

# journal_span DB: "FIRST_CREATED_MS LAST_ENDED_MS ATTEMPTS" of the pool's attempts.
journal_span() {
  python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])  # the writer has exited: no read-only URI (a WAL file may need its -shm made)
first, last, count = db.execute(
    "SELECT MIN(created_at), MAX(ended_at), COUNT(*) FROM attempts WHERE pool = 'bench'").fetchone()
print(first, last, count)
PY
}

# ---- 3. orbrec apply --wait -----------------------------------------------------------------
if want apply; then
  dir="$work/apply"
  write_config "$dir/cfg"
  cmd=("$bin" apply -c "$dir/cfg" --state "$dir/state.db" --auto-approve --wait --timeout 1h)
  rss="unknown"
  if /usr/bin/time --version 2>&1 | grep -q GNU; then
    /usr/bin/time -f '%e %M' -o "$dir/time" "${cmd[@]}" >"$dir/apply.log" 2>&1 \
      || { echo "apply --wait: FAILED:"; tail -5 "$dir/apply.log"; exit 1; }
    read -r seconds kb < <(tail -1 "$dir/time")
    rss="$(calc "$kb / 1024") MB"
  else
    echo "note: GNU time (/usr/bin/time) not found: wall time by date, peak RSS unknown (apt-get install time)"
    started=$(now)
    "${cmd[@]}" >"$dir/apply.log" 2>&1 || { echo "apply --wait: FAILED:"; tail -5 "$dir/apply.log"; exit 1; }
    seconds=$(calc "$(now) - $started" %.3f)
  fi
  verify_completed "apply --wait" "$dir"
  apply_rate=$(calc "$TASKS / $seconds")
  read -r first last attempts < <(journal_span "$dir/state.db")
  apply_journal_rate=$(calc "$TASKS / (($last - $first > 0 ? $last - $first : 1) / 1000)")
  printf '%-44s %8.3f s  %9s tasks/s   peak RSS %s\n' "orbrec apply --wait" "$seconds" "$apply_rate" "$rss"
  printf '%-44s %8.3f s  %9s tasks/s   (%s attempts)\n' "  first journaled -> last ended" \
    "$(calc "($last - $first) / 1000" %.3f)" "$apply_journal_rate" "$attempts"
fi

# ---- 4. orbrec run (the daemon) -------------------------------------------------------------
if want run; then
  dir="$work/run"
  write_config "$dir/cfg"
  started=$(now)
  # shellcheck disable=SC2086 # RUN_ARGS is split into flags on purpose
  "$bin" run -c "$dir/cfg" --state "$dir/state.db" --listen 127.0.0.1:0 --log-level info ${RUN_ARGS:-} 2>"$dir/daemon.log" >&2 &
  daemon=$!
  # Wait until every task is finished, reading the journal (read-only) every 20 ms.
  if ! python3 - "$dir/state.db" "$TASKS" "$daemon" >"$dir/wait.out" <<'PY'; then
import os, sqlite3, sys, time
path, n, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + 3600
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        print("the daemon exited"); sys.exit(1)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        rows = dict(db.execute("SELECT state, COUNT(*) FROM tasks WHERE pool = 'bench' GROUP BY state").fetchall())
        db.close()
    except sqlite3.Error:
        rows = {}   # not created yet
    finished = sum(rows.get(s, 0) for s in ("completed", "dead_letter", "cancelled"))
    if finished >= n:
        print(rows); sys.exit(0 if rows.get("completed", 0) == n else 1)
    time.sleep(0.02)
print("timed out after 1 h"); sys.exit(1)
PY
    echo "run: FAILED: $(cat "$dir/wait.out")"; tail -5 "$dir/daemon.log"; exit 1
  fi
  done_at=$(now)
  hwm=$(awk '/^VmHWM:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$daemon/status" 2>/dev/null || echo unknown)
  kill -TERM "$daemon"
  code=0; wait "$daemon" || code=$?
  daemon=""
  [ "$code" -eq 0 ] || echo "note: the daemon exited $code on SIGTERM (0 expected)"
  verify_completed "run" "$dir"
  wall=$(calc "$done_at - $started" %.3f)
  run_wall_rate=$(calc "$TASKS / $wall")
  read -r first last attempts < <(journal_span "$dir/state.db")
  run_rate=$(calc "$TASKS / (($last - $first > 0 ? $last - $first : 1) / 1000)")
  start_ms=$(calc "$started * 1000" %.0f)
  printf '%-44s %8.3f s  %9s tasks/s   (%s attempts)\n' "orbrec run: first journaled -> last ended" \
    "$(calc "($last - $first) / 1000" %.3f)" "$run_rate" "$attempts"
  printf '%-44s %8.3f s  %9s tasks/s   peak RSS %s, first attempt %s ms after start\n' \
    "  daemon start -> all completed (wall)" "$wall" "$run_wall_rate" "$hwm" "$(calc "$first - $start_ms" %.0f)"
fi

# ---- 5. the table ---------------------------------------------------------------------------
ratio() {  # A B: A/B as "N.Nx", or n/a
  if [ -n "$1" ] && [ -n "$2" ]; then calc "$1 / $2" %.2fx; else echo n/a; fi
}
meets() {  # RATE PSIJ: the targets, >= 800 tasks/s and >= 4x psij
  local a b
  a=$(awk "BEGIN { print ($1 >= 800) ? \"yes\" : \"no\" }")
  if [ -n "$2" ]; then b=$(awk "BEGIN { print ($1 >= 4 * $2) ? \"yes\" : \"no\" }"); else b="n/a"; fi
  echo ">= 800/s: $a, >= 4x psij: $b"
}
echo
printf '%-30s %12s %10s %10s   %s\n' "" "tasks/s" "/ psij" "/ xargs" "targets"
row() {  # LABEL RATE [targets]
  [ -n "$2" ] || return 0
  printf '%-30s %12s %10s %10s   %s\n' "$1" "$2" "$(ratio "$2" "$psij_rate")" "$(ratio "$2" "$xargs_rate")" "${3:-}"
}
row "xargs (spawn limit)" "$xargs_rate"
row "psij-python local" "$psij_rate"
row "orbrec apply --wait (wall)" "$apply_rate" "${apply_rate:+$(meets "$apply_rate" "$psij_rate")}"
row "  apply, journaled span" "$apply_journal_rate"
row "orbrec run (journaled)" "$run_rate" "${run_rate:+$(meets "$run_rate" "$psij_rate")}"
row "  run, daemon start (wall)" "$run_wall_rate"

if ((${#skipped[@]} > 0)); then
  echo
  for part in "${skipped[@]}"; do echo "NOT A FULL RUN: skipped $part"; done
  status=1
fi
exit "$status"
