# moto_server (the EC2 mock) for the AWS tests, examples and benchmark. Sourced by the scripts.

MOTO_VERSION="5.2.1"
MOTO_VENV="${MOTO_VENV:-$PWD/.build/moto-venv}"

# ensure_moto: a virtual environment under .build with moto_server and the AWS CLI.
ensure_moto() {
  local stamp="$MOTO_VENV/.orbrec-moto-$MOTO_VERSION"
  [ -f "$stamp" ] && return 0
  command -v python3 >/dev/null 2>&1 || ensure_apt python3
  command -v curl >/dev/null 2>&1 || ensure_apt curl
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || ensure_apt python3-venv
  echo "installing moto $MOTO_VERSION and the AWS CLI into $MOTO_VENV" >&2
  rm -rf "$MOTO_VENV"
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" awscli >&2
  touch "$stamp"
}

# free_port: a TCP port nobody listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_moto VAR [NAME=VALUE...]: starts moto_server on 127.0.0.1 with the given environment,
# waits until it answers, and sets VAR to its endpoint. Stopped by stop_motos.
MOTO_PIDS=()
start_moto() {
  local var="$1"; shift
  local port; port=$(free_port)
  env "$@" "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$MOTO_VENV/moto-$port.log" 2>&1 &
  MOTO_PIDS+=("$!")
  local tries=0
  until curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ]; then
      echo "moto_server did not start on port $port:" >&2
      cat "$MOTO_VENV/moto-$port.log" >&2
      return 1
    fi
    sleep 0.1
  done
  printf -v "$var" 'http://127.0.0.1:%s/' "$port"
  export "${var?}"
}

stop_motos() {
  local pid
  for pid in "${MOTO_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${MOTO_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  MOTO_PIDS=()
}
