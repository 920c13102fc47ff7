#!/usr/bin/env bash
# Times `orbrec run` against DESIGN.md section 8 (driven by daemon-bench.py):
#   - file saved -> first action journaled (budget: <= 100 ms at p50), and -> the action's
#     event on GET /api/v1/events: SAVES saves of one fleet's count (1 <-> 2), each as
#     editors save (temporary file, fsync, rename), each causing one provision or return;
#   - idle: CPU and RSS of the daemon left alone IDLE_SECONDS with the default intervals
#     and 2 machines converged.
# The binary is not built here: ORBREC_BIN, else .build/release/orbrec
# (swift build -c release --product orbrec). BENCH_OUT=PATH also writes the numbers as JSON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${ORBREC_BIN:-}" ]; then
  bin=$(realpath -ms -- "$ORBREC_BIN")
else
  bin="$root/.build/release/orbrec"
fi
if [ -n "${BENCH_OUT:-}" ]; then
  BENCH_OUT=$(realpath -ms -- "$BENCH_OUT")
  export BENCH_OUT
fi
cd "$root"
if [ ! -x "$bin" ]; then
  echo "no orbrec binary at $bin: build it first (swift build -c release --product orbrec) or set ORBREC_BIN" >&2
  exit 1
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is not on PATH" >&2; exit 1; }

export SAVES=${SAVES:-100}
export IDLE_SECONDS=${IDLE_SECONDS:-30}
work=$(mktemp -d /tmp/orbrec-daemon-bench.XXXXXX)

# Whatever the driver left running (it cleans up itself unless killed): the daemon, whose
# stderr is a file under $work, and the machines, whose stdout is a log under $work.
cleanup() {
  local fd pid target
  for fd in /proc/[0-9]*/fd/[12]; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    [[ $target == "$work"/* ]] || continue
    pid=${fd#/proc/}; pid=${pid%%/*}
    kill -KILL -- "-$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

python3 Benchmarks/daemon-bench.py "$bin" "$work"
