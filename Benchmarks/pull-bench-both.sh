#!/usr/bin/env bash
# pull-bench on SQLite and on PostgreSQL, one after the other in one run (issue 17 item 8):
# the same daemon binary, workers and durations; PostgreSQL is POSTGRES_URL or a throwaway
# server started here as scripts/test.sh starts one.
set -euo pipefail
cd "$(dirname "$0")/.."
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
bash Benchmarks/pull-bench.sh
sleep "${PAUSE:-30}"
echo "== PostgreSQL"
STATE="${url}${sep}schema=pull_bench_$$" bash Benchmarks/pull-bench.sh
