# A throwaway PostgreSQL server (Debian's packages, 15 on Debian 12) for the PostgreSQL
# state backend's tests. Sourced by the scripts.
#
# start_postgres initialises a fresh cluster in a directory of its own under /tmp, starts it
# on a free loopback port with TLS (a self-signed certificate for 127.0.0.1) and exports:
#   ORBREC_TEST_POSTGRES               postgres://postgres@127.0.0.1:PORT/orbrec_test (trust)
#   ORBREC_TEST_POSTGRES_PASSWORD_URL  postgres://orbrec_pw@127.0.0.1:PORT/orbrec_test, where
#                                      orbrec_pw logs in only with its SCRAM password,
#   ORBREC_TEST_POSTGRES_PASSWORD      that password
#   ORBREC_TEST_POSTGRES_CA            the server's certificate, its own CA (for verify-full)
#   ORBREC_TEST_POSTGRES_WRONG_CA      an unrelated CA's certificate (verify-full must fail)
#   PG_BIN                             the server's binaries: psql is "$PG_BIN/psql"
# stop_postgres stops the server and deletes the directory, data and all.
#
# As root the server runs as the postgres user (initdb and postgres refuse to run as root);
# anyone else runs it as themselves, which PostgreSQL allows, so no sudo is needed then.

# _pg_newest_bin: the bin directory of the newest server installed, or nothing. Never
# fails, so that sourcing this under set -e -o pipefail works before the install.
_pg_newest_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true
}

# The newest server installed; ensure_postgres sets it again after installing one.
PG_BIN="${PG_BIN:-$(_pg_newest_bin)}"
PG_DIR=""
PG_PORT=""
ORBREC_TEST_POSTGRES_PASSWORD="pw-test-secret"

# ensure_postgres: the server, its client and openssl for the certificates.
ensure_postgres() {
  local fresh=""
  dpkg -s postgresql >/dev/null 2>&1 || fresh=1
  ensure_apt postgresql openssl
  command -v python3 >/dev/null 2>&1 || ensure_apt python3
  # Installing creates a 'main' cluster on port 5432 and, where services may start (no
  # policy-rc.d forbidding it), starts it. The tests never use it: stop what the
  # installer started, so that nothing is left running.
  if [ -n "$fresh" ] && command -v pg_lsclusters >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    local online ver name
    online=$(pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1, $2}' || true)
    while read -r ver name; do
      [ -n "$name" ] || continue
      echo "stopping PostgreSQL cluster $ver/$name, started by its installation" >&2
      $sudo pg_ctlcluster "$ver" "$name" stop || true
    done <<<"$online"
  fi
  PG_BIN="$(_pg_newest_bin)"
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "no PostgreSQL server under /usr/lib/postgresql/*/bin" >&2
    return 1
  fi
}

# _pg_as_owner COMMAND...: runs a server command as the cluster's owner (postgres when root),
# from inside the cluster's directory (a cwd the postgres user cannot read upsets initdb).
_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$PG_DIR" && runuser -u postgres -- "$@")
  else
    (cd "$PG_DIR" && "$@")
  fi
}

# _pg_started_at PID: the process's start time (clock ticks since boot), which tells a
# process from a later one that reuses its pid. Empty when there is no such process.
_pg_started_at() {
  sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}' || true
}

# _pg_stop_stale: servers of earlier runs whose shell died without stopping them (killed,
# so its EXIT trap never ran), found by the owner file each run writes into its directory
# first. The directories of runs still alive, here or in another job, are left alone.
_pg_stop_stale() {
  local dir owner started now mine
  # Root's servers run as postgres, in directories handed to it.
  mine=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then mine=postgres; fi
  for dir in /tmp/orbrec-pg.*; do
    [ -d "$dir" ] && [ -f "$dir/owner" ] && [ "$(stat -c %U "$dir")" = "$mine" ] || continue
    read -r owner started <"$dir/owner" || continue
    now=$(_pg_started_at "$owner")
    [ -n "$now" ] && [ "$now" = "$started" ] && continue
    echo "stopping the PostgreSQL server an earlier run left in $dir" >&2
    if [ -f "$dir/data/postmaster.pid" ]; then
      PG_DIR="$dir" _pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
  done
}

# _pg_tls DIR: a self-signed certificate for 127.0.0.1 (its own CA, so verify-full accepts it
# as the root) and a second CA that signed nothing here, for the wrong-CA tests.
_pg_tls() {
  local dir="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.crt" 2>/dev/null &&
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=orbrec test wrong CA" \
    -keyout "$dir/wrong-ca.key" -out "$dir/wrong-ca.crt" 2>/dev/null &&
  rm -f "$dir/wrong-ca.key" &&
  chmod 600 "$dir/server.key" && chmod 644 "$dir/server.crt" "$dir/wrong-ca.crt"
}

# _pg_print_log FILE: the end of initdb's or the server's log, for a start that failed.
_pg_print_log() {
  [ -s "$1" ] || return 0
  echo "---- $1" >&2
  tail -n 40 "$1" >&2
}

# start_postgres: a new, empty cluster with the database orbrec_test and the password role
# orbrec_pw, ready for connections. Stopped by stop_postgres.
start_postgres() {
  if [ -n "$PG_DIR" ]; then
    echo "start_postgres: a server already runs in $PG_DIR" >&2
    return 1
  fi
  if [ ! -x "${PG_BIN:-}/initdb" ]; then
    echo "no PostgreSQL server under /usr/lib/postgresql/*/bin: call ensure_postgres first" >&2
    return 1
  fi
  _pg_stop_stale
  local began; began=$(date +%s.%N)
  PG_DIR=$(mktemp -d /tmp/orbrec-pg.XXXXXX) || return 1
  echo "$$ $(_pg_started_at $$)" >"$PG_DIR/owner"

  # C.UTF-8 sorts bytewise like C but knows characters; some machines do not have it.
  local locale=C locales
  locales=$(locale -a 2>/dev/null || true)
  if grep -qiE '^c\.utf-?8$' <<<"$locales"; then locale=C.UTF-8; fi
  if ! _pg_tls "$PG_DIR"; then
    echo "openssl could not make the test certificates" >&2
    stop_postgres
    return 1
  fi
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$PG_DIR"; fi
  # trust for everything, except that orbrec_pw over TCP must give its password (the
  # PGPASSWORD and .pgpass tests): pg_hba.conf's first matching line wins.
  if ! _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 \
      --locale="$locale" --no-sync >"$PG_DIR/initdb.log" 2>&1; then
    echo "initdb failed:" >&2
    _pg_print_log "$PG_DIR/initdb.log"
    stop_postgres
    return 1
  fi
  sed -i '1i host all orbrec_pw 127.0.0.1/32 scram-sha-256' "$PG_DIR/data/pg_hba.conf"
  # fsync and synchronous_commit stay on: the suite tests what the state claims to keep.
  cat >>"$PG_DIR/data/postgresql.conf" <<EOF

# Written by scripts/lib/postgres.sh for the orbrec tests.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
max_connections = 300
ssl = on
ssl_cert_file = '$PG_DIR/server.crt'
ssl_key_file = '$PG_DIR/server.key'
EOF

  # The port is free when picked but could be taken before the server binds it: a new
  # one, up to 3 more times. pg_ctl -w returns once the server accepts connections.
  local attempt started=""
  for attempt in 1 2 3 4; do
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
        -o "-p $PG_PORT" start >/dev/null 2>&1; then
      started=1
      break
    fi
    # Timed out rather than failed: it may still be starting.
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    echo "PostgreSQL did not start on port $PG_PORT (attempt $attempt of 4)" >&2
  done
  if [ -z "$started" ]; then
    echo "PostgreSQL did not start:" >&2
    _pg_print_log "$PG_DIR/server.log"
    stop_postgres
    return 1
  fi

  if ! "$PG_BIN/psql" "postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable" -X -q \
      -v ON_ERROR_STOP=1 -c "CREATE DATABASE orbrec_test" \
      -c "CREATE ROLE orbrec_pw LOGIN SUPERUSER PASSWORD '$ORBREC_TEST_POSTGRES_PASSWORD'" >&2; then
    echo "could not create the test database and role:" >&2
    _pg_print_log "$PG_DIR/server.log"
    stop_postgres
    return 1
  fi

  export PG_BIN ORBREC_TEST_POSTGRES_PASSWORD
  export ORBREC_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_PORT/orbrec_test"
  export ORBREC_TEST_POSTGRES_PASSWORD_URL="postgres://orbrec_pw@127.0.0.1:$PG_PORT/orbrec_test"
  export ORBREC_TEST_POSTGRES_CA="$PG_DIR/server.crt"
  export ORBREC_TEST_POSTGRES_WRONG_CA="$PG_DIR/wrong-ca.crt"
  local version; version=$("$PG_BIN/postgres" --version | awk '{print $3}')
  echo "PostgreSQL $version on 127.0.0.1:$PG_PORT ($PG_DIR), ready in" \
    "$(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s" >&2
}

# stop_postgres: stops the server this shell started and deletes its directory. Does
# nothing when none was started, so it is safe twice and in an EXIT trap.
stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    # fast: disconnects the clients and shuts down cleanly; waits up to 30 s for that,
    # then immediate (the data is deleted anyway).
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -t 30 stop >/dev/null 2>&1 ||
      _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  PG_DIR=""
  PG_PORT=""
  unset ORBREC_TEST_POSTGRES ORBREC_TEST_POSTGRES_PASSWORD_URL ORBREC_TEST_POSTGRES_CA \
    ORBREC_TEST_POSTGRES_WRONG_CA
}
