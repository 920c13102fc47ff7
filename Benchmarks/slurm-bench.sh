#!/usr/bin/env bash
# The slurm scheduler against the real single-node Slurm (issue 5): a pool of TASKS tasks
# running `true`, submitted as one job array, then as one sbatch per task
# (ORBREC_SLURM_ARRAYS=0). For each: the wall time of the apply that submits, and the time
# until every task is completed (apply --wait). First, the peer: a raw `sbatch --array` of
# the same tasks, timed from its submission until Slurm has run them all, then orbrec, in
# turn ROUNDS times (default 3) in one Slurm session; each ratio compares neighbours, and
# their median is printed (the target: orbrec's job-array time within 10% of the raw one).
# ORBREC_BIN skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/slurm.sh
ensure_build_deps
ensure_slurm
ensure_apt bc

TASKS=${TASKS:-1000}
if [ -n "${ORBREC_BIN:-}" ]; then
  bin=$ORBREC_BIN
else
  swift build -c release --product orbrec >/dev/null
  bin="$PWD/.build/release/orbrec"
fi
work=$(mktemp -d /tmp/orbrec-slurm-bench.XXXXXX)
trap 'stop_slurm; rm -rf "$work"' EXIT
start_slurm >/dev/null

write_config() {  # DIR
  mkdir -p "$1"
  cat > "$1/pool.yaml" <<YAML
apiVersion: orbrec/v1
kind: Scheduler
metadata: {name: hpc}
spec: {type: slurm, partition: debug}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {name: bench}
spec:
  scheduler: hpc
  range: {from: 1, to: $TASKS}
  command: ["true"]
YAML
}

seconds() { date +%s.%N; }

raw() {  # the peer: Slurm alone
  local started id finished
  started=$(seconds)
  id=$(sbatch --parsable --array=1-"$TASKS" --partition=debug --output=/dev/null --job-name=raw-bench --wrap true)
  while [ -n "$(squeue -h -j "$id" -o '%i' 2>/dev/null)" ]; do sleep 0.2; done
  finished=$(seconds)
  raw_seconds=$(echo "$finished - $started" | bc -l)
  printf '%-36s submit    —      all completed %7.2f s\n' "raw sbatch --array (Slurm alone)" "$raw_seconds"
}

run() {  # LABEL ARRAYS[/ROUND]
  local label=$1 arrays=${2%%/*} dir="$work/${2//\//-}"
  write_config "$dir/cfg"
  local started submitted finished
  started=$(seconds)
  ORBREC_SLURM_ARRAYS=$arrays "$bin" apply -c "$dir/cfg" --state "$dir/state.db" --auto-approve >"$dir/submit.log" 2>&1
  submitted=$(seconds)
  ORBREC_SLURM_ARRAYS=$arrays "$bin" apply -c "$dir/cfg" --state "$dir/state.db" --auto-approve --wait --timeout 30m >"$dir/wait.log" 2>&1 \
    || { echo "$label did not complete:"; tail -5 "$dir/wait.log"; exit 1; }
  finished=$(seconds)
  local jobs
  jobs=$(squeue -h -t all -o '%i' | wc -l)
  last_seconds=$(echo "$finished - $started" | bc -l)
  printf '%-36s submit %7.2f s   all completed %7.2f s   (%s rows in squeue)\n' "$label" \
    "$(echo "$submitted - $started" | bc -l)" "$last_seconds" "$jobs"
  scancel --state=PENDING --user="$(id -un)" 2>/dev/null || true
}

echo "orbrec $($bin --version), Slurm $(sinfo --version | cut -d' ' -f2), $(nproc) cores; $TASKS tasks of 'true'"
# Raw and orbrec in turn, ROUNDS times, in one Slurm session: how fast a freshly started
# Slurm drains an array varies by a fifth from one start to the next (measured: the same
# array 29.9-40.1 s), more than what is measured here, so each ratio compares neighbours.
ratios=()
for round in $(seq "${ROUNDS:-3}"); do
  raw
  run "one job array (round $round)" "1/$round"
  ratio=$(echo "$last_seconds / $raw_seconds" | bc -l)
  ratios+=("$ratio")
  printf '  round %s: orbrec / raw = %.3f\n' "$round" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
printf 'orbrec (one job array) / raw sbatch --array, median of %s rounds: %.3f (target <= 1.10)\n' "${#ratios[@]}" "$median"
if [ -z "${ARRAYS_ONLY:-}" ]; then
  stop_slurm >/dev/null; start_slurm >/dev/null
  run "one sbatch per task" 0
fi
