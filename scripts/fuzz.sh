#!/usr/bin/env bash
# Fuzzes orbrec's hostile-input surfaces with libFuzzer under AddressSanitizer (Fuzz/):
#   fuzz-config   bytes as one YAML or JSON configuration file, through ConfigLoader
#   fuzz-leases   bytes as the JSON body of every lease API request (and as a task id)
# Each target runs FUZZ_SECONDS (default 60) and the script fails on any crash, leak, timeout
# (an input over 5 s) or out-of-memory (over 2 GB). The input that failed is left in
# FUZZ_ARTIFACTS/<target>/ (default .build-fuzz/artifacts) and printed; commit it to
# Fuzz/Corpus/<target>/ with its fix, so every later run replays it first.
# Seeds, copied at run time: the examples' YAML and JSON files, every file of the loader's
# corpora under Tests/OrbrecSpecTests, and Fuzz/Corpus/<target>/ (for fuzz-leases, handwritten
# request bodies beside the inputs that once failed). What the fuzzer learns is
# kept in .build-fuzz/corpus/<target> for the next local run.
# FUZZ_TARGETS picks targets (default "fuzz-config fuzz-leases"); FUZZ_SKIP_BUILD=1 runs the
# binaries already built in .build-fuzz; extra arguments go to every libFuzzer run
# (e.g. -seed=1, -jobs=2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-fuzz-config fuzz-leases}
scratch="$root/.build-fuzz"
artifacts=$(realpath -m -- "${FUZZ_ARTIFACTS:-$scratch/artifacts}")

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  # The fuzz package pins what the root pins.
  [ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved
  started=$(date +%s)
  # swiftc keeps only the last of several -sanitize= flags, and SwiftPM passes one per
  # --sanitize: without the combined flag Swift code gets ASan but no coverage, and libFuzzer
  # explores blind. The --sanitize flags still instrument the C targets (libyaml) and link.
  swift build --package-path Fuzz --scratch-path "$scratch" -c release \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v "Cannot export local symbol" || true
  for target in $FUZZ_TARGETS; do
    [ -x "$scratch/release/$target" ] || { echo "fuzz: building $target failed" >&2; exit 1; }
  done
  echo "fuzz: built in $(( $(date +%s) - started ))s"
fi

seeds=$(mktemp -d /tmp/orbrec-fuzz-seeds.XXXXXX)
trap 'rm -rf "$seeds"' EXIT

# seed TARGET FILE...: copies files into TARGET's seed directory under unique names.
seed() {
  local target=$1; shift
  mkdir -p "$seeds/$target"
  local file n
  n=$(find "$seeds/$target" -type f | wc -l)
  for file in "$@"; do
    n=$((n + 1))
    cp -- "$file" "$seeds/$target/$n-$(basename -- "$file")"
  done
}
mapfile -d '' config_seeds < <(find examples -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0;
  find Tests/OrbrecSpecTests -mindepth 2 -type f ! -name expected.txt ! -name README ! -name '*.md' -size -1024k -print0)
seed fuzz-config "${config_seeds[@]}"
for target in $FUZZ_TARGETS; do
  mkdir -p "$seeds/$target"
  if [ -d "Fuzz/Corpus/$target" ]; then
    mapfile -d '' committed < <(find "Fuzz/Corpus/$target" -type f -print0)
    [ ${#committed[@]} -eq 0 ] || seed "$target" "${committed[@]}"
  fi
done

# fuzz-config writes each input into a directory under TMPDIR: gone with the seeds.
mkdir -p "$seeds/tmp"
export TMPDIR="$seeds/tmp"
# The Swift runtime's backtracer would catch a trap before libFuzzer does and never hand it on.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/Fuzz/lsan.supp:print_suppressions=0}
status=0
for target in $FUZZ_TARGETS; do
  binary="$scratch/release/$target"
  corpus="$scratch/corpus/$target"
  out="$artifacts/$target"
  mkdir -p "$corpus" "$out"
  log="$out/fuzz.log"
  touch "$out/.started"
  echo "fuzz: $target for ${FUZZ_SECONDS}s ($(find "$seeds/$target" -type f | wc -l) seeds, $(find "$corpus" -type f | wc -l) kept inputs)"
  set +e
  "$binary" "$corpus" "$seeds/$target" -max_total_time="$FUZZ_SECONDS" -timeout=5 -rss_limit_mb=2048 \
    -artifact_prefix="$out/" -print_final_stats=1 "$@" >"$log" 2>&1
  code=$?
  set -e
  grep -E '^(INFO: Loaded [0-9]+ modules|#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed "s/^/fuzz: $target: /" || true
  if ! grep -q 'inline 8-bit counters' "$log"; then
    status=1
    echo "fuzz: $target has no coverage counters: it was not built with -sanitize=fuzzer" >&2
  fi
  mapfile -t found < <(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -newer "$out/.started")
  if [ "$code" -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    status=1
    echo "fuzz: $target FAILED (exit $code); log: $log" >&2
    grep -E -A40 '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error:|ALARM: working on the last Unit|==[0-9]+== ERROR: libFuzzer)' "$log" | head -80 >&2 || tail -40 "$log" >&2
    for input in "${found[@]}"; do
      echo "fuzz: input $input ($(wc -c <"$input") bytes), base64 $(head -c 300 "$input" | base64 -w0):" >&2
      head -c 2000 "$input" | cat -v >&2
      echo >&2
      echo "fuzz: replay with  SWIFT_BACKTRACE=enable=no $binary $input" >&2
    done
  fi
done
exit $status
