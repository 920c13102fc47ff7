# A throwaway OpenSSH server (Debian 12's openssh-server) on a loopback port, standing for a
# cluster's login node in the tests of Slurm over SSH. Sourced by the scripts.
#
# It runs as the current user (root on the test machines) with its own generated host key,
# its own client key and authorized_keys (never the user's ~/.ssh), and writes a known-hosts
# file naming its key. start_sshd exports what the tests read:
#   ORBREC_TEST_SSH_HOST, ORBREC_TEST_SSH_PORT, ORBREC_TEST_SSH_USER  where to connect
#   ORBREC_TEST_SSH_KEY           the client's private key
#   ORBREC_TEST_SSH_KNOWN_HOSTS   a known-hosts file with the server's key
#   ORBREC_TEST_SSH_WRONG_KNOWN_HOSTS  one with another key for the same address (a changed host key)
#   ORBREC_TEST_SSHD_DIR          holds start.sh and stop.sh, with which a test stops the server
#                                 (and every connection it serves) and starts it again on the same port
# A session gets SLURM_CONF (when set at start), as a login node has its slurm.conf in place.
# stop_sshd stops the server and every session it serves.

SSHD_DIR="${SSHD_DIR:-$PWD/.build/sshd}"

# ensure_sshd: the server (the client comes with it).
ensure_sshd() {
  ensure_apt openssh-server openssh-client
}

# _sshd_free_port: a TCP port nothing listens on at 127.0.0.1, chosen by the kernel.
_sshd_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _sshd_write_scripts PORT: start.sh starts the server in the background and waits until it
# answers; stop.sh stops it with every session it serves. Both take no arguments, so a test
# runs them as they are.
_sshd_write_scripts() {
  local port="$1" setenv=()
  [ -n "${SLURM_CONF:-}" ] && setenv=(-o "SetEnv=SLURM_CONF=$SLURM_CONF")
  cat >"$SSHD_DIR/start.sh" <<EOF
#!/usr/bin/env bash
# Written by scripts/lib/sshd.sh: starts the test sshd on 127.0.0.1:$port.
set -euo pipefail
# Already running: nothing to do (a second one could not bind the port, and its pid would
# replace the running one's in sshd.pid).
pid=\$(cat "$SSHD_DIR/sshd.pid" 2>/dev/null || true)
if [ -n "\$pid" ] && [ "\$(cat "/proc/\$pid/comm" 2>/dev/null || true)" = sshd ]; then exit 0; fi
mkdir -p /run/sshd
# -D: no fork, so the pid recorded is the server's; -e: log to stderr (the log file).
# No PAM (no login session machinery in a container), keys only, this directory's files only.
setsid /usr/sbin/sshd -D -e -f /dev/null \\
  -o Port=$port -o ListenAddress=127.0.0.1 \\
  -o HostKey=$SSHD_DIR/host_key -o PidFile=none \\
  -o AuthorizedKeysFile=$SSHD_DIR/authorized_keys -o StrictModes=no \\
  -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no \\
  -o KbdInteractiveAuthentication=no -o UsePAM=no \\
  -o MaxStartups=100 -o MaxSessions=100 -o LogLevel=VERBOSE \\
  ${setenv[*]:-} >>"$SSHD_DIR/sshd.log" 2>&1 </dev/null &
echo \$! >"$SSHD_DIR/sshd.pid"
for _ in \$(seq 1 100); do
  if /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", $port), 0.2)' 2>/dev/null; then exit 0; fi
  sleep 0.05
done
echo "sshd did not listen on 127.0.0.1:$port:" >&2
tail -n 20 "$SSHD_DIR/sshd.log" >&2
exit 1
EOF
  cat >"$SSHD_DIR/stop.sh" <<'EOF'
#!/usr/bin/env bash
# Written by scripts/lib/sshd.sh: stops the test sshd and every connection it serves (each is
# a child process of the listener, in a session of its own), so that clients see their
# connections drop, as when a login node goes away.
set -uo pipefail
dir="$(dirname "$0")"
pid=$(cat "$dir/sshd.pid" 2>/dev/null || true)
[ -n "$pid" ] || exit 0
[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "sshd" ] || { rm -f "$dir/sshd.pid"; exit 0; }
# The listener and its descendants, found by parent pid before anything is killed.
pids=("$pid") i=0
while [ "$i" -lt "${#pids[@]}" ]; do
  parent="${pids[$i]}"
  for stat in /proc/[0-9]*/stat; do
    read -r child _ _ ppid _ <"$stat" 2>/dev/null || continue
    [ "$ppid" = "$parent" ] && pids+=("$child")
  done
  i=$((i + 1))
done
kill "${pids[@]}" 2>/dev/null || true
for _ in $(seq 1 100); do
  alive=0
  for p in "${pids[@]}"; do [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && alive=1; done
  [ "$alive" -eq 0 ] && break
  sleep 0.05
done
kill -9 "${pids[@]}" 2>/dev/null || true
rm -f "$dir/sshd.pid"
EOF
  chmod 0755 "$SSHD_DIR/start.sh" "$SSHD_DIR/stop.sh"
}

# start_sshd: a fresh server with fresh keys on a free loopback port. Stopped by stop_sshd.
start_sshd() {
  [ -x "$SSHD_DIR/stop.sh" ] && "$SSHD_DIR/stop.sh"
  rm -rf "$SSHD_DIR"
  mkdir -p "$SSHD_DIR"
  chmod 0700 "$SSHD_DIR"
  ssh-keygen -q -t ed25519 -N '' -C orbrec-test-host -f "$SSHD_DIR/host_key"
  ssh-keygen -q -t ed25519 -N '' -C orbrec-test-other-host -f "$SSHD_DIR/other_host_key"
  ssh-keygen -q -t ed25519 -N '' -C orbrec-test-client -f "$SSHD_DIR/client_key"
  cp "$SSHD_DIR/client_key.pub" "$SSHD_DIR/authorized_keys"
  local port
  port=$(_sshd_free_port)
  # A non-default port is written [host]:port in a known-hosts file.
  echo "[127.0.0.1]:$port $(cut -d' ' -f1-2 "$SSHD_DIR/host_key.pub")" >"$SSHD_DIR/known_hosts"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1-2 "$SSHD_DIR/other_host_key.pub")" >"$SSHD_DIR/wrong_known_hosts"
  _sshd_write_scripts "$port"
  "$SSHD_DIR/start.sh" || return 1
  # The first connection proves the whole chain: the key, the known-hosts file, a command.
  if ! ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$SSHD_DIR/known_hosts" \
      -o ControlPath=none -i "$SSHD_DIR/client_key" -p "$port" "$(id -un)@127.0.0.1" true; then
    echo "cannot log in to the test sshd:" >&2
    tail -n 20 "$SSHD_DIR/sshd.log" >&2
    "$SSHD_DIR/stop.sh"
    return 1
  fi
  export ORBREC_TEST_SSH_HOST=127.0.0.1
  export ORBREC_TEST_SSH_PORT="$port"
  export ORBREC_TEST_SSH_USER="$(id -un)"
  export ORBREC_TEST_SSH_KEY="$SSHD_DIR/client_key"
  export ORBREC_TEST_SSH_KNOWN_HOSTS="$SSHD_DIR/known_hosts"
  export ORBREC_TEST_SSH_WRONG_KNOWN_HOSTS="$SSHD_DIR/wrong_known_hosts"
  export ORBREC_TEST_SSHD_DIR="$SSHD_DIR"
}

# stop_sshd: stops the server and its sessions.
stop_sshd() {
  [ -x "$SSHD_DIR/stop.sh" ] && "$SSHD_DIR/stop.sh"
  unset ORBREC_TEST_SSH_HOST ORBREC_TEST_SSH_PORT ORBREC_TEST_SSH_USER ORBREC_TEST_SSH_KEY \
    ORBREC_TEST_SSH_KNOWN_HOSTS ORBREC_TEST_SSH_WRONG_KNOWN_HOSTS ORBREC_TEST_SSHD_DIR
  return 0
}
