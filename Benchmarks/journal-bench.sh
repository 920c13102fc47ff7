#!/usr/bin/env bash
# The journal's throughput on SQLite and on PostgreSQL, side by side in one run (issue 17
# item 8): the same orbrec-journal-bench, once on a state file and once on a PostgreSQL
# state (POSTGRES_URL, or a throwaway server started here as scripts/test.sh starts one).
#
#   TASKS=10000 bash Benchmarks/journal-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${TASKS:-10000}
swift build -c release --product orbrec-journal-bench >/dev/null
bench=.build/release/orbrec-journal-bench
url=${POSTGRES_URL:-}
if [ -z "$url" ]; then
  source scripts/lib/deps.sh
  source scripts/lib/postgres.sh
  ensure_postgres
  trap stop_postgres EXIT
  start_postgres
  url="$ORBREC_TEST_POSTGRES"
fi
sep=$([[ "$url" == *\?* ]] && echo '&' || echo '?')
echo "== SQLite"
"$bench" "$TASKS"
echo "== PostgreSQL"
"$bench" "$TASKS" --state "${url}${sep}schema=journal_bench_$$"
